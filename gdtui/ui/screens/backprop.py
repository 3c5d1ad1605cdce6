"""Step 8: backpropagation, as one training image's wishes passed back through the live network."""

from __future__ import annotations

import math

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static

from gdtui.core import backprop, costs, finite_differences, wishes
from gdtui.core.network import Network
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.next import training_cost

IMAGES = 10  # the images whose wishes for one weight are averaged: the chosen one and the next nine
VIEWS = ("outputs", "levers", "layers", "images", "chain")
TITLES = {
    "outputs": "One image, one wish list",
    "levers": "Three levers of one output neuron",
    "layers": "Wishes flow backwards",
    "images": "Every image wants something else",
    "chain": "The chain rule, with numbers",
}
BAR = 8  # cells either side of a signed bar's axis
_NEURON = Binding.Group("Neuron", compact=True)


def signed_bar(value: float, scale: float, width: int = BAR) -> str:
    """Markup for a bar either side of an axis, to half a cell: left and red for a wish down, right and green for up."""
    halves = round(min(abs(value) / scale, 1.0) * width * 2) if scale > 0 else 0
    full, half = divmod(halves, 2)
    if value < 0:
        return f"{' ' * (width - full - half)}[red]{'▐' * half}{'█' * full}[/]│{' ' * width}"
    return f"{' ' * width}│[green]{'█' * full}{'▌' * half}[/]{' ' * (width - full - half)}"


def scale_of(values: np.ndarray) -> float:
    return float(np.abs(values).max()) if len(values) else 0.0


def number(value: float) -> str:
    """A wish or a weight in a table: four significant figures and a sign, but none for nothing."""
    return f"{value:+.4g}" if value else "0"


def short(value: float) -> str:
    """A wish in the narrow columns of the hidden layers' view: three significant figures."""
    return f"{value:+.3g}" if value else "0"


def factor(value: float) -> str:
    """A factor of the chain rule: six significant figures, enough to check a product by hand."""
    return f"{value:+.6g}"


def precise(value: float) -> str:
    """A derivative set beside its finite-difference estimate: nine significant figures."""
    return f"{value:+.9g}"


def source(layer: int, k: int) -> str:
    """Where weight k of a neuron of `layer` comes from: a neuron of the layer before, or a pixel."""
    return f"neuron {k} of layer {layer - 1}" if layer > 1 else f"pixel {k}"


def same_to(exact: float, estimate: float) -> str:
    scale = max(abs(exact), abs(estimate))
    difference = abs(exact - estimate) / scale if scale else 0.0
    if difference == 0:
        return "the same"
    return f"the same to {math.floor(-math.log10(difference))} significant digits"


def strongest_source(w: wishes.Wishes, j: int) -> int:
    """The neuron of the layer before whose weight into output j this image wants changed most."""
    return int(np.argmax(np.abs(w.weight_wishes(w.layers, j))))


def ranked(values: np.ndarray) -> list[int]:
    """Indices by |value|, largest first; equal ones by index, so every CPU shows the same order."""
    return [int(k) for k in np.lexsort((np.arange(len(values)), -np.abs(values)))]


class BackpropScreen(LessonScreen):
    TITLE_TEXT = "Backprop"
    HELP = f"""\
Backpropagation computes the gradient, and this step shows how, on the network the
other steps show and on real training images. `v` goes through five views.

**One image, one wish list.** For this image the cost goes down if the right
output goes up and the other nine go down, each by as much as it misses its
target: with the quadratic cost the wish on output j is −∂C₀/∂aⱼ = −2(aⱼ − yⱼ).
A softmax network with cross-entropy wishes on the weighted inputs z instead, yⱼ − aⱼ.

**Three levers.** An output neuron moves only through z = Σ w·a + b: its wish on z
is its slope σ'(z) times its wish on a. It can ask its bias for that wish, each
incoming weight for the activation feeding it times the wish (bright neurons'
weights matter most), and each activation feeding it for its weight times the wish.

**Wishes flow backwards.** A neuron of hidden layer 2 hears every output neuron's
wish for it; their sum is its own wish list, and layer 1 hears layer 2 the same
way. That backward flow is backpropagation.

**Every image wants something else.** Averaged over the images, one weight's wishes
are −∂C/∂w: minus the gradient's component, which backprop gives beside them.

**The chain rule** writes the same for a last-layer weight: ∂C₀/∂w = a(L−1) · σ'(z)
· 2(a − y), checked against the finite difference, and one layer further back.

`n` `p` change the image; `[` `]` the output neuron (in the wish lists, the neuron
of layer 2 whose sum is shown). The images are the training set's; the weight of
the last two views is the chosen output neuron's whose wish is largest, and the
average is over the image and the next {IMAGES - 1}."""

    BINDINGS = [
        Binding("n", "browse(1)", "Next", tooltip="The next training image"),
        Binding("p", "browse(-1)", "Prev", tooltip="The previous training image"),
        Binding("v", "view", "View", tooltip="Outputs · three levers · hidden layers · many images · chain rule"),
        Binding("left_square_bracket", "neuron(-1)", "Neuron −", group=_NEURON, tooltip="The previous neuron"),
        Binding("right_square_bracket", "neuron(1)", "Neuron +", group=_NEURON, tooltip="The next neuron"),
    ]

    DEFAULT_CSS = """
    BackpropScreen #page { height: 1fr; padding: 0 1; scrollbar-size-vertical: 1; }
    BackpropScreen #header { height: auto; }
    BackpropScreen ContentSwitcher { height: auto; }
    BackpropScreen ContentSwitcher > * { height: auto; }
    BackpropScreen #layers > Static { width: auto; margin-right: 1; }
    """

    view: reactive[str] = reactive("outputs", init=False)
    index: reactive[int] = reactive(0, init=False)  # the training image
    neuron: reactive[int] = reactive(0, init=False)  # the output neuron the levers, the weight and the chain are about
    hidden: reactive[int | None] = reactive(None, init=False)  # the hidden neuron whose sum is shown, when chosen

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="page"):
            yield Static(id="header")
            with ContentSwitcher(initial="outputs"):
                yield Static(id="outputs")
                yield Static(id="levers")
                with Horizontal(id="layers"):
                    yield Static(id="later")
                    yield Static(id="earlier")
                    yield Static(id="terms")
                yield Static(id="images")
                yield Static(id="chain")

    def on_mount(self) -> None:
        self.neuron = self._label()
        self.watch(self.app, "network_version", self._network_changed, init=False)

    def _network_changed(self) -> None:
        if self.is_current:  # a screen not shown redraws when it comes back
            self.redraw()

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
        network = self.network()
        cost = costs.known(training_cost(network))
        return network, wishes.wishes(network, self.state.data.train.inputs(self.index)[0], self._label(), cost)

    def redraw(self) -> None:
        network, w = self.image_wishes()
        cost = w.cost
        formula = "quadratic cost" if cost == "quadratic" else "softmax outputs, cross-entropy"
        self.query_one("#header", Static).update(
            f"[b]{TITLES[self.view]}[/b] · {self.image_name(self.index)}   "
            f"[dim]view {VIEWS.index(self.view) + 1} of {len(VIEWS)}[/dim]\n"
            f"[dim]network:[/dim] {self.state.network_origin} · {formula}"
        )
        if self.view == "outputs":
            self._draw_outputs(w)
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
        lines = [f"[dim]{'output':>{width}}     aⱼ  yⱼ  {'wish':^{2 * BAR + 1}}  {heading}[/dim]"]
        for j, name in enumerate(names):
            mark = "◀" if j == self.neuron else " "
            lines.append(
                f"{name:>{width}}  {w.a[out][j]:.4f}  {w.target[j]:.0f}   {signed_bar(float(wish[j]), scale)}  "
                f"{number(float(wish[j])):>10} {mark}"
            )
        right = self.output_name(w.label)
        if quadratic:
            lines.append(
                f"\nThe right output, {right}, should rise and the nine others fall, each by as much as it "
                "misses its target: a small miss asks for little, a big one for much."
            )
        else:
            lines.append(
                f"\nCross-entropy, −ln a, asks only the right output, {right}, to rise: by 1/a = "
                f"{number(float(w.wish_a[out][w.label]))}. Softmax shares out a total of 1, so raising its z "
                "lowers the others: on the weighted inputs z the wishes are yⱼ − aⱼ."
            )
        # [ and ] move the mark here, and act on it in the views that follow: say so, or they seem to do nothing.
        lines.append(
            f"[dim]◀ marks output {self.output_name(self.neuron)}, the one the next views take apart; "
            "\\[ and ] pick another.[/dim]"
        )
        self.query_one("#outputs", Static).update("\n".join(lines))

    def _draw_levers(self, w: wishes.Wishes) -> None:
        out, j = w.layers, self.neuron
        wish_z = float(w.wish_z[out][j])
        if w.network.output == "sigmoid":
            how = f"σ'(z) {number(float(w.slope(out)[j]))} × wish on a {number(float(w.wish_a[out][j]))}"
        else:
            how = "y − a (softmax, cross-entropy)"
        weight_wishes, activation_wishes = w.weight_wishes(out, j), w.activation_wishes(out, j)
        scale = scale_of(weight_wishes)
        lines = [
            f"Output [b]{self.output_name(j)}[/b] (a = {w.a[out][j]:.4f}): wish on z [b]{number(wish_z)}[/b] = {how}",
            f"[b]1 bias[/b] {number(w.bias_wish(out, j))} (1 × that)   "
            "[b]2 weights[/b] aₖ × that   [b]3 layer before[/b] wₖ × that",
            f"[dim]from  activation aₖ  weight wₖ  {'2 wish for wₖ':^{2 * BAR + 12}}  3 wish for aₖ[/dim]",
        ]
        for k in ranked(weight_wishes):
            lines.append(
                f"{k:>4}  {w.a[out - 1][k]:>12.4f}  {w.network.weights[out - 1][j, k]:>+9.4f}  "
                f"{signed_bar(float(weight_wishes[k]), scale)} {number(float(weight_wishes[k])):>10}  "
                f"{number(float(activation_wishes[k])):>13}"
            )
        lines.append("[dim]Ranked by 2: the brightest neurons' weights matter most for this image.[/dim]")
        self.query_one("#levers", Static).update("\n".join(lines))

    def _draw_layers(self, w: wishes.Wishes) -> None:
        hidden = list(range(w.layers - 1, 0, -1))[:2]  # the last hidden layer, and the one before it
        columns = [self.query_one("#later", Static), self.query_one("#earlier", Static)]
        k = self.hidden_neuron(w)
        for column, layer in zip(columns, [*hidden, None, None]):
            column.display = layer is not None
            if layer is not None:
                values = w.wish_a[layer]
                rows = [f"[b]hidden layer {layer}[/b]", "[dim] k  −∂C₀/∂aₖ[/dim]"]
                scale = scale_of(values)
                for n, value in enumerate(values):
                    mark = "◀" if layer == hidden[0] and n == k else " "
                    rows.append(f"{n:>2}{mark}{signed_bar(float(value), scale, 3)} {short(float(value)):>9}")
                column.update("\n".join(rows))
        terms = self.query_one("#terms", Static)
        if not hidden:
            terms.update("This network has no hidden layer: its outputs' wishes go straight to its weights.")
            return
        layer = hidden[0]
        parts = w.terms(layer, k)
        wish_z = w.wish_z[layer + 1]
        rows = [f"[b]neuron {k} of layer {layer}[/b] hears", f"[dim] j     wⱼ{k} ×  wish on zⱼ[/dim]"]
        for j, part in enumerate(parts):
            name = self.output_name(j) if layer + 1 == w.layers else str(j)
            weight = float(w.network.weights[layer][j, k])
            rows.append(f"{name:>2} {weight:+.4f} × {short(float(wish_z[j])):>9} = {short(float(part)):>9}")
        rows.append(f"{'sum':>22} = {short(float(parts.sum())):>9}")
        rows.append(f"\n[dim]Its wish: what all {len(parts)} neurons\nafter it ask of it, added up.[/dim]")
        terms.update("\n".join(rows))

    def hidden_neuron(self, w: wishes.Wishes) -> int:
        """The neuron of the last hidden layer the sum is shown for: chosen, or the one the weight of the last views leaves."""
        return self.hidden if self.hidden is not None else strongest_source(w, self.neuron)

    def _draw_images(self, network: Network, w: wishes.Wishes) -> None:
        out, j = w.layers, self.neuron
        k = strongest_source(w, j)
        split = self.state.data.train
        indices = (self.index + np.arange(IMAGES)) % len(split)
        x, labels = split.inputs(indices).astype(np.float64), split.labels[indices]
        each = wishes.weight_wishes_of_images(network, x, labels, w.cost, out, j, k)
        _, grad = backprop.gradient(network, x, labels, w.cost)
        component = float(grad[wishes.weight_index(network, out, j, k)])
        average = float(each.mean())
        scale = scale_of(each)
        lines = [
            f"The weight from {source(out, k)} to output [b]{self.output_name(j)}[/b]: what each image wants of it.",
            f"[dim]{'image':<24}{'wish −∂C₀/∂w':^{2 * BAR + 1}}[/dim]",
        ]
        for index, value in zip(indices, each):
            lines.append(f"{self.image_name(int(index)):<24}{signed_bar(float(value), scale)} {number(float(value)):>13}")
        lines += [
            f"{'their average':<24}{signed_bar(average, scale)} [b]{precise(average):>13}[/b]",
            "",
            f"Backprop's ∂C/∂w for the cost over these {IMAGES} images: [b]{precise(component)}[/b].",
            "The average wish is −1 × ∂C/∂w: the gradient's component, turned downhill.",
        ]
        self.query_one("#images", Static).update("\n".join(lines))

    def _draw_chain(self, network: Network, w: wishes.Wishes) -> None:
        chain_view = self.query_one("#chain", Static)
        out, j = w.layers, self.neuron
        if out < 2:
            chain_view.update("This network has no hidden layer: there is no layer further back.")
            return
        k = strongest_source(w, j)
        i = int(np.argmax(np.abs(w.a[out - 2] * w.slope(out - 1)[k])))
        chain = wishes.chain_rule(w, j, k, i)
        double = finite_differences.in_double(network)
        x, labels = self.state.data.train.inputs(self.index).astype(np.float64), np.array([w.label])

        def check(k_flat: int, exact: float) -> str:
            estimate = finite_differences.finite_difference(double, k_flat, x, labels, w.cost)
            return f"         finite difference [b]{precise(estimate)}[/b]: {same_to(exact, estimate)}"

        hidden_slope = "σ'" if network.activation == "sigmoid" else "ReLU'"
        dz = factor(chain.dz)
        if chain.slope is not None and chain.cost_slope is not None:
            cost = "a = σ(z), C₀ = Σ(a − y)²"
            law = "∂C₀/∂w = ∂z/∂w · ∂a/∂z · ∂C₀/∂a = a(L−1) · σ'(z) · 2(a − y)"
            numbers = f"{factor(chain.a_prev)} × {factor(chain.slope)} × {factor(chain.cost_slope)}"
            bias = "∂C₀/∂b = 1 · σ'(z) · 2(a − y)"
            sum_of = "Σⱼ wⱼ · σ'(zⱼ) · 2(aⱼ − yⱼ)"
        else:
            cost = "a = softmax(z), C₀ = −ln a_right"
            law = "∂C₀/∂w = ∂z/∂w · ∂C₀/∂z = a(L−1) · (a − y)   [softmax with cross-entropy]"
            numbers = f"{factor(chain.a_prev)} × {dz}"
            bias = "∂C₀/∂b = 1 · (a − y)"
            sum_of = "Σⱼ wⱼ · (aⱼ − yⱼ)"
        lines = [
            f"w from neuron {k} of layer {out - 1} to output [b]{self.output_name(j)}[/b]: "
            f"w = {factor(chain.weight)}, a(L−1) = {factor(chain.a_prev)}",
            f"z = w · a(L−1) + …, {cost}; here a = {w.a[out][j]:.6f}, y = {w.target[j]:.0f}",
            law,
            f"       = {numbers} = [b]{precise(chain.weight_derivative)}[/b]",
            check(wishes.weight_index(network, out, j, k), chain.weight_derivative),
            f"{bias} = [b]{precise(chain.bias_derivative)}[/b]",
            check(wishes.bias_index(network, out, j), chain.bias_derivative),
            "",
            f"[b]One step further back.[/b] Neuron {k} of layer {out - 1} feeds every output:",
            f"∂C₀/∂a(L−1) = {sum_of} = {factor(chain.activation_derivative)}",
            f"       [dim]through output {self.output_name(j)} alone: {factor(chain.weight)} × {dz} = {factor(chain.path)}[/dim]",
            f"w from {source(out - 1, i)} into neuron {k} of layer {out - 1}:",
            f"∂C₀/∂w = a(L−2) · {hidden_slope}(z(L−1)) · ∂C₀/∂a(L−1)",
            f"       = {factor(chain.a_prev_prev)} × {factor(chain.hidden_slope)} × "
            f"{factor(chain.activation_derivative)} = [b]{precise(chain.earlier_weight_derivative)}[/b]",
            check(wishes.weight_index(network, out - 1, k, i), chain.earlier_weight_derivative),
        ]
        chain_view.update("\n".join(lines))

    # -- keys ----------------------------------------------------------------------

    def watch_view(self, view: str) -> None:
        self.query_one(ContentSwitcher).current = view
        self.redraw()

    def watch_index(self) -> None:
        self.redraw()

    def watch_neuron(self) -> None:
        self.redraw()

    def watch_hidden(self) -> None:
        self.redraw()

    def action_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]

    def action_browse(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.state.data.train)
        # The story of an image is about its own output neuron: the "2" neuron of a 2.
        self.hidden = None
        self.neuron = self._label()

    def action_neuron(self, delta: int) -> None:
        if self.view == "layers":
            network = self.state.network
            count = network.sizes[-2]
            current = self.hidden_neuron(self.image_wishes()[1])
            self.hidden = (current + delta) % count
        else:
            self.neuron = (self.neuron + delta) % self.state.network.sizes[-1]
            self.hidden = None
