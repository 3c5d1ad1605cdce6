"""At the start, over a network whose training was cut short before it was saved."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from gdtui.core.words import percent
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

    def __init__(self, progress: str, accuracy: float, images: int, data_name: str) -> None:
        super().__init__()
        self.progress = progress  # the network's origin, as its words say it: "trained 1,200 steps from seed 0"
        self.accuracy = accuracy  # on the test images, measured as the offer is made
        self.images = images
        self.data_name = data_name

    def compose(self) -> ComposeResult:
        # The origin may name a model file, and the data set is a folder's name: text, never markup.
        yield Static(
            Content.from_markup(
                "Restore the network you were training: $progress?\n"
                f"It reads {percent(self.accuracy)} of the {self.images:,} test images of $data right, measured just now.\n"
                "Its latest changes were not saved: the app ended first.\n\n"
                "[b]y[/b] restores it · [b]n[/b] discards it",
                progress=self.progress,
                data=self.data_name,
            )
        )
