"""The textbook backprop is right, and the fast one computes the same numbers."""

import numpy as np
import pytest

from gdtui.core import backprop, costs
from gdtui.core.dataset import INPUT_PER_BRIGHTNESS
from gdtui.core.network import ACTIVATIONS, OUTPUTS, Network
from tests.numerics import float32_sum_spread, gradient_tolerance, network_output_tolerance

SET_UPS = [
    (activation, output, cost)
    for activation in ACTIVATIONS
    for output in OUTPUTS
    for cost in costs.COSTS
    if output in costs.COMPATIBLE_OUTPUTS[cost]
]


def test_every_supported_set_up_is_checked():
    assert len(SET_UPS) == 6
    assert ("relu", "softmax", "cross-entropy") in SET_UPS
    assert ("sigmoid", "sigmoid", "cross-entropy") not in SET_UPS


def moved_network(activation, output, seed, sizes=(784, 16, 16, 10), dtype=np.float32):
    """A network away from its starting point: non-zero biases exercise their gradients too."""
    net = Network(sizes, activation=activation, output=output, seed=seed, dtype=dtype)
    net.params[:] += np.random.default_rng(seed).normal(0.0, 0.1, net.num_params).astype(dtype)
    return net


@pytest.mark.parametrize(("activation", "output", "cost"), SET_UPS)
def test_the_reference_matches_finite_differences(activation, output, cost):
    net = moved_network(activation, output, 5, sizes=(6, 5, 4, 3), dtype=np.float64)
    rng = np.random.default_rng(5)
    x, labels = rng.random((4, 6)), rng.integers(0, 3, 4)
    targets = costs.one_hot(labels, 3, np.float64)
    average, exact = backprop.gradient(net, x, labels, cost)

    def cost_at() -> float:
        return float(costs.cost(cost, net.forward(x), targets).mean())

    assert average == pytest.approx(cost_at(), rel=1e-12)
    h = 1e-6
    for k in range(net.num_params):
        original = net.params[k]
        net.params[k] = original + h
        up = cost_at()
        net.params[k] = original - h
        down = cost_at()
        net.params[k] = original
        numeric = (up - down) / (2 * h)
        scale = max(abs(numeric), abs(exact[k]), 1e-6)  # float64 rounding over 2h is ~1e-10
        assert abs(numeric - exact[k]) / scale < 1e-4, net.parameter(k).describe()
    assert np.count_nonzero(exact) > net.num_params // 2


@pytest.mark.parametrize("examples", [1, 10, 100])
@pytest.mark.parametrize(("activation", "output", "cost"), SET_UPS)
def test_the_fast_float32_gradient_matches_the_reference(activation, output, cost, examples):
    net = moved_network(activation, output, examples)
    rng = np.random.default_rng(examples)
    x, labels = rng.random((examples, 784), dtype=np.float32), rng.integers(0, 10, examples)
    exact_cost, exact = backprop.gradient(net, x, labels, cost)
    fast_cost, outputs = net.gradient(x, labels, cost)

    assert net.grad.dtype == np.float32
    for layer, (fast_w, fast_b, exact_w, exact_b) in enumerate(zip(*net.layer_views(net.grad), *net.layer_views(exact))):
        scale = max(np.abs(exact_w).max(), np.abs(exact_b).max())
        tolerance = gradient_tolerance(net.sizes, examples, scale)
        np.testing.assert_allclose(fast_w, exact_w, rtol=0, atol=tolerance, err_msg=f"weights of layer {layer + 1}")
        np.testing.assert_allclose(fast_b, exact_b, rtol=0, atol=tolerance, err_msg=f"biases of layer {layer + 1}")
    assert fast_cost == pytest.approx(exact_cost, rel=float32_sum_spread(sum(net.sizes) + examples))
    np.testing.assert_allclose(outputs, net.copy(np.float64).forward(x), rtol=0, atol=network_output_tolerance(net.sizes))


@pytest.mark.parametrize("sizes", [(784, 16, 16, 10), (784, 10)])
@pytest.mark.parametrize(("activation", "output", "cost"), SET_UPS)
def test_pixels_scaled_inside_the_network_give_the_gradient_of_the_scaled_inputs(activation, output, cost, sizes):
    net = moved_network(activation, output, 3, sizes=sizes)
    rng = np.random.default_rng(3)
    pixels, labels = rng.integers(0, 256, (10, 784)).astype(np.float32), rng.integers(0, 10, 10)
    exact_cost, exact = backprop.gradient(net, pixels / np.float32(255), labels, cost)
    fast_cost, outputs = net.gradient(pixels, labels, cost, input_scale=INPUT_PER_BRIGHTNESS)

    for layer, (fast_w, fast_b, exact_w, exact_b) in enumerate(zip(*net.layer_views(net.grad), *net.layer_views(exact))):
        scale = max(np.abs(exact_w).max(), np.abs(exact_b).max())
        tolerance = gradient_tolerance(net.sizes, 10, scale)
        np.testing.assert_allclose(fast_w, exact_w, rtol=0, atol=tolerance, err_msg=f"weights of layer {layer + 1}")
        np.testing.assert_allclose(fast_b, exact_b, rtol=0, atol=tolerance, err_msg=f"biases of layer {layer + 1}")
    assert fast_cost == pytest.approx(exact_cost, rel=float32_sum_spread(sum(net.sizes) + 10))
    expected = net.copy(np.float64).forward(pixels / 255)
    np.testing.assert_allclose(outputs, expected, rtol=0, atol=network_output_tolerance(net.sizes))
