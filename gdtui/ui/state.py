"""What every screen shares: the data, the current network and the chosen input.

The screens only read and change this object; the math stays in gdtui.core.
The network has one owner, this object: it changes only through the methods
below, each under its private lock and each bumping `version`, so a training
step in a worker thread and a key press on another screen never change it at
once, and a screen can tell that what it drew is out of date. The app mirrors
`version` in a reactive that screens watch.

The run that trains it is `training`, a `TrainingSession`: the run itself, the
snapshots the screen draws, the gradient of the last step and the saving of
what it made, so that the Training screen only draws and forwards keys, and
anything else (the lesson, the lab's report) reads the run without the screen.

The input the steps show is `chosen`, a `ChosenInput`: it changes through its own
methods, each announced with `on_input_change`, as the network's are with `on_change`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np

from gdtui.core import quiz, sensitivity
from gdtui.core.costs import CostName
from gdtui.core.dataset import Dataset
from gdtui.core.drive import Goal, Pacer, Stop, advance, after_going_back
from gdtui.core.learning_rates import next_batch_size, next_learning_rate
from gdtui.core.model_io import check_fits, save_model
from gdtui.core.network import Network
from gdtui.core.presets import preset_for
from gdtui.core.run import Checkpoint, EpochEnd, RunSnapshot, TrainingRun
from gdtui.core.training import StepResult, chunks
from gdtui.core.words import counted, cut_middle
from gdtui.ui.cadence import REDRAW_HZ
from gdtui.ui.chosen import ChosenInput

# Figures of the network kept for its current version: a few images browsed back and forth, not the whole set.
FIGURES_KEPT = 16

_T = TypeVar("_T")


NAME_LEAST = 12  # characters of a model file's name kept, however little the room: never cut to nothing


@dataclass(frozen=True)
class Provenance:
    """Where a network came from and what was done to it since: what its origin's words are made of."""

    origin: str  # "random, seed 0", or the model file's name
    random: bool  # began as random weights
    seed: int
    steps: int  # trained since it was new
    nudges: int

    def words(self, room: int | None = None) -> str:
        """Where the weights come from, in a few words: 'trained 1,200 steps from seed 0, 1 nudge'.

        In less room than that, fewer words, the counts kept to the last, the steps' longest: they say which
        network it is. Only a model file's name is cut, in the middle."""
        nudges = f", {counted(self.nudges, 'nudge')}" if self.nudges else ""
        steps = counted(self.steps, "step")
        if not self.random:
            more = f", trained {steps} more" if self.steps else ""
            name = self.origin if room is None else cut_middle(self.origin, max(NAME_LEAST, room - len(more + nudges)))
            return name + more + nudges
        forms = [f"trained {steps} from seed {self.seed}", f"trained {steps}", steps] if self.steps else [self.origin, "random"]
        # Last, the count of steps alone: what tells this network from the others most.
        fits = [words for words in [*(form + nudges for form in forms), forms[-1]] if room is None or len(words) <= room]
        return fits[0] if fits else forms[-1]  # the fewest words, whatever the room


@dataclass
class QuizScore:
    """The Cost step's quiz: how many answers were right, of how many checked, and each in turn (R or W);
    the question on screen, and whether its answer is shown."""

    right: int = 0
    asked: int = 0
    answers: str = ""
    question: quiz.Question | None = None
    answer_shown: bool = False
    on_checked: Callable[[], None] = field(default=lambda: None, compare=False, repr=False)

    def checked(self, right: bool) -> None:
        self.asked += 1
        self.right += right
        self.answers += "R" if right else "W"
        self.on_checked()


class LessonState:
    def __init__(
        self,
        data: Dataset,
        network: Network,
        *,
        seed: int = 0,
        origin: str = "",
        on_change: Callable[[], None] | None = None,
        on_kept: Callable[[], None] | None = None,
        on_input_change: Callable[[], None] | None = None,
    ) -> None:
        self.data = data
        self.seed = seed
        self._lock = threading.RLock()
        # Called on the app's thread after every change made there; a run's steps, taken in a
        # worker thread, are announced by the run's own progress messages instead.
        self.on_change = on_change or (lambda: None)
        self._network = network
        self._origin = origin or f"random, seed {seed}"  # or the model file's name
        self._random = not origin  # began as random weights, not as a model file
        self._version = 0  # every change of the weights
        self._generation = 0  # every new network: randomised afresh or loaded
        self._steps = 0  # trained since the network was new
        self._nudges = 0
        # The run's checkpoint as last seen, and the nudges made before it was kept: going back undoes the later ones.
        self._kept: tuple[Checkpoint | None, int] = (None, 0)
        self._unsaved = False
        self.chosen = ChosenInput(data, on_input_change)
        # Called when what a lab's class record keeps at once changes: an answer checked, a model saved.
        self.on_kept = on_kept or (lambda: None)
        self.quiz = QuizScore(on_checked=self.on_kept)
        self.models_saved: list[str] = []  # the names of the files saved, in order
        self._figures: OrderedDict[Hashable, object] = OrderedDict()  # of the network at _figures_version
        self._figures_version = -1
        self.training = TrainingSession(self, self._lock)

    # -- the network: read freely, change only here ---------------------------------

    @property
    def network(self) -> Network:
        return self._network

    @property
    def version(self) -> int:
        return self._version

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def unsaved(self) -> bool:
        """Changed since it was made, loaded or last saved."""
        return self._unsaved

    @property
    def network_origin(self) -> str:
        """Where the weights come from, in a few words (see Provenance.words)."""
        return self.network_origin_in(None)

    def network_origin_in(self, room: int | None) -> str:
        """Where the weights come from, in as few words as `room` asks (see Provenance.words)."""
        return Provenance(self._origin, self._random, self.seed, self._steps, self._nudges).words(room)

    @property
    def from_random(self) -> bool:
        """The network began as random weights (trained or not since), not as a model file."""
        return self._random

    @property
    def untrained(self) -> bool:
        """Random weights that no training step has moved (a nudge or two aside)."""
        return self._random and not self._steps

    @property
    def steps_trained(self) -> int:
        """Training steps the network has taken since it was new; a restored one brings its own."""
        return self._steps

    @contextmanager
    def _changing(self, *, new: bool = False) -> Iterator[None]:
        with self._lock:
            yield
            self._version += 1
            if new:
                self._generation += 1
                self._steps = self._nudges = 0
                self._kept = (None, 0)
            self._unsaved = not new

    def use_network(self, network: Network, origin: str) -> None:
        """Make network the one every step shows; one that does not fit the data is refused (ModelFileError)."""
        check_fits(network, self.data, origin)
        with self._changing(new=True):
            self._network = network
            self._origin = origin
            self._random = False
        self.on_change()

    def randomize_network(self, new_seed: bool = True) -> None:
        """Fresh random weights: from the next seed, or again from the current one."""
        with self._changing(new=True):
            self.seed += new_seed
            self._network.randomize(self.seed)
            self._origin = f"random, seed {self.seed}"
            self._random = True
        self.on_change()

    def train(self, run: TrainingRun) -> tuple[StepResult, EpochEnd | None]:
        """One step of the run, from its worker thread: see `on_change`."""
        with self._lock:
            result, end = run.step()
            if run.good is not self._kept[0]:  # kept during the step: of the weights with every nudge made so far
                self._kept = (run.good, self._nudges)
            if not result.diverged:  # else no step was taken: nothing changed
                self._version += 1
                self._steps += 1
                self._unsaved = True
        return result, end

    def go_back(self, run: TrainingRun, good: Checkpoint) -> EpochEnd:
        """Put back the weights the run kept from before steps that left the network unable to learn;
        what their test-set measurement needs."""
        with self._changing():
            # The network is what it was then: the steps its weights held since are undone, whatever the run counts.
            held = run.held
            end = run.go_back(good)
            self._steps = max(0, self._steps - (held - run.held))
            if good is self._kept[0]:
                self._nudges = self._kept[1]
        self.on_change()
        return end

    def nudge(
        self, k: int, delta: float, batch: np.ndarray, before: sensitivity.GradientReport, cost: CostName
    ) -> sensitivity.Nudge:
        """Move parameter k by delta, and measure the cost on the training images `batch` before and after."""
        with self._changing():
            nudged = sensitivity.nudge(self._network, k, delta, self.batch(batch), cost, before)
            self._nudges += 1
        self.on_change()
        return nudged

    def batch(self, indices: np.ndarray) -> sensitivity.Batch:
        """Training images by their indices, with their labels, in the chunks a training step takes them in."""
        split = self.data.train
        return ((split.inputs(indices[part]), split.labels[indices[part]]) for part in chunks(len(indices)))

    def saved(self, name: str) -> None:
        self._unsaved = False
        self.models_saved.append(name)
        self.on_kept()

    def unsaved_copy(self, timeout: float = -1) -> tuple[Network, Provenance, int] | None:
        """The network, where it came from and its version, if it holds changes never saved; None if it
        holds none, or if the lock was not free within timeout seconds (a negative one waits as long as
        it takes)."""
        if not self._lock.acquire(timeout=timeout):
            return None
        try:
            if not self._unsaved:
                return None
            provenance = Provenance(self._origin, self._random, self.seed, self._steps, self._nudges)
            return self._network.copy(), provenance, self._version
        finally:
            self._lock.release()

    def restore(self, network: Network, provenance: Provenance) -> None:
        """Take back a network whose changes were never saved, as it was: its words, and still unsaved.
        One that does not fit the data is refused (ModelFileError)."""
        check_fits(network, self.data, provenance.origin)
        with self._changing(new=True):
            self._network = network
        with self._lock:
            self.seed = provenance.seed
            self._origin = provenance.origin
            self._random = provenance.random
            self._steps = provenance.steps
            self._nudges = provenance.nudges
            self._unsaved = True
        self.on_change()

    def copy_network(self) -> Network:
        """The network as it is now, to read outside the lock while training goes on."""
        with self._lock:
            return self._network.copy()

    def figure(self, key: Hashable, compute: Callable[[Network], _T]) -> _T:
        """compute(a copy of the network as it is now), worked out once for each version of the network.

        What a screen draws and what the guided lesson says of it are often the same figure, asked for
        several times in one key press; and a redraw that changed nothing but the ball on a map asks again.
        key names the figure, and whatever besides the network it depends on (the image shown, say).
        """
        with self._lock:
            version = self._version
            if version != self._figures_version:
                self._figures.clear()
                self._figures_version = version
            elif key in self._figures:
                self._figures.move_to_end(key)
                return self._figures[key]  # type: ignore[return-value]
            network = self._network.copy()
        value = compute(network)
        with self._lock:
            if version == self._figures_version:  # not if a step changed the network meanwhile
                self._figures[key] = value
                while len(self._figures) > FIGURES_KEPT:
                    self._figures.popitem(last=False)
        return value

    def versioned_copy(self) -> tuple[Network, int]:
        """The network as it is now and the version it is, taken at one moment."""
        with self._lock:
            return self._network.copy(), self._version

    def first_layer(self, neurons: range, *, wait: bool = True) -> tuple[np.ndarray, np.ndarray] | None:
        """The weights into the first layer's neurons and their gradient in the last step, copied at one moment;
        None, unless wait, while a step holds the lock (a frame of a running run draws the next time)."""
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            return self._network.weights[0][neurons].copy(), self._network.grad_weights[0][neurons].copy()
        finally:
            self._lock.release()

    @property
    def numbered(self) -> bool:
        """Whether the classes are named by their numbers, as MNIST's digits are."""
        return self.data.classes == tuple(str(label) for label in range(len(self.data.classes)))

    def class_name(self, label: int) -> str:
        """What output or label `label` stands for, "7" in MNIST, "Sneaker" in Fashion-MNIST.

        A classes.txt is anyone's text: this, and every sentence built from it here, is text to
        show as written, never markup."""
        return self.data.classes[label]

    def a_class(self, label: int) -> str:
        """The class in a sentence: "a 7", or a name as it is, since its article cannot be told."""
        return f"a {label}" if self.numbered else self.class_name(label)

    def describe(self, short: bool = False) -> str:
        """The chosen input in words: "train #3 of 60,000, a 7", "your drawing"."""
        chosen = self.chosen
        if chosen.source == "drawing":
            return "your drawing"
        if chosen.source == "noise":
            return "random noise"
        label = chosen.label()
        assert label is not None  # a data set's example always has one
        where = f"{chosen.split_name} #{chosen.index:,}"
        if not short:
            where += f" of {len(chosen.split):,}"
        if self.numbered:
            return f"{where}{':' if short else ','} {self.a_class(label)}"
        return f"{where}: {self.class_name(label)}"


class TrainingSession:
    """The run that trains the shared network, and what the Training screen draws of it.

    It holds the network's lock only to step, to copy and to take new settings: a
    snapshot is copied in microseconds, and a frame that finds a long step under way
    draws the newest snapshot the worker took instead of waiting for the step.
    """

    def __init__(self, state: LessonState, lock: threading.RLock) -> None:
        self._state = state
        self._lock = lock
        self.run: TrainingRun | None = None
        self._generation = -1  # of the network the run trains
        self.start_words = "before training"  # the run's first measurement, in the stats line
        self._start_asked: TrainingRun | None = None  # the run whose first measurement was asked for
        # The newest snapshot the training thread took, at the end of a step, under the lock it
        # holds anyway: at full speed a frame would rarely find the lock free to take its own.
        self._posted: RunSnapshot | None = None
        self.shown: RunSnapshot | None = None  # the last snapshot drawn
        self.pacer = Pacer(1 / REDRAW_HZ)  # how a run goes between its steps, and how fast
        # (time, images seen) when the images a second were last measured; None: from the next snapshot on.
        self._speed_seen: tuple[float, int] | None = None
        self._images_per_second: float | None = None
        self.report: tuple[int, sensitivity.GradientReport] | None = None  # and the version it is for
        self.last_nudge: sensitivity.Nudge | None = None
        self.nudged_at = 0  # the run's steps when it was made: the steps since make it a figure of an older network
        self.nudged_over = 0  # the images its costs are over: the next step's then

    def ensure(self) -> TrainingRun:
        """The run of the shared network: a new one when a new network came."""
        state = self._state
        if self.run is not None and self._generation == state.generation and self.run.network is state.network:
            return self.run
        preset = preset_for(state.network)
        previous = self.run
        # A new network of the same kind keeps the learner's η and batch size: only the weights
        # start over. Another kind (softmax outputs, say) takes its own preset's: an η chosen
        # for sigmoid outputs would wreck it in an epoch.
        same_kind = previous is not None and preset_for(previous.network) == preset
        rate, batch = previous.requested if previous and same_kind else (preset.learning_rate, preset.batch_size)
        self.run = TrainingRun(
            state.network,
            state.data.train,
            state.data.test,
            cost=preset.cost,
            learning_rate=rate,
            batch_size=min(batch, len(state.data.train)),
            seed=state.seed,
        )
        self._generation = state.generation
        # The run's first measurement is of the network as the run found it.
        if state.untrained:
            self.start_words = "before training"
        elif state.steps_trained:  # a new network with steps already taken: one restored as it was
            self.start_words = f"restored: {counted(state.steps_trained, 'step')}"
        else:
            self.start_words = "as opened"
        self._posted = self.shown = None
        self.report = None
        self.last_nudge = None
        return self.run

    def start_unasked(self, run: TrainingRun) -> bool:
        """Whether the run's first measurement is still to be asked for: true once for each run."""
        if self._start_asked is run:
            return False
        self._start_asked = run
        return True

    def measure(self, run: TrainingRun, end: EpochEnd | None = None) -> bool:
        """The test set's verdict on the network `end` holds a copy of, kept in the run; with no end, on the
        network before the first step (epoch 0). False if there was nothing to measure: epoch 0 was."""
        if end is None:
            with self._lock:
                end = run.start()
            if end is None:
                return False
        record = run.evaluate(end)  # a pass over the test set: outside the lock
        with self._lock:
            run.add_epoch(record)
        return True

    @property
    def speed(self) -> int:
        """Steps a second while a run goes; 0: flat out."""
        return self.pacer.speed

    @speed.setter
    def speed(self, speed: int) -> None:
        self.pacer.speed = speed
        self._measure_speed_afresh()  # what was measured was at the old speed: not a figure of this one

    def begin(self) -> None:
        """A run or a step is about to start: it goes until paused, and its images a second are measured afresh."""
        self.pacer.start()
        self._measure_speed_afresh()

    def _measure_speed_afresh(self) -> None:
        self._speed_seen = None
        self._images_per_second = None

    def advance(self, run: TrainingRun, goal: Goal, cancelled: Callable[[], bool], progressed: Callable[[], object]) -> Stop:
        """Step the run toward goal, from a worker thread, at the pacer's speed: see `gdtui.core.drive.advance`.

        Between steps, every so often, a snapshot is posted and `progressed` called."""

        def report() -> None:
            self.post(run)
            progressed()

        pacer = self.pacer
        return advance(
            run,
            goal,
            step=lambda: self._state.train(run),
            lock=self._lock,
            going=lambda: not cancelled() and pacer.going(),
            between=pacer.between(report),
        )

    def images_per_second(self, shot: RunSnapshot) -> float | None:
        """Images a second the run under way trains on, measured over a second or more; None before a second is up."""
        now = time.monotonic()
        if self._speed_seen is None:
            self._speed_seen = (now, shot.samples)
        then, samples = self._speed_seen
        if now - then >= 1.0:
            self._images_per_second = (shot.samples - samples) / (now - then)
            self._speed_seen = (now, shot.samples)
        return self._images_per_second

    def post(self, run: TrainingRun) -> None:
        """Keep a snapshot for the screen, from the worker between its steps."""
        with self._lock:
            self._posted = run.snapshot()

    def snapshot(self, run: TrainingRun) -> RunSnapshot | None:
        """A fresh snapshot to draw, kept as `shown`; or, if a long step holds the lock, the newest one
        posted, or the one shown again.

        Only a screen that has drawn nothing yet waits for the lock.
        """
        shown = self.shown
        if not self._lock.acquire(blocking=shown is None):
            posted = self._posted
            if posted is not None and (shown is None or posted.samples >= shown.samples):
                self.shown = posted
            return self.shown
        try:
            self.shown = run.snapshot()
        finally:
            self._lock.release()
        return self.shown

    # -- settings ----------------------------------------------------------------

    def request(self, run: TrainingRun, *, learning_rate: float | None = None, batch_size: int | None = None) -> None:
        """New settings: now if no step is under way, else at the next step, which takes them under the lock."""
        run.request(learning_rate=learning_rate, batch_size=batch_size)
        if self._lock.acquire(blocking=False):
            try:
                run.apply_requests()
            finally:
                self._lock.release()

    def change_rate(self, run: TrainingRun, direction: int) -> bool:
        """The next learning rate up (1) or down (-1); the preset's own is always one of them. False at the
        ladder's end, where there is none."""
        also = [preset_for(run.network).learning_rate]
        rate = run.requested[0]
        wanted = next_learning_rate(rate, direction, also=also)
        self.request(run, learning_rate=wanted)
        return wanted != rate

    def change_batch(self, run: TrainingRun) -> None:
        self.request(run, batch_size=next_batch_size(run.requested[1], len(self._state.data.train)))

    def preset_settings(self, run: TrainingRun) -> tuple[float, int]:
        """The learning rate and batch size a reset may go back to: the preset's for this kind of network."""
        preset = preset_for(run.network)
        return preset.learning_rate, min(preset.batch_size, len(self._state.data.train))

    def go_back(self, run: TrainingRun) -> EpochEnd | None:
        """Back to the weights from before the damage, if the run stopped on a network it left unable to
        learn; what their test-set measurement needs (see `measure`)."""
        good = run.verdict.good
        if good is None:
            return None
        self.last_nudge = None  # of weights given up
        return self._state.go_back(run, good)

    def reset(self, run: TrainingRun, keep: bool) -> None:
        """Fresh random weights from the same seed; and the preset's settings, unless keep."""
        if not keep:
            preset = preset_for(run.network)
            self.request(run, learning_rate=preset.learning_rate, batch_size=preset.batch_size)
        self._state.randomize_network(new_seed=False)

    # -- the gradient of the next step ---------------------------------------------

    def report_wanted(self) -> int | None:
        """The version a gradient report is wanted for, if the one kept is not of the network and the batch as they are."""
        return None if self.current_report() is not None else self._state.version

    @staticmethod
    def gradient_batch(run: TrainingRun) -> np.ndarray:
        """The images the gradient view is about: those the next step takes, so that its −η·∂C/∂w column is the
        step n takes, before the first step as after it."""
        return run.trainer.next_batch()

    def report_inputs(self, run: TrainingRun, *, wait: bool = True) -> tuple[Network, np.ndarray, int] | None:
        """What a gradient report is worked out from, copied at one moment: the network, the batch, the version;
        None, unless wait, while a step holds the lock."""
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            return self._state.network.copy(), self.gradient_batch(run).copy(), self._state.version
        finally:
            self._lock.release()

    def after_going_back(self) -> str:
        """What the Training step asks once weights are put back, while the next step would be at a rate as large as
        that of the steps that broke them: to lower it first; else "". Of the run as last shown, at the rate asked for."""
        if self.run is None or self.shown is None:
            return ""
        return after_going_back(self.shown, self.run.requested[0])

    def shown_report(self) -> sensitivity.GradientReport | None:
        """The gradient report the gradient view shows: of the network as it is now, or, while a run goes on,
        of a few steps ago until the next is worked out."""
        return self.report[1] if self.report is not None else None

    def current_report(self) -> sensitivity.GradientReport | None:
        """The gradient report of the network as it is now, over the next step's images, if it is worked out.
        Without a step the next batch changes only with its size (b)."""
        if self.report is None or self.run is None or self.report[0] != self._state.version:
            return None
        report = self.report[1]
        return report if report.images == len(self.gradient_batch(self.run)) else None

    def nudge(self, run: TrainingRun, k: int, delta: float) -> sensitivity.Nudge:
        report = self.current_report()
        assert report is not None  # a nudge is offered only on the network's own gradient
        with self._lock:
            batch = self.gradient_batch(run).copy()
        self.last_nudge = self._state.nudge(k, delta, batch, report, run.cost)
        self.nudged_at, self.nudged_over = run.trainer.steps, len(batch)
        return self.last_nudge

    def steps_since_nudge(self, run: TrainingRun) -> int:
        return run.trainer.steps - self.nudged_at

    def measured_before_nudge(self, run: TrainingRun, shot: RunSnapshot) -> bool:
        """Whether the snapshot's last test-set verdict is of the weights as they were before a nudge made since:
        no step has come after the nudge, nor after the verdict (going back forgets a nudge made before it)."""
        if self.last_nudge is None or self.steps_since_nudge(run) != 0 or not shot.epochs:
            return False
        return shot.epochs[-1].step == shot.steps

    def measured_when(self, run: TrainingRun, shot: RunSnapshot) -> str | None:
        """When, or of which weights, the snapshot's last test-set verdict was taken, so that it is not read as the
        network's as it is now; None while the weights are measured (every verdict kept is of other weights)."""
        if not shot.epochs:
            return None
        last = shot.epochs[-1]
        if shot.back_to is not None and last.step < shot.steps:
            return None
        if self.measured_before_nudge(run, shot):
            return "before the nudge"
        if last.weights_of is not None:  # weights gone back to, measured between epochs
            # Said to be of them: the run's step then is not theirs, which the lesson counts.
            return "of those weights" if shot.back_to is not None else "of the weights put back"
        if last.epoch:
            return f"after epoch {last.epoch:,}"
        if shot.steps > last.step:
            return f"at step {last.step:,}"
        # "before training", "as opened" or "restored: …", in a line that must fit 80 columns.
        return self.start_words

    def save(self, path: Path) -> Path:
        """Save the network as it is now; where it was written."""
        written = save_model(self._state.copy_network(), path)
        self._state.saved(written.name)
        return written
