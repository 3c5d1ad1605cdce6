"""Step 4: the cost as a curve over one parameter, its slope, and stepping downhill."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual_plotext import PlotextPlot

from gdtui.core import functions, slices
from gdtui.core.functions import Curve, Descent, Step, Surface
from gdtui.core.words import done
from gdtui.ui.plot_cells import Cells
from gdtui.ui.screens.descent import DESCENT_BINDINGS, START, DescentScreen, change, number
from gdtui.ui.ticks import axis
from gdtui.ui.widgets.cell_plot import CellPlot, plotext_colour


@dataclass(frozen=True)
class Colours:
    """What the plot draws in on a theme's background: each at least WCAG's 3:1 against it."""

    curve: tuple[int, int, int]
    tangent: tuple[int, int, int]
    ball: tuple[int, int, int]
    flat: tuple[int, int, int]


# No one colour reads on both a dark surface and a light one: the light themes' are deeper.
ON_DARK = Colours(curve=(90, 160, 255), tangent=(255, 135, 0), ball=(255, 80, 130), flat=(0, 215, 95))
ON_LIGHT = Colours(curve=(0, 80, 200), tangent=(180, 70, 0), ball=(200, 0, 70), flat=(0, 130, 50))
# The steps taken in the theme's own text colour ("default": none of their own), which reads on its
# background, light or dark: a light grey all but vanished on a light theme's.
PATH_COLOR = "default"
# Each thing drawn has its own glyph as well as its colour: without colours (NO_COLOR, 16 colours) a
# legend told apart by colour alone would lie.
CURVE_GLYPH, STEP_GLYPH, TANGENT_GLYPH, BALL_GLYPH, FLAT_GLYPH = "⠒", "•", "+", "●", "◆"
TANGENT_REACH_ROWS = 1.5  # how far from the curve, in rows, the tangent may stray before it stops


KIND_LABELS = {"minimum": "min", "maximum": "max", "plateau": "plateau", "saddle": "saddle"}


SWEEP = 121


class CurvePlot(CellPlot):
    """The plot of the curve. Its ticks sit on its rows, so a new height needs them placed again."""

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        self.post_message(self.Resized())


def signed(value: float) -> str:
    """A number as it reads after a × sign: negative ones in brackets."""
    return f"({number(value)})" if value < 0 else number(value)


class OneParameterScreen(DescentScreen):
    TITLE_TEXT = "One parameter"
    TEXTBOOK = functions.CURVES
    PARAMETERS = 1
    function: Curve | slices.NetworkCurve | None
    HELP = f"""\
A cost that depends on **one number** x is a curve. Its **slope** at x (the
derivative, f′(x)) says which way is uphill and how steeply: the tangent line,
orange, drawn in + signs, which show without colours too. To go downhill, step
against the slope:

    new x = x − η · slope

η, the **learning rate**, sets the step's length. Steeper slope, bigger step;
near the bottom of a valley the slope flattens and the steps shrink by
themselves. Too large an η jumps past the bottom, lands higher up each time,
and blows up; too small crawls.

For simple functions we can solve *slope = 0* mathematically: the ◆ marks,
green (plain without colours), are the exact flat points. Not all of them are
valleys: a maximum and a **plateau** are flat too, and the ball gets stuck on the plateau. Which valley
the ball ends in depends on where it starts. The curve of {functions.VALLEYS.name} is
{functions.VALLEYS.construction}.

The last function is **the network's own cost**, averaged over {slices.SAMPLE_SIZE} training
images, as one of its weights or biases moves and all the others stay put.
`p` picks the next of a few steep parameters (the steepest weight and bias of
each layer), `i` any parameter by its number. With thousands of parameters there is
no solving *slope = 0* for all of them at once; backpropagation gives the slope
where we stand, and that is all a step needs.

Some parameters matter more than others. On the network the cost axis is
shared by every parameter you look at, so one that barely moves the cost looks
flat beside a steep one; `s` fits the axis to the curve on screen instead, and
back. The span of the cost is written under the plot."""

    BINDINGS = [
        *DESCENT_BINDINGS,
        Binding("s", "scale", "Cost axis"),
        Binding("left", "move(-1)", "Start left", group=START),
        Binding("right", "move(1)", "Start right", group=START),
    ]

    DEFAULT_CSS = """
    OneParameterScreen #function { height: auto; padding: 0 1; }
    OneParameterScreen #plot { height: 1fr; min-height: 8; }
    OneParameterScreen #numbers { height: auto; padding: 0 1; }
    OneParameterScreen #verdict { height: auto; padding: 0 1; }
    OneParameterScreen #solved, OneParameterScreen #solving { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shared_scale = True
        """The network's curves on one cost axis, so a parameter that matters little looks flat."""
        self._seen: tuple[int | None, float, float] | None = None
        """The lowest and highest cost of the network's curves shown, and the network's version."""
        self.tangent_span = (0.0, 0.0)
        """Where the tangent drawn last starts and ends, along x."""
        self.cost_span = (0.0, 1.0)
        """The costs the plot showed last, bottom to top."""

    def on_mount(self) -> None:
        # Told once the app's colours are the new theme's.
        self.app.theme_changed_signal.subscribe(self, lambda _: self._draw_plot())

    def compose_body(self) -> ComposeResult:
        yield Static(id="function")
        yield CurvePlot(id="plot")
        yield Static(id="numbers")
        yield Static(id="verdict")
        yield Static(id="solved", classes="aside")
        yield Static(id="solving", classes="aside")

    def use_function(self, function: Curve | Surface | slices.NetworkCurve | slices.NetworkSurface, learning_rate: float) -> None:
        if isinstance(function, slices.NetworkCurve):
            low, high = float(np.min(function.values)), float(np.max(function.values))
            if self._seen is not None and self._seen[0] == self.computed_version:
                low, high = min(low, self._seen[1]), max(high, self._seen[2])
            self._seen = (self.computed_version, low, high)
        super().use_function(function, learning_rate)

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "scale":
            return self.on_network
        return super().allows(action, parameters)

    def action_scale(self) -> None:
        self.shared_scale = not self.shared_scale
        self.redraw()

    def cost_range(self, ys: np.ndarray) -> tuple[float, float]:
        """The costs the y axis shows: this curve's, or every network curve's seen so far."""
        if self.on_network and self.shared_scale and self._seen is not None:
            return self._seen[1], self._seen[2]
        bottom, top = float(ys.min()), float(ys.max())
        # A cost that hardly changes is drawn flat, not blown up until rounding noise fills the plot.
        least = 1e-3 * max(1.0, abs(top))
        if top - bottom < least:
            middle = (top + bottom) / 2
            bottom, top = middle - least / 2, middle + least / 2
        return bottom, top

    def extent(self) -> tuple[tuple[float, float], ...]:
        if self.function is None:
            return ((0.0, 1.0),)
        return (self.function.domain,)

    def default_indices(self, steepest: list[int]) -> list[int]:
        return [steepest[0]]

    def next_indices(self) -> list[int]:
        current = self.network_indices[0] if self.network_indices else None
        position = self.steepest.index(current) if current in self.steepest else -1
        return [self.steepest[(position + 1) % len(self.steepest)]]

    def sweep_points(self, piece: slices.NetworkSlice) -> np.ndarray:
        return slices.sweep_values(piece.origin[0], SWEEP)[:, None]

    def network_function(self, piece: slices.NetworkSlice, points: np.ndarray, values: np.ndarray) -> slices.NetworkCurve:
        return slices.NetworkCurve(piece, points[:, 0], values)

    # Notation: x and f(x) for textbook curves, w or b and C for the network

    @property
    def symbol(self) -> str:
        if isinstance(self.function, slices.NetworkCurve):
            return "w" if self.function.parameter.kind == "weight" else "b"
        return "x"

    @property
    def cost_symbol(self) -> str:
        return f"C({self.symbol})" if self.on_network else "f(x)"

    @property
    def slope_symbol(self) -> str:
        return f"∂C/∂{self.symbol}" if self.on_network else "f′(x)"

    def where(self, point: Sequence[float] | np.ndarray) -> str:
        return f"{self.symbol} = {number(point[0])}"

    def redraw(self) -> None:
        self._draw_title()
        self._draw_plot()
        names = ("numbers", "verdict", "solved", "solving")
        numbers, verdict, solved, solving = (self.query_one(f"#{name}", Static) for name in names)
        if self.function is None or self.descent is None:
            numbers.update(f"Computing the network's cost at {SWEEP} values of the parameter… {done(self.progress)}")
            for static in (verdict, solved, solving):
                static.update("")
            return
        numbers.update(self._numbers(self.descent))
        verdict.update(self.verdict())
        solved.update(self._solved())
        solving.update(self._solving())

    def on_curve_plot_resized(self) -> None:
        self._draw_title()  # its key hint only where it fits the new width
        self._draw_plot()

    def _draw_title(self) -> None:
        title = self.query_one("#function", Static)
        function = self.function
        if isinstance(function, Curve):
            title.update(f"[b]{function.name}[/b]: {function.formula}   [dim]f: next[/dim]")
        elif function is None:
            title.update("[b]the network[/b]: its cost along one parameter   [dim]f: next[/dim]")
        else:
            k = function.slice.indices[0]
            text = Content.from_markup(f"[b]the network[/b], #{k:,}: {self.describe(k)}")
            hint = Content.from_markup("   [dim]p: next · i: by number[/dim]")
            # The key bar names both keys too: where the hint would wrap, the parameter's name keeps the line.
            title.update(text + hint if text.cell_length + hint.cell_length <= title.content_region.width else text)

    def _numbers(self, descent: Descent) -> str:
        s = self.symbol
        cost = f"{self.cost_symbol} = {number(descent.cost)}"
        slope = f"slope {self.slope_symbol} = [b]{number(descent.gradient[0])}[/b]   η = [b]{descent.learning_rate:g}[/b]"
        if self.on_network:
            # Other steps average the same network's cost over other images: the figure says which. At 80
            # columns that takes a line of its own.
            here = f"{s} = [b]{number(descent.point[0])}[/b]   {cost} over {slices.SAMPLE_SIZE} training images\n{slope}"
        else:
            here = f"{s} = [b]{number(descent.point[0])}[/b]   {cost}   {slope}"
        step: Step | None = descent.last
        if step is None:
            return f"{here}\n[dim]no steps yet: new {s} = {s} − η × slope[/dim]"
        return (
            f"{here}\n{self.step_heading(step, s)} {s} − η × slope = {number(step.before[0])} − "
            f"{step.learning_rate:g} × {signed(step.gradient[0])} = [b]{number(step.after[0])}[/b]"
        )

    def _solving(self) -> str:
        total = self.state.network.num_params
        if isinstance(self.function, slices.NetworkCurve):
            values = self.function.values
            spans = f"Along this one the cost spans {number(float(np.ptp(values)))}"
            if self.shared_scale and self._seen is not None:
                _, low, high = self._seen
                scale = (
                    # With digits enough to tell them apart: after training, "run from 0.136 to 0.136" said nothing.
                    f"{spans}; the costs of every parameter shown run {change(low, high)}, "
                    "and share one cost axis. [b]s[/b]: fit it to this curve."
                )
            else:
                scale = f"{spans}; the cost axis is fitted to it. [b]s[/b]: one axis for every parameter."
            # The figures above say which images the cost is over: a line of the plot's, not this one's.
            return (
                f"This one parameter moves and the other {total - 1:,} stay put. {scale} No formula to solve: "
                "backpropagation gives the slope where we stand."
            )
        return (
            f"The network's cost has {total:,} parameters: solving {total:,} tangled equations at once "
            "is hopeless, so we feel the slope where we stand and step."
        )

    def _solved(self) -> str:
        """The flat points of a textbook curve, solved for: the sentence the lesson's first descent is about."""
        if not isinstance(self.function, Curve):
            return ""
        flats = ", ".join(f"{p.point[0]:.4g} ({KIND_LABELS[p.kind]})" for p in self.function.stationary_points)
        return f"slope = 0, solved: x = {flats}."  # one line at 80 columns, the picture keeps the rest

    def _draw_plot(self) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        function, descent = self.function, self.descent
        if function is None or descent is None:
            plot.refresh()
            return
        low, high = function.domain
        xs = np.linspace(low, high, max(100, 2 * plot.size.width))
        ys = np.asarray(function.value(xs), dtype=float)
        bottom, top = self.cost_range(ys)
        # Four lines of the plot go to its frame, ticks and axis names. Of the rest, the curve leaves two
        # lines free above and below it; a small plot, as under the lesson's guide, none: a label goes on
        # the row next to its mark, inside the curve's own.
        lines = max(3, plot.size.height - 4)
        room = 2 if lines >= 10 else 0
        row = (top - bottom) / max(1, lines - 1 - 2 * room)
        y_axis = axis(bottom - room * row, top + room * row, lines, gap=2, most=max(2, lines // 3))
        # The y labels take columns from the plot: what is left is the x axis's.
        columns = max(2, plot.size.width - 2 - max(map(len, y_axis.labels)))
        x_axis = axis(low, high, columns, gap=2, most=max(2, columns // 10), labels_across=True)
        bottom, top, row = y_axis.low, y_axis.high, (y_axis.high - y_axis.low) / max(1, lines - 1)
        cells = Cells(x_axis.low, x_axis.high, columns, bottom, top, lines)
        plt.plot(xs.tolist(), ys.tolist(), marker="braille", color=self.colours.curve)
        # Behind a label, the plot's own background: drawn again in a new theme's (on_mount).
        canvas = plotext_colour(Color.parse(self.app.theme_variables["surface"]))
        ball = self._draw_path(plt, descent, cells)
        # Over the steps and the tangent, which cross a valley's bottom again and again; under the ball only.
        if isinstance(function, Curve):
            for flat in function.stationary_points:
                x, y = cells.centre(flat.point[0], flat.value)
                plt.scatter([x], [y], marker=FLAT_GLYPH, color=self.colours.flat)
                # Label each mark on its open side: inside a valley, under a hill or a step.
                label_y = y + (1 if flat.kind == functions.MINIMUM else -1) * row
                plt.text(KIND_LABELS[flat.kind], x, label_y, color=self.colours.flat, background=canvas, alignment="center")
        if ball is not None:
            plt.scatter([cells.x(ball[0])], [cells.y(ball[1])], marker=BALL_GLYPH, color=self.colours.ball)
        plt.xlim(x_axis.low, x_axis.high)
        plt.ylim(bottom, top)
        plt.yticks(list(y_axis.ticks), list(y_axis.labels))
        plt.xticks(list(x_axis.ticks), list(x_axis.labels))
        # The axes' names give their row to the key, which names the cost's axis too: at 80×24 the
        # plot has no row to spare, and the numbers below say what x (or w) is.
        plt.xlabel(self._key())
        plot.refresh()

    @property
    def colours(self) -> Colours:
        return ON_DARK if self.app.current_theme.dark else ON_LIGHT

    def _key(self) -> str:
        """What each thing drawn is, by its own glyph: true without colours too."""
        entries = [
            (CURVE_GLYPH, f"cost {self.cost_symbol}"),
            (STEP_GLYPH, "steps"),
            (TANGENT_GLYPH, f"tangent: slope {self.slope_symbol}"),
            (BALL_GLYPH, "ball"),
        ]
        if not self.on_network:
            entries.append((FLAT_GLYPH, "slope 0, solved"))
        return "  ".join(f"{glyph} {words}" for glyph, words in entries)

    def _draw_path(self, plt, descent: Descent, cells: Cells) -> tuple[int, int] | None:
        """The steps so far and the tangent at the ball; the ball's cell, if it is inside the plot, for it to be
        drawn last."""
        low, high, bottom, top = cells.low, cells.high, cells.bottom, cells.top
        recent = zip(descent.path[-200:], descent.costs[-200:])
        inside = [(float(p[0]), c) for p, c in recent if low <= p[0] <= high and bottom <= c <= top]
        if len(inside) > 1:
            plt.plot([x for x, _ in inside], [c for _, c in inside], marker="braille", color=PATH_COLOR)
            steps = [cells.centre(x, c) for x, c in inside[:-1]]
            plt.scatter([x for x, _ in steps], [c for _, c in steps], marker=STEP_GLYPH, color=PATH_COLOR)
        x, cost, slope = float(descent.point[0]), descent.cost, float(descent.gradient[0])
        if not (low <= x <= high and bottom <= cost <= top):
            # Say where the ball went, on the side it left by.
            where = f"ball at {self.where(descent.point)}"
            if x > high:
                label, at, alignment = f"{where} →", high, "right"
            elif x < low:
                label, at, alignment = f"← {where}", low, "left"
            else:
                label, at, alignment = f"↑ {where}", x, "center"
            plt.text(label, at, top, color=self.colours.ball, alignment=alignment)
            return None
        reach = (high - low) / 8
        left, right = max(low, x - reach), min(high, x + reach)
        if slope != 0:
            # Keep the tangent inside the plot: where does it cross the bottom and the top?
            crossings = sorted((x + (bottom - cost) / slope, x + (top - cost) / slope))
            left, right = max(left, crossings[0]), min(right, crossings[1])
        # Only as far as it stays beside the curve: on past a steep wall it would look like the curve flattening.
        near = TANGENT_REACH_ROWS * (top - bottom) / (cells.lines - 1)
        ts = np.linspace(left, right, 201)
        curve = self.function
        assert curve is not None  # a path is drawn only on a function's plot
        apart = np.abs(cost + slope * (ts - x) - np.asarray(curve.value(ts), dtype=np.float64)) > near
        strays_left, strays_right = np.flatnonzero(apart & (ts < x)), np.flatnonzero(apart & (ts > x))
        if strays_left.size:
            left = float(ts[strays_left[-1] + 1])
        if strays_right.size:
            right = float(ts[strays_right[0] - 1])
        self.tangent_span, self.cost_span = (left, right), (bottom, top)
        ball = cells.cell(x, cost)
        if left < right:
            marks = tangent_cells(cells, ball, slope, cells.cell(left, cost)[0], cells.cell(right, cost)[0])
            plt.scatter(
                [cells.x(c) for c, _ in marks], [cells.y(r) for _, r in marks], marker=TANGENT_GLYPH, color=self.colours.tangent
            )
        return ball


def tangent_cells(cells: Cells, ball: tuple[int, int], slope: float, first: int, last: int) -> list[tuple[int, int]]:
    """The cells of a line of the given slope through the ball's cell, from column first to column last.

    Drawn by plotext as a line, its ends would be rounded to cells and the cells between cut down to whole
    lines: off the ball by a line, and flatter or steeper than the slope. Each column here holds the lines
    the true line crosses within it, so a steep one stays unbroken.
    """
    lines_per_column = slope * (cells.x(1) - cells.x(0)) / (cells.y(1) - cells.y(0))
    column, line = ball
    marks = []
    for at in range(first, last + 1):
        ends = [line + lines_per_column * (at - column + side) for side in (-0.5, 0.5)]
        # Where a neighbour's line starts: half a line's rise either side, so no line is in two columns.
        lowest, highest = math.floor(min(ends) + 0.5), math.ceil(max(ends) - 0.5)
        marks += [(at, r) for r in range(max(0, lowest), min(cells.lines - 1, max(lowest, highest)) + 1)]
    return marks
