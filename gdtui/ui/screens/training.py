"""Step 6: gradient descent on every parameter, one key press at a time or running."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Static
from textual.worker import get_current_worker

from gdtui.core import sensitivity
from gdtui.core.errors import GdtuiError
from gdtui.core.history import CostHistory, EpochRecord, bounded
from gdtui.core.learning_rates import next_learning_rate
from gdtui.core.model_io import save_model
from gdtui.core.presets import PRESETS
from gdtui.core.training import Trainer, evaluate
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.path_prompt import PathPrompt, in_folder
from gdtui.ui.widgets.cost_plot import CostPlot
from gdtui.ui.widgets.thumbnails import Thumb, Thumbnails, shrink

BATCH_SIZES = (1, 10, 100, 0)  # 0: the whole training set
VIEWS = ("progress", "gradient", "neurons")
NUDGE = 0.1  # Δw of one nudge: small enough for the slope to predict it well
NUDGE_SAMPLE = 1000  # training images the nudged cost is measured on
REDRAW_HZ = 5  # what the eye needs while a run goes; more frames cost keys their speed and SSH bandwidth
SCREEN_WAIT_S = 0.1  # the longest the worker waits for a frame: a frame lost on exit must not stall it
RISING_AFTER = 200  # steps before the cost's trend is judged
RISING_FACTOR = 1.5  # a running-average cost this many times its lowest is rising, not noise


class TrainingScreen(LessonScreen):
    TITLE_TEXT = "Training"
    HELP = """\
Here the network learns. Each **step** takes a mini-batch of training images,
computes the gradient of the cost over it — one number per parameter, a vector
with as many components as the network has weights and biases — and moves every
parameter a little against it: **w ← w − η·∂C/∂w**. Press `n` for one step,
`space` to run and pause, `e` for one epoch (one pass over the training set).

The learning rate η sets the size of the steps (`+` and `-`, at any moment). Too
small and learning crawls; too large and the steps overshoot: the screen warns
when the cost keeps rising, and when it blows up altogether the run stops with
the weights as they were before the blow-up.
`b` changes the batch size: 1 image, 10, 100 or the whole training set.

`v` switches views: the cost curve and the current mini-batch; **the gradient**
itself, ranked: which parameters matter most right now, and which hardly at all —
pick one with the arrow keys and nudge it with `[` and `]` to see the cost change
by about ∂C/∂w · Δw; and the first layer's neurons, their weights above and
their gradient below (`[` and `]` page through them).

`r` resets to fresh random weights; `s` saves the network, `o` opens a saved one.
What you train here is what the Network and Cost steps show."""

    BINDINGS = [
        Binding("n", "step", "Step"),
        Binding("space", "run", "Run"),
        Binding("e", "epoch", "Epoch"),
        Binding("plus,equals_sign", "rate(1)", "η+"),
        Binding("minus", "rate(-1)", "η−"),
        Binding("b", "batch", "Batch"),
        Binding("v", "view", "View"),
        Binding("r", "reset", "Reset weights", show=False),
        Binding("s", "save", "Save model", show=False),
        Binding("o", "open_model", "Open model", show=False),
        Binding("left_square_bracket", "bracket(-1)", "Nudge − / page", show=False),
        Binding("right_square_bracket", "bracket(1)", "Nudge + / page", show=False),
    ]

    DEFAULT_CSS = """
    TrainingScreen #stats { height: 2; }
    TrainingScreen #message { height: auto; color: $warning; }
    TrainingScreen ContentSwitcher { height: 1fr; }
    TrainingScreen #progress-view, TrainingScreen #gradient-view, TrainingScreen #neurons-view { height: 1fr; }
    TrainingScreen #ranking { height: auto; max-height: 14; }
    TrainingScreen #nudge, TrainingScreen #gradient-summary { height: auto; }
    """

    running: reactive[bool] = reactive(False)
    view: reactive[str] = reactive("progress")
    page: reactive[int] = reactive(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        # The worker steps under this lock; the screen reads under it, so it never
        # draws a half-updated network.
        self.lock = threading.Lock()
        # Clear while the screen draws, from taking the lock to the frame on the terminal.
        self._screen_idle = threading.Event()
        self._screen_idle.set()
        self._pause = threading.Event()
        self._busy = False  # the worker is taking steps, be it one or a run
        self.trainer: Trainer | None = None
        self._version = -1
        self.history = CostHistory()
        self.epochs: list[EpochRecord] = []
        self.message = ""
        self.selected: int | None = None
        self.last_nudge: sensitivity.Nudge | None = None
        self._epoch_cost = 0.0
        self._epoch_examples = 0
        self._run_started = (0.0, 0)
        self._forget_trend()

    def compose_body(self) -> ComposeResult:
        yield Static(id="stats")
        yield Static(id="message")
        with ContentSwitcher(initial="progress-view"):
            with Vertical(id="progress-view"):
                yield CostPlot(id="plot")
                yield Thumbnails(id="batch", max_rows=1)
            with Vertical(id="gradient-view"):
                yield Static(id="gradient-summary")
                yield DataTable(id="ranking", cursor_type="row", zebra_stripes=True)
                yield Static(id="nudge")
            with Vertical(id="neurons-view"):
                yield Static(id="neurons-title")
                yield Thumbnails(id="neuron-weights")
                yield Thumbnails(id="neuron-gradients")

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#ranking", DataTable)
        table.add_columns("#", "parameter", "∂C/∂w", "step will", "matters")
        self._ticker = self.set_interval(1 / REDRAW_HZ, self._tick, pause=True)

    # -- the trainer ---------------------------------------------------------

    def _ensure_trainer(self) -> Trainer:
        """A trainer for the state's network; a new one if another step replaced the network."""
        network = self.state.network
        if self.trainer is None or self.trainer.network is not network or self._version != self.state.version:
            preset = PRESETS["tuned" if network.output == "softmax" else "lesson"]
            previous = self.trainer
            self.trainer = Trainer(
                network,
                self.state.data.train,
                cost=preset.cost,
                # A new network keeps the learner's η and batch size: only the weights start over.
                learning_rate=previous.learning_rate if previous else preset.learning_rate,
                batch_size=min(previous.batch_size if previous else preset.batch_size, len(self.state.data.train)),
                seed=self.state.seed,
            )
            self._version = self.state.version
            self._forget_run()
        return self.trainer

    def _forget_trend(self) -> None:
        self._smoothed: float | None = None
        self._lowest = math.inf
        self.rising = False

    def _forget_run(self) -> None:
        self._forget_trend()
        self.history.clear()
        self.epochs = []
        self.last_nudge = None
        self._epoch_cost, self._epoch_examples = 0.0, 0

    def _record(self, trainer: Trainer, cost: float) -> bool:
        """Book-keeping after a step, in the worker, under the lock. True when the step ended an epoch."""
        self.history.add(trainer.steps, cost)
        # A running average smooths the mini-batch noise; well above its lowest point, the
        # steps overshoot. Sigmoid networks saturate rather than blow up, so this is how a
        # too-large η mostly shows.
        # Read once: a change of η may reset the trend from the screen's thread meanwhile.
        smoothed = self._smoothed
        smoothed = cost if smoothed is None else 0.99 * smoothed + 0.01 * cost
        self._smoothed, self._lowest = smoothed, min(self._lowest, smoothed)
        self.rising = trainer.steps > RISING_AFTER and smoothed > RISING_FACTOR * self._lowest
        self._epoch_cost += cost * len(trainer.last_batch)
        self._epoch_examples += len(trainer.last_batch)
        return trainer.epochs_done > (self.epochs[-1].epoch if self.epochs else 0)

    def _record_epoch(self, trainer: Trainer) -> None:
        """The test set's verdict on the epoch just ended, in the worker."""
        # Outside the lock: a pass over the test set takes as long as a hundred steps or more,
        # and the screen may draw and answer keys meanwhile. Nothing on this screen changes
        # the network while a run goes, and a pass forward writes nothing the screen reads.
        test = evaluate(trainer.network, self.state.data.test, trainer.cost)
        with self.lock:
            if trainer is not self.trainer:  # a reset meanwhile: this epoch belongs to no run shown
                return
            self.epochs.append(
                EpochRecord(trainer.epochs_done, trainer.steps, self._epoch_cost / self._epoch_examples, test.cost, test.accuracy)
            )
            self.epochs = bounded(self.epochs)
            self._epoch_cost, self._epoch_examples = 0.0, 0

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train(self, goal: str) -> None:
        worker = get_current_worker()
        trainer = self.trainer
        epoch_goal = trainer.epochs_done + 1
        self._run_steps(worker, trainer, goal, epoch_goal)
        self.app.call_from_thread(self._stopped)

    def _run_steps(self, worker, trainer: Trainer, goal: str, epoch_goal: int) -> None:
        while not worker.is_cancelled:
            with self.lock:
                # Checked under the lock: a reset between two steps must stop this loop
                # before it takes one more step with the old trainer.
                if self._pause.is_set() or trainer is not self.trainer:
                    break
                result = trainer.step()
                epoch_ended = not result.diverged and self._record(trainer, result.cost)
            if epoch_ended:
                self._record_epoch(trainer)
            if result.diverged or goal == "step" or (goal == "epoch" and trainer.epochs_done >= epoch_goal):
                break
            # Between steps this loop holds the GIL, and the screen's thread gets it only
            # every few milliseconds: drawing a frame would take three times as long, and a
            # key pressed meanwhile would wait for it. Waiting here hands the GIL over.
            self._screen_idle.wait(SCREEN_WAIT_S)

    def _start(self, goal: str) -> None:
        if self._busy:
            return
        trainer = self._ensure_trainer()
        if trainer.diverged:
            trainer.recover()
        self.message = ""
        self._pause.clear()
        self._busy = True
        # A single step is over before the footer could show it running; and each change of
        # `running` rebuilds the footer, which would double what a press of n costs.
        self.running = goal != "step"
        self._run_started = (time.perf_counter(), trainer.samples_seen)
        self._ticker.resume()
        self._train(goal)

    def _stopped(self) -> None:
        trainer = self.trainer
        self._busy = False
        self.running = False
        self._ticker.pause()
        if trainer.diverged:
            self.message = (
                f"The cost blew up (it is no longer a finite number): η = {trainer.learning_rate:g} makes the "
                "steps overshoot and grow. The weights are the last good ones: lower η with - and go on, or r resets."
            )
        if trainer.steps:
            steps = f"{trainer.steps:,} step" + ("s" if trainer.steps != 1 else "")
            self.state.network_origin = f"trained {steps} from seed {self.state.seed}"
            self.state.unsaved = True
        self.redraw()

    def pause(self) -> None:
        """Stop a run after its current step."""
        self._pause.set()

    def on_unmount(self) -> None:
        self._pause.set()

    def on_screen_suspend(self) -> None:
        # The other steps change the network in place (re-randomise, nudge) without this
        # screen's lock: a run must not go on under them.
        self.pause()

    # -- drawing -------------------------------------------------------------

    def _tick(self) -> None:
        self.redraw()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """The lock, for the screen's thread: the worker steps aside until the frame drawn under it is out."""
        self._screen_idle.clear()
        try:
            with self.lock:
                yield
        finally:
            self.call_after_refresh(self._screen_idle.set)

    def redraw(self) -> None:
        trainer = self._ensure_trainer()
        with self._locked():
            self._draw_stats(trainer)
            self._draw_message(trainer)
            if self.view == "progress":
                self.query_one(CostPlot).show(self.history, self.epochs, trainer.cost)
                self._draw_batch(trainer)
            elif self.view == "gradient":
                self._draw_gradient(trainer)
            else:
                self._draw_neurons(trainer)

    def _draw_message(self, trainer: Trainer) -> None:
        message = self.query_one("#message", Static)
        text = self.message or self._warning(trainer)
        # Its height follows its text, so an update costs a layout of the whole screen: only on a change.
        if text != message.content:
            message.update(text)

    def _warning(self, trainer: Trainer) -> str:
        if not self.rising:
            return ""
        return (
            f"The cost is rising: at η = {trainer.learning_rate:g} the steps overshoot the valley. "
            "Lower η with -, or r starts again from fresh weights."
        )

    def _draw_stats(self, trainer: Trainer) -> None:
        if self.running:
            started, samples = self._run_started
            elapsed = time.perf_counter() - started
            speed = f"{(trainer.samples_seen - samples) / elapsed:,.0f} samples/s" if elapsed > 0.2 else "…"
        else:
            speed = "paused"
        batch = "all" if trainer.batch_size == len(trainer.train) else f"{trainer.batch_size:,}"
        cost = f"{self.history.costs[-1]:.4f}" if len(self.history) else "—"
        accuracy = (
            f"test accuracy [b]{self.epochs[-1].test_accuracy:.1%}[/b] (epoch {self.epochs[-1].epoch})"
            if self.epochs
            else "test accuracy after each epoch"
        )
        second = (
            f"cost [b]{cost}[/b] (last batch)  {accuracy}  [dim]{speed}[/dim]"
            if trainer.steps
            else "Press [b]n[/b] for one step, [b]space[/b] to run, [b]e[/b] for a whole epoch."
        )
        self.query_one("#stats", Static).update(
            f"step [b]{trainer.steps:,}[/b]  epoch [b]{trainer.epoch:.2f}[/b]  {trainer.samples_seen:,} samples  "
            f"η [b]{trainer.learning_rate:g}[/b]  batch [b]{batch}[/b]  "
            f"[dim]view {VIEWS.index(self.view) + 1}/{len(VIEWS)}: {self.view}[/dim]\n{second}",
            layout=False,  # two lines, always: no layout of the screen for it
        )

    def _draw_batch(self, trainer: Trainer) -> None:
        strip = self.query_one("#batch", Thumbnails)
        shown = trainer.last_batch[: strip.fits_in_row(14)]
        if len(shown) == 0:
            strip.show([])
            return
        guesses = trainer.last_outputs[: len(shown)].argmax(axis=1)
        thumbs = []
        for index, guess in zip(shown, guesses):
            label = int(trainer.train.labels[index])
            image = trainer.train.inputs(int(index)).reshape(self.state.data.image_shape)
            right = int(guess) == label
            caption = f"{guess} ✓" if right else f"{guess} ✗ is {label}"
            thumbs.append(Thumb(shrink(image), caption, caption_style="green" if right else "red"))
        strip.show(thumbs)

    def _draw_gradient(self, trainer: Trainer) -> None:
        network = trainer.network
        grad = network.grad
        norm = float(np.linalg.norm(grad))
        self.query_one("#gradient-summary", Static).update(
            f"The gradient ∇C has [b]{network.num_params:,}[/b] components, one per parameter. "
            f"Its length |∇C| = [b]{norm:.4g}[/b]"
            + (" (last mini-batch)." if trainer.steps else ": take a step (n) to compute it.")
        )
        if not trainer.steps:
            return
        table = self.query_one("#ranking", DataTable)
        rows = [(rank, c) for rank, c in enumerate(sensitivity.largest(grad, 8), start=1)]
        rows += [("·", c) for c in sensitivity.smallest(grad, 3)]
        keep = table.cursor_row
        table.clear()
        for rank, c in rows:
            description = network.parameter(c.index).describe(self.state.data.image_shape)
            table.add_row(str(rank), description, f"{c.gradient:+.2e}", c.direction, c.importance, key=str(c.index))
        table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        self._draw_nudge()

    def _draw_nudge(self) -> None:
        nudge = self.last_nudge
        if nudge is None:
            text = f"Pick a parameter with ↑/↓ and nudge it with \\[ and ] (Δw = ±{NUDGE}): the cost changes by about ∂C/∂w · Δw."
        else:
            which = self.trainer.network.parameter(nudge.index).describe(self.state.data.image_shape)
            text = (
                f"Nudged {which} by {nudge.delta:+g}: the cost on {NUDGE_SAMPLE:,} training images "
                f"went {nudge.cost_before:.5f} → {nudge.cost_after:.5f}.\n"
                f"measured ΔC = [b]{nudge.measured:+.2e}[/b]   predicted ∂C/∂w · Δw = [b]{nudge.predicted:+.2e}[/b]"
            )
        self.query_one("#nudge", Static).update(text)

    def _neurons_per_page(self) -> int:
        return max(1, (self.size.width + 1) // 15)

    def _draw_neurons(self, trainer: Trainer) -> None:
        network = trainer.network
        count = network.sizes[1]
        per_page = self._neurons_per_page()
        first = (self.page * per_page) % count
        neurons = range(first, min(first + per_page, count))
        shape = self.state.data.image_shape
        weights = [shrink(network.weights[0][j].reshape(shape)) for j in neurons]
        grads = [shrink(network.grad_weights[0][j].reshape(shape)) for j in neurons]
        weight_scale = max(float(np.abs(w).max()) for w in weights) or 1.0
        grad_scale = max(float(np.abs(g).max()) for g in grads) or 1.0
        self.query_one("#neurons-title", Static).update(
            f"First layer, neurons {neurons.start}–{neurons.stop - 1} of {count}: the weights from each pixel "
            "(top) and their gradient (below). Blue +, red −.  [ ] page"
        )
        self.query_one("#neuron-weights", Thumbnails).show(
            [Thumb(w, f"{j} w", signed=True, scale=weight_scale) for j, w in zip(neurons, weights)]
        )
        self.query_one("#neuron-gradients", Thumbnails).show(
            [Thumb(g, f"{j} ∂C/∂w", signed=True, scale=grad_scale) for j, g in zip(neurons, grads)]
        )

    # -- keys ------------------------------------------------------------------

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reset", "save", "open_model") and self.running:
            return None
        return True

    def watch_running(self) -> None:
        self.refresh_bindings()

    def watch_view(self, view: str) -> None:
        if self.is_mounted:
            self.query_one(ContentSwitcher).current = f"{view}-view"
            if view == "gradient":
                self.query_one("#ranking", DataTable).focus()
            self.redraw()

    def watch_page(self) -> None:
        if self.is_mounted:
            self.redraw()

    def action_step(self) -> None:
        self._start("step")

    def action_epoch(self) -> None:
        self._start("epoch")

    def action_run(self) -> None:
        if self.running:
            self.pause()
        else:
            self._start("run")

    def action_rate(self, direction: int) -> None:
        trainer = self._ensure_trainer()
        with self._locked():  # so the numbers drawn belong to one step
            trainer.learning_rate = next_learning_rate(trainer.learning_rate, direction)
            self._forget_trend()  # judge the new η on its own steps
            # Only the numbers change: redrawing the plot too would make the key wait for it.
            self._draw_stats(trainer)
            self._draw_message(trainer)

    def action_batch(self) -> None:
        trainer = self._ensure_trainer()
        n = len(trainer.train)
        sizes = [size or n for size in BATCH_SIZES if (size or n) <= n]
        current = sizes.index(trainer.batch_size) if trainer.batch_size in sizes else -1
        trainer.batch_size = sizes[(current + 1) % len(sizes)]
        self.redraw()

    def action_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]

    def action_reset(self) -> None:
        with self._locked():
            self.state.randomize_network(new_seed=False)
        self.message = ""
        self.redraw()

    def action_bracket(self, direction: int) -> None:
        if self.view == "neurons":
            self.page += direction
        elif self.view == "gradient":
            self._nudge(direction * NUDGE)

    def _nudge(self, delta: float) -> None:
        if self.running:
            self.notify("Pause the run (space) to nudge a weight.", severity="warning")
            return
        table = self.query_one("#ranking", DataTable)
        if table.row_count == 0:
            self.notify("Take a step first (n): the gradient comes from a mini-batch.", severity="warning")
            return
        k = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        trainer = self.trainer
        split = self.state.data.train
        sample = slice(0, min(NUDGE_SAMPLE, len(split)))
        with self._locked():
            self.last_nudge = sensitivity.nudge(
                trainer.network, k, delta, split.inputs(sample), split.labels[sample], trainer.cost
            )
        self._draw_nudge()

    def action_save(self) -> None:
        def save(path: Path | None) -> None:
            if path is None:
                return
            try:
                with self._locked():
                    written = save_model(self.state.network, path)
            except GdtuiError as err:
                self.notify(in_folder(str(err), self.app.files_root), title="Not saved", severity="error", timeout=8)
                return
            self.state.unsaved = False
            self.notify(in_folder(f"Saved {written}", self.app.files_root), title="Model saved")

        self.app.push_screen(PathPrompt("Save the network as (.npz):", "gdtui-model.npz"), save)
