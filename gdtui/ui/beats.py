"""The guided lesson: the story, one short beat at a time.

Each beat opens a step of the lesson in the state it talks about, says one
thing, and invites one action. The text is written to be read in a few
seconds, beside the screen it describes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gdtui.ui.app import GdtuiApp
    from gdtui.ui.screens.base import LessonScreen


@dataclass(frozen=True)
class Beat:
    mode: str  # the step of the lesson it opens
    title: str
    text: str  # {params} and {sizes} are filled in from the current network
    invite: str  # the one thing to try
    # Puts the beat's step screen in the state the text is about.
    prepare: Callable[[GdtuiApp, LessonScreen], None] | None = None


def _dataset_digit(app: GdtuiApp, screen: LessonScreen) -> None:
    app.state.source = "dataset"


def _view(name: str) -> Callable[[GdtuiApp, LessonScreen], None]:
    def prepare(app: GdtuiApp, screen: LessonScreen) -> None:
        if hasattr(screen, "view"):
            screen.view = name

    return prepare


BEATS = (
    Beat(
        "digits",
        "A digit is 784 numbers",
        "To a computer this handwritten digit is a grid of 28×28 brightness values, from 0.0 for "
        "black to 1.0 for white. Those 784 numbers are all the network will ever see of it.",
        "Move the cursor with the arrow keys and watch the numbers change.",
        _dataset_digit,
    ),
    Beat(
        "network",
        "A network of {sizes}",
        "The 784 values feed 16 neurons, which feed 16 more, which feed 10 outputs, one per digit. "
        "Every connection has a weight and every neuron a bias: {params} parameters in all.",
        "Press n to show the network other digits.",
        _dataset_digit,
    ),
    Beat(
        "network",
        "Random weights, utter trash",
        "With random parameters the outputs mean nothing: the brightest one is a guess at best. "
        "Learning will mean choosing all {params} numbers well.",
        "Press r for another random network: still trash.",
    ),
    Beat(
        "cost",
        "How bad is it? The cost",
        "For one digit, add up the squares of the differences between each output and what it "
        "should be: 1 for the right digit, 0 for the rest. Small when the network is right and "
        "sure, large when it is wrong. Averaged over all the digits, that is the cost.",
        "Press n to see the cost of other digits.",
        _view("example"),
    ),
    Beat(
        "cost",
        "Which answer costs most?",
        "Confidently wrong costs more than unsure, and unsure costs more than right. The cost "
        "is one number computed from all {params} parameters: lower is better.",
        "Rank the four answers, from the highest cost to the lowest.",
        _view("quiz"),
    ),
    Beat(
        "one",
        "Downhill, one parameter at a time",
        "Picture the cost as a curve over a single parameter. Where the slope is zero sits a "
        "minimum. For a simple curve we could solve for it; for {params} parameters we cannot. "
        "So we step: move against the slope, by the slope times a learning rate η.",
        "Press n a few times and watch the steps shrink as the slope flattens.",
    ),
    Beat(
        "one",
        "Too big a step",
        "The learning rate sets the step. Too small and descent crawls; too large and it "
        "overshoots, bouncing from side to side or flying off. Where you start decides which "
        "valley you end in.",
        "Press + a few times, then n, and see what happens.",
    ),
    Beat(
        "two",
        "Two parameters: hills and valleys",
        "With two parameters the cost is a landscape. The gradient points the way that climbs "
        "fastest; its negative, the way down. Gradient descent walks downhill step by step.",
        "Press n to take steps and follow the path on the map.",
    ),
    Beat(
        "training",
        "The same, with {params} parameters",
        "The gradient of the network's cost is a list of {params} numbers, one per parameter. "
        "Each says which way to nudge its parameter and how much that matters: big components "
        "are the weights that matter most right now.",
        "Press n for one step, then pick a parameter and nudge it with [ and ].",
        _view("gradient"),
    ),
    Beat(
        "training",
        "Learning",
        "Each step takes a small batch of training digits, computes the gradient over them and "
        "moves every parameter a little downhill. Thousands of small steps later, the cost has "
        "fallen and the network reads digits.",
        "Press space to run, space again to pause. Watch the cost fall.",
        _view("progress"),
    ),
    Beat(
        "network",
        "Not trash any more",
        "The same network, after training: the outputs now say something.",
        "Press n to try it on other digits; press 1 and d to draw one of your own.",
        _dataset_digit,
    ),
    Beat(
        "next",
        "Next: backpropagation",
        "Learning is finding the parameters that minimise the cost. What remains is how to "
        "compute the gradient quickly: that is backpropagation.",
        "Read on, and compare it with the slow way.",
    ),
)


def filled(text: str, app: GdtuiApp) -> str:
    network = app.state.network
    return text.format(params=f"{network.num_params:,}", sizes="-".join(map(str, network.sizes)))
