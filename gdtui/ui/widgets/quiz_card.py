"""One option of the ranking quiz: its letter and place, the digit it answers, its outputs and cost."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from gdtui.ui.widgets.digit_view import DigitView
from gdtui.ui.widgets.layer_bars import LayerBars
from gdtui.ui.widgets.thumbnails import shrink

PLACES = ("1st", "2nd", "3rd", "4th")


class QuizCard(Vertical):
    """An option: the outputs as bars, the right digit's marked; the cost once the answer is checked."""

    DEFAULT_CSS = """
    QuizCard { width: auto; height: auto; padding: 0 1; }
    QuizCard.-selected { background: $primary 30%; }
    QuizCard > .title { width: 100%; }
    QuizCard.-selected > .title { text-style: bold reverse; }
    QuizCard > DigitView { display: none; }
    QuizCard.-with-image > DigitView { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(classes="title")
        yield DigitView()
        yield LayerBars("cost ?", bar_width=4, mark_width=2)

    def show(
        self,
        letter: str,
        outputs: np.ndarray,
        label: int,
        place: int,
        *,
        selected: bool,
        cost: float | None,
        image: np.ndarray | None = None,
    ) -> None:
        """Draw option `letter`, ranked at `place` (0 = costliest); cost None until checked."""
        self.set_class(selected, "-selected")
        self.query_one(".title", Static).update(f"{letter} · {PLACES[place]}")
        self.set_class(image is not None, "-with-image")
        if image is not None:
            self.query_one(DigitView).show(shrink(image))
        bars = self.query_one(LayerBars)
        bars.title = "cost ?" if cost is None else f"cost {cost:.2f}"
        bars.show(outputs, marks={label: "◀"}, bold={label})
