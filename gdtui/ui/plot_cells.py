"""Where plotext puts a text mark so that it sits on a braille curve's own cell."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Cells:
    """The plot's canvas as plotext lays marks on it, columns from the left and lines from the bottom.

    plotext spreads a braille curve's dots over the whole width and height of its cells, but puts a
    text mark (a ball, a step, an epoch's mean) on the cell whose centre is nearest, with
    the ends of the axes on the centres of the first and last cells: the same point can land a cell
    apart in each. Marks are placed on the cell the curve's dot falls in, at that cell's centre.
    """

    low: float
    high: float
    columns: int
    bottom: float
    top: float
    lines: int

    @staticmethod
    def _index(value: float, start: float, end: float, cells: int, dots: int) -> int:
        # plotext's own arithmetic (get_matrix_data, then dots grouped into cells), so a mark and a dot agree.
        return math.floor(round(0.5 + (cells * dots - 1) * (value - start) / (end - start), 8)) // dots

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """The (column, line) the curve's braille dot at (x, y) falls in."""
        return self._index(x, self.low, self.high, self.columns, 2), self._index(y, self.bottom, self.top, self.lines, 4)

    def x(self, column: float) -> float:
        """Where a text mark goes to sit on column (its centre at a whole number)."""
        return self.low + column * (self.high - self.low) / max(1, self.columns - 1)

    def y(self, line: float) -> float:
        return self.bottom + line * (self.top - self.bottom) / max(1, self.lines - 1)

    def centre(self, x: float, y: float) -> tuple[float, float]:
        """The point a text mark is drawn at to sit in the cell of the curve's dot at (x, y)."""
        column, line = self.cell(x, y)
        return self.x(column), self.y(line)
