"""Step 6: gradient descent on every parameter, one key press at a time or running.

The run itself lives in the core (`TrainingRun`, driven by `advance`) and is
kept by the shared state (`TrainingSession`); a `RunDriver` steps it in a thread.
This screen forwards the keys and draws the run's snapshots, which the session
copies without ever making a frame wait for a long step.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Static

from gdtui.core.drive import HALTS, Goal, advice, next_speed
from gdtui.core.learning_rates import at_the_ladders_end
from gdtui.core.model_io import free_name, replaced_by_saving
from gdtui.core.presets import preset_for
from gdtui.core.run import RunSnapshot, TrainingRun
from gdtui.core.words import counted, percent
from gdtui.ui.cadence import IMAGES_HZ, REDRAW_HZ, Cadence
from gdtui.ui.messages import RunProgressed
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.path_prompt import PathPrompt, in_folder
from gdtui.ui.screens.reset_prompt import ResetPrompt
from gdtui.ui.state import TrainingSession
from gdtui.ui.widgets.gradient_view import NUDGE, GradientView
from gdtui.ui.widgets.neurons_view import NeuronsView
from gdtui.ui.widgets.progress_view import ProgressView
from gdtui.ui.widgets.run_driver import RunDriver

VIEWS = ("progress", "gradient", "neurons")
# Under the lesson's words, a terminal shorter than this has the rows for a run's whole message or for what the
# beat is about, not both: the message is told in brief (at 80×24 it left the gradient's view six rows, the plot four).
BRIEF_BELOW = 30


_PICK = Binding.Group("Pick", compact=True)
_BRACKET = Binding.Group("Nudge/page", compact=True)


class TrainingScreen(LessonScreen):
    TITLE_TEXT = "Training"
    HELP = """\
Here the network learns. Each **step** takes a mini-batch of training images,
computes the gradient of the cost over it — one number per parameter, a vector
with as many components as the network has weights and biases — and moves every
parameter a little against it: **w ← w − η·∂C/∂w**. Press `n` for one step,
`space` to run and pause, `e` to run to the end of the epoch (the pass over the
training set under way); `f` sets how many steps a second a run may take, slow
enough to watch or flat out.

The learning rate η sets the size of the steps (`+` and `-`, at any moment). Too
small and learning crawls; too large and the steps overshoot: the screen says
so when the cost really rises over thousands of images, beyond the noise of
single mini-batches (a few steps by hand are too few to tell). Larger
still, neurons die or saturate (ReLUs that give 0 for every image, sigmoids
stuck at 0 or 1, where the gradient vanishes): the screen says so from the first
check that finds it, and once that has lasted thousands of images, the run
stops: the network can no longer learn. A step that would leap further than all
the parameters' own length (or a cost that blows up) is refused, and stops the
run too. When steps did the damage, `u` (the run paused) goes back to the best
weights a check found able to learn (those from just before η was last raised
count as the best if about as good); before the next step, while η is as large
as the rate of those steps, the screen asks for a smaller one.
`b` changes the batch size: 1 image, 10, 100 or the whole training set.

`v` switches views: the cost curve and the current mini-batch; **the gradient**
itself, ranked: which parameters matter most right now, and which hardly at all —
pick one with the arrow keys and nudge it with `[` and `]` to see the cost change
by about ∂C/∂w · Δw; and the first layer's neurons, their weights above and
their gradient below, or beside them where the rows are few (`[` and `]` page
through them).

`r` resets to fresh random weights (and, if you like, the preset's η and batch);
`s` saves the network, `o` opens a saved one. What you train here is the network
every other step shows: the Network and Cost steps, the network's curve and
landscape on One and Two parameters, Next and Backprop."""

    BINDINGS = [
        Binding("n", "step", "Step", tooltip="One step, on one mini-batch"),
        Binding("space", "run", "Run", tooltip="Run, or pause"),
        Binding("e", "epoch", "Epoch", tooltip="To the end of the epoch: the pass over the training set under way"),
        Binding("plus,equals_sign", "rate(1)", "η+", tooltip="A larger learning rate η"),
        Binding("minus", "rate(-1)", "η−", tooltip="A smaller learning rate η"),
        Binding("b", "batch", "Batch", tooltip="The batch size: 1, 10, 100 images or the whole set"),
        Binding("f", "speed", "Speed", tooltip="Steps a second while running: 1, 10, 100 or flat out"),
        Binding("v", "view", "View", tooltip="The next view: the cost curve, the gradient, the first layer's neurons"),
        Binding("r", "reset", "Reset", tooltip="Fresh random weights"),
        Binding("u", "go_back", "Go back", tooltip="Back to the weights from before steps that left the network unable to learn"),
        Binding("s", "save", "Save", tooltip="Save the network"),
        Binding("o", "open_model", "Open", tooltip="Open a saved network"),
        Binding("up", "pick(-1)", "Pick", group=_PICK, tooltip="Pick a parameter in the gradient view: up"),
        Binding("down", "pick(1)", "Pick", group=_PICK, tooltip="Pick a parameter in the gradient view: down"),
        Binding(
            "left_square_bracket",
            "bracket(-1)",
            "Nudge − / page",
            group=_BRACKET,
            tooltip="Nudge the picked parameter by −0.1; previous neurons",
        ),
        Binding(
            "right_square_bracket",
            "bracket(1)",
            "Nudge + / page",
            group=_BRACKET,
            tooltip="Nudge the picked parameter by +0.1; next neurons",
        ),
    ]

    DEFAULT_CSS = """
    TrainingScreen #stats { height: 3; text-wrap: nowrap; text-overflow: ellipsis; }
    TrainingScreen #message { height: auto; color: $text-warning; }
    TrainingScreen ContentSwitcher { height: 1fr; }
    TrainingScreen #progress-view, TrainingScreen #gradient-view, TrainingScreen #neurons-view { height: 1fr; }
    TrainingScreen #opening { height: auto; padding: 1 1 0 1; }
    TrainingScreen #legend { height: 1; }
    TrainingScreen #ranking { height: auto; max-height: 14; }
    TrainingScreen #nudge, TrainingScreen #gradient-summary { height: auto; }
    TrainingScreen.-guided #batch, TrainingScreen.-guided #batch-title { display: none; }
    """

    running: reactive[bool] = reactive(False)
    view: reactive[str] = reactive("progress")
    page: reactive[int] = reactive(0)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._frames, self._images = Cadence(REDRAW_HZ), Cadence(IMAGES_HZ)
        self._drawn_version = -1  # the network's version the last redraw showed, or a later one
        self._told: tuple[str, bool, bool] | None = None  # what the lesson was last told of the message (_draw_message)

    def compose_body(self) -> ComposeResult:
        yield RunDriver(self.training)
        yield Static(id="stats")
        yield Static(id="message")
        with ContentSwitcher(initial="progress-view"):
            yield ProgressView(id="progress-view")
            yield GradientView(id="gradient-view")
            yield NeuronsView(id="neurons-view")

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1 / REDRAW_HZ, self._run_frame, pause=True)
        self.watch(self.app, "network_version", self._network_changed, init=False)

    def _network_changed(self) -> None:
        # Another step, a prompt or the teacher changed the network: show it, unless a run is drawing anyway
        # or this screen has drawn it already (its own step).
        if self.is_current and not self.running and self.state.version != self._drawn_version:
            self.redraw()

    # -- the run ---------------------------------------------------------------

    @cached_property
    def training(self) -> TrainingSession:
        """The shared state's run: kept here too, so the run can be read once the app is gone."""
        return self.state.training

    @cached_property
    def driver(self) -> RunDriver:
        return self.query_one(RunDriver)

    def busy(self) -> bool:
        # A step is quick, and the keys after it act on what it made. A run or an epoch can go on for
        # minutes: keys act on it as they come (space pauses it, + changes η at the next step). A nudge's
        # gradient too: the next nudge waits until it is worked out.
        working = self.view == "gradient" and self.query_one(GradientView).working()
        return not self.running and (self.driver.stepping or working)

    def _start(self, goal: Goal) -> None:
        # During a run n and e mean nothing, and space pauses it (see action_run).
        if self.driver.start(goal):
            # A single step is over before the footer could show it running; and each change of
            # `running` rebuilds the footer, which would double what a press of n costs.
            self.running = goal != "step"
            if self.running:
                self._ticker.resume()

    def on_run_driver_stopped(self, event: RunDriver.Stopped) -> None:
        if self.driver.stepping:
            return  # of steps asked for before those going now, which a key started while this was on its way up
        self._stopped()
        # Stopped by a divergence or a stuck network: the steps and runs asked for after it are moot.
        self.release_keys(drop=("n", "e", "space") if event.why in HALTS else ())

    def on_gradient_view_reported(self, _: GradientView.Reported) -> None:
        self.post_message(self.Shown(self))  # the lesson's words may speak of it
        self.release_keys()

    def on_run_progressed(self, _: RunProgressed) -> None:
        if self.running:
            self._run_frame()
        else:
            self.redraw()

    def _run_frame(self) -> None:
        """A frame of a run going on. The timer and the run's messages both ask: REDRAW_HZ frames in all."""
        if self._frames.due(live=True):
            self.redraw(live=True)

    def _stopped(self) -> None:
        self.running = False
        self._ticker.pause()
        self.redraw()
        self.gdtui.network_changed()  # for the others: this screen has just drawn it (see _network_changed)
        self.refresh_bindings()  # u, if the run left weights it can go back from

    def on_screen_suspend(self) -> None:
        # What the other steps show is the network as it is: a run must not change it under them.
        self.driver.pause()

    # -- drawing ---------------------------------------------------------------

    def redraw(self, live: bool = False) -> None:
        run = self.driver.ensure()
        version = self.state.version  # before the snapshot: what it shows is this version or a later one
        shot = self.training.snapshot(run)
        if shot is None:
            return
        self._drawn_version = version
        idle = self.training.pacer.idle
        idle.clear()
        self.call_after_refresh(idle.set)
        self._draw_stats(run, shot)
        self._draw_message(shot)
        if self.view == "progress":
            self.query_one(ProgressView).show(self.state, shot, live, guided=self.has_class("-guided"))
        elif self.view == "gradient":
            self.query_one(GradientView).show(self.state, run, live)
        elif self._images.due(live):
            self.query_one(NeuronsView).show(self.state, self.page, run.trainer.steps > 0, live)

    @on(events.Resize)
    def _message_for_the_height(self) -> None:
        if self.training.shown is not None:
            self._draw_message(self.training.shown)

    def _draw_message(self, shot: RunSnapshot) -> None:
        message = self.query_one("#message", Static)
        brief = self.has_class("-guided") and self.size.height < BRIEF_BELOW
        text = advice(shot.verdict, paused=not self.running, brief=brief) or self.training.after_going_back()
        # Its height follows its text, so an update costs a layout of the whole screen: only on a change.
        if text != message.content:
            message.update(text)
        # The Learning beat says whether there is such a message, and of which kind: told of a change in that, not of
        # every new figure (a failing run's changes at each check, and the beat's words measure the test set again).
        told = (shot.verdict.kind, shot.verdict.good is not None, bool(text))
        if told != self._told:
            self._told = told
            self.post_message(self.Shown(self))
        # Empty, it would still take a row: the one the neurons' last captions need at 80×24.
        message.display = bool(text)

    def _speed_text(self, shot: RunSnapshot) -> str:
        if not self.running:
            return "paused"
        per_second = self.training.images_per_second(shot)
        measured = f", {counted(round(per_second), 'image')}/s" if per_second is not None else ""
        epoch = self.driver.epoch_goal
        to = f" to the end of epoch {epoch:,}" if epoch is not None else ""
        return f"running{to}{measured}"

    def _draw_stats(self, run: TrainingRun, shot: RunSnapshot) -> None:
        rate, batch_size = run.requested  # what a key just asked for shows at once
        batch = "all" if batch_size == shot.train_size else f"{batch_size:,}"
        when = self.training.measured_when(run, shot)
        if when is None:
            accuracy = "test accuracy: measuring…"
        else:
            accuracy = f"test accuracy [b]{percent(shot.epochs[-1].test_accuracy)}[/b] ({when})"
        images = "whole training set" if shot.last_batch_size == shot.train_size else "last mini-batch"
        if shot.back_to is not None:  # the last mini-batch's cost was of the weights given up
            cost = f"weights of step [b]{shot.back_to:,}[/b] put back"
        elif shot.last_cost is not None:
            cost = f"cost [b]{shot.last_cost:.4f}[/b] ({images})"
        else:
            cost = "no step yet"
        # Every other step counts the steps the weights hold: the run's count says how many of it those are not.
        undone = f" ({shot.undone:,} undone)" if shot.undone else ""
        speed = f"up to {counted(self.training.speed, 'step')}/s" if self.training.speed else "full speed"  # what it may take
        stats = self.query_one("#stats", Static)
        room = stats.content_size.width or self.app.size.width  # before the first layout, the terminal's
        images = f"  {counted(shot.samples, 'image')}"
        view = f"  [dim]view {VIEWS.index(self.view) + 1}/{len(VIEWS)}[/dim]"
        # Whole, or without the view's number (the footer's v says it), then without the images seen (the epoch
        # says as much): never a batch size cut to another number.
        for extra, shown in ((images, view), (images, ""), ("", "")):
            first = (
                f"step [b]{shot.steps:,}[/b]{undone}  epoch [b]{shot.epoch:.2f}[/b]{extra}  "
                f"η [b]{rate:g}[/b]  batch [b]{batch}[/b]{shown}"
            )
            if Content.from_markup(first).cell_length <= room:
                break
        stats.update(
            f"{first}\n{cost}  {accuracy}\n[dim]speed {speed} · {self._speed_text(shot)}[/dim]",
            layout=False,  # three lines, always: no layout of the screen for it
        )

    # -- keys ------------------------------------------------------------------

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("reset", "save", "open_model") and self.running:
            return None
        if action == "go_back":  # listed only while there is damage to undo
            return not self.running and self.training.shown is not None and self.training.shown.verdict.good is not None
        # Keys of the other views show dimmed, so the learner knows they exist.
        if action == "pick":
            return self.view == "gradient" or None
        if action == "bracket":
            return self.view != "progress" or None
        return True

    def watch_running(self) -> None:
        self.refresh_bindings()
        self.post_message(self.Shown(self))  # the lesson speaks of the network as it is only while no run moves it

    def watch_view(self, view: str) -> None:
        self.refresh_bindings()
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
            self.driver.pause()
        else:
            self._start("run")

    def action_rate(self, direction: int) -> None:
        run = self.driver.ensure()
        if not self.training.change_rate(run, direction):
            self.refuse(at_the_ladders_end(run.requested[0], direction))
            return
        if self.training.shown is not None:
            # Only the numbers change: redrawing the plot too would make the key wait for it.
            self._draw_stats(run, self.training.shown)
            self._draw_message(self.training.shown)  # weights put back ask for a smaller η: told once it is
        if self.view == "gradient":  # its −η·∂C/∂w column is the next step's, at the new η
            self.query_one(GradientView).show(self.state, run, live=self.running)

    def action_batch(self) -> None:
        run = self.driver.ensure()
        self.training.change_batch(run)
        if self.training.shown is not None:
            self._draw_stats(run, self.training.shown)
        if self.view == "gradient":  # of the images the next step takes: as many as asked for now
            self.query_one(GradientView).show(self.state, run, live=self.running)

    def action_speed(self) -> None:
        self.training.speed = next_speed(self.training.speed)
        run = self.driver.ensure()  # first: a new run has nothing to show yet
        if self.training.shown is not None:
            self._draw_stats(run, self.training.shown)

    def action_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]

    def action_set_view(self, view: str) -> None:
        self.view = view

    def action_reset(self) -> None:
        def chosen(replace: bool | None) -> None:
            if replace:
                self._ask_settings()

        if self.state.unsaved:  # trained or nudged since it was made, opened or saved
            self.app.push_screen(DiscardPrompt(self.state.network_origin, self), chosen)
        else:
            self._ask_settings()

    def _ask_settings(self) -> None:
        run = self.driver.ensure()
        settings = self.training.preset_settings(run)
        if run.requested == settings:
            self._reset(keep=True)
            return

        def chosen(answer: str | None) -> None:
            if answer is not None:
                self._reset(keep=answer == "keep")

        self.app.push_screen(ResetPrompt(self.state.seed, run.requested, settings, preset_for(run.network).name), chosen)

    def action_go_back(self) -> None:
        if self.driver.go_back():  # the network's change redraws the screen (see _network_changed)
            self.refresh_bindings()

    def _reset(self, keep: bool) -> None:
        self.training.reset(self.driver.ensure(), keep)
        self.redraw()

    def action_pick(self, direction: int) -> None:
        self.query_one(GradientView).pick(direction)

    def action_bracket(self, direction: int) -> None:
        if self.view == "neurons":
            self.page += direction
        elif self.view == "gradient":
            self._nudge(direction * NUDGE)

    def _nudge(self, delta: float) -> None:
        if self.running:
            self.refuse("Pause the run (space) to nudge a weight.")
            return
        view = self.query_one(GradientView)
        k = view.picked()
        if k is None or self.training.current_report() is None:
            self.refuse("Let the gradient be worked out first.")
            return
        view.nudging()  # only now: a nudge refused leaves a pick set aside as it was
        self.training.nudge(self.driver.ensure(), k, delta)
        self.redraw()

    def action_save(self) -> None:
        def saved(written: Path | None) -> None:
            if written is not None:
                self.notify(in_folder(f"Saved as {written}", self.gdtui.files_root), title="Model saved", markup=False)

        folder = self.gdtui.files_root or Path.cwd()
        prompt = PathPrompt(
            "Save the network as (.npz):", free_name(folder), accept=self.training.save, replacing=replaced_by_saving
        )
        self.app.push_screen(prompt, saved)
