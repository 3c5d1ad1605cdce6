"""The network: one flat parameter vector, its layer views, the forward pass and backprop."""

import numpy as np
import pytest

from gdtui.core import costs
from gdtui.core.network import LESSON_SIZES, Network, count_parameters, layer_name, neuron_name, sigmoid, softmax

# Where each block of the 784-16-16-10 vector starts, worked out by hand:
# 16·784 weights, 16 biases, 16·16 weights, 16 biases, 10·16 weights, 10 biases.
W1, B1, W2, B2, W3, B3, END = 0, 12544, 12560, 12816, 12832, 12992, 13002


def test_the_lesson_network_has_13002_parameters():
    net = Network()
    assert count_parameters(LESSON_SIZES) == 13_002
    assert net.num_params == net.params.size == 13_002
    assert net.params.dtype == np.float32


def test_count_parameters_of_a_small_network():
    assert count_parameters((3, 2)) == 3 * 2 + 2
    assert count_parameters((4, 3, 2)) == (4 * 3 + 3) + (3 * 2 + 2)


def test_weights_and_biases_are_views_into_params():
    net = Network()
    assert [w.shape for w in net.weights] == [(16, 784), (16, 16), (10, 16)]
    assert [b.shape for b in net.biases] == [(16,), (16,), (10,)]
    net.params[W1 + 3 * 784 + 5] = 7.0
    assert net.weights[0][3, 5] == 7.0
    net.params[B2 + 4] = -3.0
    assert net.biases[1][4] == -3.0
    net.weights[2][9, 15] = 2.5
    assert net.params[W3 + 9 * 16 + 15] == 2.5
    net.biases[2][9] = 1.5
    assert net.params[END - 1] == 1.5


def test_gradient_views_are_views_into_grad():
    net = Network()
    net.grad[W2 + 16 + 2] = 4.0
    assert net.grad_weights[1][1, 2] == 4.0
    net.grad_biases[0][15] = -1.0
    assert net.grad[B1 + 15] == -1.0
    assert all(np.shares_memory(g, net.grad) for g in net.grad_weights + net.grad_biases)
    assert not np.shares_memory(net.grad, net.params)


def test_gradient_is_written_into_the_same_vector():
    net = Network()
    grad = net.grad
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    net.gradient(x, np.array([0, 1, 2, 3]), "quadratic")
    assert net.grad is grad
    np.testing.assert_array_equal(net.grad[W3:B3], net.grad_weights[2].ravel())
    assert np.any(net.grad != 0)


def test_the_batch_gradient_is_the_average_of_the_examples_gradients():
    net = Network((6, 5, 4), dtype=np.float64, seed=3)
    rng = np.random.default_rng(3)
    x, labels = rng.random((5, 6)), np.array([0, 3, 1, 3, 2])
    alone = []
    for i in range(len(x)):
        net.gradient(x[i : i + 1], labels[i : i + 1], "quadratic")
        alone.append(net.grad.copy())
    cost, _ = net.gradient(x, labels, "quadratic")
    np.testing.assert_allclose(net.grad, np.mean(alone, axis=0), rtol=1e-12)
    assert cost == pytest.approx(costs.cost("quadratic", net.forward(x), costs.one_hot(labels, 4, np.float64)).mean())


def test_a_float32_network_takes_float64_inputs_in_its_own_precision():
    net = Network((6, 5, 4), seed=1)
    x = np.random.default_rng(1).random((3, 6))
    cost, outputs = net.gradient(x, np.array([0, 1, 2]), "quadratic")
    assert outputs.dtype == net.grad.dtype == np.float32
    expected = net.grad.copy()
    net.gradient(x.astype(np.float32), np.array([0, 1, 2]), "quadratic")
    np.testing.assert_array_equal(net.grad, expected)


@pytest.mark.parametrize(
    ("k", "layer", "kind", "neuron", "source"),
    [
        (W1, 1, "weight", 0, 0),
        (B1 - 1, 1, "weight", 15, 783),
        (B1, 1, "bias", 0, None),
        (W2 - 1, 1, "bias", 15, None),
        (W2, 2, "weight", 0, 0),
        (B2 - 1, 2, "weight", 15, 15),
        (B2, 2, "bias", 0, None),
        (W3, 3, "weight", 0, 0),
        (B3 - 1, 3, "weight", 9, 15),
        (B3, 3, "bias", 0, None),
        (END - 1, 3, "bias", 9, None),
    ],
)
def test_parameter_locates_the_first_and_last_index_of_each_block(k, layer, kind, neuron, source):
    p = Network().parameter(k)
    assert (p.index, p.layer, p.kind, p.neuron, p.source) == (k, layer, kind, neuron, source)


@pytest.mark.parametrize("k", [-1, END])
def test_parameter_outside_the_vector_is_an_index_error(k):
    with pytest.raises(IndexError):
        Network().parameter(k)


def test_parameter_descriptions_name_each_neuron_as_every_screen_does():
    # The Network step's names: pixels in, "layer 1" and "layer 2" hidden, "output" out.
    net = Network()
    assert net.parameter(W1 + 28 * 3 + 4).describe((28, 28)) == "pixel (3,4) → layer 1 neuron 0"
    assert net.parameter(B1 - 1).describe((28, 28)) == "pixel (27,27) → layer 1 neuron 15"
    assert net.parameter(B1 - 1).describe() == "input 783 → layer 1 neuron 15"
    assert net.parameter(W2 + 16 * 2 + 7).describe((28, 28)) == "layer 1 neuron 7 → layer 2 neuron 2"
    assert net.parameter(END - 10 - 1).describe() == "layer 2 neuron 15 → output 9"
    assert net.parameter(END - 1).describe() == "bias of output 9"
    assert [layer_name(net.sizes, layer) for layer in range(4)] == ["input", "layer 1", "layer 2", "output"]
    assert neuron_name(net.sizes, 2, 10) == "layer 2 neuron 10" and neuron_name(net.sizes, 3, 6) == "output 6"


def test_same_seed_same_parameters_different_seed_different():
    np.testing.assert_array_equal(Network(seed=5).params, Network(seed=5).params)
    assert not np.array_equal(Network(seed=5).params, Network(seed=6).params)


def test_fresh_biases_are_zero_and_weights_scale_with_fan_in():
    net = Network(seed=0)
    assert all(np.all(b == 0) for b in net.biases)
    # Weights ~ N(0, 1/n_in): the first layer's spread is about 1/√784.
    assert net.weights[0].std() == pytest.approx(1 / 28, rel=0.05)
    relu = Network(activation="relu", seed=0)
    assert relu.weights[0].std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)


def test_copy_is_independent_and_keeps_the_set_up():
    net = Network(activation="relu", output="softmax", seed=2, dtype=np.float64)
    twin = net.copy()
    assert (twin.sizes, twin.activation, twin.output, twin.params.dtype) == (
        net.sizes,
        "relu",
        "softmax",
        np.float64,
    )
    np.testing.assert_array_equal(twin.params, net.params)
    twin.params[0] += 1.0
    assert twin.params[0] != net.params[0]


@pytest.mark.parametrize(
    "kwargs",
    [{"activation": "tanh"}, {"output": "relu"}, {"sizes": (784,)}, {"sizes": (784, 0, 10)}],
)
def test_an_impossible_network_is_refused(kwargs):
    with pytest.raises(ValueError):
        Network(**kwargs)


def test_activations_have_one_array_per_layer():
    net = Network((6, 5, 4, 3))
    x = np.random.default_rng(0).random((7, 6), dtype=np.float32)
    a = net.activations(x)
    assert [layer.shape for layer in a] == [(7, 6), (7, 5), (7, 4), (7, 3)]
    assert a[0] is x
    np.testing.assert_array_equal(net.forward(x), a[-1])
    np.testing.assert_array_equal(net.predict(x), a[-1].argmax(axis=1))


def test_relu_hidden_layers_are_never_negative():
    net = Network(activation="relu", output="softmax", seed=1)
    x = np.random.default_rng(1).random((20, 784), dtype=np.float32)
    hidden = net.activations(x)[1:-1]
    assert all((a >= 0).all() for a in hidden)
    assert any((a == 0).any() for a in hidden)


def test_sigmoid_outputs_lie_strictly_between_0_and_1():
    net = Network(seed=3)
    x = np.random.default_rng(3).random((50, 784), dtype=np.float32)
    out = net.forward(x)
    assert ((out > 0) & (out < 1)).all()


def test_softmax_rows_are_probabilities():
    net = Network(output="softmax", seed=3)
    x = np.random.default_rng(3).random((50, 784), dtype=np.float32)
    out = net.forward(x)
    assert (out > 0).all()
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_softmax_is_stable_for_large_inputs():
    # Underflow to 0 is the right answer for e^−2000; overflow or NaN would not be.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    np.testing.assert_allclose(p, [[0.5, 0.5, 0.0]])


def test_sigmoid_values_and_no_overflow_at_the_extremes():
    z = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with np.errstate(all="raise"):
        s = sigmoid(z)
        s32 = sigmoid(z.astype(np.float32))
    np.testing.assert_allclose(s, [0.0, 1 / (1 + np.e), 0.5, 1 / (1 + np.exp(-1)), 1.0], atol=1e-12)
    assert s32.dtype == np.float32
    assert np.isfinite(s32).all()


def test_float64_network_computes_in_float64():
    net = Network((6, 5, 3), dtype=np.float64)
    assert net.params.dtype == net.grad.dtype == np.float64
    x = np.random.default_rng(0).random((4, 6))
    assert net.forward(x).dtype == np.float64


# Gradient check: backprop against central finite differences, in float64.

SET_UPS = [
    ("sigmoid", "sigmoid", "quadratic"),
    ("relu", "softmax", "cross-entropy"),
    ("relu", "softmax", "quadratic"),
    ("sigmoid", "softmax", "cross-entropy"),
    ("relu", "sigmoid", "quadratic"),
]


@pytest.mark.parametrize(("activation", "output", "cost"), SET_UPS)
def test_backprop_matches_finite_differences(activation, output, cost):
    rng = np.random.default_rng(42)
    net = Network(activation=activation, output=output, seed=7, dtype=np.float64)
    # Non-zero biases, so their gradients are exercised away from the starting point.
    net.params[:] += rng.normal(0.0, 0.1, net.num_params)
    x = rng.random((6, 784))
    labels = rng.integers(0, 10, 6)
    targets = costs.one_hot(labels, 10, dtype=np.float64)

    average_cost, outputs = net.gradient(x, labels, cost)
    backprop = net.grad.copy()

    def cost_at() -> float:
        return float(costs.cost(cost, net.forward(x), targets).mean())

    assert average_cost == pytest.approx(cost_at(), rel=1e-12)
    np.testing.assert_allclose(outputs, net.forward(x))
    # Ten parameters from each layer, weights and biases alike.
    blocks = [(W1, W2), (W2, W3), (W3, END)]
    sample = np.concatenate([rng.choice(np.arange(lo, hi), 10, replace=False) for lo, hi in blocks])
    h = 1e-6
    for k in sample:
        original = net.params[k]
        net.params[k] = original + h
        up = cost_at()
        net.params[k] = original - h
        down = cost_at()
        net.params[k] = original
        numeric = (up - down) / (2 * h)
        scale = max(abs(numeric), abs(backprop[k]), 1e-6)  # rounding noise is ~1e-10
        assert abs(numeric - backprop[k]) / scale < 1e-4, f"parameter {k}: {net.parameter(k).describe()}"
    assert np.count_nonzero(backprop[sample]) >= len(sample) // 2
