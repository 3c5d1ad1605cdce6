"""Reading and writing IDX files, and the errors for every way a file can be wrong."""

import gzip
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from gdtui.core import memory
from gdtui.core.errors import DataError, GdtuiError
from gdtui.core.idx import read_idx, write_idx
from tests.memory import peak_memory_of


def idx_bytes(shape: tuple[int, ...], payload: bytes, *, element_type: int = 0x08) -> bytes:
    """An IDX file built by hand, so the header and payload can disagree."""
    header = bytes([0, 0, element_type, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
    return header + payload


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("shape", [(7,), (3, 5, 4), (2, 28, 28)])
def test_round_trip(tmp_path, compress, shape):
    array = np.random.default_rng(0).integers(0, 256, size=shape, dtype=np.uint8)
    path = tmp_path / "array.idx"
    write_idx(path, array, compress=compress)
    result = read_idx(path)
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, array)


@settings(max_examples=40, deadline=None)
@given(
    array=arrays(np.uint8, array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6)),
    compress=st.booleans(),
)
def test_round_trip_any_shape(tmp_path_factory, array, compress):
    path = tmp_path_factory.mktemp("idx") / "array.idx"
    write_idx(path, array, compress=compress)
    result = read_idx(path)
    assert result.shape == array.shape
    np.testing.assert_array_equal(result, array)


def test_writes_the_published_header(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.array([3, 1, 4], dtype=np.uint8), compress=False)
    assert path.read_bytes() == b"\x00\x00\x08\x01" + b"\x00\x00\x00\x03" + b"\x03\x01\x04"


def test_gzip_is_recognised_by_content_not_name(tmp_path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    compressed_without_suffix = tmp_path / "images-idx3-ubyte"
    raw_with_suffix = tmp_path / "images-idx3-ubyte.gz"
    compressed_without_suffix.write_bytes(gzip.compress(idx_bytes((3, 4), array.tobytes())))
    raw_with_suffix.write_bytes(idx_bytes((3, 4), array.tobytes()))
    np.testing.assert_array_equal(read_idx(compressed_without_suffix), array)
    np.testing.assert_array_equal(read_idx(raw_with_suffix), array)


def test_result_is_a_read_only_view_of_the_file_bytes(tmp_path):
    path = tmp_path / "images"
    write_idx(path, np.zeros((4, 3, 2), dtype=np.uint8), compress=False)
    result = read_idx(path)
    assert not result.flags.writeable
    assert not result.flags.owndata


def test_write_refuses_other_dtypes(tmp_path):
    with pytest.raises(ValueError, match="float32"):
        write_idx(tmp_path / "floats", np.zeros(3, dtype=np.float32), compress=False)


PIXELS = bytes(range(60))  # the payload of a (3, 5, 4) image file


def gzip_of(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def corrupt_deflate_stream(data: bytes) -> bytes:
    """Overwrite the middle of a gzip file's compressed data, keeping its header and length."""
    compressed = bytearray(gzip_of(data))
    middle = len(compressed) // 2
    compressed[middle - 20 : middle + 20] = b"\xff" * 40
    return bytes(compressed)


BAD_FILES = {
    "empty": (b"", "not an IDX file: only 0 bytes long"),
    "bad magic": (b"\x1f\x00" + idx_bytes((3, 5, 4), PIXELS)[2:], "not an IDX file"),
    "float type": (
        idx_bytes((3, 5, 4), PIXELS, element_type=0x0D),
        "unsupported IDX element type 0x0d",
    ),
    "no dimensions": (idx_bytes((), b""), "declares no dimensions"),
    "ndim beyond the header": (
        idx_bytes((3, 5, 4), b"")[:-4],
        "truncated header: 3 dimensions need 16 bytes, found 12",
    ),
    "truncated pixels": (
        idx_bytes((3, 5, 4), PIXELS[:-1]),
        "truncated: expected 60 pixel bytes, found 59",
    ),
    "truncated labels": (idx_bytes((1000,), bytes(10)), "expected 1,000 label bytes, found 10"),
    "trailing bytes": (
        idx_bytes((3, 5, 4), PIXELS + b"\x00\x00"),
        "2 unexpected bytes after the 60 pixel bytes",
    ),
    "truncated gzip": (gzip_of(idx_bytes((3, 5, 4), PIXELS))[:-12], "truncated gzip data"),
    "corrupt gzip": (
        corrupt_deflate_stream(idx_bytes((300, 5, 4), bytes(range(256)) * 24 + bytes(96))),
        "corrupt gzip data",
    ),
    "gzip of a truncated file": (
        gzip_of(idx_bytes((3, 5, 4), PIXELS[:30])),
        "truncated: expected 60 pixel bytes, found 30",
    ),
}


@pytest.mark.parametrize(("content", "problem"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_raises_one_line_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        read_idx(path)
    message = str(caught.value)
    assert message.startswith("train-images-idx3-ubyte.gz: ")
    assert problem in message
    assert "\n" not in message


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte: cannot read .*t10k-labels"):
        read_idx(tmp_path / "t10k-labels-idx1-ubyte")


def test_data_error_is_a_gdtui_error():
    assert issubclass(DataError, GdtuiError)


# Files that claim, or inflate to, more than they should


def gzip_of_zeros_after(prefix: bytes, zeros: int) -> bytes:
    """prefix then that many zero bytes, gzipped in pieces: a few KB for each MB inflated."""
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    parts = [compressor.compress(prefix)]
    chunk = bytes(1 << 20)
    parts += [compressor.compress(chunk) for _ in range(zeros // len(chunk))]
    parts.append(compressor.flush())
    return b"".join(parts)


def test_a_gzip_that_inflates_far_beyond_its_header_is_refused_uninflated(tmp_path):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip_of_zeros_after(idx_bytes((10,), bytes(10)), 64 << 20))
    assert path.stat().st_size < 1 << 20

    def read():
        with pytest.raises(DataError, match="more than 1,048,576 unexpected bytes after the 10 label bytes"):
            read_idx(path)

    assert peak_memory_of(read) < 8 << 20


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
def test_a_file_larger_than_memory_is_refused_unread(tmp_path, monkeypatch, compress):
    monkeypatch.setattr(memory, "available", lambda: 1000)
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((3, 20, 20), dtype=np.uint8), compress=compress)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte: holds 1.22 KB, more than the 1 KB of memory available"):
        read_idx(path)


def test_a_header_declaring_more_than_any_memory_is_refused(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip_of(idx_bytes((2**32 - 1, 2**32 - 1, 2**32 - 1), PIXELS)))
    with pytest.raises(DataError, match="more than the .* of memory available"):
        read_idx(path)


def test_concatenated_gzip_members_read_as_one_file(tmp_path):
    array = np.arange(60, dtype=np.uint8).reshape(3, 5, 4)
    data = idx_bytes((3, 5, 4), array.tobytes())
    path = tmp_path / "images.gz"
    path.write_bytes(gzip_of(data[:30]) + gzip_of(data[30:]))
    np.testing.assert_array_equal(read_idx(path), array)


def test_something_else_after_the_gzip_data_is_corrupt(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(gzip_of(idx_bytes((3, 5, 4), PIXELS)) + b"junk")
    with pytest.raises(DataError, match="images.gz: corrupt gzip data"):
        read_idx(path)
