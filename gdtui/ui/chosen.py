"""The input the steps show the network: an example of a set, the learner's drawing, or noise.

It changes only through its methods, on the app's thread, and each of them calls
`on_change` and bumps `version`; the app mirrors `version` in a reactive that the
screens showing the input watch. What it hands out to read cannot be written to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from gdtui.core import drawing
from gdtui.core.dataset import Dataset, Split

Source = Literal["dataset", "drawing", "noise"]
SplitName = Literal["train", "test"]


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


class ChosenInput:
    def __init__(self, data: Dataset, on_change: Callable[[], None] | None = None) -> None:
        self._data = data
        self.on_change = on_change or (lambda: None)
        self._version = 0
        self._source: Source = "dataset"
        self._split_name: SplitName = "train"
        self._index = 0
        self._places: dict[SplitName, int] = {}  # the index each set was left at
        self._canvas = np.zeros(data.image_shape, np.float32)
        self._noise = drawing.noise(np.random.default_rng(0), data.image_shape)

    # -- reading -------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Every change of the input."""
        return self._version

    @property
    def source(self) -> Source:
        return self._source

    @property
    def split_name(self) -> SplitName:
        """The set the examples are taken from."""
        return self._split_name

    @property
    def index(self) -> int:
        """The example's place in its set."""
        return self._index

    @property
    def split(self) -> Split:
        return self._data.train if self._split_name == "train" else self._data.test

    @property
    def canvas(self) -> np.ndarray:
        """The learner's drawing as drawn, before it is scaled and centred like MNIST's digits."""
        return _read_only(self._canvas)

    def image(self) -> np.ndarray:
        """The chosen input as a (rows, cols) float32 image in [0, 1]."""
        if self._source == "drawing":
            return drawing.like_mnist(self._canvas)
        if self._source == "noise":
            return _read_only(self._noise)
        return self.split.inputs(self._index).reshape(self._data.image_shape)

    def inputs(self) -> np.ndarray:
        """The chosen input as the network sees it: one row of values, one a pixel."""
        return self.image().reshape(1, -1)

    def label(self) -> int | None:
        """The right answer, when there is one."""
        return int(self.split.labels[self._index]) if self._source == "dataset" else None

    # -- changing: each change is announced ------------------------------------------

    def _changed(self) -> None:
        self._version += 1
        self.on_change()

    def use_dataset(self) -> None:
        """The example of the set where it was left, not the drawing or noise."""
        self._source = "dataset"
        self._changed()

    def use_set(self, name: SplitName) -> None:
        """The example of the training set (the images the network learns from) or of the test set (those it never
        sees while it learns) where it was left."""
        self._source = "dataset"
        if self._split_name != name:
            self._switch_split()
        self._changed()

    def use_drawing(self) -> None:
        self._source = "drawing"
        self._changed()

    def use_noise(self, rng: np.random.Generator) -> None:
        """Noise drawn afresh from rng."""
        self._source = "noise"
        self._noise = drawing.noise(rng, self._data.image_shape)
        self._changed()

    def paint(self, row: int, col: int) -> None:
        drawing.paint(self._canvas, row, col)
        self._changed()

    def erase(self, row: int, col: int) -> None:
        drawing.erase(self._canvas, row, col)
        self._changed()

    def clear(self) -> None:
        self._canvas[:] = 0.0
        self._changed()

    def browse(self, delta: int) -> None:
        """Move `delta` examples on in the chosen set, wrapping around."""
        self._source = "dataset"
        self._index = (self._index + delta) % len(self.split)
        self._changed()

    def next_with_label(self, label: int) -> bool:
        """Move to the next example of label, wrapping around; False if there is none."""
        self._source = "dataset"
        labels = self.split.labels
        order = np.roll(np.arange(len(labels)), -(self._index + 1))
        hits = order[labels[order] == label]
        if len(hits):
            self._index = int(hits[0])
        self._changed()
        return bool(len(hits))

    def random_example(self, rng: np.random.Generator) -> None:
        self._source = "dataset"
        self._index = int(rng.integers(len(self.split)))
        self._changed()

    def toggle_split(self) -> None:
        """Switch sets, each keeping its own place."""
        self._source = "dataset"
        self._switch_split()
        self._changed()

    def _switch_split(self) -> None:
        self._places[self._split_name] = self._index
        self._split_name = "test" if self._split_name == "train" else "train"
        self._index = self._places.get(self._split_name, 0)
