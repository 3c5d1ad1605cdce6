"""The learning rates and batch sizes one key press apart, wherever the learner sets them."""

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


def at_the_ladders_end(rate: float, direction: int) -> str:
    """What a key that would move η past the ladder's end says: it did nothing, and why."""
    return f"η = {rate:g} is the {'largest' if direction > 0 else 'smallest'} the keys set."


BATCH_SIZES = (1, 10, 100, 0)
"""The batch sizes a key press cycles through; 0: the whole training set."""


def next_batch_size(current: int, train_size: int) -> int:
    """The next batch size after current, for a training set of train_size images, round and round."""
    sizes = [size or train_size for size in BATCH_SIZES if (size or train_size) <= train_size]
    position = sizes.index(current) if current in sizes else -1
    return sizes[(position + 1) % len(sizes)]
