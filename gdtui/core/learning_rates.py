"""The learning rates one key press apart, wherever the learner sets η."""

from __future__ import annotations

from collections.abc import Iterable

LEARNING_RATES = tuple(round(mantissa * 10.0**exponent, 6) for exponent in range(-3, 4) for mantissa in (1, 2, 5))
"""The rungs the learning rate moves along: 0.001, 0.002, 0.005, 0.01, … 5000."""


def next_learning_rate(current: float, direction: int, also: Iterable[float] = ()) -> float:
    """The next rung up (direction 1) or down (-1), staying on the ladder's ends.

    `also` adds rungs: a preset's own η, such as the lesson's 1.5, can always be had again.
    """
    rungs = sorted({*LEARNING_RATES, *also})
    if direction > 0:
        higher = [rate for rate in rungs if rate > current * (1 + 1e-9)]
        return higher[0] if higher else rungs[-1]
    lower = [rate for rate in rungs if rate < current * (1 - 1e-9)]
    return lower[-1] if lower else rungs[0]
