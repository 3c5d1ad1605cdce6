"""What every screen shares: the data, the current network and the chosen input.

The screens only read and change this object; the math stays in gdtui.core.
A screen redraws from it whenever it is shown, so what Training changes is
what Network and Cost show next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gdtui.core import drawing
from gdtui.core.dataset import Dataset, Split
from gdtui.core.errors import GdtuiError
from gdtui.core.network import Network

SOURCES = ("dataset", "drawing", "noise")


@dataclass
class LessonState:
    data: Dataset
    network: Network
    seed: int = 0
    network_origin: str = ""  # e.g. "random, seed 0" or the model file's name
    # Counts replacements of the network's weights by anything but training (a new random
    # network, a model file), so a training run can tell its history no longer applies.
    version: int = 0
    unsaved: bool = False  # trained since it was last saved, loaded or randomised
    split_name: str = "train"
    index: int = 0
    source: str = "dataset"
    canvas: np.ndarray = field(default_factory=lambda: np.zeros((drawing.SIZE, drawing.SIZE), np.float32))
    noise: np.ndarray = field(default_factory=lambda: drawing.noise(np.random.default_rng(0)))
    _places: dict[str, int] = field(default_factory=dict)  # the index each set was left at

    def __post_init__(self) -> None:
        self.network_origin = self.network_origin or f"random, seed {self.seed}"

    @property
    def split(self) -> Split:
        return self.data.train if self.split_name == "train" else self.data.test

    def image(self) -> np.ndarray:
        """The chosen input as a (rows, cols) float32 image in [0, 1]."""
        if self.source == "drawing":
            return drawing.like_mnist(self.canvas)
        if self.source == "noise":
            return self.noise
        return self.split.inputs(self.index).reshape(self.data.image_shape)

    def inputs(self) -> np.ndarray:
        """The chosen input as the network sees it: one row of 784 values."""
        return self.image().reshape(1, -1)

    def label(self) -> int | None:
        """The right answer, when there is one."""
        return int(self.split.labels[self.index]) if self.source == "dataset" else None

    def describe(self, short: bool = False) -> str:
        if self.source == "drawing":
            return "your drawing"
        if self.source == "noise":
            return "random noise"
        if short:
            return f"{self.split_name} #{self.index:,}: a {self.label()}"
        return f"{self.split_name} #{self.index:,} of {len(self.split):,}, a {self.label()}"

    def browse(self, delta: int) -> None:
        """Move `delta` examples on in the chosen set, wrapping around."""
        self.source = "dataset"
        self.index = (self.index + delta) % len(self.split)

    def next_with_label(self, label: int) -> bool:
        """Move to the next example of label, wrapping around; False if there is none."""
        self.source = "dataset"
        labels = self.split.labels
        order = np.roll(np.arange(len(labels)), -(self.index + 1))
        hits = order[labels[order] == label]
        if len(hits) == 0:
            return False
        self.index = int(hits[0])
        return True

    def random_example(self, rng: np.random.Generator) -> None:
        self.source = "dataset"
        self.index = int(rng.integers(len(self.split)))

    def toggle_split(self) -> None:
        """Switch sets, each keeping its own place."""
        self.source = "dataset"
        self._places[self.split_name] = self.index
        self.split_name = "test" if self.split_name == "train" else "train"
        self.index = self._places.get(self.split_name, 0)

    def use_network(self, network: Network, origin: str) -> None:
        if network.sizes[0] != self.data.train.pixels:
            raise GdtuiError(f"the model takes {network.sizes[0]} inputs but the images have {self.data.train.pixels} pixels")
        self.network = network
        self.network_origin = origin
        self.version += 1
        self.unsaved = False

    def randomize_network(self, new_seed: bool = True) -> None:
        """Fresh random weights: from the next seed, or again from the current one."""
        self.seed += new_seed
        # In place, so whatever holds the network (a trainer) sees the new weights.
        self.network.randomize(self.seed)
        self.network_origin = f"random, seed {self.seed}"
        self.version += 1
        self.unsaved = False
