"""Small data sets: the first digits of the bundled MNIST, written as the four published IDX files.

The tests train on them in seconds; the long-run benchmark points the app at one
so that a few minutes cover many epochs. `write_tiny_set` also resizes the digits
and renames or merges their classes, to stand for a data set that is not MNIST.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from gdtui.core.dataset import CLASS_NAMES_FILE, bundled_data_dir
from gdtui.core.idx import read_idx, write_idx

_SPLITS = (
    ("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    ("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
)


def write_tiny_mnist(directory: Path, train: int = 1000, test: int = 200, *, compress: bool = True) -> Path:
    """Write the first `train` training and `test` test digits of MNIST into directory, gzipped unless not to compress."""
    return write_tiny_set(directory, train=train, test=test, compress=compress)


def write_tiny_set(
    directory: Path,
    *,
    train: int = 1000,
    test: int = 200,
    shape: tuple[int, int] = (28, 28),
    classes: Sequence[str] | None = None,
    compress: bool = True,
) -> Path:
    """Write the first MNIST digits, resized to `shape`, as a set of its own in directory.

    With `classes`, digit d becomes class d mod len(classes), and the names go in a
    classes.txt: a set of that many classes, which only its names tell apart from digits.
    Uncompressed (the files named without .gz, as the loader also finds them), a large set is
    written in a fraction of the time.
    """
    counts = {"train": train, "test": test}
    for split, images_name, labels_name in _SPLITS:
        images = _bundled(images_name)[: counts[split]]
        labels = _bundled(labels_name)[: counts[split]]
        if shape != images.shape[1:]:
            images = _resized(images, shape)
        if classes is not None:
            labels = (labels % len(classes)).astype(np.uint8)
        ending = ".gz" if compress else ""
        write_idx(directory / f"{images_name}{ending}", images, compress=compress)
        write_idx(directory / f"{labels_name}{ending}", labels, compress=compress)
    if classes is not None:
        (directory / CLASS_NAMES_FILE).write_text("".join(f"{name}\n" for name in classes), encoding="utf-8")
    return directory


@cache
def _bundled(name: str) -> np.ndarray:
    """A bundled file's array, read once a process: decompressing the 60,000 training images takes a while."""
    return read_idx(bundled_data_dir() / f"{name}.gz")


def _resized(images: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Each image resized to shape by taking the nearest pixel: enough to keep a digit a digit."""
    rows = np.arange(shape[0]) * images.shape[1] // shape[0]
    cols = np.arange(shape[1]) * images.shape[2] // shape[1]
    return np.ascontiguousarray(images[:, rows[:, None], cols[None, :]])
