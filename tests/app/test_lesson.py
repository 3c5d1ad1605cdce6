"""The guided lesson: its beats in order, leaving and coming back, resuming, restarting."""

from __future__ import annotations

import pytest

from gdtui.core.files import data_home
from gdtui.ui import bookmark
from gdtui.ui.beats import BEATS, PART_TWO
from gdtui.ui.widgets.guide_panel import GuidePanel
from tests.helpers import make_app, wait_for, wait_until_loaded


async def _start(pilot) -> None:
    await wait_until_loaded(pilot)


def _panel_text(app) -> str:
    panel = app.screen.query_one(GuidePanel)
    assert panel.has_class("-on")
    return str(panel.render())


async def test_every_beat_opens_its_step_and_says_its_piece(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        for number, beat in enumerate(BEATS, start=1):
            assert app.screen.id == beat.mode
            assert f"Lesson {number}/{len(BEATS)}" in _panel_text(app)
            assert "→" in _panel_text(app)
            await pilot.press("full_stop")
            await pilot.pause()
        assert app.guide.beat == len(BEATS) - 1  # stays on the last beat
        await pilot.press("comma")
        await pilot.pause()
        assert app.guide.beat == len(BEATS) - 2 and app.screen.id == BEATS[-2].mode


async def test_beats_put_the_screen_in_the_state_they_describe(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        quiz = next(i for i, b in enumerate(BEATS) if "#quiz-row" in b.shows)
        for _ in range(quiz):
            await pilot.press("full_stop")
            await pilot.pause()
        assert app.screen.id == "cost" and app.screen.view == "quiz"
        gradient = next(i for i, b in enumerate(BEATS) if b.mode == "training")
        for _ in range(gradient - quiz):
            await pilot.press("full_stop")
            await pilot.pause()
        assert app.screen.id == "training" and app.screen.view == "gradient"
        assert "13,002" in _panel_text(app)  # filled in from the network


async def test_leaving_the_path_and_coming_back(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        await pilot.press("full_stop", "full_stop")
        await pilot.pause()
        beat = app.guide.beat
        await pilot.press("5")  # off to play elsewhere
        await pilot.pause()
        assert app.screen.id == "two" and "You left the lesson" in _panel_text(app)
        await pilot.press("L")  # and back
        await pilot.pause()
        assert app.guide.beat == beat and app.screen.id == BEATS[beat].mode
        await pilot.press("L")  # hides the guide
        assert not app.screen.query_one(GuidePanel).has_class("-on")


async def test_l_starts_the_lesson_from_anywhere(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        await pilot.press("6")
        assert not app.screen.query_one(GuidePanel).has_class("-on")
        await pilot.press("L")
        await pilot.pause()
        assert app.screen.id == BEATS[0].mode and "Lesson 1/" in _panel_text(app)


async def test_the_lesson_resumes_where_it_stopped_and_r_restarts_it(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        for _ in range(4):
            await pilot.press("full_stop")
            await pilot.pause()
    assert bookmark.load_beat() == 4

    again = make_app(tiny_mnist_dir, lesson=True)
    async with again.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        assert again.guide.beat == 4 and again.screen.id == BEATS[4].mode
        await pilot.press("R")
        await pilot.pause()
        assert again.guide.beat == 0 and again.screen.id == BEATS[0].mode
    assert bookmark.load_beat() == 0


async def test_l_resumes_where_the_lesson_stopped_after_a_start_without_it(tiny_mnist_dir):
    bookmark.save_beat(4)  # an earlier session stopped at beat 5
    app = make_app(tiny_mnist_dir)  # plain gdtui, no --lesson
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        await pilot.press("L")
        await pilot.pause()
        assert app.screen.id == BEATS[4].mode and "Lesson 5/" in _panel_text(app)
    assert bookmark.load_beat() == 4


@pytest.mark.parametrize("stopped_at", [None, 4, len(BEATS) - 1, len(BEATS) + 12])  # the last: from a longer lesson
async def test_the_digits_step_invites_to_the_lesson_as_far_as_the_learner_got(tiny_mnist_dir, stopped_at):
    if stopped_at is not None:
        bookmark.save_beat(stopped_at)
    app = make_app(tiny_mnist_dir)  # plain gdtui, no --lesson
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        words = " ".join(str(app.screen.query_one("#explain").render()).split())
    if stopped_at is None:
        assert "New here? Press L for a guided lesson" in words
    else:
        assert "New here?" not in words
        assert f"Press L to go on with the lesson (beat {min(stopped_at + 1, len(BEATS))} of {len(BEATS)})" in words


async def test_the_first_beat_shows_the_digits_it_will_learn_from(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        await pilot.press("t")  # the learner looked at the test set
        await pilot.press("L")
        await pilot.pause()
        assert "learn from" in _panel_text(app)
        assert app.state.chosen.split_name == "train", "the training digits, which it learns from"


async def test_the_network_beat_shows_the_input_that_flows_through_it(tiny_mnist_dir):
    bookmark.save_beat(2)  # "A network of 784-16-16-10": the values feed 16 neurons...
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        await pilot.press("2", "w")  # the learner left a neuron's weights on show
        await pilot.press("L")
        await pilot.pause()
        assert "Lesson 3/" in _panel_text(app)
        assert not app.screen.show_weights, "the input image, not a neuron's weights"


async def test_part_one_s_last_beat_leads_into_the_backprop_step_it_announces(tiny_mnist_dir):
    bookmark.save_beat(BEATS.index(PART_TWO[0]) - 1)  # "Next up: backpropagation" ...which part two shows
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start(pilot)
        await pilot.press("L")
        await pilot.pause()
        assert "Next up: backpropagation" in _panel_text(app) and "Press . for part two" in _panel_text(app)
        await pilot.press("full_stop")
        await wait_for(pilot, lambda: app.screen.id == "backprop", "the Backprop step")
        assert f"Lesson {BEATS.index(PART_TWO[0]) + 1}/{len(BEATS)}" in _panel_text(app)


DAMAGED_BOOKMARKS = [
    b"not json",
    b"[1, 2]",
    b'{"beat": -3}',
    b'{"beat": "five"}',
    b'{"beat": true}',
    b'{"beat": ' + b"9" * 5000 + b"}",
    b"\xff\xfe not text",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"beat": {"beat": ' * 50_000 + b"1" + b"}}" * 50_000,
    b'{"beat": 3, "pad": "' + b"x" * 10_000_000 + b'"}',
]


@pytest.mark.parametrize("junk", DAMAGED_BOOKMARKS, ids=lambda junk: repr(junk[:24]))
def test_a_damaged_bookmark_starts_from_the_beginning(junk: bytes):
    data_home().mkdir(parents=True)
    (data_home() / "lesson.json").write_bytes(junk)
    assert bookmark.load_beat() == 0


def test_an_unwritable_data_directory_does_not_stop_the_lesson(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "below"))
    assert bookmark.save_beat(3) is False
    assert bookmark.load_beat() == 0


def test_gdtui_lesson_starts_the_app_guided():
    from gdtui.cli import build_parser

    assert build_parser().parse_args(["--lesson"]).lesson
    assert not build_parser().parse_args([]).lesson
