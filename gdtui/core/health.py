"""Whether a network can still learn, judged on numbers that prove it cannot.

A large learning rate can leave a network that no step will ever repair:

- *dead ReLUs*: every neuron of a hidden layer gives 0 for every image. ReLU′ is 0
  there, so no gradient gets past the layer: the layers before it never change,
  and the layers after it see the same zeros whatever the image;
- *saturated sigmoids*: neurons stuck at exactly 0 or 1, where σ′ = 0, with the
  same effect, or outputs stuck there, where the gradient vanishes;
- *pinned softmax outputs*: one output at 1 and the others at 0, where the
  softmax's slope is 0 too.

Each leaves a trace on a fixed sample of training images (the probe): the
network gives the same answer for every image (it is *blind* to them), or the
gradient has all but vanished while the cost stays high. A learning network can
look like that for a moment, so one look proves nothing: the network is *stuck*
only when every check over a span of training images finds it so, and its cost
made no progress over the span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdtui.core import costs
from gdtui.core.costs import CostName
from gdtui.core.network import Network
from gdtui.core.words import percent, power_of_ten

# Training images between two checks, and the span every check must find the network hopeless over.
CHECK_IMAGES = 1000
STUCK_IMAGES = 5000
STUCK_CHECKS = 3
# Outputs that differ by less than this from one image to the next are the same answer. A network that
# learns, even a random one, answers images differently by tenths; a blind one, by 10⁻⁸ or exactly 0.
BLIND_SPREAD = 1e-4
# |∇C| below this on every mini-batch since the last check has vanished: a learning network's is 10⁻² or more,
# a saturated one's 10⁻⁷. The steps work it out anyway: the check itself needs only the probe's outputs.
VANISHED = 1e-4
# What a vanished gradient is said to be. Not its figure: the steps' largest since the last check, in float32, reads
# 0.0e+00 where the gradient view's of one mini-batch, in float64, reads 8.9e-17; both are under the bound.
VANISHED_WORDS = f"|∇C| under {power_of_ten(VANISHED)} at every step"
# A vanished gradient is only hopeless at a cost this share of a network's that ignores its images:
# a network that has learned its probe well has a small gradient too.
HIGH_COST = 0.5
# Progress: the cost fell by more than this share over the span.
PROGRESS = 0.01
# A neuron whose slope is below this gives the gradient nothing: σ′ = a(1 − a) < 10⁻³ means a within 0.001 of 0 or 1.
FLAT_SLOPE = 1e-3
# Outputs pinned where their slope is 0, as a share of all of them, that leave the gradient next to nothing.
PINNED = 0.9
# Or, at a cost at least WRONG_COST times a blind network's, this share: most outputs stuck, and wrong. A fresh
# network costs as much, with none pinned; a learning one, with most pinned, costs far less.
PINNED_WRONG = 0.5
WRONG_COST = 2.0


@dataclass(frozen=True)
class Health:
    """The network on the probe images, at one moment of a run."""

    samples: int  # training images seen when it was checked
    images: int  # in the probe
    cost: float  # the probe's average cost
    accuracy: float  # the share of the probe it gets right
    gradient_norm: float  # the largest |∇C| of the mini-batches since the last check
    spread: float  # the largest difference between two images' outputs: 0 when every image gets the same answer
    baseline: float  # the probe's cost for a network that ignores the image and answers how often each class comes
    activation: str
    output: str
    dead: tuple[int, ...]  # hidden neurons, per layer, whose slope was 0 for every image
    widths: tuple[int, ...]  # the hidden layers' sizes
    pinned: float  # the share of outputs stuck where their slope is 0

    @property
    def blind(self) -> bool:
        return self.spread < BLIND_SPREAD

    @property
    def vanished(self) -> bool:
        return self.gradient_norm < VANISHED and self.cost >= HIGH_COST * self.baseline

    @property
    def hopeless(self) -> bool:
        return self.blind or self.vanished

    @property
    def saturated(self) -> bool:
        """Outputs, or a whole hidden layer, stuck where their slope is 0, at a cost of at least half that of a
        network that ignores its images: whatever learning is left crawls. A learning network's is far below that."""
        whole_layer = any(dead == width for dead, width in zip(self.dead, self.widths))
        return ((whole_layer or self.pinned >= PINNED) and self.cost >= HIGH_COST * self.baseline) or self.pinned_wrong

    @property
    def pinned_wrong(self) -> bool:
        """Most outputs stuck where their slope is 0, at a cost far above a blind network's: stuck wrong."""
        return self.pinned >= PINNED_WRONG and self.cost >= WRONG_COST * self.baseline

    def cause(self) -> str:
        """Why the network cannot learn, in words, with the numbers that show it."""
        for layer, (dead, width) in enumerate(zip(self.dead, self.widths), start=1):
            if dead == width:
                if self.activation == "relu":
                    what = f"every neuron of hidden layer {layer} gives 0 for every image (dead ReLUs)"
                else:
                    what = f"every neuron of hidden layer {layer} is stuck at 0 or 1 for every image (saturated sigmoids)"
                return f"{what}, where its slope is 0: no gradient gets past it, and every image gets the same answer"
        if self.pinned >= PINNED or self.pinned_wrong:
            if self.output == "softmax":
                what = f"its softmax outputs are pinned at 0 and 1 for {percent(self.pinned)} of the images"
            else:
                what = f"{percent(self.pinned)} of its outputs are stuck at 0 or 1 (saturated sigmoids)"
            if self.gradient_norm < VANISHED:
                return f"{what}, where their slope is 0: the gradient has vanished ({VANISHED_WORDS})"
            # Not yet, on the steps since the last check: steep ones may have pinned them.
            return f"{what}, where their slope is 0" + (": every image gets the same answer" if self.blind else "")
        if self.blind:
            return "it gives the same answer for every image, whatever the image"
        return f"the gradient has vanished ({VANISHED_WORDS}) while the cost stays high"

    def sentence(self, span: int) -> str:
        """What the run and the screen both say of a stuck network: its cause, and how long it has lasted."""
        return (
            f"the network can no longer learn: {self.cause()}. Every check over the last {span:,} training images "
            f"found it so ({percent(self.accuracy)} right on {self.images:,} of them, cost {self.cost:.3f})"
        )


def _slope_is_zero(a: np.ndarray, function: str) -> np.ndarray:
    if function == "relu":
        return a <= 0
    return a * (1 - a) < FLAT_SLOPE


def _pinned(outputs: np.ndarray, output: str) -> float:
    if output == "sigmoid":
        return float(np.mean(_slope_is_zero(outputs, "sigmoid")))
    # Softmax's slope a_i(δ_ij − a_j) is 0 only where one output takes all: 1 there, 0 elsewhere.
    return float(np.mean(outputs.max(axis=1) > 1 - FLAT_SLOPE))


def check(network: Network, x: np.ndarray, labels: np.ndarray, cost: CostName, samples: int, gradient_norm: float) -> Health:
    """The network's health on the probe images x with their labels, and the steepest step since the last check."""
    *hidden, outputs = network.activations(x.astype(network.params.dtype))[1:]
    targets = costs.one_hot(labels, network.sizes[-1], np.float64)
    frequencies = np.broadcast_to(targets.mean(axis=0), targets.shape)
    return Health(
        samples=samples,
        images=len(labels),
        cost=float(costs.cost(cost, outputs.astype(np.float64), targets).mean()),
        accuracy=float(np.mean(outputs.argmax(axis=1) == labels)),
        gradient_norm=gradient_norm,
        spread=float(np.ptp(outputs, axis=0).max()),
        baseline=float(costs.cost(cost, frequencies, targets).mean()),
        activation=network.activation,
        output=network.output,
        dead=tuple(int(np.all(_slope_is_zero(a, network.activation), axis=0).sum()) for a in hidden),
        widths=network.sizes[1:-1],
        pinned=_pinned(outputs, network.output),
    )


class Watch:
    """The checks of one run, and whether they prove it stuck."""

    def __init__(self) -> None:
        self.hopeless: list[Health] = []  # the latest checks in a row that found the network hopeless
        self.latest: Health | None = None
        self.steepest = 0.0  # the largest |∇C| of the steps since the last check

    def stepped(self, gradient_norm: float) -> None:
        self.steepest = max(self.steepest, gradient_norm)

    def due(self, samples: int) -> bool:
        return self.latest is None or samples - self.latest.samples >= CHECK_IMAGES

    def add(self, health: Health) -> None:
        self.latest, self.steepest = health, 0.0
        self.hopeless = [*self.hopeless, health] if health.hopeless else []
        # Only the span the verdict reads is kept, and the check just before it, where it starts.
        while len(self.hopeless) > STUCK_CHECKS and health.samples - self.hopeless[1].samples >= STUCK_IMAGES:
            self.hopeless = self.hopeless[1:]

    @property
    def span(self) -> int:
        """Training images over which every check found the network hopeless."""
        return self.hopeless[-1].samples - self.hopeless[0].samples if self.hopeless else 0

    @property
    def stuck(self) -> Health | None:
        """The latest check, if every check over the span proves the network can no longer learn."""
        checks = self.hopeless
        if len(checks) < STUCK_CHECKS or self.span < STUCK_IMAGES:
            return None
        first, last = checks[0], checks[-1]
        # A blind network gives one answer for every image however its cost moves: its last layer's biases may
        # still follow the classes' frequencies. A vanished gradient proves nothing while the cost still falls.
        if all(check.blind for check in checks) or last.cost > (1 - PROGRESS) * first.cost:
            return last
        return None
