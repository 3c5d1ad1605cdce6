"""A cost landscape with two walkers' paths on it: the careful (full-batch) one's and the hurried (mini-batch) one's."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rich.color import Color
from rich.style import Style
from textual.geometry import Size

from gdtui.ui.widgets.height_map import BALL, PATH, HeightMap, Landscape

# Neither is a glyph of the bands, so both paths read on a terminal without colours.
MINI_HEAD = "◆"
MINI_PATH = "◇"
FULL_COLOR = "#ff005f"
MINI_COLOR = "#ff8700"
_COLORS = {"full": Color.parse(FULL_COLOR), "mini": Color.parse(MINI_COLOR)}
TABLE = 34
"""Columns of the race's table beside the map: a label and two figures."""
SIDE = TABLE + 2
"""Columns the table needs beside the map: its own, the gap before it, and the column of the scrollbar its panel
shows when the words below the table run past the screen's last row."""


def legend(colors: bool) -> str:
    """Markup naming each path's glyphs, in their colours when there are colours."""
    full, mini = (f"{PATH}{BALL}", f"{MINI_PATH}{MINI_HEAD}")
    if colors:
        full, mini = f"[b {FULL_COLOR}]{full}[/]", f"[b {MINI_COLOR}]{mini}[/]"
    return f"{full} careful  {mini} hurried"


class RaceMap(HeightMap):
    """A HeightMap whose overlay is two paths, each with its own glyphs and colour, from one start.

    A walker off the map is an arrow on its edge, pointing the way it went.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._paths: tuple[Sequence[np.ndarray], Sequence[np.ndarray]] = ((), ())

    def get_content_width(self, container: Size, viewport: Size) -> int:
        # The map gives way to the table beside it, however wide the numbers of its y axis, and to its longer lines.
        lines = max(1, min(container.height - 2, (container.width - max(SIDE, self.room) - self._margin) // 2))
        return self._margin + 2 * lines

    def show_race(self, landscape: Landscape | None, full: Sequence[np.ndarray], mini: Sequence[np.ndarray]) -> None:
        self._paths = (full, mini)
        self.show(landscape)

    def _overlay(self, landscape: Landscape) -> dict[tuple[int, int], tuple[str, str]]:
        cells: dict[tuple[int, int], tuple[str, str]] = {}
        full, mini = self._paths
        # The careful walker on top where they share a cell; each head above every trail.
        for path, trail, role in ((mini, MINI_PATH, "mini"), (full, PATH, "full")):
            for point in path[:-1]:
                cell = self._cell_of(landscape, *point)
                if cell is not None:
                    cells[cell] = (trail, role)
        arrows: set[tuple[int, int]] = set()
        for path, head, role in ((mini, MINI_HEAD, "mini"), (full, BALL, "full")):
            if not len(path):
                continue
            cell = self._cell_of(landscape, *path[-1])
            if cell is not None:
                cells[cell] = (head, role)
            elif np.all(np.isfinite(path[-1])):  # off the map: an arrow on its edge points the way it went
                for place, (glyph, _) in self._pointer(landscape, path[-1]).items():
                    place = self._free_along_the_edge(place, arrows)
                    cells[place] = (glyph, role)
                    arrows.add(place)
        return cells

    def _free_along_the_edge(self, place: tuple[int, int], taken: set[tuple[int, int]]) -> tuple[int, int]:
        """The cell for a walker's arrow: place, or where both left by the same cell, the one beside it along the
        edge, so that each walker has its own."""
        if place not in taken:
            return place
        line, column = place
        lines, columns = self._map_size()
        along = [(line, column - 1), (line, column + 1)] if line in (0, lines - 1) else []
        along += [(line - 1, column), (line + 1, column)]
        return next((cell for cell in along if 0 <= cell[0] < lines and 0 <= cell[1] < columns and cell not in taken), place)

    def _mark_style(self, role: str, band: int, colors: bool) -> Style:
        if role not in _COLORS:
            return super()._mark_style(role, band, colors)
        if not colors:
            return Style(bold=True)
        return Style(color=_COLORS[role], bgcolor=super()._mark_style(role, band, colors).bgcolor, bold=True)
