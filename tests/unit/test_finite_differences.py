"""The gradient two ways: backprop against the central difference, and how long each takes."""

import numpy as np
import pytest

from gdtui.core import finite_differences, sensitivity
from gdtui.core.dataset import load_dataset
from gdtui.core.finite_differences import Comparison, Timing
from gdtui.core.network import Network

SETUPS = {
    "sigmoid-quadratic": (dict(activation="sigmoid", output="sigmoid"), "quadratic"),
    "relu-softmax-cross-entropy": (dict(activation="relu", output="softmax"), "cross-entropy"),
}


@pytest.fixture(scope="module")
def sample(tiny_mnist_dir):
    data = load_dataset(tiny_mnist_dir)
    return data.train.inputs(slice(0, 100)), data.train.labels[:100]


@pytest.mark.parametrize("setup", SETUPS, ids=list(SETUPS))
def test_the_estimate_agrees_with_backprop_in_float64(sample, setup):
    kwargs, cost = SETUPS[setup]
    x, labels = sample
    network = Network(seed=2, **kwargs)
    reference = Network(params=network.params, dtype=np.float64, **kwargs)
    reference.gradient(x.astype(np.float64), labels, cost)
    picks = finite_differences.largest_per_layer(network, reference.grad)
    for c in finite_differences.compare(network, picks, x, labels, cost):
        assert c.backprop == reference.grad[c.index]
        assert c.estimate == pytest.approx(c.backprop, rel=1e-6)
        assert c.relative_difference < 1e-6


def test_the_estimate_is_the_central_difference_of_the_costs(sample):
    x, labels = sample
    network = finite_differences.in_double(Network(seed=0))
    before = network.params.copy()
    k = 12_995  # a bias of the output layer
    up, down = finite_differences.nudged_costs(network, k, x, labels, "quadratic", h=1e-4)
    np.testing.assert_array_equal(network.params, before)  # put back exactly
    network.params[k] += 1e-4
    assert up == sensitivity.average_cost(network, x, labels, "quadratic")
    assert finite_differences.finite_difference(network, k, x, labels, "quadratic", h=1e-4) != 0
    c = Comparison(k, 0.0, up, down, 1e-4)
    assert c.estimate == (up - down) / 2e-4


def test_float32_rounding_would_swamp_the_estimate(sample):
    """Why the comparison runs in float64: the same difference in float32 misses by far more."""
    x, labels = sample
    network = Network(seed=0)
    reference = finite_differences.in_double(network)
    reference.gradient(x.astype(np.float64), labels, "quadratic")
    k = finite_differences.largest_per_layer(network, reference.grad)[-1]
    in_float32 = finite_differences.finite_difference(network, k, x, labels, "quadratic")
    assert abs(in_float32 - reference.grad[k]) > 1e-3 * abs(reference.grad[k])


def test_the_network_itself_is_left_alone(sample):
    x, labels = sample
    network = Network(seed=0)
    before = network.params.copy()
    finite_differences.compare(network, [0, 5, 12_543], x, labels, "quadratic")
    finite_differences.time_gradients(network, x, labels, "quadratic", 5, passes=2)
    np.testing.assert_array_equal(network.params, before)
    assert network.params.dtype == np.float32 and not network.grad.any()


def test_largest_per_layer_picks_each_layers_steepest_weight_and_bias():
    network = Network((4, 3, 2), seed=0)
    grad = np.zeros(network.num_params)
    weights, biases = network.layer_views(grad)
    weights[0][2, 1] = -5.0  # k = 2·4 + 1 = 9
    weights[0][0, 0] = 4.0  # smaller than 5 in size: not picked
    biases[0][1] = 0.5  # k = 12 + 1 = 13
    weights[1][1, 2] = 3.0  # k = 15 + 1·3 + 2 = 20
    biases[1][0] = -7.0  # k = 15 + 6 = 21
    assert finite_differences.largest_per_layer(network, grad) == [21, 9, 20, 13]


def test_relative_difference():
    assert Comparison(0, 2.0, 1.0 + 2e-3, 1.0 - 2e-3, 1e-3).relative_difference == pytest.approx(0.0, abs=1e-12)
    assert Comparison(0, 1.0, 1.0 + 2e-3, 1.0 - 2e-3, 1e-3).relative_difference == pytest.approx(0.5)
    assert Comparison(0, 0.0, 1.0, 1.0, 1e-3).relative_difference == 0.0


def test_timing_measures_both_and_extrapolates_linearly(sample):
    x, labels = sample
    seen = []
    timing = finite_differences.time_gradients(
        Network(seed=0), x, labels, "quadratic", 40, passes=8, progress=lambda done, total: seen.append((done, total))
    )
    assert timing.parameters == 13_002 and timing.measured == 40 and timing.passes == 8
    assert timing.backprop_seconds > 0 and timing.per_parameter_seconds > 0
    assert timing.finite_differences_seconds == pytest.approx(timing.per_parameter_seconds * 13_002)
    assert seen == [(done, 40) for done in range(1, 41)]


def test_twice_the_parameters_take_twice_as_long():
    one = Timing(parameters=1_000, backprop_seconds=1e-3, passes=10, measured=50, per_parameter_seconds=2e-4)
    two = Timing(parameters=2_000, backprop_seconds=1e-3, passes=10, measured=50, per_parameter_seconds=2e-4)
    assert one.finite_differences_seconds == pytest.approx(0.2)
    assert two.finite_differences_seconds == pytest.approx(2 * one.finite_differences_seconds)
    assert two.finite_differences_seconds / two.backprop_seconds == pytest.approx(400.0)


def test_a_progress_report_can_stop_the_timing(sample):
    x, labels = sample

    class Stop(Exception):
        pass

    def stop_at_three(done: int, total: int) -> None:
        if done == 3:
            raise Stop

    with pytest.raises(Stop):
        finite_differences.time_gradients(Network(seed=0), x, labels, "quadratic", 40, progress=stop_at_three)
    with pytest.raises(ValueError):
        finite_differences.time_gradients(Network(seed=0), x, labels, "quadratic", 0)
