"""Modal screens that close once, however many keys arrive for them.

Over a laggy SSH link several key presses land in one read: a second enter or
escape reaches a modal that is already closing, and dismissing it again would
pop the step's own screen (ScreenStackError). Every modal of the app, Textual's
command palette included, is one of these.
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.await_complete import AwaitComplete
from textual.command import CommandList, CommandPalette
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

Result = TypeVar("Result")


def _first_dismissal(screen: Screen[Any]) -> bool:
    """Whether a dismissal is the screen's first, while it is on top; marks it dismissed."""
    if getattr(screen, "_gdtui_dismissed", False) or not screen.is_current:
        return False
    screen._gdtui_dismissed = True  # type: ignore[attr-defined]
    return True


class Prompt(ModalScreen[Result]):
    """A modal question or panel over a step."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after: list[tuple[str, str | None]] = []  # keys for the screen below, once this one has closed
        self._answered = False  # one of its own keys, typed at the screen below, came already

    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        return super().dismiss(result) if _first_dismissal(self) else AwaitComplete.nothing()

    def typed_below(self, event: events.Key) -> bool:
        """A key typed at the screen below in one read with the key that opened this prompt; whether it was
        dealt with here. It acts as it would have, typed a moment later: the prompt's own keys (enter, escape)
        go to the prompt, text to its field; whatever comes after the prompt's own key waits for the prompt
        to close and then goes to the screen on top: s x enter q saves as x.npz, then quits."""
        own = any(event.key in bindings.key_to_bindings for _, bindings in self._modal_binding_chain)
        if self._answered or not (own or event.is_printable):
            self._after.append((event.key, event.character))
            return True
        self._answered = own
        field = self.focused
        if own or not isinstance(field, Input):
            return False  # its bindings take it from here
        # Typed into the field at once, as the field itself would: the prompt's own key, next in the read,
        # reads the field before a key sent on to it would have arrived.
        assert event.character is not None  # printable
        if field.selection.is_empty:
            field.insert_text_at_cursor(event.character)
        else:
            field.replace(event.character, *field.selection)
        return True

    def on_unmount(self) -> None:
        for key, character in self._after:
            event = events.Key(key, character)
            event.set_sender(self.app)  # as the terminal's keys come: from the app
            self.app.post_message(event)


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
