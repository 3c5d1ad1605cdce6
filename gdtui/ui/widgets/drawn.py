"""A widget of many coloured cells, drawn as strips of Rich segments."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


class Drawn(Widget):
    """A widget that draws its lines once after each refresh, as strips of Rich segments.

    A widget's usual way, through Textual's Content, gives every cell of another style an
    object of its own on every frame: for a digit or a height map, that was most of what a
    key press cost on a terminal.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None, disabled: bool = False
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._drawn: tuple[int, list[Strip]] | None = None  # the width drawn for, and the lines

    def draw(self, width: int) -> list[Strip]:
        """The widget's lines at this width, unstyled by its CSS."""
        raise NotImplementedError

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False):
        # Whatever asked for a repaint may have changed what is drawn.
        self._drawn = None
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._drawn is None or self._drawn[0] != width:
            self._drawn = (width, self.draw(width))
        lines = self._drawn[1]
        style = self.rich_style
        line = lines[y].apply_style(style) if y < len(lines) else Strip([])
        return line.crop_extend(0, width, style.background_style)


def text_strips(text: Text, console) -> list[Strip]:
    """Rich Text as one strip a line."""
    return [Strip(line.render(console)) for line in text.split("\n", allow_blank=True)]
