"""The ? panel: every key the current screen accepts, and what it is showing and why."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from gdtui.ui.screens.prompt import Prompt


def keys_of(app: App, binding: Binding) -> str:
    """The keys of a binding as the footer shows them: '+, =' rather than 'plus,equals_sign'."""
    return ", ".join(app.get_key_display(Binding(key, "")) for key in binding.key.split(","))


def key_table(screen: Screen) -> str:
    rows = []
    for owner in (screen, screen.app):
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.description:
                rows.append(f"| `{keys_of(screen.app, binding)}` | {binding.description} |")
    return "| key | does |\n|---|---|\n" + "\n".join(rows)


class HelpScreen(Prompt[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
        Binding("up,k", "scroll(-1)", show=False),
        Binding("down,j", "scroll(1)", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        title = getattr(self.source, "TITLE_TEXT", "gdtui")
        text = getattr(self.source, "HELP", "")
        with VerticalScroll():
            yield Markdown(
                f"# {title}\n\n{text}\n\n## Keys\n\n{key_table(self.source)}\n\n"
                "`1`–`7` open a step of the lesson, `tab` and `shift+tab` the next and previous one, "
                "`ctrl+p` searches every command. Press `?` or `escape` to close this."
            )

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
