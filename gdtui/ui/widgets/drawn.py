"""A widget of many coloured cells, drawn as strips of Rich segments."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


class Drawn(Widget):
    """A widget that draws its lines once after each refresh, as strips of Rich segments.

    A widget's usual way, through Textual's Content, gives every cell of another style an
    object of its own each time the widget is drawn anew: for a new digit or a step on a height
    map, that was most of what the key press cost on a terminal. Drawn this way, a widget draws
    no mouse selection over itself.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None, disabled: bool = False
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._drawn: tuple[Size, list[Strip]] | None = None  # the size drawn for, and the lines

    def draw(self, width: int) -> list[Strip]:
        """The widget's lines at this width (and its height, where they depend on it), unstyled by its CSS."""
        raise NotImplementedError

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False):
        # Whatever asked for a repaint may have changed what is drawn.
        self._drawn = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_line(self, y: int) -> Strip:
        size, width = self.size, self.size.width
        # A new size marks the widget for drawing without a refresh: the lines are of one size.
        if self._drawn is None or self._drawn[0] != size:
            self._drawn = (size, self.draw(width))
        lines = self._drawn[1]
        style = self.rich_style
        line = lines[y].apply_style(style) if y < len(lines) else Strip([])
        return line.crop_extend(0, width, style.background_style)


def text_strips(text: Text, console) -> list[Strip]:
    """Rich Text as one strip a line."""
    return [Strip(line.render(console)) for line in text.split("\n", allow_blank=True)]
