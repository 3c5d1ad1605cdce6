"""Full batch against mini-batch on the network's two-parameter slice: backprop's steps, the images they took, one yardstick."""

from __future__ import annotations

import numpy as np
import pytest

from gdtui.core import backprop, minibatch, slices
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network

ETA = 5.0  # the Two parameters step's learning rate on the network


@pytest.fixture(scope="module")
def images(tiny_mnist_dir):
    return slices.fixed_sample(load_dataset(tiny_mnist_dir).train, size=600)


@pytest.fixture(scope="module")
def network() -> Network:
    return Network(seed=0, dtype=np.float64)


@pytest.fixture(scope="module")
def indices(network, images) -> list[int]:
    return slices.steepest_parameters(network, *images, "quadratic")[:2]


def test_the_full_batch_s_first_step_is_minus_eta_times_backprop_s_gradient_over_every_image(network, images, indices):
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=1)
    _, grad = backprop.gradient(network, images[0].astype(np.float64), images[1], "quadratic")
    start = network.params[indices]
    np.testing.assert_allclose(walkers.full.points[0], start)
    np.testing.assert_allclose(walkers.full.points[1] - start, -ETA * grad[indices], rtol=1e-9)


def test_the_mini_batch_s_steps_follow_its_own_images_gradient(network, images, indices):
    walkers = minibatch.Race(network, *images, "quadratic", indices, ETA, seed=4)
    rows = walkers.step()
    assert len(rows) == minibatch.BATCH_SIZE == len(set(rows.tolist()))
    _, grad = backprop.gradient(network, images[0][rows].astype(np.float64), images[1][rows], "quadratic")
    np.testing.assert_allclose(walkers.mini.points[1] - walkers.mini.points[0], -ETA * grad[indices], rtol=1e-9)


def test_the_mini_batch_wobbles_yet_goes_down(network, images, indices):
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=12)
    full, mini = walkers.paths
    moves = np.diff(np.array(mini.points), axis=0)
    exact = np.diff(np.array(full.points), axis=0)
    assert not np.allclose(moves[0], exact[0], rtol=0.01)  # its first step is not the careful one's
    turns = np.degrees(np.arctan2(moves[:, 1], moves[:, 0]) - np.arctan2(exact[:, 1], exact[:, 0]))
    assert np.ptp((turns + 180) % 360 - 180) > 1  # and it points this way and that, step by step
    assert mini.costs[-1] < mini.costs[0] and full.costs[-1] < full.costs[0]
    assert full.costs == tuple(sorted(full.costs, reverse=True))  # the careful walker never climbs at this η


def test_every_point_is_judged_by_the_full_batch_s_cost(network, images, indices):
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=3)
    for path in walkers.paths:
        for point, cost in zip(path.points, path.costs):
            moved = network.copy()
            moved.params[indices] = point
            assert cost == pytest.approx(
                backprop.gradient(moved, images[0].astype(np.float64), images[1], "quadratic")[0], rel=1e-9
            )


def test_image_counts(network, images, indices):
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=5, batch_size=25)
    full, mini = walkers.paths
    assert walkers.full_batch == 600
    assert full.images == (600,) * 5 and mini.images == (25,) * 5
    assert (full.steps, full.total_images, mini.steps, mini.total_images) == (5, 3000, 5, 125)
    assert len(full.points) == len(full.costs) == len(mini.points) == len(mini.costs) == 6


def test_images_to_get_down_count_the_steps_before_the_level_is_first_reached():
    path = minibatch.Path("p", tuple(np.zeros((5, 2))), (3.0, 2.5, 2.7, 2.0, 1.9), (10,) * 4)
    assert [path.images_to_reach(level) for level in (3.0, 2.6, 2.0, 1.0)] == [0, 10, 30, None]


def test_the_level_is_the_lowest_both_have_reached(network, images, indices):
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=6)
    level = walkers.level()
    lowest = max(min(walkers.full.costs), min(walkers.mini.costs))
    # Up to the places it is told to: the figure on screen is the level itself.
    assert lowest <= level < lowest + 10**-minibatch.LEVEL_PLACES and level == float(f"{level:.{minibatch.LEVEL_PLACES}f}")
    assert walkers.full.images_to_reach(level) is not None and walkers.mini.images_to_reach(level) is not None


def test_no_level_while_a_walker_has_not_come_below_the_start(network, images, indices):
    """A hurried walker whose first steps went uphill has not come down at all: "both down to" the
    start's own cost, after 0 images each, would say they had."""
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=2)
    start = np.zeros(2)
    walkers.paths = (
        minibatch.Path("full batch", (start, start, start), (3.0, 2.5, 2.0), (600, 600)),
        minibatch.Path("mini-batch", (start, start, start), (3.0, 3.2, 3.1), (10, 10)),
    )
    assert walkers.level() is None


def test_a_seeded_race_repeats_and_another_seed_draws_other_images(network, images, indices):
    one, again, other = (minibatch.race(network, *images, "quadratic", indices, ETA, steps=4, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(np.array(one.mini.points), np.array(again.mini.points))
    assert one.mini.costs == again.mini.costs
    assert not np.array_equal(np.array(one.mini.points), np.array(other.mini.points))
    np.testing.assert_array_equal(np.array(one.full.points), np.array(other.full.points))


def test_the_walkers_leave_the_network_as_it_was(network, images, indices):
    before = network.params.copy()
    minibatch.race(network, *images, "quadratic", indices, ETA, steps=2)
    np.testing.assert_array_equal(network.params, before)


def test_a_rehearsal_reaches_the_very_points_the_race_then_steps_to(network, images, indices):
    walkers = minibatch.Race(network, *images, "quadratic", indices, ETA, seed=2)
    reached = walkers.rehearsal(3)
    assert walkers.full.steps == 0, "the race itself has not moved"
    for _ in range(3):
        walkers.step()
    np.testing.assert_array_equal(reached, np.array([*walkers.full.points, *walkers.mini.points]))


def test_a_level_that_reads_the_same_counts_the_same_images(network, images, indices):
    """The level creeps down as the slower walker goes lower. Told to five places, as the screen gives it, it moves
    only when its figure does: one figure never stands beside two counts of images."""
    walkers = minibatch.race(network, *images, "quadratic", indices, ETA, steps=2)
    start = np.zeros(2)
    mini = minibatch.Path("mini-batch", (start,) * 3, (3.0, 2.0, 1.9), (10, 10))
    told = []
    for steps in (2, 3):
        costs = (3.0, 2.8, 2.6925049, 2.6925041)[: steps + 1]
        walkers.paths = (minibatch.Path("full batch", (start,) * (steps + 1), costs, (600,) * steps), mini)
        level = walkers.level()
        assert level is not None and level >= min(costs), "a level both walkers have reached"
        told.append((f"{level:.5f}", walkers.full.images_to_reach(level)))
    assert told[0][0] != told[1][0] or told[0][1] == told[1][1], told
