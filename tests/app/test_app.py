"""The app shell: loading, moving between the steps, help, palette, size and quitting."""

from __future__ import annotations

import threading

import pytest
from textual.command import CommandPalette

from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.quit_prompt import QuitPrompt
from tests.helpers import make_app, screen_text, wait_for, wait_until_loaded


async def test_opens_on_digits_with_the_data(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        assert app.current_mode == "digits"
        assert len(app.state.data.train) == 1000
        assert app.state.network.num_params == 13002


@pytest.mark.parametrize("step", STEPS, ids=[s.mode for s in STEPS])
async def test_number_keys_open_each_step(tiny_mnist_dir, step):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press(step.key)
        assert app.screen.id == step.mode
        assert step.title in app.screen.TITLE_TEXT


async def test_tab_and_shift_tab_walk_the_steps_in_order(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        seen = []
        for _ in STEPS:
            seen.append(app.screen.id)
            await pilot.press("tab")
        assert seen == [s.mode for s in STEPS]
        assert app.screen.id == "digits"  # wrapped around
        await pilot.press("shift+tab")
        assert app.screen.id == STEPS[-1].mode


async def test_question_mark_opens_help_for_the_screen_and_escape_closes_it(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("2", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text
        assert "utter trash" in text and "`r`" in text and "Randomise" in text
        await pilot.press("escape")
        assert app.screen.id == "network"


async def test_tab_inside_help_does_not_change_the_step(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("question_mark", "tab")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen.id == "digits"


async def test_ctrl_p_palette_offers_the_steps_and_the_screen_actions(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to Training" in titles and "Digits: Random" in titles
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to network", "enter")
        await pilot.pause()
        assert app.screen.id == "network"


async def test_the_palette_offers_only_the_actions_that_act_now(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        # Not drawing: 'Clear' and 'Done' would do nothing, as their keys, hidden from the key bar, do.
        assert "Digits: Draw" in titles and "Digits: Clear" not in titles and "Digits: Done" not in titles
        await pilot.press("d")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Digits: Clear" in titles and "Digits: Done" in titles and "Digits: Draw" not in titles


async def test_a_small_terminal_asks_for_a_larger_window(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert app.screen.has_class("-too-small")
        message = str(app.screen.query_one("#too-small").render())
        assert "larger" in message and "60×20" in message
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")


async def test_behind_the_ask_for_a_larger_window_only_quitting_acts(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        screen = app.screen
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        # The lesson, its next beat, another step, help and the palette: all out of sight, so none acts.
        await pilot.press("L", "full_stop", "full_stop", "comma", "R", "2", "tab", "question_mark", "ctrl+p")
        await pilot.pause()
        assert not app.guiding and app.guide.beat == 0
        assert app.screen is screen and screen.has_class("-too-small")
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_q_quits(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert app._exit


async def test_q_sets_the_sessions_group_back_at_once(tiny_mnist_dir, monkeypatch):
    # A run lowers a lab session's whole group: the app on its way out must not end at a background's share.
    from gdtui.core import background

    set_back = threading.Event()
    monkeypatch.setattr(background, "set_back", set_back.set)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("q")
        assert set_back.wait(5)


async def test_bad_data_directory_exits_with_the_message(tmp_path):
    app = make_app(tmp_path / "nowhere")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.error, "the error")
    assert app.return_code == 2
    assert "nowhere" in app.error and "\n" not in app.error


async def _train_a_step_unsaved(pilot) -> None:
    """On Training, one step taken and never saved: what q asks about."""
    await wait_until_loaded(pilot)
    await pilot.press("6", "n")
    await pilot.app.workers.wait_for_complete()


def _boxed_words(app) -> str:
    """The screen's words, across the lines of the box they are in."""
    return " ".join(screen_text(app).replace("│", " ").split())


async def test_the_advice_before_quitting_can_be_followed_behind_make_the_window_larger(tiny_mnist_dir):
    """Behind the message only q acts: "then s saves it" alone could not be done there."""
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _train_a_step_unsaved(pilot)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, QuitPrompt)
        advice = _boxed_words(app)
        assert "in a larger window, then s saves it" in advice, advice
        # The window grown or shrunk while it asks, the advice follows.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert "larger window" not in screen_text(app)
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        assert "larger window" in _boxed_words(app)


async def test_the_prompts_over_the_training_step_say_s_saves_without_sending_the_learner_there(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _train_a_step_unsaved(pilot)
        for key, prompt in (("r", DiscardPrompt), ("q", QuitPrompt)):
            await pilot.press(key)
            await wait_for(pilot, lambda p=prompt: isinstance(app.screen, p), f"{prompt.__name__} over Training")
            words = _boxed_words(app)
            assert "then s saves it" in words and "6 Training" not in words, words
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen.id == "training", "back on Training")
        await pilot.press("2", "r")  # from another step, the way there
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardPrompt), "the prompt over Network")
        assert "6 Training, then s, saves it" in _boxed_words(app)


async def test_q_asks_before_losing_a_trained_network_that_was_never_saved(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _train_a_step_unsaved(pilot)
        await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, QuitPrompt) and not app._exit
        await pilot.press("escape")
        assert app.screen.id == "training" and not app._exit
        await pilot.press("q", "q")
        await pilot.pause()
        assert app._exit
