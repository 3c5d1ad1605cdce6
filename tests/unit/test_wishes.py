"""One image's wishes are backpropagation's numbers: checked against backprop and against finite differences."""

import numpy as np
import pytest

from gdtui.core import backprop, costs, finite_differences, wishes
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.presets import PRESETS
from gdtui.core.training import Trainer

H = 1e-6


@pytest.fixture(scope="module")
def data(tiny_mnist_dir):
    return load_dataset(tiny_mnist_dir)


@pytest.fixture(scope="module")
def tuned(data):
    """The tuned preset's network, trained a little: ReLU hidden layers, softmax outputs, cross-entropy."""
    preset = PRESETS["tuned"]
    network = Network(activation=preset.activation, output=preset.output, seed=4, dtype=np.float64)
    trainer = Trainer(network, data.train, cost=preset.cost, learning_rate=preset.learning_rate, seed=4)
    for _ in range(100):
        trainer.step()
    return network


@pytest.fixture(params=["lesson", "tuned"])
def set_up(request, trained, tuned):
    """(network, cost): the lesson's sigmoid network with the quadratic cost, and the tuned one."""
    if request.param == "lesson":
        return trained, "quadratic"
    return tuned, "cross-entropy"


def image(data, n):
    return data.train.inputs(n).astype(np.float64).ravel(), int(data.train.labels[n])


def one_image_gradient(network, x, label, cost):
    """∂C₀/∂w for every parameter, by backprop on one image, split into layers."""
    _, grad = backprop.gradient(network, x[None, :], np.array([label]), cost)
    return network.layer_views(grad)


def cost_from(network, a, layer, label, cost):
    """C₀ with layer l's activations set to `a`: the rest of the network run from there."""
    for later in range(layer + 1, network.layer_count + 1):
        z = network.weights[later - 1] @ a + network.biases[later - 1]
        a = backprop.activate(z, network.output if later == network.layer_count else network.activation)
    y = costs.one_hot(np.array([label]), network.sizes[-1], np.float64)
    return float(costs.cost(cost, a[None, :], y)[0])


def test_the_quadratic_outputs_wish_minus_twice_their_miss(trained, data):
    x, label = image(data, 0)
    w = wishes.wishes(trained, x, label, "quadratic")
    y = np.eye(10)[label]
    np.testing.assert_array_equal(w.wish_a[3], -2 * (w.a[3] - y))
    assert w.wish_a[3][label] > 0
    assert (np.delete(w.wish_a[3], label) < 0).all()


def test_cross_entropy_wishes_only_the_right_output_up(tuned, data):
    x, label = image(data, 0)
    w = wishes.wishes(tuned, x, label, "cross-entropy")
    assert w.wish_a[3][label] == pytest.approx(1 / w.a[3][label], rel=1e-15)
    assert not np.delete(w.wish_a[3], label).any()
    # Through softmax, raising the right z lowers every other output: the wish on z is y − a.
    np.testing.assert_allclose(w.wish_z[3], np.eye(10)[label] - w.a[3], rtol=0, atol=1e-15)


def test_every_layer_s_wishes_on_activations_are_minus_the_cost_s_slope(set_up, data):
    network, cost = set_up
    x, label = image(data, 7)
    w = wishes.wishes(network, x, label, cost)
    for layer in (1, 2, 3):
        for k in range(network.sizes[layer]):
            a = w.a[layer].copy()
            a[k] += H
            up = cost_from(network, a, layer, label, cost)
            a[k] -= 2 * H
            down = cost_from(network, a, layer, label, cost)
            numeric = -(up - down) / (2 * H)
            assert w.wish_a[layer][k] == pytest.approx(numeric, rel=1e-5, abs=1e-9), (layer, k)


def test_the_three_levers_are_minus_backprop_s_gradient_for_one_image(set_up, data):
    network, cost = set_up
    x, label = image(data, 3)
    w = wishes.wishes(network, x, label, cost)
    grad_w, grad_b = one_image_gradient(network, x, label, cost)
    for layer in (1, 2, 3):
        for j in range(network.sizes[layer]):
            assert w.bias_wish(layer, j) == pytest.approx(-grad_b[layer - 1][j], rel=1e-12, abs=1e-15)
            np.testing.assert_allclose(w.weight_wishes(layer, j), -grad_w[layer - 1][j], rtol=1e-12, atol=1e-15)
    # Lever 3: what each output neuron alone asks of layer 2 adds up, over the ten, to layer 2's wish list.
    asked = sum(w.activation_wishes(3, j) for j in range(10))
    np.testing.assert_allclose(asked, w.wish_a[2], rtol=1e-12, atol=1e-15)


def test_hidden_wish_lists_are_summed_from_the_layer_after_term_by_term(set_up, data):
    network, cost = set_up
    x, label = image(data, 5)
    w = wishes.wishes(network, x, label, cost)
    for layer in (1, 2):
        for k in range(network.sizes[layer]):
            terms = w.terms(layer, k)
            assert len(terms) == network.sizes[layer + 1]
            assert terms.sum() == pytest.approx(w.wish_a[layer][k], rel=1e-12, abs=1e-15)
            assert terms[0] == network.weights[layer][0, k] * w.wish_z[layer + 1][0]


def test_the_images_wishes_averaged_are_the_negative_gradient(set_up, data):
    network, cost = set_up
    x, labels = data.train.inputs(slice(0, 10)).astype(np.float64), data.train.labels[:10]
    _, grad = backprop.gradient(network, x, labels, cost)
    for layer, j, k in ((3, 2, 5), (2, 7, 0), (1, 4, 350)):
        each = wishes.weight_wishes_of_images(network, x, labels, cost, layer, j, k)
        assert len(each) == 10 and len(set(each.tolist())) > 1  # each image wants something else
        component = grad[wishes.weight_index(network, layer, j, k)]
        assert component != 0
        assert each.mean() == pytest.approx(-component, rel=1e-12)


def test_indices_name_the_weight_and_bias_they_point_at(trained):
    assert wishes.weight_index(trained, 3, 2, 5) == (784 * 16 + 16) + (16 * 16 + 16) + 2 * 16 + 5  # after layers 1 and 2
    p = trained.parameter(wishes.weight_index(trained, 2, 7, 9))
    assert (p.layer, p.kind, p.neuron, p.source) == (2, "weight", 7, 9)
    p = trained.parameter(wishes.bias_index(trained, 3, 4))
    assert (p.layer, p.kind, p.neuron) == (3, "bias", 4)


def test_the_chain_rule_s_product_is_the_finite_difference(set_up, data):
    network, cost = set_up
    x, label = image(data, 1)
    w = wishes.wishes(network, x, label, cost)
    j, k = label, int(np.argmax(w.a[2]))
    i = int(np.argmax(np.abs(w.a[1] * w.slope(2)[k])))  # a weight that does move the cost
    chain = wishes.chain_rule(w, j, k, i)
    double = finite_differences.in_double(network)
    one = (x[None, :], np.array([label]))

    def difference(k_flat):
        return finite_differences.finite_difference(double, k_flat, *one, cost)

    assert chain.a_prev == w.a[2][k] and chain.weight == network.weights[2][j, k]
    if cost == "quadratic":
        assert chain.slope == pytest.approx(w.a[3][j] * (1 - w.a[3][j]), rel=1e-12)
        assert chain.cost_slope == 2 * (w.a[3][j] - 1)
        assert chain.dz == pytest.approx(chain.slope * chain.cost_slope, rel=1e-12)
    else:
        assert chain.slope is None and chain.cost_slope is None  # softmax: one factor ∂C₀/∂z
        assert chain.dz == pytest.approx(w.a[3][j] - 1, rel=1e-12)
    assert chain.weight_derivative == pytest.approx(difference(wishes.weight_index(network, 3, j, k)), rel=1e-6)
    assert chain.bias_derivative == pytest.approx(difference(wishes.bias_index(network, 3, j)), rel=1e-6)
    assert chain.path == chain.weight * chain.dz
    assert chain.activation_derivative == pytest.approx(sum(-w.terms(2, k)), rel=1e-12)
    # BP2: the δ one layer back is that neuron's bias derivative, and its own wish on z turned round.
    assert chain.hidden_delta == pytest.approx(-w.wish_z[2][k], rel=1e-12)
    assert chain.hidden_delta == pytest.approx(difference(wishes.bias_index(network, 2, k)), rel=1e-6)
    earlier = difference(wishes.weight_index(network, 2, k, i))
    assert earlier != 0
    assert chain.earlier_weight_derivative == pytest.approx(earlier, rel=1e-6)


def test_the_network_given_is_left_alone(data):
    network = Network(seed=0)
    before = network.params.copy()
    x, label = image(data, 0)
    w = wishes.wishes(network, x, label, "quadratic")
    assert w.network is not network and w.network.params.dtype == np.float64
    np.testing.assert_array_equal(network.params, before)


def test_the_most_disputed_weight_is_the_one_whose_wishes_spread_widest(set_up, data):
    network, cost = set_up
    x, labels = data.train.inputs(slice(0, 10)).astype(np.float64), data.train.labels[:10]
    every = wishes.neuron_weight_wishes_of_images(network, x, labels, cost, 3, 4)
    assert every.shape == (10, 16)
    for k in (0, 7, 15):
        np.testing.assert_array_equal(every[:, k], wishes.weight_wishes_of_images(network, x, labels, cost, 3, 4, k))
    spread = every.max(axis=0) - every.min(axis=0)
    assert spread[wishes.most_disputed(every)] == spread.max()
    assert wishes.most_disputed(np.array([[0.0, 1.0, -1.0], [0.0, -1.0, 1.0]])) == 1, "equal spreads: the first"
