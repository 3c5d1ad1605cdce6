"""A widget that draws a 2-D array of values: a digit, a neuron's weights, a gradient."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip

from gdtui.ui.blocks import block_segments, full_scale, legend, reduced, reduction, wants_glyphs, zoomed_segments
from gdtui.ui.widgets.drawn import Drawn

_EMPTY_SHAPE = (28, 28)
"""An MNIST image, so a layout holds its place before the first `show`."""
MOST_PIXELS = 28
"""The longest side drawn: the screens are laid out for MNIST, and a larger image is drawn smaller."""


class DigitView(Drawn):
    """Draws a 2-D array two pixel rows per line, in colour or in shade glyphs.

    Colours on 256-colour and truecolor terminals; shade glyphs with 16 colours
    or NO_COLOR, in the same footprint. A 28×28 image takes 28×14 cells; a larger
    one is drawn smaller by the whole `factor` that brings it within 28×28.
    """

    DEFAULT_CSS = """
    DigitView {
        width: auto;
        height: auto;
    }
    """

    cursor: reactive[tuple[int, int] | None] = reactive(None)
    """(row, column) of the pixel to mark, or None."""

    show_legend: reactive[bool] = reactive(False, layout=True)
    """Add a line below the image explaining its colours or glyphs."""

    zoomed: reactive[bool] = reactive(False, layout=True)
    """Draw each pixel two cells wide on a line of its own: twice the size, for roomy terminals."""

    def __init__(
        self,
        *,
        show_legend: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.set_reactive(DigitView.show_legend, show_legend)
        # Arrays stay out of reactives: comparing two of them with != does not give a bool.
        self._values: np.ndarray | None = None
        self._shape: tuple[int, int] = _EMPTY_SHAPE
        self._signed = False
        self._scale: float | None = None
        self.factor = 1  # each pixel drawn stands for factor×factor of the image

    def show(self, values: np.ndarray, *, signed: bool = False, scale: float | None = None) -> None:
        """Draw `values`; see `block_segments` for what `signed` and `scale` mean.

        The array is copied, so training may keep updating the original in place.
        """
        array = np.array(values, dtype=float)
        if array.ndim != 2:
            raise ValueError(f"expected a 2-D array, got shape {array.shape}")
        self.factor = reduction(array.shape, MOST_PIXELS)
        array = reduced(array, MOST_PIXELS)
        rows, columns = array.shape
        resized = (rows, columns) != self._shape
        self._values = array
        self._shape = (rows, columns)
        self._signed = signed
        self._scale = full_scale(array, signed=signed, scale=scale)
        # The legend's width follows its scale, and may widen a small image.
        self.refresh(layout=resized or self.show_legend)

    def clear(self) -> None:
        """Draw nothing, keeping the size of the last image."""
        self._values = None
        self.refresh()

    @property
    def _colors(self) -> bool:
        return not wants_glyphs(self.app.console.color_system, self.app.no_color)

    def legend(self) -> Text:
        """What the shades mean, as the image is drawn: also for a line elsewhere when the view shows none."""
        return legend(signed=self._signed, scale=self._scale, colors=self._colors)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        columns = self._shape[1] * (2 if self.zoomed else 1)
        return max(columns, self.legend().cell_len) if self.show_legend else columns

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        rows = self._shape[0] if self.zoomed else (self._shape[0] + 1) // 2
        return rows + self.show_legend

    def draw(self, width: int) -> list[Strip]:
        if self._values is None:
            return []  # nothing drawn, and so no legend
        lines = [Strip(segments) for segments in self._segments()]
        if self.show_legend:
            lines.append(Strip(self.legend().render(self.app.console)))
        return lines

    def _segments(self) -> list[list[Segment]]:
        assert self._values is not None
        return (zoomed_segments if self.zoomed else block_segments)(
            self._values,
            signed=self._signed,
            scale=self._scale,
            colors=self._colors,
            cursor=None if self.cursor is None else (self.cursor[0] // self.factor, self.cursor[1] // self.factor),
        )
