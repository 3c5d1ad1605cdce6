"""Before fresh random weights replace a trained network that was never saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from gdtui.ui.screens.prompt import Prompt, how_to_save


class DiscardPrompt(Prompt[bool]):
    BINDINGS = [
        Binding("r,y", "dismiss(True)", "Random weights anyway"),
        Binding("escape,n", "dismiss(False)", "Keep it"),
    ]
    DEFAULT_CSS = """
    DiscardPrompt { align: center middle; }
    DiscardPrompt > Static { width: 60; border: round $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, origin: str, below: Screen) -> None:
        """below: the screen it opens over."""
        super().__init__()
        self.origin = origin
        self.below = below

    def compose(self) -> ComposeResult:
        yield Static(
            Content.from_markup(
                "The network ($origin) is not saved: fresh random weights lose its training.\n\n"
                f"[b]r[/b] replaces it anyway · [b]escape[/b] keeps it ({how_to_save(self.below)})",
                origin=self.origin,
            )
        )
