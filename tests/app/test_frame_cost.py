"""What a key costs to draw: a step on Training sends the lines that changed, not the whole screen again.

A full frame is every line of the terminal, styles and all (about 8.6 KB at 80×24 on Training, against
3.6 KB for the lines a step changes): each such frame is CPU for the app, and for a lab server that
encrypts it, and bandwidth for every student's link.
"""

from __future__ import annotations

from collections import Counter

import pytest
from textual._compositor import LayoutUpdate

from gdtui.ui.screens.training import TrainingScreen
from gdtui.ui.widgets.cost_plot import CostPlot
from gdtui.ui.widgets.key_bar import KeyBar
from gdtui.ui.widgets.thumbnails import Thumbnails
from tests.helpers import settle

# Each frame drawn, as on a terminal: what a frame costs, or what breaks in drawing one, is the point.
pytestmark = pytest.mark.frames


def record_full_frames(monkeypatch, app) -> list[str]:
    """The kind of every full-screen frame the app sends from now on."""
    full: list[str] = []
    display = type(app)._display

    def recorded(self, screen, renderable):
        if isinstance(renderable, LayoutUpdate) and screen is self.screen:
            full.append(type(renderable).__name__)
        return display(self, screen, renderable)

    monkeypatch.setattr(type(app), "_display", recorded)
    return full


async def test_a_step_redraws_what_it_changed_not_the_whole_screen(screen_on, monkeypatch):
    async with screen_on("6") as (pilot, screen):
        for _ in range(2):  # the first step puts the plot where the opening words were: a new layout
            await pilot.press("n")
            await settle(pilot)
        full = record_full_frames(monkeypatch, pilot.app)
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
            await pilot.pause(0.05)
        assert screen.training.run.trainer.steps == 5
        assert full == []


def count_calls(monkeypatch, **methods) -> Counter:
    """How many times each of these methods (name=(class, attribute)) runs from now on."""
    counted: Counter = Counter()
    for name, (owner, attribute) in methods.items():
        original = getattr(owner, attribute)

        def counting(*args, _original=original, _name=name, **kwargs):
            counted[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, counting)
    return counted


async def test_a_step_is_drawn_once_and_leaves_the_keys_as_they_were(screen_on, monkeypatch):
    """One step: one redraw of the screen, one of the plot, and none of the key bar, whose keys did not change."""
    async with screen_on("6") as (pilot, screen):
        for _ in range(2):
            await pilot.press("n")
            await settle(pilot)
        counted = count_calls(
            monkeypatch,
            redraw=(TrainingScreen, "redraw"),
            plot=(CostPlot, "render"),
            keys=(KeyBar, "render"),
        )
        await pilot.press("n")
        await settle(pilot)
        await pilot.pause(0.05)
        assert screen.training.run.trainer.steps == 3
        assert counted == Counter(redraw=1, plot=1)


async def test_a_redraw_that_changes_nothing_leaves_the_plot_and_the_images_as_drawn(screen_on, monkeypatch):
    """The screen redraws for reasons of its own (the network changed on another step, a prompt closed): the
    curves and the mini-batch are the ones drawn, and neither is drawn again."""
    async with screen_on("6") as (pilot, screen):
        for _ in range(2):
            await pilot.press("n")
            await settle(pilot)
        counted = count_calls(monkeypatch, plot=(CostPlot, "render"), images=(Thumbnails, "draw"))
        screen.redraw()
        await pilot.pause(0.05)
        assert counted == Counter()
        await pilot.press("n")
        await settle(pilot)
        await pilot.pause(0.05)
        assert counted == Counter(plot=1, images=1)
