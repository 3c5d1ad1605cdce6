"""The IDX file format, in which MNIST is published.

An IDX file is a small header followed by the array's elements::

    00 00 tt nn     magic number: two zero bytes, element type tt, nn dimensions
    nn x uint32     the size of each dimension, big-endian
    payload         every element, last dimension varying fastest

MNIST only uses element type 0x08 (unsigned byte), so it is the only type
supported. The files are usually distributed gzip-compressed; whether a file is
compressed is decided from its first bytes, so a misnamed file still reads.
"""

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from gdtui.core.errors import DataError

UNSIGNED_BYTE = 0x08

_GZIP_MAGIC = b"\x1f\x8b"
_PREAMBLE = 4  # the two zero bytes, the type byte and the dimension count


def read_idx(path: Path) -> np.ndarray:
    """Return the uint8 array stored in the IDX file at path, compressed or not."""
    path = Path(path)
    return parse_idx(read_uncompressed(path), path.name)


def read_uncompressed(path: Path) -> bytes:
    """Return the bytes of the file at path, decompressed if they are gzip data."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path.name}: cannot read {path}: {error.strerror or error}") from error
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except EOFError as error:
        raise DataError(f"{path.name}: truncated gzip data: the file was cut short") from error
    except (OSError, zlib.error) as error:
        raise DataError(f"{path.name}: corrupt gzip data ({error})") from error


def parse_idx(data: bytes, name: str) -> np.ndarray:
    """Decode the bytes of an IDX file; name identifies the file in error messages.

    The array is a read-only view of data, so even the 47 MB of MNIST's
    training images are never copied.
    """
    shape, offset = _parse_header(data, name)
    expected = math.prod(shape)
    found = len(data) - offset
    what = _payload_noun(len(shape))
    if found < expected:
        raise DataError(f"{name}: truncated: expected {expected:,} {what}, found {found:,}")
    if found > expected:
        raise DataError(f"{name}: {found - expected:,} unexpected bytes after the {expected:,} {what}")
    return np.frombuffer(data, dtype=np.uint8, count=expected, offset=offset).reshape(shape)


def write_idx(path: Path, array: np.ndarray, *, compress: bool) -> None:
    """Write a uint8 array to path as an IDX file, gzip-compressed if compress is true."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise ValueError(f"IDX files written here hold uint8 elements, not {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"an IDX file holds 1 to 255 dimensions, not {array.ndim}")
    header = bytes([0, 0, UNSIGNED_BYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + np.ascontiguousarray(array).tobytes()
    if compress:
        # A fixed timestamp makes equal arrays produce byte-identical files.
        data = gzip.compress(data, mtime=0)
    Path(path).write_bytes(data)


def _parse_header(data: bytes, name: str) -> tuple[tuple[int, ...], int]:
    """Return the shape declared by the header and where the payload starts."""
    if len(data) < _PREAMBLE:
        raise DataError(f"{name}: not an IDX file: only {len(data)} bytes long")
    zero_1, zero_2, element_type, ndim = data[:_PREAMBLE]
    if zero_1 or zero_2:
        raise DataError(f"{name}: not an IDX file: it starts with bytes {data[:2].hex(' ')}, expected 00 00")
    if element_type != UNSIGNED_BYTE:
        raise DataError(
            f"{name}: unsupported IDX element type 0x{element_type:02x}; only 0x{UNSIGNED_BYTE:02x} (unsigned byte) is supported"
        )
    if ndim == 0:
        raise DataError(f"{name}: the IDX header declares no dimensions")
    offset = _PREAMBLE + 4 * ndim
    if len(data) < offset:
        raise DataError(f"{name}: truncated header: {ndim} dimensions need {offset} bytes, found {len(data)}")
    return struct.unpack_from(f">{ndim}I", data, _PREAMBLE), offset


def _payload_noun(ndim: int) -> str:
    """Name the payload as MNIST users know it: 3-D files hold images, 1-D labels."""
    return {3: "pixel bytes", 1: "label bytes"}.get(ndim, "data bytes")
