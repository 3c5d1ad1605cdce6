"""The live cost curve of a training run, with test accuracy after each epoch."""

from __future__ import annotations

import numpy as np
from textual_plotext import PlotextPlot

from gdtui.core.history import CostHistory, EpochRecord

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


class CostPlot(PlotextPlot):
    DEFAULT_CSS = """
    CostPlot { height: 1fr; min-height: 8; }
    """

    def show(self, history: CostHistory, epochs: list[EpochRecord], cost_name: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.xlabel("steps")
        plt.ylabel(f"{cost_name} cost")
        points = 2 * max(self.size.width, 40)
        steps, costs = thin(history.steps, history.costs, points)
        if steps:
            plt.plot(steps, costs, color=COST_COLOR, marker="braille", label="mini-batch cost")
        if epochs:
            # Accuracy on its true scale: an axis fitted to one point can run past 100 %.
            plt.ylim(0, 100, yside="right")
            ends = [record.step for record in epochs]
            # Thinned too: on a small training set a run soon has thousands of epochs.
            shown, averages = thin(ends, [r.train_cost for r in epochs], points)
            _, accuracies = thin(ends, [100 * r.test_accuracy for r in epochs], points)
            plt.scatter(shown, averages, color=EPOCH_COLOR, marker="●", label="epoch average")
            plt.plot(
                shown,
                accuracies,
                color=ACCURACY_COLOR,
                marker="braille",
                yside="right",
                label="test accuracy %",
            )
        self.refresh()
