"""Steps of the lesson whose screens are not built yet: they say what will be there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from gdtui.ui.screens.base import LessonScreen


class ComingScreen(LessonScreen):
    DEFAULT_CSS = """
    ComingScreen #coming { padding: 1 2; }
    """
    PLAN = ""

    def compose_body(self) -> ComposeResult:
        yield Static(f"[b]{self.TITLE_TEXT}[/b]\n\n{self.PLAN}\n\n[dim]This step is not built yet.[/dim]", id="coming")
