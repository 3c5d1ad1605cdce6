"""The images to learn from: finding, checking and caching a data set's four IDX files.

MNIST and Fashion-MNIST are recognised by the md5s of their files and bring
their own class names; any other set may name its classes in a classes.txt
beside the files, one name a line, and otherwise numbers them from its labels.

Decompressing the 47 MB of training images takes a noticeable moment, too long
to repeat on every start. So the first load also writes the arrays as .npy
files to a cache, and later loads map those files into memory, which is
almost instant. A cache is named by a hash of its source files' bytes, not by
where they are: every clone, venv and install of gdtui shares one cache of the
bundled MNIST. The cache records a CRC-32 of each array, checked on every
load: damaged contents are rebuilt from the sources, never used. A process that
forks others (the lab's zygote, which forks every session) can check once for
all of them: what it forks then maps the cache unread, for as long as its files
are the very files that were checked.
"""

import hashlib
import json
import os
import shutil
import stat
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np

from gdtui.core.errors import DataError
from gdtui.core.files import FILE_KINDS, cache_home, replacing
from gdtui.core.idx import parse_idx, read_uncompressed


class Stamp(TypedDict):
    """What a source file was when it was cached: it is the same file while these are the same."""

    name: str
    size: int
    mtime_ns: int


# md5 of each uncompressed file as published with MNIST.
MNIST_MD5 = {
    "train-images": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels": "a25bea736e30d166cdddb491f175f624",
    "test-images": "2646ac647ad5339dbf082846283269ea",
    "test-labels": "27ae3e4e09519cfbb04c329615203637",
}
# Zalando publishes the md5s of its .gz files, which repackaging changes (Debian's
# differ): these are of the uncompressed files, which stay the same.
FASHION_MNIST_MD5 = {
    "train-images": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels": "9018921c3c673c538a1fc5bad174d6f9",
    "test-images": "8181f5470baa50b63fa0f6fddb340f0a",
    "test-labels": "15d484375f8d13e6eb1aabb0c3f46965",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@dataclass(frozen=True)
class KnownSet:
    """A data set recognised by the md5s of its four files, with the names of its classes."""

    name: str
    md5: dict[str, str]
    classes: tuple[str, ...]


KNOWN_SETS = (
    KnownSet("MNIST", MNIST_MD5, tuple(str(digit) for digit in range(10))),
    KnownSet("Fashion-MNIST", FASHION_MNIST_MD5, FASHION_MNIST_CLASSES),
)

# Beside the four files of a set not known here: one class name a line, line n naming label n - 1.
CLASS_NAMES_FILE = "classes.txt"
MAX_NAME_LENGTH = 20  # a name fits in a table column beside the numbers
_MAX_CLASSES = 256  # IDX labels are bytes
_MAX_NAMES_BYTES = 64 * 1024
_MIN_CLASSES = 2  # with one, there is nothing to tell apart

# The published file names, as (prefix, format): "train-images" + "idx3-ubyte".
_FILE_NAMES = {
    "train-images": ("train-images", "idx3-ubyte"),
    "train-labels": ("train-labels", "idx1-ubyte"),
    "test-images": ("t10k-images", "idx3-ubyte"),
    "test-labels": ("t10k-labels", "idx1-ubyte"),
}

NOT_KNOWN = f"not the published files of {' or '.join(known.name for known in KNOWN_SETS)}: no checksums to check"


def verified(name: str) -> str:
    """The checksum line of a set whose files all match the md5s published for it."""
    return f"verified against {name}'s published md5s"


_CACHE_FORMAT = 3  # 2: with a CRC-32 of each array; 3: named by the sources' contents
_MANIFEST = "manifest.json"
# Decompressing and hashing take most of a first load; writing the cache the rest.
_READING_SHARE = 0.8

Progress = Callable[[str, float], None]

_FULL_BRIGHTNESS = np.float32(255)  # divided by, brightness 0–255 becomes an input 0.0–1.0
# The same scaling as a factor, for whoever scales fewer numbers than the pixels (see Network.gradient).
INPUT_PER_BRIGHTNESS = np.array(1 / 255, dtype=np.float32)


@dataclass(frozen=True, eq=False)  # arrays have no single truth value: compare by identity
class Split:
    """Images with their labels: the training or the test part of a dataset."""

    images: np.ndarray  # (n, rows, cols) uint8, possibly a read-only memory map
    labels: np.ndarray  # (n,) uint8, each the index of a class of the dataset

    def __post_init__(self) -> None:
        # Plain ndarrays over the same memory: indexing a np.memmap pays for its
        # subclass on every call, which shows at small mini-batches.
        object.__setattr__(self, "images", np.asarray(self.images))
        object.__setattr__(self, "labels", np.asarray(self.labels))
        # One image a row, made once: reshaping on every mini-batch shows at small ones too.
        object.__setattr__(self, "_rows", self.images.reshape(len(self.images), self.pixels))

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
        batch = self.brightness(index)
        batch /= _FULL_BRIGHTNESS
        return batch

    def brightness(self, index: int | slice | np.ndarray) -> np.ndarray:
        """The images at index as float32 rows of pixels as stored, 0–255: the inputs times 255."""
        rows: np.ndarray = self._rows  # type: ignore[attr-defined]  # set in __post_init__
        # take() beats fancy indexing on small batches.
        batch = rows[index] if isinstance(index, slice) else rows.take(index, axis=0)
        # A single image comes back as one row; the network always takes a batch.
        return (batch if batch.ndim == 2 else batch.reshape(1, -1)).astype(np.float32)


@dataclass(frozen=True)
class Dataset:
    """A training and a test split of images, the names of their classes, and where they came from."""

    name: str
    source: Path  # the directory the IDX files were found in
    train: Split
    test: Split
    classes: tuple[str, ...]  # label k is an image of classes[k]: "0"…"9" for MNIST's digits
    checksums: str  # one line saying whether these are a known set's published files
    cache_dir: Path | None  # None when no cache could be written

    @property
    def image_shape(self) -> tuple[int, int]:
        """(rows, cols) of every image, in the training and the test split alike: any size, not only 28×28."""
        return self.train.images.shape[1], self.train.images.shape[2]

    @property
    def pixels(self) -> int:
        """Pixels per image: the inputs a network for this set takes."""
        return self.train.pixels


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
    keep_checked: bool = False,
) -> Dataset:
    """Load the four IDX files in data_dir, by default the bundled MNIST.

    progress(stage, fraction) is called before each slow step of a first
    load, with the fraction of the whole load done so far. With keep_checked,
    a cache this load checks is remembered as checked: later loads in this
    process, and in the processes it forks, map it without reading it through
    again while its files stay the same.
    """
    loaded = _load(data_dir, cache_root, progress or _ignore_progress, keep_checked=keep_checked)
    assert loaded is not None  # only a load of checked caches only gives up
    return loaded


def load_checked(data_dir: Path | None = None, *, cache_root: Path | None = None) -> Dataset | None:
    """The data set in a millisecond if its cache was checked already, by this process or the one it
    was forked from (load_dataset's keep_checked), and its files are still the same: nothing to read
    through, nothing to show progress for. None otherwise, or if anything is amiss: load_dataset
    then, which reads, checks, rebuilds and says what is wrong."""
    if not _checked:
        return None
    try:
        return _load(data_dir, cache_root, _ignore_progress, only_checked=True)
    except DataError:
        return None


def _load(
    data_dir: Path | None, cache_root: Path | None, report: Progress, *, keep_checked: bool = False, only_checked: bool = False
) -> Dataset | None:
    source = (bundled_data_dir() if data_dir is None else Path(data_dir)).resolve()
    bundled = source == bundled_data_dir().resolve()
    files = _find_files(source)
    stamps = {key: _stamp(path) for key, path in files.items()}
    seen = (source, tuple((key, *stamp.values()) for key, stamp in stamps.items()))
    key = _hashed.get(seen)
    if key is None and only_checked:
        return None
    if key is None:
        key = _hashed[seen] = _content_key(files)
    cache_dir = (cache_root if cache_root is not None else cache_home()) / _DATASETS / key
    cached = _read_cache(cache_dir, files, stamps, keep_checked=keep_checked, only_checked=only_checked)
    written: Path | None = cache_dir
    if cached is None and only_checked:
        return None
    if cached is None:
        arrays, md5s = _read_sources(files, stamps, report)
        known, checksums = _recognise(files, md5s, bundled=bundled)
        _validate(files, arrays)
        classes = _class_names(source, files, arrays, known)
        written = _write_cache(cache_dir, arrays, md5s, report)
        report("Ready", 1.0)
    else:
        arrays, md5s = cached
        known, checksums = _recognise(files, md5s, bundled=bundled)
        classes = _class_names(source, files, arrays, known)
    return Dataset(
        name=known.name if known else source.name,
        source=source,
        train=Split(arrays["train-images"], arrays["train-labels"]),
        test=Split(arrays["test-images"], arrays["test-labels"]),
        classes=classes,
        checksums=checksums,
        cache_dir=written,
    )


def _ignore_progress(stage: str, fraction: float) -> None:
    """Stand in for a progress callback when the caller gave none."""


def _find_files(source: Path) -> dict[str, Path]:
    if not source.is_dir():
        raise DataError(f"{source}: not a directory" if source.exists() else f"data directory not found: {source}")
    return {key: _find_file(source, key) for key in _FILE_NAMES}


def _find_file(directory: Path, key: str) -> Path:
    """Find one of the four files under its published name or a common variant."""
    prefix, file_format = _FILE_NAMES[key]
    names = [f"{stem}{ending}" for stem in (f"{prefix}-{file_format}", f"{prefix}.{file_format}") for ending in ("", ".gz")]
    for name in names:
        if (directory / name).is_file():
            return directory / name
    for name in names:
        path = directory / name
        if os.path.lexists(path):  # there, but no file to read: "not found" would send the user looking for it
            try:
                kind = FILE_KINDS.get(stat.S_IFMT(path.stat().st_mode), "not a regular file")
            except OSError:
                kind = "a link to nothing"
            raise DataError(f"{path}: is {kind}, not a data file")
    raise DataError(f"{names[0]} not found in {directory} (looked for {', '.join(names)})")


def _stamp(path: Path) -> Stamp:
    """What identifies a source file's version without reading it."""
    status = path.stat()
    return {"name": path.name, "size": status.st_size, "mtime_ns": status.st_mtime_ns}


def _read_sources(
    files: dict[str, Path], stamps: dict[str, Stamp], report: Progress
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


def _recognise(files: dict[str, Path], md5s: dict[str, str], *, bundled: bool) -> tuple[KnownSet | None, str]:
    """The known set whose published md5s the files match, if any, and the checksum line to show.

    The bundled copy must be MNIST's; a set that matches a known one only in part is
    said to differ where it does, which is most likely a damaged download.
    """
    for known in KNOWN_SETS:
        differing = [key for key in files if md5s[key] != known.md5[key]]
        if not differing:
            return known, verified(known.name)
        if bundled and known.name == "MNIST":
            name = files[differing[0]].name
            raise DataError(f"{name} does not match MNIST's published md5 — the file is damaged; reinstall gdtui")
        if len(differing) < len(files):
            named = " and ".join(files[key].name for key in differing)
            return None, f"not {known.name}'s published files: {named} {'differs' if len(differing) == 1 else 'differ'}"
    return None, NOT_KNOWN


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


def _class_names(source: Path, files: dict[str, Path], arrays: dict[str, np.ndarray], known: KnownSet | None) -> tuple[str, ...]:
    """The known set's names, else those in classes.txt, else numbers as far as the largest label."""
    if known is not None:
        return known.classes  # its labels are the published ones: each has a name
    largest = {key: int(arrays[key].max()) for key in ("train-labels", "test-labels")}
    key = max(largest, key=largest.__getitem__)
    if not (source / CLASS_NAMES_FILE).exists():
        if largest[key] + 1 < _MIN_CLASSES:
            raise DataError(f"{files[key].name}: every label is 0; a data set needs at least {_MIN_CLASSES} classes")
        return tuple(str(label) for label in range(largest[key] + 1))
    names = read_class_names(source / CLASS_NAMES_FILE)
    if largest[key] >= len(names):
        index = int(np.argmax(arrays[key]))
        raise DataError(
            f"{files[key].name}: label {largest[key]} at index {index:,} has no name: "
            f"{CLASS_NAMES_FILE} names {len(names)} classes, labels 0–{len(names) - 1}"
        )
    return names


def read_class_names(path: Path) -> tuple[str, ...]:
    """The class names in a classes.txt, one a line, checked: each a short printable name, none twice."""
    if not path.is_file():
        raise DataError(f"{path}: not a regular file; {CLASS_NAMES_FILE} should hold one class name a line")
    try:
        with path.open("rb") as file:
            data = file.read(_MAX_NAMES_BYTES + 1)
    except OSError as error:
        raise DataError(f"{path}: cannot read it: {error.strerror or error}") from None
    if len(data) > _MAX_NAMES_BYTES:
        raise DataError(f"{path}: longer than {_MAX_NAMES_BYTES // 1024} KB; it should hold one short class name a line")
    try:
        # utf-8-sig: some editors start a UTF-8 file with a byte order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text (byte {error.start:,})") from None
    # Blank lines at the end are an editor's doing; any other would shift every name after it.
    lines = text.rstrip().splitlines()
    names: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        name = line.strip()
        if not name:
            raise DataError(f"{path}: line {number} is empty; every class needs a name, one a line")
        if not name.isprintable():
            shown = next(char for char in name if not char.isprintable())
            raise DataError(f"{path}: line {number} holds a character that cannot be shown: {shown!r}")
        if len(name) > MAX_NAME_LENGTH:
            raise DataError(f"{path}: line {number}: {name!r} is longer than {MAX_NAME_LENGTH} characters")
        if name in names:
            raise DataError(f"{path}: line {number}: {name!r} is on line {names[name]} already; each class needs its own name")
        names[name] = number
    if not _MIN_CLASSES <= len(names) <= _MAX_CLASSES:
        raise DataError(f"{path}: names {len(names)} classes; a data set has {_MIN_CLASSES} to {_MAX_CLASSES}")
    return tuple(names)


def _size(images: np.ndarray) -> str:
    return f"{images.shape[1]}×{images.shape[2]}"


_DATASETS = "datasets"
# The content key of each set of source files this process has hashed, by their folder and stamps:
# hashed once, not on every load (nor in every process forked after the first load).
_hashed: dict[tuple[Path, tuple[tuple[object, ...], ...]], str] = {}


def _content_key(files: dict[str, Path]) -> str:
    """The name of the cache of these files: a hash of their bytes as they are on disk (compressed,
    11 MB for MNIST: a few milliseconds) and of the cache's format."""
    digest = hashlib.sha256(f"gdtui cache {_CACHE_FORMAT}".encode())
    for key, path in files.items():
        try:
            with path.open("rb") as file:
                digest.update(key.encode() + hashlib.file_digest(file, "sha256").digest())
        except OSError as error:
            raise DataError(f"{path.name}: cannot read {path}: {error.strerror or error}") from error
    return digest.hexdigest()[:32]


def cache_folder(cache_root: Path | None = None) -> Path:
    """The folder that holds every data set's cache."""
    return (cache_root if cache_root is not None else cache_home()) / _DATASETS


def cache_size(cache_root: Path | None = None) -> tuple[int, int]:
    """The bytes in every data set's cache together, and how many caches there are."""
    folder = cache_folder(cache_root)
    try:
        caches = [path for path in folder.iterdir() if path.is_dir()]
    except OSError:
        return 0, 0
    return sum(_folder_size(path) for path in caches), len(caches)


def clear_cache(cache_root: Path | None = None) -> int:
    """Remove every data set's cache; the bytes freed. A later load rebuilds what it needs."""
    folder = cache_folder(cache_root)
    before, _ = cache_size(cache_root)
    # A cache another gdtui has mapped stays readable to it (Unix), or stays (Windows): never an error.
    shutil.rmtree(folder, ignore_errors=True)
    after, _ = cache_size(cache_root)
    return before - after


def _folder_size(folder: Path) -> int:
    size = 0
    for path in folder.rglob("*"):
        try:
            size += path.lstat().st_size
        except OSError:
            continue  # removed meanwhile by a rebuild
    return size


def _array_record(array: np.ndarray) -> dict[str, object]:
    return {"shape": list(array.shape), "dtype": str(array.dtype)}


def _crc32(array: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(array).data)


# Each of a cache's files: its name, device, inode, size, modification and change times.
Identity = tuple[tuple[str, int, int, int, int, int], ...]
# Caches this process has read through and found sound, by folder, as their files were then (see
# _identity). Filled only by load_dataset(keep_checked=True). Not the arrays themselves: a mapping
# holds its file open, and a process forked with it would inherit the open files.
_checked: dict[Path, Identity] = {}


def _identity(cache_dir: Path, keys: Iterable[str]) -> Identity:
    """What tells the cache's files from any others: rewritten, replaced or even touched, a file has a
    new inode, size, modification or change time (os.replace, write and utime all set the last)."""
    identity = []
    for name in (_MANIFEST, *(f"{key}.npy" for key in keys)):
        status = (cache_dir / name).stat()
        identity.append((name, status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns))
    return tuple(identity)


def _read_cache(
    cache_dir: Path,
    files: dict[str, Path],
    stamps: dict[str, Stamp],
    *,
    keep_checked: bool = False,
    only_checked: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, str]] | None:
    """Return the cached arrays and md5s, or None if the cache is missing or untrustworthy, or with
    only_checked, if it was not checked before.

    A manifest written after the arrays vouches for them: it records which
    versions of the source files they came from, and their shapes and dtypes.
    """
    try:
        # Before reading: a file that changes in between then looks changed, not checked.
        identity = _identity(cache_dir, stamps)
        manifest = json.loads((cache_dir / _MANIFEST).read_text(encoding="utf-8"))
        if manifest["format"] != _CACHE_FORMAT:
            return None
        # The very files this process, or the one it was forked from, read through and found sound:
        # not read again (in each session forked from the lab's zygote, all of MNIST's pages).
        checked = _checked.get(cache_dir) == identity
        if only_checked and not checked:
            return None
        arrays = {}
        for key in stamps:
            array = np.load(cache_dir / f"{key}.npy", mmap_mode="r", allow_pickle=False)
            if manifest["arrays"][key] != _array_record(array):
                return None
            # The CRC reads every byte: 23 ms for MNIST's 55 MB, where mapping them unchecked
            # takes under 1 ms and a rebuild 400 ms. Too little to check in the background.
            if not checked and manifest["crc32"][key] != _crc32(array):
                return None
            arrays[key] = array
        md5s = {key: str(manifest["md5"][key]) for key in stamps}
        _validate(files, arrays)
    # Whatever is wrong with a cache, the remedy is to rebuild it from the sources: JSON nested too
    # deep for the parser (RecursionError) as much as a missing file.
    except (OSError, ValueError, EOFError, KeyError, TypeError, RecursionError, DataError):
        return None
    if keep_checked:
        _checked[cache_dir] = identity
    return arrays, md5s


def _write_cache(
    cache_dir: Path,
    arrays: dict[str, np.ndarray],
    md5s: dict[str, str],
    report: Progress,
) -> Path | None:
    """Write the arrays and their manifest; return where, or None if it cannot be written."""
    report("Writing cache", _READING_SHARE)
    manifest = {
        "format": _CACHE_FORMAT,
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
