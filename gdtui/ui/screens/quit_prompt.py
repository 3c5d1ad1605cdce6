"""Before quitting over a trained network that was never saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from gdtui.ui.screens.prompt import Prompt


class QuitPrompt(Prompt[bool]):
    BINDINGS = [
        Binding("q,y", "dismiss(True)", "Quit anyway"),
        Binding("escape,n", "dismiss(False)", "Stay"),
    ]
    DEFAULT_CSS = """
    QuitPrompt { align: center middle; }
    QuitPrompt > Static { width: 60; border: round $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, origin: str, *, too_small: bool = False) -> None:
        """too_small: the step under it says "make the window larger", where only q acts."""
        super().__init__()
        self.origin = origin
        self.too_small = too_small

    def compose(self) -> ComposeResult:
        first = "in a larger window, " if self.too_small else ""
        yield Static(
            Content.from_markup(
                "The network ($origin) is not saved: quitting loses its training.\n\n"
                "[b]q[/b] quits anyway · [b]escape[/b] stays ($first[b]6[/b] Training, then [b]s[/b], saves it)",
                origin=self.origin,
                first=first,
            )
        )
