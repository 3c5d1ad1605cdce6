"""The step bar: where the learner is in the lesson, and how to get elsewhere."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from gdtui.ui.lesson import STEPS


class LessonNav(Widget):
    """One line naming every step, the current one highlighted; a click opens a step."""

    DEFAULT_CSS = """
    LessonNav { height: 1; background: $panel; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def render(self) -> Text:
        full = sum(len(s.title) + 4 for s in STEPS) <= self.size.width
        # Short names padded take 88 columns for the eight steps: at 80, the steps butt up to one another.
        padded = full or sum(len(s.short) + 4 for s in STEPS) <= self.size.width
        text = Text(no_wrap=True, overflow="ellipsis")
        for number, step in enumerate(STEPS):
            label = f"{step.key} {step.title if full else step.short}"
            here = step.mode == self.current
            click = Style.from_meta({"@click": f"app.go('{step.mode}')"})
            if padded:
                text.append(f" {label} ", style=Style(bold=here, reverse=here) + click)
            else:
                text.append(" " if number else "")
                text.append(label, style=Style(bold=here, reverse=here) + click)
        return text
