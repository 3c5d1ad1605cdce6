"""The numbers behind an image: brightness values around a cursor pixel."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widget import Widget


class PixelNumbers(Widget):
    """A window of an image's values centred (where it can be) on the cursor pixel."""

    DEFAULT_CSS = """
    PixelNumbers { width: auto; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows, self.cols = 13, 8
        self._image = np.zeros((28, 28), dtype=np.float32)
        self._cursor = (0, 0)

    def set_window(self, rows: int, cols: int) -> None:
        """How many rows and columns of values to show around the cursor."""
        self.rows, self.cols = rows, cols
        self.refresh(layout=True)

    def show(self, image: np.ndarray, cursor: tuple[int, int]) -> None:
        self._image = np.array(image, dtype=np.float32)
        self._cursor = cursor
        self.refresh()

    def _window(self, position: int, size: int, extent: int) -> range:
        start = min(max(position - size // 2, 0), max(extent - size, 0))
        return range(start, min(start + size, extent))

    def render(self) -> Text:
        rows, cols = self._image.shape
        row, col = self._cursor
        shown_rows = self._window(row, self.rows, rows)
        shown_cols = self._window(col, self.cols, cols)
        text = Text("r\\c", style="dim")
        for c in shown_cols:
            text.append(f"{c:>5}", style="bold" if c == col else "dim")
        for r in shown_rows:
            text.append(f"\n{r:>3}", style="bold" if r == row else "dim")
            for c in shown_cols:
                value = float(self._image[r, c])
                style = "reverse bold" if (r, c) == (row, col) else ("dim" if value == 0 else "")
                text.append(" ")
                text.append(f"{value:.2f}", style=style)
        return text

    def get_content_width(self, container, viewport) -> int:
        return 3 + 5 * self.cols

    def get_content_height(self, container, viewport, width) -> int:
        return self.rows + 1
