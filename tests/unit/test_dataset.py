"""Loading a dataset directory: discovery, validation, checksums and the cache."""

import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from gdtui.core import dataset
from gdtui.core.dataset import (
    FASHION_MNIST_CLASSES,
    NOT_KNOWN,
    Split,
    bundled_data_dir,
    load_checked,
    load_dataset,
    verified,
)
from gdtui.core.errors import DataError
from gdtui.core.idx import write_idx

PUBLISHED_NAMES = {
    "train-images": "train-images-idx3-ubyte",
    "train-labels": "train-labels-idx1-ubyte",
    "test-images": "t10k-images-idx3-ubyte",
    "test-labels": "t10k-labels-idx1-ubyte",
}


def synthetic_arrays(train=50, test=20, rows=5, cols=4, seed=0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "train-images": rng.integers(0, 256, (train, rows, cols), dtype=np.uint8),
        "train-labels": rng.integers(0, 10, train, dtype=np.uint8),
        "test-images": rng.integers(0, 256, (test, rows, cols), dtype=np.uint8),
        "test-labels": rng.integers(0, 10, test, dtype=np.uint8),
    }


def write_set(directory: Path, arrays: dict, *, compress=True, dotted=False) -> Path:
    """Write arrays as the four IDX files, under MNIST's names or the dotted variant."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        name = PUBLISHED_NAMES[key]
        if dotted:
            name = name.replace("-idx", ".idx")
        write_idx(directory / (name + ".gz" if compress else name), array, compress=compress)
    return directory


def set_with(tmp_path: Path, **changes) -> Path:
    """A synthetic set in tmp_path/data with some arrays replaced; keyword keys use _ for -."""
    arrays = synthetic_arrays()
    arrays.update({key.replace("_", "-"): value for key, value in changes.items()})
    return write_set(tmp_path / "data", arrays)


def source_md5s(directory: Path) -> dict[str, str]:
    """md5 of each uncompressed file, computed independently of the loader."""
    return {
        key: hashlib.md5(gzip.decompress((directory / f"{name}.gz").read_bytes())).hexdigest()
        for key, name in PUBLISHED_NAMES.items()
    }


def assert_holds(data: dataset.Dataset, arrays: dict) -> None:
    np.testing.assert_array_equal(data.train.images, arrays["train-images"])
    np.testing.assert_array_equal(data.train.labels, arrays["train-labels"])
    np.testing.assert_array_equal(data.test.images, arrays["test-images"])
    np.testing.assert_array_equal(data.test.labels, arrays["test-labels"])


def is_memory_mapped(array: np.ndarray) -> bool:
    return isinstance(array, np.memmap) or isinstance(array.base, np.memmap)


# Loading


@pytest.mark.parametrize(
    ("compress", "dotted"),
    [(True, False), (False, False), (True, True), (False, True)],
    ids=["gzip", "raw", "dotted gzip", "dotted raw"],
)
def test_loads_a_directory_of_idx_files(tmp_path, compress, dotted):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "digits", arrays, compress=compress, dotted=dotted)
    data = load_dataset(directory, cache_root=tmp_path / "cache")
    assert_holds(data, arrays)
    assert data.name == "digits"
    assert data.source == directory.resolve()
    assert (len(data.train), len(data.test)) == (50, 20)
    assert data.image_shape == (5, 4)
    assert data.train.pixels == 20
    assert data.train.images.dtype == np.uint8
    assert data.checksums == NOT_KNOWN


def test_loads_real_mnist_digits(tiny_mnist_dir, tmp_path):
    data = load_dataset(tiny_mnist_dir, cache_root=tmp_path)
    assert (len(data.train), len(data.test)) == (1000, 200)
    assert data.image_shape == (28, 28)
    # The first training digits of MNIST are a 5, a 0 and a 4.
    assert data.train.labels[:3].tolist() == [5, 0, 4]
    assert data.checksums == NOT_KNOWN


def test_bundled_mnist_loads_complete_and_verified():
    data = load_dataset()
    assert data.name == "MNIST"
    assert data.source == bundled_data_dir().resolve()
    assert (len(data.train), len(data.test)) == (60_000, 10_000)
    assert data.image_shape == (28, 28)
    assert data.checksums == verified("MNIST")
    assert data.cache_dir is not None


# Split.inputs


def test_inputs_are_float32_rows_scaled_to_unit_range():
    images = np.array([[[0, 255], [51, 102]], [[255, 255], [0, 0]]], dtype=np.uint8)
    split = Split(images=images, labels=np.array([1, 2], dtype=np.uint8))
    inputs = split.inputs(slice(None))
    assert inputs.dtype == np.float32
    assert inputs.shape == (2, 4)
    np.testing.assert_array_equal(inputs[0], np.array([0, 1, 0.2, 0.4], dtype=np.float32))
    assert inputs.min() == 0.0 and inputs.max() == 1.0


@pytest.mark.parametrize(
    ("index", "expected_rows"),
    [(3, [3]), (-1, [9]), (slice(2, 5), [2, 3, 4]), (np.array([7, 0, 7]), [7, 0, 7])],
    ids=["int", "negative int", "slice", "index array"],
)
def test_inputs_takes_any_index(index, expected_rows):
    images = np.arange(10 * 5 * 4, dtype=np.uint8).reshape(10, 5, 4)
    split = Split(images=images, labels=np.zeros(10, dtype=np.uint8))
    inputs = split.inputs(index)
    assert inputs.shape == (len(expected_rows), 20)
    np.testing.assert_allclose(inputs, images[expected_rows].reshape(-1, 20) / 255, rtol=1e-6)


def test_inputs_from_the_cache_are_plain_arrays(tmp_path):
    directory = write_set(tmp_path / "data", synthetic_arrays())
    load_dataset(directory, cache_root=tmp_path / "cache")
    inputs = load_dataset(directory, cache_root=tmp_path / "cache").train.inputs([0, 1])
    assert type(inputs) is np.ndarray
    assert inputs.flags.writeable


# What is wrong with a directory


def test_missing_directory(tmp_path):
    with pytest.raises(DataError, match=r"data directory not found: .*nowhere"):
        load_dataset(tmp_path / "nowhere", cache_root=tmp_path / "cache")


def test_a_file_given_as_the_directory(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: not a directory"):
        load_dataset(tmp_path / "train-images-idx3-ubyte.gz", cache_root=tmp_path / "cache")


def test_missing_file_names_what_was_looked_for_and_where(tmp_path):
    directory = set_with(tmp_path)
    (directory / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError) as caught:
        load_dataset(directory, cache_root=tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith("t10k-labels-idx1-ubyte not found in ")
    assert str(directory.resolve()) in message
    assert "t10k-labels.idx1-ubyte.gz" in message


def test_image_and_label_counts_must_agree(tmp_path):
    directory = set_with(tmp_path, test_labels=np.zeros(19, dtype=np.uint8))
    with pytest.raises(DataError) as caught:
        load_dataset(directory, cache_root=tmp_path / "cache")
    assert str(caught.value) == ("t10k-images-idx3-ubyte.gz holds 20 images but t10k-labels-idx1-ubyte.gz holds 19 labels")


def test_a_label_without_a_name_names_file_index_and_value(tmp_path):
    labels = np.zeros(50, dtype=np.uint8)
    labels[[17, 30, 31]] = [10, 12, 12]
    directory = set_with(tmp_path, train_labels=labels)
    (directory / "classes.txt").write_text("".join(f"class {k}\n" for k in range(10)))
    with pytest.raises(DataError) as caught:
        load_dataset(directory, cache_root=tmp_path / "cache")
    assert str(caught.value) == (
        "train-labels-idx1-ubyte.gz: label 12 at index 30 has no name: classes.txt names 10 classes, labels 0–9"
    )


def test_train_and_test_image_sizes_must_agree(tmp_path):
    directory = set_with(tmp_path, test_images=np.zeros((20, 4, 5), dtype=np.uint8))
    with pytest.raises(DataError, match="5×4 images but t10k-images-idx3-ubyte.gz holds 4×5"):
        load_dataset(directory, cache_root=tmp_path / "cache")


def test_images_must_be_three_dimensional(tmp_path):
    directory = set_with(tmp_path, train_images=np.zeros((50, 20), dtype=np.uint8))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: expected images, a 3-D"):
        load_dataset(directory, cache_root=tmp_path / "cache")


def test_labels_must_be_one_dimensional(tmp_path):
    directory = set_with(tmp_path, test_labels=np.zeros((20, 1), dtype=np.uint8))
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: expected labels, a 1-D"):
        load_dataset(directory, cache_root=tmp_path / "cache")


def test_a_split_must_hold_images(tmp_path):
    directory = set_with(
        tmp_path,
        test_images=np.zeros((0, 5, 4), dtype=np.uint8),
        test_labels=np.zeros(0, dtype=np.uint8),
    )
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte.gz: holds no pixels"):
        load_dataset(directory, cache_root=tmp_path / "cache")


def test_a_damaged_idx_file_is_reported_by_name(tmp_path):
    directory = set_with(tmp_path)
    path = directory / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz: truncated gzip"):
        load_dataset(directory, cache_root=tmp_path / "cache")


# Checksums


def test_files_matching_the_published_md5s_are_verified(tmp_path, monkeypatch):
    directory = set_with(tmp_path)
    for key, md5 in source_md5s(directory).items():
        monkeypatch.setitem(dataset.MNIST_MD5, key, md5)
    assert load_dataset(directory, cache_root=tmp_path / "cache").checksums == verified("MNIST")


def test_a_damaged_bundled_file_is_an_error(tmp_path, monkeypatch):
    directory = set_with(tmp_path)
    monkeypatch.setattr(dataset, "bundled_data_dir", lambda: directory)
    with pytest.raises(DataError) as caught:
        load_dataset(cache_root=tmp_path / "cache")
    assert str(caught.value) == (
        "train-images-idx3-ubyte.gz does not match MNIST's published md5 — the file is damaged; reinstall gdtui"
    )
    assert not (tmp_path / "cache").exists()


def test_the_bundled_directory_is_checked_however_it_is_named(tmp_path, monkeypatch):
    directory = set_with(tmp_path)
    monkeypatch.setattr(dataset, "bundled_data_dir", lambda: directory)
    with pytest.raises(DataError, match="reinstall gdtui"):
        load_dataset(directory / ".." / "data", cache_root=tmp_path / "cache")


def test_md5s_are_recorded_in_the_manifest_and_reported_from_it(tmp_path, monkeypatch):
    directory = set_with(tmp_path)
    md5s = source_md5s(directory)
    for key, md5 in md5s.items():
        monkeypatch.setitem(dataset.MNIST_MD5, key, md5)
    cache_dir = load_dataset(directory, cache_root=tmp_path / "cache").cache_dir
    manifest_path = cache_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert manifest["md5"] == md5s
    manifest["md5"]["test-labels"] = "0" * 32
    manifest_path.write_text(json.dumps(manifest))
    assert load_dataset(directory, cache_root=tmp_path / "cache").checksums == (
        "not MNIST's published files: t10k-labels-idx1-ubyte.gz differs"
    )


# The cache


def test_first_load_builds_the_cache_and_the_second_maps_it(tmp_path):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "data", arrays)
    first = load_dataset(directory, cache_root=tmp_path / "cache")
    assert first.cache_dir is not None
    assert first.cache_dir.parent == tmp_path / "cache" / "datasets"
    assert sorted(path.name for path in first.cache_dir.iterdir()) == [
        "manifest.json",
        "test-images.npy",
        "test-labels.npy",
        "train-images.npy",
        "train-labels.npy",
    ]
    assert not is_memory_mapped(first.train.images)
    second = load_dataset(directory, cache_root=tmp_path / "cache")
    assert second.cache_dir == first.cache_dir
    for array in (second.train.images, second.train.labels, second.test.images):
        assert is_memory_mapped(array)
        assert not array.flags.writeable
    assert_holds(second, arrays)


def test_copies_of_the_same_files_share_one_cache(tmp_path):
    # As two clones of gdtui, or two venvs each with the wheel: the same MNIST in two places.
    arrays = synthetic_arrays()
    one = write_set(tmp_path / "one", arrays)
    two = shutil.copytree(one, tmp_path / "two")
    first = load_dataset(one, cache_root=tmp_path / "cache")
    second = load_dataset(two, cache_root=tmp_path / "cache")
    assert second.cache_dir == first.cache_dir
    assert is_memory_mapped(second.train.images)
    assert_holds(second, arrays)
    assert len(list((tmp_path / "cache" / "datasets").iterdir())) == 1


def test_other_files_have_their_own_cache(tmp_path):
    one = write_set(tmp_path / "one", synthetic_arrays(seed=1))
    two = write_set(tmp_path / "two", synthetic_arrays(seed=2))
    first = load_dataset(one, cache_root=tmp_path / "cache")
    second = load_dataset(two, cache_root=tmp_path / "cache")
    assert first.cache_dir != second.cache_dir
    assert_holds(load_dataset(two, cache_root=tmp_path / "cache"), synthetic_arrays(seed=2))


def test_a_changed_source_file_rebuilds_the_cache(tmp_path):
    directory = write_set(tmp_path / "data", synthetic_arrays(seed=1))
    load_dataset(directory, cache_root=tmp_path / "cache")
    newer = synthetic_arrays(seed=2)
    path = directory / "train-images-idx3-ubyte.gz"
    before = path.stat().st_mtime_ns
    write_idx(path, newer["train-images"], compress=True)
    # Rewrites within one tick of the file system clock can keep the old mtime.
    os.utime(path, ns=(before + 10**9, before + 10**9))
    data = load_dataset(directory, cache_root=tmp_path / "cache")
    assert not is_memory_mapped(data.train.images)
    np.testing.assert_array_equal(data.train.images, newer["train-images"])
    cached = load_dataset(directory, cache_root=tmp_path / "cache")
    assert is_memory_mapped(cached.train.images)
    np.testing.assert_array_equal(cached.train.images, newer["train-images"])


def test_touching_a_source_file_keeps_its_cache(tmp_path):
    directory = write_set(tmp_path / "data", synthetic_arrays())
    load_dataset(directory, cache_root=tmp_path / "cache")
    path = directory / "t10k-labels-idx1-ubyte.gz"
    mtime = path.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(mtime, mtime))
    assert is_memory_mapped(load_dataset(directory, cache_root=tmp_path / "cache").test.labels)


def test_the_cache_size_and_clearing_it(tmp_path):
    assert dataset.cache_size(tmp_path / "cache") == (0, 0)
    for seed in (1, 2):
        load_dataset(write_set(tmp_path / f"set {seed}", synthetic_arrays(seed=seed)), cache_root=tmp_path / "cache")
    size, count = dataset.cache_size(tmp_path / "cache")
    assert count == 2
    assert size == sum(path.stat().st_size for path in (tmp_path / "cache").rglob("*.*"))
    assert dataset.clear_cache(tmp_path / "cache") == size
    assert dataset.cache_size(tmp_path / "cache") == (0, 0)
    assert dataset.clear_cache(tmp_path / "cache") == 0


def truncate_images(cache_dir: Path) -> None:
    path = cache_dir / "train-images.npy"
    path.write_bytes(path.read_bytes()[:-100])


def garble_manifest(cache_dir: Path) -> None:
    (cache_dir / "manifest.json").write_text("{not json")


def manifest_of_wrong_shape(cache_dir: Path) -> None:
    (cache_dir / "manifest.json").write_text(json.dumps(["format", 1]))


def remove_labels(cache_dir: Path) -> None:
    (cache_dir / "test-labels.npy").unlink()


def swap_image_arrays(cache_dir: Path) -> None:
    os.replace(cache_dir / "test-images.npy", cache_dir / "train-images.npy")


def deeply_nested_manifest(cache_dir: Path) -> None:
    # Deeper than Python's JSON parser can recurse: RecursionError, not a ValueError.
    (cache_dir / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)


def old_format(cache_dir: Path) -> None:
    manifest = json.loads((cache_dir / "manifest.json").read_text())
    manifest["format"] = 0
    (cache_dir / "manifest.json").write_text(json.dumps(manifest))


def labels_out_of_range(cache_dir: Path) -> None:
    np.save(cache_dir / "train-labels.npy", np.full(50, 99, dtype=np.uint8))


def reshape_images(cache_dir: Path) -> None:
    """Arrays that agree with each other but not with the manifest."""
    for split in ("train", "test"):
        path = cache_dir / f"{split}-images.npy"
        images = np.load(path)
        np.save(path, images.reshape(len(images), 4, 5))


def widen_labels(cache_dir: Path) -> None:
    path = cache_dir / "test-labels.npy"
    np.save(path, np.load(path).astype(np.uint16))


def overwrite_in_place(path: Path, change) -> None:
    """Change a cached array's values in its file, keeping its header, size and time stamp."""
    status = path.stat()
    array = np.load(path, mmap_mode="r+")
    array[...] = change(np.array(array))
    array.flush()
    del array
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def zero_test_pixels(cache_dir: Path) -> None:
    overwrite_in_place(cache_dir / "test-images.npy", np.zeros_like)


def shift_labels_by_one(cache_dir: Path) -> None:
    overwrite_in_place(cache_dir / "train-labels.npy", lambda labels: (labels + 1) % 10)


def flip_one_pixel(cache_dir: Path) -> None:
    overwrite_in_place(
        cache_dir / "train-images.npy", lambda images: images ^ (np.arange(images.size) == 123).reshape(images.shape)
    )


@pytest.mark.parametrize(
    "damage",
    [
        truncate_images,
        garble_manifest,
        manifest_of_wrong_shape,
        deeply_nested_manifest,
        remove_labels,
        swap_image_arrays,
        old_format,
        labels_out_of_range,
        reshape_images,
        widen_labels,
        zero_test_pixels,
        shift_labels_by_one,
        flip_one_pixel,
    ],
)
def test_a_damaged_cache_is_rebuilt(tmp_path, damage):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "data", arrays)
    cache_dir = load_dataset(directory, cache_root=tmp_path / "cache").cache_dir
    damage(cache_dir)
    rebuilt = load_dataset(directory, cache_root=tmp_path / "cache")
    assert not is_memory_mapped(rebuilt.train.images)
    assert_holds(rebuilt, arrays)
    repaired = load_dataset(directory, cache_root=tmp_path / "cache")
    assert is_memory_mapped(repaired.train.images)
    assert_holds(repaired, arrays)


def test_an_unwritable_cache_still_loads(tmp_path):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "data", arrays)
    blocker = tmp_path / "file.txt"
    blocker.write_text("a file where the cache directory would have to be")
    data = load_dataset(directory, cache_root=blocker / "sub")
    assert data.cache_dir is None
    assert_holds(data, arrays)


def test_a_cache_write_that_fails_midway_is_not_trusted(tmp_path, monkeypatch):
    directory = write_set(tmp_path / "data", synthetic_arrays(seed=1))
    cache_dir = load_dataset(directory, cache_root=tmp_path / "cache").cache_dir
    newer = synthetic_arrays(seed=2)
    write_set(directory, newer)
    mtime = (directory / "train-images-idx3-ubyte.gz").stat().st_mtime_ns + 10**9
    for path in directory.iterdir():
        os.utime(path, ns=(mtime, mtime))
    real_save = np.save
    saved = []

    def save_then_fail(file, array, **options):
        if saved:
            raise OSError("no space left on device")
        saved.append(array)
        real_save(file, array, **options)

    monkeypatch.setattr(np, "save", save_then_fail)
    data = load_dataset(directory, cache_root=tmp_path / "cache")
    assert data.cache_dir is None
    assert_holds(data, newer)
    # What was written would never be used: it is not left to take up the space a full disk lacks.
    assert list(cache_dir.parent.iterdir()) == [cache_dir]
    monkeypatch.undo()
    assert_holds(load_dataset(directory, cache_root=tmp_path / "cache"), newer)


def test_progress_is_reported_while_building_the_cache_only(tmp_path):
    directory = write_set(tmp_path / "data", synthetic_arrays())
    calls = []

    def record(stage, fraction):
        calls.append((stage, fraction))

    load_dataset(directory, cache_root=tmp_path / "cache", progress=record)
    stages = [stage for stage, _ in calls]
    fractions = [fraction for _, fraction in calls]
    assert "Reading train-images-idx3-ubyte.gz" in stages
    assert "Writing cache" in stages
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    calls.clear()
    load_dataset(directory, cache_root=tmp_path / "cache", progress=record)
    assert calls == []


def test_default_cache_goes_under_cache_root(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    directory = write_set(tmp_path / "data", synthetic_arrays())
    data = load_dataset(directory)
    assert data.cache_dir.parent == tmp_path / "xdg" / "gdtui" / "datasets"


# Classes and their names


def test_mnist_has_the_digits_for_classes():
    assert load_dataset().classes == tuple("0123456789")


@pytest.mark.parametrize(("largest", "count"), [(1, 2), (4, 5), (9, 10), (200, 201)])
def test_a_set_without_names_numbers_its_classes_to_its_largest_label(tmp_path, largest, count):
    labels = np.zeros(20, dtype=np.uint8)
    labels[7] = largest
    directory = set_with(tmp_path, train_labels=np.zeros(50, dtype=np.uint8), test_labels=labels)
    classes = load_dataset(directory, cache_root=tmp_path / "cache").classes
    assert classes == tuple(str(k) for k in range(count))
    assert load_dataset(directory, cache_root=tmp_path / "cache").classes == classes


def test_a_set_of_one_class_is_refused(tmp_path):
    directory = set_with(tmp_path, train_labels=np.zeros(50, dtype=np.uint8), test_labels=np.zeros(20, dtype=np.uint8))
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz: every label is 0; a data set needs at least 2 classes"):
        load_dataset(directory, cache_root=tmp_path / "cache")


def named_set(tmp_path: Path, text: str | bytes) -> Path:
    directory = set_with(tmp_path)
    path = directory / "classes.txt"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return directory


TEN_NAMES = [f"class {k}" for k in range(10)]


@pytest.mark.parametrize(
    "text",
    [
        "\n".join(TEN_NAMES),
        "\n".join(TEN_NAMES) + "\n\n\n",
        "\r\n".join(TEN_NAMES),
        "\ufeff" + "\n".join(f"  {n} " for n in TEN_NAMES),
    ],
    ids=["plain", "blank lines at the end", "CRLF", "byte order mark and spaces"],
)
def test_classes_named_in_classes_txt(tmp_path, text):
    data = load_dataset(named_set(tmp_path, text), cache_root=tmp_path / "cache")
    assert data.classes == tuple(TEN_NAMES)
    assert data.name == "data"


def test_classes_txt_may_name_more_classes_than_a_subset_shows(tmp_path):
    names = [*TEN_NAMES, "class 10"]
    assert load_dataset(named_set(tmp_path, "\n".join(names)), cache_root=tmp_path / "cache").classes == tuple(names)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\n".join(TEN_NAMES[:4] + [""] + TEN_NAMES[4:]), "line 5 is empty"),
        ("\n".join(TEN_NAMES[:9] + ["x\ty"]), "line 10 holds a character that cannot be shown: '\\t'"),
        ("\n".join(TEN_NAMES[:9] + ["a" * 21]), "line 10: 'aaaaaaaaaaaaaaaaaaaaa' is longer than 20 characters"),
        ("\n".join(TEN_NAMES[:9] + ["class 2"]), "line 10: 'class 2' is on line 3 already"),
        (b"\xff\xfe" + "\n".join(TEN_NAMES).encode("utf-16-le"), "not UTF-8 text (byte 0)"),
        ("only one", "names 1 classes; a data set has 2 to 256"),
        ("\n".join(f"c{k}" for k in range(257)), "names 257 classes"),
        ("\n".join(f"c{k}" for k in range(20_000)), "longer than 64 KB"),
    ],
    ids=["empty line", "tab", "too long", "twice", "UTF-16", "one", "257", "huge"],
)
def test_a_bad_classes_txt_is_one_line_naming_it(tmp_path, text, problem):
    directory = named_set(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_dataset(directory, cache_root=tmp_path / "cache")
    message = str(caught.value)
    assert message.startswith(f"{directory / 'classes.txt'}: ")
    assert problem in message
    assert "\n" not in message


def test_classes_txt_that_is_not_a_file(tmp_path):
    directory = set_with(tmp_path)
    (directory / "classes.txt").mkdir()
    with pytest.raises(DataError, match="classes.txt: not a regular file"):
        load_dataset(directory, cache_root=tmp_path / "cache")


def test_classes_txt_too_short_for_the_labels(tmp_path):
    with pytest.raises(DataError, match="label 9 at index .* has no name: classes.txt names 3 classes, labels 0–2"):
        load_dataset(named_set(tmp_path, "a\nb\nc\n"), cache_root=tmp_path / "cache")


def as_fashion_mnist(directory: Path, monkeypatch, keys=dataset.FASHION_MNIST_MD5) -> None:
    """Make the files in directory the ones Fashion-MNIST's md5s describe, for keys."""
    for key, md5 in source_md5s(directory).items():
        if key in keys:
            monkeypatch.setitem(dataset.FASHION_MNIST_MD5, key, md5)


def test_fashion_mnist_is_recognised_by_its_md5s_and_names_its_classes(tmp_path, monkeypatch):
    directory = set_with(tmp_path)
    (directory / "classes.txt").write_text("\n".join(TEN_NAMES))
    as_fashion_mnist(directory, monkeypatch)
    for _ in ("built", "cached"):
        data = load_dataset(directory, cache_root=tmp_path / "cache")
        assert data.name == "Fashion-MNIST"
        assert data.classes == FASHION_MNIST_CLASSES
        assert data.checksums == verified("Fashion-MNIST")


def test_the_fashion_mnist_names_are_its_own():
    assert FASHION_MNIST_CLASSES[0] == "T-shirt/top" and FASHION_MNIST_CLASSES[9] == "Ankle boot"
    assert len(set(FASHION_MNIST_CLASSES)) == 10


def test_a_set_matching_a_known_one_in_part_says_which_files_differ(tmp_path, monkeypatch):
    directory = set_with(tmp_path)
    as_fashion_mnist(directory, monkeypatch, keys=("train-images", "train-labels"))
    data = load_dataset(directory, cache_root=tmp_path / "cache")
    assert data.checksums == (
        "not Fashion-MNIST's published files: t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz differ"
    )
    assert data.classes == tuple("0123456789")
    assert data.name == "data"


@pytest.mark.parametrize(("rows", "cols"), [(1, 1), (5, 4), (3, 100), (28, 28), (40, 40)])
def test_images_of_any_size(tmp_path, rows, cols):
    arrays = synthetic_arrays(rows=rows, cols=cols)
    data = load_dataset(write_set(tmp_path / "data", arrays), cache_root=tmp_path / "cache")
    assert data.image_shape == (rows, cols)
    assert data.pixels == rows * cols
    assert data.train.inputs([0, 1]).shape == (2, rows * cols)


# A cache checked once for every process forked after (the lab's zygote and its sessions)


@pytest.fixture
def checks(monkeypatch) -> list[tuple]:
    """The shapes of the arrays whose every byte a load reads to check them, in order."""
    monkeypatch.setattr(dataset, "_checked", {})
    real = dataset._crc32
    seen: list[tuple] = []

    def crc32(array: np.ndarray) -> int:
        seen.append(array.shape)
        return real(array)

    monkeypatch.setattr(dataset, "_crc32", crc32)
    return seen


def test_every_load_checks_the_cache_unless_asked_to_keep_it_checked(tmp_path, checks):
    directory = write_set(tmp_path / "data", synthetic_arrays())
    load_dataset(directory, cache_root=tmp_path / "cache")
    checks.clear()
    load_dataset(directory, cache_root=tmp_path / "cache")
    load_dataset(directory, cache_root=tmp_path / "cache")
    assert len(checks) == 8


def test_a_cache_kept_checked_is_not_read_again(tmp_path, checks):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "data", arrays)
    load_dataset(directory, cache_root=tmp_path / "cache")
    checks.clear()
    kept = load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True)
    assert len(checks) == 4
    checks.clear()
    later = load_dataset(directory, cache_root=tmp_path / "cache")
    assert checks == []
    assert is_memory_mapped(later.train.images)
    assert_holds(later, arrays)
    assert_holds(kept, arrays)


def touch_images(cache_dir: Path) -> None:
    """Changed in place, the file's time stamp moved on as any write moves it."""
    path = cache_dir / "train-images.npy"
    overwrite_in_place(path, np.zeros_like)
    later = path.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(later, later))


@pytest.mark.parametrize("damage", [truncate_images, swap_image_arrays, remove_labels, touch_images])
def test_a_cache_kept_checked_is_checked_again_once_its_files_change(tmp_path, checks, damage):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "data", arrays)
    cache_dir = load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True).cache_dir
    load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True)
    damage(cache_dir)
    rebuilt = load_dataset(directory, cache_root=tmp_path / "cache")
    assert not is_memory_mapped(rebuilt.train.images)
    assert_holds(rebuilt, arrays)


def test_a_cache_rebuilt_for_a_changed_source_is_not_taken_for_the_one_kept_checked(tmp_path, checks):
    directory = write_set(tmp_path / "data", synthetic_arrays(seed=1))
    load_dataset(directory, cache_root=tmp_path / "cache")
    load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True)
    newer = synthetic_arrays(seed=2)
    write_set(directory, newer)
    later = (directory / "train-images-idx3-ubyte.gz").stat().st_mtime_ns + 10**9
    for path in directory.iterdir():
        os.utime(path, ns=(later, later))
    load_dataset(directory, cache_root=tmp_path / "cache")  # rebuilds the cache from the new files
    checks.clear()
    cached = load_dataset(directory, cache_root=tmp_path / "cache")
    assert len(checks) == 4
    assert is_memory_mapped(cached.train.images)
    assert_holds(cached, newer)


def test_a_data_set_is_had_at_once_only_when_its_cache_was_checked_before(tmp_path, checks):
    arrays = synthetic_arrays()
    directory = write_set(tmp_path / "data", arrays)
    assert load_checked(directory, cache_root=tmp_path / "cache") is None  # not even cached
    load_dataset(directory, cache_root=tmp_path / "cache")
    assert load_checked(directory, cache_root=tmp_path / "cache") is None  # checked, but not kept so
    load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True)
    checks.clear()
    data = load_checked(directory, cache_root=tmp_path / "cache")
    assert data is not None and checks == []
    assert is_memory_mapped(data.train.images)
    assert_holds(data, arrays)
    assert data.cache_dir == load_dataset(directory, cache_root=tmp_path / "cache").cache_dir


@pytest.mark.parametrize("damage", [truncate_images, touch_images])
def test_a_checked_cache_whose_files_changed_is_not_had_at_once(tmp_path, checks, damage):
    directory = write_set(tmp_path / "data", synthetic_arrays())
    cache_dir = load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True).cache_dir
    damage(cache_dir)
    checks.clear()
    files = {path: path.stat() for path in cache_dir.iterdir()}
    assert load_checked(directory, cache_root=tmp_path / "cache") is None
    # Nothing read through or rebuilt: that is for load_dataset, with a loading screen to show it.
    assert checks == []
    assert {path: path.stat() for path in cache_dir.iterdir()} == files
    assert_holds(load_dataset(directory, cache_root=tmp_path / "cache"), synthetic_arrays())


def test_a_data_set_not_there_any_more_is_not_had_at_once(tmp_path, checks):
    directory = write_set(tmp_path / "data", synthetic_arrays())
    load_dataset(directory, cache_root=tmp_path / "cache", keep_checked=True)
    (directory / "t10k-labels-idx1-ubyte.gz").unlink()
    assert load_checked(directory, cache_root=tmp_path / "cache") is None


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda path: path.mkdir(), "is a directory"),
        (lambda path: os.mkfifo(path), "is a named pipe (FIFO)"),
        (lambda path: path.symlink_to(path.parent / "nowhere"), "is a link to nothing"),
    ],
    ids=["directory", "fifo", "broken link"],
)
def test_a_file_of_the_set_that_is_there_but_no_file_is_named_as_such(tmp_path, make, kind):
    # "not found" would send the user looking for a file that is there.
    directory = set_with(tmp_path)
    labels = directory / "t10k-labels-idx1-ubyte.gz"
    labels.unlink()
    make(labels)
    with pytest.raises(DataError) as caught:
        load_dataset(directory, cache_root=tmp_path / "cache")
    assert str(caught.value) == f"{labels}: {kind}, not a data file"
