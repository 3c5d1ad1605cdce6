"""The command palette opened again while the last one is still closing.

Escape closes the palette at once, but Textual removes its screen a moment later: a
ctrl+p in the same read as the escape opens the next one before the last is gone."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from tests.helpers import burst, make_app, wait_for, wait_until_loaded

# Each frame drawn, as on a terminal: a crash anywhere in drawing one is what these look for.
pytestmark = pytest.mark.frames


async def test_ctrl_p_escape_in_one_burst_over_and_over(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await burst(pilot, *["ctrl+p", "escape"] * 20)
        assert app._exception is None
        await wait_for(pilot, lambda: not CommandPalette.is_open(app), "the palettes to close")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app), "a palette again")
        assert app._exception is None


async def test_the_palette_reopened_before_the_last_one_is_removed(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app), "the palette")
        # What a key in the same read as escape finds: the palette dismissed, not yet removed.
        app.screen.dismiss()
        app.action_command_palette()
        await wait_for(pilot, lambda: CommandPalette.is_open(app), "the palette again")
        assert app._exception is None


async def test_a_ctrl_p_typed_after_a_prompts_answer_opens_the_palette_after_the_prompt_closes(tiny_mnist_dir):
    """ctrl+p was a priority key: it acted before the keys typed ahead of it, opened the palette over a
    prompt about to close, and the prompt's closing took the palette with it, mid-search."""
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("l")
        await burst(pilot, "7", "ctrl+p")
        await wait_for(pilot, lambda: CommandPalette.is_open(app), "the palette, over the step")
        await wait_for(pilot, lambda: len(app.screen_stack) == 2 or app._exception is not None, "the prompt gone")
        assert app._exception is None
        assert [type(screen).__name__ for screen in app.screen_stack] == ["DigitsScreen", "Palette"]
        assert app.state.chosen.label() == 7  # the 7 answered the prompt first, as it was typed first
