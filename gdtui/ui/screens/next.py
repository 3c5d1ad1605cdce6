"""Step 7: what learning was, and the question backpropagation answers."""

from __future__ import annotations

import ast
import inspect
import math
import textwrap

import numpy as np
from rich.syntax import Syntax
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gdtui.core import backprop, finite_differences
from gdtui.core.costs import CostName
from gdtui.core.finite_differences import Comparison, Timing
from gdtui.core.network import Network
from gdtui.core.presets import PRESETS
from gdtui.core.words import same_digits
from gdtui.ui.messages import GradientsCompared, WorkProgressed
from gdtui.ui.screens.base import LessonScreen

SAMPLE = 100  # training images #0–99: every number on this screen is measured on them
SHOWN_DIGITS = 10  # significant digits a derivative and its estimate are printed with
TIMED = 100  # parameters whose finite difference is timed, to extrapolate from: their median is as steady as 500's
REPORT_EVERY = 25  # parameters timed between two progress reports
CLOSING = (
    "Backpropagation gets its speed from the chain rule: the last layer's ∂C/∂z, how the cost changes with "
    "each output neuron's weighted input, passes back through the weights to the layer before, and every "
    "layer's ∂C/∂w follows from its own ∂C/∂z and its inputs. Nothing is computed twice. "
    "Step 8, Backprop, shows it on this network."
)
_COST_NAMES = {"quadratic": "quadratic cost", "cross-entropy": "cross-entropy"}
_UNITS = ((1e-3, 1e6, "µs"), (1.0, 1e3, "ms"), (60.0, 1.0, "s"), (3600.0, 1 / 60, "min"), (86400.0, 1 / 3600, "hours"))


class _Cancelled(Exception):
    """Raised in the worker's progress report to stop a timing nobody waits for any more."""


def figures(value: float) -> str:
    """Two significant figures, never in e-notation: a timing is not more precise than that."""
    if value >= 10:
        return f"{round(value, 1 - math.floor(math.log10(value))):,.0f}"
    return f"{value:.2g}"


def duration(seconds: float) -> str:
    for below, scale, unit in _UNITS:
        if seconds < below:
            return f"{figures(seconds * scale)} {unit}"
    return f"{figures(seconds / 86400)} days"


def _as_shown(seconds: float) -> float:
    """The seconds a duration() shows: its two figures, in its unit."""
    for below, scale, _ in _UNITS:
        if seconds < below:
            return float(figures(seconds * scale).replace(",", "")) / scale
    return float(figures(seconds / 86400).replace(",", "")) * 86400


def speed_up(backprop_seconds: float, finite_differences_seconds: float) -> float:
    """How many times faster backprop is, from the timings as shown: a reader who divides them gets the same."""
    return _as_shown(finite_differences_seconds) / _as_shown(backprop_seconds)


def printed(value: float) -> str:
    """A derivative as the check prints it: SHOWN_DIGITS significant digits."""
    return f"{value:+.{SHOWN_DIGITS - 1}e}"


def agreement(backprop: float, estimate: float, relative_difference: float) -> str:
    """How far the two figures agree, counted in the digits printed, as the reader counts them."""
    if relative_difference == 0:
        return "They agree exactly."
    difference = f"relative difference {relative_difference:.1e}"
    same = same_digits(backprop, estimate, SHOWN_DIGITS)
    if same == SHOWN_DIGITS:
        return f"All {SHOWN_DIGITS} digits shown agree: {difference}."
    if same == 0:
        return f"Their digits differ from the first: {difference}."
    return f"Their first {same} of the {SHOWN_DIGITS} digits shown agree: {difference}."


def source_lines(function: object) -> list[str]:
    """A function's lines as they run, its docstring left out and its signature cut to the parameters' names."""
    lines, _ = inspect.getsourcelines(function)  # type: ignore[arg-type]
    definition = ast.parse(textwrap.dedent("".join(lines))).body[0]
    assert isinstance(definition, ast.FunctionDef)
    if ast.get_docstring(definition):
        first = definition.body[0].end_lineno or 0
    else:
        first = definition.body[0].lineno - 1
        while lines[first - 1].lstrip().startswith("#"):  # comments above the first statement are its own
            first -= 1
    names = ", ".join(inspect.signature(function).parameters)  # type: ignore[arg-type]
    return [f"def {definition.name}({names}):", *(line.rstrip("\n") for line in lines[first:])]


# Rich's syntax colours in the terminal's own write strings in yellow and, for a dark background, builtins in
# bright cyan: on a light theme Textual makes them #CB9000 and #00AACB, 2.6:1 against the code's background.
# On a light one, Pygments' own default colours, made for a light page: each 4.5:1 or more there.
LIGHT_CODE = "default"


def code(function: object, dark: bool) -> Syntax:
    """A function's source, in the colours that read on a dark theme or on a light one."""
    theme = "ansi_dark" if dark else LIGHT_CODE
    return Syntax("\n".join(source_lines(function)), "python", theme=theme, background_color="default")


class Code(Static):
    """A function's source, drawn in the colours of the theme shown, drawn again when it changes."""

    def __init__(self, function: object, *, id: str) -> None:
        super().__init__(id=id)
        self._function = function

    def render(self) -> Syntax:
        return code(self._function, self.app.current_theme.dark)


def training_cost(network: Network) -> CostName:
    """The cost the Training step minimises for this network."""
    return PRESETS["tuned" if network.output == "softmax" else "lesson"].cost


class NextScreen(LessonScreen):
    TITLE_TEXT = "Next"
    HELP = f"""\
Learning, for this network, is finding values for its parameters — every weight
and every bias — that make the cost small. Gradient descent gets there a step at
a time, and every step needs the **gradient** ∇C: one number ∂C/∂w per parameter.

How do you compute them all? The obvious way nudges one parameter by a small h
both ways and measures the cost twice: ∂C/∂w ≈ (C(w+h) − C(w−h)) / 2h. That
works — the screen shows it agreeing with backpropagation to many digits,
computed in double precision on training images #0–{SAMPLE - 1} — but it costs
two passes over the images for every single parameter.

**Backpropagation** gets every component from one pass forward and one back
through the network. Both are timed on this computer as you watch: backprop by
the median of {finite_differences.BACKPROP_PASSES} passes, finite differences by the median time of {TIMED}
parameters times the number of parameters, since each one costs the same two
passes. Medians, because a pass another program interrupts would distort a mean.

`n` shows the next parameter compared: in every layer, the weight and the bias
with the largest |∂C/∂w|. `m` measures again — after more training, say. How
backpropagation works, the chain rule from the outputs back, is step 8, Backprop.

`b` shows backpropagation's code: the plain float64 version the training's
faster code is checked against, with its four equations BP1–BP4 named."""

    BINDINGS = [
        Binding("n", "next_parameter", "Next parameter"),
        Binding("m", "measure", "Measure again"),
        Binding("b", "code", "Code", tooltip="The plain backpropagation code the gradient is checked against"),
        Binding("b", "numbers", "Numbers"),
    ]

    # The table of every parameter compared needs 90 columns and 8 more rows; the boxes and the closing 8 more.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (90, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall"), (40, "-roomy")]

    DEFAULT_CSS = """
    NextScreen ContentSwitcher { height: 1fr; }
    NextScreen #page, NextScreen #code { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    NextScreen #code-title { color: $text-muted; }
    NextScreen #output-error { margin-top: 1; }
    NextScreen #summary, NextScreen #teaser, NextScreen #check, NextScreen #timing, NextScreen #closing {
        height: auto;
    }
    NextScreen #teaser, NextScreen #check, NextScreen #timing { margin-top: 1; }
    /* At 80×24 the page fills the screen, and a weight's name can wrap its check's first line: the row
       above the timing goes to it, so that the timing's last line, what it all comes to, stays on screen. */
    NextScreen.-short #timing { margin-top: 0; }
    NextScreen #parameters, NextScreen #closing { display: none; height: auto; margin-top: 1; }
    NextScreen.-wide.-tall #parameters, NextScreen.-wide.-roomy #parameters, NextScreen.-roomy #closing {
        display: block;
    }
    NextScreen.-roomy #summary, NextScreen.-roomy #timing { border: round $primary; padding: 0 1; }
    NextScreen #parameters > .datatable--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: $block-cursor-text-style;
    }
    """

    selected: reactive[int] = reactive(0, init=False, repaint=False)
    view: reactive[str] = reactive("page", init=False, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.measured_version: int | None = None  # of the shared network the numbers are about
        self.origin = ""
        self.cost_name: CostName = "quadratic"
        self.sample_cost: float | None = None
        self.sample_right = 0
        self.comparisons: list[Comparison] = []
        self.shown: int | None = None  # the parameter shown before measuring again
        self.timing: Timing | None = None
        self.timed = (0, TIMED)  # parameters timed so far, of how many

    def compose_body(self) -> ComposeResult:
        with ContentSwitcher(initial="page"):
            # Scrolls only when something else takes rows from the body, as the guided lesson's panel does.
            with VerticalScroll(id="page"):
                yield Static(id="summary", classes="aside")
                yield Static(id="teaser", classes="aside")
                table: DataTable[str] = DataTable(id="parameters", cursor_type="row", zebra_stripes=True)
                table.can_focus = False  # n moves its cursor; the keys of a focused table would only compete
                yield table
                yield Static(id="check")
                yield Static(id="timing")
                yield Static(CLOSING, id="closing")
            # The very lines the tests check the training's gradient against: read from the module, not copied.
            with VerticalScroll(id="code"):
                yield Static(
                    f"[b]Backpropagation[/b], the plain version ({backprop.__name__.replace('.', '/')}.py) · b: numbers",
                    id="code-title",
                )
                yield Code(backprop.backprop, id="backprop")
                yield Code(backprop.output_error, id="output-error")

    def on_mount(self) -> None:
        self.query_one("#parameters", DataTable).add_columns(
            "#", "parameter", "backprop ∂C/∂w", "finite difference", "relative difference"
        )
        self.watch(self.app, "network_version", self._network_changed, init=False)

    # -- measuring -------------------------------------------------------------

    def _network_changed(self) -> None:
        if self.is_current:  # a screen not shown measures when it comes back: see redraw
            self.redraw()

    def redraw(self) -> None:
        if self.measured_version != self.state.version:
            self.measure()
        else:
            self._draw()

    def measure(self) -> None:
        # Training may go on changing the live network from its thread: measure a copy taken now.
        network, self.measured_version = self.state.versioned_copy()
        self.origin = self.state.network_origin
        self.cost_name = training_cost(network)
        self.sample_cost = None
        # Measuring the same network again picks the same parameters: stay on the one shown.
        self.shown = self.comparisons[self.selected].index if self.comparisons else None
        self.comparisons = []
        self.timing = None
        self.timed = (0, min(TIMED, network.num_params))
        self._fill_table()
        split = self.state.data.train
        sample = slice(0, min(SAMPLE, len(split)))
        # Exclusive: starting it cancels a measurement under way, whose messages and result are then ignored.
        self._measure(network, split.inputs(sample), split.labels[sample], self.cost_name)
        self._draw()
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="gradient-check", exit_on_error=False)
    def _measure(self, network: Network, x: np.ndarray, labels: np.ndarray, cost: CostName) -> Timing | None:
        worker = get_current_worker()
        double = finite_differences.in_double(network)
        sample_cost, outputs = double.gradient(x.astype(np.float64), labels, cost)
        right = int(np.count_nonzero(outputs.argmax(axis=1) == labels))
        picks = finite_differences.largest_per_layer(double, double.grad)
        comparisons = finite_differences.compare(network, picks, x, labels, cost)
        if worker.is_cancelled:
            return None
        self.post_message(GradientsCompared(worker, sample_cost, right, comparisons))

        def report(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Cancelled
            if done % REPORT_EVERY == 0 or done == total:
                self.post_message(WorkProgressed(worker, done / total))

        try:
            return finite_differences.time_gradients(network, x, labels, cost, TIMED, progress=report)
        except _Cancelled:
            return None

    def on_gradients_compared(self, message: GradientsCompared) -> None:
        if message.worker.is_cancelled:
            return  # a newer measurement was asked for meanwhile
        picks = [c.index for c in message.comparisons]
        self.sample_cost, self.sample_right, self.comparisons = message.sample_cost, message.right, message.comparisons
        self.selected = picks.index(self.shown) if self.shown in picks else 0
        self._fill_table()
        self._draw()
        self.refresh_bindings()

    def on_work_progressed(self, message: WorkProgressed) -> None:
        if message.worker.group != "gradient-check":
            return
        message.stop()
        if not message.worker.is_cancelled:
            self.timed = (round(message.fraction * self.timed[1]), self.timed[1])
            self._draw_timing()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "gradient-check" and event.state is WorkerState.SUCCESS and not worker.is_cancelled:
            self.timing = worker.result
            self._draw_timing()

    # -- drawing ---------------------------------------------------------------

    def _draw(self) -> None:
        self._draw_summary()
        self._draw_teaser()
        self._draw_check()
        self._draw_timing()

    def _draw_summary(self) -> None:
        n = self.state.network.num_params
        self.query_one("#summary", Static).update(
            f"[b]What learning is.[/b] Finding the values of the network's [b]{n:,}[/b] parameters, its weights "
            "and biases, that make the cost as small as it will go, one step against the gradient ∇C at a time. "
            f"No rule about {'digits' if self.state.numbered else 'its classes'} is written anywhere: "
            "reading them is what a low cost looks like."
        )

    def _draw_teaser(self) -> None:
        n = self.state.network.num_params
        count = min(SAMPLE, len(self.state.data.train))
        if self.sample_cost is None:
            now = "measuring…"
        else:
            now = f"{_COST_NAMES[self.cost_name]} {self.sample_cost:.4f}, {self.sample_right} of {count} right"
        self.query_one("#teaser", Static).update(
            Content.from_markup(
                f"[b]Next: backpropagation.[/b] Each step needs all {n:,} components of ∇C. Nudging every parameter "
                f"both ways, ∂C/∂w ≈ (C(w+h) − C(w−h)) / 2h, finds them in {2 * n:,} passes over the images. "
                "Backpropagation (step 8) takes one pass forward and one back. Both below, for each layer's "
                f"weight and bias of largest |∂C/∂w|, on {self._sample_words()} "
                f"[dim](this network: $origin; {now})[/dim].",
                origin=self.origin,
            )
        )

    def _fill_table(self) -> None:
        table = self.query_one("#parameters", DataTable)
        table.clear()
        shape = self.state.data.image_shape
        network = self.state.network
        for number, c in enumerate(self.comparisons, start=1):
            table.add_row(
                str(number),
                network.parameter(c.index).describe(shape),
                printed(c.backprop),
                printed(c.estimate),
                f"{c.relative_difference:.1e}",
            )

    def _draw_check(self) -> None:
        check = self.query_one("#check", Static)
        if not self.comparisons:
            check.update("Computing both…")
            return
        c = self.comparisons[self.selected]
        parameter = self.state.network.parameter(c.index)
        check.update(
            f"Parameter {self.selected + 1} of {len(self.comparisons)} · "
            # Which images C is over, where its figures are: the key bar says what n does.
            f"[b]{parameter.describe(self.state.data.image_shape)}[/b] · C over {self._sample_words()}\n"
            f"  C(w+h) = {c.cost_up:.12f}   C(w−h) = {c.cost_down:.12f}   h = {c.h:g}\n"
            f"  finite difference  (C(w+h) − C(w−h)) / 2h = [b]{printed(c.estimate)}[/b]\n"
            f"  backpropagation                     ∂C/∂w = [b]{printed(c.backprop)}[/b]\n"
            f"  {agreement(c.backprop, c.estimate, c.relative_difference)}"
        )
        table = self.query_one("#parameters", DataTable)
        if table.row_count:
            table.move_cursor(row=self.selected, animate=False)

    def _sample_words(self) -> str:
        count = min(SAMPLE, len(self.state.data.train))
        return f"training images #0–{count - 1}"

    def _draw_timing(self) -> None:
        n = self.state.network.num_params
        timing = self.timing
        title = f"[b]All {n:,} components[/b], timed on this computer:"
        if timing is None:
            done, total = self.timed
            text = f"{title}\n  backpropagation     measuring…\n  finite differences  measuring… {done:,} of {total:,} parameters"
        else:
            ratio = speed_up(timing.backprop_seconds, timing.finite_differences_seconds)
            text = (
                f"{title}\n"
                f"  backpropagation     [b]{duration(timing.backprop_seconds):>8}[/b]   "
                f"one pass (median of {timing.passes})\n"
                f"  finite differences  [b]{duration(timing.finite_differences_seconds):>8}[/b]   "
                f"{timing.measured:,} parameters timed, their median × {n:,}\n"
                f"  [b]{figures(ratio)}×[/b] faster: a second of backprop is "
                f"{duration(ratio)} of finite differences."
            )
        self.query_one("#timing", Static).update(text)

    # -- keys ------------------------------------------------------------------

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "code":
            return self.view == "page"
        if action == "numbers":
            return self.view == "code"
        if action == "next_parameter":
            return self.view == "page" and (bool(self.comparisons) or None)
        return True

    def watch_view(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        self.refresh_bindings()

    def action_code(self) -> None:
        self.view = "code"

    def action_numbers(self) -> None:
        self.view = "page"

    def watch_selected(self) -> None:
        self._draw_check()

    def action_next_parameter(self) -> None:
        if self.comparisons:
            self.selected = (self.selected + 1) % len(self.comparisons)

    def action_measure(self) -> None:
        self.measure()
