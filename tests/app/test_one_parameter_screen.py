"""Step 4, One parameter: every key it advertises does what it says."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input

from gdtui.core import functions, slices
from gdtui.core.functions import PARABOLA, VALLEYS
from gdtui.core.learning_rates import LEARNING_RATES
from gdtui.ui.beats import BEATS
from gdtui.ui.screens.descent import ParameterPrompt, change, number
from gdtui.ui.screens.one_parameter import CurvePlot, OneParameterScreen
from tests.app.test_lesson_walk import at_beat
from tests.helpers import (
    ANSI_THEME,
    contrast,
    drawn_in,
    make_app,
    notices,
    open_step,
    rendered,
    settle,
    stands_out,
    style_at,
    through_the_terminal_codes,
    until_on_network,
    wait_for,
    words_drawn_in,
)


async def _open(pilot) -> OneParameterScreen:
    screen = await open_step(pilot, "4")
    assert isinstance(screen, OneParameterScreen)
    return screen


async def test_it_opens_on_the_parabola_with_its_exact_minimum(screen_on):
    async with screen_on("4") as (pilot, screen):
        assert screen.function is PARABOLA and screen.descent.point[0] == PARABOLA.start
        assert "(x − 1)² + 1" in rendered(screen, "function")
        assert "slope = 0, solved: x = 1 (min)." in rendered(screen, "solved")
        solving = rendered(screen, "solving")
        assert "13,002 parameters" in solving and "hopeless" in solving


async def test_n_steps_x_to_x_minus_eta_times_the_slope_and_shows_the_numbers(screen_on):
    async with screen_on("4") as (pilot, screen):
        x, slope, eta = screen.descent.point[0], screen.descent.gradient[0], screen.descent.learning_rate
        await pilot.press("n")
        assert screen.descent.point[0] == pytest.approx(x - eta * slope)
        assert screen.descent.gradient[0] == pytest.approx(PARABOLA.slope(x - eta * slope))
        numbers = rendered(screen, "numbers")
        assert "step 1: new x = x − η × slope = 4.500 − 0.1 × 7.000 = 3.800" in numbers
        assert "Downhill" in rendered(screen, "verdict")


async def test_space_runs_steps_on_a_timer_and_pauses(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("space")
        assert screen.running
        await wait_for(pilot, lambda: screen.descent.steps >= 2, "two steps")
        await pilot.press("space")
        assert not screen.running
        steps = screen.descent.steps
        await pilot.pause(0.6)  # more than two ticks of its timer: paused means paused
        assert screen.descent.steps == steps


async def test_running_stops_by_itself_once_settled_at_the_bottom(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("plus", "plus")  # η = 0.5 lands on the parabola's bottom in one step
        assert screen.descent.learning_rate == 0.5
        await pilot.press("n")
        assert screen.descent.point[0] == pytest.approx(1.0)
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop")
        assert screen.descent.last.outcome == functions.SETTLED
        assert "the bottom of the valley, x = 1.000, as solved exactly" in rendered(screen, "verdict")


async def test_plus_and_minus_move_the_learning_rate_along_its_ladder(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("plus")
        assert screen.descent.learning_rate == 0.2
        await pilot.press("equals_sign")  # + without shift
        assert screen.descent.learning_rate == 0.5
        await pilot.press("minus", "minus", "minus")
        assert screen.descent.learning_rate == 0.05
        assert "η = 0.05" in rendered(screen, "numbers")


async def test_plus_at_the_ladders_end_says_so(screen_on):
    async with screen_on("4") as (pilot, screen):
        for _ in range(len(LEARNING_RATES)):
            await pilot.press("plus")
        assert screen.descent.learning_rate == LEARNING_RATES[-1]
        assert any("η = 5000 is the largest" in notice for notice in notices(pilot.app)), notices(pilot.app)


async def test_a_huge_learning_rate_ends_in_a_message_not_an_exception(screen_on):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await pilot.press(*["plus"] * 30)
        assert screen.descent.learning_rate == LEARNING_RATES[-1]
        await pilot.press("n")
        assert "Too far" in rendered(screen, "verdict") and "left the picture to the left" in rendered(screen, "verdict")
        await pilot.press("n", "n", "n")
        assert screen.descent.blown_up
        verdict = rendered(screen, "verdict")
        assert "Blew up" in verdict and "Lower η" in verdict
        # The step refused is shown as refused: x stays where it was, and nothing calls its landing the new x.
        numbers = " ".join(rendered(screen, "numbers").split())
        x = screen.descent.point[0]
        assert screen.descent.last.after[0] != x and "new x" not in numbers and "not taken: x − η × slope" in numbers
        points = screen.descent.path
        await pilot.press("n", "space")  # neither steps nor runs any more
        assert screen.descent.path == points and not screen.running
        await pilot.press("minus", "r")
        assert not screen.descent.blown_up and screen.descent.point[0] == PARABOLA.start
        assert app.is_running


async def test_f_cycles_the_textbook_curves_and_then_the_network(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("f")
        assert screen.function is VALLEYS and screen.descent.learning_rate == VALLEYS.learning_rate
        assert "x = -2.75 (plateau), -0.5 (min), 1.25 (max), 2.75 (min)" in rendered(screen, "solved")
        await until_on_network(pilot, screen)
        assert isinstance(screen.function, slices.NetworkCurve)
        await pilot.press("f")
        assert screen.function is PARABOLA


async def test_the_networks_curve_is_computed_by_a_worker_on_a_copy(screen_on):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        curve = screen.function
        network = app.state.network
        inputs, labels = slices.fixed_sample(app.state.data.train)
        k = curve.slice.indices[0]
        assert k == slices.steepest_parameters(network, inputs, labels, "quadratic")[0]
        assert curve.slice.network is not network
        plain = slices.NetworkSlice(network, inputs, labels, "quadratic", [k])
        assert screen.descent.cost == pytest.approx(plain.evaluate(plain.origin)[0])
        assert curve.domain == pytest.approx((network.params[k] - slices.SPAN, network.params[k] + slices.SPAN))
        assert network.parameter(k).describe(app.state.data.image_shape) in rendered(screen, "function")
        assert "No formula to solve" in rendered(screen, "solving")
        # A step on the network's curve is a step of gradient descent along that one parameter.
        b, slope = screen.descent.point[0], screen.descent.gradient[0]
        await pilot.press("n")
        assert screen.descent.point[0] == pytest.approx(b - screen.NETWORK_LEARNING_RATE * slope)
        assert screen.descent.cost == pytest.approx(plain.evaluate([b - screen.NETWORK_LEARNING_RATE * slope])[0], rel=1e-5)


async def test_training_elsewhere_leaves_the_slice_alone_until_the_screen_is_shown_again(screen_on):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        curve = screen.function
        await pilot.press("3")
        app.state.randomize_network()  # as a change made on another step would
        assert screen.function is curve  # hidden, it waits
        await pilot.press("4")
        await wait_for(pilot, lambda: screen.function is not None and screen.function is not curve, "a new slice")
        assert screen.computed_version == app.state.version
        k = screen.network_indices[0]
        assert screen.descent.point[0] == pytest.approx(float(app.state.network.params[k]))


async def test_the_learners_eta_stays_on_the_same_parameter_of_a_network_changed_elsewhere(screen_on):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        await pilot.press("minus")
        rate, indices, curve = screen.descent.learning_rate, screen.network_indices, screen.function
        assert rate != screen.NETWORK_LEARNING_RATE
        await pilot.press("6", "n")
        await wait_for(pilot, lambda: app.state.version != screen.computed_version, "a step")
        await pilot.press("4")
        await wait_for(pilot, lambda: screen.function is not None and screen.function is not curve, "a new slice")
        assert screen.network_indices == indices and screen.descent.learning_rate == rate, "the η chosen was lost"


async def test_a_network_opened_while_the_slice_is_shown_replaces_the_slice(screen_on):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        curve = screen.function
        replacement = app.state.network.copy()
        replacement.randomize(seed=7)
        app.state.use_network(replacement, "another model")
        await wait_for(pilot, lambda: screen.function is not None and screen.function is not curve, "a new slice")
        await settle(pilot)
        k = screen.network_indices[0]
        assert screen.descent.point[0] == pytest.approx(float(replacement.params[k]))
        assert screen.computed_version == app.state.version


async def test_p_cycles_through_the_steep_parameters_and_i_picks_one_by_number(screen_on):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        steepest = screen.steepest
        assert len(steepest) == 6 and screen.network_indices == [steepest[0]]
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.network_indices == [steepest[1]]
        await pilot.press("i")
        assert isinstance(app.screen, ParameterPrompt)
        app.screen.query_one(Input).value = "99999"
        await pilot.press("enter")
        assert isinstance(app.screen, ParameterPrompt)  # out of range: asked again
        assert "from 0 to 13,001" in str(app.screen.query_one("#problem").render())
        app.screen.query_one(Input).value = "123"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen and screen.network_indices == [123]
        assert "#123" in rendered(screen, "function")


async def test_the_titles_key_hint_follows_the_terminal_s_width(screen_on):
    async with screen_on("4", size=(120, 30)) as (pilot, screen):
        await until_on_network(pilot, screen)
        for _ in range(30):  # to a parameter whose name and hint fit 120 columns, not 80
            if len(rendered(screen, "function")) > 80:
                break
            await pilot.press("p")
            await settle(pilot)
        assert "p: next" in rendered(screen, "function") and len(rendered(screen, "function")) > 80
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen.query_one("#function").size.height == 1, rendered(screen, "function")
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        assert "p: next" in rendered(screen, "function"), "the hint back where it fits"


async def test_a_parameter_the_cost_does_not_depend_on_is_not_said_to_have_settled(screen_on):
    """Weight 0 comes from pixel (0,0), blank in every image: its slope is exactly 0 from the start, and the ball
    never moves. No step shrank: the cost is flat along it."""
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        await pilot.press("i")
        app.screen.query_one(Input).value = "0"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert screen.network_indices == [0] and screen.descent.gradient[0] == 0
        await pilot.press("n")
        await settle(pilot)
        verdict = " ".join(rendered(screen, "verdict").split())
        assert "shrunk" not in verdict and "Settled" not in verdict, verdict
        assert "exactly 0" in verdict, verdict


async def test_arrows_move_the_start_and_r_goes_back_to_it(screen_on):
    async with screen_on("4") as (pilot, screen):
        low, high = PARABOLA.domain
        await pilot.press("left", "left")
        assert screen.start[0] == pytest.approx(PARABOLA.start - 2 * (high - low) / 40)
        assert screen.descent.point[0] == screen.start[0] and screen.descent.steps == 0
        await pilot.press(*["right"] * 50)
        assert screen.start[0] == high  # the start stays in the picture
        await pilot.press("n", "n")
        assert screen.descent.steps == 2
        await pilot.press("r")
        assert screen.descent.steps == 0 and screen.descent.point[0] == high


async def test_different_starts_end_in_different_valleys(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("f")
        ends = []
        for moves in ([], ["left"] * 20):
            await pilot.press(*moves)
            for _ in range(150):
                screen.action_step()
            ends.append(round(screen.descent.point[0], 2))
        assert ends == [2.75, -0.5]


async def test_a_ball_resting_on_a_flat_point_is_told_what_kind_it_is(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("f")
        for x, words in [
            (-2.75, "no valley: a plateau"),
            (1.25, "a hilltop"),
            (-0.5, "not the lowest; that one is at x = 2.750"),
            (2.75, "the lowest of the two valleys"),
        ]:
            screen.descent.restart([x])
            await pilot.press("n")
            assert screen.descent.last.outcome == functions.SETTLED
            assert words in rendered(screen, "verdict")


async def test_at_eta_one_the_parabola_ball_bounces_and_the_screen_says_so(screen_on):
    async with screen_on("4") as (pilot, screen):
        while screen.descent.learning_rate < 1:
            await pilot.press("plus")
        assert screen.descent.learning_rate == 1
        await pilot.press("n", "n")
        before, after = screen.descent.costs[-2:]
        assert before == after  # (x − 1)² + 1 at 2 − x is the same height
        verdict = rendered(screen, "verdict")
        assert "rose" not in verdict and "overshoot more" not in verdict
        assert "Bouncing" in verdict and f"stayed at {after:.3f}" in verdict
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to stop: bouncing leads nowhere")


@pytest.mark.parametrize("theme", ["textual-dark", "nord", "textual-light", "catppuccin-latte", "solarized-light"])
async def test_the_verdicts_word_reads_in_light_themes_as_in_dark(screen_on, theme):
    async with screen_on("4") as (pilot, screen):
        pilot.app.theme = theme
        while screen.descent.learning_rate < 1:
            await pilot.press("plus")
        await pilot.press("n", "n")
        assert "Bouncing:" in rendered(screen, "verdict")
        await pilot.pause()
        words, background = words_drawn_in(pilot.app, "Bouncing:")
        assert contrast(words, background) >= 3, (theme, words.hex, background.hex)


async def test_a_growing_zig_zag_is_called_diverging(screen_on):
    async with screen_on("4") as (pilot, screen):
        while screen.descent.learning_rate < 2:
            await pilot.press("plus")
        await pilot.press("n")
        step = screen.descent.last
        assert step.cost_after > step.cost_before and abs(screen.descent.gradient[0]) > abs(step.gradient[0])
        verdict = rendered(screen, "verdict")
        assert "Too far" in verdict and "overshoot more" in verdict and "steeper" in verdict


@given(st.floats(min_value=-1e7, max_value=1e7), st.floats(min_value=-1e7, max_value=1e7))
def test_costs_that_are_not_level_never_print_alike(before, after):
    words = change(before, after).removeprefix("from ").split(" to ")
    assert (words[0] == words[1]) <= functions.level(before, after)


async def test_the_networks_curves_share_one_cost_axis_and_s_fits_it_to_one(screen_on):
    async with screen_on("4") as (pilot, screen):
        await until_on_network(pilot, screen)
        first = screen.function.values
        await pilot.press("p")
        await settle(pilot)
        second = screen.function.values
        low, high = min(first.min(), second.min()), max(first.max(), second.max())
        shown = screen.cost_range(second)
        assert shown == (low, high)
        solving = rendered(screen, "solving")
        # The axis is padded and ticked beyond the costs: what the words give a range of is the costs.
        assert f"the costs of every parameter shown run {change(low, high)}" in solving
        assert "axis" not in solving.split("run from")[1].split(".")[0]
        assert f"Along this one the cost spans {number(float(np.ptp(second)))}" in solving
        key = screen.active_bindings["s"]
        assert key.binding.action == "scale" and key.enabled and key.binding.show
        await pilot.press("s")
        assert screen.cost_range(second)[1] - screen.cost_range(second)[0] < high - low
        assert "fitted to it" in rendered(screen, "solving")
        await pilot.press("f")  # the parabola: one curve, nothing to share
        assert screen.check_action("scale", ()) is False


def _equal_gaps(positions: list[int]) -> bool:
    return len(positions) >= 2 and len({b - a for a, b in zip(positions, positions[1:])}) == 1


@pytest.mark.parametrize("size", [(80, 24), (80, 30), (120, 40)])
async def test_the_plots_ticks_are_equally_spaced_at_any_size(screen_on, size):
    async with screen_on("4", size=size) as (pilot, screen):
        for keys in ([], ["n", "n"], ["f"], ["f"]):
            await pilot.press(*keys)
            await settle(pilot)
            lines = rendered(screen, "plot").splitlines()
            rows = [i for i, line in enumerate(lines) if "┤" in line[:12]]
            values = [float(lines[i].split("┤")[0]) for i in rows]
            assert _equal_gaps(rows) and _equal_gaps([round(v * 1e6) for v in values]), (rows, values)
            bottom = next(line for line in lines if "└" in line)
            columns = [i for i, c in enumerate(bottom) if c == "┬"]
            assert _equal_gaps(columns), columns


async def test_steps_are_said_to_shrink_only_when_they_do(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("f")  # two valleys: just right of the hilltop the slope steepens as the ball rolls
        screen.start = np.array([1.3])
        screen.action_reset()
        await pilot.press("n", "n")
        path = [float(p[0]) for p in screen.descent.path]
        assert abs(path[2] - path[1]) > abs(path[1] - path[0]), "a downhill step longer than the last"
        verdict = rendered(screen, "verdict")
        assert "Downhill" in verdict and "shr" not in verdict and "The step grew" in verdict, verdict
        await pilot.press("f", "n", "n")  # the parabola from its start: every step shorter than the last
        verdict = rendered(screen, "verdict")
        assert "The step shrank by itself" in verdict, verdict


async def test_a_title_names_the_curve_drawn_not_its_slope(screen_on):
    async with screen_on("4") as (pilot, screen):
        for _ in functions.CURVES:
            title = rendered(screen, "function")
            assert "f′" not in title and ("f(x) =" in title or "f = " in title), title
            assert screen.query_one("#function").size.height == 1, "the title on one line at 80 columns"
            await pilot.press("f")
        # And the network's parameters, named in full: "layer 1 neuron 11 → layer 2 neuron 1" left "number" a line.
        await until_on_network(pilot, screen)
        for _ in range(4):
            await pilot.press("p")
            await settle(pilot)
            k = screen.function.slice.indices[0]
            name = pilot.app.state.network.parameter(k).describe(pilot.app.state.data.image_shape)
            assert name in rendered(screen, "function")
            assert screen.query_one("#function").size.height == 1, f"the title of {name} on one line at 80 columns"


@pytest.mark.parametrize("step", ["4", "5"])
async def test_p_and_i_on_a_textbook_function_open_the_networks_cost(screen_on, step):
    async with screen_on(step) as (pilot, screen):
        app = pilot.app
        assert not screen.on_network and screen.check_action("parameter", ()) is True
        await pilot.press("p")
        await settle(pilot)
        assert screen.on_network and screen.network_indices == screen.default_indices(screen.steepest)
        await pilot.press("f")  # round to the first textbook function again
        assert not screen.on_network
        await pilot.press("i")
        assert isinstance(app.screen, ParameterPrompt)
        app.screen.query_one(Input).value = "123" if step == "4" else "123, 456"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.on_network and screen.network_indices[0] == 123


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "no-colour"])
async def test_every_line_drawn_has_a_legend_with_its_own_glyph(tiny_mnist_dir, monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        await pilot.press("n", "n")
        await settle(pilot)
        region = screen.query_one("#plot").region
        strips = list(app.screen._compositor.render_strips())[region.y : region.bottom]
        plot = "".join(strip.text[region.x : region.right] for strip in strips)
        glyphs = {}
        for name in ("cost f(x)", "steps", "tangent", "ball"):
            found = re.search(rf"(\S) {re.escape(name)}", plot)
            assert found, (name, plot)
            glyphs[name] = found.group(1)
        assert len(set(glyphs.values())) == 4, glyphs  # no line told from another by colour alone
        for name in ("steps", "tangent", "ball"):
            assert plot.count(glyphs[name]) >= 2, (name, glyphs[name])  # in the key, and drawn


async def test_the_tangent_stays_beside_the_curve_even_at_a_steep_wall(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("f")
        await wait_for(pilot, lambda: screen.function is VALLEYS, "the two valleys")
        await settle(pilot)
        x, cost, slope = float(screen.descent.point[0]), screen.descent.cost, float(screen.descent.gradient[0])
        left, right = screen.tangent_span
        bottom, top = screen.cost_span
        row = (top - bottom) / max(1, screen.query_one("#plot").size.height - 5)
        assert left < x < right
        for end in np.linspace(left, right, 50):
            # Within a couple of rows of the curve it touches: never on past where the curve turns away.
            assert abs(cost + slope * (end - x) - VALLEYS.value(end)) <= 2 * row, end


async def test_the_two_valleys_are_named_plainly_and_help_keeps_their_formula(screen_on):
    async with screen_on("4") as (pilot, screen):
        await pilot.press("f")
        await wait_for(pilot, lambda: screen.function is VALLEYS, "the two valleys")
        await settle(pilot)
        assert "∫" not in rendered(screen, "function") and "two valleys" in rendered(screen, "function")
        assert "∫(x+2.75)²(x+0.5)(x−1.25)(x−2.75)/10 dx" in OneParameterScreen.HELP


def _canvas(screen) -> list[str]:
    """The rows of the plot's canvas, top first, as the screen shows them: inside its frame."""
    plot = screen.query_one("#plot")
    strips = list(screen.app.screen._compositor.render_strips())[plot.region.y : plot.region.bottom]
    lines = [strip.text[plot.region.x : plot.region.right] for strip in strips]
    top = next(i for i, line in enumerate(lines) if "┌" in line)
    bottom = next(i for i, line in enumerate(lines) if "└" in line)
    left, right = lines[top].index("┌"), lines[top].rindex("┐")
    return [line[left + 1 : right] for line in lines[top + 1 : bottom]]


@pytest.mark.parametrize("steps", [0, 1, 3, 6])
async def test_the_tangent_runs_through_the_balls_cell_at_the_slope_it_has(screen_on, steps):
    async with screen_on("4") as (pilot, screen):
        for _ in range(steps):
            await pilot.press("n")
        await settle(pilot)
        canvas = _canvas(screen)
        (row, column), *others = [(r, line.index("●")) for r, line in enumerate(canvas) if "●" in line]
        assert not others
        (low, high), (bottom, top) = screen.query_one("#plot").plt._active.monitor.xlim[0], screen.cost_span
        # The ends of the axes sit on the centres of the first and last cells: a line's slope in cells.
        cell_width, cell_height = (high - low) / (len(canvas[0]) - 1), (top - bottom) / (len(canvas) - 1)
        rows_per_column = float(screen.descent.gradient[0]) * cell_width / cell_height
        tangent = [(r, c) for r, line in enumerate(canvas) for c, glyph in enumerate(line) if glyph == "+"]
        assert any(abs(c - column) == 1 for _, c in tangent), "\n".join(canvas)
        # Each column holds the rows the true line through the ball's cell crosses within it (rows count down).
        reach = abs(rows_per_column) / 2 + 0.5 + 1e-9
        for r, c in tangent:
            assert abs((row - r) - rows_per_column * (c - column)) <= reach, ("\n".join(canvas), (r, c), rows_per_column)


async def test_the_networks_cost_says_which_images_it_is_averaged_over(screen_on):
    async with screen_on("4") as (pilot, screen):
        await until_on_network(pilot, screen)
        await pilot.press("n")
        await settle(pilot)
        numbers = rendered(screen, "numbers")
        # The Cost step measures the same model over other images: each figure says which it is of.
        cost = f"{screen.cost_symbol} = {number(screen.descent.cost)} over {slices.SAMPLE_SIZE} training images"
        assert cost in numbers, numbers
        width = screen.query_one("#numbers").content_size.width
        assert all(len(line) <= width for line in numbers.splitlines()), numbers
        assert f"η = {screen.descent.learning_rate:g}" in numbers and "step 1:" in numbers


@pytest.mark.parametrize("theme", ["textual-dark", ANSI_THEME])
async def test_the_curve_is_drawn_as_textual_plotext_would_draw_it(screen_on, theme):
    """Read from plotext's cells, not from the text it prints: the same characters in the same styles,
    the valleys' names, the tangent and the steps' path included."""
    async with screen_on("4") as (pilot, screen):
        screen.app.theme = theme
        await pilot.press("f", "n", "n", "n")
        await settle(pilot)
        plot = screen.query_one(CurvePlot)
        drawn = plot.render()
        expected = through_the_terminal_codes(plot)
        assert "min" in drawn.plain
        assert drawn.plain == expected.plain
        assert drawn.spans == expected.spans


@pytest.mark.parametrize(("height", "lesson"), [(24, True), (24, False), (40, False)])
async def test_the_minimums_label_sits_on_the_row_just_above_the_minimum_on_a_plot_of_any_height(screen_on, height, lesson):
    async with screen_on("4", size=(80, height), lesson=lesson) as (pilot, screen):
        await pilot.press("n", "n", "n", "n")  # the ball bounces away: nothing of its own under the label
        await settle(pilot)
        lines = screen.query_one(CurvePlot).render().plain.splitlines()
        row = next(r for r, line in enumerate(lines) if "min" in line)
        column = lines[row].index("min") + 1  # the label is centred on the minimum's x
        below = next(r for r in range(row + 1, len(lines)) if lines[r][column] != " ")
        assert below == row + 1, f"'min' {below - row} rows above the curve's lowest point:\n" + "\n".join(lines)


async def test_the_bounces_of_too_big_a_step_keep_five_rows_of_curve_under_the_lesson_s_guide(tiny_mnist_dir):
    beat = next(number for number, beat in enumerate(BEATS) if beat.title == "Too big a step")
    async with at_beat(tiny_mnist_dir, beat) as pilot:
        for _ in range(6):  # the words below the plot grow with the bounces
            await pilot.press("n")
        await settle(pilot)
        lines = pilot.app.screen.query_one(CurvePlot).render().plain.splitlines()
        top, bottom = (next(r for r, line in enumerate(lines) if corner in line) for corner in "┌└")
        inside = lines[top + 1 : bottom]
        drawn = [line for line in inside if any(0x2801 <= ord(c) <= 0x28FF for c in line)]
        assert len(drawn) >= 5, "\n".join(lines)


@pytest.mark.parametrize("theme", ["catppuccin-latte", ANSI_THEME])
async def test_the_minimums_label_is_on_the_plots_own_background_after_the_theme_changes(screen_on, theme):
    async with screen_on("4") as (pilot, screen):
        app = pilot.app
        app.theme = theme
        await wait_for(pilot, lambda: app.current_theme.name == theme, "the theme")
        await pilot.pause()
        plot = screen.query_one(CurvePlot)
        drawn = plot.render()
        label, corner = style_at(drawn, "min"), style_at(drawn, "┌")
        assert (label and label.background) == (corner and corner.background)


@pytest.mark.parametrize("theme", ["textual-dark", "nord", "textual-light", "catppuccin-latte", "solarized-light"])
async def test_the_curve_its_steps_the_ball_its_tangent_and_the_minimum_stand_out_in_light_themes_as_in_dark(screen_on, theme):
    async with screen_on("4") as (pilot, screen):
        pilot.app.theme = theme
        await pilot.press("n", "n", "n")
        await pilot.pause()
        plot = screen.query_one(CurvePlot)
        drawn = plot.render()
        braille = {c for c in drawn.plain if 0x2801 <= ord(c) <= 0x28FF}  # the curve's dots and the path's
        for glyph in ["•", "●", "+", "◆", "min", *braille]:
            colour = drawn_in(plot, drawn, glyph)
            assert stands_out(plot, colour), (theme, glyph, colour)


async def test_the_minimums_mark_stays_on_top_of_the_steps_and_the_tangent(screen_on):
    """Beat 9's bounces (η = 1.2 on the parabola) cross the bottom of the valley again and again: its ◆ stays
    drawn over the steps' marks and the tangent; only the ball, where it sits, covers it."""
    async with screen_on("4") as (pilot, screen):
        screen.action_set_function(0, 1.5, 1.2)
        await settle(pilot)
        for step in range(6):
            canvas = _canvas(screen)
            if not any("◆" in line for line in canvas):
                # Then the ball is on it: in the row under the label's, below its middle letter.
                row = next(r for r, line in enumerate(canvas) if "min" in line)
                assert canvas[row + 1][canvas[row].index("min") + 1] == "●", f"after {step} steps:\n" + "\n".join(canvas)
            await pilot.press("n")
            await settle(pilot)
