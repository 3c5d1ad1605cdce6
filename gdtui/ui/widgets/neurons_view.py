"""The first layer's neurons: the weights from each pixel, and their gradient in the last step, a page at a time."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from gdtui.ui.blocks import legend as sign_legend
from gdtui.ui.blocks import wants_glyphs
from gdtui.ui.state import LessonState
from gdtui.ui.widgets.thumbnails import Thumb, Thumbnails, shrink

THUMB_WIDTH = 15  # columns a neuron's picture takes, with the space after it


class NeuronsView(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[LessonState, int, bool] | None = None
        # Each neuron's gradient beside its weights, not below them: where the rows are too few for both
        # (at 80×24 while the run's advice takes some), the captions under the gradients would be cut.
        self._paired = False

    def compose(self) -> ComposeResult:
        yield Static(id="neurons-title")
        yield Thumbnails(id="neuron-weights")
        yield Thumbnails(id="neuron-gradients")

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def per_page(self) -> int:
        side_by_side = max(1, (self.screen.size.width + 1) // THUMB_WIDTH)
        return max(1, side_by_side // 2) if self._paired else side_by_side

    def show(self, state: LessonState, page: int, stepped: bool, live: bool = False) -> None:
        """live: a frame of a running run, which never waits for a step's lock (see GradientView.show)."""
        self._shown = state, page, stepped
        shape = state.data.image_shape
        title = self.query_one("#neurons-title", Static)
        thumb_rows = (shrink(np.zeros(shape)).shape[0] + 1) // 2 + 1  # the image's half-block rows and the caption
        # Laid out at all: before that, the first layout decides, and this is shown again on it.
        laid_out = self.size.height > 0 and title.size.height > 0
        self._paired = stepped and laid_out and self.size.height < title.size.height + 2 * thumb_rows
        count = state.network.sizes[1]
        per_page = self.per_page()
        first = (page * per_page) % count
        neurons = range(first, min(first + per_page, count))
        layer = state.first_layer(neurons, wait=not live)  # a copy of one layer, then drawn outside the lock
        if layer is None:
            return  # a step holds the lock: the next frame draws
        layer_weights, layer_grads = layer
        weights = [shrink(w.reshape(shape)) for w in layer_weights]
        grads = [shrink(g.reshape(shape)) for g in layer_grads]
        weight_scale = max(float(np.abs(w).max()) for w in weights) or 1.0
        grad_scale = max(float(np.abs(g).max()) for g in grads) or 1.0
        where = ("left", "right") if self._paired else ("top", "below")
        below = f"their gradient in the last step ({where[1]})" if stepped else "their gradient (none: no step yet, n takes one)"
        # The signs as the images draw them: blue and red, or shade glyphs where colour is not to be had.
        signs = sign_legend(signed=True, scale=None, colors=not wants_glyphs(self.app.console.color_system, self.app.no_color))
        title.update(
            Text.assemble(
                f"First layer, neurons {neurons.start}–{neurons.stop - 1} of {count}: the weights from each pixel "
                f"({where[0]}) and {below}. ",
                signs,
                "  [ ] page",
            )
        )
        weight_thumbs = [Thumb(w, f"{j} w", signed=True, scale=weight_scale) for j, w in zip(neurons, weights)]
        grad_thumbs = [Thumb(g, f"{j} ∂C/∂w", signed=True, scale=grad_scale) for j, g in zip(neurons, grads)]
        if self._paired:
            self.query_one("#neuron-weights", Thumbnails).show([t for pair in zip(weight_thumbs, grad_thumbs) for t in pair])
            self.query_one("#neuron-gradients", Thumbnails).show([])
        else:
            self.query_one("#neuron-weights", Thumbnails).show(weight_thumbs)
            self.query_one("#neuron-gradients", Thumbnails).show(grad_thumbs if stepped else [])
