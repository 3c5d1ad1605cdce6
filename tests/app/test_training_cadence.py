"""A running Training screen draws what the eye needs: its numbers often, its plot and images less.

Every frame is sent down the learner's terminal, over SSH in a lab: the plot and
the images are most of its bytes, and the digits of a mini-batch new every step
are noise at any rate above one a second.
"""

from __future__ import annotations

import time
from collections import Counter

from gdtui.ui.cadence import IMAGES_HZ, PLOT_HZ, REDRAW_HZ
from gdtui.ui.screens.training import TrainingScreen
from gdtui.ui.widgets.cost_plot import CostPlot
from gdtui.ui.widgets.thumbnails import Thumbnails
from tests.helpers import full_speed, settle, wait_for

RUN_S = 2.0


async def test_a_run_draws_numbers_at_redraw_hz_the_plot_and_images_less_and_all_when_it_stops(screen_on, monkeypatch):
    drawn: Counter[str] = Counter()
    plotted = []
    draw_stats, show_plot, show_thumbs = TrainingScreen._draw_stats, CostPlot.show, Thumbnails.show

    def stats(self, run, shot):
        drawn["stats"] += 1
        draw_stats(self, run, shot)

    def plot(self, shot):
        drawn["plot"] += 1
        plotted.append(shot)
        show_plot(self, shot)

    def thumbs(self, items):
        drawn[self.id] += 1
        show_thumbs(self, items)

    monkeypatch.setattr(TrainingScreen, "_draw_stats", stats)
    monkeypatch.setattr(CostPlot, "show", plot)
    monkeypatch.setattr(Thumbnails, "show", thumbs)
    async with screen_on("6") as (pilot, screen):
        await pilot.press("n")  # a first step, so the plot is shown from the start
        await settle(pilot)
        await full_speed(pilot, screen)
        drawn.clear()
        started = time.monotonic()
        await pilot.press("space")
        await wait_for(pilot, lambda: time.monotonic() - started > RUN_S, f"{RUN_S} s of a run")
        during = Counter(drawn)
        elapsed = time.monotonic() - started
        await pilot.press("space")
        await settle(pilot)

    # One frame more than the rate allows: the first is drawn at once.
    assert 1 <= during["stats"] <= REDRAW_HZ * elapsed + 1
    assert 1 <= during["plot"] <= PLOT_HZ * elapsed + 1
    assert 1 <= during["batch"] <= IMAGES_HZ * elapsed + 1
    assert during["plot"] < during["stats"]
    # Paused, it shows the run as it stopped, plot and all.
    assert plotted[-1].steps == screen.training.run.trainer.steps == screen.training.shown.steps
