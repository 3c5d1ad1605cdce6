"""Ask for a file path, with the usual line editing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from gdtui.core.errors import GdtuiError


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


class PathPrompt(ModalScreen[Path | None]):
    """Asks for a path; in an app with a `files_root`, only for one inside it.

    accept(path) does what the path was asked for, and returns the path it did it with
    (a save adds ".npz"). If it fails with a GdtuiError, the prompt stays open with the
    error under the path, to be corrected or cancelled.
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    PathPrompt { align: center middle; }
    PathPrompt > Vertical { width: 70; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    PathPrompt #outside { color: $error; width: 100%; }
    """

    def __init__(self, question: str, value: str = "", accept: Callable[[Path], Path] | None = None) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.accept = accept

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
        path = Path(text).expanduser() if root is None else within(root, text)
        if path is None:
            self._refuse("Files stay in this session's folder: e.g. gdtui-model.npz")
            return
        if self.accept is not None:
            try:
                path = self.accept(path)
            except GdtuiError as err:
                self._refuse(in_folder(str(err), root))
                return
        self.dismiss(path)

    def _refuse(self, why: str) -> None:
        error = self.query_one("#outside", Label)
        error.update(why)
        error.display = True
