"""The gradient over a mini-batch, ranked: which parameters matter most right now, and which hardly at all.

The report is worked out in float64, in a worker, from a copy of the network
and the mini-batch the next step will take: its −η·∂C/∂w column is the step n takes.
A nudge of the picked parameter shows the cost change by about ∂C/∂w · Δw.
"""

from __future__ import annotations

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from gdtui.core import sensitivity
from gdtui.core.network import Network
from gdtui.core.run import TrainingRun
from gdtui.core.words import counted
from gdtui.ui.state import LessonState

NUDGE = 0.1  # Δw of one nudge: small enough for the slope to predict it well
PICKED = " … is the pick."  # a sentence of its own: the summary may end with any of several


def zeros_sentence(zeros: sensitivity.Zeros, components: int, smallest: bool = True) -> str:
    """How many components are exactly 0, and why: the batch says nothing about them, so the ranking leaves them out;
    and what the table below lists (the smallest that are not 0 only if it has a row of them)."""
    if not zeros.total:
        return "None is exactly 0."
    reasons = []
    if zeros.from_blank_pixels:
        pixels = counted(zeros.blank_pixels, "pixel")
        reasons.append(f"{counted(zeros.from_blank_pixels, 'weight')} from the {pixels} blank in every image of it")
    if zeros.from_still_neurons:
        reasons.append(f"{zeros.from_still_neurons:,} whose neuron was off or saturated whenever their input was not 0")
    if zeros.other:
        reasons.append(f"{zeros.other:,} whose terms cancelled exactly")
    below = (
        "There is nothing to rank: on this batch no parameter has any slope."
        if zeros.total == components
        else "Below, the largest, then (·) the smallest that are not 0."
        if smallest
        else "Below, the largest."
    )
    return f"[b]{zeros.total:,}[/b] are exactly 0 ({'; '.join(reasons)}): this batch says nothing about them. {below}"


def comparison(nudge: sensitivity.Nudge) -> str:
    """The measured change beside the predicted one; where they cannot agree, why, and the slope checked."""
    if not nudge.measurable:
        return (
            f"predicted ∂C/∂w · Δw = [b]{nudge.predicted:+.2e}[/b]: a change below what can be measured "
            f"(float64 rounds the cost by up to {nudge.rounding:.0e}); measured ΔC = {nudge.measured:+.2e}."
        )
    line = f"measured ΔC = [b]{nudge.measured:+.2e}[/b]   predicted ∂C/∂w · Δw = [b]{nudge.predicted:+.2e}[/b]"
    if nudge.agrees:
        return line
    # So small a slope is outweighed by the cost's bend over the whole nudge: check it over a small Δw.
    return (
        f"{line}\nOver Δw = {nudge.delta:+g} the cost's bend outweighs so small a slope. Over Δw = ±{nudge.h:.1e}, "
        f"where it cancels: measured ΔC = [b]{nudge.checked:+.2e}[/b]   predicted = [b]{nudge.checked_prediction:+.2e}[/b]"
    )


def _images(count: int) -> str:
    """The images the gradient is over: those the next step takes."""
    return f"the next mini-batch ({counted(count, 'image')})"


class GradientView(Vertical):
    """The gradient's size, its largest and smallest components, and the last nudge's result."""

    class Reported(Message):
        """The work on the gradient is over: worked out, what is said of it may change (or failed: it is not)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._worker: Worker | None = None
        self._shown: tuple[LessonState, TrainingRun] | None = None
        self._held: int | None = None  # the pick set aside while the table had room for one row only

    def compose(self) -> ComposeResult:
        yield Static(id="gradient-summary", classes="aside")
        yield DataTable(id="ranking", cursor_type="row", zebra_stripes=True)
        yield Static(id="nudge")

    def on_mount(self) -> None:
        # The step's column by its formula alone: at 80 columns the parameters' names need the room.
        self.query_one(DataTable).add_columns("#", "parameter", "∂C/∂w", "−η·∂C/∂w", "matters")

    def show(self, state: LessonState, run: TrainingRun, live: bool = False) -> None:
        """live: a frame of a running run, which never waits for a step's lock (the run trains in the
        background, and a step may take long)."""
        self._shown = state, run
        training = state.training
        summary = self.query_one("#gradient-summary", Static)
        network = state.network
        version = state.version
        if training.report_wanted() is not None and not (self._worker is not None and self._worker.is_running):
            # One at a time: the next frame asks again if this one is out of date.
            inputs = training.report_inputs(run, wait=not live)
            if inputs is not None:
                self._worker = self._work_out(run, *inputs, state)
        if training.report is None:
            summary.update(f"Working out the gradient over {_images(len(training.gradient_batch(run)))}…")
            # Nothing of an earlier network's gradient may stay under those words.
            self.query_one(DataTable).clear()
            self._show_nudge(state, run)
            return
        at, report = training.report
        if at != version:
            when = " [dim](a few steps ago: the next is being worked out)[/dim]"
        elif training.current_report() is None:  # b asked for another batch size
            when = " [dim](the batch size is new: its gradient is being worked out)[/dim]"
        else:
            when = ""
        table = self.query_one(DataTable)
        picked, keep = self.picked(), table.cursor_row
        if self._held is not None:
            picked, self._held = self._held, None
        if picked is not None and picked >= report.gradient.size:  # of a network of another shape
            picked = None
        size = (
            f"The gradient ∇C has [b]{network.num_params:,}[/b] components, one per parameter. Here, over "
            f"{_images(report.images)}: |∇C| = [b]{report.norm:.4g}[/b].{when}"
            + (" So small, it has all but vanished: no parameter matters much." if report.vanished else "")
        )
        words, zeros = f"{size} {zeros_sentence(report.zeros, report.gradient.size)}", True
        # The words above and below the table first: it takes the rows they leave, so that none is cut.
        nudge = self._show_nudge(state, run)
        if self._room(words + PICKED if picked is not None else words, nudge) < 2:
            # Too short a view for the table's header and a row (under the lesson's words and a run's message, at
            # 80×24): the ranking before what the zero components are.
            words, zeros = size, False
        top, bottom = self._rows_that_fit(report, words + PICKED if picked is not None else words, nudge)
        rows = [(str(rank), c) for rank, c in enumerate(report.largest[:top], start=1)]
        rows += [("·", c) for c in report.smallest[:bottom]]
        # The picked parameter stays picked when the ranking is sorted anew (after a nudge, say):
        # listed, marked …, if it left the table, in the place of the last of the largest, so that
        # the table keeps its size and the nudge's result below it still shows.
        outside = picked is not None and all(c.index != picked for _, c in rows)
        if outside and top + bottom < 2:
            # Room for one row only: the largest's, what the ranking is about. The pick comes back with the room.
            self._held, picked, outside = picked, None, False
        if picked is not None and outside:
            # In the place of the last of the largest, unless it is the only one: then after it.
            shown = min(top, len(report.largest))
            rows[max(shown - 1, 1) : shown] = [("…", sensitivity.component(report.gradient, picked))]
            del rows[top + bottom :]  # put after the only one, it takes the last of the smallest's row
        if zeros:  # as the finished table is: a (·) row of the smallest, or none
            words = f"{size} {zeros_sentence(report.zeros, report.gradient.size, any(rank == '·' for rank, _ in rows))}"
        if picked is not None and outside:
            words = words + PICKED
        summary.update(words)
        # Whole or not at all: a sentence cut off at the view's edge says half of what it means.
        self.query_one("#nudge").display = self._room(words, nudge) >= 1 + len(rows)
        eta = run.requested[0]  # the η of the step the column is of: the next, at the η set for it
        table.clear()
        for rank, c in rows:
            description = network.parameter(c.index).describe(state.data.image_shape)
            step = f"{-eta * c.gradient + 0.0:+.2e}"  # + 0.0: a component of 0 steps by +0, not -0
            table.add_row(rank, description, f"{c.gradient:+.2e}", step, c.importance, key=str(c.index))
        if picked is not None:
            keep = next(row for row, (_, c) in enumerate(rows) if c.index == picked)
        table.move_cursor(row=min(keep, table.row_count - 1), animate=False)

    def _room(self, summary: str, nudge: str) -> int:
        """The rows the table has between the summary and the nudge's result; many before the view is laid out."""
        width, height = self.size
        if not width or not height:
            return 1_000
        summary_rows = len(Content.from_markup(summary).wrap(width)) if self.query_one("#gradient-summary").display else 0
        return height - summary_rows - len(Content.from_markup(nudge).wrap(width))

    def _rows_that_fit(self, report: sensitivity.GradientReport, summary: str, nudge: str) -> tuple[int, int]:
        """How many of the largest components and of the smallest the table has room for between the
        summary and the nudge's result: on a short screen, and under the guided lesson's words, fewer."""
        largest, smallest = len(report.largest), len(report.smallest)
        if not self.size.area:
            return min(5, largest), min(2, smallest)  # not laid out yet: shown again once it is
        room = self._room(summary, nudge) - 1  # and the table's header
        # One of the largest whatever the room: the nudge's words below it give way, not the ranking.
        bottom = min(smallest, 2 if room >= 5 else 1 if room >= 2 else 0)
        return max(1, min(largest, room - bottom)), bottom

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    @work(thread=True, group="gradient", exit_on_error=False)
    def _work_out(
        self, run: TrainingRun, network: Network, batch: np.ndarray, version: int, state: LessonState
    ) -> tuple[int, sensitivity.GradientReport]:
        return version, sensitivity.report(network, state.batch(batch), run.cost)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self._worker or not event.worker.is_finished:
            return
        if event.state is WorkerState.SUCCESS and self._shown is not None:
            state, run = self._shown
            state.training.report = event.worker.result
            self.show(state, run)
        # However it ended: keys held while it worked (a nudge typed after a nudge) wait for this.
        self.post_message(self.Reported())

    def working(self) -> bool:
        """Whether the gradient is being worked out."""
        return self._worker is not None and not self._worker.is_finished

    def _show_nudge(self, state: LessonState, run: TrainingRun) -> str:
        """Show the last nudge's result, or how to nudge; the words shown."""
        nudge = state.training.last_nudge
        # Steps since have changed the network and its gradient: a nudge's figures of an older one go, and
        # leave their rows to the ranking of this one.
        if nudge is None or state.training.steps_since_nudge(run):
            text = f"Pick a parameter with ↑/↓ and nudge it with \\[ and ] (Δw = ±{NUDGE}): the cost changes by about ∂C/∂w · Δw."
        else:
            which = state.network.parameter(nudge.index).describe(state.data.image_shape)
            images = counted(state.training.nudged_over, "image")
            # A new batch size since (b) makes the next step another batch than the one the nudge was measured on.
            same = state.training.nudged_over == len(state.training.gradient_batch(run))
            whose = f"the next step's {images}" if same else f"the {images} the next step was to take"
            if run.back_to is not None:  # the weights are an earlier step's, not those the last step left
                whose += f", with the weights of step {run.back_to:,} put back,"
            text = (
                # Its ∂C/∂w from before the nudge: the table shows the one of the nudged network.
                f"Nudged {which} (∂C/∂w was {nudge.slope:+.2e}) by {nudge.delta:+.4g}: the cost on {whose} went "
                f"{nudge.cost_before:.6f} → {nudge.cost_after:.6f}.\n" + comparison(nudge)
            )
        self.query_one("#nudge", Static).update(text)
        return text

    def pick(self, direction: int) -> None:
        self._held = None  # a new pick, of the rows shown
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + direction, animate=False)

    def nudging(self) -> None:
        """The row highlighted is being nudged: it becomes the pick (one set aside while the table was short goes:
        its return would highlight another row than the one whose nudge is told)."""
        self._held = None

    def picked(self) -> int | None:
        """The parameter picked in the table, if the table shows any."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else int(key)
