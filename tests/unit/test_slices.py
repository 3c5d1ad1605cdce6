"""The network's cost along one or two parameters: the same cost, the slope backprop gives, a private copy."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.core import costs, slices
from gdtui.core.dataset import Split
from gdtui.core.network import Network


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=300).astype(np.uint8)
    return slices.fixed_sample(Split(images, labels), size=120)


def _plain_cost(network: Network, inputs, labels, cost: str) -> float:
    outputs = network.forward(inputs)
    return float(costs.cost(cost, outputs, costs.one_hot(labels, 10, outputs.dtype)).mean(dtype=np.float64))


NETWORKS = {
    "sigmoid": lambda: Network(seed=1, dtype=np.float64),
    "relu-softmax": lambda: Network(activation="relu", output="softmax", seed=1, dtype=np.float64),
}


def test_the_fixed_sample_is_the_same_every_time_and_no_larger_than_the_split():
    split = Split(np.zeros((50, 28, 28), np.uint8), np.arange(50, dtype=np.uint8) % 10)
    inputs, labels = slices.fixed_sample(split, size=20)
    again, labels_again = slices.fixed_sample(split, size=20)
    assert inputs.shape == (20, 784) and np.array_equal(labels, labels_again) and np.array_equal(inputs, again)
    assert len(set(labels.tolist())) > 1  # drawn from all over the split, not its first 20
    assert len(slices.fixed_sample(split, size=500)[1]) == 50


def test_the_cost_follows_the_outputs():
    assert slices.cost_for(Network()) == "quadratic"
    assert slices.cost_for(Network(output="softmax")) == "cross-entropy"


@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
def test_the_steepest_parameters_are_one_weight_and_one_bias_per_layer_steepest_first(make, sample):
    network = make()
    cost = slices.cost_for(network)
    chosen = slices.steepest_parameters(network, *sample, cost)
    described = [network.parameter(k) for k in chosen]
    assert sorted((p.layer, p.kind) for p in described) == [(layer, kind) for layer in (1, 2, 3) for kind in ("bias", "weight")]
    network.gradient(*sample, cost)
    steepness = np.abs(network.grad)
    assert list(steepness[chosen]) == sorted(steepness[chosen], reverse=True)
    for p, k in zip(described, chosen):
        same_kind = [
            j for j in range(network.num_params) if (network.parameter(j).layer, network.parameter(j).kind) == (p.layer, p.kind)
        ]
        assert steepness[k] == steepness[same_kind].max()


@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
def test_at_the_networks_own_values_the_slice_costs_what_the_network_costs(make, sample):
    network = make()
    cost = slices.cost_for(network)
    for k in slices.steepest_parameters(network, *sample, cost):
        piece = slices.NetworkSlice(network, *sample, cost, [k])
        expected = _plain_cost(network, *sample, cost)
        assert piece.costs(piece.origin[None])[0] == pytest.approx(expected, rel=1e-12)
        assert piece.evaluate(piece.origin)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
def test_the_swept_costs_are_the_costs_of_the_network_with_the_parameters_moved(make, sample):
    network = make()
    cost = slices.cost_for(network)
    chosen = slices.steepest_parameters(network, *sample, cost)
    pairs = [chosen[:2], [chosen[-1], chosen[0]], [chosen[2], chosen[3]]]
    for pair in pairs:
        piece = slices.NetworkSlice(network, *sample, cost, pair)
        points = piece.origin + np.array([[1.5, -2.0], [-3.0, 0.5], [0.0, 4.0]])
        for point, swept in zip(points, piece.costs(points)):
            moved = network.copy()
            moved.params[pair] = point
            assert swept == pytest.approx(_plain_cost(moved, *sample, cost), rel=1e-10)


@pytest.mark.parametrize("make", NETWORKS.values(), ids=NETWORKS.keys())
def test_backprops_slope_along_a_parameter_matches_a_finite_difference(make, sample):
    network = make()
    cost = slices.cost_for(network)
    chosen = slices.steepest_parameters(network, *sample, cost)
    piece = slices.NetworkSlice(network, *sample, cost, chosen[:2])
    h = 1e-6
    for point in (piece.origin, piece.origin + [0.7, -1.3]):
        _, slope = piece.evaluate(point)
        for axis in range(2):
            nudge = np.eye(2)[axis] * h
            difference = (piece.costs([point + nudge])[0] - piece.costs([point - nudge])[0]) / (2 * h)
            assert slope[axis] == pytest.approx(difference, rel=1e-5, abs=1e-9)


def test_the_slice_is_a_copy_the_live_network_can_change_under(sample):
    network = Network(seed=2)
    cost = slices.cost_for(network)
    k = slices.steepest_parameters(network, *sample, cost)[0]
    piece = slices.NetworkSlice(network, *sample, cost, [k])
    before = piece.costs(piece.origin[None])[0]
    network.params[:] = 0.0  # as training would, from another thread
    assert piece.costs(piece.origin[None])[0] == before
    piece.evaluate(piece.origin + 2.0)
    assert piece.network.params[k] == np.float32(piece.origin[0])  # stepping leaves the copy as it was


def test_a_sweep_comes_in_chunks_that_add_up_to_every_point(sample):
    network = Network(seed=1, dtype=np.float64)
    piece = slices.NetworkSlice(network, *sample, "quadratic", [network.num_params - 1])
    xs = slices.sweep_values(piece.origin[0], 21)
    chunks = list(piece.sweep(xs[:, None], chunk=8))
    assert [len(c) for c in chunks] == [8, 8, 5]
    np.testing.assert_allclose(np.concatenate(chunks), piece.costs(xs[:, None]))
    assert xs[0] == pytest.approx(piece.origin[0] - slices.SPAN) and xs[10] == pytest.approx(piece.origin[0])


def test_bilinear_reads_grid_points_exactly_and_planes_between_them():
    def plane(x, y):
        return 2.0 * x - 3.0 * y + 1.0

    xs, ys = np.array([0.0, 1.0, 3.0]), np.array([-1.0, 0.0, 2.0])
    grid = plane(*np.meshgrid(xs, ys))
    assert slices.bilinear(grid, xs, ys, 1.0, 2.0) == pytest.approx(plane(1.0, 2.0))
    x, y = np.array([0.3, 2.2, 1.7]), np.array([-0.4, 1.9, 0.1])
    np.testing.assert_allclose(slices.bilinear(grid, xs, ys, x, y), plane(x, y))
    assert slices.bilinear(grid, xs, ys, 10.0, -10.0) == pytest.approx(plane(3.0, -1.0))  # nearest edge


def test_a_network_surface_is_drawn_from_its_grid_and_stepped_on_exactly(sample):
    network = Network(seed=1, dtype=np.float64)
    cost = slices.cost_for(network)
    piece = slices.NetworkSlice(network, *sample, cost, slices.steepest_parameters(network, *sample, cost)[:2])
    xs = slices.sweep_values(piece.origin[0], 9)
    ys = slices.sweep_values(piece.origin[1], 7)
    values = piece.costs(slices.grid_points(xs, ys)).reshape(len(ys), len(xs))
    surface = slices.NetworkSurface(piece, xs, ys, values)
    assert surface.value(xs[2], ys[5]) == pytest.approx(piece.costs([[xs[2], ys[5]]])[0])
    assert surface.start == tuple(piece.origin)
    cost_here, gradient = surface.evaluate(np.array(surface.start))
    assert cost_here == pytest.approx(_plain_cost(network, *sample, cost))
    # The grid's differences point the same way as the exact gradient.
    assert np.dot(surface.gradient(*surface.start), gradient) > 0


def test_a_network_curve_reads_its_sweep(sample):
    network = Network(seed=1, dtype=np.float64)
    piece = slices.NetworkSlice(network, *sample, "quadratic", [network.num_params - 1])
    xs = slices.sweep_values(piece.origin[0], 5)
    curve = slices.NetworkCurve(piece, xs, piece.costs(xs[:, None]))
    assert curve.domain == (xs[0], xs[-1]) and curve.start == piece.origin[0]
    assert curve.value(xs[1]) == pytest.approx(curve.values[1])
    assert curve.evaluate(np.array([curve.start]))[0] == pytest.approx(curve.value(curve.start))
