"""The cost over a training run, in bounded memory however long the run.

A plot only needs about as many points as it is wide. Once the history is
full, neighbouring points are averaged in pairs and each later point stands
for twice as many steps: a run of a million steps keeps at most `capacity`
points, and the curve keeps its shape. The records of whole epochs are
thinned the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CostHistory:
    capacity: int = 1024
    steps: list[float] = field(default_factory=list)  # the step each point ends at
    costs: list[float] = field(default_factory=list)
    stride: int = 1  # steps averaged into each new point
    _pending_cost: float = 0.0
    _pending_count: int = 0

    def __post_init__(self) -> None:
        if self.capacity < 2 or self.capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")

    def add(self, step: int, cost: float) -> None:
        self._pending_cost += cost
        self._pending_count += 1
        if self._pending_count < self.stride:
            return
        self.steps.append(step)
        self.costs.append(self._pending_cost / self._pending_count)
        self._pending_cost, self._pending_count = 0.0, 0
        if len(self.costs) >= self.capacity:
            self._halve()

    def _halve(self) -> None:
        self.steps = self.steps[1::2]
        self.costs = [(a + b) / 2 for a, b in zip(self.costs[0::2], self.costs[1::2])]
        self.stride *= 2

    def clear(self) -> None:
        self.steps, self.costs = [], []
        self.stride, self._pending_cost, self._pending_count = 1, 0.0, 0

    def __len__(self) -> int:
        return len(self.costs)


@dataclass(frozen=True)
class EpochRecord:
    epoch: int
    step: int  # the step the epoch ended at (or the measurement was taken at), to place it on the cost curve
    # The average of the mini-batch costs during the epoch; none for epoch 0, before any, and for a measurement
    # of weights gone back to within an epoch.
    train_cost: float | None
    test_cost: float
    test_accuracy: float
    weights_of: int | None = None  # of weights gone back to: the steps they hold, not the run's `step`


EPOCHS_KEPT = 1024


def bounded(records: list[EpochRecord], capacity: int = EPOCHS_KEPT) -> list[EpochRecord]:
    """At most `capacity` records: past that, every other one goes, the first and the latest stay.

    On a thousand training images at batch 1 an epoch takes a twentieth of a second: an
    hour's run would otherwise keep some seventy thousand, and a plot draw them all.
    """
    if len(records) <= capacity:
        return records
    return records[(len(records) - 1) % 2 :: 2]
