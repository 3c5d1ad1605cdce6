"""The live cost curve of a training run, with test accuracy after each epoch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gdtui.core.run import RunSnapshot
from gdtui.ui.plot_cells import Cells
from gdtui.ui.ticks import axis
from gdtui.ui.widgets.cell_plot import CellPlot, words_colour

# Explicit colours: plotext's do not follow the app's theme. The epoch means are in the theme's own text
# colour ("default": no colour of their own), which shows on its background, light or dark; white did not.
COST_COLOR = "cyan"
EPOCH_COLOR = "default"
# Test accuracy in one of the terminal's sixteen too, as a theme shows them: orange on a dark surface. On a
# light one Textual's orange (#CB9000) stood out 2 to 2.7:1 from it, below WCAG's 3:1 for a graph's parts;
# its magenta stands out 4.9:1 or more (on every light theme Textual offers), and is no other line's.
ACCURACY_ON_DARK = "orange"
ACCURACY_ON_LIGHT = "magenta"
# Each line its own glyph too: without colour (NO_COLOR, 16 colours) a legend told apart by colour alone lies.
ACCURACY_GLYPH = "·"
MEASURED_GLYPH = "◆"  # where the accuracy was measured: the dots between are only drawn


def thin(x: Sequence[float], y: Sequence[float], points: int) -> tuple[list[float], list[float]]:
    """At most `points` evenly spread points: building a plot costs time per point."""
    if len(x) <= points:
        return list(x), list(y)
    keep = np.linspace(0, len(x) - 1, points).astype(int)
    return [x[i] for i in keep], [y[i] for i in keep]


def accuracy_colour(dark: bool) -> str:
    """The test accuracy's colour on a theme's surface, dark or light."""
    return ACCURACY_ON_DARK if dark else ACCURACY_ON_LIGHT


def legend(run: RunSnapshot, width: int, dark: bool) -> str:
    """What each line of the plot is: written beside it, where plotext's own legend would cover the curves.

    One line of `width` columns: the fullest words that fit it, as a long run's curve points are means of
    more and more steps. In the colours a plot draws its lines in on a theme as dark as `dark`.
    """
    averaged = f" (mean of {run.curve_stride:,})" if run.curve_stride > 1 else ""
    accuracy_key = f"{MEASURED_GLYPH}{ACCURACY_GLYPH}"
    wordings = (
        (f"mini-batch cost{averaged}", "test accuracy % (right axis)", "  "),
        (f"mini-batch cost{averaged}", "test accuracy % (right axis)", " "),
        (f"cost{averaged}", "test accuracy % (right)", " "),
    )
    for cost, accuracy, gap in wordings:
        entries = ((COST_COLOR, "━", cost), (EPOCH_COLOR, "●", "epoch mean"), (accuracy_colour(dark), accuracy_key, accuracy))
        if len(gap.join(f"{key} {words}" for _, key, words in entries)) <= width:
            break
    return gap.join(f"{_coloured(color, key)} {words}" for color, key, words in entries)


def _coloured(color: str, key: str) -> str:
    """A key of the legend in the colour its line is drawn in."""
    return key if color == "default" else f"[{words_colour(color)}]{key}[/]"


def _unbroken(steps: Sequence[int], put_back: Sequence[bool]) -> list[tuple[int, int]]:
    """The [start, end) spans of the measurements a line may join: a new one begins at weights put back."""
    starts = [0, *(at for at in range(1, len(steps)) if put_back[at])]
    return list(zip(starts, [*starts[1:], len(steps)]))


MIN_ROWS = 8  # fewer, and the frame and the axes leave no room for the curves


class CostPlot(CellPlot):
    DEFAULT_CSS = f"""
    CostPlot {{ height: 1fr; min-height: {MIN_ROWS}; }}
    """

    _shown: RunSnapshot | None = None
    _drawn: tuple | None = None  # what the plot was last drawn from

    def on_mount(self) -> None:
        # Told once the app's colours are the new theme's: a light one takes another colour for the accuracy.
        self.app.theme_changed_signal.subscribe(self, lambda _: self._show_again())

    def _show_again(self) -> None:
        if self._shown is not None:
            self.show(self._shown)

    def on_resize(self) -> None:
        # The ticks sit on rows and columns: a new size places them again.
        if self._shown is not None:
            self.show(self._shown)

    def show(self, run: RunSnapshot) -> None:
        self._shown = run
        # The screen redraws for other reasons (another view shown again, the network changed elsewhere):
        # the same curves at the same size are the same plot, which the terminal already shows.
        accuracy_color = accuracy_colour(self.app.current_theme.dark)
        drawn = (run.curve_steps, run.curve_costs, run.curve_stride, run.epochs, run.cost_name, self.size, accuracy_color)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        plt = self.plt
        plt.clear_data()
        plt.xlabel("steps")
        plt.ylabel(f"{run.cost_name} cost")
        points = 2 * max(self.size.width, 40)
        steps, costs = thin(list(run.curve_steps), list(run.curve_costs), points)
        if steps:
            plt.plot(steps, costs, color=COST_COLOR, marker="braille")
        # Four lines go to the frame, the step numbers and the axis names.
        rows = max(2, self.size.height - 4)
        right_width = 0
        if run.epochs:
            # Accuracy on its true scale: an axis fitted to one point can run past 100 %.
            accuracy = axis(0, 100, rows, gap=2, most=max(2, rows // 3))
            # textual-plotext's stubs call yside a float; plotext takes "left" or "right".
            plt.ylim(accuracy.low, accuracy.high, yside="right")  # type: ignore[arg-type]
            plt.yticks(list(accuracy.ticks), list(accuracy.labels), yside="right")  # type: ignore[arg-type]
            right_width = max(map(len, accuracy.labels))
        all_costs = costs + [r.train_cost for r in run.epochs if r.train_cost is not None]
        left_width = 0
        cost = None
        if all_costs:
            # A curve of one point, or a flat one, still gets an axis a tenth of its height tall: not one
            # whose ticks differ in the sixth digit.
            top = max(all_costs)
            cost = axis(min(*all_costs, 0.9 * top), top, rows, gap=2, most=max(2, rows // 3))
            plt.ylim(cost.low, cost.high)
            plt.yticks(list(cost.ticks), list(cost.labels))
            left_width = max(map(len, cost.labels))
        # Nothing placed yet (the run's first measurement is under way): still whole steps, 0 to 1.
        placed = [*steps, *(r.step for r in run.epochs)] or [0]
        columns = max(2, self.size.width - 2 - left_width - right_width)
        # Steps are whole, and a run just begun has taken none or one: ticks a step apart at least, 0 to 1 at least.
        along = axis(0, max(*placed, 1), columns, gap=2, most=max(2, columns // 10), labels_across=True, least_step=1)
        plt.xlim(along.low, along.high)
        plt.xticks(list(along.ticks), list(along.labels))
        if run.epochs:
            ends = [record.step for record in run.epochs]
            # Thinned too: on a small training set a run soon has thousands of epochs.
            shown, accuracies = thin(ends, [100 * r.test_accuracy for r in run.epochs], points)
            averaged = [(r.step, r.train_cost) for r in run.epochs if r.train_cost is not None]
            if averaged and cost is not None:
                at, averages = thin([a for a, _ in averaged], [c for _, c in averaged], points)
                # On the cells the cost curve's braille dots would take: a mean on the curve is drawn on it.
                cells = Cells(along.low, along.high, columns, cost.low, cost.high, rows)
                marks = [cells.centre(a, c) for a, c in zip(at, averages)]
                plt.scatter([a for a, _ in marks], [c for _, c in marks], color=EPOCH_COLOR, marker="●")
            # A line between measurements, but not into weights put back (u): between them and the measurement before
            # lie the steps that broke the network, and the line would draw a climb that never happened.
            for start, end in _unbroken(ends, [r.weights_of is not None for r in run.epochs]):
                part, percents = thin(ends[start:end], [100 * r.test_accuracy for r in run.epochs[start:end]], points)
                plt.plot(part, percents, color=accuracy_color, marker=ACCURACY_GLYPH, yside="right")
            # Measured only at these points: a line alone would look like steady growth between them.
            plt.scatter(shown, accuracies, color=accuracy_color, marker=MEASURED_GLYPH, yside="right")
        self.refresh()
