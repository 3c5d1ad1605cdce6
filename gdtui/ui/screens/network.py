"""Step 2: the network, its layers and parameters, and what it makes of a digit."""

from __future__ import annotations

import math

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widgets import Static

from gdtui.core.network import layer_name
from gdtui.core.words import count
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.widgets.digit_view import DigitView
from gdtui.ui.widgets.layer_bars import LayerBars, layer_width


def parameter_sum(sizes: tuple[int, ...]) -> str:
    """The parameter count spelt out: 784·16 + 16 + 16·16 + 16 + 16·10 + 10."""
    return " + ".join(f"{n_in}·{n_out} + {n_out}" for n_in, n_out in zip(sizes[:-1], sizes[1:]))


_NEURON = Binding.Group("Neuron", compact=True)


class NetworkScreen(LessonScreen):
    TITLE_TEXT = "Network"
    HELP = """\
The network has layers of neurons. Its input is the pixel values of the image;
each neuron of a layer adds up every value of the layer before (or the input),
each times its own **weight**, adds its own **bias**, and squashes the sum into
an activation (sigmoid: between 0 and 1). The last layer has one neuron per
class, per digit on MNIST: the brightest is the network's answer. The layers
between are the hidden ones, as many and as wide as the network was made with:
the top line counts them.

All those weights and biases are the network's parameters, counted on top of the
screen. With random values the outputs are *utter trash*: press `r` for another
random network and see. Learning means finding parameters that make them right —
that is what the Cost, One/Two parameters and Training steps are about.

`w` shows what a neuron the pixels feed "looks for": its weights from the pixels drawn as
an image, blue where it likes ink, red where ink counts against it (without
colours, ░▒▓█ where it likes ink, ·-=≡ where ink counts against it)."""

    BINDINGS = [
        Binding("n", "browse(1)", "Next", tooltip="The next image"),
        Binding("p", "browse(-1)", "Prev", tooltip="The previous image"),
        Binding("r", "randomize", "Randomise", tooltip="Another random network, from the next seed"),
        Binding("w", "weights", "Weights", tooltip="What a neuron the pixels feed looks for: its pixel weights as an image"),
        Binding("left_square_bracket", "neuron(-1)", "Neuron −", group=_NEURON, tooltip="The previous neuron's weights"),
        Binding("right_square_bracket", "neuron(1)", "Neuron +", group=_NEURON, tooltip="The next neuron's weights"),
        Binding("o", "open_model", "Open model", tooltip="Open a model saved by gdtui"),
    ]

    # The digit beside everything else: its fourteen rows are as many as the lesson's guide leaves
    # the body at 80×24, so the words and the layers stand to its right, each hidden layer in columns
    # of eight (two for the lesson's sixteen), and the verdict (the guide says as much) steps aside for the guide.
    DEFAULT_CSS = """
    NetworkScreen #layers { height: auto; }
    NetworkScreen #verdict { height: 2; }
    NetworkScreen #input-column { width: auto; height: auto; margin-right: 1; }
    NetworkScreen #side { width: 1fr; height: auto; }
    NetworkScreen #architecture { text-wrap: nowrap; text-overflow: ellipsis; }
    NetworkScreen #bars { height: auto; }
    NetworkScreen #bars > * { margin-right: 1; }
    """

    show_weights: reactive[bool] = reactive(False, repaint=False)
    neuron: reactive[int] = reactive(0, repaint=False)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="layers"):
            with Vertical(id="input-column"):
                yield Static(id="input-title")
                yield DigitView(id="input", show_legend=True)
            with Vertical(id="side"):
                yield Static(id="architecture")
                with Horizontal(id="bars"):
                    # A column of bars for each hidden layer of the network shown, put in by redraw.
                    yield LayerBars("output", mark_width=8, id="output")
        yield Static(id="verdict", classes="aside")

    _room_asked_at: Size | None = None  # the size at which a draw found no room for the bars, and asked again

    def on_resize(self, event: events.Resize) -> None:  # LessonScreen's runs too: Textual calls each class's handler
        if self._room_asked_at is not None and self.is_current:  # the room the bars waited for may be here now
            self.call_after_refresh(self.redraw)

    def on_mount(self) -> None:
        self.watch(self.app, "input_version", self._input_changed, init=False)

    def _input_changed(self) -> None:
        if self.is_current:  # a screen not shown draws the input when it comes back
            self.redraw()

    def watch_roomy(self, roomy: bool) -> None:
        self.query_one("#input", DigitView).zoomed = roomy
        if self.is_mounted:
            self.redraw()

    def _hidden_bars(self, sizes: tuple[int, ...]) -> list[LayerBars]:
        """A column of bars for each hidden layer of a network of `sizes`, named as every other screen names them:
        the ones there, or new ones when the network, or the room beside the digit, asks for others."""
        hidden = sizes[1:-1]
        names = [layer_name(sizes, layer) for layer in range(1, len(sizes) - 1)]
        columns = [self._columns(neurons, sizes[-1]) for neurons in hidden]
        cells = self._cells(names, hidden, columns)
        bars = [bars for bars in self.query(LayerBars) if bars.id != "output"]
        if [(b.title, b.columns, b.cells) for b in bars] != [(name, n, cells) for name, n in zip(names, columns)]:
            for old in bars:
                old.remove()
            # Without ids: the old ones are still being removed.
            bars = [LayerBars(name, columns=n, cells=cells) for name, n in zip(names, columns)]
            if bars:
                self.query_one("#bars").mount_all(bars, before="#output")
        return bars

    def _columns(self, neurons: int, outputs: int) -> int:
        """A roomy terminal has the rows for one neuron a line, with its value, up to sixteen; otherwise columns of
        eight, each neuron with its number and a bar: a layer no taller than the outputs' bars, or eight rows."""
        rows = max(16 if self.roomy else 8, outputs)
        return max(1 if self.roomy else 2, math.ceil(neurons / rows))

    def _cells(self, names: list[str], hidden: tuple[int, ...], columns: list[int]) -> int:
        """The cells of a hidden neuron's bar in more than one column: fewer where the layers, with the outputs' bars,
        would not fit beside the digit."""
        room = self.query_one("#side").content_size.width
        if not room:
            # Not laid out yet: drawn again once it is. But once a size at most: where the layout leaves no
            # room at all, a redraw after every frame would spin for ever; a resize draws again (on_resize).
            if self.is_current and self._room_asked_at != self.size:
                self._room_asked_at = self.size
                self.call_after_refresh(self.redraw)
            return 3
        self._room_asked_at = None
        room -= self.query_one("#output", LayerBars).get_content_width(self.size, self.size) + len(hidden)
        for cells in (3, 2):
            if sum(layer_width(*layer, cells) for layer in zip(names, hidden, columns)) <= room:
                return cells
        return 1

    def action_show_input(self) -> None:
        """The input digit, not a neuron's weights in its place."""
        self.show_weights = False

    def watch_show_weights(self) -> None:
        if self.is_mounted:
            self.redraw()

    def watch_neuron(self) -> None:
        if self.is_mounted:
            self.redraw()

    def redraw(self) -> None:
        state, network = self.state, self.state.network
        sizes = network.sizes
        # A model opened since may have fewer neurons in its first layer than the one whose weights were chosen.
        self.set_reactive(NetworkScreen.neuron, self.neuron % sizes[1])
        # A line each, never wrapped: the rows below are counted.
        self.query_one("#architecture", Static).update(
            Content.from_markup(
                f"[b]{' → '.join(map(str, sizes))}[/b]   [b]{network.num_params:,}[/b] parameters =\n"
                f"{parameter_sum(sizes)}\n"
                "[dim]network:[/dim] $origin\n[dim]input:[/dim] $input",
                origin=state.network_origin,
                input=state.describe(),
            )
        )
        activations = [a[0] for a in network.activations(state.chosen.inputs())]
        hidden = activations[1:-1]
        outputs = activations[-1]
        for i, (bars, values) in enumerate(zip(self._hidden_bars(sizes), hidden)):
            bars.show(values, bold={self.neuron} if self.show_weights and i == 0 else set())
        guess, label = int(outputs.argmax()), state.chosen.label()
        bold = {label} if label is not None else set()
        if state.numbered:
            # A guess that is right is marked right: "◀ guess" alone leaves the learner to compare.
            marks = {guess: "◀ right" if guess == label else "◀ guess"}
            if label is not None and label != guess:
                marks[label] = "◀ right"
            self.query_one("#output", LayerBars).show(outputs, marks=marks, bold=bold)
        else:
            # Each output by its class's name; the guess and the right answer stand out by colour and weight.
            names = dict(enumerate(state.data.classes))
            styles = (
                {i: "dim" for i in names}
                | ({label: "bold $text-success"} if label is not None else {})
                | {guess: "bold $text-warning"}
            )
            self.query_one("#output", LayerBars).show(outputs, marks=names, bold=bold, mark_styles=styles)
        self._draw_input()
        self.query_one("#verdict", Static).update(self._verdict(guess, float(outputs[guess]), label))

    def _draw_input(self) -> None:
        view = self.query_one("#input", DigitView)
        # The guided lesson says what the shades mean; its rows are worth more to the picture.
        view.show_legend = not self.has_class("-guided")
        title = self.query_one("#input-title", Static)
        if self.show_weights:
            weights = self.state.network.weights[0][self.neuron].reshape(self.state.data.image_shape)
            view.show(weights, signed=True)
            title.update(f"[b]neuron {self.neuron}[/b]'s weights  [dim]\\[ ][/dim]")
        else:
            view.show(self.state.chosen.image())
            title.update("[b]input[/b]")

    def _verdict(self, guess: int, confidence: float, label: int | None) -> Content:
        state = self.state
        said = f"It says [b]$guess[/b] ({confidence:.2f})"
        if label is None:
            judgement = f"{said}; there is no right answer for $input."
        elif guess == label and self.state.untrained:
            judgement = (
                f"{said}: [$text-success]right[/], by luck: with random weights the outputs are utter trash, and "
                f"one guess in {count(len(state.data.classes))} lands anyway. r for another random network."
            )
        elif guess == label:
            judgement = f"{said}: [$text-success]right[/]."
        else:
            judgement = f"{said}: [$text-error]wrong[/], this is $right."
        if self.state.untrained and guess != label:
            judgement += " With random weights the outputs are utter trash: r for another random network."
        right = "" if label is None else state.a_class(label)
        return Content.from_markup(judgement, guess=state.class_name(guess), input=state.describe(), right=right)

    def action_browse(self, delta: int) -> None:
        self.state.chosen.browse(delta)  # which redraws: see _input_changed

    def action_randomize(self) -> None:
        def chosen(replace: bool | None) -> None:
            if replace:
                self.state.randomize_network()
                self.redraw()

        if self.state.unsaved:  # trained or nudged since it was made, opened or saved
            self.app.push_screen(DiscardPrompt(self.state.network_origin, self), chosen)
        else:
            chosen(True)

    def action_weights(self) -> None:
        self.show_weights = not self.show_weights

    def action_neuron(self, delta: int) -> None:
        self.show_weights = True
        self.neuron = (self.neuron + delta) % self.state.network.sizes[1]
