"""Every theme Textual offers draws the steps, the lesson's panel and the help.

Textual's ANSI themes name their colours as ANSI colours ("ansi_magenta"), which Rich's own
style parser does not know: whatever builds a style from a theme's variables must take them.
The steps choose their colours by that and by whether a theme is dark, and the plots take a
theme's colours as ANSI names, as transparent or as RGB: each step draws in both ANSI themes and
in a dark and a light one, and in a share of the others, so that every theme draws some step.
The help, the panel and the key bar, which take the variables a theme may set of its own (the
footer's, the borders'), are on every step, and the help draws in every theme. (Step 7's table,
in the block cursor's colours, shows only on a larger screen than these tests draw.)"""

from __future__ import annotations

import pytest
from textual.app import App

from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.help import HelpScreen
from tests.helpers import make_app, open_step, screen_text, wait_for

THEMES = App().available_themes
ANSI = sorted(name for name, theme in THEMES.items() if theme.primary.startswith("ansi_"))
ON_EVERY_STEP = [*ANSI, "textual-dark", "textual-light"]
SHARED = sorted(set(THEMES) - set(ON_EVERY_STEP))


def themes_of_step(index: int) -> list[str]:
    return ON_EVERY_STEP + SHARED[index :: len(STEPS)]


def test_every_theme_draws_some_step():
    assert {theme for index in range(len(STEPS)) for theme in themes_of_step(index)} == set(THEMES)


async def _draw_in(pilot, themes: list[str], words: str) -> None:
    """Each theme in turn, the whole screen drawn at once (not when next idle) and its words read."""
    app = pilot.app
    for theme in themes:
        app.theme = theme
        await pilot.pause()
        assert words in screen_text(app), f"{app.screen} in {theme} without {words!r}"
        assert app._exception is None, f"{app.screen} in {theme}"


def test_textual_offers_a_theme_in_ansi_colours():
    # "ansi-dark" and "ansi-light" from Textual 8.2.5, "textual-ansi" before: each is drawn on every step below.
    assert ANSI


# A step a test: drawn in several themes, a step takes a second or two, and the steps spread over the test workers.
@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(STEPS)), ids=[step.key for step in STEPS])
async def test_every_step_draws_in_its_themes(tiny_mnist_dir, index):
    app = make_app(tiny_mnist_dir, lesson=True)  # with the lesson's panel over it
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, STEPS[index].key)
        await _draw_in(pilot, themes_of_step(index), "? Help")  # the key bar's words, in colours the theme names
    assert app._exception is None


@pytest.mark.slow
async def test_the_help_draws_in_every_theme(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, STEPS[0].key)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await _draw_in(pilot, sorted(THEMES), "escape or ? closes")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the help to close")
    assert app._exception is None
