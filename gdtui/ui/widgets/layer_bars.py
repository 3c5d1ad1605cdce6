"""A layer's activations as a column of bars with their values."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.style import Style
from textual.widget import Widget

_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(fraction: float, width: int) -> str:
    """A horizontal bar of `width` cells filled to `fraction`, to an eighth of a cell."""
    eighths = int(round(max(0.0, min(1.0, fraction)) * width * 8))
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width)


def layer_width(title: str, neurons: int, columns: int, cells: int, bar_width: int = 6, mark_width: int = 0) -> int:
    """The width of a layer's bars: in one column each neuron's number, bar, value and mark; in more, its number and
    a bar of `cells` cells, a space between columns."""
    digits = len(str(max(neurons - 1, 0)))
    if columns > 1:
        return max(len(title), columns * (digits + 1 + cells) + columns - 1)
    return max(len(title), digits + 1 + bar_width + 5 + mark_width)


# A theme's warning colour as text: one colour for every theme (yellow) read 2:1 on a light one.
MARK_STYLE = "bold $text-warning"


class LayerBars(Widget):
    """One row per neuron: its number, a bar, its activation, and an optional mark.

    In more than one column the neurons run down the first column and on into the next,
    each with its number and a bar of `cells` cells, half as wide as one column's unless
    the screen asks for less: side by side there is no room for values.
    """

    DEFAULT_CSS = """
    LayerBars { width: auto; height: auto; }
    """

    def __init__(
        self,
        title: str,
        *,
        bar_width: int = 6,
        mark_width: int = 0,
        columns: int = 1,
        cells: int | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.title = title
        self.bar_width = bar_width
        self.mark_width = mark_width
        self._values = np.zeros(0)
        self._marks: dict[int, str] = {}
        self._bold: set[int] = set()
        self._mark_styles: dict[int, str] = {}
        self.columns = columns
        self.cells = bar_width // 2 if cells is None else cells

    def show(
        self,
        values: np.ndarray,
        *,
        marks: dict[int, str] | None = None,
        bold: set[int] | None = None,
        mark_styles: dict[int, str] | None = None,
    ) -> None:
        """marks: text after a row's value, cut to fit, in MARK_STYLE unless mark_styles says otherwise, each written
        as markup writes a style: the theme's colours by name ($text-success), read when drawn."""
        resized = len(values) != len(self._values)
        self._values = np.asarray(values, dtype=float)
        self._marks = marks or {}
        self._bold = bold or set()
        self._mark_styles = mark_styles or {}
        self.refresh(layout=resized)

    @property
    def _rows(self) -> int:
        return -(-len(self._values) // self.columns)

    def render(self) -> Text:
        text = Text(self.title, style="bold")
        # Sigmoid activations live in [0, 1]; ReLU ones may grow past 1 and set their own scale.
        top = max(1.0, float(np.nanmax(self._values))) if len(self._values) else 1.0
        digits = len(str(max(len(self._values) - 1, 0)))
        if self.columns > 1:
            rows = self._rows
            for row in range(rows):
                text.append("\n")
                for i in range(row, len(self._values), rows):
                    style = "bold" if i in self._bold else ""
                    text.append(f"{' ' if i >= rows else ''}{i:>{digits}} ", style=style or "dim")
                    text.append(bar(self._values[i] / top, self.cells), style="cyan")
            return text
        for i, value in enumerate(self._values):
            style = "bold" if i in self._bold else ""
            text.append(f"\n{i:>{digits}} ", style=style or "dim")
            text.append(bar(value / top, self.bar_width), style="cyan")
            text.append(f" {value:4.2f}", style=style)
            if self.mark_width:
                mark = self._marks.get(i, "")
                if len(mark) > self.mark_width - 1:
                    mark = mark[: self.mark_width - 2] + "…"
                marked = Style.parse(self._mark_styles.get(i, MARK_STYLE)).rich_style  # in the theme shown now
                text.append(f" {mark:<{self.mark_width - 1}}", style=marked)
        return text

    def get_content_width(self, container, viewport) -> int:
        return layer_width(self.title, len(self._values), self.columns, self.cells, self.bar_width, self.mark_width)

    def get_content_height(self, container, viewport, width) -> int:
        return 1 + self._rows
