"""Which parameters matter: the gradient read one component at a time.

The gradient has one component per parameter. Its size says how much the
cost changes when that parameter is nudged: a big component is a weight
that matters a lot right now, a tiny one a weight that hardly matters.
Its sign says which way the parameter must move for the cost to fall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from gdtui.core import costs
from gdtui.core.costs import CostName
from gdtui.core.health import VANISHED
from gdtui.core.network import Network

# How a component compares with the largest one, in words.
_IMPORTANCE = ((0.5, "a lot"), (0.1, "somewhat"), (1e-3, "a little"), (0.0, "hardly at all"))
# Below this, a component is rounding noise however it compares: a saturated network's
# largest component can be 1e-15.
_NEGLIGIBLE = 1e-9


@dataclass(frozen=True)
class Component:
    index: int  # k in the flat parameter vector
    gradient: float  # ∂C/∂w_k
    relative: float  # |∂C/∂w_k| as a fraction of the largest component's
    vanished: bool  # the whole gradient has: |∇C| is a saturated network's, whatever the largest component is

    @property
    def direction(self) -> str:
        """Which way the step moves the parameter: against the gradient."""
        if self.gradient == 0:
            return "stay"
        return "decrease" if self.gradient > 0 else "increase"

    @property
    def importance(self) -> str:
        if self.vanished or abs(self.gradient) < _NEGLIGIBLE:
            return "hardly at all"
        return next(words for floor, words in _IMPORTANCE if self.relative >= floor)


def has_vanished(norm: float) -> bool:
    """Whether a gradient of length |∇C| = norm is a saturated network's: then no component matters much, the
    largest included. One of exactly 0 has no component to rank."""
    return 0 < norm < VANISHED


def _components(grad: np.ndarray, indices: np.ndarray) -> list[Component]:
    top = float(np.abs(grad).max()) or 1.0
    vanished = has_vanished(float(np.linalg.norm(grad)))
    return [Component(int(k), float(grad[k]), abs(float(grad[k])) / top, vanished) for k in indices]


def component(grad: np.ndarray, k: int) -> Component:
    """Component k, whatever its rank."""
    return _components(grad, np.array([k]))[0]


def largest(grad: np.ndarray, count: int) -> list[Component]:
    """The `count` components of largest magnitude, largest first; equal ones by index.

    Ties are broken explicitly: a partial sort picks among equal values in an order that
    depends on the CPU's vector instructions, and the screen must read the same everywhere.
    """
    magnitude = np.abs(grad)
    order = np.lexsort((np.arange(grad.size), -magnitude))
    return _components(grad, order[:count])


def smallest_nonzero(grad: np.ndarray, count: int) -> list[Component]:
    """The `count` non-zero components of smallest magnitude, smallest first; equal ones by index.

    Exact zeros are left out: they are parameters the mini-batch says nothing about (see
    `zeros`), not parameters that matter little.
    """
    nonzero = np.flatnonzero(grad)
    order = nonzero[np.lexsort((nonzero, np.abs(grad[nonzero])))]
    return _components(grad, order[:count])


def ranked(grad: np.ndarray, *, top: int, bottom: int) -> tuple[list[Component], list[Component]]:
    """The `top` largest non-zero components, then the `bottom` smallest non-zero ones not among them.

    A dead network may have fewer non-zero components than both lists together, and equal
    components tie in both orders: no component is listed twice.
    """
    nonzero = int(np.count_nonzero(grad))
    high = largest(grad, min(top, nonzero))
    shown = {c.index for c in high}
    low = [c for c in smallest_nonzero(grad, bottom + len(shown)) if c.index not in shown]
    return high, low[:bottom]


@dataclass(frozen=True)
class Zeros:
    """The gradient's components that are exactly 0, and why each is."""

    blank_pixels: int  # input pixels that were 0.0 in every image of the mini-batch
    from_blank_pixels: int  # the first-layer weights from those pixels
    from_still_neurons: int  # the rest of those whose neuron was off or saturated whenever their input was not 0
    other: int  # zero only because the sum's terms cancelled exactly

    @property
    def total(self) -> int:
        return self.from_blank_pixels + self.from_still_neurons + self.other


def _responded(a: np.ndarray, function: str) -> np.ndarray:
    """Where a neuron's slope was not 0, from its activation: ReLU′ = [a > 0], σ′ = a(1 − a)."""
    if function == "relu":
        return a > 0
    if function == "sigmoid":
        return (a > 0) & (a < 1)
    return np.ones_like(a, dtype=bool)  # softmax: a − y, with cross-entropy, is 0 only by chance


class _ZeroCounter:
    """Gathers, image by image, what explains a zero component (see `Zeros`)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.functions: list[str] = [network.activation] * (network.layer_count - 1) + [network.output]
        self.inked = np.zeros(network.sizes[0], dtype=bool)
        # Images in which a neuron responded and its input was live; float64 counts are exact.
        self.together = [np.zeros((n_out, n_in)) for n_in, n_out in zip(network.sizes[:-1], network.sizes[1:])]
        self.responses = [np.zeros(n_out) for n_out in network.sizes[1:]]

    def add(self, activations: list[np.ndarray]) -> None:
        self.inked |= np.any(activations[0] != 0, axis=0)
        for layer, function in enumerate(self.functions):
            responded = _responded(activations[layer + 1], function).astype(np.float64)
            self.together[layer] += responded.T.dot(activations[layer] != 0)
            self.responses[layer] += responded.sum(axis=0)

    def zeros(self, grad: np.ndarray) -> Zeros:
        zero = grad == 0
        explained = np.zeros_like(zero)
        weights, biases = self.network.layer_views(explained)
        weights[0][:, ~self.inked] = True
        from_pixels = int(np.count_nonzero(explained & zero))
        for layer in range(self.network.layer_count):
            weights[layer] |= self.together[layer] == 0
            biases[layer] |= self.responses[layer] == 0
        accounted = int(np.count_nonzero(explained & zero))
        unexplained = int(np.count_nonzero(zero & ~explained))
        return Zeros(int(np.count_nonzero(~self.inked)), from_pixels, accounted - from_pixels, unexplained)


Batch = Iterable[tuple[np.ndarray, np.ndarray]]
"""A mini-batch as parts of (inputs, labels): a whole training set never has to be in memory at once."""


@dataclass(frozen=True, eq=False)  # holds an array: compare by identity
class GradientReport:
    """The gradient at one set of weights over one mini-batch, read one component at a time.

    Worked out in float64: float32's last digits depend on the order a CPU's kernels add
    in, float64's are far below anything shown, so the figures and the ranking read the
    same on every machine. Equal components are ranked by index.
    """

    gradient: np.ndarray  # float64, laid out like the parameters
    cost: float  # the average cost over the batch at these weights
    images: int
    largest: tuple[Component, ...]  # the largest that are not exactly 0
    smallest: tuple[Component, ...]  # the smallest that are not exactly 0 and not among the largest
    zeros: Zeros

    @property
    def norm(self) -> float:
        return float(np.linalg.norm(self.gradient))

    @property
    def vanished(self) -> bool:
        return has_vanished(self.norm)


def report(network: Network, batch: Batch, cost: CostName, *, top: int = 8, bottom: int = 3) -> GradientReport:
    """∇C at the network's weights over the batch, its largest and smallest components and its zeros."""
    double = network.copy(dtype=np.float64)
    total = np.zeros_like(double.grad)
    counter = _ZeroCounter(double)
    images, summed_cost = 0, 0.0
    for x, labels in batch:
        x = x.astype(np.float64)
        double.gradient(x, labels, cost)
        total += len(x) * double.grad  # the batch's gradient is the images' average
        # The nudge's own computation, the one it measures the cost after with: the
        # backprop's cost sums in another order, and a rounding error would show as a change.
        summed_cost += len(x) * average_cost(double, x, labels, cost)
        images += len(x)
        counter.add(double.activations(x))
    total /= images
    high, low = ranked(total, top=top, bottom=bottom)
    return GradientReport(total, summed_cost / images, images, tuple(high), tuple(low), counter.zeros(total))


def average_cost(network: Network, x: np.ndarray, labels: np.ndarray, cost: CostName) -> float:
    targets = costs.one_hot(labels, network.sizes[-1])
    return float(costs.cost(cost, network.forward(x), targets).mean(dtype=np.float64))


# The float64 cost's rounding, as a fraction of the cost: measured, about 10⁻¹⁶ over a mini-batch
# of 10; this leaves a margin of 100 for larger ones. A smaller change cannot be told from rounding.
ROUNDING = 1e-14
# A check's predicted change is this many times the rounding: rounding then blurs it by 0.1%.
ABOVE_ROUNDING = 1e3


@dataclass(frozen=True)
class Nudge:
    """A nudge of one parameter and the cost over the batch before and after, both in float64.

    A tiny slope is outweighed by the cost's bend over a Δw as large as the nudge's, and then
    the change the slope predicts is not the one measured. So the slope is also checked over a
    smaller Δw, `h`, by the central difference (C(w + h) − C(w − h)) / 2, in which the bend
    cancels; h is as small as it can be with a predicted change well above the rounding.
    """

    index: int
    delta: float  # Δw, the change made to the parameter, as float32 could make it
    cost_before: float
    cost_after: float
    slope: float  # ∂C/∂w_k before the nudge, as the gradient report gave it
    h: float  # the check's Δw
    cost_up: float  # C(w + h)
    cost_down: float  # C(w − h)

    @property
    def measured(self) -> float:
        return self.cost_after - self.cost_before

    @property
    def predicted(self) -> float:
        """The first-order estimate ΔC ≈ ∂C/∂w_k · Δw_k."""
        return self.slope * self.delta

    @property
    def rounding(self) -> float:
        """The smallest change of the cost that can be told from float64's rounding."""
        return ROUNDING * max(abs(self.cost_before), abs(self.cost_after))

    @property
    def measurable(self) -> bool:
        """Whether the change the slope predicts over the nudge is larger than rounding."""
        return abs(self.predicted) > self.rounding

    @property
    def agrees(self) -> bool:
        """The measured change has the predicted one's sign and is within a quarter of it: the slope predicts it."""
        return np.sign(self.measured) == np.sign(self.predicted) and abs(self.measured - self.predicted) <= 0.25 * abs(
            self.predicted
        )

    @property
    def checked(self) -> float:
        """ΔC over h, measured by the central difference."""
        return (self.cost_up - self.cost_down) / 2

    @property
    def checked_prediction(self) -> float:
        return self.slope * self.h


def nudge(network: Network, k: int, delta: float, batch: Batch, cost: CostName, before: GradientReport) -> Nudge:
    """Change parameter k by about delta and measure the cost over the batch the report is about.

    The prediction uses the report's own ∂C/∂w_k, the number the learner read off the table,
    and the change float32 actually made, which rounding can make differ from delta. Every
    cost is measured in float64, in one pass over the batch.
    """
    old = float(network.params[k])
    network.params[k] += np.float32(delta)
    change = float(network.params[k]) - old
    slope = float(before.gradient[k])
    # As small as it can be, so that what the central difference leaves of the bend (h²·C‴/6) is
    # too, while the change it predicts stays well above the rounding; never larger than the nudge.
    wanted = ABOVE_ROUNDING * ROUNDING * abs(before.cost) / abs(slope) if slope else abs(change)
    h = min(abs(change), wanted)
    double = network.copy(dtype=np.float64)
    values = (old, old + change, old + h, old - h)
    totals = [0.0] * len(values)
    images = 0
    for x, labels in batch:
        x = x.astype(np.float64)
        for i, value in enumerate(values):
            double.params[k] = value
            totals[i] += len(x) * average_cost(double, x, labels, cost)
        images += len(x)
    before_cost, after, up, down = (total / images for total in totals)
    return Nudge(k, change, before_cost, after, slope, h, up, down)
