"""Reading the gradient one component at a time: ranking and nudging."""

import numpy as np
import pytest

from gdtui.core import sensitivity
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network


def test_largest_and_smallest_by_magnitude():
    grad = np.array([0.1, -0.9, 0.0, 0.5, -0.05], dtype=np.float32)
    assert [c.index for c in sensitivity.largest(grad, 3)] == [1, 3, 0]
    assert [c.index for c in sensitivity.smallest(grad, 2)] == [2, 4]
    top = sensitivity.largest(grad, 1)[0]
    assert top.relative == 1.0 and top.importance == "a lot" and top.direction == "increase"


def test_words_for_direction_and_importance():
    grad = np.array([1.0, 0.3, -0.005, 0.0], dtype=np.float32)
    components = {c.index: c for c in sensitivity.largest(grad, 4)}
    assert components[0].direction == "decrease"  # a positive slope: the step goes down
    assert components[2].direction == "increase"
    assert components[3].direction == "stay"
    assert [components[k].importance for k in range(4)] == ["a lot", "somewhat", "a little", "hardly at all"]


@pytest.fixture(scope="module")
def sample(tiny_mnist_dir):
    data = load_dataset(tiny_mnist_dir)
    return data.train.inputs(slice(0, 500)), data.train.labels[:500]


def test_a_small_nudge_changes_the_cost_by_slope_times_delta(sample):
    x, labels = sample
    network = Network(seed=0)
    probe = network.copy()
    probe.gradient(x, labels, "quadratic")
    k = sensitivity.largest(probe.grad, 1)[0].index
    before = float(network.params[k])
    result = sensitivity.nudge(network, k, 0.05, x, labels, "quadratic")
    assert network.params[k] == np.float32(before + 0.05)
    assert result.slope == pytest.approx(float(probe.grad[k]))
    assert result.measured == pytest.approx(result.predicted, rel=0.1)
    assert result.cost_before == pytest.approx(sensitivity.average_cost(probe, x, labels, "quadratic"), rel=1e-6)


def test_a_weight_that_hardly_matters_hardly_changes_the_cost(sample):
    x, labels = sample
    network = Network(seed=0)
    corner = 0  # the weight from pixel (0,0): MNIST's corners are always black
    result = sensitivity.nudge(network, corner, 0.5, x, labels, "quadratic")
    assert result.slope == 0.0 and result.measured == pytest.approx(0.0, abs=1e-6)


def test_nudging_leaves_the_networks_own_gradient_alone(sample):
    x, labels = sample
    network = Network(seed=0)
    network.grad[:] = 7.0
    sensitivity.nudge(network, 5, 0.1, x, labels, "quadratic")
    assert (network.grad == 7.0).all()


def test_a_vanishing_gradient_matters_hardly_at_all_even_when_it_is_the_largest():
    grad = np.array([3e-15, 1e-16], dtype=np.float64)
    assert [c.importance for c in sensitivity.largest(grad, 2)] == ["hardly at all", "hardly at all"]
