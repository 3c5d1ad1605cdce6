"""Step 2, Network: every key it advertises does what it says."""

from __future__ import annotations

import numpy as np
from textual.widgets import Input, OptionList, Static

from gdtui.core.model_io import save_model
from gdtui.core.network import Network
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.path_prompt import PathPrompt
from gdtui.ui.widgets.layer_bars import LayerBars
from tests.helpers import make_app, open_step, settle, wait_for, wait_until_loaded


async def test_shows_the_parameter_count_worked_out_and_the_real_outputs(screen_on):
    async with screen_on("2") as (pilot, screen):
        app = pilot.app
        text = str(screen.query_one("#architecture").render())
        assert "13,002 parameters =\n784·16 + 16 + 16·16 + 16 + 16·10 + 10" in text
        outputs = app.state.network.forward(app.state.chosen.inputs())[0]
        shown = screen.query_one("#output", LayerBars)._values
        np.testing.assert_allclose(shown, outputs, rtol=1e-6)
        verdict = str(screen.query_one("#verdict").render())
        assert f"It says {int(outputs.argmax())}" in verdict and "utter trash" in verdict


async def test_r_rerandomises_with_a_new_seed(screen_on):
    async with screen_on("2", seed=5) as (pilot, screen):
        app = pilot.app
        before = app.state.network.params.copy()
        await pilot.press("r")
        assert not np.array_equal(before, app.state.network.params)
        np.testing.assert_array_equal(app.state.network.params, Network(seed=6).params)
        assert "random, seed 6" in str(screen.query_one("#architecture").render())


async def test_n_and_p_change_the_digit_the_network_reads(screen_on):
    async with screen_on("2") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        assert app.state.chosen.index == 1
        assert "train #1 of 1,000" in str(screen.query_one("#architecture").render())
        await pilot.press("p")
        assert app.state.chosen.index == 0


async def test_w_and_brackets_show_a_neurons_weights(screen_on):
    async with screen_on("2") as (pilot, screen):
        app = pilot.app
        await pilot.press("w")
        assert screen.show_weights
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.neuron == 2
        shown = screen.query_one("#input")._values
        np.testing.assert_allclose(shown.ravel(), app.state.network.weights[0][2], rtol=1e-6)
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert screen.neuron == 15  # wraps around the 16 neurons
        await pilot.press("w")
        assert not screen.show_weights


async def test_o_opens_a_saved_model(tiny_mnist_dir, tmp_path):
    saved = save_model(Network(seed=42), tmp_path / "trained.npz")
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "2")
        await pilot.press("o")
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(saved)
        await pilot.press("enter")
        await pilot.pause()
        np.testing.assert_array_equal(app.state.network.params, Network(seed=42).params)
        assert "trained.npz" in str(screen.query_one("#architecture").render())


async def test_a_bad_model_file_is_refused_with_a_message(tiny_mnist_dir, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "2")
        before = app.state.network.params.copy()
        await pilot.press("o")
        prompt = app.screen
        prompt.query_one(Input).value = str(bad)
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt.query_one("#outside").display, "the refusal")
        assert app.screen is prompt  # open, to correct the path or cancel
        assert "bad.npz: not a gdtui model file" in str(prompt.query_one("#outside").render())
        np.testing.assert_array_equal(app.state.network.params, before)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.id == "network", "the prompt to close")
        np.testing.assert_array_equal(app.state.network.params, before)


async def test_what_digits_chose_is_what_network_shows(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("n", "n", "n", "2")
        assert "train #3 of 1,000" in str(app.screen.query_one("#architecture").render())


async def test_o_offers_the_models_in_the_folder_to_pick_with_the_keyboard(tiny_mnist_dir, tmp_path):
    folder = tmp_path / "session"
    folder.mkdir()
    save_model(Network(seed=7), folder / "b-second.npz")
    save_model(Network(seed=8), folder / "a-first.npz")
    (folder / "notes.txt").write_text("not a model")
    app = make_app(tiny_mnist_dir, files_root=folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "2")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        prompt = app.screen
        listed = prompt.query_one(OptionList)
        assert [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)] == ["a-first.npz", "b-second.npz"]
        await pilot.press("down", "down")  # from the path into the list, then to its second file
        assert prompt.query_one(Input).value == "b-second.npz"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        np.testing.assert_array_equal(app.state.network.params, Network(seed=7).params)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt again")
        app.screen.query_one(Input).value = "a-first.npz"  # typing still works
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        np.testing.assert_array_equal(app.state.network.params, Network(seed=8).params)


async def test_o_in_a_folder_without_models_shows_no_list(tiny_mnist_dir, tmp_path):
    app = make_app(tiny_mnist_dir, files_root=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "2")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        assert not app.screen.query_one(OptionList).display


async def test_r_asks_before_random_weights_replace_an_unsaved_trained_network(screen_on):
    async with screen_on("6") as (pilot, training):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        trained = app.state.network.params.copy()
        assert app.state.unsaved
        await pilot.press("2", "r")
        assert isinstance(app.screen, DiscardPrompt)
        assert "not saved" in str(app.screen.query_one(Static).render())
        await pilot.press("escape")
        await settle(pilot)
        np.testing.assert_array_equal(app.state.network.params, trained)
        await pilot.press("r", "r")  # asked again, and this time yes
        await settle(pilot)
        assert app.state.untrained and not np.array_equal(app.state.network.params, trained)
        await pilot.press("r")  # untrained now: nothing to lose, no question
        await settle(pilot)
        assert not isinstance(app.screen, DiscardPrompt)


async def test_training_r_asks_before_losing_unsaved_training_even_with_the_preset_settings(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        trained = app.state.network.params.copy()
        await pilot.press("r")
        assert isinstance(app.screen, DiscardPrompt)
        await pilot.press("escape")
        await settle(pilot)
        np.testing.assert_array_equal(app.state.network.params, trained)


async def test_the_verdict_is_whole_at_80x24(screen_on):
    async with screen_on("2") as (pilot, screen):
        verdict = screen.query_one("#verdict")
        text = str(verdict.render())
        assert "utter trash: r for another random network." in text
        lines = verdict.get_content_height(screen.size, screen.size, verdict.content_region.width)
        assert verdict.content_region.height >= lines == 2
        keys = screen.query_one("KeyBar").region
        assert verdict.region.bottom <= keys.y, "the key bar covers the verdict's last line"


async def test_a_random_network_right_by_luck_is_told_so_and_its_guess_marked_right(screen_on):
    async with screen_on("2") as (pilot, screen):
        state = pilot.app.state
        for _ in range(len(state.data.train)):
            if int(state.network.forward(state.chosen.inputs())[0].argmax()) == state.chosen.label():
                break
            await pilot.press("n")
        label = state.chosen.label()
        assert int(state.network.forward(state.chosen.inputs())[0].argmax()) == label, "a lucky guess in the set"
        await pilot.pause()
        verdict = str(screen.query_one("#verdict").render())
        assert "right" in verdict and "luck" in verdict, verdict
        assert f"It says {state.class_name(label)} (" in verdict, f"the guess is named, not left a placeholder: {verdict}"
        assert screen.query_one("#output", LayerBars)._marks == {label: "◀ right"}
        lines = screen.query_one("#verdict").get_content_height(screen.size, screen.size, 78)
        assert lines <= 2, "the lucky verdict fits the verdict's two lines at 80×24"


async def test_a_terminal_too_small_for_the_bars_leaves_the_screen_idle_and_a_larger_one_draws_them(screen_on, monkeypatch):
    """No room beside the digit: the bars wait for a size that has some, not redraw after every frame for ever."""
    from gdtui.ui.screens.network import NetworkScreen
    from tests.app.test_frame_cost import count_calls

    async with screen_on("2") as (pilot, screen):
        await pilot.resize_terminal(20, 5)
        await pilot.pause(0.2)
        counted = count_calls(monkeypatch, redraw=(NetworkScreen, "redraw"))
        screen.redraw()  # as a key or a change of the network would, with no room for the bars
        await pilot.pause(0.5)
        assert counted["redraw"] <= 2, counted  # that one, and one more once laid out
        drawn = counted["redraw"]
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        assert screen.query_one("#side").content_size.width > 0
        assert counted["redraw"] > drawn, "the bars are drawn again for the room there is now"
