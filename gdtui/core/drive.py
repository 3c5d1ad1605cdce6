"""Driving a run toward a goal, and why it stopped, in words: one loop for the Training screen and `gdtui train`.

`advance` steps a `TrainingRun` until its goal (one step, the end of the epoch
under way, or on and on), until it is told to stop, or until it can go no
further: a step refused (*diverged*) or a network that can no longer learn
(*stuck*). An epoch's test-set evaluation runs outside the lock: it is a whole
pass over the test set, and the screen must be able to draw meanwhile.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Literal

from gdtui.core.health import STUCK_IMAGES
from gdtui.core.run import Checkpoint, EpochEnd, RunSnapshot, TrainingRun, Verdict
from gdtui.core.training import StepResult
from gdtui.core.words import percent

Goal = Literal["step", "epoch", "run"]
Stop = Literal["step", "epoch", "paused", "diverged", "stuck"]
# The run can go no further at its settings: what was asked for after it is moot.
HALTS: tuple[Stop, ...] = ("diverged", "stuck")
SPEEDS = (1, 10, 100, 0)  # steps a second while running; 0: as fast as it goes
DEFAULT_SPEED = 100  # watchable: the cost falls over seconds, not in a blink
FRAME_WAIT_S = 0.1  # the longest a run flat out waits for a frame: a frame lost on exit must not stall it


def next_speed(speed: int) -> int:
    """The speed after `speed`, round the ladder."""
    return SPEEDS[(SPEEDS.index(speed) + 1) % len(SPEEDS)] if speed in SPEEDS else DEFAULT_SPEED


class Pacer:
    """How a run in a thread of its own goes between steps: at a speed, telling what it did every so often.

    Other threads set `speed`, call `pause`, and clear `idle` while they draw a frame.
    """

    def __init__(self, report_every: float) -> None:
        self.report_every = report_every  # seconds between two reports of a run going on
        self.speed = DEFAULT_SPEED  # steps a second; 0: flat out
        self._paused = threading.Event()
        self.idle = threading.Event()  # clear while a frame is drawn: a run flat out steps aside for it
        self.idle.set()

    def pause(self) -> None:
        """Stop the run under way after its current step."""
        self._paused.set()

    def going(self) -> bool:
        return not self._paused.is_set()

    def start(self) -> None:
        self._paused.clear()

    def between(self, report: Callable[[], None]) -> Callable[[], None]:
        """What a run calls between two steps (see `advance`): report at most every `report_every`
        seconds, then wait for the next step's turn."""
        began = reported = time.monotonic()

        def between() -> None:
            nonlocal began, reported
            now = time.monotonic()
            if now - reported >= self.report_every:
                reported = now
                report()
            speed = self.speed
            if speed:
                self._paused.wait(max(0.0, 1 / speed - (time.monotonic() - began)))
            else:
                # Between steps this loop holds the GIL, and the drawing thread gets it only every few
                # milliseconds: a frame would take three times as long, and a key pressed meanwhile would
                # wait for it. Waiting here for the frame hands the GIL over.
                self.idle.wait(FRAME_WAIT_S)
            began = time.monotonic()

        return between


def epoch_ending(run: TrainingRun) -> int:
    """The epoch a goal of "epoch" runs to the end of: the one under way."""
    return run.trainer.epochs_done + 1


def advance(
    run: TrainingRun,
    goal: Goal,
    *,
    step: Callable[[], tuple[StepResult, EpochEnd | None]] | None = None,
    lock: AbstractContextManager[object] | None = None,
    going: Callable[[], bool] = lambda: True,
    between: Callable[[], None] = lambda: None,
    ended: Callable[[EpochEnd], None] = lambda end: None,
) -> Stop:
    """Step the run toward goal; why it stopped.

    step takes one step under the lock (the run's own by default); lock guards what the
    steps share with other threads; going is asked before each step, between called after
    each step the run goes on from, ended told of an epoch's end before its evaluation.
    """
    take = step or run.step
    guard = lock if lock is not None else nullcontext()
    epoch_goal = epoch_ending(run)
    while going():
        result, end = take()
        if end is not None:
            ended(end)
            record = run.evaluate(end)
            with guard:
                run.add_epoch(record)
        if result.diverged:
            return "diverged"
        if goal == "step" or (goal == "epoch" and run.trainer.epochs_done >= epoch_goal):
            return goal
        if run.verdict.kind == "stuck":  # judged as the step ended: no lock needed to read it
            return "stuck"
        between()
    return "paused"


def reason(verdict: Verdict) -> str:
    """Why a run that can go no further stopped, for its log: the cause and the figures the run measured."""
    if verdict.kind == "stuck":
        assert verdict.health is not None
        return f"{verdict.health.sentence(verdict.span)}: the learning rate is too large"
    refusal = verdict.refusal
    if refusal is None or refusal.blew_up:
        return "the cost became infinite or NaN: the learning rate is too large"
    return (
        f"the step would move the parameters {refusal.step_length:,.3g}, against "
        f"{refusal.size:,.3g} for all of them together: the learning rate is too large"
    )


def warning(verdict: Verdict) -> str:
    """What a failing run's log says as it goes on: the latest check's cause, its figures, and the η to blame."""
    assert verdict.kind == "failing" and verdict.health is not None
    health = verdict.health
    figures = f"{percent(health.accuracy)} right on {health.images:,} training images, cost {health.cost:.3f}"
    blamed = f"the steps at η = {verdict.blamed:g} are likely too large"
    return f"warning, a check of the network: {health.cause()} ({figures}); {blamed}"


def kept(good: Checkpoint, brief: bool = False) -> str:
    """The weights a run can go back to, in words: which step's, and (not brief) how well they did then. Named by
    the steps they hold, as every other count of them is: kept again after going back, the run's step is a later one."""
    if brief:
        return f"the weights of step {good.held:,}"
    health = good.health
    return (
        f"the weights of step {good.held:,}, which a check found able to learn "
        f"({percent(health.accuracy)} right on {health.images:,} training images)"
    )


def advice(verdict: Verdict, *, paused: bool = False, brief: bool = False) -> str:
    """What the run's verdict means, and what to do on the Training screen: every figure is the one the run measured.
    A run still going is paused first (space) before its weights can be put back.

    brief: for a screen short of rows, two lines at 80 columns: what happened, without its figures, and the
    same keys to press."""
    eta = f"η = {verdict.learning_rate:g}"
    good = verdict.good
    if verdict.kind == "diverged":
        refusal = verdict.refusal
        if brief:
            what = f"The cost blew up at {eta}" if refusal is None or refusal.blew_up else f"Step refused at {eta}"
            if good is not None:
                return (
                    f"{what}, after steps that left the network unable to learn: "
                    f"u goes back to {kept(good, brief)}; then lower η with -."
                )
            leap = "" if refusal is None or refusal.blew_up else ", a leap past any valley"
            return f"{what}{leap}: lower η with - and go on, or r resets."
        if good is not None:
            after = (
                "It was not taken, but the steps before it had left the network unable to learn: "
                f"u goes back to {kept(good)}; then lower η with -."
            )
        else:
            after = "It was not taken: the weights are the last good ones. Lower η with - and go on, or r resets."
        if refusal is None or refusal.blew_up:
            return f"The cost blew up (it is no longer a finite number): {eta} makes the steps overshoot and grow. {after}"
        return (
            f"Step refused: at {eta} it would have been {refusal.step_length:,.3g} long, against "
            f"{refusal.size:,.3g} for all the parameters together: a leap past any valley. {after}"
        )
    if verdict.kind == "stuck":
        assert verdict.health is not None
        sentence = "the network can no longer learn" if brief else verdict.health.sentence(verdict.span)
        if good is not None:
            return (
                f"{sentence[0].upper()}{sentence[1:]}. The run stopped: u goes back to {kept(good, brief)}, "
                "r to fresh weights; then lower η with -."
            )
        return f"{sentence[0].upper()}{sentence[1:]}. The run stopped: r for fresh weights, then lower η with -."
    if verdict.kind == "failing":
        assert verdict.health is not None
        health = verdict.health
        # Blamed on the steepest steps since it was last fine: a smaller η set since did not do it, nor can it undo it.
        blamed = f"η = {verdict.blamed:g}"
        lower = verdict.learning_rate >= verdict.blamed
        if good is not None:
            back = f"u goes back to {kept(good, brief=True)}" + (", and - lowers η" if lower else "")
        else:
            back = "lower η with -" if lower else "r resets"
        then = back if paused else f"space pauses, then {back}"
        if brief:  # what the checks find, and which η to blame, without their figures
            said = f"{blamed} is likely too large" if lower else f"the steps at {blamed} were likely too large"
            return f"The network cannot learn now: {said}. {then[0].upper()}{then[1:]}."
        if verdict.span:
            found = (
                f"Every check over the last {verdict.span:,} training images finds the network unable to learn; "
                f"the last: {health.cause()}."
            )
        else:
            found = f"The last check of the network: {health.cause()}."
        if not health.hopeless:
            outlook = ""  # its cause says the slope is 0 there: a line more at 80×24 would say it again
        elif verdict.span >= STUCK_IMAGES:  # its cost still falls: no proof
            outlook = " Its cost still falls, so the run goes on."
        else:
            outlook = f" If every check finds it so for {STUCK_IMAGES:,} training images, the run stops."
        cause = f"At {blamed} the steps are likely too large" if lower else f"The steps at {blamed} were likely too large"
        return (
            f"{found}{outlook} It is right on {percent(health.accuracy)} of {health.images:,} training images "
            f"(cost {health.cost:.3f}). {cause}: {then}."
        )
    if verdict.kind == "rising":
        if brief:
            return f"The cost is rising: at {eta} the steps overshoot the valley: lower η with -, or r starts again."
        return (
            f"The cost is rising: the last {verdict.window:,} steps averaged {verdict.latest:.3f}, up from "
            f"{verdict.best:.3f} at best. At {eta} the steps overshoot the valley: lower η with -, or r starts again."
        )
    return ""


def after_going_back(shot: RunSnapshot, rate: float) -> str:
    """What to do once weights are put back, while the next step (at η = rate) would be as large as those that
    left the network unable to learn; else nothing. Two lines at 80 columns, beside the lesson too."""
    if shot.back_to is None or shot.broke_at is None or rate < shot.broke_at:
        return ""
    return f"The steps at η = {shot.broke_at:g} left the network unable to learn: lower η with - before the next step."
