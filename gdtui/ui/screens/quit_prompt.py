"""Before quitting over a trained network that was never saved."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.prompt import Prompt, how_to_save


class QuitPrompt(Prompt[bool]):
    BINDINGS = [
        Binding("q,y", "dismiss(True)", "Quit anyway"),
        Binding("escape,n", "dismiss(False)", "Stay"),
    ]
    DEFAULT_CSS = """
    QuitPrompt { align: center middle; }
    QuitPrompt > Static { width: 60; border: round $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, origin: str, below: Screen | None = None) -> None:
        """below: the screen it opens over."""
        super().__init__()
        self.origin = origin
        self.below = below

    def compose(self) -> ComposeResult:
        yield Static(self._words(self.below is not None and self._hidden_at(*self.app.size)))

    def on_resize(self, event: events.Resize) -> None:
        self.query_one(Static).update(self._words(self._hidden_at(*event.size)))

    def _hidden_at(self, width: int, height: int) -> bool:
        """Whether the step under it says "make the window larger" there, where only q acts."""
        return isinstance(self.below, LessonScreen) and self.below.too_small(width, height)

    def _words(self, hidden: bool) -> Content:
        return Content.from_markup(
            "The network ($origin) is not saved: quitting loses its training.\n\n"
            # Behind "make the window larger" the way to save starts with a larger window.
            f"[b]q[/b] quits anyway · [b]escape[/b] stays ({'in a larger window, ' if hidden else ''}"
            f"{how_to_save(self.below)})",
            origin=self.origin,
        )
