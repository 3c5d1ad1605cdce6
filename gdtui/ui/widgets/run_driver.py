"""The Training step's workers: the run stepped in a thread, and its test-set measurements.

It draws nothing. The screen asks it to start, pause or go back, and hears, as a
message, when the steps asked for have stopped and why; the run's progress comes
up as `RunProgressed` from the thread itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from gdtui.core.background import in_background
from gdtui.core.drive import Goal, Stop, epoch_ending
from gdtui.core.run import EpochEnd, TrainingRun
from gdtui.ui.messages import RunProgressed
from gdtui.ui.state import TrainingSession


class RunDriver(Widget):
    DEFAULT_CSS = "RunDriver { display: none; }"

    @dataclass
    class Stopped(Message):
        """The steps asked for are over: the goal reached, the run paused, or no further step possible."""

        why: Stop

    def __init__(self, training: TrainingSession, **kwargs) -> None:
        super().__init__(**kwargs)
        self.training = training
        self._worker: Worker[Stop] | None = None
        self.epoch_goal: int | None = None  # the epoch the steps last asked for run to the end of, if they do

    def ensure(self) -> TrainingRun:
        """The run of the shared network; a new one when another step made a new network, measured at once."""
        run = self.training.ensure()
        if self.training.start_unasked(run):
            self._measure(run)
        return run

    @property
    def stepping(self) -> bool:
        """Whether the steps last asked for are still going."""
        return self._worker is not None and not self._worker.is_finished

    def start(self, goal: Goal) -> bool:
        """Step toward goal in the background; False, doing nothing, while steps asked for before still go."""
        if self.stepping:
            return False
        run = self.ensure()
        self.training.begin()
        # Taken now: the step that ends the epoch counts it done before the run's stop is heard.
        self.epoch_goal = epoch_ending(run) if goal == "epoch" else None
        self._worker = self._train(run, goal)
        return True

    def pause(self) -> None:
        """Stop a run after its current step."""
        self.training.pacer.pause()

    def go_back(self) -> bool:
        """Back to the weights from before the damage, measured afresh; False if there was none to undo."""
        run = self.ensure()
        end = self.training.go_back(run)
        if end is None:
            return False
        self._measure(run, end)
        return True

    @work(thread=True, group="start", exit_on_error=False)
    def _measure(self, run: TrainingRun, end: EpochEnd | None = None) -> None:
        """The test set's verdict, in the background: on the network before the first step (the curve's
        first point), or on the weights gone back to (every verdict kept was of other weights)."""
        if self.training.measure(run, end):
            self.post_message(RunProgressed())

    @work(thread=True, group="training", exit_on_error=False)
    # A step answers a key; a run or an epoch goes on, in the background, which an app on its way out no longer waits for.
    @in_background(when=lambda self, run, goal: goal != "step", abandoned=lambda: get_current_worker().is_cancelled)
    def _train(self, run: TrainingRun, goal: Goal) -> Stop:
        """Step until the goal is reached, the run is paused, or it can go no further; why it stopped."""
        worker = get_current_worker()
        return self.training.advance(run, goal, lambda: worker.is_cancelled, lambda: self.post_message(RunProgressed()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        event.stop()
        if event.worker is not self._worker:
            return
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            raise event.worker.error  # a bug: let it be seen
        if event.state is WorkerState.SUCCESS:
            why = event.worker.result
            assert why is not None  # advance says why on every path; an abandoned run ends cancelled
            self.post_message(self.Stopped(why))

    def on_unmount(self) -> None:
        self.pause()
