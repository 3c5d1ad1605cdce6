"""Step 5, Two parameters: every key it advertises does what it says."""

from __future__ import annotations

import numpy as np
import pytest
from textual.widgets import Input

from gdtui.core import functions, slices
from gdtui.core.functions import BOWL, FOUR_VALLEYS
from gdtui.ui.beats import BEATS
from gdtui.ui.screens.descent import ParameterPrompt, number
from gdtui.ui.screens.two_parameters import GRID, TwoParametersScreen
from gdtui.ui.widgets.height_map import ARROWS, BALL, HeightMap, arrow, band_edges, ends
from tests.app.test_lesson_walk import at_beat
from tests.helpers import open_step, rendered, settle, until_on_network, wait_for, wraps


async def _open(pilot) -> TwoParametersScreen:
    screen = await open_step(pilot, "5")
    assert isinstance(screen, TwoParametersScreen)
    return screen


def _map(screen) -> str:
    return str(screen.query_one(HeightMap).render())


def _whole_scale(screen) -> None:
    view = screen.query_one(HeightMap)
    legend = _map(screen).splitlines()[-1]  # the heights are sampled as the map is drawn
    finite = view._heights[np.isfinite(view._heights)]
    assert len(legend) <= view.size.width, f"{legend!r} is cut at {view.size.width} columns"
    for value in (finite.min(), finite.max()):
        assert f"{value:.3g}" in legend, (f"{value:.3g}", legend)


@pytest.mark.parametrize("keys", [(), ("f", "f", "f")], ids=["bowl", "network"])
async def test_the_colour_scale_s_lowest_and_highest_cost_show_whole_within_the_map_s_width(screen_on, keys):
    async with screen_on("5") as (pilot, screen):
        await pilot.press(*keys)
        await settle(pilot)
        _whole_scale(screen)


async def test_the_colour_scale_shows_whole_beside_the_lesson_s_guide(tiny_mnist_dir):
    beat = next(number for number, beat in enumerate(BEATS) if beat.mode == "two")
    async with at_beat(tiny_mnist_dir, beat) as pilot:
        await settle(pilot)
        _whole_scale(pilot.app.screen)


async def test_it_opens_on_the_bowl_with_the_gradient_at_the_ball(screen_on):
    async with screen_on("5") as (pilot, screen):
        assert screen.function is BOWL
        numbers = rendered(screen, "numbers")
        assert "at (x, y) = (-2.500, 2.500)" in numbers
        assert "gradient ∇f = (∂f/∂x, ∂f/∂y)\n           = (-7.500, 2.500)" in numbers  # (3x, y)
        assert "← uphill ∇f" in numbers and "→ downhill −∇f" in numbers  # mostly along x, where it is steeper
        assert "○ minimum" in numbers
        assert BALL in _map(screen) and "○" in _map(screen)


async def test_n_steps_against_the_gradient(screen_on):
    async with screen_on("5") as (pilot, screen):
        point, gradient, eta = screen.descent.point, screen.descent.gradient, screen.descent.learning_rate
        await pilot.press("n")
        np.testing.assert_allclose(screen.descent.point, point - eta * gradient)
        np.testing.assert_allclose(screen.descent.gradient, BOWL.gradient(*screen.descent.point))
        numbers = rendered(screen, "numbers")
        assert "step 1: new (x, y) = (x, y) − η × ∇f" in numbers
        assert "− 0.1 × (-7.500, 2.500)" in numbers and "= (-1.750, 2.250)" in numbers
        assert "Downhill" in rendered(screen, "verdict")


async def test_space_runs_and_pauses(screen_on):
    async with screen_on("5") as (pilot, screen):
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.descent.steps >= 2, "two steps")
        assert screen.running
        await pilot.press("space")
        steps = screen.descent.steps
        await pilot.pause(0.6)  # more than two ticks of its timer: paused means paused
        assert not screen.running and screen.descent.steps == steps


async def test_plus_and_minus_change_the_learning_rate_and_a_large_one_zig_zags(screen_on):
    async with screen_on("5") as (pilot, screen):
        await pilot.press("minus")
        assert screen.descent.learning_rate == 0.05
        await pilot.press("plus", "plus", "plus")
        assert screen.descent.learning_rate == 0.5
        await pilot.press("n")
        # Along x the bowl is three times as steep: η = 0.5 jumps across it, to the other side.
        assert screen.descent.point[0] > 0 and "Overshot" in rendered(screen, "verdict")


async def test_a_huge_learning_rate_blows_up_with_a_message(screen_on):
    async with screen_on("5") as (pilot, screen):
        app = pilot.app
        await pilot.press(*["plus"] * 30, "n", "n", "n", "n")
        assert screen.descent.blown_up
        assert "Blew up" in rendered(screen, "verdict")
        numbers = rendered(screen, "numbers")
        assert "new (x, y)" not in numbers and "not taken: (x, y) − η × ∇f" in numbers, "the step refused, shown as refused"
        assert all(np.all(np.isfinite(p)) for p in screen.descent.path)
        await pilot.press("n", "g", "space")
        assert app.is_running and not screen.running


async def test_f_cycles_the_surfaces_then_the_network(screen_on):
    async with screen_on("5") as (pilot, screen):
        await pilot.press("f")
        assert screen.function is FOUR_VALLEYS
        assert "× saddle" in rendered(screen, "numbers") and "△ maximum" in rendered(screen, "numbers")
        await until_on_network(pilot, screen)
        assert isinstance(screen.function, slices.NetworkSurface)
        await pilot.press("f")
        assert screen.function is BOWL


async def test_the_networks_landscape_is_computed_by_a_worker_on_a_grid(screen_on):
    async with screen_on("5") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        surface = screen.function
        network = app.state.network
        inputs, labels = slices.fixed_sample(app.state.data.train)
        pair = slices.steepest_parameters(network, inputs, labels, "quadratic")[:2]
        assert surface.slice.indices == pair and surface.values.shape == (GRID, GRID)
        plain = slices.NetworkSlice(network, inputs, labels, "quadratic", pair)
        corner = [surface.xs[0], surface.ys[-1]]
        assert surface.values[-1, 0] == pytest.approx(plain.costs([corner])[0])
        assert screen.descent.cost == pytest.approx(plain.evaluate(plain.origin)[0])
        numbers = rendered(screen, "numbers")
        for name, k in zip("xy", pair):
            assert f"{name} = #{k:,}: {network.parameter(k).describe(app.state.data.image_shape)}" in numbers
        point, gradient = screen.descent.point, screen.descent.gradient
        await pilot.press("n")
        np.testing.assert_allclose(screen.descent.point, point - screen.NETWORK_LEARNING_RATE * gradient)


async def test_the_networks_cost_says_which_images_it_is_averaged_over(screen_on):
    async with screen_on("5") as (pilot, screen):
        await until_on_network(pilot, screen)
        await pilot.press("n")
        assert f"cost C(x, y) = {number(screen.descent.cost)}" in rendered(screen, "numbers").splitlines()
        # The Cost step measures the same model over other images: the figure says which it is of, in its title.
        title = screen.query_one("#function")
        assert f"its cost over {slices.SAMPLE_SIZE} training images" in rendered(screen, "function")
        assert not wraps(title)


async def test_p_cycles_pairs_and_i_takes_two_numbers(screen_on):
    async with screen_on("5") as (pilot, screen):
        app = pilot.app
        await until_on_network(pilot, screen)
        first = screen.network_indices
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.network_indices == [screen.steepest[0], screen.steepest[2]] != first
        await pilot.press("i")
        assert isinstance(app.screen, ParameterPrompt)
        app.screen.query_one(Input).value = "12"
        await pilot.press("enter")
        assert "need 2 whole numbers" in str(app.screen.query_one("#problem").render())
        app.screen.query_one(Input).value = "7, 7"
        await pilot.press("enter")
        assert "different" in str(app.screen.query_one("#problem").render())
        app.screen.query_one(Input).value = "12990, 13001"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.network_indices == [12990, 13001]


async def test_arrows_move_the_start_in_x_and_y_and_r_goes_back_to_it(screen_on):
    async with screen_on("5") as (pilot, screen):
        await pilot.press("right", "right", "down")
        np.testing.assert_allclose(screen.start, [-2.5 + 2 * 6 / 24, 2.5 - 6 / 24])
        np.testing.assert_allclose(screen.descent.point, screen.start)
        await pilot.press("up", "up", "up")
        assert screen.start[1] == 3.0  # stays on the map
        await pilot.press("n", "n", "r")
        assert screen.descent.steps == 0
        np.testing.assert_allclose(screen.descent.point, screen.start)


def _arrows_in_quadrant(screen, right: bool, upper: bool) -> set[str]:
    """The arrow glyphs drawn in one quarter of the map, which is square and right of a 7-column margin."""
    lines = _map(screen).splitlines()[:-2]
    half = len(lines) // 2
    rows = lines[:half] if upper else lines[half:]
    cells = [row[7 + 2 * half :] if right else row[7 : 7 + 2 * half] for row in rows]
    return {glyph for row in cells for glyph in row if glyph in ARROWS}


async def test_g_shows_the_gradient_then_its_negative_over_the_map(screen_on):
    async with screen_on("5") as (pilot, screen):
        view = screen.query_one(HeightMap)
        count = sum(_map(screen).count(a) for a in ARROWS)
        await pilot.press("g")
        assert view.arrows == "uphill" and "∇f, uphill" in rendered(screen, "numbers")
        assert sum(_map(screen).count(a) for a in ARROWS) > count + 20
        # Right of the bowl's bottom ∇f = (3x, y) points right: up and right above it, down and right below.
        assert _arrows_in_quadrant(screen, right=True, upper=True) <= set("→↗↑")
        # How many arrows fit depends on the map's rows, which the key bar shares at 80×24.
        lower = _arrows_in_quadrant(screen, right=True, upper=False)
        assert lower <= set("→↘↓") and "↘" in lower
        await pilot.press("g")
        assert view.arrows == "downhill" and "−∇f, downhill" in rendered(screen, "numbers")
        lower = _arrows_in_quadrant(screen, right=True, upper=False)
        assert lower <= set("←↖↑") and "↖" in lower
        await pilot.press("g")
        assert view.arrows == "off"
        assert sum(_map(screen).count(a) for a in ARROWS) == count


@pytest.mark.parametrize(("network", "steps"), [(False, 0), (False, 2), (False, 5), (True, 3)])
async def test_the_rays_leave_the_balls_cell_along_the_gradient_as_drawn(screen_on, network, steps):
    """As on One parameter, the marks beside the ball follow its true slope from its own cell."""
    async with screen_on("5") as (pilot, screen):
        if network:  # where the steps come back along the uphill ray
            await until_on_network(pilot, screen)
        for _ in range(steps):
            await pilot.press("n")
        view = screen.query_one(HeightMap)
        cells = view._overlay(screen.function)
        ((line, column),) = [cell for cell, (_, role) in cells.items() if role == "ball"]
        for role, sign in (("downhill", -1), ("uphill", 1)):
            dx, dy = view._screen_direction(screen.function, *(sign * screen.descent.gradient))
            ray = [cell for cell, (_, r) in cells.items() if r == role]
            assert min(max(abs(r - line), abs(c - column)) for r, c in ray) == 1, (role, ray)  # from the ball's cell
            for r, c in ray:
                # In samples, x right and y up (two a line): within a cell of the line from the ball's cell.
                x, y = c - column, 2 * (line - r)
                assert x * dx + y * dy > 0 and abs(x * dy - y * dx) / np.hypot(dx, dy) <= 2.5, (role, (r, c))
            # The legend shows each ray's arrowhead: the path the ball came along must not cover it.
            assert any(glyph in ARROWS for glyph, r in cells.values() if r == role), f"the {role} ray's arrowhead"


@pytest.mark.slow
async def test_balls_from_different_starts_end_in_different_valleys(screen_on):
    async with screen_on("5") as (pilot, screen):
        await pilot.press("f")
        minima = [p.point for p in FOUR_VALLEYS.stationary_points if p.kind == functions.MINIMUM]
        ends = set()
        for moves in (["left"] * 12, ["down"] * 18, ["right"] * 18, ["up"] * 18):
            await pilot.press(*moves)
            for _ in range(300):
                screen.action_step()
            ends.add(min(range(4), key=lambda i: np.linalg.norm(np.subtract(minima[i], screen.descent.point))))
            assert min(np.linalg.norm(np.subtract(m, screen.descent.point)) for m in minima) < 1e-2
        assert ends == {0, 1, 2, 3}


def test_arrows_point_the_eight_ways():
    assert arrow(1, 0) == "→" and arrow(1, 1) == "↗" and arrow(0, 1) == "↑" and arrow(-1, 1) == "↖"
    assert arrow(-1, 0) == "←" and arrow(-1, -1) == "↙" and arrow(0, -1) == "↓" and arrow(1, -1) == "↘"
    assert arrow(1, 0.3) == "→"


def test_bands_hold_equal_shares_of_the_map():
    heights = np.arange(800.0).reshape(20, 40) ** 2
    edges = band_edges(heights)
    counts = np.bincount(np.searchsorted(edges, heights.ravel(), side="right"), minlength=8)
    assert len(edges) == 7 and counts.tolist() == [100] * 8


async def test_a_ball_that_leaves_the_map_is_pointed_at_and_said(screen_on):
    async with screen_on("5") as (pilot, screen):
        while screen.descent.learning_rate < 2:
            await pilot.press("plus")
        await pilot.press("n")  # x: -2.5 − 2 × (-7.5) = 12.5, far right of the map; y stays on it
        (x0, x1), (y0, y1) = BOWL.extent
        x, y = screen.descent.point
        assert x > x1 and y0 <= y <= y1 and not screen.descent.blown_up
        verdict = rendered(screen, "verdict")
        assert "left the map to the right" in verdict and "(x, y) = (12.500, -2.500)" in verdict
        assert "press r" in verdict
        rows = _map(screen).splitlines()[: screen.query_one(HeightMap)._map_size()[0]]
        assert sum(row.rstrip().endswith("→") for row in rows) == 1  # at the edge, the way it went
        assert BALL not in _map(screen)
        # The legend names the arrow at the edge: beside the gradient's own arrows it could read as one of theirs.
        numbers = rendered(screen, "numbers")
        assert "→ the ball (off the map)" in numbers and f"{BALL} the ball" not in numbers, numbers


async def test_the_network_slice_under_way_never_reads_as_done(screen_on):
    async with screen_on("5") as (pilot, screen):
        screen.function, screen.descent, screen.progress = None, None, 0.996
        screen.redraw()
        await pilot.pause()
        assert "points… 99%" in rendered(screen, "numbers")


@pytest.mark.parametrize(
    ("low", "high"), [(0.12101, 0.12149), (-1.71002, -1.70951), (0.0897, 0.08974), (1.3912, 1.3949), (-2.0, 3.0), (0.0, 1e-9)]
)
def test_the_ends_of_a_scale_read_apart_when_they_are(low, high):
    """A map of a small range read "low 0.121 ████ 0.121 high", axes "-1.71 … -1.71": as flat as a map can look."""
    shown = ends(low, high)
    assert shown[0] != shown[1] and float(shown[0]) <= float(shown[1]), shown
    assert [float(end) for end in shown] == pytest.approx([low, high], rel=1e-3, abs=1e-12)


def test_a_flat_scale_reads_as_one_figure():
    assert ends(1.8186, 1.8186) == ("1.82", "1.82")


@pytest.mark.parametrize(
    ("heights", "said"),
    [
        ([1.8186, 1.8186, 1.8186], "flat: every height 1.8186 to 6 figures"),
        ([1.8186 + 1e-9 * k for k in range(9)], "flat: every height 1.8186 to 6 figures"),
        ([float("nan"), float("inf"), -float("inf")], "no height here is a finite number"),
    ],
)
def test_a_legend_without_a_range_says_what_there_is(heights, said):
    """A map whose ends are alike, or that has no finite height, read 'low 0 ████ 0 high', then 'flat: every height 0'."""
    view = HeightMap()
    view._heights = np.array(heights)  # as a landscape's samples leave them (see _sample_heights)
    assert said in str(view._legend(colors=False, width=60))
