"""Cost functions and their pairing with the output layer."""

import math

import numpy as np
import pytest

from gdtui.core import costs


def test_one_hot():
    y = costs.one_hot(np.array([3, 0, 9]), 10)
    assert y.shape == (3, 10)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.argmax(axis=1), [3, 0, 9])
    np.testing.assert_array_equal(y.sum(axis=1), [1, 1, 1])
    assert costs.one_hot(np.array([1]), 4, dtype=np.float64).dtype == np.float64


def test_one_hot_targets_are_fresh_arrays():
    y = costs.one_hot(np.array([2, 2]), 3)
    y[:] = 7.0
    np.testing.assert_array_equal(costs.one_hot(np.array([2]), 3), [[0.0, 0.0, 1.0]])


@pytest.mark.parametrize(
    ("name", "output"),
    [("quadratic", "sigmoid"), ("quadratic", "softmax"), ("cross-entropy", "softmax")],
)
def test_cost_and_delta_gives_the_summed_cost_and_the_output_delta(name, output):
    outputs = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    targets = costs.one_hot(np.array([1, 2]), 3, dtype=np.float64)
    total, delta = costs.cost_and_delta(name, output, outputs, targets)
    assert total == pytest.approx(costs.cost(name, outputs, targets).sum())
    np.testing.assert_allclose(delta, costs.output_delta(name, output, outputs, targets))
    assert delta.shape == outputs.shape


def test_quadratic_cost_by_hand():
    # All outputs 0.5 for a 3: nine wrong digits cost 0.5² each, the right one (1 − 0.5)².
    outputs = np.full((1, 10), 0.5, dtype=np.float32)
    targets = costs.one_hot(np.array([3]), 10)
    assert costs.quadratic(outputs, targets) == pytest.approx([9 * 0.25 + 0.25])
    assert costs.cost("quadratic", outputs, targets) == pytest.approx([2.5])


def test_quadratic_cost_is_per_example():
    outputs = np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.6]])
    targets = costs.one_hot(np.array([0, 0, 1]), 2)
    np.testing.assert_allclose(costs.quadratic(outputs, targets), [0.0, 2.0, 0.04 + 0.16])


def test_cross_entropy_is_minus_log_of_the_right_output():
    outputs = np.array([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]])
    targets = costs.one_hot(np.array([1, 2]), 3)
    np.testing.assert_allclose(costs.cross_entropy(outputs, targets), [-math.log(0.7), -math.log(0.25)])
    np.testing.assert_allclose(costs.cost("cross-entropy", outputs, targets), [-math.log(0.7), -math.log(0.25)])


@pytest.mark.parametrize("name", costs.COSTS)
def test_a_confident_miss_costs_more_than_a_near_hit(name):
    targets = costs.one_hot(np.array([2]), 4)
    near = np.array([[0.01, 0.01, 0.97, 0.01]])
    miss = np.array([[0.97, 0.01, 0.01, 0.01]])
    assert costs.cost(name, miss, targets)[0] > 10 * costs.cost(name, near, targets)[0]


def test_a_certain_miss_costs_a_finite_amount():
    cost = costs.cross_entropy(np.array([[1.0, 0.0]]), costs.one_hot(np.array([1]), 2))
    assert np.isfinite(cost).all()
    assert cost[0] == pytest.approx(-math.log(1e-30))


@pytest.mark.parametrize(
    ("name", "output"),
    [("quadratic", "sigmoid"), ("quadratic", "softmax"), ("cross-entropy", "softmax")],
)
def test_check_accepts_compatible_pairs(name, output):
    costs.check(name, output)


def test_check_rejects_cross_entropy_with_sigmoid_outputs():
    with pytest.raises(ValueError, match="softmax"):
        costs.check("cross-entropy", "sigmoid")


def test_check_rejects_unknown_costs():
    with pytest.raises(ValueError, match="hinge"):
        costs.check("hinge", "softmax")


@pytest.mark.parametrize("misspelt", ["Quadratic", "cross_entropy", "mse", ""])
def test_an_unknown_cost_name_is_an_error_not_another_cost(misspelt):
    outputs = np.full((1, 3), 0.5, dtype=np.float32)
    targets = np.eye(3, dtype=np.float32)[:1]
    for use in (
        lambda: costs.cost(misspelt, outputs, targets),
        lambda: costs.terms(misspelt, outputs, targets),
        lambda: costs.cost_and_delta(misspelt, "sigmoid", outputs, targets),
        lambda: costs.check(misspelt, "sigmoid"),
    ):
        with pytest.raises(ValueError, match="cost must be one of quadratic, cross-entropy"):
            use()
