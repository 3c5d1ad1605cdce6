"""Ask for a file path, with the usual line editing."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from gdtui.ui.screens.prompt import Prompt


def within(root: Path, text: str) -> Path | None:
    """The path text names inside root (relative paths start there), or None if it leads out.

    Root itself is not inside: saving to it would write root's name plus ".npz", beside it.
    """
    root = root.resolve()
    path = (root / Path(text).expanduser()).resolve()
    return path if path != root and path.is_relative_to(root) else None


def in_folder(message: str, root: Path | None) -> str:
    """message with root's own path taken off the paths inside it: in an app with a `files_root`,
    a path shows as the user gave it, not where the folder is kept (a lab server's own paths)."""
    return message if root is None else message.replace(f"{root.resolve()}{os.sep}", "")


class PathPrompt(Prompt[Path | None]):
    """Asks for a path; in an app with a `files_root`, only for one inside it."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    PathPrompt { align: center middle; }
    PathPrompt > Vertical { width: 70; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    PathPrompt #outside { color: $error; }
    """

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question)
            yield Input(value=self.value, placeholder="path/to/model.npz")
            yield Label("", id="outside")
            yield Label("[dim]enter to confirm, escape to cancel[/dim]")

    def on_mount(self) -> None:
        self.query_one("#outside").display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.dismiss(None)
            return
        root = self.app.files_root
        if root is None:
            self.dismiss(Path(text).expanduser())
            return
        path = within(root, text)
        if path is None:
            outside = self.query_one("#outside", Label)
            outside.update("Files stay in this session's folder: e.g. gdtui-model.npz")
            outside.display = True
            return
        self.dismiss(path)
