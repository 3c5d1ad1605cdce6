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

    # Its box is as wide as its words ask, but never wider than the terminal: narrower, they wrap inside it.
    DEFAULT_CSS = """
    Prompt > * { max-width: 100%; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after: list[tuple[str, str | None]] = []  # keys for the screen below, once this one has closed
        self._answered = False  # one of its own keys, typed at the screen below, came already
        self._submitting = False  # enter or escape was pressed in its text field: the keys after it wait for the answer

    def dismiss(self, result: Result | None = None) -> AwaitComplete:
        return super().dismiss(result) if _first_dismissal(self) else AwaitComplete.nothing()

    @property
    def closing(self) -> bool:
        """Answered or cancelled, and not yet gone."""
        return getattr(self, "_gdtui_dismissed", False)

    def typed_below(self, event: events.Key) -> bool:
        """A key typed at the screen below in one read with the key that opened this prompt; whether it was
        dealt with here. It acts as it would have, typed a moment later: the prompt's own keys (enter, escape,
        a class's key in the label prompt) go to the prompt, text to its field; whatever comes after the
        prompt's own key waits for the prompt to close and then goes to the screen on top: s x enter q saves
        as x.npz, then quits; l 3 q shows a 3, then quits."""
        own = any(event.key in bindings.key_to_bindings for _, bindings in self._modal_binding_chain)
        if self._answered or not (own or event.is_printable):
            self._after.append((event.key, event.character))
            return True
        if not own and self.answer(event):
            self._answered = True
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

    def answer(self, event: events.Key) -> bool:
        """Answer the prompt by a key of its own that is no binding (a class's key, say); whether it did."""
        return False

    def kept_from_field(self, event: events.Key) -> bool:
        """A key on its way into the text field; whether it waits for the answer to an enter or escape typed
        before it.

        The terminal's keys go to the field as they come, but enter answers the prompt (and escape cancels
        it) only once it has come back up to the bindings: by then a q typed after it would be in the path,
        not at the screen below.
        """
        if self._submitting:
            self._after.append((event.key, event.character))
            return True
        self._submitting = event.key in ("enter", "escape")
        return False

    def _on_input_submitted(self) -> None:
        # After the prompt's own handler (Textual calls each class's, the subclass's first). Closing, the
        # prompt leaves the keys that waited to the screen below; staying open (a path refused, a question
        # on top), it gives them back to whichever screen is on top now.
        self._submitting = False
        if not self.closing:
            self._post_after()

    def on_unmount(self) -> None:
        self._post_after()

    def _post_after(self) -> None:
        after, self._after = self._after, []
        for key, character in after:
            event = events.Key(key, character)
            event.set_sender(self.app)  # as the terminal's keys come: from the app
            self.app.post_message(event)


def how_to_save(below: Screen | None) -> str:
    """How the network is saved from the screen a prompt opens over: its s, or the way to the step that has one."""
    if below is not None and below.id == "training":
        return "then [b]s[/b] saves it"
    return "[b]6[/b] Training, then [b]s[/b], saves it"


class Field(Input):
    """A prompt's text field: the keys typed after the enter that answers the prompt are not typed into it."""

    async def _on_key(self, event: events.Key) -> None:
        prompt = self.screen
        if isinstance(prompt, Prompt) and prompt.kept_from_field(event):
            event.stop()
            event.prevent_default()  # nor into Input's own handler, next in line


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
