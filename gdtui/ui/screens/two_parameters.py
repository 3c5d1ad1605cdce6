"""Step 5: the cost as a landscape over two parameters, its gradient, and stepping downhill."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from gdtui.core import functions, slices
from gdtui.core.functions import Descent, Step, Surface
from gdtui.core.words import done
from gdtui.ui.screens.descent import DESCENT_BINDINGS, START, DescentScreen, number
from gdtui.ui.widgets.height_map import ARROW_MODES, BALL, MARKS, HeightMap, arrow

GRID = 24
"""The network's cost is computed at GRID × GRID points and read between them."""


def pair(a: float, b: float) -> str:
    return f"({number(a)}, {number(b)})"


class TwoParametersScreen(DescentScreen):
    TITLE_TEXT = "Two parameters"
    TEXTBOOK = functions.SURFACES
    PARAMETERS = 2
    function: Surface | slices.NetworkSurface | None
    START_MOVES = 24
    PICTURE = "map"
    SIDES = (("to the left", "to the right"), ("downward", "upward"))
    HELP = f"""\
A cost that depends on **two numbers** (x, y) is a landscape: seen from
above, low ground is dark and high ground light, in eight bands of equal area
like the rings of a contour map (`.` to `#` without colours).

At every point the **gradient** ∇f = (∂f/∂x, ∂f/∂y), the slopes along x and
along y, points the way **uphill** that is steepest: the orange arrow from the
ball (the plain one without colours); its negative, −∇f, points steepest
**downhill**: the bold arrow the other way. A step goes downhill:

    new (x, y) = (x, y) − η · ∇f

`g` draws the gradient's direction all over the map: uphill arrows, then
downhill ones. Follow the downhill arrows and you see which valley each start
drains into: move the start with the arrow keys, and the ball ends in a
different valley. Marks show the exact flat points of the textbook surfaces:
○ valley bottoms, × saddles (a valley one way, a hill the other), △ a peak.

On the bowl, a large η makes the ball zig-zag across the narrow direction;
larger still and it blows up. The last landscape is **the network's own cost**
over two of its parameters, computed at {GRID} × {GRID} points on {slices.SAMPLE_SIZE} training images
(`p` another pair of steep parameters, `i` any two by number)."""

    BINDINGS = [
        *DESCENT_BINDINGS,
        Binding("g", "arrows", "Arrows"),
        Binding("left", "move(-1, 0)", "Start left", group=START),
        Binding("right", "move(1, 0)", "Start right", group=START),
        Binding("up", "move(0, 1)", "Start up", group=START),
        Binding("down", "move(0, -1)", "Start down", group=START),
    ]

    DEFAULT_CSS = """
    TwoParametersScreen #function { height: auto; padding: 0 1; }
    TwoParametersScreen #landscape { height: 1fr; }
    TwoParametersScreen #numbers { width: 1fr; padding: 0 1; }
    TwoParametersScreen #verdict { height: auto; padding: 0 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield Static(id="function")
        with Horizontal(id="landscape"):
            yield HeightMap(id="map")
            yield Static(id="numbers")
        yield Static(id="verdict")

    def extent(self) -> tuple[tuple[float, float], ...]:
        if self.function is None:
            return ((0.0, 1.0), (0.0, 1.0))
        return self.function.extent

    def pairs(self) -> list[list[int]]:
        """Pairs among the four steepest parameters: six landscapes worth a look."""
        return [list(p) for p in combinations(self.steepest[:4], 2)]

    def default_indices(self, steepest: list[int]) -> list[int]:
        return steepest[:2]

    def next_indices(self) -> list[int]:
        pairs = self.pairs()
        position = pairs.index(self.network_indices) if self.network_indices in pairs else -1
        return pairs[(position + 1) % len(pairs)]

    def sweep_points(self, piece: slices.NetworkSlice) -> np.ndarray:
        xs, ys = (slices.sweep_values(centre, GRID) for centre in piece.origin)
        return slices.grid_points(xs, ys)

    def network_function(self, piece: slices.NetworkSlice, points: np.ndarray, values: np.ndarray) -> slices.NetworkSurface:
        xs, ys = points[:GRID, 0], points[::GRID, 1]
        return slices.NetworkSurface(piece, xs, ys, values.reshape(GRID, GRID))

    def action_arrows(self) -> None:
        view = self.query_one(HeightMap)
        view.arrows = ARROW_MODES[(ARROW_MODES.index(view.arrows) + 1) % len(ARROW_MODES)]
        self.redraw()

    def where(self, point: Sequence[float] | np.ndarray) -> str:
        return f"(x, y) = {pair(*point)}"

    def redraw(self) -> None:
        self._draw_title()
        view = self.query_one(HeightMap)
        numbers = self.query_one("#numbers", Static)
        verdict = self.query_one("#verdict", Static)
        function, descent = self.function, self.descent
        if function is None or descent is None:
            view.show(None)
            numbers.update(f"Computing the network's cost at {GRID} × {GRID} points… {done(self.progress)}")
            verdict.update("")
            return
        marks = [(p.point, p.kind) for p in function.stationary_points] if isinstance(function, Surface) else []
        view.show(function, path=descent.path[-400:], gradient=descent.gradient, marks=marks)
        text = Content.from_markup(self._numbers(descent, view.arrows))
        # The map gives up columns to the longest line beside it: a wrapped line would read as two.
        view.room = max(map(cell_len, text.plain.splitlines())) + numbers.styles.gutter.width
        numbers.update(text)
        verdict.update(self.verdict())

    def _draw_title(self) -> None:
        title = self.query_one("#function", Static)
        function = self.function
        if isinstance(function, Surface):
            title.update(f"[b]{function.name}[/b]: {function.formula}   [dim]f: next[/dim]")
        else:
            # Other steps average the same network's cost over other images: the figure says which, on the title's
            # line, which has the columns, and not beside the map, whose rows the guide leaves too few.
            title.update(
                f"[b]the network[/b]: its cost over {slices.SAMPLE_SIZE} training images   [dim]p: next pair · i: by number[/dim]"
            )

    def _numbers(self, descent: Descent, arrows: str) -> str:
        (gx, gy) = descent.gradient
        f = "C" if self.on_network else "f"  # the network's cost is C, a textbook function f
        lines = []
        if isinstance(self.function, slices.NetworkSurface):
            for name, k in zip("xy", self.function.slice.indices):
                lines.append(f"{name} = #{k:,}: {self.describe(k)}")
        lines += [
            f"at {self.where(descent.point)}",
            f"cost {f}(x, y) = [b]{number(descent.cost)}[/b]",
            f"gradient ∇{f} = (∂{f}/∂x, ∂{f}/∂y)",
            f"           = [b]{pair(gx, gy)}[/b]",
        ]
        if gx or gy:
            lines.append(f"[b #ff8700]{arrow(gx, gy)}[/b #ff8700] uphill ∇{f}   [b]{arrow(-gx, -gy)}[/b] downhill −∇{f}")
        else:
            lines.append("flat: no way is downhill")
        ball = self.query_one(HeightMap).ball_glyph()
        where = f"{BALL} the ball, • its path" if ball == BALL else f"{ball} the ball (off the map)"
        lines.append(f"η = [b]{descent.learning_rate:g}[/b]   {where}")
        step: Step | None = descent.last
        # As few lines as the picture beside them: at 80×24 under the lesson's guide the map has about twelve.
        # A step's sum on lines of their own, as two pairs and η on one line outgrow the column beside the map:
        # for the rows this takes, no blank lines between the parts.
        if step is None:
            lines.append(f"[dim]no steps yet; a step is\n  new (x, y) = (x, y) − η × ∇{f}[/dim]")
        else:
            lines += [
                f"{self.step_heading(step, '(x, y)')} (x, y) − η × ∇{f}",
                f"  = {pair(*step.before)}",
                f"    − {step.learning_rate:g} × {pair(*step.gradient)}",
                f"  = [b]{pair(*step.after)}[/b]",
            ]
        if isinstance(self.function, Surface):
            kinds = sorted({p.kind for p in self.function.stationary_points}, key=list(MARKS).index)
            # The first on the heading's line, the others below it: all on one line outgrow the column.
            marks = [f"{MARKS[kind]} {kind}" for kind in kinds]
            if marks:
                lines.append(f"[dim]∇f = 0, solved exactly:[/dim] {marks[0]}")
            if marks[1:]:
                lines.append(f"  {'  '.join(marks[1:])}")
        if arrows != "off":
            which = f"∇{f}, uphill" if arrows == "uphill" else f"−∇{f}, downhill"
            lines.append(f"[dim]map arrows: {which}; · flat[/dim]")
        return "\n".join(lines)

    def verdict(self) -> str:
        text = super().verdict()
        if self.on_network and self.descent is not None and self.descent.last is None:
            total = self.state.network.num_params
            text += (
                f" The other {total - 2:,} parameters stay put; the map is read between {GRID} × {GRID} "
                "computed points, the numbers at the ball are exact."
            )
        return text
