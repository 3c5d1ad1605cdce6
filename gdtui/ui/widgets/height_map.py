"""A cost landscape seen from above: height as bands of colour, like a contour map.

Each terminal cell shows two samples stacked vertically ("▀" painted in the
upper sample's colour over the lower one's), so a cell is about as tall as
it is wide in samples and directions on the map are true. The heights fall
into eight bands, each covering an eighth of the map, so valleys and hills
read as rings whatever the range of the cost. Where colours are scarce each
band is a glyph, from blank valleys to "#" hilltops.

On top go the marks: the exact flat points of a textbook function, the path
of the steps, the ball, the gradient at the ball (uphill, and its negative,
downhill) and, on request, the gradient's direction over the whole map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
from rich.color import Color
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from gdtui.ui.blocks import HALF_BLOCK, wants_glyphs
from gdtui.ui.widgets.drawn import Drawn, text_strips

BANDS = 8
BAND_GLYPHS = " .:-=+*#"
"""From the lowest band to the highest, for terminals without enough colours."""

# From dark to light, so the order reads in grey too; each is a colour of the
# 256-colour cube, so SSH terminals show the very same eight.
_BAND_COLORS = tuple(
    Color.from_rgb(*rgb)
    for rgb in (
        (95, 0, 135),
        (95, 95, 175),
        (0, 95, 175),
        (0, 135, 175),
        (0, 175, 135),
        (95, 175, 95),
        (175, 215, 95),
        (255, 255, 135),
    )
)
_LIGHT_BANDS = 5
"""Bands from this one up are light: marks on them are drawn in black, elsewhere in white."""

ARROWS = "→↗↑↖←↙↓↘"
"""Eight directions, counter-clockwise from east."""
FLAT = "·"
BALL = "●"
PATH = "•"
MARKS = {"minimum": "○", "maximum": "△", "saddle": "×", "plateau": "◇"}

_BALL_COLOR = Color.from_rgb(255, 0, 95)
_UPHILL_COLOR = Color.from_rgb(255, 135, 0)

ARROW_MODES = ("off", "uphill", "downhill")

_MARGIN = 7
"""Columns left of the map for the y axis's numbers, at least: more when a number is wider."""


class Landscape(Protocol):
    @property
    def extent(self) -> tuple[tuple[float, float], tuple[float, float]]: ...

    def value(self, x, y): ...

    def gradient(self, x, y): ...


def arrow(dx: float, dy: float) -> str:
    """The one of eight arrows nearest to the direction (dx, dy), with y pointing up."""
    return ARROWS[round(math.atan2(dy, dx) / (math.pi / 4)) % 8]


def band_edges(heights: np.ndarray) -> np.ndarray:
    """The heights between the bands: each band holds an equal share of the map."""
    finite = heights[np.isfinite(heights)]
    if finite.size == 0:
        return np.zeros(BANDS - 1)
    return np.quantile(finite, np.arange(1, BANDS) / BANDS)


FLAT_DIGITS = 6  # ends of a scale alike to this many significant figures: a flat map, told as one


def ends(low: float, high: float) -> tuple[str, str]:
    """The two ends of a scale or an axis, to three significant figures, or as many more as tell them apart: a map of
    a small range read "low 0.121 … 0.121 high", as flat as a map can look. Alike at FLAT_DIGITS, to three again."""
    for digits in range(3, FLAT_DIGITS + 1):
        shown = f"{low:.{digits}g}", f"{high:.{digits}g}"
        if shown[0] != shown[1]:
            return shown
    return f"{low:.3g}", f"{high:.3g}"


def margin(landscape: Landscape | None) -> int:
    """Columns left of the map: the widest of the y axis's numbers, a space and the axis."""
    if landscape is None:
        return _MARGIN
    (_, _), (y0, y1) = landscape.extent
    return max(_MARGIN, *(len(end) + 2 for end in ends(y0, y1)))


@lru_cache(maxsize=512)
def _style(foreground: Color | None, background: Color | None, bold: bool = False) -> Style:
    return Style(color=foreground, bgcolor=background, bold=bold)


class HeightMap(Drawn):
    """A square map of a landscape with the y axis on its left, the x axis and a legend below."""

    DEFAULT_CSS = """
    HeightMap { width: auto; height: 1fr; }
    """

    arrows: reactive[str] = reactive("off")
    """Draw the gradient's direction over the map: "off", "uphill" (∇f) or "downhill" (−∇f)."""
    room: reactive[int] = reactive(0, layout=True)
    """Columns the widgets beside the map need for their longest lines: the map is never so wide as to wrap them."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._landscape: Landscape | None = None
        self._path: list[np.ndarray] = []
        self._marks: list[tuple[Sequence[float], str]] = []
        self._ball_gradient: np.ndarray | None = None
        self._heights_key: tuple | None = None
        self._heights = np.zeros((0, 0))
        self._edges = np.zeros(BANDS - 1)
        # The band of each sample, and of each cell (the mean of its two samples): kept with the heights.
        self._bands = np.zeros((0, 0), dtype=int)
        self._cell_bands = np.zeros((0, 0), dtype=int)
        self._margin = _MARGIN

    def show(
        self,
        landscape: Landscape | None,
        *,
        path: Sequence[np.ndarray] = (),
        gradient: np.ndarray | None = None,
        marks: Sequence[tuple[Sequence[float], str]] = (),
    ) -> None:
        """Draw landscape with the steps' path (the ball at its end) and the gradient there.

        marks are (point, kind) pairs, kind a key of MARKS.
        """
        new = landscape is not self._landscape
        if new:
            self._heights_key = None
            # Worked out once a landscape: every cell the path, the rays and the marks fall on needs it.
            self._margin = margin(landscape)
        self._landscape = landscape
        self._path = list(path)
        self._ball_gradient = gradient
        self._marks = list(marks)
        # Another landscape may have wider numbers on its y axis, and so another width.
        self.refresh(layout=new)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        widest = min(container.width * 3 // 5, container.width - self.room)
        lines = max(1, min(container.height - 2, (widest - self._margin) // 2))
        return self._margin + 2 * lines

    def _map_size(self) -> tuple[int, int]:
        """(lines, columns) of the map itself: square in samples, two samples per line."""
        lines = max(1, min(self.size.height - 2, (self.size.width - self._margin) // 2))
        return lines, 2 * lines

    def _cell_of(self, landscape: Landscape, x: float, y: float) -> tuple[int, int] | None:
        """The (line, column) showing the point (x, y), or None when it is off the map."""
        (x0, x1), (y0, y1) = landscape.extent
        lines, columns = self._map_size()
        if not (math.isfinite(x) and math.isfinite(y)):
            return None
        column = math.floor((x - x0) / (x1 - x0) * columns)
        line = math.floor((y1 - y) / (y1 - y0) * lines)
        if 0 <= line < lines and 0 <= column < columns:
            return line, column
        return None

    def _sample_heights(self, landscape: Landscape) -> None:
        lines, columns = self._map_size()
        key = (lines, columns)
        if key == self._heights_key:
            return
        (x0, x1), (y0, y1) = landscape.extent
        xs = x0 + (np.arange(columns) + 0.5) / columns * (x1 - x0)
        ys = y1 - (np.arange(2 * lines) + 0.5) / (2 * lines) * (y1 - y0)
        with np.errstate(over="ignore", invalid="ignore"):
            self._heights = np.asarray(landscape.value(*np.meshgrid(xs, ys)), dtype=float)
        self._edges = band_edges(self._heights)
        self._bands = self._band(self._heights)
        self._cell_bands = self._band((self._heights[0::2] + self._heights[1::2]) / 2)
        self._heights_key = key

    def _overlay(self, landscape: Landscape) -> dict[tuple[int, int], tuple[str, str]]:
        """What is drawn over the bands: {(line, column): (glyph, role)}, later roles on top."""
        cells: dict[tuple[int, int], tuple[str, str]] = {}
        if self.arrows != "off":
            cells.update(self._arrow_field(landscape))
        for point, kind in self._marks:
            cell = self._cell_of(landscape, *point)
            if cell is not None:
                cells[cell] = (MARKS[kind], "mark")
        if not self._path:
            return cells
        ball = self._path[-1]
        for step in self._path[:-1]:
            cell = self._cell_of(landscape, *step)
            if cell is not None:
                cells[cell] = (PATH, "path")
        # Over the path: the ball came downhill, so the uphill ray runs back along it, and its arrowhead is in the legend.
        if self._ball_gradient is not None:
            cells.update(self._ray(landscape, ball, -self._ball_gradient, "downhill"))
            cells.update(self._ray(landscape, ball, self._ball_gradient, "uphill"))
        cell = self._cell_of(landscape, *ball)
        if cell is not None:
            cells[cell] = (BALL, "ball")
        elif np.all(np.isfinite(ball)):
            cells.update(self._pointer(landscape, ball))
        return cells

    def ball_glyph(self) -> str:
        """What stands for the ball on the map: the ball, or where it left the map, an arrow at the edge pointing its
        way."""
        landscape = self._landscape
        if landscape is None or not self._path or self._cell_of(landscape, *self._path[-1]) is not None:
            return BALL
        ((glyph, _),) = self._pointer(landscape, self._path[-1]).values()
        return glyph

    def _pointer(self, landscape: Landscape, ball: np.ndarray) -> dict[tuple[int, int], tuple[str, str]]:
        """An arrow on the map's edge where a ball off the map left it, pointing its way."""
        (x0, x1), (y0, y1) = landscape.extent
        lines, columns = self._map_size()
        x, y = float(np.clip(ball[0], x0, x1)), float(np.clip(ball[1], y0, y1))
        column = min(columns - 1, math.floor((x - x0) / (x1 - x0) * columns))
        line = min(lines - 1, math.floor((y1 - y) / (y1 - y0) * lines))
        centre_x, centre_y = (x0 + x1) / 2, (y0 + y1) / 2
        dx, dy = self._screen_direction(landscape, ball[0] - centre_x, ball[1] - centre_y)
        return {(line, column): (arrow(dx, dy), "ball")}

    def _screen_direction(self, landscape: Landscape, gx, gy):
        """A direction in the landscape as a direction on screen, in samples (y up)."""
        (x0, x1), (y0, y1) = landscape.extent
        lines, columns = self._map_size()
        return gx * columns / (x1 - x0), gy * 2 * lines / (y1 - y0)

    def _ray(
        self, landscape: Landscape, start: np.ndarray, direction: np.ndarray, role: str
    ) -> dict[tuple[int, int], tuple[str, str]]:
        """A short line of dots from the ball along direction, ending in an arrow."""
        dx, dy = self._screen_direction(landscape, *direction)
        length = math.hypot(dx, dy)
        origin = self._cell_of(landscape, *start)
        if origin is None or not length > 0 or not math.isfinite(length):
            return {}
        (x0, x1), (y0, y1) = landscape.extent
        lines, columns = self._map_size()
        reach = max(3, columns // 8)  # cells
        unit_x, unit_y = (x1 - x0) / columns, (y1 - y0) / (2 * lines)  # one sample, in the landscape
        cells: dict[tuple[int, int], tuple[str, str]] = {}
        tip = None
        for sample in range(1, 2 * reach + 1):
            x = start[0] + dx / length * sample * unit_x
            y = start[1] + dy / length * sample * unit_y
            cell = self._cell_of(landscape, x, y)
            if cell is None:
                break
            if cell != origin:
                cells[cell] = (FLAT, role)
                tip = cell
        if tip is not None:
            cells[tip] = (arrow(dx, dy), role)
        return cells

    def _arrow_field(self, landscape: Landscape) -> dict[tuple[int, int], tuple[str, str]]:
        """An arrow every few cells showing which way is up (or down) there."""
        lines, columns = self._map_size()
        rows = np.arange(1, lines, 2)
        cols = np.arange(2, columns, 4)
        (x0, x1), (y0, y1) = landscape.extent
        grid_cols, grid_rows = np.meshgrid(cols, rows)
        xs = x0 + (grid_cols + 0.5) / columns * (x1 - x0)
        ys = y1 - (grid_rows + 0.5) / lines * (y1 - y0)
        with np.errstate(over="ignore", invalid="ignore"):
            gx, gy = (np.asarray(g, dtype=float) for g in landscape.gradient(xs, ys))
        sx, sy = self._screen_direction(landscape, gx, gy)
        sign = -1.0 if self.arrows == "downhill" else 1.0
        size = np.hypot(sx, sy)
        finite = size[np.isfinite(size)]
        # Where the slope is a small fraction of the steepest on the map, "which way" hardly matters.
        flat = size <= 0.02 * (finite.max() if finite.size else 0.0)
        cells = {}
        for line, column, x, y, is_flat in zip(
            grid_rows.ravel(), grid_cols.ravel(), (sign * sx).ravel(), (sign * sy).ravel(), flat.ravel()
        ):
            glyph = FLAT if is_flat or not math.isfinite(x + y) else arrow(x, y)
            cells[(int(line), int(column))] = (glyph, "field")
        return cells

    def _band(self, heights: np.ndarray) -> np.ndarray:
        """The band of each height; a height that is not finite is off the top."""
        finite = np.isfinite(heights)
        return np.where(finite, np.searchsorted(self._edges, np.where(finite, heights, 0.0), side="right"), BANDS - 1)

    def _mark_style(self, role: str, band: int, colors: bool) -> Style:
        if not colors:
            return _style(None, None, role in ("ball", "downhill"))
        background = _BAND_COLORS[band]
        if role == "ball":
            return _style(_BALL_COLOR, background, True)
        if role == "uphill":
            return _style(_UPHILL_COLOR, background, True)
        contrast = Color.from_rgb(0, 0, 0) if band >= _LIGHT_BANDS else Color.from_rgb(255, 255, 255)
        return _style(contrast, background, role in ("downhill", "path"))

    def draw(self, width: int) -> list[Strip]:
        return text_strips(self.render(), self.app.console)

    def render(self) -> Text:
        landscape = self._landscape
        if landscape is None:
            return Text()
        colors = not wants_glyphs(self.app.console.color_system, self.app.no_color)
        self._sample_heights(landscape)
        lines, columns = self._map_size()
        overlay = self._overlay(landscape)
        (x0, x1), (y0, y1) = landscape.extent
        margin = self._margin
        out = []
        bottom, top = ends(y0, y1)
        labels = {0: top, lines // 2: "y", lines - 1: bottom}
        for line in range(lines):
            upper, lower = self._bands[2 * line].tolist(), self._bands[2 * line + 1].tolist()
            cells = self._cell_bands[line].tolist()
            label = labels.get(line, "")
            text = Text.assemble((f"{label:>{margin - 2}} ▕", "dim"))
            for column in range(columns):
                if (line, column) in overlay:
                    glyph, role = overlay[(line, column)]
                    text.append(glyph, self._mark_style(role, cells[column], colors))
                elif colors:
                    text.append(HALF_BLOCK, _style(_BAND_COLORS[upper[column]], _BAND_COLORS[lower[column]]))
                else:
                    text.append(BAND_GLYPHS[cells[column]])
            out.append(text)
        left, right = ends(x0, x1)
        gap = columns - len(left) - len(right)
        axis = f"{left}{'x' if gap >= 3 else '':^{gap}}{right}" if gap >= 1 else ""
        out.append(Text(" " * margin + axis, style="dim"))
        out.append(self._legend(colors, margin + columns))
        return Text("\n").join(out)

    def _legend(self, colors: bool, width: int) -> Text:
        """The bands from the lowest height to the highest, each figure at its end: the fullest form that fits."""
        finite = self._heights[np.isfinite(self._heights)]
        low, high = ends(finite.min(), finite.max()) if finite.size else ("", "")
        if low == high:  # a scale with two alike ends would read as a range
            said = (
                f"flat: every height {finite.min():.{FLAT_DIGITS}g} to {FLAT_DIGITS} figures"
                if finite.size
                else "no height here is a finite number"
            )
            lead = " " * self._margin if self._margin + len(said) <= width else ""
            return Text(lead + said, style="dim")
        bands = (("█", _style(color, None)) for color in _BAND_COLORS)
        scale = Text.assemble(*bands) if colors else Text(f"[{BAND_GLYPHS}]")
        # Under the map's x axis; else from the left edge; else the figures alone, which still read low to high.
        for lead, lowest, highest in ((" " * self._margin, "low ", " high"), ("", "low ", " high"), ("", "", "")):
            legend = Text.assemble((f"{lead}{lowest}{low} ", "dim"), scale, (f" {high}{highest}", "dim"))
            if legend.cell_len <= width:
                break
        return legend
