"""A run's progress: the opening words before its first step, then the cost curve and the latest mini-batch."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from gdtui.core.run import RunSnapshot
from gdtui.core.words import counted, percent
from gdtui.ui.cadence import IMAGES_HZ, PLOT_HZ, Cadence
from gdtui.ui.state import LessonState
from gdtui.ui.widgets.cost_plot import MIN_ROWS, CostPlot, legend
from gdtui.ui.widgets.thumbnails import Thumb, Thumbnails, shrink

THUMB_WIDTH = 14  # columns a mini-batch image takes, with its caption


class ProgressView(Vertical):
    # The run's advice can take the rows the mini-batch needs at 80×24: it gives way then, to a whole plot.
    DEFAULT_CSS = """
    ProgressView #batch-title { text-wrap: nowrap; text-overflow: ellipsis; }
    ProgressView.-short #batch, ProgressView.-short #batch-title, ProgressView.-no-images #batch-title { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._plot, self._images = Cadence(PLOT_HZ), Cadence(IMAGES_HZ)
        self._batch: tuple[bytes, bytes] | None = None  # the images and the guesses last shown
        self._shown: RunSnapshot | None = None  # the snapshot the plot and its key last showed
        self._strip: tuple[LessonState, RunSnapshot] | None = None  # what the strip of images last showed

    def compose(self) -> ComposeResult:
        yield Static(id="opening")
        yield CostPlot(id="plot")
        yield Static(id="legend")
        yield Static(id="batch-title")
        yield Thumbnails(id="batch", max_rows=1)

    def show(self, state: LessonState, shot: RunSnapshot, live: bool, guided: bool) -> None:
        """Draw the snapshot; while a run goes (live), the plot and the images only as often as their cadence."""
        opening = self.query_one("#opening", Static)
        fresh = shot.steps == 0
        opening.display = fresh and not guided
        # Before the first step a plot has nothing to show: the opening words take its place,
        # unless the guided lesson speaks instead and the plot waits for the run it invites.
        self.query_one(CostPlot).display = not fresh or guided
        if fresh:
            opening.update(self._opening(state, shot))
        if self._plot.due(live):
            self.query_one(CostPlot).show(shot)
            self._shown = shot
            self._show_legend()
        if self._images.due(live):
            self._show_batch(state, shot)
            self._fit_batch()

    def on_mount(self) -> None:
        # Told once the app's colours are the new theme's, as the plot is: its key in the plot's colours.
        self.app.theme_changed_signal.subscribe(self, lambda _: self._show_legend())

    def _show_legend(self) -> None:
        shot = self._shown
        key = self.query_one("#legend", Static)
        # Before its first layout the legend has no width: the screen's, then.
        width = key.content_region.width or self.app.size.width
        text = "" if shot is None or shot.steps == 0 else legend(shot, width, self.app.current_theme.dark)
        if text != key.content:
            key.update(text)

    def on_resize(self) -> None:
        if self._strip is not None:  # as many images as the new width holds, and a heading that fits it
            self._show_batch(*self._strip)
        self._fit_batch()

    def _fit_batch(self) -> None:
        batch = self.query_one("#batch", Thumbnails)
        # And the legend, and the strip's heading.
        needs = MIN_ROWS + 2 + batch.get_content_height(self.size, self.app.size, self.size.width)
        self.set_class(0 < self.size.height < needs, "-short")

    @staticmethod
    def _opening(state: LessonState, shot: RunSnapshot) -> Content:
        if shot.epochs:
            start = shot.epochs[0]
            test = len(state.data.test)
            chance = 1 / len(state.data.classes)
            # Only what the measurement shows: an opened model may be well trained already.
            verdict = (
                f": no better than guessing, {chance:.0%}"
                if start.test_accuracy <= chance
                else f", where guessing would be {chance:.0%}"
            )
            measured = (
                f"On the {counted(test, 'test image')} its cost is {start.test_cost:.3f} "
                f"and it is right {percent(start.test_accuracy)} of the time{verdict}."
            )
        else:
            measured = "Its cost on the test images is being measured."
        return Content.from_markup(
            f"[b]The network ($origin)[/b]. {measured} "
            f"Training will move all [b]{state.network.num_params:,}[/b] of its parameters downhill, a mini-batch "
            "at a time.\n[b]n[/b] one step · [b]space[/b] run, pause · [b]e[/b] one epoch · [b]f[/b] speed · "
            "[b]+ -[/b] η · [b]b[/b] batch size · [b]v[/b] other views",
            origin=state.network_origin,
        )

    def _show_batch(self, state: LessonState, shot: RunSnapshot) -> None:
        strip = self.query_one("#batch", Thumbnails)
        shown = shot.last_batch[: strip.fits_in_row(THUMB_WIDTH)]
        guesses = shot.last_outputs[: len(shown)].argmax(axis=1)
        # Redrawn with no step between, the screen shows the same images with the same guesses: drawn already.
        self._strip = state, shot
        title = self.query_one("#batch-title", Static)
        # A class, not the heading's own display: the screen hides the strip, and its heading with it, under the lesson.
        self.set_class(len(shown) == 0, "-no-images")
        images = f"{len(shown)} of the last step's {shot.last_batch_size:,} images"
        answer = "right digit" if state.numbered else "right class"
        forms = [f"{images}: the network's guess, ✓, or ✗ and the {answer}", f"{images}: its guess, ✓, or ✗ and the {answer}"]
        width = self.size.width or self.app.size.width  # the heading spans the view; before its first layout, the screen
        heading = next((words for words in forms if cell_len(words) <= width), forms[-1])
        if heading != title.content:
            title.update(heading)
        batch = (shown.tobytes(), guesses.tobytes())
        if batch == self._batch:
            return
        self._batch = batch
        if len(shown) == 0:
            strip.show([])
            return
        split = state.data.train
        thumbs = []
        for index, guess in zip(shown, guesses):
            label = int(split.labels[index])
            image = split.inputs(int(index)).reshape(state.data.image_shape)
            right = int(guess) == label
            if state.numbered:
                caption = f"{guess} ✓" if right else f"{guess} ✗ is {label}"
            else:
                # Names are long: the guess, and after the arrow the right class, as far as the thumbnail is wide.
                said = state.data.classes[int(guess)]  # a plain Text caption: no markup to escape
                caption = f"✓ {said}" if right else f"✗ {said}→{state.data.classes[label]}"
            thumbs.append(Thumb(shrink(image), caption, caption_style="$text-success" if right else "$text-error"))
        strip.show(thumbs)
