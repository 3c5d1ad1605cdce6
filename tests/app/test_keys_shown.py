"""Every key a screen has is on screen: the key bar shows them all, even at 80 columns."""

from __future__ import annotations

import pytest
from textual.binding import Binding

from gdtui.ui.lesson import STEPS
from gdtui.ui.widgets.key_bar import KeyBar
from tests.helpers import wait_for


def bar_text(screen) -> list[str]:
    return str(screen.query_one(KeyBar).render()).splitlines()


@pytest.mark.parametrize("key", [step.key for step in STEPS])
async def test_the_key_bar_shows_every_key_of_the_screen(screen_on, key):
    async with screen_on(key, size=(80, 24)) as (pilot, screen):
        await pilot.pause()
        lines = bar_text(screen)
        width = screen.query_one(KeyBar).content_region.width
        assert all(len(line) <= width for line in lines), lines
        shown = " ".join(lines)
        declared = {b.action for b in type(screen).BINDINGS if isinstance(b, Binding)}
        for node, binding, _, _ in screen.active_bindings.values():
            if node is not screen or not binding.description or binding.action not in declared:
                continue
            declared.discard(binding.action)  # one of its keys is enough: '+' for '+' and '='
            label = binding.group.description if binding.group else binding.description
            display = pilot.app.get_key_display(Binding(binding.key.split(",")[0], ""))
            assert display in shown and label in shown, f"{display} {label} missing from {lines}"
        for app_key in ("L", "?", "q"):
            assert f"{app_key} " in shown


async def test_hidden_keys_the_issue_named_are_shown(screen_on):
    expected = {
        "6": ["s Save", "o Open", "r Reset", "↑↓", "[]"],
        "2": ["[]"],
        "4": ["f ", "p ", "i ", "←→"],
        "1": ["z Noise", "↑↓←→"],
    }
    for key, pieces in expected.items():
        async with screen_on(key, size=(80, 24)) as (pilot, screen):
            await pilot.pause()
            shown = " ".join(bar_text(screen))
            for piece in pieces:
                assert piece in shown, f"step {key}: {piece!r} not in {shown!r}"


async def test_the_cost_screens_measure_key_is_shown(screen_on):
    async with screen_on("3", size=(80, 24)) as (pilot, screen):
        await pilot.pause()
        assert "m " in " ".join(bar_text(screen))


@pytest.mark.parametrize("key", [step.key for step in STEPS])
async def test_help_says_how_to_close_it_first_then_the_screen_then_its_keys(screen_on, key):
    from gdtui.ui.screens.help import CLOSING, HelpScreen, key_rows

    async with screen_on(key, size=(80, 24)) as (pilot, screen):
        await pilot.press("question_mark")
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted, "the help")
        help_screen = app.screen
        closing = help_screen.query_one("#closing")
        assert CLOSING in str(closing.render())
        assert closing.region.y <= 1, "how to close it is the first thing it says"
        assert closing.region.height == 1
        table = help_screen.query_one("#keys")
        assert table.region.y > help_screen.query_one("Markdown").region.y, "what the screen shows, then its keys"
        rows = key_rows(screen)
        assert rows and all(len(does) > len("Prev") for _, does in rows), rows
        keys = [keys for keys, _ in rows]
        assert len(keys) == len(set(keys)), f"a key listed twice: {rows}"  # a toggle is one key, one row
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the help to close")


def place_of(screen, piece: str) -> tuple[int, int]:
    """Where in the key bar piece begins, as an offset for Pilot.click."""
    bar = screen.query_one(KeyBar)
    for row, line in enumerate(bar_text(screen)):
        if piece in line:
            return bar.content_region.x - bar.region.x + line.index(piece), row
    raise AssertionError(f"{piece!r} not in {bar_text(screen)}")


async def test_a_click_on_a_key_presses_it(screen_on):
    async with screen_on("1", size=(80, 24)) as (pilot, screen):
        await pilot.pause()
        state = pilot.app.state
        assert state.chosen.index == 0
        assert await pilot.click(KeyBar, offset=place_of(screen, "n Next"))
        await wait_for(pilot, lambda: state.chosen.index == 1, "the next image")
        # The description is as good a target as the key.
        x, y = place_of(screen, "n Next")
        assert await pilot.click(KeyBar, offset=(x + 3, y))
        await wait_for(pilot, lambda: state.chosen.index == 2, "the next image again")
        # The app's keys too: ? opens the help.
        assert await pilot.click(KeyBar, offset=place_of(screen, "? "))
        await wait_for(pilot, lambda: pilot.app.screen is not screen, "the help")
