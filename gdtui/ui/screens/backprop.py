"""Step 8: backpropagation, as one training image's wishes passed back through the live network."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import ContentSwitcher, Static
from textual.worker import Worker, WorkerState, get_current_worker

from gdtui.core import backprop, costs, finite_differences, minibatch, slices, wishes
from gdtui.core.dataset import Split
from gdtui.core.network import Network, neuron_name
from gdtui.core.words import count, done, same_digits
from gdtui.ui.blocks import wants_glyphs
from gdtui.ui.messages import WorkProgressed
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.descent import DescentScreen
from gdtui.ui.screens.next import training_cost
from gdtui.ui.screens.two_parameters import GRID
from gdtui.ui.widgets.height_map import BALL
from gdtui.ui.widgets.race_map import MINI_HEAD, SIDE, TABLE, RaceMap, legend

IMAGES = 10  # the images whose wishes for one weight are averaged: the chosen one and the next nine
VIEWS = ("outputs", "neuron", "levers", "layers", "images", "chain", "minibatch")
# The views whose figures and words are two widgets, held in one pane of the switcher.
PANES = {"outputs": "outputs-view", "chain": "chain-view"}
TITLES = {
    "outputs": "One image, one wish list",
    "neuron": "One output neuron: z, a and C₀",
    "levers": "Three levers of one output neuron",
    "layers": "Wishes flow backwards",
    "images": "Every image wants something else",
    "chain": "The chain rule, with numbers",
    "minibatch": "Mini-batches: stumble down fast",
}
RACE_STEPS_PER_SECOND = 4.0
# The weights of the levers' table shown beside the guided lesson's panel: the top of the ranking is its point.
GUIDED_LEVERS = 10
BAR = 8  # cells either side of a signed bar's axis
_NEURON = Binding.Group("Neuron", compact=True)


def signed_bar(value: float, scale: float, width: int = BAR) -> str:
    """Markup for a bar either side of an axis, to half a cell: left and red for a wish down, right and green for up."""
    halves = round(min(abs(value) / scale, 1.0) * width * 2) if scale > 0 else 0
    full, half = divmod(halves, 2)
    if value < 0:
        return f"{' ' * (width - full - half)}[$text-error]{'▐' * half}{'█' * full}[/]│{' ' * width}"
    return f"{' ' * width}│[$text-success]{'█' * full}{'▌' * half}[/]{' ' * (width - full - half)}"


def scale_of(values: np.ndarray) -> float:
    return float(np.abs(values).max()) if len(values) else 0.0


def bar_scale(scale: float) -> str:
    """What a full bar stands for: every view scales its bars to its largest figure, so a tiny one is not read as big."""
    return f"full bar {scale:.2g}" if scale > 0 else "no bars: all 0"


def _within(value: float, digits: int, width: int) -> str:
    """`value` with a sign and `digits` significant figures, or fewer where its exponent would outgrow `width`
    (a saturated network's wishes reach 1e-100 and less): a column cuts what is wider."""
    if not value:
        return "0"
    for fewer in range(digits, 0, -1):
        text = f"{value:+.{fewer}g}"
        if len(text) <= width:
            break
    return text


def weight(value: float) -> str:
    """A weight in the terms' column: four decimals, fewer as its whole part grows (a network trained at a large η
    has weights of 10 and more), seven characters, as the column has."""
    for decimals in range(4, -1, -1):
        text = f"{value:+.{decimals}f}"
        if len(text) <= 7:
            return text
    return _within(value, 2, 7)  # a million and more: in powers of ten


def number(value: float) -> str:
    """A wish or a weight in a table: four significant figures and a sign, but none for nothing."""
    return _within(value, 4, 10)


def short(value: float) -> str:
    """A wish in the narrow columns of the hidden layers' view: three significant figures."""
    return _within(value, 3, 9)


def factor(value: float) -> str:
    """A factor of the chain rule: six significant figures, enough to check a product by hand."""
    return f"{value:+.6g}"


def times(*factors: float) -> str:
    """A product of signed factors that reads as one: each in parentheses, so no sign reads as a sum."""
    return " × ".join(f"({factor(value)})" for value in factors)


PRECISE_DIGITS = 9


def precise(value: float) -> str:
    """A derivative set beside its finite-difference estimate: nine significant figures, trailing zeros too, as
    `same_to` counts them."""
    return f"{value:+#.{PRECISE_DIGITS}g}"


def source(layer: int, k: int, image_shape: tuple[int, int]) -> str:
    """Where weight k of a neuron of `layer` comes from: a neuron of the layer before, or a pixel."""
    return f"neuron {k} of layer {layer - 1}" if layer > 1 else neuron_name((), 0, k, image_shape)


def same_to(exact: float, estimate: float) -> str:
    """How far a derivative and its estimate agree, in the digits printed, as the reader counts them."""
    if exact == estimate:
        return "the same"
    same = same_digits(exact, estimate, PRECISE_DIGITS)
    if same == PRECISE_DIGITS:
        return f"all {PRECISE_DIGITS} digits the same"
    return f"the first {same} of {PRECISE_DIGITS} digits the same" if same else "different from the first digit"


def strongest_source(w: wishes.Wishes, j: int) -> int:
    """The neuron of the layer before whose weight into output j this image wants changed most."""
    return int(np.argmax(np.abs(w.weight_wishes(w.layers, j))))


def ranked(values: np.ndarray) -> list[int]:
    """Indices by |value|, largest first; equal ones by index, so every CPU shows the same order."""
    return [int(k) for k in np.lexsort((np.arange(len(values)), -np.abs(values)))]


def largest(values: np.ndarray, rows: int, keep: int | None = None) -> list[int]:
    """All the indices in order if they fit in `rows`; else, in order, the largest |values| and `keep`, leaving a row
    to say how many more there are."""
    if len(values) <= rows:
        return list(range(len(values)))
    chosen = {keep} if keep is not None else set()
    for k in ranked(values):
        if len(chosen) >= rows - 1:  # a page too short for even one row, or one row and `keep`, takes no more
            break
        chosen.add(k)
    return sorted(chosen)


class Page(VerticalScroll):
    """A view's page. Beside the guide its rows change with the beat's words, and the hidden layers' view
    lists as many neurons as they hold."""

    class Resized(Message):
        """The page has another size: a list that fits its rows is drawn again."""

    def on_resize(self) -> None:
        self.post_message(self.Resized())


@dataclass(frozen=True)
class ManyImages:
    """What several images want of one weight, wˡⱼₖ of the output layer, and backprop's ∂C/∂w over them."""

    j: int  # the output neuron
    k: int  # the neuron of the layer before the weight comes from
    indices: np.ndarray  # the training images, in order
    each: np.ndarray  # each image's wish −∂C₀/∂w
    component: float  # backprop's ∂C/∂w for the cost averaged over these images

    @property
    def average(self) -> float:
        return float(self.each.mean())


class BackpropScreen(LessonScreen):
    TITLE_TEXT = "Backprop"
    HELP = f"""\
Backpropagation computes the gradient, and this step shows how, on the network the
other steps show and on real training images. `v` goes through seven views. Every
bar is scaled to the largest figure of its view: the heading says what a full bar is.

**One image, one wish list.** For this image the cost goes down if the right
output goes up and the others go down, each by as much as it misses its
target: with the quadratic cost the wish on output j is −∂C₀/∂aⱼ = −2(aⱼ − yⱼ).
A softmax network with cross-entropy wishes on the weighted inputs z instead, yⱼ − aⱼ.
C₀ is the cost of this one image; the cost C is its average over the images.

**One output neuron.** Its weighted input z = Σ wₖaₖ + b; σ squashes z into 0–1,
a = σ(z); its slope σ'(z) = σ(z)(1 − σ(z)) = a(1 − a) says how far a moves per unit
of z. A softmax output shares 1 among the outputs, and with cross-entropy z moves C₀ by
a − y directly.

**Three levers.** An output neuron moves only through z = Σ w·a + b: its wish on z
is its slope σ'(z) times its wish on a. It can ask its bias for that wish, each
incoming weight for the activation feeding it times the wish (bright neurons'
weights matter most: the table ranks them by it), and each activation feeding it
for its weight times the wish.

**Wishes flow backwards.** A neuron of the last hidden layer hears every output
neuron's wish for it; their sum is its own wish list, and the hidden layer before
it hears it the same way, back to the first. That backward flow is backpropagation.
The view lists the last hidden layer and the one before it, if there is one;
beside the guided lesson, a layer too long for the rows lists those that wish most.

**Every image wants something else.** Averaged over the images, one weight's wishes
are −∂C/∂w: minus the gradient's component, which backprop gives beside them.

**The chain rule** writes the same for a last-layer weight: ∂C₀/∂w = a(L−1) · σ'(z)
· 2(a − y), checked against the finite difference, and one layer further back. The
lines marked BP1–BP4 are backprop's four equations, as the Next step's code has them.

**Mini-batches.** Averaging every image's wishes before each step is exact but slow.
Stochastic gradient descent averages a few images drawn at random instead: each
step is a little off, but costs a sliver of the images. On the Two parameters
step's landscape of the network (two of its parameters, the rest held still), a
careful walker (the same {minibatch.FULL_BATCH:,} images every step) and a hurried one
({minibatch.BATCH_SIZE} of them a step) go down from the same start with the same η; both
are judged by the cost over those {minibatch.FULL_BATCH:,}. The map is drawn to hold the first
{minibatch.REHEARSED} steps of the first race; a walker that leaves it is named, and a run stops once both have.
`n` steps both, `space` runs, `r` restarts.

`n` `p` change the image; `[` `]` the output neuron (in the wish lists, the neuron
of the last hidden layer whose sum is shown). The images are the training set's; the weight of the
many images' view is the chosen output neuron's the images disagree on most
(the widest spread of wishes), over the image and the next {IMAGES - 1}; the chain
rule's is the one this image wishes most to change."""

    BINDINGS = [
        Binding("n", "browse(1)", "Next", tooltip="The next training image"),
        Binding("n", "race_step", "Step", tooltip="One more step of both walkers"),
        Binding("p", "browse(-1)", "Prev", tooltip="The previous training image"),
        Binding("space", "race_run", "Run", tooltip="Keep stepping both walkers, or stop"),
        Binding("r", "race_restart", "Restart", tooltip="Both walkers back to the start, with fresh mini-batches"),
        Binding(
            "v",
            "view",
            "View",
            tooltip="Outputs · one neuron · three levers · hidden layers · many images · chain rule · mini-batches",
        ),
        Binding("left_square_bracket", "neuron(-1)", "Neuron −", group=_NEURON, tooltip="The previous neuron"),
        Binding("right_square_bracket", "neuron(1)", "Neuron +", group=_NEURON, tooltip="The next neuron"),
    ]

    DEFAULT_CSS = """
    BackpropScreen #page { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    BackpropScreen #header { height: auto; }
    BackpropScreen.-guided #header { text-wrap: nowrap; text-overflow: ellipsis; }
    BackpropScreen ContentSwitcher { height: auto; }
    BackpropScreen ContentSwitcher > * { height: auto; }
    BackpropScreen #layers > * { width: auto; margin-right: 1; }
    BackpropScreen #sum { height: auto; }
    BackpropScreen #sum > Static { width: auto; }
    BackpropScreen #chain-back { margin-top: 1; }
    BackpropScreen.-guided #chain-back { margin-top: 0; }
    BackpropScreen.-race ContentSwitcher, BackpropScreen #minibatch { height: 1fr; }
    BackpropScreen #race-side { width: 1fr; margin-left: 1; scrollbar-size-vertical: 1; }
    BackpropScreen #race-side > Static { height: auto; }
    """

    view: reactive[str] = reactive("outputs", init=False, repaint=False)
    index: reactive[int] = reactive(0, init=False)  # the training image
    neuron: reactive[int] = reactive(0, init=False)  # the output neuron the levers, the weight and the chain are about
    hidden: reactive[int | None] = reactive(None, init=False)  # the hidden neuron whose sum is shown, when chosen
    racing: reactive[bool] = reactive(False, init=False)  # the walkers keep stepping

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.race: minibatch.Race | None = None
        self.surface: slices.NetworkSurface | None = None
        self.race_version: int | None = None
        """The network's version the race was set up on."""
        self.race_progress = 0.0
        self._race_worker: Worker | None = None
        self._step_worker: Worker | None = None
        self._steps_waiting = 0
        self._race_timer: Timer | None = None
        self._many: tuple[wishes.Wishes, ManyImages] | None = None  # the last worked out, and of which wishes

    def compose_body(self) -> ComposeResult:
        with Page(id="page"):
            yield Static(id="header")
            with ContentSwitcher(initial="outputs-view"):
                with Vertical(id="outputs-view"):
                    yield Static(id="outputs")
                    yield Static(id="outputs-words", classes="aside")
                yield Static(id="neuron")
                yield Static(id="levers")
                with Horizontal(id="layers"):
                    yield Static(id="later")
                    yield Static(id="earlier")
                    with Vertical(id="sum"):
                        yield Static(id="terms")
                        yield Static(id="terms-words", classes="aside")
                yield Static(id="images")
                with Vertical(id="chain-view"):
                    yield Static(id="chain")
                    yield Static(id="chain-back")
                with Horizontal(id="minibatch"):
                    yield RaceMap(id="race-map")
                    with VerticalScroll(id="race-side"):
                        yield Static(id="race")
                        yield Static(id="race-words", classes="aside")

    def on_mount(self) -> None:
        self.neuron = self._label()
        self._race_timer = self.set_interval(1 / RACE_STEPS_PER_SECOND, self.action_race_step, pause=True)
        self.watch(self.app, "network_version", self._network_changed, init=False)

    def on_page_resized(self) -> None:
        if self.view == "layers" and self.guided:
            self.redraw()

    def _network_changed(self) -> None:
        if self.hidden is not None and self.hidden >= self.state.network.sizes[-2]:
            # A model opened since has fewer neurons in its last hidden layer: the sum is for one it has.
            self.set_reactive(BackpropScreen.hidden, None)
        if self.is_current:  # a screen not shown redraws when it comes back
            self.redraw()

    def on_screen_suspend(self) -> None:
        self.racing = False

    # -- what is shown -----------------------------------------------------------

    def network(self) -> Network:
        """The shared network as it is now: training may go on changing it from its thread."""
        return self.state.copy_network()

    def _label(self) -> int:
        return int(self.state.data.train.labels[self.index])

    def image_name(self, index: int) -> str:
        split = self.state.data.train
        label = int(split.labels[index])
        return f"train #{index:,}: {self.state.a_class(label)}"

    def image_wishes(self) -> tuple[Network, wishes.Wishes]:
        """The network as it is now, and the wishes of the image shown: once a version, for the view and the guide."""
        index, label = self.index, self._label()

        def of(network: Network) -> tuple[Network, wishes.Wishes]:
            cost = costs.known(training_cost(network))
            return network, wishes.wishes(network, self.state.data.train.inputs(index)[0], label, cost)

        return self.state.figure(("wishes", index), of)

    @property
    def guided(self) -> bool:
        """The guided lesson's panel takes rows here, and says what the view's own prose would."""
        return self.has_class("-guided")

    def _draw_header(self, subject: str, cost: str) -> None:
        formula = "quadratic cost" if cost == "quadratic" else "softmax outputs, cross-entropy"
        network = f"{formula} · [dim]network:[/dim] $origin"
        what = ["$subject"] if subject else []
        origin = self.state.network_origin
        if self.guided:
            # Beside the guide, whose title names the view, one line that ends whole: what the figures are of,
            # which formula, and the network, in fewer words when even that is too long.
            room = self.query_one("#page").content_size.width or self.app.size.width - 2
            line = " · ".join([*([subject] if subject else []), formula, f"network: {origin}"])
            if len(line) > room:
                network = f"{formula} · $origin"
                origin = self.state.network_origin_in(room - (len(line) - len(origin) - len("network: ")))
            markup = " · ".join([*what, network])
        else:
            place = f"   [dim]view {VIEWS.index(self.view) + 1} of {len(VIEWS)}[/dim]"
            markup = " · ".join([f"[b]{TITLES[self.view]}[/b]", *what]) + f"{place}\n{network}"
        self.query_one("#header", Static).update(Content.from_markup(markup, subject=subject, origin=origin))

    def redraw(self) -> None:
        if self.view == "minibatch":
            self._draw_race()
            return
        network, w = self.image_wishes()
        self._draw_header(self.image_name(self.index), w.cost)
        if self.view == "outputs":
            self._draw_outputs(w)
        elif self.view == "neuron":
            self._draw_neuron(w)
        elif self.view == "levers":
            self._draw_levers(w)
        elif self.view == "layers":
            self._draw_layers(w)
        elif self.view == "images":
            self._draw_images(network, w)
        else:
            self._draw_chain(network, w)

    def output_name(self, j: int) -> str:
        return self.state.class_name(j)

    def _draw_outputs(self, w: wishes.Wishes) -> None:
        out = w.layers
        quadratic = w.cost == "quadratic"
        wish = w.wish_a[out] if quadratic else w.wish_z[out]
        scale = scale_of(wish)
        names = [self.output_name(j) for j in range(len(wish))]
        width = max(6, *(len(name) for name in names))
        heading = "−∂C₀/∂aⱼ = −2(aⱼ − yⱼ)" if quadratic else "−∂C₀/∂zⱼ = yⱼ − aⱼ"
        lines = [f"[dim]{'output':>{width}}     aⱼ  yⱼ  {bar_scale(scale):^{2 * BAR + 1}}  {heading}[/dim]"]
        for j in range(len(names)):
            mark = "◀" if j == self.neuron else " "
            lines.append(
                f"$n{j}  {w.a[out][j]:.4f}  {w.target[j]:.0f}   {signed_bar(float(wish[j]), scale)}  "
                f"{number(float(wish[j])):>10} {mark}"
            )
        # [ and ] move the mark here, and act on it in the views that follow: say so, or they seem to do nothing.
        lines.append("[dim]◀ marks output $marked, the one the next views take apart; \\[ and ] pick another.[/dim]")
        # Class names are the data set's text, put in as text.
        padded = {f"n{j}": f"{name:>{width}}" for j, name in enumerate(names)}
        self.query_one("#outputs", Static).update(
            Content.from_markup("\n".join(lines), marked=self.output_name(self.neuron), **padded)
        )
        if quadratic:
            words = (
                "C₀, the cost of this one image, is Σ(aⱼ − yⱼ)². The right output, $right, should rise and the "
                f"{count(len(w.target) - 1)} others fall, each by as much as it misses: a small miss asks for little, "
                "a big one for much."
            )
        else:
            words = (
                "Cross-entropy, −ln a, asks only the right output, $right, to rise: by 1/a = "
                f"{number(float(w.wish_a[out][w.label]))}. Softmax shares out a total of 1, so raising its z "
                "lowers the others: on the weighted inputs z the wishes are yⱼ − aⱼ."
            )
        self.query_one("#outputs-words", Static).update(Content.from_markup(words, right=self.output_name(w.label)))

    def _draw_neuron(self, w: wishes.Wishes) -> None:
        out, j = w.layers, self.neuron
        network = w.network
        products = float(network.weights[out - 1][j] @ w.a[out - 1])
        bias, z, a, y = float(network.biases[out - 1][j]), float(w.z[out][j]), float(w.a[out][j]), float(w.target[j])
        fed = f"fed by the {network.sizes[-2]} neurons of layer {out - 1}" if out > 1 else "fed by the pixels"
        lines = [
            f"Output [b]$output[/b], {fed}: one neuron of the last layer, L.",
            f"z = Σ wₖaₖ + b = {products:+.6g} + ({bias:+.6g}) = [b]{z:+.6g}[/b]   [dim]its weighted input[/dim]",
        ]
        if network.output == "sigmoid":
            slope = float(w.slope(out)[j])
            lines += [
                f"a = σ(z) = 1/(1 + e^−z) = [b]{a:.6f}[/b]",
                "[dim]  σ squashes any z into 0–1: "
                + ", ".join(f"σ({t:g}) = {1 / (1 + math.exp(-t)):.3f}" for t in (-4, 0, 4))
                + "[/dim]",
            ]
        else:
            lines += [
                f"a = softmax(z) = e^z / Σᵢ e^zᵢ = [b]{a:.6f}[/b]",
                f"[dim]  softmax shares 1 among the outputs: each a in 0–1, all {count(len(w.target))} adding up to 1[/dim]",
            ]
        if w.cost == "quadratic":
            cost = float(np.sum((w.a[out] - w.target) ** 2))
            lines += [
                f"y = {y:.0f}: C₀ = Σⱼ (aⱼ − yⱼ)² = [b]{cost:.6f}[/b], the cost of this one image",
                f"[dim]  of which output $output's own (a − y)² = {(a - y) ** 2:.6f}[/dim]",
            ]
        else:
            # A softmax output may round to 0: its cost is then the largest a float holds, not a crash.
            cost = -math.log(max(float(w.a[out][w.label]), np.finfo(np.float64).tiny))
            lines += [
                f"C₀ = −ln a_right = [b]{cost:.6f}[/b], the cost of this one image (cross-entropy)",
            ]
        if network.output == "sigmoid":
            lines += [
                "σ'(z) = e^−z/(1 + e^−z)² = σ(z)·(1 − σ(z)) = a(1 − a)   [dim]the sigmoid's slope[/dim]",
                f"      = {a:.6f} × {1 - a:.6f} = [b]{slope:.6f}[/b]   [dim]a's move per unit of z[/dim]",
            ]
        else:
            lines.append(f"With cross-entropy, z moves C₀ by ∂C₀/∂z = a − y = [b]{a - y:+.6f}[/b]")
        lines.append("Nudge a wₖ: z moves, so a moves, so C₀ moves; the next views take that apart.")  # the wₖ of z above
        self.query_one("#neuron", Static).update(Content.from_markup("\n".join(lines), output=self.output_name(j)))

    def _draw_levers(self, w: wishes.Wishes) -> None:
        out, j = w.layers, self.neuron
        wish_z = float(w.wish_z[out][j])
        head = f"Output [b]$output[/b] (a = {w.a[out][j]:.4f}): wish on z"
        if w.network.output == "sigmoid":
            # Two lines, so that the product stays whole at 80 columns.
            slope, on_a = float(w.slope(out)[j]), float(w.wish_a[out][j])
            how = [f"{head} = σ'(z) × wish on a", f"  = ({number(slope)}) × ({number(on_a)}) = [b]{number(wish_z)}[/b]"]
        else:
            how = [f"{head} = y − a (softmax, cross-entropy) = [b]{number(wish_z)}[/b]"]
        weight_wishes, activation_wishes = w.weight_wishes(out, j), w.activation_wishes(out, j)
        scale = scale_of(weight_wishes)
        lines = [
            *how,
            f"[b]1 bias[/b] {number(w.bias_wish(out, j))} (1 × that)   "
            f"[b]2 weights[/b] aₖ × that   [b]3 {'layer before' if out > 1 else 'pixels'}[/b] wₖ × that",
            f"[dim]from  activation aₖ  weight wₖ  {'2 wish for wₖ, ' + bar_scale(scale):^{2 * BAR + 12}}  3 wish for aₖ[/dim]",
        ]
        order = ranked(weight_wishes)
        shown = order[:GUIDED_LEVERS] if self.guided else order
        for k in shown:
            lines.append(
                f"{k:>4}  {w.a[out - 1][k]:>12.4f}  {w.network.weights[out - 1][j, k]:>+9.4f}  "
                f"{signed_bar(float(weight_wishes[k]), scale)} {number(float(weight_wishes[k])):>10}  "
                f"{number(float(activation_wishes[k])):>13}"
            )
        if len(shown) < len(order):
            lines.append(f"[dim]{'…':>4}  and {len(order) - len(shown)} more, each wishing less[/dim]")
        self.query_one("#levers", Static).update(Content.from_markup("\n".join(lines), output=self.output_name(j)))

    def _draw_layers(self, w: wishes.Wishes) -> None:
        hidden = list(range(w.layers - 1, 0, -1))[:2]  # the last hidden layer, and the one before it
        columns = [self.query_one("#later", Static), self.query_one("#earlier", Static)]
        k = self.hidden_neuron(w)
        # Beside the guide, whose words take more rows or fewer from beat to beat, a list has the rows the page
        # leaves under the header and its own heading: a longer one shows the neurons that wish most, the marked
        # one among them, and says how many are left out (two rows at the least: before the first layout, the page's
        # Resized draws it again).
        page, header = self.query_one(Page), self.query_one("#header")
        room = max(2, page.scrollable_content_region.height - header.outer_size.height - 1)
        # One scale for both lists, so that the two layers' wishes compare at a glance.
        scale = max((scale_of(w.wish_a[layer]) for layer in hidden), default=0.0)
        for column, layer in zip(columns, [*hidden, None, None]):
            column.display = layer is not None
            if layer is not None:
                values = w.wish_a[layer]
                rows = [f"[b]layer {layer}[/b]    [dim]−∂C₀/∂aₖ[/dim]"]
                marked = k if layer == hidden[0] else None
                shown = largest(values, room, marked) if self.guided else range(len(values))
                for n in shown:
                    value = float(values[n])
                    mark = "◀" if n == marked else " "
                    rows.append(f"{n:>2}{mark}{signed_bar(value, scale, 3)} {short(value):>9}")
                if len(shown) < len(values):
                    rows.append(f"[dim] … {len(values) - len(shown)} more, smaller[/dim]")
                column.update("\n".join(rows))
        terms = self.query_one("#terms", Static)
        if not hidden:
            terms.update("This network has no hidden layer: no wish flows back.")
            self.query_one("#terms-words", Static).update("")
            return
        layer = hidden[0]
        parts = w.terms(layer, k)
        wish_z = w.wish_z[layer + 1]
        rows = [f"[b]neuron {k} of layer {layer}[/b] hears", f"[dim] j     wⱼ{k} ×  wish on zⱼ[/dim]"]
        # Each output by its number j, as the formula has it: a class's name may be too long for the row. Beside
        # the guide, the terms as many as the rows beside the lists hold, less the headings, the sum and the scale.
        shown = largest(parts, room - 3) if self.guided else range(len(parts))
        for j in shown:
            w_jk, part = float(w.network.weights[layer][j, k]), float(parts[j])
            rows.append(f"{j:>2} {weight(w_jk):>7} × {short(float(wish_z[j])):>9} = {short(part):>9}")
        if len(shown) < len(parts):
            rows.append(f"[dim] … {len(parts) - len(shown)} more, smaller[/dim]")
        rows.append(f"{'sum':>22} = {short(float(parts.sum())):>9}")
        # As narrow as the sums above: "full bar 0.00038" and three-digit neurons' lists leave no column more.
        rows.append(f"[dim]Bars of {'both' if len(hidden) > 1 else 'the layer'}: {bar_scale(scale)}.[/dim]")
        terms.update(Content.from_markup("\n".join(rows)))
        self.query_one("#terms-words", Static).update(
            f"\n[dim]Its wish: what all {len(parts)} neurons\nafter it ask of it, added up.[/dim]"
        )

    def hidden_neuron(self, w: wishes.Wishes) -> int:
        """The neuron of the last hidden layer the sum is shown for: chosen, or the one the weight of the last views leaves."""
        return self.hidden if self.hidden is not None else strongest_source(w, self.neuron)

    def many_images(self, network: Network, w: wishes.Wishes) -> ManyImages:
        """The wishes of the chosen output's most disputed weight over the image and the next ones, and backprop's
        ∂C/∂w over the same images."""
        j = self.neuron
        kept = self._many
        # The same wishes are the same network's, of the same image: the view and the guide's words share them.
        if kept is not None and kept[0] is w and kept[1].j == j:
            return kept[1]
        many = self._many_images(network, w, j)
        self._many = (w, many)
        return many

    def _many_images(self, network: Network, w: wishes.Wishes, j: int) -> ManyImages:
        out = w.layers
        split = self.state.data.train
        indices = (self.index + np.arange(IMAGES)) % len(split)
        x, labels = split.inputs(indices).astype(np.float64), split.labels[indices]
        # The weight the images disagree on most: the point is that every image wants something else.
        every = wishes.neuron_weight_wishes_of_images(network, x, labels, w.cost, out, j)
        k = wishes.most_disputed(every)
        each = every[:, k]
        _, grad = backprop.gradient(network, x, labels, w.cost)
        return ManyImages(j, k, indices, each, float(grad[wishes.weight_index(network, out, j, k)]))

    def _draw_images(self, network: Network, w: wishes.Wishes) -> None:
        out = w.layers
        many = self.many_images(network, w)
        j, k, indices, each, component = many.j, many.k, many.indices, many.each, many.component
        average = many.average
        scale = scale_of(each)
        lines = [
            f"The weight from {source(out, k, self.state.data.image_shape)} to output [b]$output[/b], image by image:",
            f"[dim]{'image':<24}{'wish −∂C₀/∂w':^{2 * BAR + 1}}  {bar_scale(scale)}[/dim]",
        ]
        names = {}
        for n, (index, value) in enumerate(zip(indices, each)):
            names[f"i{n}"] = f"{self.image_name(int(index)):<24}"
            lines.append(f"$i{n}{signed_bar(float(value), scale)} {number(float(value)):>13}")
        lines += [
            f"{'their average':<24}{signed_bar(average, scale)} [b]{precise(average):>13}[/b]",
            f"Backprop's ∂C/∂w over these {IMAGES} images: [b]{precise(component)}[/b], −1 × their average.",
            "The average wish is −∂C/∂w: the gradient's component, turned downhill.",
        ]
        self.query_one("#images", Static).update(Content.from_markup("\n".join(lines), output=self.output_name(j), **names))

    def chain_rule(self, w: wishes.Wishes) -> wishes.ChainRule | None:
        """The chain rule for the chosen weight into the marked output, None for a network without hidden layers."""
        out, j = w.layers, self.neuron
        if out < 2:
            return None
        k = strongest_source(w, j)
        i = int(np.argmax(np.abs(w.a[out - 2] * w.slope(out - 1)[k])))
        return wishes.chain_rule(w, j, k, i)

    def _draw_chain(self, network: Network, w: wishes.Wishes) -> None:
        chain_view, back = self.query_one("#chain", Static), self.query_one("#chain-back", Static)
        out = w.layers
        chain = self.chain_rule(w)
        if chain is None:
            chain_view.update("This network has no hidden layer: there is no layer further back.")
            back.update("")
            return
        j, k, i = chain.j, chain.k, chain.i
        double = finite_differences.in_double(network)
        x, labels = self.state.data.train.inputs(self.index).astype(np.float64), np.array([w.label])

        def check(k_flat: int, exact: float) -> str:
            estimate = finite_differences.finite_difference(double, k_flat, x, labels, w.cost)
            return f"         finite difference [b]{precise(estimate)}[/b]: {same_to(exact, estimate)}"

        hidden_slope = "σ'" if network.activation == "sigmoid" else "ReLU'"
        # Backprop's four equations, BP1 to BP4, are tagged on the lines that use them.
        if chain.slope is not None and chain.cost_slope is not None:
            cost = "a = σ(z), C₀ = Σ(a − y)²"
            law = "∂C₀/∂w = ∂z/∂w · ∂a/∂z · ∂C₀/∂a = a(L−1) · σ'(z) · 2(a − y)"
            numbers = times(chain.a_prev, chain.slope, chain.cost_slope)
            delta = "δ = ∂C₀/∂z = ∂C₀/∂b = σ'(z) · 2(a − y)"
        else:
            cost = "a = softmax(z), C₀ = −ln a_right"
            law = "∂C₀/∂w = ∂z/∂w · ∂C₀/∂z = a(L−1) · (a − y)   [softmax, cross-entropy]"
            numbers = times(chain.a_prev, chain.dz)
            delta = "δ = ∂C₀/∂z = ∂C₀/∂b = a − y"
        lines = [
            f"w from neuron {k} of layer {out - 1} to output [b]$output[/b]: "
            f"w = {factor(chain.weight)}, a(L−1) = {factor(chain.a_prev)}",
            f"z = w · a(L−1) + …, {cost}; here a = {w.a[out][j]:.6f}, y = {w.target[j]:.0f}",
            f"{law}  [dim]BP4[/dim]",
            f"       = {numbers} = [b]{precise(chain.weight_derivative)}[/b]",
            check(wishes.weight_index(network, out, j, k), chain.weight_derivative),
            f"{delta} = [b]{precise(chain.bias_derivative)}[/b]  [dim]BP1 BP3[/dim]",
            check(wishes.bias_index(network, out, j), chain.bias_derivative),
        ]
        chain_view.update(Content.from_markup("\n".join(lines), output=self.output_name(j)))
        lines = [
            f"[b]One step further back.[/b] Neuron {k} of layer {out - 1} feeds every output:",
            f"∂C₀/∂a(L−1) = Σⱼ wⱼ · δⱼ = {factor(chain.activation_derivative)}",
            f"  [dim]via output $output alone: w × ∂C₀/∂z = {times(chain.weight, chain.dz)} = {factor(chain.path)}[/dim]",
            f"w from {source(out - 1, i, self.state.data.image_shape)} into neuron {k} of layer {out - 1}:",
            f"∂C₀/∂w = a(L−2) · {hidden_slope}(z(L−1)) · ∂C₀/∂a(L−1)  [dim]BP2 BP4[/dim]",
            f"       = {times(chain.a_prev_prev, chain.hidden_slope, chain.activation_derivative)}"
            f" = [b]{precise(chain.earlier_weight_derivative)}[/b]",
            check(wishes.weight_index(network, out - 1, k, i), chain.earlier_weight_derivative),
        ]
        back.update(Content.from_markup("\n".join(lines), output=self.output_name(j)))

    def _named(self, name: str, k: int) -> list[str]:
        """A parameter of the race's map, by its index and its place: a weight longer than the table beside the map
        takes a second line from its arrow on."""
        line = f"{name} #{k:,} {self.describe(k)}"
        source, arrow, target = line.partition(" → ")
        return [line] if cell_len(line) <= TABLE or not arrow else [source, f"  → {target}"]

    def _draw_race(self) -> None:
        if self.race_version != self.state.version:
            self.start_race()
        split = self.state.data.train
        full_batch = min(minibatch.FULL_BATCH, len(split))
        race, surface = self.race, self.surface
        self._draw_header("", slices.cost_for(self.state.network))
        view = self.query_one(RaceMap)
        numbers = self.query_one("#race", Static)
        words = self.query_one("#race-words", Static)
        if race is None or surface is None:
            view.show_race(None, (), ())
            numbers.update(
                f"Drawing the landscape: the cost at {GRID} × {GRID} points over {full_batch:,} training images… "
                f"{done(self.race_progress)}"
            )
            words.update("")
            return
        full, mini = race.paths
        view.show_race(surface, full.points[-400:], mini.points[-400:])
        colors = not wants_glyphs(self.app.console.color_system, self.app.no_color)
        lines = [line for name, k in zip("xy", race.slice.indices) for line in self._named(name, k)]
        # What the map is of: the map leaves those lines their columns, and the gap's and the scrollbar's.
        view.room = max(map(cell_len, lines)) + SIDE - TABLE
        off = self._off_the_map()
        left = [f"{name} {head} left the map" for name, head in (("careful", BALL), ("hurried", MINI_HEAD)) if name in off]
        lines += [
            legend(colors),
            # Both walkers' η, where the words under the table, which say it too, give way to the lesson's guide.
            f"[dim]{f'η = {race.learning_rate:g}':<12}{'careful':>11}{'hurried':>11}[/dim]",
            f"{'images/step':<12}{race.full_batch:>11,}{race.batch_size:>11,}",
            f"{'steps':<12}{full.steps:>11,}{mini.steps:>11,}",
            f"{'images used':<12}{full.total_images:>11,}{mini.total_images:>11,}",
            f"{'cost C':<12}[b]{full.costs[-1]:>11.5f}{mini.costs[-1]:>11.5f}[/b]",
        ]
        level = race.level()
        if level is not None:  # both have been this low, so each path has a count
            lines.append(f"first down to C ≤ {level:.{minibatch.LEVEL_PLACES}f} after")  # a hurried walker may wobble back up
            lines.append(f"{'images':<12}" + "".join(f"{path.images_to_reach(level):>11,}" for path in (full, mini)))
        elif full.steps:
            lines.append(f"[dim]not both below start's C = {full.costs[0]:.5f}[/dim]")
        else:
            lines.append(f"[dim]both from C = {full.costs[0]:.5f}; n steps[/dim]")
        if len(left) == 2:  # nothing more to watch: see on_worker_state_changed
            lines.append(f"[b]both {BALL} and {MINI_HEAD} left the map[/b]:\na run stops [dim](r restarts)[/dim]")
        elif left:  # the arrow on the map's edge points the way
            lines.append(f"[b]{left[0]}[/b] [dim](r restarts)[/dim]")
        numbers.update("\n".join(lines))
        fixed = (
            f"the same fixed {race.full_batch:,} of the {len(split):,}" if race.full_batch < len(split) else f"all {len(split):,}"
        )
        words.update(
            f"[dim]The careful walker averages {fixed} training images at every step; the hurried one "
            f"{race.batch_size:,} drawn from them (seed {race.seed}). C: the cost over those {race.full_batch:,}. "
            f"η = {race.learning_rate:g}; the other {self.state.network.num_params - 2:,} parameters stay put.[/dim]"
        )

    def _off_the_map(self) -> set[str]:
        """The walkers ("careful", "hurried") whose last point is beyond the drawn landscape."""
        if self.race is None or self.surface is None:
            return set()
        (x0, x1), (y0, y1) = self.surface.extent
        return {
            name
            for name, path in zip(("careful", "hurried"), self.race.paths)
            if not (x0 <= path.points[-1][0] <= x1 and y0 <= path.points[-1][1] <= y1)
        }

    def describe(self, k: int) -> str:
        return self.state.network.parameter(k).describe(self.state.data.image_shape)

    def start_race(self) -> None:
        """Set both walkers at the live network's point of its Two parameters slice, and draw that slice."""
        self.racing = False
        self._steps_waiting = 0
        self.race_version = self.state.version
        self.race, self.surface, self.race_progress = None, None, 0.0
        self._race_worker = self._set_up_race(self.state.copy_network(), self.state.data.train)

    @work(thread=True, exclusive=True, group="race")
    def _set_up_race(self, network: Network, split: Split) -> tuple[minibatch.Race, slices.NetworkSurface] | None:
        worker = get_current_worker()
        cost = costs.known(slices.cost_for(network))
        # The pair the Two parameters step shows first: the steepest over its sample.
        indices = slices.steepest_parameters(network, *slices.fixed_sample(split), cost)[:2]
        inputs, labels = slices.fixed_sample(split, minibatch.FULL_BATCH)
        race = minibatch.Race(network, inputs, labels, cost, indices, DescentScreen.NETWORK_LEARNING_RATE)
        # Seen as the Two parameters step shows it, the walk is a few cells long and the wobble lost in one:
        # the map is closed in on where both walkers go in their first steps, with a margin.
        reached = race.rehearsal()
        if worker.is_cancelled:
            return None
        low, high = reached.min(axis=0), reached.max(axis=0)
        reach = float((high - low).max())
        span = 0.6 * reach if reach > 0 else slices.SPAN
        xs, ys = (slices.sweep_values(centre, GRID, span) for centre in (low + high) / 2)
        points = slices.grid_points(xs, ys)
        values: list[np.ndarray] = []
        for chunk in race.slice.sweep(points, chunk=GRID):
            if worker.is_cancelled:
                return None
            values.append(chunk)
            self.post_message(WorkProgressed(worker, sum(map(len, values)) / len(points)))
        return race, slices.NetworkSurface(race.slice, xs, ys, np.concatenate(values).reshape(GRID, GRID))

    @work(thread=True, group="race-step")
    def _step(self, race: minibatch.Race) -> None:
        race.step()

    def on_work_progressed(self, message: WorkProgressed) -> None:
        if message.worker is not self._race_worker:
            return
        message.stop()
        self.race_progress = message.fraction
        if self.view == "minibatch":
            self.redraw()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.SUCCESS:
            return
        if event.worker is self._race_worker and event.worker.result is not None:
            self.race, self.surface = event.worker.result
        elif event.worker is self._step_worker:
            if self.racing and len(self._off_the_map()) == 2:
                self.racing = False  # beyond the map nothing more can be watched
                self._steps_waiting = 0
            self._next_race_step()
        else:
            return
        if self.view == "minibatch":
            self.redraw()

    # -- keys ----------------------------------------------------------------------

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        racing_view = self.view == "minibatch"
        if action in ("race_step", "race_run", "race_restart"):
            return racing_view
        if action in ("browse", "neuron"):
            return not racing_view
        return True

    def watch_view(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = PANES.get(view, view)
        self.set_class(view == "minibatch", "-race")
        self.racing = False
        self.refresh_bindings()
        self.redraw()

    def watch_racing(self, racing: bool) -> None:
        if self._race_timer is not None:
            self._race_timer.resume() if racing else self._race_timer.pause()

    def action_race_step(self) -> None:
        # A step at a time, in order: keys pressed meanwhile wait their turn; the runner's ticks do not pile up.
        if self.race is None or (self.racing and self._steps_waiting):
            return
        self._steps_waiting += 1
        self._next_race_step()

    def _next_race_step(self) -> None:
        stepping = self._step_worker is not None and not self._step_worker.is_finished
        if self.race is not None and self._steps_waiting and not stepping:
            self._steps_waiting -= 1
            self._step_worker = self._step(self.race)

    def action_race_run(self) -> None:
        self.racing = not self.racing and self.race is not None

    def action_race_restart(self) -> None:
        self.racing = False
        self._steps_waiting = 0
        if self.race is not None:
            self.race = self.race.again(self.race.seed + 1)
            self.redraw()

    def watch_index(self) -> None:
        self._chosen()

    def watch_neuron(self) -> None:
        self._chosen()

    def watch_hidden(self) -> None:
        self._chosen()

    def _chosen(self) -> None:
        self.redraw()
        # The guided lesson's words give the figures of the image and the neuron chosen: they follow the choice.
        self.post_message(self.Shown(self))

    def _choose(self, **chosen: int | None) -> None:
        """Set several of the choices at once, and draw what they show once, not once for each."""
        changed = {name: value for name, value in chosen.items() if getattr(self, name) != value}
        for name, value in changed.items():
            self.set_reactive(getattr(BackpropScreen, name), value)
        if changed:
            self._chosen()

    def action_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]

    def action_set_view(self, view: str) -> None:
        self.view = view

    def action_browse(self, delta: int) -> None:
        index = (self.index + delta) % len(self.state.data.train)
        # The story of an image is about its own output neuron: the "2" neuron of a 2.
        self._choose(index=index, hidden=None, neuron=int(self.state.data.train.labels[index]))

    def action_neuron(self, delta: int) -> None:
        if self.view == "layers":
            network = self.state.network
            count = network.sizes[-2]
            current = self.hidden_neuron(self.image_wishes()[1])
            self.hidden = (current + delta) % count
        else:
            self._choose(neuron=(self.neuron + delta) % self.state.network.sizes[-1], hidden=None)
