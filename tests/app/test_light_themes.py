"""What a screen colours to stand out (a mark, a tick, a caption) reads on a light theme as on a dark one.

A colour named once for every theme ("yellow", "green") is a dark theme's: on a light one Textual's palette
makes it the terminal's #CB9000 or #448C27, 2 to 3:1 against the background, and CSS's yellow all but white.
"""

from __future__ import annotations

import pytest

from gdtui.core.learning_rates import LEARNING_RATES
from tests.helpers import contrast, settle, wait_for, words_drawn_in

THEMES = ["textual-dark", "nord", "textual-light", "catppuccin-latte", "solarized-light"]

ABSURD_RATE = ("plus",) * len(LEARNING_RATES) + ("n",)  # a step refused: the advice says why

# Each thing coloured to stand out: the step, the keys that show it, and the words it is drawn in (one of them).
MARKS = {
    "the network's guess": ("2", (), ("◀ guess", "◀ right")),
    "the right answer in the cost's table": ("3", (), ("◀",)),
    "a place in the quiz's ranking told right or wrong": ("3", ("v", "enter"), ("✓", "✗")),
    "the lesson's heading": ("1", ("L",), ("Lesson 1/",)),
    "Training's advice": ("6", ABSURD_RATE, ("Step refused", "The step")),
    # Python as Rich's syntax themes colour it: a string, a builtin, a keyword.
    "a string in backprop's code": ("7", ("b", "end"), ('"softmax"',)),
    "a builtin in backprop's code": ("7", ("b",), ("len(x)",)),
    "a keyword in backprop's code": ("7", ("b",), ("return",)),
}


@pytest.mark.parametrize("mark", list(MARKS))
async def test_a_mark_reads_on_the_background_of_every_theme(screen_on, mark):
    step, keys, words = MARKS[mark]
    async with screen_on(step) as (pilot, screen):
        await pilot.press(*keys)
        await settle(pilot)
        shown = next(w for w in words if w in _screen(pilot.app))
        for theme in THEMES:  # changed under the mark: it is drawn again in the theme's colours
            pilot.app.theme = theme
            await pilot.pause()
            text, background = words_drawn_in(pilot.app, shown)
            assert contrast(text, background) >= 3, (mark, theme, text.hex, background.hex)


@pytest.mark.parametrize("guesses", ["right", "wrong"])
async def test_a_mini_batch_images_caption_reads_on_the_background_of_every_theme(screen_on, trained, guesses):
    # A trained network guesses most of a mini-batch right (✓), a random one all wrong (✗).
    network = trained.copy() if guesses == "right" else None
    mark = "✓" if guesses == "right" else "✗"
    async with screen_on("6", network=network) as (pilot, screen):
        await pilot.press("n")  # one step: its mini-batch shown, each image captioned with the network's guess
        await wait_for(pilot, lambda: mark in _screen(pilot.app), f"a caption with {mark}")
        for theme in THEMES:  # changed under the captions: they are drawn again in its colours
            pilot.app.theme = theme
            await pilot.pause()
            text, background = words_drawn_in(pilot.app, mark)
            assert contrast(text, background) >= 3, (mark, theme, text.hex, background.hex)


def _screen(app) -> str:
    return "\n".join("".join(strip.text for strip in line) for line in app.screen._compositor.render_full_update().strips)
