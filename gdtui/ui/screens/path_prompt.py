"""Ask for a file path, with the usual line editing."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList, Static

from gdtui.core.errors import GdtuiError
from gdtui.ui.screens.prompt import Field, Prompt


def within(root: Path, text: str) -> Path | None:
    """The path text names inside root (relative paths start there), or None if it leads out.

    Root itself is not inside: saving to it would write root's name plus ".npz", beside it.
    """
    root = root.resolve()
    path = (root / Path(text).expanduser()).resolve()
    return path if path != root and path.is_relative_to(root) else None


_MOST_LISTED = 200  # a folder of thousands of models offers the first of them, not a list to scroll for ever


def model_files(folder: Path) -> list[str]:
    """The names of the .npz files in folder, in name order; none if it cannot be read."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder) if entry.name.endswith(".npz") and entry.is_file())
    except OSError:
        return []
    return names[:_MOST_LISTED]


def in_folder(message: str, root: Path | None) -> str:
    """message with root's own path taken off the paths inside it: in an app with a `files_root`,
    a path shows as the user gave it, not where the folder is kept (a lab server's own paths)."""
    return message if root is None else message.replace(f"{root.resolve()}{os.sep}", "")


class PathPrompt(Prompt[Path | None]):
    """Asks for a path; in an app with a `files_root`, only for one inside it.

    accept(path) does what the path was asked for, and returns the path it did it with
    (a save adds ".npz"). If it fails with a GdtuiError, the prompt stays open with the
    error under the path, to be corrected or cancelled.

    With `models_in`, the model files in that folder are listed under the path: ↓ goes
    into the list, each file highlighted there becomes the path, enter takes it.

    With `replacing`, a path that replacing(path) says would replace a file (returning it)
    is taken only once the user answers yes to replacing it.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("down", "into_list", "Models in the folder", show=False),
    ]
    DEFAULT_CSS = """
    PathPrompt { align: center middle; }
    PathPrompt > Vertical { width: 70; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    PathPrompt #outside { color: $text-error; width: 100%; }
    PathPrompt #question { width: 100%; }
    PathPrompt OptionList { max-height: 6; margin-bottom: 1; }
    """

    def __init__(
        self,
        question: str,
        value: str = "",
        accept: Callable[[Path], Path] | None = None,
        models_in: Path | None = None,
        replacing: Callable[[Path], Path | None] | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.accept = accept
        self.models = model_files(models_in) if models_in is not None else []
        self.replacing = replacing
        self.done = False  # the path was taken, and what was asked done with it
        self.asking = False  # whether to replace a file: enter again answers nothing

    def compose(self) -> ComposeResult:
        with Vertical():
            # The question, the files listed and the refusals all quote paths: text, never markup.
            yield Label(self.question, id="question", markup=False)
            yield Field(value=self.value, placeholder="path/to/model.npz")
            yield OptionList(*(Content(name) for name in self.models))
            yield Label("", id="outside", markup=False)
            hint = "↓ picks a model listed, " if self.models else ""
            yield Label(f"[dim]{hint}enter to confirm, escape to cancel[/dim]")

    def on_mount(self) -> None:
        self.query_one("#outside").display = False
        self.query_one(OptionList).display = bool(self.models)

    def action_into_list(self) -> None:
        listed = self.query_one(OptionList)
        if self.models and not listed.has_focus:
            listed.focus()
            listed.highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(Input).value = self.models[event.option_index]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._submit(self.models[event.option_index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit(event.value)

    @property
    def files_root(self) -> Path | None:
        """The folder the app keeps files in, if it is an app with one."""
        root: Path | None = getattr(self.app, "files_root", None)
        return root

    def _submit(self, value: str) -> None:
        # A second enter in the same read as the first finds the prompt done, or asking: once is enough.
        if self.done or self.asking:
            return
        text = value.strip()
        if not text:  # under "enter to confirm", closing would read as done, with nothing done
            self._refuse("Type a file name, or escape to cancel.")
            return
        root = self.files_root
        path = Path(text).expanduser() if root is None else within(root, text)
        if path is None:
            self._refuse("Files stay in this session's folder: e.g. gdtui-model.npz")
            return
        try:
            replaced = self.replacing(path) if self.replacing is not None else None
        except GdtuiError as err:
            self._refuse(in_folder(str(err), root))
            return
        if replaced is None:
            self._take(path)
            return

        def answered(replace: bool | None) -> None:
            self.asking = False
            if replace:
                self._take(path)

        self.asking = True
        self.app.push_screen(ReplacePrompt(in_folder(str(replaced), root)), answered)

    def _take(self, path: Path) -> None:
        if self.accept is not None:
            try:
                path = self.accept(path)
            except GdtuiError as err:
                self._refuse(in_folder(str(err), self.files_root))
                return
        self.done = True
        self.dismiss(path)

    def _refuse(self, why: str) -> None:
        error = self.query_one("#outside", Label)
        error.update(why)
        error.display = True


class ReplacePrompt(Prompt[bool]):
    """Before a file is replaced by the one being saved."""

    BINDINGS = [
        Binding("y", "dismiss(True)", "Replace it"),
        Binding("n,escape", "dismiss(False)", "Keep it"),
    ]
    DEFAULT_CSS = """
    ReplacePrompt { align: center middle; }
    ReplacePrompt > Static { width: 60; height: auto; border: round $warning; background: $surface; padding: 1 2; }
    """

    def __init__(self, file: str) -> None:
        super().__init__()
        self.file = file

    def compose(self) -> ComposeResult:
        yield Static(
            Content.from_markup(
                "$file already exists. Replace it?\n\n[b]y[/b] replaces it · [b]n[/b] or [b]escape[/b] keeps it",
                file=self.file,
            )
        )
