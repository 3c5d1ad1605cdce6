"""The cost history keeps its shape in bounded memory."""

import pytest

from gdtui.core.history import CostHistory


def test_short_runs_keep_every_step():
    history = CostHistory(capacity=8)
    for step in range(1, 6):
        history.add(step, float(step))
    assert history.steps == [1, 2, 3, 4, 5] and history.costs == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_long_run_never_holds_more_than_capacity_points():
    history = CostHistory(capacity=16)
    for step in range(1, 100_001):
        history.add(step, 1.0 / step)
        assert len(history) < 16
    assert history.stride >= 100_000 // 16
    assert history.steps == sorted(history.steps) and history.steps[-1] <= 100_000


def test_halving_averages_neighbours_and_keeps_the_later_step():
    history = CostHistory(capacity=4)
    for step, cost in enumerate([1.0, 3.0, 5.0, 7.0], start=1):
        history.add(step, cost)
    assert history.steps == [2, 4] and history.costs == [2.0, 6.0] and history.stride == 2
    history.add(5, 9.0)
    assert len(history) == 2  # waits for a second step before adding a point of stride 2
    history.add(6, 11.0)
    assert history.steps == [2, 4, 6] and history.costs == [2.0, 6.0, 10.0]


def test_clear_starts_over():
    history = CostHistory(capacity=4)
    for step in range(1, 10):
        history.add(step, 1.0)
    history.clear()
    assert len(history) == 0 and history.stride == 1


def test_capacity_must_be_even():
    with pytest.raises(ValueError):
        CostHistory(capacity=5)
