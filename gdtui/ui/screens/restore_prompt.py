"""At the start, over a network whose training was cut short before it was saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gdtui.ui.screens.prompt import Prompt


class RestorePrompt(Prompt[bool]):
    BINDINGS = [
        Binding("y,r", "dismiss(True)", "Restore it"),
        Binding("n,escape", "dismiss(False)", "Discard it"),
    ]
    DEFAULT_CSS = """
    RestorePrompt { align: center middle; }
    RestorePrompt > Static { width: 60; border: round $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, progress: str, accuracy: float, images: int) -> None:
        super().__init__()
        self.progress = progress  # "step 1,200", or what else changed it
        self.accuracy = accuracy  # on the test images, measured as the app started
        self.images = images

    def compose(self) -> ComposeResult:
        yield Static(
            f"Restore the network you were training: {self.progress}, "
            f"{self.accuracy:.0%} of the {self.images:,} test images right?\n"
            "Its latest changes were not saved: the app ended first.\n\n"
            "[b]y[/b] restores it · [b]n[/b] discards it"
        )
