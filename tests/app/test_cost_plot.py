"""The Training screen's plot: ticks at equal steps, on its rows and columns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from plotext._dict import themes as plotext_themes
from rich.text import Text
from textual.app import App, ComposeResult
from textual.color import Color
from textual.content import Content
from textual.visual import Visual

from gdtui.ui.widgets.cost_plot import CostPlot, legend
from tests.helpers import ANSI_THEME, drawn_in, stands_out, style_at, through_the_terminal_codes


class _PlotApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CostPlot()


@asynccontextmanager
async def shown(run, *, size: tuple[int, int] = (80, 16), theme: str | None = None) -> AsyncIterator[CostPlot]:
    """A plot showing `run`, drawn once, in an app of that size and theme."""
    app = _PlotApp()
    if theme is not None:
        app.theme = theme
    async with app.run_test(size=size) as pilot:
        plot = app.query_one(CostPlot)
        plot.show(run)
        await pilot.pause()
        yield plot


def _run(steps: int) -> SimpleNamespace:
    curve = [float(s) for s in range(0, steps, 7)]
    epochs = [
        SimpleNamespace(step=s, test_accuracy=0.1 + 0.8 * s / steps, train_cost=3.2 - s / steps, weights_of=None)
        for s in (0, steps // 2)
    ]
    return SimpleNamespace(
        cost_name="cross-entropy",
        curve_steps=tuple(curve),
        curve_costs=tuple(3.18 - 1.2 * s / steps for s in curve),
        curve_stride=1,
        epochs=tuple(epochs),
    )


def _equal_gaps(positions: list[int]) -> bool:
    return len(positions) >= 2 and len({b - a for a, b in zip(positions, positions[1:])}) == 1


@pytest.mark.parametrize("size", [(80, 14), (80, 20), (120, 30)])
async def test_both_y_axes_and_the_x_axis_have_equally_spaced_round_ticks(size):
    app = _PlotApp()
    async with app.run_test(size=size) as pilot:
        plot = app.query_one(CostPlot)
        plot.show(_run(258))  # a curve that once gave ticks 3.18, 2.79, 2.02… and 25.8…
        await pilot.pause()
        lines = str(plot.render()).splitlines()
        left = [i for i, line in enumerate(lines) if "┤" in line[:8]]
        right = [i for i, line in enumerate(lines) if "├" in line[-8:]]
        assert _equal_gaps(left) and _equal_gaps(right), (left, right)
        labels = [lines[i].split("┤")[0].strip() for i in left] + [lines[i].split("├")[-1].strip() for i in right]
        assert all("." not in label or len(label.split(".")[1]) <= 1 for label in labels), labels  # round numbers
        bottom = next(line for line in lines if "└" in line)
        assert _equal_gaps([i for i, c in enumerate(bottom) if c == "┬"])
        # A new size places the ticks again.
        await pilot.resize_terminal(size[0], size[1] + 6)
        await pilot.pause()
        lines = str(plot.render()).splitlines()
        assert _equal_gaps([i for i, line in enumerate(lines) if "┤" in line[:8]])


@pytest.mark.parametrize("stride", [1, 2, 256, 16_384, 1_048_576, 2**30])
def test_the_legend_names_all_three_lines_in_80_columns(stride):
    shot = SimpleNamespace(curve_stride=stride)
    text = Text.from_markup(legend(shot, 80, dark=True))
    assert text.cell_len <= 80, text.plain
    assert "cost" in text.plain and "epoch mean" in text.plain and "test accuracy % (right" in text.plain
    assert (f"(mean of {stride:,})" in text.plain) == (stride > 1)
    if stride <= 16_384:  # the whole words while they fit
        assert "mini-batch cost" in text.plain and "test accuracy % (right axis)" in text.plain


async def test_each_line_has_a_glyph_of_its_own_drawn_as_the_legend_says():
    """Without colour (NO_COLOR, or 16 colours) a legend told apart by colour alone would lie."""
    async with shown(_run(258), size=(80, 20)) as plot:
        key = Text.from_markup(legend(SimpleNamespace(curve_stride=1), 80, plot.app.current_theme.dark)).plain
        glyphs = {name: key[key.index(name) - 2] for name in ("mini-batch cost", "epoch mean", "test accuracy")}
        assert len(set(glyphs.values())) == 3, glyphs
        drawn = "".join(str(plot.render()).splitlines()[1:-3])  # inside the frame, without the axis labels
        assert glyphs["test accuracy"] in drawn and glyphs["epoch mean"] in drawn, drawn


@pytest.mark.parametrize("theme", ["textual-dark", "catppuccin-latte"])
async def test_each_key_of_the_legend_is_in_the_colour_its_line_is_drawn_in(theme):
    async with shown(_run(258), size=(80, 20), theme=theme) as plot:
        drawn = plot.render()
        key = Content.from_markup(legend(SimpleNamespace(curve_stride=1), 80, plot.app.current_theme.dark))

        def colour(content: Content, glyph: str) -> int | None:
            style = style_at(content, glyph)
            return style.foreground.ansi if style is not None and style.foreground is not None else None

        # The epoch means have no colour of their own (None on both sides): the theme's text colour.
        for glyph in ("●", "◆"):
            assert colour(key, glyph) == colour(drawn, glyph), glyph
        braille = next(c for c in drawn.plain if 0x2801 <= ord(c) <= 0x28FF)  # a dot of the cost curve
        assert colour(key, "━") == colour(drawn, braille)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "catppuccin-latte", "solarized-light", "nord"])
async def test_every_line_and_its_key_stand_out_from_the_plot_in_light_themes_as_in_dark(theme):
    async with shown(_run(258), size=(80, 20), theme=theme) as plot:
        drawn = plot.render()
        key = Content.from_markup(legend(SimpleNamespace(curve_stride=1), 80, plot.app.current_theme.dark))
        braille = next(c for c in drawn.plain if 0x2801 <= ord(c) <= 0x28FF)  # a dot of the cost curve
        # The cost curve, the epoch means, the test accuracy measured and the dots between its measurements.
        for line, in_plot, in_key in [
            ("cost", braille, "━"),
            ("epoch mean", "●", "●"),
            ("accuracy", "◆", "◆"),
            ("between", "·", "·"),
        ]:
            for content, glyph in ((drawn, in_plot), (key, in_key)):
                colour = drawn_in(plot, content, glyph)
                assert stands_out(plot, colour), (theme, line, glyph, colour.hex)


@pytest.mark.parametrize("steps", [0, 1])
async def test_the_steps_axis_of_a_run_just_begun_has_whole_steps_from_0(steps):
    run = SimpleNamespace(
        cost_name="quadratic",
        curve_steps=tuple(float(s) for s in range(1, steps + 1)),
        curve_costs=(3.18,) * steps,
        curve_stride=1,
        epochs=(SimpleNamespace(step=0, test_accuracy=0.097, train_cost=None, weights_of=None),),
    )
    async with shown(run, size=(80, 14)) as plot:
        lines = str(plot.render()).splitlines()
        labels = lines[next(i for i, line in enumerate(lines) if "└" in line) + 1].split()
        assert labels and all(label.isdigit() for label in labels), labels  # no step −1, no step 0.5


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", ANSI_THEME])
@pytest.mark.parametrize("steps", [1, 2, 30, 258, 5000])
async def test_the_plot_is_drawn_as_textual_plotext_would_draw_it(steps, theme):
    """Read from plotext's cells, not from the text it prints: the same characters in the same styles."""
    async with shown(_run(steps), theme=theme) as plot:
        drawn, expected = plot.render(), through_the_terminal_codes(plot)
        assert drawn.plain == expected.plain
        assert drawn.spans == expected.spans
        lines = [Visual.to_strips(plot, content, 80, 16, plot.visual_style) for content in (drawn, expected)]
        assert [list(line) for line in lines[0]] == [list(line) for line in lines[1]]


@pytest.mark.parametrize("level", [2.05, 2.25, 2.45, 2.65, 2.85])
async def test_an_epoch_mean_on_the_curve_is_drawn_in_the_curves_own_row(level):
    """A text mark and a braille dot of one value land on one cell: plotext maps them to rows differently."""
    app = _PlotApp()
    async with app.run_test(size=(80, 20)) as pilot:
        plot = app.query_one(CostPlot)
        steps = [float(s) for s in range(0, 300, 3)]
        run = SimpleNamespace(
            cost_name="cross-entropy",
            curve_steps=tuple(steps),
            curve_costs=tuple(3.0 if s == 0 else level for s in steps),  # level from the second point on
            curve_stride=1,
            epochs=(SimpleNamespace(step=150, test_accuracy=0.5, train_cost=level, weights_of=None),),
        )
        plot.show(run)
        await pilot.pause()
        rows = str(plot.render()).splitlines()
        (row,) = [r for r, line in enumerate(rows) if "●" in line]
        column = rows[row].index("●")
        assert "\u2800" < rows[row][column - 1] <= "\u28ff" and "\u2800" < rows[row][column + 1] <= "\u28ff", "\n".join(rows)


async def test_the_plot_is_in_the_colours_of_the_theme_shown_however_fast_themes_change(monkeypatch):
    """textual-plotext registers plotext's theme for an app theme once, when told the theme changed, from
    the colours the app has by then: themes changed faster than that left one theme's name with another's
    colours, for every plot of the process after."""
    # As in a process that never showed nord; and as it was after, not with the colours the test leaves it.
    monkeypatch.setitem(plotext_themes, "textual-auto-nord", None)
    monkeypatch.delitem(plotext_themes, "textual-auto-nord")
    app = _PlotApp()
    async with app.run_test(size=(80, 16)) as pilot:
        plot = app.query_one(CostPlot)
        plot.show(_run(30))
        app.theme = "nord"
        app.theme = "textual-dark"  # before the app has told anyone of nord
        await pilot.pause()
        app.theme = "nord"
        await pilot.pause()
        style = style_at(plot.render(), "┌")
        assert style is not None and style.foreground is not None
        assert style.foreground.rgb == Color.parse(app.theme_variables["foreground"]).rgb


@pytest.mark.parametrize(
    "theme", [name for name in ("ansi-dark", "ansi-light", "textual-ansi") if name in App().available_themes]
)
async def test_in_a_theme_of_the_terminals_own_colours_the_plot_is_in_them_too(theme):
    """Textual's ANSI themes leave the surface transparent and the text the terminal's own colour: the plot
    then draws on the terminal's background in its text colour, not black on black."""
    async with shown(_run(30), theme=theme) as plot:
        style = style_at(plot.render(), "┌")
        assert style is None or (style.foreground is None and style.background is None), style


async def test_the_accuracy_line_does_not_join_weights_put_back_to_the_weights_they_replaced():
    """After u, the put-back weights' accuracy (86%, at step 3,000) was joined to step 0's 9.7% by a line across
    the steps that had broken the network: a climb that never happened. Their ◆ stands alone."""
    steps = 3000
    curve = [float(s) for s in range(0, steps, 7)]
    epochs = (
        SimpleNamespace(step=0, test_accuracy=0.097, train_cost=None, weights_of=None),
        SimpleNamespace(step=steps, test_accuracy=0.861, train_cost=None, weights_of=1176),
    )
    run = SimpleNamespace(
        cost_name="quadratic", curve_steps=tuple(curve), curve_costs=tuple(1.0 for _ in curve), curve_stride=1, epochs=epochs
    )
    async with shown(run, size=(80, 20)) as plot:
        drawn = "".join(str(plot.render()).splitlines()[1:-3])
        assert drawn.count("◆") == 2 and "·" not in drawn, drawn
