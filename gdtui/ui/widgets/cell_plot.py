"""A plotext plot drawn from its cells."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plotext import _utility as plotext_utility  # type: ignore[import-untyped]
from plotext._dict import themes as plotext_themes  # type: ignore[import-untyped]
from rich.text import Text
from textual.color import ANSI_COLORS, Color
from textual.content import Content, Span
from textual.style import Style
from textual_plotext import PlotextPlot
from textual_plotext.plot import _sequence as SERIES_COLOURS  # the colours of series given none, as textual-plotext has them

# Each cell's colours in plotext (fore, style, back) and the terminal's palette, as Textual's style (None: plain).
_STYLES: dict[tuple[tuple, object], Style | None] = {}


def _style(colors: tuple, theme: object) -> Style | None:
    """The style Rich reads from the escape code plotext prints for a cell's colours, as Textual takes it (see
    Content.from_rich_text)."""
    key = (colors, theme)
    if key not in _STYLES:
        code = plotext_utility.colors_to_ansi(*colors)
        rich_style = Text.from_ansi(f"{code}x{plotext_utility.ansi_end}").spans[0].style if code else None
        _STYLES[key] = None if rich_style is None else Style.from_rich_style(rich_style, theme)  # type: ignore[arg-type]
    return _STYLES[key]


def plotext_theme(variables: Mapping[str, str]) -> str:
    """plotext's theme for the app's colours now, as textual-plotext makes one: registered under a name made of them.

    textual-plotext registers one under each app theme's name, once, when told the theme changed, from the
    colours the app has by then: after two changes before it was told of the first, a name kept another
    theme's colours for every plot of the process thereafter.
    """
    surface, foreground = (plotext_colour(Color.parse(variables[name])) for name in ("surface", "foreground"))
    name = f"gdtui {surface} {foreground}"
    if name not in plotext_themes:
        # Canvas, axes, ticks and their style, the series' colours.
        plotext_themes[name] = (surface, surface, foreground, "default", list(SERIES_COLOURS))
    return name


def plotext_colour(color: Color) -> tuple[int, int, int] | int | str:
    """A colour of the app's theme as plotext takes it.

    Textual's ANSI themes are in the terminal's own colours: a transparent surface, the terminal's default
    text colour, its sixteen. As RGB (textual-plotext's way) those are black: a plot black on black.
    """
    if color.ansi is not None:
        return "default" if color.ansi < 0 else color.ansi  # plotext writes 0 to 15 as the terminal's own
    if color.a == 0:
        return "default"
    return color.rgb


def words_colour(colour: str) -> str:
    """Textual's name for the colour plotext draws `colour` in: one of the terminal's sixteen, as the theme shows them.

    For words beside a plot (its key): Textual's own "cyan" or "white" are other colours than plotext's.
    """
    return f"ansi_{ANSI_COLORS[plotext_utility.get_color_code(colour)]}"


class CellPlot(PlotextPlot):
    """A PlotextPlot that draws what plotext built straight from its cells."""

    def render(self) -> Content:
        """The plot as PlotextPlot draws it, read from plotext's cells rather than from the text it prints.

        plotext writes its cells out as a string with a terminal escape code at each change of colour,
        which PlotextPlot has Rich read back into styled text for Textual to turn into its own: two
        conversions, most of what a step's redraw cost. The same text and the same styles straight from
        the cells.
        """
        # plotext's own figure: textual-plotext's stubs leave out the steps of its build, and its cells.
        plot: Any = self.plt
        width, height = self.size
        plot.plotsize(width, height)
        plot._set_size(width, height)  # as PlotextPlot.render does: plotsize alone does not resize it
        plot.theme(plotext_theme(self.app.theme_variables))
        plot._set_sizes()
        plot._build_matrix()
        matrix = plot.monitor.matrix
        rows: list[str] = []
        spans: list[Span] = []
        start = 0
        theme = self.app.ansi_theme  # once: the app finds it anew at each asking
        for row in reversed(matrix.Rows):
            markers, cells = matrix.marker[row], list(zip(matrix.fullground[row], matrix.style[row], matrix.background[row]))
            column = 0
            while column < len(cells):
                colors = cells[column]
                end = column + 1
                while end < len(cells) and cells[end] == colors:
                    end += 1
                style = _style(colors, theme)
                if style is not None:
                    spans.append(Span(start + column, start + end, style))
                column = end
            rows.append("".join(markers))
            start += len(rows[-1]) + 1
        return Content("".join(f"{row}\n" for row in rows), spans)  # as plotext prints it: each row ends a line
