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
    def compose(self) -> ComposeResult:
        yield Static(id="neurons-title")
        yield Thumbnails(id="neuron-weights")
        yield Thumbnails(id="neuron-gradients")

    def per_page(self) -> int:
        return max(1, (self.screen.size.width + 1) // THUMB_WIDTH)

    def show(self, state: LessonState, page: int, stepped: bool) -> None:
        count = state.network.sizes[1]
        per_page = self.per_page()
        first = (page * per_page) % count
        neurons = range(first, min(first + per_page, count))
        layer_weights, layer_grads = state.first_layer(neurons)  # a copy of one layer, then drawn outside the lock
        shape = state.data.image_shape
        weights = [shrink(w.reshape(shape)) for w in layer_weights]
        grads = [shrink(g.reshape(shape)) for g in layer_grads]
        weight_scale = max(float(np.abs(w).max()) for w in weights) or 1.0
        grad_scale = max(float(np.abs(g).max()) for g in grads) or 1.0
        below = "their gradient in the last step (below)" if stepped else "their gradient (none: no step yet, n takes one)"
        # The signs as the images draw them: blue and red, or shade glyphs where colour is not to be had.
        signs = sign_legend(signed=True, scale=None, colors=not wants_glyphs(self.app.console.color_system, self.app.no_color))
        self.query_one("#neurons-title", Static).update(
            Text.assemble(
                f"First layer, neurons {neurons.start}–{neurons.stop - 1} of {count}: the weights from each pixel "
                f"(top) and {below}. ",
                signs,
                "  [ ] page",
            )
        )
        self.query_one("#neuron-weights", Thumbnails).show(
            [Thumb(w, f"{j} w", signed=True, scale=weight_scale) for j, w in zip(neurons, weights)]
        )
        self.query_one("#neuron-gradients", Thumbnails).show(
            [Thumb(g, f"{j} ∂C/∂w", signed=True, scale=grad_scale) for j, g in zip(neurons, grads)] if stepped else []
        )
