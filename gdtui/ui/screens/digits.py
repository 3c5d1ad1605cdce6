"""Step 1: a digit is 784 numbers. Browse MNIST, look at the numbers, draw your own."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static

from gdtui.core import drawing
from gdtui.core.network import neuron_name
from gdtui.ui.screens.base import LessonScreen
from gdtui.ui.screens.label_prompt import LabelPrompt
from gdtui.ui.widgets.digit_view import DigitView
from gdtui.ui.widgets.pixel_numbers import PixelNumbers

# Keys that browse the data set; drawing has keys of its own.
_BROWSING = {"browse", "random", "label", "split", "noise", "draw"}
_DRAWING = {"paint", "erase", "clear", "done_drawing"}


_CURSOR = Binding.Group("Cursor", compact=True)


class DigitsScreen(LessonScreen):
    TITLE_TEXT = "Digits"
    HELP = """\
Each MNIST image is 28×28 grey pixels. To the network it is just **784 numbers**,
one per pixel, from 0.0 (black) to 1.0 (white), read row by row: these are the
activations of its 784 input neurons. Every screen counts them from 0, as it counts
neurons: pixel (r,c), in row r and column c, is input 28·r + c.

The image is drawn with half blocks, two pixels per character cell; where colours
are scarce it falls back to shade glyphs. On the right are the actual numbers
around the cursor pixel (move it with the arrow keys).

Press `d` to draw a digit yourself: the network will see it scaled and centred
the way MNIST's own digits were, so it is read fairly. `z` shows pure noise, which
a trained network will still confidently call some digit."""

    BINDINGS = [
        Binding("n", "browse(1)", "Next", tooltip="The next image"),
        Binding("p", "browse(-1)", "Prev", tooltip="The previous image"),
        Binding("r", "random", "Random", tooltip="A random image"),
        Binding("l", "label", "Label", tooltip="Jump to the next image of a digit you type"),
        Binding("t", "split", "Train/test", tooltip="Switch between the training and the test set"),
        Binding("d", "draw", "Draw", tooltip="Draw a digit of your own"),
        Binding("d", "done_drawing", "Done", tooltip="Done drawing: back to the data set"),
        Binding("z", "noise", "Noise", tooltip="Pure noise: what does the network make of it?"),
        Binding("space", "paint", "Paint", tooltip="Paint the pixel under the cursor"),
        Binding("x", "erase", "Erase", tooltip="Erase the pixel under the cursor"),
        Binding("c", "clear", "Clear", tooltip="Clear the drawing"),
        Binding("up", "move(-1, 0)", "Cursor up", group=_CURSOR),
        Binding("down", "move(1, 0)", "Cursor down", group=_CURSOR),
        Binding("left", "move(0, -1)", "Cursor left", group=_CURSOR),
        Binding("right", "move(0, 1)", "Cursor right", group=_CURSOR),
    ]

    DEFAULT_CSS = """
    DigitsScreen #panels { height: auto; }
    DigitsScreen #image-panel { width: auto; height: auto; border: round $primary; padding: 0 1; }
    DigitsScreen #right-panel { width: auto; height: auto; border: round $primary; padding: 0 1; margin-left: 1; }
    DigitsScreen #right-panel ContentSwitcher { width: auto; height: auto; }
    DigitsScreen #pixel, DigitsScreen #explain { padding: 0 1; }
    DigitsScreen #explain { color: $text-muted; }
    /* Under the lesson's guide at 80×24 the pixel's line needs the row the panels' bottom edges took. */
    DigitsScreen.-guided #image-panel, DigitsScreen.-guided #right-panel { border-bottom: none; }
    """

    cursor: reactive[tuple[int, int]] = reactive((14, 14), repaint=False)
    drawing_mode: reactive[bool] = reactive(False, repaint=False)

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="panels"):
            with Vertical(id="image-panel"):
                yield DigitView(show_legend=True, id="image")
            with Vertical(id="right-panel"), ContentSwitcher(initial="numbers"):
                yield PixelNumbers(id="numbers")
                yield DigitView(show_legend=True, id="seen")
        yield Static(id="pixel")
        yield Static(id="explain", classes="aside")

    def on_mount(self) -> None:
        rows, cols = self.state.data.image_shape
        self.cursor = (rows // 2, cols // 2)
        self.watch(self.app, "input_version", self._input_changed, init=False)

    def _input_changed(self) -> None:
        if self.is_current:  # a screen not shown draws the input when it comes back
            self.redraw()

    def allows(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _DRAWING:
            return self.drawing_mode
        if action in _BROWSING:
            return not self.drawing_mode
        return True

    def watch_drawing_mode(self) -> None:
        self.refresh_bindings()  # the input's change that comes with it redraws: see action_draw

    def watch_roomy(self, roomy: bool) -> None:
        for view in self.query(DigitView):
            view.zoomed = roomy
        self.query_one(PixelNumbers).set_window(*((25, 10) if roomy else (13, 8)))

    def watch_cursor(self) -> None:
        if self.is_mounted:
            self.redraw()

    def redraw(self) -> None:
        state, chosen = self.state, self.state.chosen
        if self.drawing_mode:
            image = chosen.canvas
            title = "your drawing"
        else:
            image = chosen.image()
            title = state.describe(short=True)
        view, seen_view = self.query_one("#image", DigitView), self.query_one("#seen", DigitView)
        # Under the guided lesson the pictures need their legends' row, for the pixel's line, and that line its
        # columns, for the network's verdict on noise or a drawing: a panel's title says what the shades mean.
        guided = self.has_class("-guided")
        view.show_legend = seen_view.show_legend = not guided
        view.show(image)
        view.cursor = self.cursor
        self.query_one("#numbers", PixelNumbers).show(image, self.cursor)
        switcher = self.query_one(ContentSwitcher)
        left, right = Text(title), self.query_one("#right-panel")
        if self.drawing_mode:
            switcher.current = "seen"
            seen_view.show(drawing.like_mnist(chosen.canvas))
            right.border_title = "what the network sees"
            if guided:  # of the two titles, the drawing's is short enough to take it
                left.append_text(Text.assemble(" · ", view.legend()))
        else:
            switcher.current = "numbers"
            shades = Text.assemble(" · shades ", view.legend()) if guided else ""
            right.border_title = Content.from_rich_text(Text.assemble("the numbers", shades))
        self.query_one("#image-panel").border_title = Content.from_rich_text(left)
        row, col = self.cursor
        rows, cols = image.shape
        # Named and counted from 0 as every screen names a pixel, an input and a neuron.
        index = row * cols + col
        pixel = f"{neuron_name((), 0, index, (rows, cols))} = input {index} = [b]{float(image[row, col]):.2f}[/b]"
        said = ""  # a class's name: anyone's text, put in as $said, never read as markup
        origin = ""  # the network's, which may be a model file's name: text, put in as $origin
        if self.drawing_mode and not chosen.canvas.any():
            pixel += "   nothing drawn yet"  # one line: the hint below says which key paints
        elif self.drawing_mode or chosen.source == "noise":
            # The drawing, scaled like MNIST's digits, or the noise: the input on screen, whatever the source was.
            seen = drawing.like_mnist(chosen.canvas) if self.drawing_mode else chosen.image()
            outputs = state.network.forward(seen.reshape(1, -1))[0]
            guess = int(outputs.argmax())
            said = state.class_name(guess)
            verdict = f"   the network ($origin) says [b]$said[/b] ({outputs[guess]:.2f})"
            # Which network: on one line with the pixel's, in fewer words when they are too many. A model file's
            # name too long for any room left wraps rather than goes.
            shown = len(Content.from_markup(pixel + verdict, origin="", said=said).plain)
            origin = state.network_origin_in(self.query_one("#pixel").content_size.width - shown)
            pixel += verdict
        self.query_one("#pixel", Static).update(Content.from_markup(pixel, said=said, origin=origin))
        self.query_one("#explain", Static).update(self._explanation(rows, cols))

    def _explanation(self, rows: int, cols: int) -> str:
        if self.drawing_mode:
            box = drawing.box_for((rows, cols))
            what = "digit" if self.state.numbered else "drawing"
            return (
                "arrows move, space paints, x erases, c clears, d goes back. The network sees your "
                f"{what} scaled to {box}×{box} and centred like MNIST's (right)."
            )
        # Inside the lesson the guide's own rows say where it is: the invitation to start it would cost a line.
        beat, beats = self.gdtui.lesson_left_at
        if self.gdtui.guiding:
            welcome = ""
        elif beat == 1:
            welcome = "\nNew here? Press [b]L[/b] for a guided lesson, [b]?[/b] for help on any screen."
        else:
            welcome = f"\nPress [b]L[/b] to go on with the lesson (beat {beat} of {beats}), [b]?[/b] for help on any screen."
        return (
            f"{rows}×{cols} = {rows * cols} numbers from 0.0 (black) to 1.0 (white): the "
            f"{rows * cols} inputs of the network. Arrows move the cursor.{self._reduced()}{welcome}"
        )

    def _reduced(self) -> str:
        """Where the image is drawn smaller than it is, say so: the numbers are its own."""
        factor = self.query_one("#image", DigitView).factor
        return f" Drawn {factor}× smaller to fit: each cell stands for {factor}×{factor} pixels." if factor > 1 else ""

    # Each change of the input redraws the screen: see _input_changed.

    def action_browse(self, delta: int) -> None:
        self.state.chosen.browse(delta)

    def action_random(self) -> None:
        self.state.chosen.random_example(self.gdtui.rng)

    def action_split(self) -> None:
        self.state.chosen.toggle_split()

    def action_noise(self) -> None:
        self.state.chosen.use_noise(self.gdtui.rng)

    def action_label(self) -> None:
        def jump(label: int | None) -> None:
            if label is None:
                return
            if not self.state.chosen.next_with_label(label):
                self.notify(
                    f"There is no {self.state.a_class(label)} in the {self.state.chosen.split_name} set.",
                    severity="warning",
                    markup=False,
                )

        self.app.push_screen(LabelPrompt(self.state.data.classes), jump)

    def action_draw(self) -> None:
        self.drawing_mode = not self.drawing_mode
        # What the other steps show follows: the drawing while drawing, else the data set.
        if self.drawing_mode:
            self.state.chosen.use_drawing()
        else:
            self.state.chosen.use_dataset()

    def action_done_drawing(self) -> None:
        self.action_draw()

    def action_move(self, drow: int, dcol: int) -> None:
        rows, cols = self.state.data.image_shape
        row, col = self.cursor
        self.cursor = (int(np.clip(row + drow, 0, rows - 1)), int(np.clip(col + dcol, 0, cols - 1)))

    def action_paint(self) -> None:
        self.state.chosen.paint(*self.cursor)

    def action_erase(self) -> None:
        self.state.chosen.erase(*self.cursor)

    def action_clear(self) -> None:
        self.state.chosen.clear()
