"""The IDX file format, in which MNIST is published.

An IDX file is a small header followed by the array's elements::

    00 00 tt nn     magic number: two zero bytes, element type tt, nn dimensions
    nn x uint32     the size of each dimension, big-endian
    payload         every element, last dimension varying fastest

MNIST only uses element type 0x08 (unsigned byte), so it is the only type
supported. The files are usually distributed gzip-compressed; whether a file is
compressed is decided from its first bytes, so a misnamed file still reads.
Compressed data is inflated only as far as its header says it goes: a small
file that would inflate to gigabytes is refused, not unpacked.
"""

import gzip
import math
import struct
import zlib
from pathlib import Path

import numpy as np

from gdtui.core import memory
from gdtui.core.errors import DataError

UNSIGNED_BYTE = 0x08

_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib's way of asking for a gzip header and trailer
_PREAMBLE = 4  # the two zero bytes, the type byte and the dimension count
_LONGEST_HEADER = _PREAMBLE + 4 * 255
# Beyond the declared payload, the unexpected bytes counted before a file is called hopeless.
_MOST_COUNTED = 1 << 20


def read_idx(path: Path) -> np.ndarray:
    """Return the uint8 array stored in the IDX file at path, compressed or not."""
    path = Path(path)
    return parse_idx(read_uncompressed(path), path.name)


def read_uncompressed(path: Path) -> bytes:
    """Return the bytes of the file at path, decompressed if they are gzip data."""
    path = Path(path)
    try:
        size = path.stat().st_size
        _check_fits(path.name, size)
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path.name}: cannot read {path}: {error.strerror or error}") from error
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return _gunzip(data, path.name)
    except EOFError as error:
        raise DataError(f"{path.name}: truncated gzip data: the file was cut short") from error
    except (OSError, zlib.error) as error:
        raise DataError(f"{path.name}: corrupt gzip data ({error})") from error


def _gunzip(data: bytes, name: str) -> bytes:
    """Decompress an IDX file's header, then as much as the header declares and a little more."""
    shape, offset = _parse_header(_Gunzip(data).read(_LONGEST_HEADER), name)
    size = offset + math.prod(shape)
    _check_fits(name, size)
    # From the start again rather than joining on to the header: that would copy the whole file.
    whole = _Gunzip(data).read(size + _MOST_COUNTED + 1)
    if len(whole) > size + _MOST_COUNTED:
        raise DataError(
            f"{name}: more than {_MOST_COUNTED:,} unexpected bytes after the {size - offset:,} {_payload_noun(len(shape))}"
        )
    return whole


def _check_fits(name: str, size: int) -> None:
    available = memory.available()
    if available is not None and size > available:
        raise DataError(f"{name}: holds {memory.describe(size)}, more than the {memory.describe(available)} of memory available")


class _Gunzip:
    """gzip data inflated on demand, never further than asked: members one after another, as gzip does."""

    def __init__(self, data: bytes) -> None:
        self.rest = data
        self.member = zlib.decompressobj(_GZIP_WBITS)

    def read(self, size: int) -> bytes:
        """Up to size more bytes, fewer only at the end of the data."""
        parts = []
        while size > 0:
            if self.member.eof:
                self.rest = self.member.unused_data
                if not self.rest:
                    break
                if not self.rest.startswith(_GZIP_MAGIC):
                    raise gzip.BadGzipFile(f"{len(self.rest):,} bytes of something else after the gzip data")
                self.member = zlib.decompressobj(_GZIP_WBITS)
            part = self.member.decompress(self.rest, size)
            self.rest = self.member.unconsumed_tail
            if not part and not self.member.eof and not self.rest:
                raise EOFError("the gzip data ends before its end marker")
            parts.append(part)
            size -= len(part)
        return b"".join(parts)


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
        # A fixed timestamp makes equal arrays produce byte-identical files. Level 6, gzip's own default
        # (Python's is 9): on MNIST's digits 9 took 15 times as long, for a file 2% smaller.
        data = gzip.compress(data, compresslevel=6, mtime=0)
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
