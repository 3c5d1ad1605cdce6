"""Step 1, Digits: every key it advertises does what it says."""

from __future__ import annotations

import re

import numpy as np
from textual.widgets import Static

from gdtui.ui.state import Provenance
from gdtui.ui.widgets.pixel_numbers import PixelNumbers


async def test_next_previous_and_random_browse_the_set(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        state = app.state
        await pilot.press("n", "n")
        assert state.chosen.index == 2
        await pilot.press("p")
        assert state.chosen.index == 1
        await pilot.press("p", "p")
        assert state.chosen.index == len(state.chosen.split) - 1  # wraps around
        await pilot.press("r")
        assert state.chosen.source == "dataset"
        assert app.screen.query_one("#image-panel").border_title == state.describe(short=True)


async def test_label_key_jumps_to_the_next_example_of_that_digit(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        state = app.state
        start = state.chosen.index
        await pilot.press("l", "7")
        assert state.chosen.label() == 7
        expected = start + 1 + int(np.argmax(state.chosen.split.labels[start + 1 :] == 7))
        assert state.chosen.index == expected
        assert app.screen.id == "digits"  # the 7 chose a label, it did not open step 7
        await pilot.press("l", "escape")
        assert state.chosen.index == expected


async def test_label_key_shows_it_waits_for_a_digit_and_that_number_keys_are_digits_there(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("l")
        await pilot.pause()
        prompt = app.screen
        text = " ".join(str(prompt.query_one(Static).render()).split())
        assert "which digit?" in text and "not a step" in text and "Escape cancels" in text, text
        assert prompt.query_one(Static).region in prompt.region, "the question whole on screen at 80×24"


async def test_t_switches_between_training_and_test_sets(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("t")
        assert app.state.chosen.split_name == "test" and len(app.state.chosen.split) == 200
        await pilot.press("t")
        assert app.state.chosen.split_name == "train"


async def test_arrows_move_the_pixel_cursor_and_the_numbers_follow(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("up", "up", "left")
        assert screen.cursor == (12, 13)
        assert screen.query_one("#image").cursor == (12, 13)
        assert screen.query_one(PixelNumbers)._cursor == (12, 13)
        pixel = str(screen.query_one("#pixel").render())
        value = app.state.chosen.image()[12, 13]
        # Counted from 0, as every screen counts pixels, inputs and neurons: row 12 column 13 is input 349.
        assert f"pixel (12,13) = input {12 * 28 + 13} = {value:.2f}" in pixel, pixel
        for _ in range(40):
            await pilot.press("right")
        assert screen.cursor == (12, 27)  # stops at the edge


async def test_drawing_paints_erases_and_clears(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        state = app.state
        await pilot.press("d")
        assert app.screen.drawing_mode and state.chosen.source == "drawing"
        await pilot.press("space", "down", "space", "down", "space")
        assert state.chosen.canvas[14, 14] == 1.0 and state.chosen.canvas.sum() > 3
        assert app.screen.query_one("#right-panel").border_title == "what the network sees"
        await pilot.press("x")
        assert state.chosen.canvas[15:18, 13:16].sum() == 0
        await pilot.press("c")
        assert state.chosen.canvas.sum() == 0
        await pilot.press("n")  # browsing keys rest while drawing
        assert state.chosen.index == 0
        await pilot.press("d")
        assert not app.screen.drawing_mode and state.chosen.source == "dataset"


async def test_paint_keys_rest_outside_drawing(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("space", "x")
        assert app.state.chosen.canvas.sum() == 0


async def test_z_shows_noise(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("z")
        assert app.state.chosen.source == "noise" and app.state.chosen.label() is None
        assert app.screen.query_one("#image-panel").border_title == "random noise"


async def test_noise_says_what_the_network_makes_of_it(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("z")  # its key promises: "Pure noise: what does the network make of it?"
        outputs = app.state.network.forward(app.state.chosen.inputs())[0]
        guess = int(outputs.argmax())
        pixel = str(screen.query_one("#pixel", Static).render())
        # Which network: the random one it starts as, or whatever it has become since.
        assert f"the network ({app.state.network_origin}) says {guess} ({outputs[guess]:.2f})" in pixel, pixel
        assert len(pixel) <= screen.query_one("#pixel").content_size.width, pixel  # one line at 80 columns


async def test_each_set_keeps_its_place(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("n", "n", "n", "t", "n", "t")
        assert app.state.chosen.split_name == "train" and app.state.chosen.index == 3
        await pilot.press("t")
        assert app.state.chosen.split_name == "test" and app.state.chosen.index == 1


async def test_while_drawing_the_network_reads_the_drawing_and_d_says_done(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await pilot.press("d", "space")
        outputs = app.state.network.forward(app.state.chosen.inputs())[0]
        assert f") says {int(outputs.argmax())}" in str(app.screen.query_one("#pixel").render())
        descriptions = {b.binding.description for b in app.screen.active_bindings.values() if b.enabled}
        assert "Done" in descriptions and "Draw" not in descriptions
        await pilot.press("d")
        assert not app.screen.drawing_mode


async def test_the_prediction_shown_belongs_to_the_drawing_on_screen(screen_on):
    async with screen_on("1") as (pilot, screen):
        state = pilot.app.state
        await pilot.press("z", "d")
        assert state.chosen.source == "drawing" and not state.chosen.canvas.any()
        pixel = str(screen.query_one("#pixel").render())
        assert "the network (" not in pixel and "nothing drawn yet" in pixel
        await pilot.press("space")
        assert state.chosen.canvas.any()
        outputs = state.network.forward(state.chosen.inputs())[0]
        best = int(outputs.argmax())
        assert np.sum(outputs == outputs[best]) == 1  # one answer, no tie to break
        assert f") says {best} ({outputs[best]:.2f})" in str(screen.query_one("#pixel").render())
        await pilot.press("c")
        assert "nothing drawn yet" in str(screen.query_one("#pixel").render())


async def test_a_long_network_name_is_cut_to_keep_the_verdict_on_one_line(screen_on):
    async with screen_on("1") as (pilot, screen):
        state = pilot.app.state
        state.use_network(state.copy_network(), "a model with a very long file name, of many words and more.npz")
        await pilot.press("z")
        pixel = str(screen.query_one("#pixel").render())
        assert len(pixel) <= screen.query_one("#pixel").content_size.width, pixel
        # Its start and its end, the middle given up.
        assert re.search(r"the network \(a model…[^)]*\.npz\) says ", pixel), pixel


async def test_a_trained_networks_verdict_keeps_its_steps_in_little_room(screen_on):
    async with screen_on("1") as (pilot, screen):
        state = pilot.app.state
        state.restore(state.copy_network(), Provenance("random, seed 0", True, 0, 5301, 1))
        await pilot.press("z")
        pixel = str(screen.query_one("#pixel").render())
        assert len(pixel) <= screen.query_one("#pixel").content_size.width, pixel
        assert "network (5,301 steps" in pixel and "…" not in pixel, pixel
