"""Shown while the digits load: instant from the cache, a second or two the first time."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Label, ProgressBar


class LoadingScreen(Screen):
    DEFAULT_CSS = """
    LoadingScreen Label { width: auto; }
    """

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Label("Loading the digits…", id="stage")
            with Center():
                yield ProgressBar(total=1.0, show_eta=False, id="progress")

    def show_progress(self, stage: str, fraction: float) -> None:
        if not self.query("#stage"):
            return  # news from the loader can arrive before this screen has its widgets
        self.query_one("#stage", Label).update(stage)
        self.query_one(ProgressBar).update(progress=fraction)
