"""The live cost curve of a training run, with test accuracy after each epoch."""

from __future__ import annotations

import numpy as np
from textual_plotext import PlotextPlot

from gdtui.core.run import RunSnapshot

# Explicit colours: plotext's do not follow the app's theme.
COST_COLOR = "cyan"
EPOCH_COLOR = "white"
ACCURACY_COLOR = "orange"


def thin(x: list[float], y: list[float], points: int) -> tuple[list[float], list[float]]:
    """At most `points` evenly spread points: building a plot costs time per point."""
    if len(x) <= points:
        return x, y
    keep = np.linspace(0, len(x) - 1, points).astype(int)
    return [x[i] for i in keep], [y[i] for i in keep]


def legend(run: RunSnapshot) -> str:
    """What each line of the plot is: written beside it, where plotext's own legend would cover the curves."""
    averaged = f", averaged over {run.curve_stride:,} steps a point" if run.curve_stride > 1 else ""
    return (
        f"[{COST_COLOR}]━[/] cost of each mini-batch{averaged}   [{EPOCH_COLOR}]●[/] an epoch's average   "
        f"[{ACCURACY_COLOR}]━[/] test accuracy %, right axis"
    )


class CostPlot(PlotextPlot):
    DEFAULT_CSS = """
    CostPlot { height: 1fr; min-height: 8; }
    """

    def show(self, run: RunSnapshot) -> None:
        plt = self.plt
        plt.clear_data()
        plt.xlabel("steps")
        plt.ylabel(f"{run.cost_name} cost")
        points = 2 * max(self.size.width, 40)
        steps, costs = thin(list(run.curve_steps), list(run.curve_costs), points)
        if steps:
            plt.plot(steps, costs, color=COST_COLOR, marker="braille")
        if run.epochs:
            # Accuracy on its true scale: an axis fitted to one point can run past 100 %.
            plt.ylim(0, 100, yside="right")
            ends = [record.step for record in run.epochs]
            # Thinned too: on a small training set a run soon has thousands of epochs.
            shown, accuracies = thin(ends, [100 * r.test_accuracy for r in run.epochs], points)
            averaged = [(r.step, r.train_cost) for r in run.epochs if r.train_cost is not None]
            if averaged:
                at, averages = thin([a for a, _ in averaged], [c for _, c in averaged], points)
                plt.scatter(at, averages, color=EPOCH_COLOR, marker="●")
            plt.plot(shown, accuracies, color=ACCURACY_COLOR, marker="braille", yside="right")
        self.refresh()
