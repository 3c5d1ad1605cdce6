"""The first screen drawn ahead, on no terminal: what the lab's zygote does once before it forks sessions."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from gdtui.core import dataset
from gdtui.core.errors import GdtuiError
from gdtui.ui import parsed_css
from gdtui.ui.launch import draw_first_screen
from gdtui.ui.screens.loading import LoadingScreen
from tests.helpers import make_app, wait_for

# Each frame drawn, as on a terminal: the first screen drawn is the point.
pytestmark = pytest.mark.frames


async def test_the_app_says_when_its_first_screen_is_drawn(tiny_mnist_dir: Path) -> None:
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.first_screen_shown.is_set, "the first screen shown")
        assert app.screen.id == "digits"


async def test_an_app_whose_data_set_is_checked_already_draws_no_loading_screen(
    tiny_mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a session forked from the lab's zygote, which checked the data set's cache.
    monkeypatch.setattr(dataset, "_checked", {})
    dataset.load_dataset(tiny_mnist_dir, keep_checked=True)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.first_screen_shown.is_set, "the first screen shown")
        assert app.screen.id == "digits"
        assert not any(isinstance(screen, LoadingScreen) for screen in app.get_screen_stack("_default"))
        assert len(app.state.data.train) == 1000


async def test_an_app_whose_data_set_is_not_checked_yet_shows_it_loading(tiny_mnist_dir: Path) -> None:
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, app.first_screen_shown.is_set, "the first screen shown")
        assert isinstance(app.get_screen_stack("_default")[0], LoadingScreen)


def test_drawing_the_first_screen_ahead_leaves_the_process_as_it_was(tiny_mnist_dir: Path) -> None:
    threads = set(threading.enumerate())
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    environ = dict(os.environ)
    draw_first_screen(tiny_mnist_dir)
    # Nothing left running to be forked with, no handler of its own, no file of the learner's written.
    assert set(threading.enumerate()) == threads
    assert {signum: signal.getsignal(signum) for signum in handlers} == handlers
    assert dict(os.environ) == environ
    assert not Path(os.environ["XDG_DATA_HOME"]).exists()


def test_an_app_after_the_first_screen_drawn_ahead_parses_no_css(tiny_mnist_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsed_css, "_parsed", {})
    draw_first_screen(tiny_mnist_dir)
    parsed = dict(parsed_css._parsed)
    draw_first_screen(tiny_mnist_dir)  # as a session forked after it would
    assert parsed
    assert parsed_css._parsed == parsed


def test_a_first_screen_that_cannot_be_drawn_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(GdtuiError, match="not found"):
        draw_first_screen(tmp_path / "nowhere")
