"""Axis ticks: round, equally spaced, and on the cells a character plot draws them on."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from plotext._utility import get_matrix_data

from gdtui.ui.ticks import axis

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
cells = st.integers(min_value=4, max_value=200)


def _is_round(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    return any(math.isclose(mantissa, m) for m in (1, 2, 5))


@settings(max_examples=300, deadline=None)
@given(values, values, cells, st.integers(min_value=1, max_value=4))
def test_ticks_are_round_equal_steps_on_equally_spaced_cells(a, b, count, gap):
    low, high = min(a, b), max(a, b)
    chosen = axis(low, high, count, gap=gap)
    # Covered to within a hair of a cell, which plotext draws on that cell anyway.
    hair = 1e-6 * (chosen.high - chosen.low)
    assert chosen.low <= low + hair and chosen.high >= high - hair
    assert len(chosen.ticks) >= 2
    assert all(chosen.low - hair <= t <= chosen.high + hair for t in chosen.ticks)
    assert _is_round(chosen.step)
    steps = [later - earlier for earlier, later in zip(chosen.ticks, chosen.ticks[1:])]
    assert all(math.isclose(s, chosen.step, rel_tol=1e-6) for s in steps)
    # Where plotext draws each tick: the same number of cells apart, at least `gap`.
    rows = get_matrix_data(list(chosen.ticks), [chosen.low, chosen.high], count)
    gaps = {later - earlier for earlier, later in zip(rows, rows[1:])}
    assert gaps == {chosen.cells_per_step} and (chosen.cells_per_step >= gap or count < 3 * gap)
    assert all(0 <= r < count for r in rows)
    assert len(set(chosen.labels)) == len(chosen.labels)
    assert len({len(label.split(".")[-1]) if "." in label else 0 for label in chosen.labels}) == 1


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-1e4, max_value=1e4),
    st.floats(min_value=1e-3, max_value=1e4),
    st.integers(min_value=40, max_value=200),
    st.integers(min_value=2, max_value=8),
)
def test_no_more_ticks_than_asked_for_and_labels_a_space_apart(low, span, count, most):
    chosen = axis(low, low + span, count, most=most, labels_across=True)
    assert 2 <= len(chosen.ticks) <= most
    assert chosen.cells_per_step > max(map(len, chosen.labels))


def test_a_flat_range_still_gets_an_axis():
    chosen = axis(13.25, 13.25, 16)
    assert chosen.low <= 13.25 <= chosen.high and len(chosen.ticks) >= 2


def test_every_label_has_the_decimals_of_the_step():
    chosen = axis(-0.3, 0.3, 13)
    decimals = max(0, -math.floor(math.log10(chosen.step) + 1e-9))
    assert chosen.labels == tuple(f"{t:.{decimals}f}" if t else f"{0:.{decimals}f}" for t in chosen.ticks)
