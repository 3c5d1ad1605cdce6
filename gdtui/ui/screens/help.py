"""The ? panel: how to close it, what the current screen shows and why, then every key it accepts.

At 80×24 it fills the terminal, so most steps' help is one page; a key is one
line of the table, with the words of its tooltip where the key bar's label is
too short to say what it does.
"""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from gdtui.ui.screens.prompt import Prompt
from gdtui.ui.widgets.key_bar import keys_of

CLOSING = "escape or ? closes · ↑↓ scroll"
EVERYWHERE = (
    ("1–8", "open a step of the lesson; tab and shift+tab the next and previous one"),
    ("L", "the guided lesson on or off; . and , its next and previous beat, R starts it again"),
    ("? q", "this help; quit"),
    ("ctrl+p", "search every command"),
)


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for every key the screen declares, one row per key: a key whose action depends on
    the screen's state (b for the code, then back to the numbers) says each, in one row."""
    rows: dict[str, list[str]] = {}
    seen: set[str] = set()
    for binding in getattr(type(screen), "BINDINGS", ()):
        if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
            continue
        seen.add(binding.action)
        # The key bar's label first, so the two read alike; then what it does, in words.
        does = f"{binding.description} · {binding.tooltip}" if binding.tooltip else binding.description
        rows.setdefault(keys_of(screen.app, binding), []).append(does)
    return [(keys, "; or ".join(does)) for keys, does in rows.items()]


class HelpScreen(Prompt[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
        Binding("up,k", "scroll(-1)", show=False),
        Binding("down,j", "scroll(1)", show=False),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical {
        width: 100%; max-width: 100; height: 100%; max-height: 40;
        border: round $accent; background: $surface;
    }
    HelpScreen #closing { height: 1; padding: 0 1; }
    HelpScreen VerticalScroll { padding: 0 1; scrollbar-size-vertical: 1; }
    HelpScreen Markdown { margin: 0; padding: 0; }
    HelpScreen Markdown MarkdownParagraph, HelpScreen Markdown MarkdownFence { margin: 0 0 1 0; }
    """

    def __init__(self, screen: Screen, everywhere: tuple[tuple[str, str], ...] = EVERYWHERE) -> None:
        super().__init__()
        self.source = screen
        self.everywhere = everywhere  # the keys of the whole app, after the screen's own

    @property
    def text(self) -> str:
        """All the help says, keys in backquotes: what a reader of the markdown would see."""
        rows = key_rows(self.source) + list(self.everywhere)
        keys = "\n".join(f"`{keys}` {does}" for keys, does in rows)
        return f"{getattr(self.source, 'HELP', '')}\n\n{keys}"

    def compose(self) -> ComposeResult:
        title = getattr(self.source, "TITLE_TEXT", "gdtui")
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, does in key_rows(self.source):
            table.add_row(keys, does)
        table.add_row("", "")
        for keys, does in self.everywhere:
            table.add_row(keys, does, style="dim")
        with Vertical():
            yield Static(f"[b]{title}[/b]   [dim]{CLOSING}[/dim]", id="closing")
            with VerticalScroll():
                yield Markdown(getattr(self.source, "HELP", ""))
                yield Static("[b]Keys[/b]")
                yield Static(table, id="keys")

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
