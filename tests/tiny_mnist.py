"""A small MNIST: the first digits of the bundled copy, written as the four published IDX files.

The tests train on it in seconds; the long-run benchmark points the app at it
so that a few minutes cover many epochs.
"""

from __future__ import annotations

from pathlib import Path

from gdtui.core.dataset import bundled_data_dir
from gdtui.core.idx import read_idx, write_idx


def write_tiny_mnist(directory: Path, train: int = 1000, test: int = 200) -> Path:
    """Write the first `train` training and `test` test digits of MNIST into directory, gzipped."""
    counts = {
        "train-images-idx3-ubyte": train,
        "train-labels-idx1-ubyte": train,
        "t10k-images-idx3-ubyte": test,
        "t10k-labels-idx1-ubyte": test,
    }
    for name, count in counts.items():
        array = read_idx(bundled_data_dir() / f"{name}.gz")
        write_idx(directory / f"{name}.gz", array[:count], compress=True)
    return directory
