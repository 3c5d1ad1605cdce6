"""Step 8, Backprop: every figure it shows at 80×24 is the live network's own, read back from the screen."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest

from gdtui import channel
from gdtui.core import backprop, finite_differences, minibatch, slices, wishes
from gdtui.core.network import Network
from gdtui.core.presets import PRESETS
from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.backprop import IMAGES, factor, largest, number, precise, same_to, short, weight
from gdtui.ui.screens.descent import DescentScreen
from gdtui.ui.screens.two_parameters import GRID
from gdtui.ui.widgets.guide_panel import GuidePanel
from gdtui.ui.widgets.race_map import RaceMap, legend
from tests.helpers import rendered, wait_for

NUMBER = r"[+-]\d+(?:\.\d+)?(?:e[+-]\d+)?"


def text(screen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}").render())


def numbers(line: str) -> list[str]:
    return re.findall(rf"(?<![\w.]){NUMBER}", line)


def image_wishes(app, index: int, cost: str = "quadratic") -> wishes.Wishes:
    split = app.state.data.train
    return wishes.wishes(app.state.network, split.inputs(index)[0], int(split.labels[index]), cost)


def fits(screen) -> bool:
    """The view is whole at this size: nothing is scrolled out of sight."""
    return screen.query_one("#page").max_scroll_y == 0


async def test_the_output_layer_s_wishes_are_the_network_s_for_the_image_shown(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        for index in (0, 1):
            header = text(screen, "header")
            assert app.state.network_origin in header and "random, seed 0" in header
            assert f"train #{index}: a {app.state.data.train.labels[index]}" in header
            w = image_wishes(app, index)
            rows = text(screen, "outputs").splitlines()[1:11]
            for j, row in enumerate(rows):
                shown = re.match(rf"\s*(\d)\s+(\d\.\d{{4}})\s+([01])\s.*?({NUMBER})\s*(◀?)$", row)
                assert shown is not None, row
                assert shown[1] == str(j) and shown[2] == f"{w.a[3][j]:.4f}" and shown[3] == f"{w.target[j]:.0f}"
                assert shown[4] == number(w.wish_a[3][j])
                assert float(shown[4]) == pytest.approx(-2 * (w.a[3][j] - w.target[j]), rel=1e-3)
                assert (shown[5] == "◀") == (j == w.label)  # the image's own output neuron is the one chosen
            assert "C₀, the cost of this one image" in text(screen, "outputs-words")
            assert fits(screen)
            await pilot.press("n")


async def test_one_output_neuron_shows_z_a_and_c0_before_its_levers(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await pilot.press("v", "right_square_bracket")
        w = image_wishes(app, 0)
        j = (w.label + 1) % 10
        lines = text(screen, "neuron").splitlines()
        products, bias, z = (float(n) for n in numbers(lines[1]))
        assert products == pytest.approx(float(w.network.weights[2][j] @ w.a[2]), rel=1e-5)
        assert bias == pytest.approx(float(w.network.biases[2][j]), rel=1e-5)
        assert z == pytest.approx(float(w.z[3][j]), rel=1e-5)
        assert products + bias == pytest.approx(z, abs=1e-5 * (abs(products) + abs(bias)))  # each shown to 6 digits
        assert lines[2].endswith(f"= {w.a[3][j]:.6f}")
        assert f"C₀ = Σⱼ (aⱼ − yⱼ)² = {float(np.sum((w.a[3] - w.target) ** 2)):.6f}, the cost of this one image" in lines[4]
        a = float(w.a[3][j])
        assert lines[7].split() == [
            "=",
            f"{a:.6f}",
            "×",
            f"{1 - a:.6f}",
            "=",
            f"{w.slope(3)[j]:.6f}",
            "a's",
            "move",
            "per",
            "unit",
            "of",
            "z",
        ]
        assert all(len(line) <= screen.query_one("#neuron").size.width for line in lines), "no line wraps"
        assert fits(screen)


async def test_one_output_neuron_s_levers_are_ranked_by_the_wish_for_each_weight(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await pilot.press("v", "v", "right_square_bracket")
        w = image_wishes(app, 0)
        j = (w.label + 1) % 10
        lines = text(screen, "levers").splitlines()
        # A product that reads as one, whole on its own line: no signed factor after a name, none wrapped.
        assert lines[0] == f"Output {j} (a = {w.a[3][j]:.4f}): wish on z = σ'(z) × wish on a"
        slope, on_a = number(w.slope(3)[j]), number(w.wish_a[3][j])
        assert lines[1] == f"  = ({slope}) × ({on_a}) = {number(w.wish_z[3][j])}"
        assert lines[2].startswith(f"1 bias {number(w.bias_wish(3, j))} ")
        weight_wishes = w.weight_wishes(3, j)
        assert f"2 wish for wₖ, full bar {float(np.abs(weight_wishes).max()):.2g}" in lines[3]
        order = np.argsort(-np.abs(weight_wishes), kind="stable")
        rows = lines[4:20]
        for k, row in zip(order, rows):
            source, activation, weight = row.split()[:3]
            assert (int(source), activation, weight) == (k, f"{w.a[2][k]:.4f}", f"{w.network.weights[2][j, k]:+.4f}")
            assert numbers(row)[-2:] == [number(weight_wishes[k]), number(w.activation_wishes(3, j)[k])]
        assert fits(screen)


async def test_hidden_wish_lists_and_one_sum_term_by_term(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await pilot.press("v", "v", "v", "right_square_bracket")
        w = image_wishes(app, 0)
        k = (int(np.argmax(np.abs(w.weight_wishes(3, w.label)))) + 1) % 16  # one on from the one shown first
        for widget_id, layer in (("later", 2), ("earlier", 1)):
            lines = text(screen, widget_id).splitlines()
            assert lines[0] == f"layer {layer}    −∂C₀/∂aₖ"
            assert [row.split()[-1] for row in lines[1:17]] == [short(v) for v in w.wish_a[layer]]
        terms = text(screen, "terms").splitlines()
        assert terms[0] == f"neuron {k} of layer 2 hears"
        parts = w.terms(2, k)
        for j, row in enumerate(terms[2:12]):
            assert row.split()[1::2] == [f"{w.network.weights[2][j, k]:+.4f}", short(w.wish_z[3][j]), short(parts[j])]
        assert terms[12].split()[-1] == short(w.wish_a[2][k])
        assert fits(screen)


async def test_the_images_average_wish_is_minus_backprop_s_gradient_component(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await pilot.press("n", "n", *"vvvv")
        w = image_wishes(app, 2)
        # The weight the ten images disagree on most, so that "every image wants something else" shows.
        every = np.array([image_wishes(app, 2 + n).weight_wishes(3, w.label) for n in range(IMAGES)])
        spread = every.max(axis=0) - every.min(axis=0)
        k = int(np.argmax(spread))
        lines = text(screen, "images").splitlines()
        assert lines[0].startswith(f"The weight from neuron {k} of layer 2 to output {w.label}")
        split = app.state.data.train
        x, labels = split.inputs(slice(2, 2 + IMAGES)).astype(np.float64), split.labels[2 : 2 + IMAGES]
        each = every[:, k]
        for n, row in enumerate(lines[2 : 2 + IMAGES]):
            assert row.startswith(f"train #{2 + n}: a {labels[n]}")
            assert numbers(row)[-1] == number(each[n])
        _, grad = backprop.gradient(app.state.network, x, labels, "quadratic")
        component = grad[wishes.weight_index(app.state.network, 3, w.label, k)]
        average = float(numbers(lines[2 + IMAGES])[-1])
        shown_component = float(numbers(lines[3 + IMAGES])[0])
        assert shown_component == float(precise(component))
        assert average == pytest.approx(-shown_component, rel=1e-8)
        assert average == pytest.approx(float(np.mean(each)), rel=1e-8)
        assert fits(screen)


async def test_the_images_disagree_visibly_on_the_weight_shown_of_a_trained_network(screen_on, trained):
    """A trained network is sure of most images: their wishes for the first image's favourite weight are ≈ 0."""
    async with screen_on("8", network=trained.copy()) as (pilot, screen):
        app = pilot.app
        await pilot.press(*"vvvv")
        for index in range(6):
            label = int(app.state.data.train.labels[index])
            every = np.array([image_wishes(app, index + n).weight_wishes(3, label) for n in range(IMAGES)])
            spread = every.max(axis=0) - every.min(axis=0)
            k = int(np.argmax(spread))
            await wait_for(pilot, lambda i=index: f"train #{i}:" in text(screen, "images"), f"image {index}")
            assert text(screen, "images").startswith(f"The weight from neuron {k} of layer 2 to output {label}")
            await pilot.press("n")


async def test_the_chain_rule_s_factors_multiply_to_the_finite_difference(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await pilot.press(*"vvvvv")
        w = image_wishes(app, 0)
        j = w.label
        k = int(np.argmax(np.abs(w.weight_wishes(3, j))))
        lines = text(screen, "chain").splitlines()
        a_prev, slope, miss, product = (float(n) for n in numbers(lines[3]))
        assert a_prev == float(factor(w.a[2][k]))
        assert slope == float(factor(w.slope(3)[j]))
        assert miss == float(factor(2 * (w.a[3][j] - 1)))
        assert product == float(precise(w.a[2][k] * w.slope(3)[j] * 2 * (w.a[3][j] - 1)))
        # Six significant digits at least, as read from the screen.
        for shown, estimate in ((lines[3], lines[4]), (lines[5], lines[6])):
            assert float(numbers(estimate)[0]) == pytest.approx(float(numbers(shown)[-1]), rel=1e-6)
        double = finite_differences.in_double(app.state.network)
        x, label = app.state.data.train.inputs(0).astype(np.float64), np.array([j])
        exact = finite_differences.finite_difference(double, wishes.weight_index(double, 3, j, k), x, label, "quadratic")
        assert float(numbers(lines[4])[0]) == float(precise(exact))
        source, formula, product, estimate = text(screen, "chain-back").splitlines()[-4:]
        assert source.startswith("w from neuron ") and source.endswith(f"into neuron {k} of layer 2:")
        assert formula == "∂C₀/∂w = a(L−2) · σ'(z(L−1)) · ∂C₀/∂a(L−1)  BP2 BP4"
        assert float(numbers(estimate)[0]) == pytest.approx(float(numbers(product)[-1]), rel=1e-6)
        assert fits(screen)


@pytest.fixture(scope="module")
def tuned() -> Network:
    preset = PRESETS["tuned"]
    return Network(activation=preset.activation, output=preset.output, seed=3)


async def test_a_softmax_network_says_it_wishes_on_z_with_cross_entropy(screen_on, tuned):
    async with screen_on("8", network=tuned.copy(), model_name="tuned.npz") as (pilot, screen):
        app = pilot.app
        header = text(screen, "header")
        assert "tuned.npz" in header and "softmax outputs, cross-entropy" in header
        w = image_wishes(app, 0, "cross-entropy")
        lines = text(screen, "outputs").splitlines()
        assert "−∂C₀/∂zⱼ = yⱼ − aⱼ" in lines[0]
        assert [numbers(row)[-1] for row in lines[1:11]] == [number(v) for v in w.target - w.a[3]]
        assert f"by 1/a = {number(1 / w.a[3][w.label])}" in text(screen, "outputs-words")
        await pilot.press(*"vvvvv")
        lines = text(screen, "chain").splitlines()
        assert "(a − y)" in lines[2] and "σ'" not in lines[2]
        a_prev, dz, product = (float(n) for n in numbers(lines[3]))
        assert dz == float(factor(w.a[3][w.label] - 1))
        assert float(numbers(lines[4])[0]) == pytest.approx(product, rel=1e-6)
        assert "ReLU'(z(L−1))" in text(screen, "chain-back")


async def test_the_figures_follow_the_network_when_it_changes(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        before = text(screen, "outputs")
        app.state.randomize_network()
        await wait_for(pilot, lambda: text(screen, "outputs") != before, "the new network's wishes")
        assert "random, seed 1" in text(screen, "header")
        w = image_wishes(app, 0)
        assert numbers(text(screen, "outputs").splitlines()[1])[-1] == number(w.wish_a[3][0])


def test_a_derivative_and_its_estimate_are_said_the_same_in_the_digits_printed():
    # 2.5e-11 apart: ten digits by the relative difference, but the ninth printed rounds apart.
    exact, estimate = 0.0078750544849, 0.0078750544851
    assert precise(exact) != precise(estimate)
    assert same_to(exact, estimate) == "the first 8 of 9 digits the same"
    assert same_to(0.25, 0.25000000000001) == "all 9 digits the same"
    assert same_to(0.25, 0.25) == "the same"


def test_a_teacher_can_bring_the_class_to_every_step():
    assert len(STEPS) == channel.STEPS


def race_of(app, steps: int, seed: int = 0) -> minibatch.Race:
    """The walkers as the core sets them up on the app's network: the Two parameters step's first pair."""
    network, split = app.state.network, app.state.data.train
    cost = slices.cost_for(network)
    indices = slices.steepest_parameters(network, *slices.fixed_sample(split), cost)[:2]
    images = slices.fixed_sample(split, minibatch.FULL_BATCH)
    return minibatch.race(network, *images, cost, indices, DescentScreen.NETWORK_LEARNING_RATE, steps, seed=seed)


def race_rows(screen) -> dict[str, list[str]]:
    """The side table's rows by their label: the full batch's figure, then the mini-batch's."""
    rows = {}
    for line in text(screen, "race").splitlines():
        label, *figures = re.split(r"\s{2,}", line.strip())
        rows[label] = figures
    return rows


async def open_race(pilot, screen) -> None:
    await pilot.press(*"vvvvvv")
    await wait_for(pilot, lambda: screen.race is not None and screen.surface is not None, "the walkers and their landscape")


async def step_race(pilot, screen, steps: int) -> None:
    await pilot.press(*"n" * steps)
    await wait_for(pilot, lambda: race_rows(screen)["steps"] == [str(steps)] * 2, "the steps drawn")


async def test_full_batch_and_mini_batch_walk_the_two_parameter_slice_as_the_core_does(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await open_race(pilot, screen)
        assert "Mini-batches" in text(screen, "header") and "random, seed 0" in text(screen, "header")
        await step_race(pilot, screen, 3)
        race = race_of(app, 3)
        full, mini = race.paths
        x, y = race.slice.indices
        shown = text(screen, "race")
        for name, k in (("x", x), ("y", y)):
            assert f"{name} #{k:,} {app.state.network.parameter(k).describe((28, 28))}" in " ".join(shown.split())
        rows = race_rows(screen)
        n = len(app.state.data.train)  # the tiny set is smaller than a full batch: all of it is used
        assert race.full_batch == n == 1000
        assert rows["images/step"] == [f"{n:,}", str(minibatch.BATCH_SIZE)]
        assert rows["images used"] == [f"{3 * n:,}", str(3 * minibatch.BATCH_SIZE)]
        assert rows["cost C"] == [f"{full.costs[-1]:.5f}", f"{mini.costs[-1]:.5f}"]
        level = race.level()
        assert f"first down to C ≤ {level:.5f} after" in shown
        assert rows["images"] == [f"{full.images_to_reach(level):,}", f"{mini.images_to_reach(level):,}"]
        np.testing.assert_array_equal(np.array(screen.race.mini.points), np.array(mini.points))
        assert f"all {n:,} training images" in text(screen, "race-words") and "(seed 0)" in text(screen, "race-words")
        drawn = text(screen, "race-map")
        assert "●" in drawn and "◆" in drawn  # both walkers' heads on the map
        assert legend(False) in shown  # the glyphs named as the map draws them
        table = [line for line in shown.splitlines() if line.startswith(("images", "steps", "cost"))]
        width = screen.query_one("#race").content_size.width
        assert all(len(line) <= width for line in table), "the table's rows are whole, none wraps beside the map"


async def test_the_race_restarts_with_fresh_mini_batches_and_runs_on_space(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await open_race(pilot, screen)
        await step_race(pilot, screen, 1)
        await pilot.press("r")
        assert race_rows(screen)["steps"] == ["0", "0"] and "(seed 1)" in text(screen, "race-words")
        await step_race(pilot, screen, 2)
        again = race_of(app, 2, seed=1)
        assert race_rows(screen)["cost C"] == [f"{again.full.costs[-1]:.5f}", f"{again.mini.costs[-1]:.5f}"]
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.race.full.steps >= 4, "the walkers to run")
        await pilot.press("space")
        assert not screen.racing
        await pilot.press("r")
        # Keys faster than the steps: each waits its turn, none is lost.
        gate, step = threading.Event(), screen.race.step
        screen.race.step = lambda: gate.wait(5) and step()
        await pilot.press("n", "n", "n")
        assert screen.race.full.steps == 0
        gate.set()
        await wait_for(pilot, lambda: race_rows(screen)["steps"] == ["3", "3"], "three steps")
        await pilot.pause(0.3)
        assert screen.race.full.steps == 3


@pytest.mark.parametrize("here", [True, False])
async def test_the_race_fits_80x24_with_the_guide_panel_open(screen_on, here):
    async with screen_on("8") as (pilot, screen):
        await open_race(pilot, screen)
        await step_race(pilot, screen, 1)
        screen.set_class(here, "-guided")
        panel = screen.query_one(GuidePanel)
        if here:
            panel.show_beat(1, 9, "A beat", "Its text,\nover\nfour\nlines", "what to do")
        else:
            panel.show_away(1, 9)
        await pilot.pause()
        side = screen.query_one("#race-side")
        assert side.max_scroll_y == 0 and side.size.height >= 10
        table = [line for line in text(screen, "race").splitlines() if line.startswith(("images", "steps", "cost"))]
        width = screen.query_one("#race").content_size.width
        assert all(len(line) <= width for line in table), "the table's rows are whole, none wraps beside the map"
        assert screen.query_one(RaceMap).size.height >= 10
        assert screen.query_one(GuidePanel).size.height == (6 if here else 1)


async def test_the_keys_of_the_race_are_shown_only_in_its_view(screen_on):
    async with screen_on("8") as (pilot, screen):
        await pilot.press("n")
        assert "train #1" in text(screen, "header")  # n is the next image outside the race
        await open_race(pilot, screen)
        keys = {binding.action for _, binding, enabled, _ in pilot.app.active_bindings.values() if enabled}
        assert {"race_step", "race_run", "race_restart"} <= keys and not {"browse(1)", "neuron(1)"} & keys


async def test_the_race_on_a_softmax_network_uses_its_cross_entropy(screen_on, tuned):
    async with screen_on("8", network=tuned.copy(), model_name="tuned.npz") as (pilot, screen):
        app = pilot.app
        await open_race(pilot, screen)
        assert "softmax outputs, cross-entropy" in text(screen, "header")
        await step_race(pilot, screen, 2)
        race = race_of(app, 2)
        assert race.slice.cost == "cross-entropy"
        assert race_rows(screen)["cost C"] == [f"{race.full.costs[-1]:.5f}", f"{race.mini.costs[-1]:.5f}"]


async def test_the_race_starts_again_on_the_network_when_it_changes(screen_on):
    async with screen_on("8") as (pilot, screen):
        app = pilot.app
        await open_race(pilot, screen)
        await step_race(pilot, screen, 2)
        app.state.randomize_network()
        await wait_for(pilot, lambda: "random, seed 1" in text(screen, "header"), "the new network")
        await wait_for(pilot, lambda: screen.race is not None and screen.surface is not None, "the new walkers")
        assert race_rows(screen)["steps"] == ["0", "0"]
        assert race_rows(screen)["cost C"] == [f"{race_of(app, 0).full.costs[0]:.5f}"] * 2


async def test_the_outputs_view_says_what_its_mark_and_brackets_are_for(screen_on):
    async with screen_on("8") as (pilot, screen):
        await pilot.press("right_square_bracket")  # on the outputs view: the mark moves, and nothing else
        outputs = text(screen, "outputs")
        assert f"◀ marks output {screen.output_name(screen.neuron)}" in outputs, outputs
        assert fits(screen)


def map_lines(screen) -> list[str]:
    return text(screen, "race-map").splitlines()


async def test_the_walkers_of_a_trained_network_stay_on_the_map_for_their_first_steps(screen_on, trained):
    """A trained network's slice is nearly flat: a map closed in on one careful step loses both walkers at once."""
    async with screen_on("8", network=trained.copy()) as (pilot, screen):
        await open_race(pilot, screen)
        for steps in range(1, minibatch.REHEARSED + 1):
            await pilot.press("n")
            await wait_for(pilot, lambda s=steps: race_rows(screen)["steps"] == [str(s)] * 2, f"step {steps}")
            drawn = text(screen, "race-map")
            assert "●" in drawn and "◆" in drawn, f"both walkers on the map after {steps} steps"
            assert "left the map" not in text(screen, "race")


async def test_a_walker_off_the_map_is_said_to_have_left_it_and_any_axis_label_fits(screen_on):
    async with screen_on("8") as (pilot, screen):
        await open_race(pilot, screen)
        race, surface = screen.race, screen.surface
        # A map far from the walkers, its numbers 7 characters wide: both are off it from the start.
        xs, ys = (np.linspace(-0.0457, -0.0412, GRID) for _ in "xy")
        screen.surface = slices.NetworkSurface(race.slice, xs, ys, surface.values)
        await step_race(pilot, screen, 1)
        shown = " ".join(text(screen, "race").split())
        assert "full batch" not in shown.replace("a full batch", "")
        assert "both ● and ◆ left the map" in shown
        view = screen.query_one(RaceMap)
        lines = map_lines(screen)
        rows = min(view.size.height - 2, (view.size.width - len("-0.0457 ▕")) // 2)
        assert len(lines) == rows + 2, "no row of the map wraps onto a line of its own"
        arrows = sum(line.count(glyph) for line in lines[:rows] for glyph in "←↑→↓↖↗↘↙")
        assert arrows == 2, "an arrow on the edge for each walker, though both left it by the same corner"
        assert all(len(line) <= view.size.width for line in lines)
        table = [line for line in text(screen, "race").splitlines() if line.startswith(("images", "steps", "cost"))]
        width = screen.query_one("#race").content_size.width
        assert all(len(line) <= width for line in table), "wider numbers on the map leave the table beside it whole"
        assert lines[0].lstrip().startswith("-0.0412") and lines[rows - 1].lstrip().startswith("-0.0457")
        axis = lines[rows].split()
        assert axis[0] == "-0.0457" and axis[-1] == "-0.0412", "the x axis keeps its numbers"
        assert {lines[row][len(lines[0]) - len(lines[0].lstrip()) :].index("▕") for row in (0, rows // 2)} == {
            lines[0].index("▕") - (len(lines[0]) - len(lines[0].lstrip()))
        }, "every row's map starts in the same column"


async def test_a_run_stops_by_itself_once_both_walkers_have_left_the_map(screen_on):
    """Past the map's edge nothing more can be watched: the run does not go on stepping out of sight."""
    async with screen_on("8") as (pilot, screen):
        await open_race(pilot, screen)
        race, surface = screen.race, screen.surface
        xs, ys = (np.linspace(-0.0457, -0.0412, GRID) for _ in "xy")  # far from the walkers: both are off it
        screen.surface = slices.NetworkSurface(race.slice, xs, ys, surface.values)
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.racing, "the run to stop")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        steps = race_rows(screen)["steps"]
        assert steps[0] == steps[1] and int(steps[0]) <= 2, "it stopped at the first step that found both off the map"
        shown = " ".join(text(screen, "race").split())
        assert "both ● and ◆ left the map: a run stops" in shown


async def test_the_careful_walker_is_named_for_the_images_it_really_averages(screen_on, monkeypatch):
    monkeypatch.setattr(minibatch, "FULL_BATCH", 400)  # fewer than the tiny set's 1,000 training images
    async with screen_on("8") as (pilot, screen):
        await open_race(pilot, screen)
        await step_race(pilot, screen, 1)
        shown = " ".join(f"{text(screen, 'race')} {text(screen, 'race-words')}".split())
        assert race_rows(screen)["images/step"] == ["400", str(minibatch.BATCH_SIZE)]
        assert "careful" in shown and "hurried" in shown and "full batch" not in shown
        assert "the same fixed 400 of the 1,000 training images" in shown


async def test_the_race_s_landscape_under_way_never_reads_as_drawn(screen_on):
    async with screen_on("8", size=(120, 40)) as (pilot, screen):
        screen.view = "minibatch"
        await wait_for(pilot, lambda: screen.race is not None, "the race's landscape")
        screen.race, screen.surface, screen.race_progress = None, None, 0.996
        screen._draw_race()
        await pilot.pause()
        assert "training images… 99%" in rendered(screen, "race")


@pytest.mark.parametrize("rows", [-1, 0, 1])
def test_a_list_with_a_row_or_none_to_spare_shows_no_neuron_rather_than_all(rows):
    # The terms beside the guide have the rows the page leaves, less three: a short page leaves none to spare.
    assert largest(np.arange(10.0), rows) == []
    assert largest(np.arange(10.0), rows, keep=3) == [3]


@pytest.mark.parametrize("value", [-1.47e-114, 2.1734e-113, 9.99e99, -3.2e-7, 0.5, 123.456, -1.0, 0.0])
def test_a_wish_fits_the_columns_the_tables_give_it_whatever_its_exponent(value):
    """A saturated network's wishes reach 1e-100 and less: at four and three significant figures they outgrew
    their columns, and the terminal cut an exponent's last digit (+2.17e-113 read as +2.17e-11)."""
    for shown, width, digits in ((number(value), 10, 4), (short(value), 9, 3)):
        assert len(shown) <= width, shown
        assert float(shown) == pytest.approx(value, rel=10 ** (1 - digits + 1)), shown  # at most a digit fewer


@pytest.mark.parametrize("value", [-14.7478, 1.2828, 0.0, -123.4567, 99999.9, 1e6, -3.3e300])
def test_a_weight_takes_the_seven_columns_of_the_terms_whatever_its_size(value):
    shown = weight(value)
    assert len(shown) <= 7 and float(shown) == pytest.approx(value, rel=0.2, abs=0.5), shown  # one figure at the least
