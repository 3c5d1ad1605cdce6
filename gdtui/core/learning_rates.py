"""The learning rates one key press apart, wherever the learner sets η."""

from __future__ import annotations

LEARNING_RATES = tuple(round(mantissa * 10.0**exponent, 6) for exponent in range(-3, 4) for mantissa in (1, 2, 5))
"""The rungs the learning rate moves along: 0.001, 0.002, 0.005, 0.01, … 5000."""


def next_learning_rate(current: float, direction: int) -> float:
    """The next rung up (direction 1) or down (-1), staying on the ladder's ends."""
    if direction > 0:
        higher = [rate for rate in LEARNING_RATES if rate > current * (1 + 1e-9)]
        return higher[0] if higher else LEARNING_RATES[-1]
    lower = [rate for rate in LEARNING_RATES if rate < current * (1 - 1e-9)]
    return lower[-1] if lower else LEARNING_RATES[0]
