"""Thousands of random key presses across every step, with resizes: nothing breaks."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import make_app, wait_until_loaded

# Every key some screen binds, the step keys, and a few that nothing binds. Not q:
# quitting would end the run early.
KEYS = [
    *"1234567",
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
ACTIONS = st.one_of(st.sampled_from(KEYS), st.sampled_from(SIZES))


async def _play(data_dir, actions) -> None:
    app = make_app(data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for action in actions:
            if isinstance(action, tuple):
                await pilot.resize_terminal(*action)
            else:
                await pilot.press(action)
        # Leave no run going: quitting must stop it cleanly too.
        await pilot.press("escape", "escape", "q")
        await pilot.pause()
    assert app._exception is None


@pytest.mark.slow
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(ACTIONS, min_size=150, max_size=250))
def test_random_keys_and_resizes_never_raise(tiny_mnist_dir, tmp_path, monkeypatch, actions):
    monkeypatch.chdir(tmp_path)  # random typing into a save prompt writes models here
    asyncio.run(_play(tiny_mnist_dir, actions))
