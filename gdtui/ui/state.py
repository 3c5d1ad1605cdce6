"""What every screen shares: the data, the current network and the chosen input.

The screens only read and change this object; the math stays in gdtui.core.
The network has one owner, this object: it changes only through the methods
below, each under `lock` and each bumping `version`, so a training step in a
worker thread and a key press on another screen never change it at once, and
a screen can tell that what it drew is out of date. The app mirrors `version`
in a reactive that screens watch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from gdtui.core import drawing, sensitivity
from gdtui.core.costs import CostName
from gdtui.core.dataset import Dataset, Split
from gdtui.core.model_io import check_fits
from gdtui.core.network import Network
from gdtui.core.run import EpochEnd, TrainingRun
from gdtui.core.training import StepResult
from gdtui.core.words import counted

SOURCES = ("dataset", "drawing", "noise")


@dataclass(frozen=True)
class Provenance:
    """Where a network came from and what was done to it since: what its origin's words are made of."""

    origin: str  # "random, seed 0", or the model file's name
    random: bool  # began as random weights
    seed: int
    steps: int  # trained since it was new
    nudges: int


@dataclass
class QuizScore:
    """The Cost step's quiz: how many answers were right, of how many checked."""

    right: int = 0
    asked: int = 0


class LessonState:
    def __init__(
        self, data: Dataset, network: Network, *, seed: int = 0, origin: str = "", on_change: Callable[[], None] | None = None
    ) -> None:
        self.data = data
        self.seed = seed
        self.lock = threading.RLock()
        # Called on the app's thread after every change made there; a run's steps, taken in a
        # worker thread, are announced by the run's own progress messages instead.
        self.on_change = on_change or (lambda: None)
        self._network = network
        self._origin = origin or f"random, seed {seed}"  # or the model file's name
        self._random = not origin  # began as random weights, not as a model file
        self._version = 0  # every change of the weights
        self._generation = 0  # every new network: randomised afresh or loaded
        self._steps = 0  # trained since the network was new
        self._nudges = 0
        self._unsaved = False
        # The chosen input: an example of a set, the learner's drawing, or noise.
        self.split_name = "train"
        self.index = 0
        self.source = "dataset"
        self.quiz = QuizScore()
        self.canvas = np.zeros(data.image_shape, np.float32)
        self.noise = drawing.noise(np.random.default_rng(0), data.image_shape)
        self._places: dict[str, int] = {}  # the index each set was left at

    # -- the network: read freely, change only here ---------------------------------

    @property
    def network(self) -> Network:
        return self._network

    @property
    def version(self) -> int:
        return self._version

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def unsaved(self) -> bool:
        """Changed since it was made, loaded or last saved."""
        return self._unsaved

    @property
    def network_origin(self) -> str:
        """Where the weights come from, in a few words: 'trained 1,200 steps from seed 0'."""
        text = self._origin
        if self._steps:
            steps = counted(self._steps, "step")
            text = f"trained {steps} from seed {self.seed}" if self._random else f"{text}, trained {steps} more"
        if self._nudges:
            text += f", {counted(self._nudges, 'nudge')}"
        return text

    @property
    def from_random(self) -> bool:
        """The network began as random weights (trained or not since), not as a model file."""
        return self._random

    @property
    def untrained(self) -> bool:
        """Random weights that no training step has moved (a nudge or two aside)."""
        return self._random and not self._steps

    @contextmanager
    def _changing(self, *, new: bool = False) -> Iterator[None]:
        with self.lock:
            yield
            self._version += 1
            if new:
                self._generation += 1
                self._steps = self._nudges = 0
            self._unsaved = not new

    def use_network(self, network: Network, origin: str) -> None:
        """Make network the one every step shows; one that does not fit the data is refused (ModelFileError)."""
        check_fits(network, self.data, origin)
        with self._changing(new=True):
            self._network = network
            self._origin = origin
            self._random = False
        self.on_change()

    def randomize_network(self, new_seed: bool = True) -> None:
        """Fresh random weights: from the next seed, or again from the current one."""
        with self._changing(new=True):
            self.seed += new_seed
            self._network.randomize(self.seed)
            self._origin = f"random, seed {self.seed}"
            self._random = True
        self.on_change()

    def train(self, run: TrainingRun) -> tuple[StepResult, EpochEnd | None]:
        """One step of the run, from its worker thread: see `on_change`."""
        with self.lock:
            result, end = run.step()
            if not result.diverged:  # else no step was taken: nothing changed
                self._version += 1
                self._steps += 1
                self._unsaved = True
        return result, end

    def nudge(
        self, k: int, delta: float, batch: sensitivity.Batch, cost: CostName, before: sensitivity.GradientReport
    ) -> sensitivity.Nudge:
        with self._changing():
            nudged = sensitivity.nudge(self._network, k, delta, batch, cost, before)
            self._nudges += 1
        self.on_change()
        return nudged

    def saved(self) -> None:
        self._unsaved = False

    def unsaved_copy(self, timeout: float = -1) -> tuple[Network, Provenance, int] | None:
        """The network, where it came from and its version, if it holds changes never saved; None if it
        holds none, or if the lock was not free within timeout seconds (a negative one waits as long as
        it takes)."""
        if not self.lock.acquire(timeout=timeout):
            return None
        try:
            if not self._unsaved:
                return None
            provenance = Provenance(self._origin, self._random, self.seed, self._steps, self._nudges)
            return self._network.copy(), provenance, self._version
        finally:
            self.lock.release()

    def restore(self, network: Network, provenance: Provenance) -> None:
        """Take back a network whose changes were never saved, as it was: its words, and still unsaved.
        One that does not fit the data is refused (ModelFileError)."""
        check_fits(network, self.data, provenance.origin)
        with self._changing(new=True):
            self._network = network
        with self.lock:
            self.seed = provenance.seed
            self._origin = provenance.origin
            self._random = provenance.random
            self._steps = provenance.steps
            self._nudges = provenance.nudges
            self._unsaved = True
        self.on_change()

    def copy_network(self) -> Network:
        """The network as it is now, to read outside the lock while training goes on."""
        with self.lock:
            return self._network.copy()

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
        """The chosen input as the network sees it: one row of values, one a pixel."""
        return self.image().reshape(1, -1)

    def label(self) -> int | None:
        """The right answer, when there is one."""
        return int(self.split.labels[self.index]) if self.source == "dataset" else None

    @property
    def numbered(self) -> bool:
        """Whether the classes are named by their numbers, as MNIST's digits are."""
        return self.data.classes == tuple(str(label) for label in range(len(self.data.classes)))

    def class_name(self, label: int) -> str:
        """What output or label `label` stands for, "7" in MNIST, "Sneaker" in Fashion-MNIST.

        A classes.txt is anyone's text: this, and every sentence built from it here, is text to
        show as written, never markup."""
        return self.data.classes[label]

    def a_class(self, label: int) -> str:
        """The class in a sentence: "a 7", or a name as it is, since its article cannot be told."""
        return f"a {label}" if self.numbered else self.class_name(label)

    def describe(self, short: bool = False) -> str:
        if self.source == "drawing":
            return "your drawing"
        if self.source == "noise":
            return "random noise"
        label = self.label()
        assert label is not None  # a data set's example always has one
        where = f"{self.split_name} #{self.index:,}" if short else f"{self.split_name} #{self.index:,} of {len(self.split):,}"
        if self.numbered:
            return f"{where}{':' if short else ','} {self.a_class(label)}"
        return f"{where}: {self.class_name(label)}"

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
