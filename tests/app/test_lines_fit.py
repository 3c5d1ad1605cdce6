"""At 80×24, the real size, a panel's line that is longer than its column wraps under the next and reads as two.

Each panel here holds lines of figures whose length depends on the network, the data set and the numbers of
the moment: none of them may outgrow its column, on any choice the keys allow.
"""

from __future__ import annotations

import pytest

from gdtui.core.network import Network
from gdtui.ui.beats import BEATS, PART_TWO
from gdtui.ui.screens.two_parameters import TwoParametersScreen
from tests.app.test_lesson_walk import at_beat, go_to_beat, problem_with
from tests.app.test_lesson_walk import screen_text as lesson_text
from tests.helpers import make_app, rendered, settle, until_on_network, wait_for, wait_until_loaded, wraps

# A wider network than the lesson's: longer names for its parameters, more digits in their indices.
WIDE = (784, 128, 128, 10)


def _whole_lines(screen: TwoParametersScreen, where: str) -> None:
    numbers = screen.query_one("#numbers")
    assert not wraps(numbers), f"{where}: a line of the numbers wraps:\n{rendered(screen, 'numbers')}"


async def _steps_and_arrows(pilot, screen: TwoParametersScreen, where: str) -> None:
    _whole_lines(screen, where)
    await pilot.press("n")
    await pilot.pause()
    _whole_lines(screen, f"{where}, after a step")
    for _ in range(2):
        await pilot.press("g")
        await pilot.pause()
        _whole_lines(screen, f"{where}, with the map's arrows")
    await pilot.press("g", "r")


async def test_the_two_parameters_numbers_fit_their_column(screen_on):
    async with screen_on("5") as (pilot, screen):
        for choice in range(len(screen.TEXTBOOK)):
            screen.choose(choice)
            screen.redraw()
            await pilot.press("minus")  # a learning rate with more digits
            await _steps_and_arrows(pilot, screen, screen.function.name)
        await until_on_network(pilot, screen)
        await _steps_and_arrows(pilot, screen, "the network")


async def test_the_numbers_fit_for_any_two_parameters_of_a_wider_network(screen_on):
    network = Network(WIDE, seed=1)
    last = network.num_params - 1
    # The longest names: a pixel's weight into the first layer, a weight between two wide layers, the last bias.
    first_layer = 127 * 784 + 783
    between = 784 * 128 + 128 + 127 * 128 + 127
    async with screen_on("5", network=network, model_name="wide.npz") as (pilot, screen):
        await until_on_network(pilot, screen)
        for pair in ([first_layer, between], [between, last]):
            screen.compute_network(pair)
            await settle(pilot)
            assert screen.network_indices == pair
            await _steps_and_arrows(pilot, screen, f"parameters {pair}")


async def _pixel_line_whole(pilot, where: str) -> None:
    app = pilot.app
    screen = app.screen
    pixel = screen.query_one("#pixel")
    text = rendered(screen, "pixel")
    assert not wraps(pixel), f"{where}: the pixel's line wraps under the guide: {text!r}"
    assert problem_with(pixel) is None, where
    if "says" in text:
        assert app.state.network_origin in text, f"{where}: which network says it, in full: {text!r}"
    assert str(screen.query_one("#image").legend()) in lesson_text(app), f"{where}: what the shades mean"


async def test_the_pixel_s_line_and_the_network_s_verdict_fit_beside_the_guide(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for beat in (0, 1):
            await go_to_beat(pilot, beat)
            await _pixel_line_whole(pilot, f"beat {beat + 1}")
            await pilot.press("z")  # pure noise: what does the network make of it?
            await wait_for(pilot, lambda: "says" in rendered(app.screen, "pixel"), "the network's verdict")
            await _pixel_line_whole(pilot, f"beat {beat + 1}, noise")
            await pilot.press("left", "left", "left", "left", "up")  # a pixel of two-digit row and column
            await pilot.pause()
            await _pixel_line_whole(pilot, f"beat {beat + 1}, noise, another pixel")
            await pilot.press("d", "space", "right", "space")  # a drawing, and what the network makes of it
            await wait_for(pilot, lambda: "says" in rendered(app.screen, "pixel"), "the network's verdict on the drawing")
            await _pixel_line_whole(pilot, f"beat {beat + 1}, drawing")
            await pilot.press("d")


def _rows_whole(app, where: str) -> None:
    screen = app.screen
    page = screen.query_one("#page")
    for selector in ("#later", "#earlier", "#terms"):
        widget = screen.query_one(selector)
        if widget.display:
            assert problem_with(widget) is None, f"{where}: {selector} {problem_with(widget)}\n{rendered(screen, selector[1:])}"
    assert page.max_scroll_y == 0, f"{where}: rows of the layers' view below the fold, behind a scrollbar"
    later = rendered(screen, "later")
    assert "◀" in later, f"{where}: the neuron whose sum is shown is among the rows"


@pytest.mark.slow
async def test_the_hidden_layers_view_shows_every_row_beside_any_beat_s_guide(tiny_mnist_dir):
    first = BEATS.index(PART_TWO[0])
    for network in (None, Network(WIDE, seed=1)):
        app = make_app(tiny_mnist_dir, lesson=True, network=network, model_name="wide.npz")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until_loaded(pilot)
            for index in range(first, len(BEATS)):
                await go_to_beat(pilot, index)
                while app.screen.view != "layers":  # as a student would: v until the hidden layers' view
                    await pilot.press("v")
                await settle(pilot)
                _rows_whole(app, f"beat {index + 1}, {'the lesson' if network is None else 'a wider'} network")


async def test_the_race_s_table_fits_beside_its_map(screen_on):
    for network in (None, Network(WIDE, seed=1)):
        async with screen_on("8", network=network, model_name="wide.npz") as (pilot, screen):
            while screen.view != "minibatch":
                await pilot.press("v")
            await wait_for(pilot, lambda: screen.race is not None and screen.surface is not None, "the race")
            for steps in range(4):
                await wait_for(pilot, lambda s=steps: screen.race.mini.steps == s, f"{steps} steps of both walkers")
                race = screen.query_one("#race")
                assert not wraps(race), f"{steps} steps: a line of the race's table wraps:\n{rendered(screen, 'race')}"
                await pilot.press("n")


async def test_the_network_s_numbers_keep_every_row_beside_the_map_under_the_guide(tiny_mnist_dir):
    beat = next(i for i, b in enumerate(BEATS) if b.mode == "two")
    async with at_beat(tiny_mnist_dir, beat) as pilot:
        app = pilot.app
        screen = app.screen
        await until_on_network(pilot, screen)
        for where in ("before a step", "after a step", "with the map's arrows"):
            numbers = screen.query_one("#numbers")
            assert problem_with(numbers) is None, f"{where}: {problem_with(numbers)}\n{rendered(screen, 'numbers')}"
            assert not wraps(numbers), where
            await pilot.press("n" if where == "before a step" else "g")
            await pilot.pause()
