"""The gradient view alone, in as few rows as a screen may leave it: the ranking keeps its largest component, the
summary promises no row the table lacks, and a pick set aside for want of rows comes back with them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable

from gdtui.core import sensitivity
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.ui.state import LessonState
from gdtui.ui.widgets.gradient_view import GradientView
from tests.helpers import wait_for


class ViewAlone(App):
    def __init__(self, state: LessonState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield GradientView()


async def shown(pilot, state: LessonState) -> tuple[GradientView, DataTable]:
    view = pilot.app.query_one(GradientView)
    view.show(state, state.training.ensure())
    await wait_for(pilot, lambda: state.training.report is not None, "the gradient worked out")
    await pilot.pause()
    return view, view.query_one(DataTable)


@asynccontextmanager
async def third_row_picked(data_dir) -> AsyncIterator[tuple[Pilot, LessonState, GradientView, DataTable]]:
    """The view alone at 80×20, its gradient worked out, the third row of its ranking picked."""
    state = LessonState(load_dataset(data_dir), Network(seed=0))
    app = ViewAlone(state)
    async with app.run_test(size=(80, 20)) as pilot:
        view, table = await shown(pilot, state)
        view.pick(1)
        view.pick(1)
        assert view.picked() is not None and table.cursor_row == 2
        yield pilot, state, view, table


def ranks(table: DataTable) -> list[str]:
    return [table.get_row_at(row)[0] for row in range(table.row_count)]


async def test_a_pick_set_aside_while_the_ranking_has_one_row_comes_back_with_the_room(tiny_mnist_dir):
    async with third_row_picked(tiny_mnist_dir) as (pilot, _, view, table):
        picked = view.picked()
        # The summary's two lines, the table's header, one row, and how to nudge in two.
        await pilot.resize_terminal(80, 6)
        await wait_for(pilot, lambda: table.row_count == 1, "the ranking squeezed to one row")
        assert ranks(table) == ["1"], "the largest component, what the ranking is about"
        await pilot.resize_terminal(80, 20)
        await wait_for(pilot, lambda: table.row_count > 1, "the room back")
        assert view.picked() == picked, "the learner's pick, back"


@pytest.mark.parametrize("height", range(6, 12))
async def test_the_summary_promises_no_row_the_table_lacks(tiny_mnist_dir, height):
    """With a row or two for the ranking, which the learner's pick may take, the summary names a (·) row of the
    smallest only if the table shows one."""
    async with third_row_picked(tiny_mnist_dir) as (pilot, _, view, table):
        await pilot.resize_terminal(80, height)
        await wait_for(pilot, lambda: view.size.height == height, "the view resized")
        await pilot.pause()
        summary = str(view.query_one("#gradient-summary").render())
        assert "(·)" not in summary or "·" in ranks(table), (ranks(table), summary)


async def test_a_nudge_of_the_only_row_shown_makes_it_the_pick(tiny_mnist_dir):
    """The learner nudges the row they see highlighted: a pick set aside while the table was short does not come
    back over the parameter just nudged, whose result the view shows."""
    async with third_row_picked(tiny_mnist_dir) as (pilot, state, view, table):
        await pilot.resize_terminal(80, 6)
        await wait_for(pilot, lambda: table.row_count == 1, "the ranking squeezed to one row")
        nudged = view.picked()
        view.nudging()
        assert nudged == state.training.current_report().largest[0].index
        run = state.training.ensure()
        state.training.nudge(run, nudged, 0.1)
        view.show(state, run)
        await pilot.resize_terminal(80, 20)
        await wait_for(pilot, lambda: table.row_count > 1, "the room back")
        assert view.picked() == nudged, "the parameter nudged, still the pick"


async def test_a_picked_row_left_out_of_the_ranking_reads_as_a_sentence_and_a_zero_step_has_no_sign(tiny_mnist_dir):
    """The pick kept in the table (marked …) is told in a sentence of its own, whatever sentence the summary ends
    with; a component of exactly 0 steps by +0.00e+00, not -0.00e+00."""
    async with third_row_picked(tiny_mnist_dir) as (pilot, state, view, table):
        picked = view.picked()
        run = state.training.ensure()
        at, report = state.training.report
        flat = report.gradient.copy()
        flat[picked] = 0.0
        high, low = sensitivity.ranked(flat, top=8, bottom=3)
        state.training.report = (
            at,
            sensitivity.GradientReport(flat, report.cost, report.images, tuple(high), tuple(low), report.zeros),
        )
        told = set()
        for height in range(20, 5, -1):
            await pilot.resize_terminal(80, height)
            await wait_for(pilot, lambda rows=height: view.size.height == rows, "the view resized")
            view.show(state, run)
            await pilot.pause()
            summary = " ".join(str(view.query_one("#gradient-summary").render()).split())
            marked = [table.get_row_at(r) for r in range(table.row_count) if table.get_row_at(r)[0] == "…"]
            if marked:
                assert re.search(r"\. … is the pick\.$", summary), summary
                assert marked[0][2:4] == ["+0.00e+00", "+0.00e+00"], marked
                told.add("exactly 0" in summary)
        assert told == {True, False}, "told after the zeros' sentence, and after the gradient's size alone"
