"""Full-batch against mini-batch gradient descent, side by side on two of the network's parameters.

Both walkers start where the network stands on the slice of gdtui.core.slices
(two parameters free, every other one held still) and take steps of the same
learning rate. The careful one averages the gradient over every image of the
set before each step; the hurried one over a few images drawn at random, so
its direction is a little wrong each time but costs a sliver of the images.
Both are judged by the same yardstick: the cost over the whole set at every
point they reach.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gdtui.core.costs import CostName
from gdtui.core.network import Network
from gdtui.core.slices import NetworkSlice

BATCH_SIZE = 10
FULL_BATCH = 10_000
"""The images the careful walker averages over: all 60,000 take seconds a step, far too slow to watch."""
LEVEL_PLACES = 5
"""The decimal places the race's level is told to."""
REHEARSED = 6
"""The first steps a map of the race is sized to hold, both walkers' (see Race.rehearsal)."""


@dataclass(frozen=True)
class Path:
    """One walker's way down: where it stood, what each step cost in images, the full-batch cost at each point."""

    name: str
    points: tuple[np.ndarray, ...]  # the start first, then where each step landed
    costs: tuple[float, ...]  # the full-batch cost at each point
    images: tuple[int, ...] = ()  # the images each step's gradient was averaged over

    def extended(self, point: np.ndarray, cost: float, images: int) -> Path:
        return Path(self.name, (*self.points, point), (*self.costs, cost), (*self.images, images))

    @property
    def steps(self) -> int:
        return len(self.images)

    @property
    def total_images(self) -> int:
        return sum(self.images)

    def images_to_reach(self, level: float) -> int | None:
        """The images used until the full-batch cost first came down to level, or None if it has not yet."""
        for step, cost in enumerate(self.costs):
            if cost <= level:
                return sum(self.images[:step])
        return None


class Race:
    """The two walkers of one slice: `step` moves both once, with the same learning rate.

    A step replaces both paths at once when it is done, so a reader in another
    thread sees them both before the step or both after it.
    """

    def __init__(
        self,
        network: Network,
        inputs: np.ndarray,
        labels: np.ndarray,
        cost: CostName,
        indices: Sequence[int],
        learning_rate: float,
        batch_size: int = BATCH_SIZE,
        seed: int = 0,
    ) -> None:
        self.slice = NetworkSlice(network, inputs, labels, cost, indices)
        self.learning_rate = learning_rate
        self.batch_size = min(batch_size, len(labels))
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        start = self.slice.origin.copy()
        start_cost = float(self.slice.costs(start)[0])
        self.paths = (Path("full batch", (start,), (start_cost,)), Path("mini-batch", (start,), (start_cost,)))

    @property
    def full(self) -> Path:
        return self.paths[0]

    @property
    def mini(self) -> Path:
        return self.paths[1]

    def again(self, seed: int) -> Race:
        """Both walkers back at the start of the same slice, their mini-batches drawn with seed."""
        piece = self.slice
        return Race(
            piece.network, piece.inputs, piece.labels, piece.cost, piece.indices, self.learning_rate, self.batch_size, seed
        )

    def rehearsal(self, steps: int = REHEARSED) -> np.ndarray:
        """Every point both walkers reach in their first steps, as rows: the same walk `step` will take,
        drawn with the same seed, from a copy at the start."""
        copy = self.again(self.seed)
        for _ in range(steps):
            copy.step()
        return np.array([*copy.full.points, *copy.mini.points])

    @property
    def full_batch(self) -> int:
        """The images the full batch averages over at every step."""
        return len(self.slice.labels)

    def gradient(self, point: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """The slope of the cost along the two parameters at point, averaged over the images at rows (all if None)."""
        if rows is None:
            return self.slice.evaluate(point)[1]
        piece = self.slice
        batch = NetworkSlice(piece.network, piece.inputs[rows], piece.labels[rows], piece.cost, piece.indices)
        return batch.evaluate(point)[1]

    def step(self) -> np.ndarray:
        """One step of each walker; returns the mini-batch's images (rows of the set), drawn afresh each step."""
        rows = np.sort(self._rng.choice(self.full_batch, size=self.batch_size, replace=False))
        full, mini = self.paths
        moves = [
            path.points[-1] - self.learning_rate * self.gradient(path.points[-1], chosen)
            for path, chosen in ((full, None), (mini, rows))
        ]
        landed = self.slice.costs(np.array(moves))
        self.paths = (
            full.extended(moves[0], float(landed[0]), self.full_batch),
            mini.extended(moves[1], float(landed[1]), self.batch_size),
        )
        return rows

    def level(self) -> float | None:
        """The lowest full-batch cost both walkers have reached, the level "down" is measured to, rounded up to
        the LEVEL_PLACES the screen gives it; None while either has not yet come below the start they share.

        Rounded up, it is still a level both have reached, and it moves only when its figure does: as the slower
        walker creeps lower in the sixth place, one figure would otherwise stand beside growing counts."""
        full, mini = self.paths
        scale = 10**LEVEL_PLACES
        level = math.ceil(max(min(full.costs), min(mini.costs)) * scale) / scale
        return level if level < full.costs[0] else None


def race(
    network: Network,
    inputs: np.ndarray,
    labels: np.ndarray,
    cost: CostName,
    indices: Sequence[int],
    learning_rate: float,
    steps: int,
    batch_size: int = BATCH_SIZE,
    seed: int = 0,
) -> Race:
    """Both walkers from where the network stands, `steps` steps each."""
    walkers = Race(network, inputs, labels, cost, indices, learning_rate, batch_size, seed)
    for _ in range(steps):
        walkers.step()
    return walkers
