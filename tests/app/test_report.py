"""A lab session's app and the hub: its progress goes up, the teacher's message and step come down."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from gdtui import channel
from gdtui.ui import report
from tests.helpers import make_app, open_step, wait_for, wait_until_loaded


class FakeHub:
    """The server's end of one session's link: what it was sent, and a way to answer."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.writer: asyncio.StreamWriter | None = None

    async def connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        while line := await reader.readline():
            self.lines.append(line)

    def messages(self, since_link: int = 0) -> list[dict]:
        """What the app said on its links, from its link number since_link (0 for the first) on."""
        links = [index for index, line in enumerate(self.lines) if line == b"the-token\n"]
        start = links[since_link] if since_link < len(links) else len(self.lines)
        return [json.loads(line) for line in self.lines[start:] if line != b"the-token\n"]

    def progress(self, since_link: int = 0) -> list[dict]:
        return [message["progress"] for message in self.messages(since_link) if "progress" in message]

    def send(self, message: dict) -> None:
        assert self.writer is not None
        self.writer.write(channel.encode(message))


@pytest.fixture
async def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fake = FakeHub()
    path = tmp_path / "hub"
    server = await asyncio.start_unix_server(fake.connected, path)
    monkeypatch.setenv(channel.SOCKET_VARIABLE, str(path))
    monkeypatch.setenv(channel.TOKEN_VARIABLE, "the-token")
    yield fake
    server.close()


async def test_the_app_reports_its_step_and_obeys_the_teacher(hub: FakeHub, tiny_mnist_dir: Path) -> None:
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "1")
        await wait_for(pilot, lambda: any(p.get("step") == 1 for p in hub.progress()), "step 1 reported")
        assert hub.lines[0] == b"the-token\n"
        # What the app starts never inherits its token.
        assert channel.TOKEN_VARIABLE not in os.environ
        await pilot.press("3")
        await wait_for(pilot, lambda: hub.progress()[-1].get("step") == 3, "step 3 reported")
        hub.send({"say": "[b]Look[/b] at $x", "from": "teach"})
        await wait_for(pilot, lambda: app._notifications, "the teacher's message")
        (shown,) = app._notifications
        assert (shown.message, shown.title, shown.markup) == ("[b]Look[/b] at $x", "From teach", False)
        hub.send({"go": 6})
        await wait_for(pilot, lambda: app.current_mode == "training", "the step the teacher chose")
        # Said, so the student knows why the screen changed and how to go back to what they were doing.
        assert any("Your teacher brought you to step 6, Training: 3 goes back to Cost." in n.message for n in app._notifications)
        await wait_for(pilot, lambda: "steps" in hub.progress()[-1], "the training steps reported")
        assert hub.progress()[-1]["step"] == 6


async def test_a_lost_link_is_linked_again(hub: FakeHub, tiny_mnist_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "RETRY_S", 0.05)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "2")
        await wait_for(pilot, lambda: hub.progress() and hub.progress()[-1].get("step") == 2, "step 2 reported")
        first = hub.writer
        assert first is not None
        first.close()
        await wait_for(pilot, lambda: hub.lines.count(b"the-token\n") == 2, "the app to link again")
        # A new link starts afresh: where the student is, and that the first screen is shown, said again.
        await wait_for(pilot, lambda: hub.progress(since_link=1), "the progress on the new link")
        assert hub.progress(since_link=1)[-1]["step"] == 2
        await wait_for(pilot, lambda: {"shown": True} in hub.messages(since_link=1), "the first screen shown, said again")


async def test_the_app_says_once_its_first_screen_is_drawn(hub: FakeHub, tiny_mnist_dir: Path) -> None:
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: {"shown": True} in hub.messages(), "the first screen shown")
        assert app.first_screen_shown.is_set()
        assert app.screen.id == "digits"
        await open_step(pilot, "2")
        await wait_for(pilot, lambda: hub.progress()[-1].get("step") == 2, "step 2 reported")
        assert hub.messages().count({"shown": True}) == 1


async def test_an_app_whose_hub_is_gone_runs_as_ever(
    tmp_path: Path, tiny_mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(channel.SOCKET_VARIABLE, str(tmp_path / "nothing-here"))
    monkeypatch.setenv(channel.TOKEN_VARIABLE, "the-token")
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "2")
        assert app.current_mode == "network"


async def test_the_quiz_score_is_reported_from_the_lesson_state(hub: FakeHub, tiny_mnist_dir: Path) -> None:
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "3")
        await pilot.press("v", "enter")  # the ranking as it stands: wrong
        await wait_for(pilot, lambda: hub.progress()[-1].get("quiz") == [0, 1], "the quiz score reported")
        assert (app.state.quiz.right, app.state.quiz.asked) == (0, 1)
        assert hub.progress()[-1]["answers"] == "W", "each answer, for the class record"
        await pilot.press("2")  # the score stays the learner's when the step is left
        await wait_for(pilot, lambda: hub.progress()[-1].get("step") == 2, "step 2 reported")
        assert hub.progress()[-1]["quiz"] == [0, 1]


async def test_training_figures_come_from_the_run_whether_or_not_its_screen_was_opened(
    tiny_mnist_dir: Path, tmp_path: Path
) -> None:
    app = make_app(tiny_mnist_dir)
    async with app.run_test() as pilot:
        await wait_until_loaded(pilot)
        training = app.state.training
        run = training.ensure()
        training.speed = 0  # flat out
        assert training.advance(run, "epoch", cancelled=lambda: False, progressed=lambda: None) == "epoch"
        assert "training" not in app._screen_stacks or not app.get_screen_stack("training")  # never opened
        progress = report.progress_of(app, app.state, None)
        assert progress["steps"] == run.trainer.steps > 0
        assert progress["accuracy"] == run.epochs[-1].test_accuracy
        assert "saved" not in progress
        written = training.save(tmp_path / "mine.npz")
        assert report.progress_of(app, app.state, None)["saved"] == [written.name]


async def test_the_measurement_of_random_weights_is_no_accuracy_to_report(tiny_mnist_dir: Path) -> None:
    """Before a run's first epoch ends, its only measurement is of the weights it started from: the teacher's Best read
    9.7% for a student whose network, 1,320 steps on, read 89% on their own Cost step."""
    app = make_app(tiny_mnist_dir)
    async with app.run_test() as pilot:
        await wait_until_loaded(pilot)
        training = app.state.training
        run = training.ensure()
        start = run.start()
        assert start is not None
        run.add_epoch(run.evaluate(start))  # as the Training step does when it opens
        training.speed = 0
        assert training.advance(run, "step", cancelled=lambda: False, progressed=lambda: None) == "step"
        assert run.epochs and run.epochs[-1].step == 0, "the case this test is about: the random weights measured"
        progress = report.progress_of(app, app.state, None)
        assert progress["steps"] == 1 and "accuracy" not in progress


async def test_an_answer_checked_and_a_model_saved_are_reported_at_once(
    hub: FakeHub, tiny_mnist_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app looks at its progress only now and then: what the record keeps at once must not wait for it.
    monkeypatch.setattr(report, "LOOK_EVERY_S", 600.0)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "3")
        await wait_for(pilot, lambda: hub.progress(), "the first report")
        await pilot.press("v", "enter")
        await wait_for(pilot, lambda: hub.progress()[-1].get("answers") == "W", "the answer reported", deadline=5)
        app.state.training.save(tmp_path / "mine.npz")
        await wait_for(pilot, lambda: hub.progress()[-1].get("saved") == ["mine.npz"], "the model reported", deadline=5)
