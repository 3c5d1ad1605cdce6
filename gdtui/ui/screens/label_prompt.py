"""A one-key question: which digit?"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gdtui.ui.screens.prompt import Prompt


class LabelPrompt(Prompt[int | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    LabelPrompt { align: center middle; }
    LabelPrompt > Static { width: auto; border: round $accent; background: $surface; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Jump to the next example of which digit?\n\nPress 0–9, or escape to cancel.")

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            self.dismiss(int(event.character))
