"""The step bar: where the learner is in the lesson, and how to get elsewhere."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from gdtui.ui.lesson import STEPS


class LessonNav(Widget):
    """One line naming the seven steps, the current one highlighted; a click opens a step."""

    DEFAULT_CSS = """
    LessonNav { height: 1; background: $panel; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def render(self) -> Text:
        full = sum(len(s.title) + 4 for s in STEPS) <= self.size.width
        text = Text(no_wrap=True, overflow="ellipsis")
        for step in STEPS:
            label = f" {step.key} {step.title if full else step.short} "
            here = step.mode == self.current
            click = Style.from_meta({"@click": f"app.go('{step.mode}')"})
            text.append(label, style=Style(bold=here, reverse=here) + click)
        return text
