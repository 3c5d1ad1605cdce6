"""Small images side by side with a caption under each: a mini-batch, a layer's neurons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.style import Style

from gdtui.ui.blocks import block_segments, reduced, wants_glyphs
from gdtui.ui.widgets.drawn import Drawn

THUMB_PIXELS = 14
"""The longest side of a thumbnail: a 28×28 digit becomes 14×14, seven lines tall."""


def shrink(values: np.ndarray) -> np.ndarray:
    """An image as a thumbnail, each pixel the mean of the block it stands for; a small image stays as it is."""
    return reduced(values, THUMB_PIXELS)


@dataclass(frozen=True, eq=False)
class Thumb:
    values: np.ndarray  # already the size to draw
    caption: str
    signed: bool = False
    scale: float | None = None
    caption_style: str = ""  # as markup writes a style: the theme's colours by name ($text-success)


class Thumbnails(Drawn):
    """As many thumbnails per row as the width allows, wrapping onto further rows."""

    DEFAULT_CSS = """
    Thumbnails { height: auto; }
    """

    GAP = 1

    def __init__(self, *, max_rows: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_rows = max_rows
        self._thumbs: list[Thumb] = []

    def show(self, thumbs: list[Thumb]) -> None:
        height = self._height(self.size.width)
        self._thumbs = thumbs
        # While training runs this comes several times a second, with the same height: a
        # layout of the whole screen each time would be wasted.
        self.refresh(layout=self._height(self.size.width) != height)

    def fits_in_row(self, columns: int) -> int:
        """How many thumbnails `columns` wide fit side by side in this widget."""
        return max(1, (self.size.width + self.GAP) // (columns + self.GAP))

    def _per_row(self, width: int) -> int:
        if not self._thumbs:
            return 1
        cell = self._thumbs[0].values.shape[1] + self.GAP
        return max(1, (width + self.GAP) // cell)

    def _rows(self, width: int) -> int:
        rows = -(-len(self._thumbs) // self._per_row(width))
        return rows if self.max_rows is None else min(rows, self.max_rows)

    def draw(self, width: int) -> list[Strip]:
        if not self._thumbs:
            return []
        console = self.app.console
        colors = not wants_glyphs(console.color_system, self.app.no_color)
        per_row = self._per_row(width)
        gap = Segment(" " * self.GAP)
        lines: list[Strip] = []
        for start in range(0, min(len(self._thumbs), self._rows(width) * per_row), per_row):
            row = self._thumbs[start : start + per_row]
            drawn = [block_segments(t.values, signed=t.signed, scale=t.scale, colors=colors) for t in row]
            for i in range(len(drawn[0])):
                segments = list(drawn[0][i])
                for image in drawn[1:]:
                    segments.append(gap)
                    segments += image[i]
                lines.append(Strip(segments))
            columns = row[0].values.shape[1]
            captions = Text()
            for t in row:
                style = Style.parse(t.caption_style).rich_style if t.caption_style else ""  # in the theme shown now
                captions.append(t.caption[:columns].ljust(columns) + " " * self.GAP, style=style)
            lines.append(Strip(captions.render(console)))
        return lines

    def _height(self, width: int) -> int:
        if not self._thumbs:
            return 0
        return self._rows(width) * ((self._thumbs[0].values.shape[0] + 1) // 2 + 1)

    def get_content_height(self, container, viewport, width: int) -> int:
        return self._height(width)
