"""A one-key question: which class, a digit of MNIST or a named class of another set?"""

from __future__ import annotations

import string

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from gdtui.ui.screens.prompt import Prompt

# One key a class: its number while there are digits for it, then letters.
KEYS = string.digits + string.ascii_lowercase


class LabelPrompt(Prompt[int | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    LabelPrompt { align: center middle; }
    LabelPrompt > Static { width: auto; border: round $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, classes: tuple[str, ...]) -> None:
        super().__init__()
        self.names = classes[: len(KEYS)]
        self.numbered = classes == tuple(str(label) for label in range(len(classes)))

    def compose(self) -> ComposeResult:
        last = KEYS[len(self.names) - 1]
        if self.numbered and len(self.names) <= len(string.digits):
            # The number keys open steps everywhere else: say that here they are digits.
            yield Static(
                f"Jump to the next example of which digit?\n\nPress 0–{last}: here a number key picks a digit, "
                "not a step. Escape cancels."
            )
            return
        width = max(len(name) for name in self.names) + 4
        # As many columns of names as fit inside the box's border and padding, at most 66 characters wide.
        columns = max(1, min(66, self.app.size.width - 6) // width)
        rows = -(-len(self.names) // columns)
        # A classes.txt is anyone's text: each name is put in as text, never as markup.
        lines = [
            Content("")
            .join(
                Content.from_markup(f"[b]{KEYS[k]}[/b] $name", name=self.names[k].ljust(width - 2))
                for k in range(row, len(self.names), rows)
            )
            .rstrip()
            for row in range(rows)
        ]
        yield Static(
            Content("\n").join(
                [Content("Jump to the next example of which class?\n"), *lines, Content("\nPress its key, or escape to cancel.")]
            )
        )

    def on_key(self, event: events.Key) -> None:
        if self.closing:
            # The key is for the screen below, once this one is gone.
            self._after.append((event.key, event.character))
        elif event.key == "escape":
            # Cancelled here, not by the binding: a class's key typed after it in the same read would answer first.
            self.dismiss(None)
        elif not self.answer(event):
            return
        event.stop()
        event.prevent_default()

    def answer(self, event: events.Key) -> bool:
        key = event.character
        if not (key and key in KEYS[: len(self.names)]):
            return False
        self.dismiss(KEYS.index(key))
        return True
