"""Draw a 2-D array of values as block characters.

The same drawing serves a 28×28 digit, a neuron's 784 incoming weights and a
gradient. It needs only Rich, so it can be checked without running an app.

With colours, each terminal cell shows two pixels stacked vertically: "▀" is
painted with the upper pixel as foreground and the lower pixel as background.
Without colours, each cell is one shade glyph standing for both pixels, so
the footprint is the same either way.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

HALF_BLOCK = "▀"
SHADES = " ░▒▓█"
"""Glyphs from zero to full intensity (positive values when signed)."""
NEGATIVE_SHADES = " ·-=≡"
"""Glyphs for negative values, so the sign reads without colour: more strokes, larger magnitude."""
CURSOR_GLYPH = "◆"
CURSOR_COLOR = Color.from_rgb(255, 215, 0)
"""Yellow: a hue that neither the grey nor the red/blue palette uses."""

_FULL = 255
"""Values are quantised to this many steps per sign, one per grey level."""


def wants_glyphs(color_system: str | None, no_color: bool) -> bool:
    """Should values be drawn as shade glyphs rather than colours?

    Sixteen colours cannot show enough levels, and NO_COLOR rules colour out.

    Args:
        color_system: Rich's colour system name: "truecolor", "256", "standard", "windows" or None.
        no_color: True when the user asked for no colour.
    """
    return no_color or color_system not in ("256", "truecolor")


def reduction(shape: tuple[int, ...], side: int) -> int:
    """The whole factor an image of shape is drawn smaller by so that no side is longer than side."""
    return max(1, -(-max(shape) // side))


def reduced(values: np.ndarray, side: int) -> np.ndarray:
    """values drawn at most side pixels each way: each drawn pixel the mean of the factor×factor it stands for.

    An image that fits comes back as it is. At the right and bottom edges a block may be cut
    short, and is the mean of the pixels it has: a 64×64 image becomes 22×22, none left out.
    """
    factor = reduction(values.shape, side)
    if factor == 1:
        return values
    rows, cols = values.shape
    drawn = (-(-rows // factor), -(-cols // factor))
    blocks = (drawn[0], factor, drawn[1], factor)
    if rows % factor == 0 and cols % factor == 0:
        return values.reshape(blocks).mean(axis=(1, 3))
    padded = np.zeros((drawn[0] * factor, drawn[1] * factor), dtype=values.dtype)
    present = np.zeros_like(padded)
    padded[:rows, :cols] = values
    present[:rows, :cols] = 1
    return padded.reshape(blocks).sum(axis=(1, 3)) / present.reshape(blocks).sum(axis=(1, 3))


def full_scale(values: np.ndarray, *, signed: bool, scale: float | None = None) -> float:
    """The magnitude drawn at full intensity.

    Grey images default to 1. Signed values default to their largest finite
    magnitude, so a gradient of any size fills the range; that is 0 for an
    all-zero array, which then draws as all zero.
    """
    if scale is not None:
        return float(scale)
    if not signed:
        return 1.0
    magnitudes = np.abs(np.asarray(values, dtype=float))
    finite = magnitudes[np.isfinite(magnitudes)]
    return float(finite.max()) if finite.size else 0.0


def _levels(values: np.ndarray, signed: bool, scale: float | None) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D array, got shape {array.shape}")
    full = full_scale(array, signed=signed, scale=scale)
    if not full > 0:
        return np.zeros(array.shape, dtype=int)
    # A diverging run produces infinities and NaNs; it should still draw.
    ratio = np.nan_to_num(array / full, nan=0.0, posinf=1.0, neginf=-1.0)
    ratio = np.clip(ratio, -1.0 if signed else 0.0, 1.0)
    return np.rint(ratio * _FULL).astype(int)


def _ramp(*anchors: tuple[float, tuple[int, int, int]]) -> tuple[Color, ...]:
    positions = [position for position, _ in anchors]
    channels = np.array([rgb for _, rgb in anchors], dtype=float).T
    steps = np.linspace(0.0, 1.0, _FULL + 1)
    rgb = np.rint([np.interp(steps, positions, channel) for channel in channels])
    return tuple(Color.from_rgb(*triplet) for triplet in rgb.astype(int).T.tolist())


_GREYS = _ramp((0.0, (0, 0, 0)), (1.0, (255, 255, 255)))
# Going through a saturated hue before paling keeps a dozen distinct steps per
# sign after a 256-colour terminal snaps them to its 6×6×6 cube (a straight
# ramp to blue keeps six), and lets small weights show above black.
_POSITIVE = _ramp((0.0, (0, 0, 0)), (0.6, (30, 90, 255)), (1.0, (170, 210, 255)))
_NEGATIVE = _ramp((0.0, (0, 0, 0)), (0.6, (230, 40, 30)), (1.0, (255, 190, 160)))


def _color(level: int, signed: bool) -> Color:
    if level < 0:
        return _NEGATIVE[-level]
    return _POSITIVE[level] if signed else _GREYS[level]


@lru_cache(maxsize=4096)
def _cell_style(upper: Color, lower: Color | None) -> Style:
    return Style(color=upper, bgcolor=lower)


def _half_blocks(upper: list[int], lower: list[int] | None, signed: bool, cursor: tuple[int, int] | None) -> list[Segment]:
    """One line of colour cells; `cursor` is (0 upper / 1 lower, column)."""
    styles = []
    for col, level in enumerate(upper):
        foreground = _color(level, signed)
        background = None if lower is None else _color(lower[col], signed)
        if cursor is not None and cursor[1] == col:
            if cursor[0]:
                background = CURSOR_COLOR
            else:
                foreground = CURSOR_COLOR
        styles.append(_cell_style(foreground, background))
    return _runs(HALF_BLOCK, styles)


def _runs(cell: str, styles: list[Style]) -> list[Segment]:
    """Cells of one text in these styles, neighbours of one style in one segment: a frame's segments
    are what a terminal's update is drawn from, and a digit's background is one colour."""
    segments: list[Segment] = []
    run_style, run = None, 0
    for style in styles:
        # The styles come from one cache: the same colours are the same object.
        if style is not run_style:
            if run:
                segments.append(Segment(cell * run, run_style))
            run_style, run = style, 0
        run += 1
    if run:
        segments.append(Segment(cell * run, run_style))
    return segments


def _shade_glyphs(upper: np.ndarray, lower: np.ndarray | None, cursor_col: int | None) -> str:
    """One line of glyph cells, each standing for the stronger of its two pixels.

    A mean would halve a stroke that covers only one of the two pixels, and
    MNIST strokes are two or three pixels wide with faint edges: diagonals
    would break into gaps of light shade. The stronger pixel keeps the ink
    continuous at the cost of thickening a stroke by at most half a cell.
    """
    cells = upper if lower is None else np.where(np.abs(lower) > np.abs(upper), lower, upper)
    steps = np.rint(np.abs(cells) * (len(SHADES) - 1) / _FULL).astype(int).tolist()
    glyphs = [(SHADES if level >= 0 else NEGATIVE_SHADES)[step] for level, step in zip(cells.tolist(), steps)]
    if cursor_col is not None:
        glyphs[cursor_col] = CURSOR_GLYPH
    return "".join(glyphs)


def block_segments(
    values: np.ndarray,
    *,
    signed: bool = False,
    scale: float | None = None,
    colors: bool = True,
    cursor: tuple[int, int] | None = None,
) -> list[list[Segment]]:
    """Draw a 2-D array, two pixel rows per terminal line, as Rich segments: what a widget draws.

    Args:
        values: A 2-D array. Grey images hold values from 0 (black) to `scale`
            (white); signed arrays (weights, gradients) hold values of either sign.
        signed: Draw positive values blue and negative values red (or with two
            glyph families), black at zero.
        scale: The magnitude drawn at full intensity; larger values are clipped.
            Defaults to 1 for grey images and to the largest magnitude when signed.
        colors: Use colours; otherwise shade glyphs, for 16 colours and NO_COLOR.
        cursor: (row, column) of a pixel to mark. A position outside the array marks nothing.

    Returns:
        The segments of each terminal line: ceil(rows / 2) lines of `columns` cells.
    """
    levels = _levels(values, signed, scale)
    rows, columns = levels.shape
    if cursor is not None and not (0 <= cursor[0] < rows and 0 <= cursor[1] < columns):
        cursor = None
    lines: list[list[Segment]] = []
    for top in range(0, rows, 2):
        upper = levels[top]
        lower = levels[top + 1] if top + 1 < rows else None
        line_cursor = None
        if cursor is not None and cursor[0] // 2 == top // 2:
            line_cursor = (cursor[0] - top, cursor[1])
        if colors:
            lines.append(_half_blocks(upper.tolist(), None if lower is None else lower.tolist(), signed, line_cursor))
        else:
            lines.append([Segment(_shade_glyphs(upper, lower, None if line_cursor is None else line_cursor[1]))])
    return lines


def zoomed_segments(
    values: np.ndarray,
    *,
    signed: bool = False,
    scale: float | None = None,
    colors: bool = True,
    cursor: tuple[int, int] | None = None,
) -> list[list[Segment]]:
    """Like `block_segments`, twice the size: each pixel two cells wide on a line of its own.

    Two cells by one line is about square in a terminal, so a 28×28 digit
    keeps its proportions at 56×28 where the screen has room for it.
    """
    levels = _levels(values, signed, scale)
    lines: list[list[Segment]] = []
    for row, line_levels in enumerate(levels):
        if colors:
            colours = [
                CURSOR_COLOR if cursor == (row, col) else _color(level, signed) for col, level in enumerate(line_levels.tolist())
            ]
            lines.append(_runs(HALF_BLOCK * 2, [_cell_style(color, color) for color in colours]))
        else:
            cursor_col = cursor[1] if cursor is not None and cursor[0] == row else None
            glyphs = _shade_glyphs(line_levels, None, cursor_col)
            lines.append([Segment("".join(glyph * 2 for glyph in glyphs))])
    return lines


def as_text(lines: list[list[Segment]]) -> list[Text]:
    """Lines of segments as Rich Text, to print or to read."""
    return [Text.assemble(*((segment.text, segment.style or "") for segment in line)) for line in lines]


def _number(value: float) -> str:
    return f"{value:.3g}"


def legend(*, signed: bool, scale: float | None, colors: bool) -> Text:
    """One line explaining what the drawing of `block_segments` means.

    Args:
        signed: As given to `block_segments`.
        scale: The magnitude drawn at full intensity (see `full_scale`). For
            signed values, None leaves the number out.
        colors: As given to `block_segments`.
    """
    steps = [_FULL * quarter // 4 for quarter in range(1, 5)]
    if colors:
        positive = Text.assemble(*[("█", Style(color=_color(step, signed))) for step in steps])
        negative = Text.assemble(*[("█", Style(color=_color(-step, True))) for step in steps[::-1]])
    else:
        positive = Text(SHADES[1:])
        negative = Text(NEGATIVE_SHADES[:0:-1])
    if not signed:
        return Text.assemble("0 ", positive, f" {_number(1.0 if scale is None else scale)}")
    line = Text.assemble("− ", negative, " 0 ", positive, " +")
    if scale is not None:
        line.append(f"  ±{_number(scale)}")
    return line
