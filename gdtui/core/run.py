"""A training run: the trainer, what it has done so far, and what to make of it.

The Training screen and `gdtui train` both drive a `TrainingRun`. It takes the
steps, keeps the cost curve and the test set's verdict on every epoch (and on
the network before the first step, epoch 0), and judges how the run goes:

- *diverged*: the cost or a step became absurd; the step was not taken;
- *stuck*: the network can no longer learn, and has stayed so over thousands of
  images: dead ReLUs, saturated sigmoids or pinned outputs (see `health`) — what a
  huge learning rate leaves behind, and no progress however flat the curve;
- *rising*: over a window of steps the cost is well above its best window since
  the learning rate was last set, by more than mini-batch noise explains.

A screen draws `snapshot()`s: small, immutable, copied in microseconds, so it
holds the network's lock only for the copy and never while it draws. Taking one
changes nothing: the verdict is judged once, as each step (or a new setting)
changes what it reads, never on the thread that happens to ask.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gdtui.core.costs import CostName
from gdtui.core.dataset import Split
from gdtui.core.health import Health, Watch, check
from gdtui.core.history import CostHistory, EpochRecord, bounded
from gdtui.core.network import Network
from gdtui.core.training import Refusal, StepResult, Trainer, evaluate

# Images a window of the cost trend spans, and the least and most steps it takes.
WINDOW_IMAGES = 2000
WINDOW_STEPS = (5, 200)
# Windows in a row this many times the best one, each further above it than this many standard
# errors, are a rise. One such window can be noise: the best is the luckiest of many windows.
RISING_FACTOR = 1.5
RISING_SIGNIFICANCE = 4.0
RISING_WINDOWS = 3
# Images of the last mini-batch a snapshot keeps, for the strip of thumbnails.
THUMBNAILS = 32
# Training images the network's health is checked on.
PROBE = 200
# Weights just before a larger η are the ones to go back to if their cost on the probe is within this factor of the
# best kept: a run that learns moves it by a percent or two in a few hundred steps; a step that did damage, by more.
RAISE_TOLERANCE = 1.05

Kind = Literal["", "rising", "failing", "stuck", "diverged"]


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class Checkpoint:
    """The weights as a health check found them able to learn: what a run that damaged them can go back to."""

    step: int  # the run's steps when they were checked
    held: int  # the steps the weights hold: the run's then, less those undone by going back before (TrainingRun.held)
    params: np.ndarray  # a copy
    health: Health


@dataclass(frozen=True)
class Verdict:
    """How the run goes, with the numbers that show it."""

    kind: Kind = ""
    learning_rate: float = 0.0
    best: float = 0.0  # rising: the best window's average cost
    latest: float = 0.0  # rising: the latest window's
    window: int = 0  # rising: steps a window spans
    health: Health | None = None  # stuck, failing: the latest check; diverged: the weights left, if they cannot learn
    span: int = 0  # stuck, failing: training images every check found it unable to learn over
    # failing: the largest η the steps took after a check last found the network able to learn, and not saturated,
    # until one found it failing
    blamed: float = 0.0
    refusal: Refusal | None = None  # diverged: why the step was not taken
    # stuck, failing, or diverged after steps that left the network unable to learn: the weights from before them
    good: Checkpoint | None = None


class Trend:
    """Whether the cost is really rising: windows of steps compared, not single mini-batches."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.best: tuple[float, float] | None = None  # (mean, variance) of the best window so far
        self.recent: list[tuple[float, float]] = []  # the latest windows, newest last
        self._count, self._sum, self._squares = 0, 0.0, 0.0

    def rate_changed(self, larger: bool) -> None:
        """Judge the new η on whole windows of its own steps, never on a window that mixes two.

        A larger η is compared with the best before it, which it may overshoot; a smaller
        one, the remedy, only with itself: the cost it inherits is not its doing.
        """
        self._count, self._sum, self._squares = 0, 0.0, 0.0
        self.recent = []
        if not larger:
            self.best = None

    def add(self, cost: float) -> None:
        self._count += 1
        self._sum += cost
        self._squares += cost * cost
        if self._count < self.window:
            return
        mean = self._sum / self._count
        window = (mean, max(self._squares / self._count - mean * mean, 0.0))
        self.recent = [*self.recent[1 - RISING_WINDOWS :], window]
        if self.best is None or mean < self.best[0]:
            self.best = window
        self._count, self._sum, self._squares = 0, 0.0, 0.0

    def _above_best(self, window: tuple[float, float]) -> bool:
        assert self.best is not None
        (best, best_variance), (mean, variance) = self.best, window
        standard_error = math.sqrt((best_variance + variance) / self.window)
        return mean >= RISING_FACTOR * best and mean - best > RISING_SIGNIFICANCE * standard_error

    @property
    def rising(self) -> bool:
        return len(self.recent) == RISING_WINDOWS and all(self._above_best(window) for window in self.recent)

    @property
    def latest(self) -> float:
        return self.recent[-1][0]


def _order(record: EpochRecord) -> tuple[int, int, bool]:
    """Records in the order the run made them: weights put back at the step an epoch ended come after its record."""
    return record.epoch, record.step, record.weights_of is not None


def window_for(batch_size: int) -> int:
    low, high = WINDOW_STEPS
    return max(low, min(high, math.ceil(WINDOW_IMAGES / batch_size)))


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class EpochEnd:
    """An epoch just ended (or the run's start, epoch 0): what its record needs, taken under the lock."""

    epoch: int
    step: int
    train_cost: float | None  # the epoch's average mini-batch cost; none before the first step
    network: Network  # a copy, to evaluate on the test set outside the lock
    weights_of: int | None = None  # see EpochRecord.weights_of


@dataclass(frozen=True, eq=False)  # holds arrays: compare by identity
class RunSnapshot:
    """Everything a screen draws of a run, copied at one moment."""

    steps: int
    epoch: float
    samples: int
    learning_rate: float
    batch_size: int
    train_size: int
    cost_name: CostName
    last_cost: float | None  # the last mini-batch's cost, before its step
    back_to: int | None  # the steps the weights put back hold (Checkpoint.held), until the next step is taken
    resumed_at: int  # the run's steps when weights were last put back (0: never): the curve after is of these weights
    undone: int  # of the steps taken, those undone by going back: the weights hold the others (TrainingRun.held)
    # With back_to: the largest η of the steps taken after a check last found the network able to learn, until one
    # found it failing, before they were put back (weights kept earlier may have seen smaller ones too).
    broke_at: float | None
    last_batch_size: int  # the images of that mini-batch: all of the training set, or fewer
    curve_steps: tuple[float, ...]
    curve_costs: tuple[float, ...]
    curve_stride: int  # steps averaged into each point of the curve
    epochs: tuple[EpochRecord, ...]  # epoch 0 first, once measured
    verdict: Verdict
    last_batch: np.ndarray  # indices into the training split: its first THUMBNAILS images
    last_outputs: np.ndarray  # the network's outputs on them, before the step (or of the weights put back)

    @property
    def whole_set(self) -> bool:
        return self.batch_size == self.train_size


class TrainingRun:
    """Gradient descent on one network, with its history and the verdicts on it."""

    def __init__(
        self,
        network: Network,
        train: Split,
        test: Split,
        *,
        cost: CostName,
        learning_rate: float,
        batch_size: int,
        seed: int = 0,
    ) -> None:
        self.trainer = Trainer(network, train, cost=cost, learning_rate=learning_rate, batch_size=batch_size, seed=seed)
        self.test = test
        self.history = CostHistory()
        self.epochs: list[EpochRecord] = []
        self.trend = Trend(window_for(batch_size))
        self.last_cost: float | None = None
        self.back_to: int | None = None  # the steps the weights put back hold, until the next step
        self.undone = 0  # steps taken, then undone by going back to weights from before them
        self.resumed_at = 0  # see RunSnapshot.resumed_at
        self.broke_at: float | None = None  # see RunSnapshot.broke_at
        self.watch = Watch()
        self._blamed = 0.0  # see Verdict.blamed: of the steps taken, and none is yet
        self._epoch_cost, self._epoch_examples = 0.0, 0
        self._requested: tuple[float, int] = (0.0, 0)  # 0: as it is
        self._asking = threading.Lock()  # guards only _requested: never held while a step goes
        probe = slice(0, min(PROBE, len(train)))  # a fixed sample, so one odd mini-batch is no alarm
        self._probe = (train.inputs(probe), train.labels[probe])
        # The weights to go back to: the best a check found able to learn, those from just before η was last raised
        # counting as the best if about as good (see _keep_if_better).
        self.good: Checkpoint | None = None
        self.damaged: Health | None = None  # diverged: a check of the weights the refused step would have moved
        self._keep_if_better(self._check(math.inf))  # no step yet: only a blind network is hopeless
        self.verdict = self._verdict()

    @property
    def network(self) -> Network:
        return self.trainer.network

    @property
    def cost(self) -> CostName:
        return self.trainer.cost

    @property
    def held(self) -> int:
        """The steps the weights hold: those taken, less those undone by going back."""
        return self.trainer.steps - self.undone

    # -- settings ----------------------------------------------------------------

    def request(self, *, learning_rate: float | None = None, batch_size: int | None = None) -> None:
        """New settings, from any thread: they take effect at the next step, or at `apply_requests`.

        A key press never waits for a step to end: a step over the whole training set takes a while.
        """
        with self._asking:
            rate, batch = self._requested
            self._requested = (rate if learning_rate is None else learning_rate, batch if batch_size is None else batch_size)

    @property
    def requested(self) -> tuple[float, int]:
        """The learning rate and batch size as they will be at the next step."""
        rate, batch = self._requested
        return rate or self.learning_rate, batch or self.batch_size

    def apply_requests(self) -> None:
        """Take the settings asked for now, between steps; under the lock."""
        with self._asking:  # a request made meanwhile is neither lost nor half taken
            (rate, batch), self._requested = self._requested, (0.0, 0)
        if rate and rate != self.learning_rate:
            self.learning_rate = rate
        if batch and batch != self.batch_size:
            self.batch_size = batch

    @property
    def learning_rate(self) -> float:
        return self.trainer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        larger = value > self.trainer.learning_rate
        if larger:  # the commonest cause of damage: keep the weights from before its first step
            self._keep_if_better(self._check(math.inf), before_a_raise=True)
        self.trainer.learning_rate = value
        self.trend.rate_changed(larger)
        self.judge()

    @property
    def batch_size(self) -> int:
        return self.trainer.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.trainer.batch_size = value
        self.trend = Trend(window_for(value))
        self.judge()

    # -- stepping ----------------------------------------------------------------

    def step(self) -> tuple[StepResult, EpochEnd | None]:
        """One step; and, when it ended an epoch, what that epoch's record needs.

        Call under the network's lock. Evaluate the EpochEnd with `evaluate` outside it.
        """
        self.apply_requests()
        if self.trainer.diverged:
            self.trainer.recover()  # the weights are the last good ones: try again, at whatever η is set now
        self.damaged = None
        rate = self.trainer.learning_rate
        result = self.trainer.step()
        if result.diverged:
            # Were the weights it left already beyond learning? Then the steps before it did the damage.
            health = self._check(result.gradient_norm)
            self._keep_if_better(health)
            self.damaged = health if health.hopeless else None
            self.judge()
            return result, None
        # Of the steps taken (a refused one moved nothing), until a check finds the network failing: the steps before
        # it did the damage, and a larger η set afterwards on the broken network is not the one to blame.
        found = self.watch.latest
        if found is None or not (found.hopeless or found.saturated):
            self._blamed = max(self._blamed, rate)
        self.last_cost, self.back_to, self.broke_at = result.cost, None, None
        self.watch.stepped(result.gradient_norm)
        if self.watch.due(self.trainer.samples_seen):
            health = self._check(self.watch.steepest)
            self.watch.add(health)
            if not (health.hopeless or health.saturated):
                self._blamed = rate
            self._keep_if_better(health)
        self.history.add(result.step, result.cost)
        self.trend.add(result.cost)
        self.judge()
        examples = len(result.labels)
        self._epoch_cost += result.cost * examples
        self._epoch_examples += examples
        recorded = self.epochs[-1].epoch if self.epochs else 0
        if self.trainer.epochs_done <= recorded:
            return result, None
        end = EpochEnd(self.trainer.epochs_done, self.trainer.steps, self._epoch_cost / self._epoch_examples, self.network.copy())
        self._epoch_cost, self._epoch_examples = 0.0, 0
        return result, end

    def _check(self, gradient_norm: float) -> Health:
        return check(self.network, *self._probe, self.cost, self.trainer.samples_seen, gradient_norm)

    def _keep_if_better(self, health: Health, before_a_raise: bool = False) -> None:
        """Keep the weights if they can learn and do better on the probe than those kept: a check just
        after a damaging step may find them still able to learn, but never better.

        Just before a larger η, weights able to learn, of a run nothing is found wrong with, are kept if the probe
        finds them about as good (within RAISE_TOLERANCE): going back is then going back to before the raise, not
        to older weights its 200 images rank a little better."""
        # Saturated weights can cost less than random ones, and are no better to go back to.
        if health.hopeless or health.saturated:
            return
        best = math.inf if self.good is None else self.good.health.cost
        # A rising cost, say, is damage the best kept came before.
        sound = before_a_raise and not self.verdict.kind and health.cost <= RAISE_TOLERANCE * best
        if sound or health.cost <= best:
            self.good = Checkpoint(self.trainer.steps, self.held, self.network.params.copy(), health)

    def go_back(self, good: Checkpoint) -> EpochEnd:
        """Put back the weights of a checkpoint and judge the run afresh from them; under the lock. What
        a test-set measurement of them needs: every measurement kept was of other weights.

        The steps taken since stay counted, as the cost curve shows them, and are undone."""
        self.undone += self.held - good.held
        self.resumed_at = self.trainer.steps
        self.network.params[:] = good.params
        self.back_to = good.held
        # The guesses shown beside the last mini-batch: those of the weights put back.
        trainer = self.trainer
        shown = trainer.last_batch[:THUMBNAILS]
        trainer.last_outputs = self.network.forward(trainer.train.inputs(shown)) if len(shown) else trainer.last_outputs
        if self.trainer.diverged:
            self.trainer.recover()
        self.damaged = None
        self.watch = Watch()
        # No step since these weights: a rate set meanwhile, and never stepped at, is to blame for nothing.
        self.broke_at, self._blamed = self._blamed, 0.0
        self.trend = Trend(self.trend.window)
        self.good = good
        self.judge()
        return EpochEnd(self.trainer.epochs_done, self.trainer.steps, None, self.network.copy(), weights_of=good.held)

    def start(self) -> EpochEnd | None:
        """Epoch 0, the network before the first step, if it is not measured yet: the curve's first point."""
        if self.epochs or self.trainer.steps:
            return None
        return EpochEnd(0, 0, None, self.network.copy())

    def evaluate(self, end: EpochEnd) -> EpochRecord:
        """The test set's verdict on an epoch's network: slow, and safe outside the lock."""
        test = evaluate(end.network, self.test, self.cost)
        return EpochRecord(end.epoch, end.step, end.train_cost, test.cost, test.accuracy, end.weights_of)

    def add_epoch(self, record: EpochRecord) -> None:
        """Keep an evaluated epoch, or a measurement taken within one; under the lock."""
        if self.epochs and _order(record) <= _order(self.epochs[-1]):
            return  # a start measured after the first epoch ended: the run has moved on
        self.epochs = bounded([*self.epochs, record])

    def judge(self) -> None:
        """Judge the run afresh: after each step and each new setting, which is all that changes it."""
        self.verdict = self._verdict()

    def _verdict(self) -> Verdict:
        eta = self.learning_rate
        if self.trainer.diverged:
            good = self.good if self.damaged is not None else None
            return Verdict("diverged", eta, health=self.damaged, refusal=self.trainer.refusal, good=good)
        stuck = self.watch.stuck
        if stuck is not None:
            return Verdict("stuck", eta, health=stuck, span=self.watch.span, good=self.good)
        latest = self.watch.latest
        if latest is not None and (latest.hopeless or latest.saturated):  # no proof yet: worth a word, not a stop
            return Verdict("failing", eta, health=latest, span=self.watch.span, good=self.good, blamed=self._blamed)
        if self.trend.rising:
            assert self.trend.best is not None
            return Verdict("rising", eta, best=self.trend.best[0], latest=self.trend.latest, window=self.trend.window)
        return Verdict("", eta)

    def snapshot(self) -> RunSnapshot:
        """What there is to draw, copied; under the lock. It changes nothing."""
        trainer = self.trainer
        return RunSnapshot(
            steps=trainer.steps,
            epoch=trainer.epoch,
            samples=trainer.samples_seen,
            learning_rate=trainer.learning_rate,
            batch_size=trainer.batch_size,
            train_size=len(trainer.train),
            cost_name=trainer.cost,
            last_cost=self.last_cost,
            back_to=self.back_to,
            resumed_at=self.resumed_at,
            undone=self.undone,
            broke_at=self.broke_at,
            last_batch_size=len(trainer.last_batch),
            curve_steps=tuple(self.history.steps),
            curve_costs=tuple(self.history.costs),
            curve_stride=self.history.stride,
            epochs=tuple(self.epochs),
            verdict=self.verdict,
            last_batch=trainer.last_batch[:THUMBNAILS].copy(),
            last_outputs=trainer.last_outputs[:THUMBNAILS].copy(),
        )
