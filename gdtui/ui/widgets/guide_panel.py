"""The guided lesson's panel: the current beat, under whatever step is showing."""

from __future__ import annotations

from textual.widgets import Static

from gdtui.ui.literal import literal


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

    def show_beat(self, number: int, total: int, title: str, text: str, invite: str, here: bool) -> None:
        onward = ". next" if number < total else "R restart"
        keys = f"[dim]{onward}  , back  L hide[/dim]"
        if not here:
            # One line: the step looked around in keeps every other row for its own words.
            self.update(
                f"[b $accent]Lesson {number}/{total}[/]  [dim]You left the lesson to look around:[/dim] [b]L[/b] goes back"
            )
        else:
            body = literal(text) + (f"\n[b]→ {literal(invite)}[/b]" if invite else "")
            self.update(f"[b $accent]Lesson {number}/{total} · {literal(title)}[/]  {keys}\n{body}")
        self.set_class(True, "-on")

    def hide(self) -> None:
        self.set_class(False, "-on")
