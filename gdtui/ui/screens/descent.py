"""What the One and Two parameters steps share: stepping downhill by hand.

`DescentScreen` holds a choice of functions (textbook ones, then the
network's own cost along chosen parameters), a ball stepping downhill one key
press at a time or on a timer, the learning rate, the start point, and the
network's slice computed in a thread so the screen never freezes. The thread
posts its progress and returns the slice; a newer slice cancels an older one,
and a change of the network (the app's `network_version`) asks for a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input, Label
from textual.worker import Worker, WorkerState, get_current_worker

from gdtui.core import functions, slices
from gdtui.core.costs import CostName
from gdtui.core.functions import Curve, Descent, Surface
from gdtui.core.learning_rates import at_the_ladders_end, next_learning_rate
from gdtui.core.network import Network
from gdtui.core.words import count
from gdtui.ui.messages import WorkProgressed
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.prompt import Field, Prompt

"""The network's cost is computed at this many values of the parameter and read between them."""


def number(value: float) -> str:
    """Three decimals for everyday sizes, three significant digits for the very small and large."""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.3f}"
    return f"{value:.3g}"


def change(before: float, after: float) -> str:
    """ "from a to b", with digits enough to tell a and b apart: costs not `level` differ within ten."""
    if 1e-3 <= abs(before) < 1e5 and 1e-3 <= abs(after) < 1e5:
        digits = next((d for d in range(3, 11) if f"{before:.{d}f}" != f"{after:.{d}f}"), 3)
        return f"from {before:.{digits}f} to {after:.{digits}f}"
    digits = next((d for d in range(3, 11) if f"{before:.{d}g}" != f"{after:.{d}g}"), 3)
    return f"from {before:.{digits}g} to {after:.{digits}g}"


class ParameterPrompt(Prompt[list[int] | None]):
    """Ask for parameters by their place in the network's flat vector of parameters."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]
    DEFAULT_CSS = """
    ParameterPrompt { align: center middle; }
    ParameterPrompt > Vertical { width: 64; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    ParameterPrompt #problem { color: $text-error; }
    """

    def __init__(self, count: int, total: int, current: Sequence[int]) -> None:
        super().__init__()
        self.count = count
        self.total = total
        self.current = current

    def compose(self) -> ComposeResult:
        which = "Which parameter?" if self.count == 1 else f"Which {self.count} parameters?"
        numbers = "a number" if self.count == 1 else f"{self.count} numbers, separated by a comma,"
        with Vertical():
            yield Label(f"{which} Type {numbers} from 0 to {self.total - 1:,}.")
            yield Field(value=", ".join(str(k) for k in self.current))
            yield Label(id="problem")
            yield Label("[dim]enter to confirm, escape to cancel[/dim]")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        words = event.value.replace(",", " ").split()
        try:
            indices = [int(word) for word in words]
        except ValueError:
            indices = []
        if len(indices) != self.count or not all(0 <= k < self.total for k in indices):
            problem = f"need {self.count} whole number{'s' if self.count > 1 else ''} from 0 to {self.total - 1:,}"
            self.query_one("#problem", Label).update(problem)
        elif len(set(indices)) != len(indices):
            self.query_one("#problem", Label).update("need different parameters")
        else:
            self.dismiss(indices)


START = Binding.Group("Start", compact=True)
"""The arrow keys that move the ball's start."""

DESCENT_BINDINGS = [
    Binding("n", "step", "Step", tooltip="One step downhill"),
    Binding("space", "run", "Run", tooltip="Keep stepping, or stop"),
    Binding("plus,equals_sign", "learning_rate(1)", "η up", tooltip="A larger learning rate η"),
    Binding("minus", "learning_rate(-1)", "η down", tooltip="A smaller learning rate η"),
    Binding("r", "reset", "Reset", tooltip="Back to the start, the path forgotten"),
    Binding("f", "function", "Function", tooltip="The next function: textbook ones, then the network's own cost"),
    Binding("p", "parameter", "Parameter", tooltip="The network's next steep parameter"),
    Binding("i", "index", "By number", tooltip="Any of the network's parameters, by its number"),
]


class DescentScreen(LessonScreen):
    """A ball on a cost that depends on a few numbers, rolling downhill in steps."""

    TEXTBOOK: ClassVar[tuple[Curve | Surface, ...]] = ()
    PICTURE: ClassVar[str] = "picture"
    SIDES: ClassVar[tuple[tuple[str, str], ...]] = (("to the left", "to the right"),)
    """Along each variable, the words for leaving the picture below its range and above it."""
    PARAMETERS: ClassVar[int] = 1
    """How many of the network's parameters its slice varies."""
    NETWORK_LEARNING_RATE: ClassVar[float] = 5.0
    STEPS_PER_SECOND: ClassVar[float] = 4.0
    START_MOVES: ClassVar[int] = 40
    """Key presses to move the start across the picture."""

    running: reactive[bool] = reactive(False, repaint=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choice = 0  # an index into TEXTBOOK; len(TEXTBOOK) is the network
        self.function: Curve | Surface | slices.NetworkCurve | slices.NetworkSurface | None = None
        """None while the network's slice is being computed."""
        self.descent: Descent | None = None
        self.start: np.ndarray = np.zeros(self.PARAMETERS)
        self.progress = 0.0
        self.steepest: list[int] = []
        self.network_indices: list[int] | None = None
        self.computed_version: int | None = None
        """The network's version the slice was taken of."""
        self._slice_worker: Worker | None = None
        self._sample: tuple[object, tuple[np.ndarray, np.ndarray]] | None = None
        self._runner: Timer | None = None
        self._chosen_rate: tuple[list[int], float] | None = None  # the η last set on the network's slice, and along what

    # The choice of function

    @property
    def on_network(self) -> bool:
        return self.choice == len(self.TEXTBOOK)

    @property
    def scale(self) -> float:
        """The width of the region shown, which sets how far the start moves and what counts as blown up."""
        return self.extent()[0][1] - self.extent()[0][0]

    def extent(self) -> tuple[tuple[float, float], ...]:
        """The range shown along each variable."""
        raise NotImplementedError

    def on_mount(self) -> None:
        self._runner = self.set_interval(1 / self.STEPS_PER_SECOND, self._tick, pause=True)
        self.watch(self.app, "network_version", self._network_changed, init=False)
        self.choose(0)

    def choose(self, choice: int) -> None:
        self.running = False
        self.choice = choice
        if self.on_network:
            self.compute_network()
        else:
            self.workers.cancel_group(self, "slice")
            function = self.TEXTBOOK[choice]
            self.use_function(function, function.learning_rate)
        self.refresh_bindings()

    def use_function(self, function: Curve | Surface | slices.NetworkCurve | slices.NetworkSurface, learning_rate: float) -> None:
        self.function = function
        self.start = np.atleast_1d(np.array(function.start, dtype=float))
        self.descent = Descent(function.evaluate, self.start, learning_rate, scale=self.scale)
        if self.is_mounted:
            self.redraw()

    # The network's slice, computed in a thread on a copy of the network

    def sample(self) -> tuple[np.ndarray, np.ndarray]:
        data = self.state.data
        if self._sample is None or self._sample[0] is not data:
            self._sample = (data, slices.fixed_sample(data.train))
        return self._sample[1]

    def compute_network(self, indices: list[int] | None = None) -> None:
        network = self.state.copy_network()
        if indices is not None:
            self.network_indices = indices
        if self.network_indices and max(self.network_indices) >= network.num_params:
            self.network_indices = None
        if isinstance(self.function, slices.NetworkCurve | slices.NetworkSurface) and self.descent is not None:
            self._chosen_rate = (self.function.slice.indices, self.descent.learning_rate)
        self.computed_version = self.state.version
        self.function = None
        self.descent = None
        self.progress = 0.0
        self.refresh_bindings()
        self._slice_worker = self._compute(network, *self.sample(), slices.cost_for(network), self.network_indices)
        if self.is_mounted:
            self.redraw()

    @work(thread=True, exclusive=True, group="slice")
    def _compute(self, network: Network, inputs: np.ndarray, labels: np.ndarray, cost: CostName, indices: list[int] | None):
        worker = get_current_worker()
        steepest = slices.steepest_parameters(network, inputs, labels, cost)
        chosen = indices or self.default_indices(steepest)
        piece = slices.NetworkSlice(network, inputs, labels, cost, chosen)
        points = self.sweep_points(piece)
        values: list[np.ndarray] = []
        for chunk in piece.sweep(points, chunk=max(1, len(points) // 24)):
            if worker.is_cancelled:
                return None
            values.append(chunk)
            self.post_message(WorkProgressed(worker, sum(map(len, values)) / len(points)))
        return self.network_function(piece, points, np.concatenate(values)), steepest

    def on_work_progressed(self, message: WorkProgressed) -> None:
        if message.worker is not self._slice_worker:
            return
        message.stop()
        self.progress = message.fraction
        if self.function is None:
            self.redraw()

    def busy(self) -> bool:
        # Keys typed while the network's slice is worked out act on it once it is there: f n n is two steps on it.
        return self._slice_worker is not None and not self._slice_worker.is_finished

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Only the newest slice is shown: an older one was cancelled when it started.
        if event.worker is not self._slice_worker or not event.worker.is_finished:
            return
        if event.state is WorkerState.SUCCESS and event.worker.result is not None and self.on_network:
            function, self.steepest = event.worker.result
            self.network_indices = function.slice.indices
            rate = self.NETWORK_LEARNING_RATE
            if self._chosen_rate is not None and self._chosen_rate[0] == function.slice.indices:
                rate = self._chosen_rate[1]  # along the same parameters of a network changed since, the learner's η stays
            self.use_function(function, rate)
            self.refresh_bindings()
        self.release_keys()

    def default_indices(self, steepest: list[int]) -> list[int]:
        """The parameters to show when none were asked for."""
        raise NotImplementedError

    def sweep_points(self, piece: slices.NetworkSlice) -> np.ndarray:
        """Where to evaluate the cost: rows of parameter values."""
        raise NotImplementedError

    def network_function(self, piece: slices.NetworkSlice, points: np.ndarray, values: np.ndarray):
        """The swept costs as a function the screen can draw and step on."""
        raise NotImplementedError

    def _network_changed(self) -> None:
        # Shown now, the slice follows at once; hidden, it waits until the screen is shown again.
        if self.on_network and self.is_current and self.computed_version != self.state.version:
            self.compute_network()

    def on_screen_resume(self) -> None:
        # Training elsewhere moves the network without a word until it stops: ask the state itself.
        if self.on_network and self.computed_version != self.state.version:
            self.compute_network()

    def on_screen_suspend(self) -> None:
        self.running = False

    def describe(self, k: int) -> str:
        return self.state.network.parameter(k).describe(self.state.data.image_shape)

    # Keys

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("step", "run", "reset", "move", "learning_rate"):
            return self.function is not None or None
        return True

    def watch_running(self, running: bool) -> None:
        if self._runner is not None:
            self._runner.resume() if running else self._runner.pause()

    def _tick(self) -> None:
        self.action_step()
        # Settled or bouncing, more steps change nothing.
        descent = self.descent
        last = descent.last if descent is not None else None
        if descent is None or descent.blown_up or (last is not None and last.outcome in (functions.SETTLED, functions.LEVEL)):
            self.running = False

    def action_step(self) -> None:
        if self.descent is None:
            return
        if not self.descent.blown_up:
            self.descent.step()
        self.redraw()

    def action_run(self) -> None:
        if self.descent is not None:
            self.running = not self.running and not self.descent.blown_up

    def action_learning_rate(self, direction: int) -> None:
        if self.descent is not None:
            rate = self.descent.learning_rate
            self.descent.learning_rate = next_learning_rate(rate, direction)
            if self.descent.learning_rate == rate:
                self.refuse(at_the_ladders_end(rate, direction))
            self.redraw()

    def action_function(self) -> None:
        self.choose((self.choice + 1) % (len(self.TEXTBOOK) + 1))
        self.redraw()

    def action_set_function(self, choice: int, start: float | None = None, learning_rate: float | None = None) -> None:
        """Textbook function `choice`, its ball back at its start (or at `start`), unstepped, with the
        function's own learning rate (or `learning_rate`)."""
        if self.choice != choice or self.descent is None:
            self.choose(choice)
        if start is not None:
            self.start = np.array([start])
        self.action_reset()
        if self.descent is None:
            return
        if learning_rate is not None:
            self.descent.learning_rate = learning_rate
        elif isinstance(self.function, Curve | Surface):
            self.descent.learning_rate = self.function.learning_rate

    def action_reset(self) -> None:
        if self.descent is not None:
            self.running = False
            self.descent.restart(self.start)
            self.redraw()

    def action_move(self, dx: int, dy: int = 0) -> None:
        if self.descent is None:
            return
        self.running = False
        direction = np.array([dx, dy][: self.PARAMETERS])
        step = np.array([(high - low) / self.START_MOVES for low, high in self.extent()])
        low, high = np.array(self.extent()).T
        self.start = np.clip(self.start + step * direction, low, high)
        self.descent.restart(self.start)
        self.redraw()

    def action_parameter(self) -> None:
        # On a textbook function the key opens the network's own cost, at its steepest parameters.
        if not self.on_network:
            self.choose(len(self.TEXTBOOK))
            self.redraw()
        elif not self.steepest:
            self.refuse("The network's steepest parameters are still being measured: p picks one once they are in.")
        else:
            self.compute_network(self.next_indices())

    def next_indices(self) -> list[int]:
        """The next interesting choice of parameters after the current one."""
        raise NotImplementedError

    def action_index(self) -> None:
        def chosen(indices: list[int] | None) -> None:
            # Asked for on a textbook function too: the network's cost along the parameters chosen.
            if indices is not None:
                self.running = False
                self.choice = len(self.TEXTBOOK)
                self.compute_network(indices)

        current = self.network_indices or []
        self.app.push_screen(ParameterPrompt(self.PARAMETERS, self.state.network.num_params, current), chosen)

    # Words shared by both screens

    @property
    def chosen(self) -> str:
        return "this parameter" if self.PARAMETERS == 1 else "these parameters"

    def where(self, point: Sequence[float] | np.ndarray) -> str:
        """A point, in the screen's notation."""
        raise NotImplementedError

    @staticmethod
    def step_heading(step: functions.Step, point: str) -> str:
        """How a step's sum opens: the new `point` it made, or, refused for blowing up, none."""
        return f"step {step.number}: {f'new {point} =' if step.taken else 'not taken:'}"

    @property
    def slope_words(self) -> str:
        """What the size of the slope is called here."""
        return "|slope|" if self.PARAMETERS == 1 else "|∇|"

    def off_picture_words(self, point: np.ndarray) -> str:
        """Which way a point off the picture went, where it is, and what to do."""
        sides = []
        for value, (low, high), (below, above) in zip(point, self.extent(), self.SIDES):
            sides += [below] if value < low else [above] if value > high else []
        return f"The ball left the {self.PICTURE} {' and '.join(sides)}, at {self.where(point)}: press r to start again."

    def off_picture(self, point: np.ndarray) -> bool:
        return any(not low <= value <= high for value, (low, high) in zip(point, self.extent()))

    def verdict(self) -> str:
        """What the last step did, in words."""
        descent = self.descent
        if descent is None:
            return ""
        step = descent.last
        if step is None:
            # One line at 80 columns: the picture above keeps the rows.
            return "[b]n[/b] steps downhill, [b]space[/b] runs, [b]+[/b] and [b]-[/b] change η, the arrows move the start."
        if step.outcome == functions.BLEW_UP:
            return (
                f"[b $text-error]Blew up.[/] With η = {step.learning_rate:g} the next step would land at "
                f"{self.where(step.after)}: the steps grow instead of shrinking. The step was not taken. "
                "Lower η with [b]-[/b] and press [b]r[/b] to start again."
            )
        fell = change(step.cost_before, step.cost_after)
        away = ""
        if self.off_picture(step.after):
            away = f" {self.off_picture_words(step.after)}"
        slope_before, slope_after = (float(np.linalg.norm(g)) for g in (step.gradient, descent.gradient))
        crossed = float(np.dot(step.gradient, descent.gradient)) < 0
        if step.outcome == functions.LEVEL:
            if crossed and functions.level(slope_before, slope_after):
                return (
                    f"[b $text-warning]Bouncing:[/] the step jumped across the valley to a point just as high: "
                    f"the cost stayed at {number(step.cost_after)}, and the slope is as steep as before, the other way. "
                    f"With η = {step.learning_rate:g} the ball bounces between these two points for ever and gets no "
                    f"lower. Lower η with [b]-[/b].{away}"
                )
            return (
                f"[b $text-warning]Level:[/] the step landed just as high: the cost stayed at "
                f"{number(step.cost_after)}. No progress; a smaller η ([b]-[/b]) goes downhill.{away}"
            )
        if step.outcome == functions.CLIMBED:
            if slope_after > slope_before and not functions.level(slope_before, slope_after):
                return (
                    f"[b $text-error]Too far:[/] the cost rose {fell}. The step overshot the valley and landed higher "
                    f"up, where the slope is steeper ({self.slope_words} {change(slope_before, slope_after)}): "
                    f"the next step will be longer and overshoot more. Lower η with [b]-[/b].{away}"
                )
            return (
                f"[b $text-error]Too far:[/] the cost rose {fell}. The step overshot the valley and landed higher "
                f"up: η is too large. Lower it with [b]-[/b].{away}"
            )
        if step.outcome == functions.OVERSHOT:
            return (
                f"[b $text-warning]Overshot:[/] the step jumped past the bottom (the slope changed sign), "
                f"though the cost still fell {fell}. The ball zig-zags.{away}"
            )
        if step.outcome == functions.SETTLED:
            function = self.function
            if isinstance(function, slices.NetworkCurve) and not np.any(step.gradient) and not np.ptp(function.values):
                # A weight from a pixel blank in every image, say: no step ever had a length to shrink from.
                return (
                    f"[b]Flat:[/b] the slope is exactly 0, and the cost the same all along {self.chosen}: "
                    f"the step moved nothing. On these images, this parameter changes nothing.{away}"
                )
            return f"[b $text-success]Settled:[/] {self.settled_where(descent)}{away}"
        return f"[b]Downhill:[/b] the cost fell {fell}.{self._step_lengths(descent)}{away}"

    def _step_lengths(self, descent: Descent) -> str:
        """How this step's length compares with the last one's: they shrink by themselves only where the slope flattens."""
        path = descent.path
        if len(path) < 3:
            return " Each step is η × slope long: flatter ground, shorter steps."
        last, this = (float(np.linalg.norm(np.subtract(b, a))) for a, b in zip(path[-3:-1], path[-2:]))
        if functions.level(last, this):
            return f" The step stayed {number(this)} long: the slope is as steep as before."
        if this < last:
            return f" The step shrank by itself, {change(last, this)}: the slope flattened."
        return f" The step grew {change(last, this)}: the slope got steeper."

    def settled_where(self, descent: Descent) -> str:
        """Why the steps stopped, naming the flat point when it is known."""
        point = descent.point
        stopped = "the slope is about 0, so the steps have shrunk to nothing"
        if not isinstance(self.function, Curve | Surface):
            return f"{stopped}: the bottom of a valley along {self.chosen}, or a stretch where it barely matters."
        flats = self.function.stationary_points
        near = [p for p in flats if np.linalg.norm(np.subtract(p.point, point)) < 1e-2 * self.scale]
        if not near:
            return f"{stopped}."
        flat = near[0]
        if flat.kind == functions.PLATEAU:
            return "the slope is 0 here, yet this is no valley: a plateau. The ball is stuck on a flat step."
        if flat.kind == functions.SADDLE:
            return "a saddle: flat here, but downhill on either side along another direction."
        if flat.kind == functions.MAXIMUM:
            return "a hilltop: the slope is 0 here too, though every way is down. The slightest nudge rolls off."
        minima = [p for p in flats if p.kind == functions.MINIMUM]
        lowest = min(minima, key=lambda p: p.value)
        if len(minima) == 1:
            return f"{stopped}: this is the bottom of the valley, {self.where(flat.point)}, as solved exactly."
        if flat is lowest:
            return f"{stopped}: this is the lowest of the {count(len(minima))} valleys."
        return f"{stopped}: a valley, but not the lowest; that one is at {self.where(lowest.point)}."
