"""Keys in bursts: over a laggy SSH link several presses land in one read, and each
reaches whatever screen is on top when it is handled, not when it was typed."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input

from gdtui.core.model_io import load_model, save_model
from gdtui.core.network import Network
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.label_prompt import LabelPrompt
from gdtui.ui.screens.path_prompt import PathPrompt, ReplacePrompt
from gdtui.ui.screens.quit_prompt import QuitPrompt
from gdtui.ui.widgets.run_driver import RunDriver
from tests.helpers import DEADLINE_S, burst, make_app, settle, wait_for, wait_until_loaded

# Each frame drawn, as on a terminal: a crash anywhere in drawing one is what these look for.
pytestmark = pytest.mark.frames


def alive(app) -> bool:
    return app.is_running and app._exception is None


async def test_two_enters_on_the_save_prompt_save_once_and_keep_the_app(screen_on, tmp_path):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("s")
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await burst(pilot, "enter", "enter")
        await settle(pilot)
        assert alive(app)
        assert app.screen is screen
        assert (tmp_path / "mine.npz").is_file()


async def test_two_enters_on_the_open_prompt_keep_the_app(screen_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with screen_on("2") as (pilot, screen):
        app = pilot.app
        await pilot.press("o")
        prompt = app.screen
        assert isinstance(prompt, PathPrompt)
        await burst(pilot, "x", "enter", "enter")
        await settle(pilot)
        assert alive(app)
        assert app.screen is prompt  # no model named x: the prompt stays, saying so
        assert str(prompt.query_one("#outside").render()) == "x: no such file"
        await burst(pilot, "escape", "escape")
        await settle(pilot)
        assert alive(app)
        assert app.screen is screen


async def test_two_enters_on_the_open_prompt_open_the_model_once(screen_on, tmp_path):
    save_model(Network(seed=9), tmp_path / "other.npz")
    async with screen_on("2") as (pilot, screen):
        app = pilot.app
        await pilot.press("o")
        assert isinstance(app.screen, PathPrompt)
        app.screen.query_one(Input).value = str(tmp_path / "other.npz")
        version = app.state.version
        await burst(pilot, "enter", "enter")
        await settle(pilot)
        assert alive(app)
        assert app.screen is screen
        assert app.state.version == version + 1


async def test_two_enters_on_the_command_palette_keep_the_app(screen_on):
    async with screen_on("1") as (pilot, _):
        app = pilot.app
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await burst(pilot, "enter", "enter")
        await settle(pilot)
        assert alive(app)


async def test_escape_twice_on_every_modal_closes_only_it(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        for key in ("question_mark", "s", "o", "ctrl+p"):
            await pilot.press(key)
            await wait_for(pilot, lambda: app.screen is not screen, f"the modal on {key}")
            await burst(pilot, "escape", "escape")
            await settle(pilot)
            assert alive(app)
            assert app.screen is screen, key


async def test_the_lesson_prepares_its_beat_on_the_step_even_under_a_modal(tiny_mnist_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await burst(pilot, "L", "full_stop", "question_mark")
        await settle(pilot)
        assert alive(app)
        assert app.guide.beat == 1 and isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await burst(pilot, "full_stop", "question_mark")
        await settle(pilot)
        assert alive(app)
        assert app.guide.beat == 2 and isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        # ctrl+p is a priority key: it overtakes a `.` typed just before it, which then
        # reaches the palette and is dropped. Either way the lesson stays whole.
        await burst(pilot, "full_stop", "ctrl+p")
        await settle(pilot)
        assert alive(app)
        assert app.guide.beat in (2, 3) and isinstance(app.screen, CommandPalette)


async def test_the_palette_asked_for_before_the_first_step_does_not_break_the_start(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await burst(pilot, "ctrl+p", "enter", "ctrl+p")
        await wait_until_loaded(pilot)
        await settle(pilot)
        assert alive(app)
        assert app.screen.id == "digits" or isinstance(app.screen, CommandPalette)


async def test_help_then_keys_meant_for_the_step_do_not_reach_it_through_the_help(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await burst(pilot, "question_mark", "escape", "question_mark", "escape", "question_mark")
        await settle(pilot)
        assert alive(app)
        assert isinstance(app.screen, HelpScreen)


async def test_a_run_started_with_space_asks_before_quitting(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("space")
        await wait_for(pilot, lambda: app.state.version > 0, "a step of the run")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitPrompt), "the question before quitting")
        assert app.is_running
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the question to close")
        assert app.is_running and app.state.unsaved


async def test_q_twice_in_one_read_over_unsaved_work_asks_and_then_quits(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await burst(pilot, "q", "q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
        assert app._exception is None


async def test_paging_the_palette_before_it_is_drawn_or_with_no_room(screen_on):
    async with screen_on("1") as (pilot, _):
        app = pilot.app
        await burst(pilot, "ctrl+p", "down", "pagedown", "end", "pageup")
        await pilot.resize_terminal(20, 5)
        await burst(pilot, "pagedown", "pageup", "down", "pagedown")
        await settle(pilot)
        assert alive(app)


async def test_steps_pressed_in_one_burst_are_all_taken(screen_on):
    async with screen_on("6") as (pilot, screen):
        await burst(pilot, "n", "n", "n", "n", "n")
        await wait_for(pilot, lambda: screen.training.run.trainer.steps == 5 and not screen.driver.stepping, "five steps")
        await burst(pilot, "n", "space")  # a step, then a run: the run starts when the step is done
        await wait_for(pilot, lambda: screen.running, "the run")
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the pause")
        assert screen.training.run.trainer.steps > 6


async def test_steps_then_save_in_one_burst_save_the_stepped_network(screen_on, tmp_path):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await burst(pilot, "n", "n", "n", "s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the save prompt")
        assert screen.training.run.trainer.steps == 3  # the steps came first: the prompt saves what they made
        app.screen.query_one(Input).value = str(tmp_path / "three.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 3
        saved = load_model(tmp_path / "three.npz")
        assert (saved.params == app.state.network.params).all() and not app.state.unsaved


async def test_steps_then_another_step_in_one_burst_take_the_steps_first(screen_on):
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await burst(pilot, "n", "n", "n", "2")
        await wait_for(pilot, lambda: app.screen.id == "network", "the Network step")
        await settle(pilot)
        assert screen.training.run.trainer.steps == 3 and app.state.unsaved


async def test_a_key_typed_as_the_save_prompt_closes_reaches_the_step(screen_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await burst(pilot, "s", "enter", "q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
        assert (tmp_path / "gdtui-model.npz").is_file()


async def test_a_step_pressed_while_the_networks_slice_is_worked_out_is_taken_on_it(screen_on):
    async with screen_on("4") as (pilot, screen):
        await burst(pilot, *["f"] * len(screen.TEXTBOOK), "n", "n", "n")
        await settle(pilot)
        await wait_for(pilot, lambda: screen.descent is not None, "the network's slice")
        await settle(pilot)
        assert screen.on_network and screen.descent.steps == 3


async def test_a_name_typed_in_the_read_that_opened_the_save_prompt_is_the_name_saved_as(screen_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await burst(pilot, "s", "x", "enter", "n")
        await wait_for(pilot, lambda: app.screen is screen and screen.training.run.trainer.steps == 2, "the save, then a step")
        await settle(pilot)
        assert [p.name for p in tmp_path.iterdir() if p.suffix == ".npz"] == ["x.npz"]


async def test_keys_after_the_enter_that_answers_the_open_save_prompt_reach_the_step(screen_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the save prompt")
        await burst(pilot, "enter", "q")
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
        assert [p.name for p in tmp_path.iterdir() if p.suffix == ".npz"] == ["gdtui-model.npz"]


async def test_keys_after_a_refused_path_stay_in_the_open_prompt(screen_on, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with screen_on("2") as (pilot, screen):
        app = pilot.app
        await pilot.press("o")
        prompt = app.screen
        assert isinstance(prompt, PathPrompt)
        await burst(pilot, "x", "enter", "y")
        await settle(pilot)
        assert alive(app) and app.screen is prompt  # no model named x: the prompt stays, and y is typed in it
        assert prompt.query_one(Input).value == "xy"


async def test_a_key_typed_right_after_a_yes_no_prompts_answer_reaches_the_step(screen_on, tmp_path):
    save_model(Network(seed=9), tmp_path / "mine.npz")
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the save prompt")
        app.screen.query_one(Input).value = str(tmp_path / "mine.npz")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplacePrompt), "the question before replacing the file")
        await burst(pilot, "y", "q")  # yes, replace it; then quit, with nothing left unsaved
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
        assert app._exception is None and not app.state.unsaved
        assert (load_model(tmp_path / "mine.npz").params == app.state.network.params).all()


async def test_a_class_key_and_a_key_after_it_typed_with_the_one_that_opened_the_label_prompt(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        await burst(pilot, "l", "3", "q")  # which class? a 3; then quit
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
        assert app._exception is None and app.state.chosen.label() == 3


async def test_a_tab_typed_after_a_prompts_answer_turns_the_step_after_the_prompt_closes(tiny_mnist_dir):
    """tab was a priority key: it acted as soon as it was read, while the prompt its read had just
    answered was still up, and was lost."""
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("l")
        await burst(pilot, "7", "tab")
        await wait_for(pilot, lambda: app.current_mode == "network", "the next step")
        assert app.state.chosen.label() == 7  # the 7 answered the prompt first, as it was typed first


async def test_keys_typed_while_a_step_is_under_way_turn_the_step_after_it(screen_on):
    async with screen_on("6") as (pilot, screen):
        await burst(pilot, "n", "tab")
        await wait_for(pilot, lambda: pilot.app.current_mode == "next", "the next step")
        assert screen.training.run.trainer.steps == 1


@pytest.mark.parametrize("opens", ["s", "o"])
async def test_escape_and_a_step_key_in_one_read_at_a_field_prompt_close_it_and_open_the_step(
    screen_on, tmp_path, monkeypatch, opens
):
    # Escape typed with the key after it in one read (a laggy link): the key was typed into the closing field.
    monkeypatch.chdir(tmp_path)
    async with screen_on("6") as (pilot, screen):
        app = pilot.app
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(opens)
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        await burst(pilot, "escape", "2")
        await wait_for(pilot, lambda: app.current_mode == "network", "the Network step")
        assert alive(app) and app.state.unsaved  # cancelled, not answered: the step's training is still unsaved


async def test_escape_and_a_step_key_in_one_read_at_the_label_prompt_cancel_it_and_open_the_step(screen_on):
    async with screen_on("1") as (pilot, screen):
        app = pilot.app
        chosen = app.state.chosen.label()
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelPrompt), "the label prompt")
        await burst(pilot, "escape", "3")
        await wait_for(pilot, lambda: app.current_mode == "cost", "the Cost step")
        assert alive(app) and app.state.chosen.label() == chosen


async def step_until_its_stop_is_posted(screen, then=lambda: None) -> None:
    """A step (n), then() while it goes, and back once its Stopped is posted, before the screen hears it."""
    driver = screen.query_one(RunDriver)
    posted, sent = driver.post_message, []

    def post(message):
        sent.append(message)
        return posted(message)

    driver.post_message = post
    screen.action_step()
    then()
    # Not wait_for: its pauses would let the Stopped reach the screen before what the test does next.
    deadline = time.monotonic() + DEADLINE_S
    while not any(isinstance(message, RunDriver.Stopped) for message in sent):
        assert time.monotonic() < deadline, "the step's Stopped never posted"
        await asyncio.sleep(0)


async def test_a_steps_stop_heard_after_a_run_began_leaves_the_run_going_and_pausable(screen_on):
    """Space read while a finished step's Stopped is still on its way up: the run it starts is the one going, and a
    second space pauses it. The late Stopped is of steps asked for before, and changes nothing."""
    async with screen_on("6") as (pilot, screen):
        await settle(pilot)
        driver = screen.query_one(RunDriver)
        await step_until_its_stop_is_posted(screen)
        screen.action_run()  # the space, before the step's Stopped reaches the screen
        assert screen.running and driver.stepping
        await pilot.pause()
        assert screen.running, "the step's late Stopped ended the run's screen state while the run went on"
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running and not driver.stepping, "the run paused")


async def test_a_key_read_after_a_steps_end_but_before_its_stop_is_heard_waits_behind_the_keys_held(screen_on):
    """n n + in one read, the + read once the first step is over but before its Stopped reaches the screen: it
    must wait behind the second n, held until then, or the second step would take the larger η."""
    async with screen_on("6") as (pilot, screen):
        await settle(pilot)
        driver = screen.query_one(RunDriver)
        trainer = screen.training.run.trainer
        rate, rates, step = trainer.learning_rate, [], trainer.step

        def stepped():
            rates.append(trainer.learning_rate)
            return step()

        trainer.step = stepped  # type: ignore[method-assign]
        held: list[bool] = []
        await step_until_its_stop_is_posted(screen, then=lambda: held.append(screen.hold(events.Key("n", "n"))))
        assert held == [True], "a key read while a step goes waits for it"
        assert not driver.stepping
        assert screen.hold(events.Key("plus", "+")), "the + acted before the n read ahead of it"
        await wait_for(pilot, lambda: trainer.steps == 2 and not screen.busy(), "the second step")
        await wait_for(pilot, lambda: screen.training.run.requested[0] > rate, "the larger η")
        assert rates == [rate, rate], "the second step took the η asked for after it"


async def test_keys_let_go_act_before_a_key_already_on_its_way_when_they_were(screen_on, monkeypatch):
    """The keys held are handed back behind whatever the app has not read yet: a + read in the same burst as n n,
    still on its way when the first step's end let the second n go, acted before it. It waits for them."""
    async with screen_on("6") as (pilot, screen):
        await settle(pilot)
        app, done = pilot.app, []
        monkeypatch.setattr(type(screen), "action_step", lambda self: done.append("n"))
        monkeypatch.setattr(type(screen), "action_rate", lambda self, direction: done.append("+"))
        busy = True
        monkeypatch.setattr(type(screen), "busy", lambda self: busy)
        assert screen.hold(events.Key("n", "n"))
        busy = False
        plus = events.Key("plus", "+")
        plus.set_sender(app)
        app.post_message(plus)  # read, not yet handled
        screen.release_keys()  # the work's end heard meanwhile
        await wait_for(pilot, lambda: len(done) == 2, "both keys")
        assert done == ["n", "+"]


async def test_keys_let_go_into_a_prompt_leave_the_keys_after_them_working(screen_on, tmp_path, monkeypatch):
    """s x let go: the save prompt takes the x in its field, where no key ever comes back from. The keys after
    them still act, at the prompt and at the step."""
    monkeypatch.chdir(tmp_path)
    async with screen_on("6") as (pilot, screen):
        await settle(pilot)
        app = pilot.app
        busy = True
        monkeypatch.setattr(type(screen), "busy", lambda self: busy)
        assert screen.hold(events.Key("s", "s")) and screen.hold(events.Key("x", "x"))
        busy = False
        screen.release_keys()
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the save prompt")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the step again")
        await pilot.press("v")
        await wait_for(pilot, lambda: screen.view == "gradient", "v to act at the step")
