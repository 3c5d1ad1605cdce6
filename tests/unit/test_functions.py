"""The textbook functions, their exact slopes and flat points, and the descent stepping on them."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.polynomial import Polynomial

from gdtui.core import functions as fn
from gdtui.core.functions import BOWL, FOUR_VALLEYS, PARABOLA, VALLEYS, Descent
from gdtui.core.learning_rates import LEARNING_RATES, next_learning_rate


def _central_difference(f, x: float, h: float = 1e-5) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


@given(st.floats(-3.0, 5.0))
def test_the_parabolas_slope_is_2x_minus_2(x):
    assert PARABOLA.value(x) == pytest.approx((x - 1) ** 2 + 1)
    assert PARABOLA.slope(x) == pytest.approx(2 * x - 2, abs=1e-12)


@given(st.floats(-3.5, 3.5))
def test_the_valleys_slope_is_the_product_its_formula_shows(x):
    formula = (x + 2.75) ** 2 * (x + 0.5) * (x - 1.25) * (x - 2.75) / 10
    assert VALLEYS.slope(x) == pytest.approx(formula, abs=1e-9)


@pytest.mark.parametrize("curve", fn.CURVES, ids=lambda c: c.name)
@given(x=st.floats(-3.0, 3.0))
def test_every_curves_slope_matches_a_finite_difference(curve, x):
    assert curve.slope(x) == pytest.approx(_central_difference(curve.value, x), rel=1e-6, abs=1e-6)


@given(st.floats(-3, 3), st.floats(-3, 3))
def test_the_bowls_gradient_is_3x_and_y(x, y):
    assert BOWL.value(x, y) == pytest.approx(1.5 * x * x + 0.5 * y * y)
    gx, gy = BOWL.gradient(x, y)
    assert gx == pytest.approx(3 * x, abs=1e-12) and gy == pytest.approx(y, abs=1e-12)


@given(st.floats(-2, 2), st.floats(-2, 2))
def test_the_four_valleys_value_and_gradient_follow_the_formula(x, y):
    assert FOUR_VALLEYS.value(x, y) == pytest.approx((x * x - 1) ** 2 + (y * y - 1) ** 2 + x / 4 + y / 8, abs=1e-12)
    gx, gy = FOUR_VALLEYS.gradient(x, y)
    assert gx == pytest.approx(4 * x**3 - 4 * x + 0.25, abs=1e-9)
    assert gy == pytest.approx(4 * y**3 - 4 * y + 0.125, abs=1e-9)


@pytest.mark.parametrize("surface", fn.SURFACES, ids=lambda s: s.name)
@given(x=st.floats(-2, 2), y=st.floats(-2, 2))
def test_every_surfaces_gradient_matches_finite_differences(surface, x, y):
    gx, gy = surface.gradient(x, y)
    assert gx == pytest.approx(_central_difference(lambda t: surface.value(t, y), x), rel=1e-6, abs=1e-6)
    assert gy == pytest.approx(_central_difference(lambda t: surface.value(x, t), y), rel=1e-6, abs=1e-6)


def test_the_parabola_is_flat_only_at_its_minimum_x_1():
    (point,) = PARABOLA.stationary_points
    assert point.point == pytest.approx((1.0,)) and point.kind == fn.MINIMUM and point.value == pytest.approx(1.0)


def test_the_valleys_flat_points_are_where_a_factor_of_the_slope_is_0():
    found = [(p.point[0], p.kind) for p in VALLEYS.stationary_points]
    expected = [(-2.75, fn.PLATEAU), (-0.5, fn.MINIMUM), (1.25, fn.MAXIMUM), (2.75, fn.MINIMUM)]
    assert [kind for _, kind in found] == [kind for _, kind in expected]
    np.testing.assert_allclose([x for x, _ in found], [x for x, _ in expected], atol=1e-6)
    assert all(VALLEYS.slope(x) == pytest.approx(0, abs=1e-9) for x, _ in found)


def test_the_bowl_is_flat_only_at_its_bottom():
    (point,) = BOWL.stationary_points
    assert point.point == (0.0, 0.0) and point.kind == fn.MINIMUM


def test_the_four_valleys_have_four_minima_four_saddles_and_a_peak():
    points = FOUR_VALLEYS.stationary_points
    kinds = [p.kind for p in points]
    assert kinds.count(fn.MINIMUM) == 4 and kinds.count(fn.SADDLE) == 4 and kinds.count(fn.MAXIMUM) == 1
    for p in points:
        np.testing.assert_allclose(FOUR_VALLEYS.gradient(*p.point), (0.0, 0.0), atol=1e-9)
    minima = sorted(p.value for p in points if p.kind == fn.MINIMUM)
    assert len(set(np.round(minima, 6))) == 4  # the tilt makes every valley a different depth


def test_a_double_root_counts_once():
    assert fn.real_roots(Polynomial.fromroots([2.0, 2.0, -1.0])) == pytest.approx([-1.0, 2.0])


def test_stationary_points_outside_the_domain_are_left_out():
    curve = fn.Curve("shifted", "", Polynomial([0, -20, 1]), (-3, 3), 0, 0.1)  # slope 0 at x = 10
    assert curve.stationary_points == ()


def test_the_learning_rate_moves_along_the_ladder_and_stops_at_its_ends():
    assert next_learning_rate(0.1, 1) == 0.2
    assert next_learning_rate(0.2, 1) == 0.5
    assert next_learning_rate(0.1, -1) == 0.05
    assert next_learning_rate(3.0, 1) == 5.0 and next_learning_rate(3.0, -1) == 2.0
    assert next_learning_rate(LEARNING_RATES[-1], 1) == LEARNING_RATES[-1]
    assert next_learning_rate(LEARNING_RATES[0], -1) == LEARNING_RATES[0]


def test_a_presets_own_rate_is_a_rung_too():
    assert next_learning_rate(1.0, 1, also=[1.5]) == 1.5
    assert next_learning_rate(2.0, -1, also=[1.5]) == 1.5
    assert next_learning_rate(1.5, 1, also=[1.5]) == 2.0


def test_a_step_moves_x_by_minus_eta_times_the_slope():
    descent = Descent(PARABOLA.evaluate, [4.5], 0.1, scale=8)
    step = descent.step()
    assert step.gradient[0] == pytest.approx(7.0)
    assert step.after[0] == pytest.approx(4.5 - 0.1 * 7.0)
    assert descent.point[0] == pytest.approx(3.8) and descent.cost == pytest.approx(PARABOLA.value(3.8))
    assert step.outcome == fn.DOWNHILL and step.number == 1 and descent.steps == 1


def test_steps_shrink_as_the_slope_flattens_and_settle_at_the_minimum():
    descent = Descent(PARABOLA.evaluate, [4.5], 0.1, scale=8)
    lengths = [abs(descent.step().after[0] - descent.path[-2][0]) for _ in range(20)]
    assert all(later < earlier for earlier, later in zip(lengths, lengths[1:]))
    for _ in range(200):
        if descent.step().outcome == fn.SETTLED:
            break
    assert descent.last.outcome == fn.SETTLED
    assert descent.point[0] == pytest.approx(1.0, abs=5e-3)
    assert abs(descent.last.after[0] - descent.last.before[0]) < 1e-4 * 8


def test_a_large_learning_rate_overshoots_then_a_larger_one_climbs_and_blows_up():
    assert Descent(PARABOLA.evaluate, [4.5], 0.9, scale=8).step().outcome == fn.OVERSHOT
    descent = Descent(PARABOLA.evaluate, [4.5], 1.5, scale=8)
    assert descent.step().outcome == fn.CLIMBED
    while not descent.blown_up:
        last_good = descent.point
        descent.step()
    assert descent.last.outcome == fn.BLEW_UP
    assert np.array_equal(descent.point, last_good) and np.all(np.isfinite(descent.path))
    with pytest.raises(RuntimeError):
        descent.step()
    descent.restart([2.0])
    assert not descent.blown_up and descent.steps == 0 and descent.last is None


def test_an_enormous_learning_rate_blows_up_without_a_warning_or_an_infinity(recwarn):
    descent = Descent(VALLEYS.evaluate, [3.3], 5000.0, scale=7)
    for _ in range(10):
        if descent.blown_up:
            break
        descent.step()
    assert descent.blown_up
    assert all(math.isfinite(c) for c in descent.costs)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    ("start", "lands_at"),
    [(3.3, 2.75), (0.5, -0.5), (-1.5, -0.5), (2.0, 2.75)],
)
def test_different_starts_land_in_different_valleys(start, lands_at):
    descent = Descent(VALLEYS.evaluate, [start], 0.05, scale=7)
    for _ in range(2000):
        descent.step()
    assert descent.point[0] == pytest.approx(lands_at, abs=1e-3)


def test_a_ball_left_of_the_plateau_stalls_on_it_though_it_is_no_valley():
    descent = Descent(VALLEYS.evaluate, [-3.4], 0.05, scale=7)
    for _ in range(2000):
        descent.step()
    assert -2.85 < descent.point[0] < -2.75
    assert abs(descent.gradient[0]) < 1e-2


def test_the_bowls_steps_follow_the_negative_gradient_in_both_directions():
    descent = Descent(BOWL.evaluate, [-2.5, 2.5], 0.1, scale=6)
    step = descent.step()
    np.testing.assert_allclose(step.gradient, [-7.5, 2.5])
    np.testing.assert_allclose(step.after, [-2.5 + 0.75, 2.5 - 0.25])


def test_balls_on_the_four_valleys_end_in_the_valley_on_their_side():
    minima = {p.point for p in FOUR_VALLEYS.stationary_points if p.kind == fn.MINIMUM}
    ends = set()
    for start in [(-1.5, -1.5), (1.5, -1.5), (-1.5, 1.5), (1.5, 1.5)]:
        descent = Descent(FOUR_VALLEYS.evaluate, start, 0.05, scale=4)
        for _ in range(500):
            descent.step()
        (nearest,) = [m for m in minima if np.allclose(m, descent.point, atol=1e-3)]
        ends.add(nearest)
    assert ends == minima


def test_the_learning_rate_must_be_positive():
    with pytest.raises(ValueError):
        Descent(PARABOLA.evaluate, [0.0], 0.0)


def test_a_step_to_a_point_just_as_high_is_level_not_a_climb():
    descent = Descent(PARABOLA.evaluate, [4.5], 1.0, scale=8)
    step = descent.step()
    assert step.after[0] == -2.5 and step.cost_after == step.cost_before
    assert step.outcome == fn.LEVEL
    # Within a millionth is level too: how a cost could round, whatever its last digits.
    assert fn.level(13.25, 13.25 * (1 + 1e-9)) and not fn.level(13.25, 13.2501)
