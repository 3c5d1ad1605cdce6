"""Axis ticks at equal steps that land on the rows (or columns) of a character plot.

A plot in a terminal has whole cells only: the value v is drawn on cell
floor(0.5 + (cells − 1)·(v − low)/(high − low)) of an axis from low to high.
Round ticks on an axis with arbitrary limits fall between cells and are
rounded to the nearest one, so ticks 5 apart end up one row apart here and
two rows apart there. `axis` chooses the limits too: the cells are spaced a
whole fraction of the tick step apart, so every tick sits exactly on a cell
and the ticks are the same number of cells apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_MULTIPLES = (1, 2, 5)
_CANDIDATES = 40
"""Tick steps tried, from the finest that could fit upward: 1, 2, 5, 10, 20, … 13 decades."""


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    """The limits to give the plot: cell 0 shows low, the last cell high."""
    ticks: tuple[float, ...]
    labels: tuple[str, ...]
    step: float
    cells_per_step: int


def labels_for(ticks: list[float], step: float) -> list[str]:
    """The ticks with as many decimals as the step needs: every label different, all alike in form."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [f"{0.0 if t == 0 else t:.{decimals}f}" for t in ticks]


def _steps(smallest: float):
    power = math.floor(math.log10(smallest)) - 1
    for index in range(_CANDIDATES):
        step = _MULTIPLES[index % 3] * 10.0 ** (power + index // 3)
        if step >= smallest:
            yield step


def axis(
    low: float,
    high: float,
    cells: int,
    *,
    gap: int = 2,
    most: int | None = None,
    labels_across: bool = False,
    least_step: float = 0.0,
) -> Axis:
    """Round ticks 1, 2 or 5 × 10^k apart for data from low to high on an axis of `cells` cells.

    The axis's limits cover low to high, its cells are a whole fraction of the
    step apart and the ticks at least `gap` cells apart (and no more than
    `most` of them), and at least `least_step` apart (1 for a count of steps);
    labels_across (an x axis) keeps labels a space apart too.
    """
    cells = max(2, cells)
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    low, high = min(low, high), max(low, high)
    # A flat range still needs an axis: give it a little height around its value.
    least = 1e-6 * max(1.0, abs(low), abs(high))
    if high - low < least:
        middle = (low + high) / 2
        low, high = middle - least / 2, middle + least / 2
    span = high - low
    fallback: Axis | None = None
    for step in _steps(max(gap * span / (cells - 1), least_step)):
        found = _place(low, high, cells, step, gap)
        if found is None:
            continue
        if fallback is None:
            fallback = found
        too_many = most is not None and len(found.ticks) > most
        crowded = labels_across and found.cells_per_step <= max(map(len, found.labels))
        if not too_many and not crowded:
            return found
    if fallback is None:
        # Too few cells for ticks that far apart: closer ones, down to a tick on every cell.
        return axis(low, high, cells, gap=gap - 1, most=most, labels_across=labels_across, least_step=least_step)
    return fallback


def _place(low: float, high: float, cells: int, step: float, gap: int) -> Axis | None:
    """The axis with ticks `step` apart and the most cells between them that still show low to high."""
    # Two ticks need a step's worth of cells at least; data from low to high need cells this small.
    finest = min(cells - 1, math.floor(step * (cells - 1) / (high - low)) + 1)
    for per_step in range(finest, gap - 1, -1):
        cell = step / per_step
        first, last = math.floor(low / cell + 1e-9), math.ceil(high / cell - 1e-9)
        spare = cells - 1 - (last - first)
        if spare < 0:
            continue
        # The data in the middle if the ticks allow it, else as near the middle as they allow.
        starts = sorted(range(first - spare, first + 1), key=lambda s: abs(s - (first - spare // 2)))
        placed = ((s, [i for i in range(s, s + cells) if i % per_step == 0]) for s in starts)
        start, indices = next(((s, found) for s, found in placed if len(found) >= 2), (0, []))
        if not indices:
            continue
        ticks = [i // per_step * step for i in indices]
        return Axis(
            low=start * cell,
            high=(start + cells - 1) * cell,
            ticks=tuple(ticks),
            labels=tuple(labels_for(ticks, step)),
            step=step,
            cells_per_step=per_step,
        )
    return None
