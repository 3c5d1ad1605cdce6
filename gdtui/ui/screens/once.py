"""Closing a modal screen once, however many keys arrive for it.

Over a laggy SSH link several key presses land in one read: a second enter or
escape reaches a modal that is already closing, and dismissing it again would
pop a screen that is no longer on top (ScreenStackError). Every modal closes
through here.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen

Result = TypeVar("Result")


def dismiss_once(screen: Screen[Result], result: Result) -> None:
    """Dismiss the screen with result, unless it is already closing or no longer on top."""
    if getattr(screen, "_gdtui_dismissed", False) or not screen.is_current:
        return
    screen._gdtui_dismissed = True  # type: ignore[attr-defined]
    screen.dismiss(result)
