"""The guided lesson's panel: the current beat, under whatever step is showing."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class GuidePanel(Static):
    DEFAULT_CSS = """
    GuidePanel {
        height: auto;
        max-height: 6;
        padding: 0 1;
        background: $primary-muted;
        display: none;
    }
    GuidePanel.-on { display: block; }
    """

    def show_beat(self, number: int, total: int, title: str, text: str, invite: str) -> None:
        """The beat, on its own step."""
        # The beat's words name classes and model files as written: put in as text, never as markup.
        onward = ". next" if number < total else "R restart"
        keys = f"[dim]{onward}  , back  L hide[/dim]"
        body = "$text" + ("\n[b]→ $invite[/b]" if invite else "")
        self.update(
            Content.from_markup(
                f"[b $text-primary]Lesson {number}/{total} · $title[/]  {keys}\n{body}", title=title, text=text, invite=invite
            )
        )
        self.set_class(True, "-on")

    def show_away(self, number: int, total: int) -> None:
        """Where the lesson is, on a step the learner went to look around."""
        # One line: the step looked around in keeps every other row for its own words.
        self.update(
            Content.from_markup(
                f"[b $text-primary]Lesson {number}/{total}[/]  [dim]You left the lesson to look around:[/dim] [b]L[/b] goes back"
            )
        )
        self.set_class(True, "-on")

    def hide(self) -> None:
        self.set_class(False, "-on")
