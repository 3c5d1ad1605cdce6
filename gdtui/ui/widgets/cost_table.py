"""The cost of one example, output by output: what the network said, what was wanted, and the miss."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.style import Style
from textual.widget import Widget

from gdtui.core import costs
from gdtui.core.costs import CostName
from gdtui.ui.widgets.layer_bars import MARK_STYLE, bar

_OUTPUT_BAR = 6
_TERM_BAR = 8
_HEADINGS = {"quadratic": "(output−target)²", "cross-entropy": "−target·ln output"}
_ROW_WIDTH = 5 + _OUTPUT_BAR + 5 + 10 + _TERM_BAR + 6 + 2


def formula(outputs: np.ndarray, label: int, cost_name: CostName, width: int) -> str:
    """The cost with the numbers plugged in, in at most `width` cells where it can be.

    Quadratic: as many terms from digit 0 on as fit, the right digit's always, and
    "…" for the rest. Cross-entropy has one term that is not zero.
    """
    targets = costs.one_hot(np.array([label]), len(outputs), dtype=np.float64)
    total = float(costs.cost(cost_name, outputs[None].astype(np.float64), targets)[0])
    if cost_name == "cross-entropy":
        short = f"C = −ln(output {label}) = −ln {outputs[label]:.2f} = {total:.2f}"
        others = len(outputs) - 1
        long = f"{short}: the other {'nine' if others == 9 else others} terms are 0 · ln(output) = 0"
        return long if len(long) <= width else short
    terms = [f"({a:.2f}−{int(d == label)})²" for d, a in enumerate(outputs)]
    # The table beside it shows each term rounded: where those do not add up to the total, it says so.
    column = sum(round(float(term), 2) for term in costs.terms(cost_name, outputs[None].astype(np.float64), targets)[0])
    ending = f"= {total:.2f}" if f"{column:.2f}" == f"{total:.2f}" else f"≈ {total:.2f} (terms rounded)"
    for count in range(len(terms), -1, -1):
        keep = set(range(count)) | {label}
        parts: list[str] = []
        for d, term in enumerate(terms):
            if d in keep:
                parts.append(term)
            elif parts[-1:] != ["…"]:
                parts.append("…")
        text = f"C = {' + '.join(parts)} {ending}"
        if len(text) <= width:
            break
    return text


class CostTable(Widget):
    """A row per output, ten for MNIST: the output, its target, and its term of the cost as a bar."""

    DEFAULT_CSS = """
    CostTable { width: auto; height: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._outputs = np.zeros(0)  # no rows until `show` gives the outputs, as many as the classes
        self._label: int | None = None
        self._cost_name: CostName = "quadratic"
        self._what = "digit"

    def show(self, outputs: np.ndarray, label: int | None, cost_name: CostName, what: str = "digit") -> None:
        """what names the outputs' column: "digit" for MNIST, "class" where the classes have names."""
        self._outputs = np.array(outputs, dtype=np.float64)
        self._label = label
        self._cost_name = cost_name
        self._what = what
        self.refresh(layout=True)

    def _heading(self) -> str:
        if self._label is None:
            return f"{self._what:<5} output      (no right answer, no cost)"
        return f"{self._what:<5} output      target  {_HEADINGS[self._cost_name]}"

    def render(self) -> Text:
        text = Text(self._heading(), style="bold")
        if self._label is None:
            parts = np.full(len(self._outputs), np.nan)
        else:
            targets = costs.one_hot(np.array([self._label]), len(self._outputs), dtype=np.float64)
            parts = costs.terms(self._cost_name, self._outputs[None], targets)[0]
        # Quadratic terms are at most 1; a cross-entropy term may be far larger and sets its own scale.
        scale = max(1.0, float(np.nanmax(parts))) if self._label is not None else 1.0
        mark = Style.parse(MARK_STYLE).rich_style  # in the theme shown now
        for digit, (output, part) in enumerate(zip(self._outputs, parts)):
            right = digit == self._label
            style = "bold" if right else ""
            text.append(f"\n{digit:^5}", style=style or "dim")
            text.append(bar(output, _OUTPUT_BAR), style="cyan")
            text.append(f" {output:4.2f}", style=style)
            if self._label is None:
                continue
            text.append(f"  {int(right):^6}  ", style=style)
            text.append(bar(part / scale, _TERM_BAR), style="red")
            text.append(f" {part:4.2f}", style=style)
            if right:
                text.append(" ◀", style=mark)
        return text

    def get_content_width(self, container, viewport) -> int:
        return max(len(self._heading()), _ROW_WIDTH)

    def get_content_height(self, container, viewport, width) -> int:
        return 1 + len(self._outputs)
