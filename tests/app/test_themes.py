"""Every theme Textual offers draws every screen: the steps, the lesson's panel and the help.

Textual's ANSI themes name their colours as ANSI colours ("ansi_magenta"), which Rich's own
style parser does not know: whatever builds a style from a theme's variables must take them."""

from __future__ import annotations

import pytest
from textual.app import App

from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.help import HelpScreen
from tests.helpers import make_app, open_step, wait_for

THEMES = sorted(App().available_themes)


async def _draw_in_every_theme(pilot) -> None:
    app = pilot.app
    for theme in THEMES:
        app.theme = theme
        await pilot.pause()
        app.screen._compositor.render_update(full=True)  # every widget drawn now, not when next idle
        assert app._exception is None, f"{app.screen} in {theme}"


@pytest.mark.slow
async def test_every_screen_draws_in_every_theme(tiny_mnist_dir):
    assert {"ansi-dark", "ansi-light"} <= set(THEMES)
    app = make_app(tiny_mnist_dir, lesson=True)  # each step with the lesson's panel over it
    async with app.run_test(size=(80, 24)) as pilot:
        for step in STEPS:
            screen = await open_step(pilot, step.key)
            await _draw_in_every_theme(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await _draw_in_every_theme(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the help to close")
    assert app._exception is None
