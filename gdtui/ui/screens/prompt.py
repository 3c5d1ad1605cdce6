"""Modal screens that close once, however many keys arrive for them.

Over a laggy SSH link several key presses land in one read: a second enter or
escape reaches a modal that is already closing, and dismissing it again would
pop the step's own screen (ScreenStackError). Every modal of the app, Textual's
command palette included, is one of these.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.screen import ModalScreen, Screen

Result = TypeVar("Result")


def _first_dismissal(screen: Screen[Any]) -> bool:
    """Whether a dismissal is the screen's first, while it is on top; marks it dismissed."""
    if getattr(screen, "_gdtui_dismissed", False) or not screen.is_current:
        return False
    screen._gdtui_dismissed = True  # type: ignore[attr-defined]
    return True


class Prompt(ModalScreen[Result]):
    """A modal question or panel over a step."""

    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        return super().dismiss(result) if _first_dismissal(self) else AwaitComplete.nothing()


class Palette(CommandPalette):
    """Textual's command palette, closing once."""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        return super().dismiss(result) if _first_dismissal(self) else AwaitComplete.nothing()

    def _action_command_list(self, action: str) -> None:
        # Textual's OptionList pages by the lines it has laid out, and lays out none while it
        # has no room on screen (a tiny terminal, or keys typed before the list is drawn):
        # paging then raises KeyError. With nothing shown there is no page to move by.
        if action.startswith("page_") and not self.query_one(CommandList).scrollable_content_region:
            return
        super()._action_command_list(action)
