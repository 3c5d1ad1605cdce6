"""A screen that closes goes, with its widgets and all they drew.

A student opens the help, the command palette and the prompts many times in a
session: what each of them drew must not stay in the session's memory, nor in
what every full collection of Python's looks at, once it is closed.
"""

from __future__ import annotations

import gc
import weakref

import pytest
from textual.command import CommandPalette

from gdtui.ui.screens.help import HelpScreen
from tests.helpers import wait_for


@pytest.mark.parametrize(("key", "kind"), [("question_mark", HelpScreen), ("ctrl+p", CommandPalette)])
async def test_a_closed_screen_its_widgets_and_what_they_drew_are_let_go(screen_on, key, kind):
    async with screen_on("3") as (pilot, _):
        app = pilot.app
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, kind), f"the {kind.__name__} open")
        await pilot.pause()
        # Each widget and the cache of the lines it drew (Textual's StylesCache, which is what outlived them).
        widgets = list(app.screen.walk_children(with_self=True))
        drawn = [weakref.ref(thing) for widget in widgets for thing in (widget, widget._styles_cache)]
        del widgets
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, kind), f"the {kind.__name__} closed")
        gone = "its widgets and what they drew gone"
        await wait_for(pilot, lambda: not gc.collect() and all(ref() is None for ref in drawn), gone, deadline=2)
