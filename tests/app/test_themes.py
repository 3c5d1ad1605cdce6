"""Every theme Textual offers draws every screen: the steps, the lesson's panel and the help.

Textual's ANSI themes name their colours as ANSI colours ("ansi_magenta"), which Rich's own
style parser does not know: whatever builds a style from a theme's variables must take them."""

from __future__ import annotations

import pytest
from textual.app import App

from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.help import HelpScreen
from tests.helpers import make_app, open_step, screen_text, wait_for

THEMES = sorted(App().available_themes)


async def _draw_in_every_theme(pilot, words: str) -> None:
    """Each theme in turn, the whole screen drawn at once (not when next idle) and its words read."""
    app = pilot.app
    for theme in THEMES:
        app.theme = theme
        await pilot.pause()
        assert words in screen_text(app), f"{app.screen} in {theme} without {words!r}"
        assert app._exception is None, f"{app.screen} in {theme}"


def test_textual_offers_a_theme_in_ansi_colours():
    # "ansi-dark" and "ansi-light" from Textual 8.2.5, "textual-ansi" before: each is drawn below.
    assert any(theme.primary.startswith("ansi_") for theme in App().available_themes.values())


# A step a test: drawn in every theme, a step takes seconds, and the steps spread over the test workers.
@pytest.mark.slow
@pytest.mark.parametrize("key", [step.key for step in STEPS])
async def test_every_step_draws_in_every_theme(tiny_mnist_dir, key):
    app = make_app(tiny_mnist_dir, lesson=True)  # with the lesson's panel over it
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, key)
        await _draw_in_every_theme(pilot, "? Help")  # the key bar's words, in colours the theme names
    assert app._exception is None


@pytest.mark.slow
async def test_the_help_draws_in_every_theme(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, STEPS[0].key)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await _draw_in_every_theme(pilot, "escape or ? closes")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the help to close")
    assert app._exception is None
