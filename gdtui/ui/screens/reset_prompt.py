"""Before fresh weights: keep the learner's η and batch size, or go back to the preset's."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from gdtui.ui.screens.prompt import Prompt


def settings(rate: float, batch: int) -> str:
    return f"η = {rate:g}, batch {batch:,}"


class ResetPrompt(Prompt[str | None]):
    BINDINGS = [
        Binding("r,k", "answer('keep')", "Keep these settings"),
        Binding("p", "answer('preset')", "The preset's settings"),
        Binding("escape", "answer(None)", "Cancel"),
    ]
    DEFAULT_CSS = """
    ResetPrompt { align: center middle; }
    ResetPrompt > Static { width: 64; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, seed: int, current: tuple[float, int], preset: tuple[float, int], name: str) -> None:
        super().__init__()
        self.text = (
            f"Fresh random weights (seed {seed}), the training record starting over.\n\n"
            f"[b]r[/b]  keep {settings(*current)}\n"
            f"[b]p[/b]  back to the {name} preset's {settings(*preset)}\n"
            "[b]escape[/b]  cancel"
        )

    def compose(self) -> ComposeResult:
        yield Static(self.text)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
