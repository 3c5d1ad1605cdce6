"""Reading the gradient one component at a time: ranking, its zeros, and nudging."""

import numpy as np
import pytest

from gdtui.core import health, sensitivity
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network


def test_largest_and_smallest_by_magnitude_the_smallest_leaving_out_exact_zeros():
    grad = np.array([0.1, -0.9, 0.0, 0.5, -0.05], dtype=np.float32)
    assert [c.index for c in sensitivity.largest(grad, 3)] == [1, 3, 0]
    assert [c.index for c in sensitivity.smallest_nonzero(grad, 2)] == [4, 0]
    top = sensitivity.largest(grad, 1)[0]
    assert top.relative == 1.0 and top.importance == "a lot" and top.direction == "increase"


def test_words_for_direction_and_importance():
    grad = np.array([1.0, 0.3, -0.005, 0.0], dtype=np.float32)
    components = {c.index: c for c in sensitivity.largest(grad, 4)}
    assert components[0].direction == "decrease"  # a positive slope: the step goes down
    assert components[2].direction == "increase"
    assert components[3].direction == "stay"
    assert [components[k].importance for k in range(4)] == ["a lot", "somewhat", "a little", "hardly at all"]


def test_a_vanishing_gradient_matters_hardly_at_all_even_when_it_is_the_largest():
    grad = np.array([3e-15, 1e-16], dtype=np.float64)
    assert [c.importance for c in sensitivity.largest(grad, 2)] == ["hardly at all", "hardly at all"]


def test_no_component_of_a_gradient_that_has_vanished_as_a_whole_matters_much():
    # A saturated network's, as step 6 measured it at η 50: |∇C| = 2.9e-06, its largest component 9.85e-07.
    grad = np.array([-9.85e-07, -9.85e-07, 4e-07, 1e-09, 1.42e-35], dtype=np.float64)
    assert np.linalg.norm(grad) < health.VANISHED
    assert {c.importance for c in sensitivity.largest(grad, 5)} == {"hardly at all"}
    assert sensitivity.component(grad, 0).importance == "hardly at all"
    # The same shape at a learning network's size reads as each component compares with the largest.
    assert [c.importance for c in sensitivity.largest(grad * 1e4, 4)] == ["a lot", "a lot", "somewhat", "a little"]


def test_a_gradient_of_exactly_zero_is_not_said_to_have_all_but_vanished():
    network = Network(seed=0)
    network.biases[-1][:] = 40.0  # σ = 1 exactly in float64: every component is 0, none to rank
    x = np.random.default_rng(0).random((10, 784))
    report = sensitivity.report(network, [(x, np.arange(10))], "quadratic")
    assert report.norm == 0 and not report.vanished and not report.largest
    network.biases[-1][:] = 16.0
    assert sensitivity.report(network, [(x, np.arange(10))], "quadratic").vanished


@pytest.mark.parametrize("seed", range(5))
def test_equal_components_are_ranked_by_their_index_wherever_they_sit(seed):
    grad = np.zeros(5000, dtype=np.float32)
    places = np.random.default_rng(seed).permutation(5000)
    grad[places[:40]] = 0.5
    grad[places[40:80]] = -0.5
    grad[places[80:120]] = 1e-3
    assert [c.index for c in sensitivity.largest(grad, 50)] == sorted(places[:80])[:50]
    assert [c.index for c in sensitivity.smallest_nonzero(grad, 10)] == sorted(places[80:120])[:10]


@pytest.fixture(scope="module")
def sample(tiny_mnist_dir):
    data = load_dataset(tiny_mnist_dir)
    return data.train.inputs(slice(0, 500)), data.train.labels[:500]


def parts(x, labels, size):
    return [(x[i : i + size], labels[i : i + size]) for i in range(0, len(x), size)]


def test_the_report_is_the_float64_gradient_of_the_batch_however_it_is_split(sample):
    x, labels = sample[0][:10], sample[1][:10]
    network = Network(seed=0)
    whole = sensitivity.report(network, parts(x, labels, 10), "quadratic")
    split = sensitivity.report(network, parts(x, labels, 3), "quadratic")
    reference = network.copy(dtype=np.float64)
    cost, _ = reference.gradient(x.astype(np.float64), labels, "quadratic")
    np.testing.assert_allclose(whole.gradient, reference.grad, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(split.gradient, reference.grad, rtol=1e-12, atol=1e-15)
    assert whole.cost == pytest.approx(cost, rel=1e-12) and whole.images == 10
    assert [c.index for c in whole.largest] == [c.index for c in split.largest]
    assert whole.norm == pytest.approx(float(np.linalg.norm(reference.grad)))


def test_every_zero_component_is_accounted_for_and_blank_pixels_explain_the_first_layers(sample):
    x, labels = sample[0][:10], sample[1][:10]
    found = sensitivity.report(Network(seed=0), parts(x, labels, 4), "quadratic")
    blank = int(np.count_nonzero(~np.any(x != 0, axis=0)))
    assert found.zeros.blank_pixels == blank > 0
    assert found.zeros.from_blank_pixels == 16 * blank  # every weight from a blank pixel into the 16 neurons
    assert found.zeros.total == int(np.count_nonzero(found.gradient == 0))
    assert found.zeros.other == 0
    assert all(c.gradient != 0 for c in found.smallest)


def test_switched_off_relu_neurons_explain_their_zeros(sample):
    x, labels = sample[0][:10], sample[1][:10]
    network = Network(activation="relu", output="softmax", seed=0)
    network.biases[0][:3] = -1e3  # three first-layer neurons that never fire
    found = sensitivity.report(network, parts(x, labels, 4), "cross-entropy")
    inked = 784 - found.zeros.blank_pixels
    # Their weights from inked pixels, their biases, and the weights out of them into layer 2.
    assert found.zeros.from_still_neurons >= 3 * inked + 3 + 3 * 16
    assert found.zeros.total == int(np.count_nonzero(found.gradient == 0))
    assert found.zeros.other == 0


def test_a_small_nudge_changes_the_cost_by_the_reports_slope_times_delta(sample):
    x, labels = sample
    batch = parts(x, labels, 200)
    network = Network(seed=0)
    before = sensitivity.report(network, batch, "quadratic")
    k = before.largest[0].index
    old = float(network.params[k])
    result = sensitivity.nudge(network, k, 0.05, batch, "quadratic", before)
    assert network.params[k] == np.float32(old + 0.05)
    assert result.delta == float(network.params[k]) - old
    assert result.slope == before.largest[0].gradient
    assert result.cost_before == before.cost
    assert result.measured == pytest.approx(result.predicted, rel=0.1)
    assert np.sign(result.measured) == np.sign(result.slope * 0.05)


def test_a_tiny_slope_is_checked_over_a_small_enough_nudge_measured_in_float64(sample):
    x, labels = sample[0][:10], sample[1][:10]
    network = Network(seed=0)
    before = sensitivity.report(network, parts(x, labels, 10), "quadratic")
    k = before.smallest[0].index
    result = sensitivity.nudge(network, k, 0.1, parts(x, labels, 4), "quadratic", before)
    assert result.measurable and not result.agrees  # over 0.1 the bend outweighs the slope
    assert 0 < result.h < 0.1
    assert abs(result.checked_prediction) >= 100 * result.rounding
    assert result.checked == pytest.approx(result.checked_prediction, rel=1e-3)
    assert result.cost_before == pytest.approx(before.cost, rel=1e-14)


def test_a_weight_from_a_blank_pixel_changes_nothing(sample):
    x, labels = sample
    batch = parts(x, labels, 500)
    network = Network(seed=0)
    before = sensitivity.report(network, batch, "quadratic")
    corner = 0  # the weight from pixel (0,0): MNIST's corners are always black
    result = sensitivity.nudge(network, corner, 0.5, batch, "quadratic", before)
    assert result.slope == 0.0 and result.measured == 0.0
    assert not result.measurable


def test_reports_and_nudges_leave_the_networks_own_gradient_alone(sample):
    x, labels = sample
    network = Network(seed=0)
    network.grad[:] = 7.0
    before = sensitivity.report(network, parts(x, labels, 100), "quadratic")
    sensitivity.nudge(network, 5, 0.1, parts(x, labels, 100), "quadratic", before)
    assert (network.grad == 7.0).all()


def dead_relu_network() -> Network:
    """Its second hidden layer never fires: only the output biases have a gradient."""
    network = Network(activation="relu", output="softmax", seed=0)
    network.biases[1][:] = -1e3
    return network


def test_a_dead_network_ranks_each_of_its_few_non_zero_components_once(sample):
    x, labels = sample[0][:10], sample[1][:10]
    found = sensitivity.report(dead_relu_network(), parts(x, labels, 10), "cross-entropy")
    nonzero = int(np.count_nonzero(found.gradient))
    assert 0 < nonzero < 8 + 3  # fewer than the largest and the smallest together
    shown = [c.index for c in (*found.largest, *found.smallest)]
    assert len(shown) == len(set(shown)) == nonzero
    assert all(c.gradient != 0 for c in (*found.largest, *found.smallest))


def test_equal_components_are_never_both_among_the_largest_and_the_smallest():
    grad = np.zeros(100)
    grad[[3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41]] = 0.25
    largest, smallest = sensitivity.ranked(grad, top=8, bottom=3)
    assert [c.index for c in largest] == [3, 5, 7, 11, 13, 17, 19, 23]
    assert [c.index for c in smallest] == [29, 31, 37]
