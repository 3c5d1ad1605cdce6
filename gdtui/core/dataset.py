"""The digits to learn from: finding, checking and caching MNIST's four IDX files.

Decompressing the 47 MB of training images takes a noticeable moment, too long
to repeat on every start. So the first load also writes the arrays as .npy
files to a cache, and later loads map those files into memory, which is
almost instant. The cache records a CRC-32 of each array, checked on every
load: damaged contents are rebuilt from the sources, never used.
"""

import hashlib
import json
import os
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gdtui.core.errors import DataError
from gdtui.core.files import cache_home, replacing
from gdtui.core.idx import parse_idx, read_uncompressed

CLASSES = 10

# md5 of each uncompressed file as published with MNIST.
MNIST_MD5 = {
    "train-images": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels": "a25bea736e30d166cdddb491f175f624",
    "test-images": "2646ac647ad5339dbf082846283269ea",
    "test-labels": "27ae3e4e09519cfbb04c329615203637",
}

# The published file names, as (prefix, format): "train-images" + "idx3-ubyte".
_FILE_NAMES = {
    "train-images": ("train-images", "idx3-ubyte"),
    "train-labels": ("train-labels", "idx1-ubyte"),
    "test-images": ("t10k-images", "idx3-ubyte"),
    "test-labels": ("t10k-labels", "idx1-ubyte"),
}

VERIFIED = "verified against MNIST's published md5s"
NOT_MNIST = "not MNIST's published files: no checksums to check"

_CACHE_FORMAT = 2  # 2: with a CRC-32 of each array
_MANIFEST = "manifest.json"
# Decompressing and hashing take most of a first load; writing the cache the rest.
_READING_SHARE = 0.8

Progress = Callable[[str, float], None]

_FULL_BRIGHTNESS = np.float32(255)  # divided by, brightness 0–255 becomes an input 0.0–1.0


@dataclass(frozen=True, eq=False)  # arrays have no single truth value: compare by identity
class Split:
    """Images with their labels: the training or the test part of a dataset."""

    images: np.ndarray  # (n, rows, cols) uint8, possibly a read-only memory map
    labels: np.ndarray  # (n,) uint8, each in 0..CLASSES-1

    def __post_init__(self) -> None:
        # Plain ndarrays over the same memory: indexing a np.memmap pays for its
        # subclass on every call, which shows at small mini-batches.
        object.__setattr__(self, "images", np.asarray(self.images))
        object.__setattr__(self, "labels", np.asarray(self.labels))

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def pixels(self) -> int:
        """Pixels per image: the number of inputs the network sees."""
        return self.images.shape[1] * self.images.shape[2]

    def inputs(self, index: int | slice | np.ndarray) -> np.ndarray:
        """The images at index as float32 rows of pixels scaled to [0, 1].

        Only the requested images are converted: the whole set stays uint8,
        a quarter of the memory float32 would take.
        """
        # take() beats fancy indexing on small batches.
        rows = self.images.reshape(len(self.images), self.pixels)
        batch = rows[index] if isinstance(index, slice) else rows.take(index, axis=0)
        # A single image comes back as one row; the network always takes a batch.
        batch = batch.reshape(-1, self.pixels).astype(np.float32)
        batch /= _FULL_BRIGHTNESS
        return batch


@dataclass(frozen=True)
class Dataset:
    """A training and a test split of digit images, and where they came from."""

    name: str
    source: Path  # the directory the IDX files were found in
    train: Split
    test: Split
    checksums: str  # one line saying whether these are MNIST's published files
    cache_dir: Path | None  # None when no cache could be written

    @property
    def image_shape(self) -> tuple[int, int]:
        """(rows, cols) of every image, in the training and the test split alike."""
        return self.train.images.shape[1], self.train.images.shape[2]


def bundled_data_dir() -> Path:
    """The directory holding the copy of MNIST that ships with gdtui."""
    package = Path(__file__).resolve().parent.parent
    # An installed wheel carries the files inside the package; a source
    # checkout keeps them in the assets directory at the top of the repository.
    installed = package / "assets" / "mnist"
    return installed if installed.is_dir() else package.parent / "assets" / "mnist"


def load_dataset(
    data_dir: Path | None = None,
    *,
    cache_root: Path | None = None,
    progress: Progress | None = None,
) -> Dataset:
    """Load the four IDX files in data_dir, by default the bundled MNIST.

    progress(stage, fraction) is called before each slow step of a first
    load, with the fraction of the whole load done so far.
    """
    report = progress or _ignore_progress
    source = (bundled_data_dir() if data_dir is None else Path(data_dir)).resolve()
    bundled = source == bundled_data_dir().resolve()
    files = _find_files(source)
    # Stat before reading: if a file changes in between, the cache looks stale, not valid.
    stamps = {key: _stamp(path) for key, path in files.items()}
    cache_dir = _cache_dir(source, cache_root)
    cached = _read_cache(cache_dir, files, stamps)
    if cached is None:
        arrays, md5s = _read_sources(files, stamps, report)
        checksums = _checksum_status(files, md5s, bundled=bundled)
        _validate(files, arrays)
        cache_dir = _write_cache(cache_dir, stamps, arrays, md5s, report)
        report("Ready", 1.0)
    else:
        arrays, md5s = cached
        checksums = _checksum_status(files, md5s, bundled=bundled)
    return Dataset(
        name="MNIST" if bundled else source.name,
        source=source,
        train=Split(arrays["train-images"], arrays["train-labels"]),
        test=Split(arrays["test-images"], arrays["test-labels"]),
        checksums=checksums,
        cache_dir=cache_dir,
    )


def _ignore_progress(stage: str, fraction: float) -> None:
    """Stand in for a progress callback when the caller gave none."""


def _find_files(source: Path) -> dict[str, Path]:
    if not source.is_dir():
        raise DataError(f"data directory not found: {source}")
    return {key: _find_file(source, key) for key in _FILE_NAMES}


def _find_file(directory: Path, key: str) -> Path:
    """Find one of the four files under its published name or a common variant."""
    prefix, file_format = _FILE_NAMES[key]
    names = [f"{stem}{ending}" for stem in (f"{prefix}-{file_format}", f"{prefix}.{file_format}") for ending in ("", ".gz")]
    for name in names:
        if (directory / name).is_file():
            return directory / name
    raise DataError(f"{names[0]} not found in {directory} (looked for {', '.join(names)})")


def _stamp(path: Path) -> dict[str, str | int]:
    """What identifies a source file's version without reading it."""
    status = path.stat()
    return {"name": path.name, "size": status.st_size, "mtime_ns": status.st_mtime_ns}


def _read_sources(
    files: dict[str, Path], stamps: dict[str, dict], report: Progress
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Decode the IDX files and compute the md5 of each uncompressed file."""
    total = sum(stamp["size"] for stamp in stamps.values()) or 1
    done = 0
    arrays, md5s = {}, {}
    for key, path in files.items():
        report(f"Reading {path.name}", _READING_SHARE * done / total)
        data = read_uncompressed(path)
        # md5 serves as a checksum here, not for security.
        md5s[key] = hashlib.md5(data, usedforsecurity=False).hexdigest()
        arrays[key] = parse_idx(data, path.name)
        done += stamps[key]["size"]
    return arrays, md5s


def _checksum_status(files: dict[str, Path], md5s: dict[str, str], *, bundled: bool) -> str:
    """Say whether the files are MNIST's; for the bundled copy, insist that they are."""
    mismatched = [key for key in files if md5s[key] != MNIST_MD5[key]]
    if mismatched and bundled:
        name = files[mismatched[0]].name
        raise DataError(f"{name} does not match MNIST's published md5 — the file is damaged; reinstall gdtui")
    return NOT_MNIST if mismatched else VERIFIED


def _validate(files: dict[str, Path], arrays: dict[str, np.ndarray]) -> None:
    """Check that the arrays form a usable dataset, naming the file at fault if not."""
    for split in ("train", "test"):
        images, labels = f"{split}-images", f"{split}-labels"
        _validate_split(files[images], arrays[images], files[labels], arrays[labels])
    train, test = arrays["train-images"], arrays["test-images"]
    if train.shape[1:] != test.shape[1:]:
        raise DataError(
            f"{files['train-images'].name} holds {_size(train)} images"
            f" but {files['test-images'].name} holds {_size(test)} images; they must agree"
        )


def _validate_split(images_file: Path, images: np.ndarray, labels_file: Path, labels: np.ndarray) -> None:
    if images.ndim != 3:
        raise DataError(f"{images_file.name}: expected images, a 3-D array (count, rows, cols), found shape {images.shape}")
    if images.size == 0:
        raise DataError(f"{images_file.name}: holds no pixels: shape {images.shape}")
    if labels.ndim != 1:
        raise DataError(f"{labels_file.name}: expected labels, a 1-D array, found shape {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{images_file.name} holds {len(images):,} images but {labels_file.name} holds {len(labels):,} labels")
    out_of_range = np.flatnonzero(labels >= CLASSES)
    if out_of_range.size:
        index = out_of_range[0]
        raise DataError(f"{labels_file.name}: label {labels[index]} at index {index:,} is not a digit 0–{CLASSES - 1}")


def _size(images: np.ndarray) -> str:
    return f"{images.shape[1]}×{images.shape[2]}"


def _cache_dir(source: Path, root: Path | None) -> Path:
    """Each source directory gets its own cache, named by a hash of its path."""
    key = hashlib.sha256(os.fsencode(source)).hexdigest()[:16]
    return (root if root is not None else cache_home()) / "datasets" / key


def _array_record(array: np.ndarray) -> dict:
    return {"shape": list(array.shape), "dtype": str(array.dtype)}


def _crc32(array: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(array).data)


def _read_cache(
    cache_dir: Path, files: dict[str, Path], stamps: dict[str, dict]
) -> tuple[dict[str, np.ndarray], dict[str, str]] | None:
    """Return the cached arrays and md5s, or None if the cache is missing or untrustworthy.

    A manifest written after the arrays vouches for them: it records which
    versions of the source files they came from, and their shapes and dtypes.
    """
    try:
        manifest = json.loads((cache_dir / _MANIFEST).read_text(encoding="utf-8"))
        if manifest["format"] != _CACHE_FORMAT or manifest["sources"] != stamps:
            return None
        arrays = {}
        for key in stamps:
            array = np.load(cache_dir / f"{key}.npy", mmap_mode="r", allow_pickle=False)
            # The CRC reads every byte: 23 ms for MNIST's 55 MB, where mapping them unchecked
            # takes under 1 ms and a rebuild 400 ms. Too little to check in the background.
            if manifest["arrays"][key] != _array_record(array) or manifest["crc32"][key] != _crc32(array):
                return None
            arrays[key] = array
        md5s = {key: str(manifest["md5"][key]) for key in stamps}
        _validate(files, arrays)
    # Whatever is wrong with a cache, the remedy is to rebuild it from the sources.
    except (OSError, ValueError, EOFError, KeyError, TypeError, DataError):
        return None
    return arrays, md5s


def _write_cache(
    cache_dir: Path,
    stamps: dict[str, dict],
    arrays: dict[str, np.ndarray],
    md5s: dict[str, str],
    report: Progress,
) -> Path | None:
    """Write the arrays and their manifest; return where, or None if it cannot be written."""
    report("Writing cache", _READING_SHARE)
    manifest = {
        "format": _CACHE_FORMAT,
        "sources": stamps,
        "md5": md5s,
        "arrays": {key: _array_record(array) for key, array in arrays.items()},
        "crc32": {key: _crc32(array) for key, array in arrays.items()},
    }
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # An old manifest must not vouch for a mix of old and new arrays if this stops midway.
        (cache_dir / _MANIFEST).unlink(missing_ok=True)
        for key, array in arrays.items():
            with replacing(cache_dir / f"{key}.npy") as file:
                np.save(file, array, allow_pickle=False)
        with replacing(cache_dir / _MANIFEST) as file:
            file.write(json.dumps(manifest, indent=2).encode("utf-8"))
    except OSError:
        # The cache only saves time: without it the arrays in memory serve as well. What was
        # written of it, with no manifest to vouch for it, would only take up space for good.
        shutil.rmtree(cache_dir, ignore_errors=True)
        return None
    return cache_dir
