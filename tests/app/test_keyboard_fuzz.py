"""Thousands of random key presses across every step, with resizes: nothing breaks.

Keys come one at a time (each handled before the next is sent) and in bursts (many
in one read, as over a laggy SSH link), with the modals, prompts, the command
palette and the guided lesson in play, the theme switched now and then, and model
files named like markup in the folder that `o` lists."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App

from gdtui.core.model_io import save_model
from gdtui.core.network import Network
from tests.helpers import HOSTILE_FILE_NAMES, burst, make_app, wait_until_loaded

# Each frame drawn, as on a terminal: what a frame costs, or what breaks in drawing one, is the point.
pytestmark = pytest.mark.frames

# Every key some screen binds, the step keys, and a few that nothing binds. Not q:
# quitting would end the run early.
KEYS = [
    *"12345678",
    *"abcdefghijklmnoprstuvwxyz",
    *"LR.,+-=[]<>0",
    "tab",
    "shift+tab",
    "question_mark",
    "escape",
    "enter",
    "space",
    "ctrl+p",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "backspace",
]
SIZES = [(80, 24), (120, 40), (20, 5), (60, 20), (100, 30)]
BURSTS = st.lists(st.sampled_from(KEYS), min_size=2, max_size=12)
THEMES = st.sampled_from(sorted(App().available_themes)).map(lambda name: ("theme", name))
KINDS = {"key": st.sampled_from(KEYS), "burst": BURSTS, "resize": st.sampled_from(SIZES), "theme": THEMES}
# How often each kind of action comes. A theme switch restyles every widget shown, as much work as ten
# keys: now and then is enough here, where test_themes.py draws every step in every theme.
ACTIONS = st.sampled_from([*["key"] * 4, *["burst"] * 4, *["resize"] * 3, "theme"]).flatmap(KINDS.__getitem__)


async def _play(data_dir, actions, lesson: bool) -> None:
    app = make_app(data_dir, lesson=lesson)
    async with app.run_test(size=(80, 24)) as pilot:
        # Typed before the first step is shown, too.
        await burst(pilot, *(a for a in actions[:3] if isinstance(a, str)))
        await wait_until_loaded(pilot)
        for action in actions:
            if isinstance(action, tuple) and action[0] == "theme":
                app.theme = action[1]
            elif isinstance(action, tuple):
                await pilot.resize_terminal(*action)
            elif isinstance(action, list):
                await burst(pilot, *action)
            else:
                await pilot.press(action)
        # Leave no run going: quitting must stop it cleanly too.
        await pilot.press("escape", "escape", "q")
        await pilot.pause()
    assert app._exception is None


# With the guided lesson and without, as two tests: each of them takes a minute, and they run side by side.
@pytest.mark.slow
@pytest.mark.parametrize("lesson", [False, True], ids=["free", "lesson"])
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(ACTIONS, min_size=150, max_size=250))
def test_random_keys_and_resizes_never_raise(tiny_mnist_dir, tmp_path, monkeypatch, lesson, actions):
    monkeypatch.chdir(tmp_path)  # random typing into a save prompt writes models here
    for seed, name in enumerate(HOSTILE_FILE_NAMES):  # for `o` to list
        if not (tmp_path / name).exists():
            save_model(Network(seed=seed), tmp_path / name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the lesson's bookmark
    asyncio.run(_play(tiny_mnist_dir, actions, lesson))
