"""Textbook functions to practise on, and gradient descent stepping down them.

The network's cost depends on 13,002 parameters at once. To see what gradient
descent does, it helps to start smaller: a cost that depends on one number (a
curve) or on two (a landscape), where the slope can be worked out by hand.

Every function here is a polynomial, so its slope is a polynomial too, and
the points where the slope is 0 are that polynomial's roots: for functions
this simple the bottoms of the valleys can be solved for exactly. The
landscapes are sums f(x, y) = g(x) + h(y); then ∂f/∂x = g′(x) depends on x
alone and ∂f/∂y = h′(y) on y alone, and the gradient is 0 exactly where both
are.

`Descent` is the stepping itself, the same for one variable or two:

    point ← point − η · gradient
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.polynomial import Polynomial
from numpy.typing import ArrayLike

MINIMUM, MAXIMUM, PLATEAU, SADDLE = "minimum", "maximum", "plateau", "saddle"

# A double root of the slope comes out of the root finder as two roots about
# √(machine epsilon) apart, or as a complex pair with a tiny imaginary part.
_ROOT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class StationaryPoint:
    """A point where the slope (or every component of the gradient) is 0."""

    point: tuple[float, ...]
    value: float
    kind: str  # MINIMUM, MAXIMUM, PLATEAU or SADDLE


def real_roots(polynomial: Polynomial) -> list[float]:
    """The distinct real roots, in increasing order."""
    candidates = sorted(float(r.real) for r in polynomial.roots() if abs(r.imag) < _ROOT_TOLERANCE)
    roots: list[list[float]] = []
    for root in candidates:
        if roots and root - roots[-1][-1] < _ROOT_TOLERANCE:
            roots[-1].append(root)
        else:
            roots.append([root])
    return [sum(group) / len(group) for group in roots]


def classify(slope: Polynomial, root: float) -> str:
    """What kind of point a root of the slope is, from the slope's sign on either side.

    Going down then up is a minimum, up then down a maximum; a slope that
    touches 0 without changing sign leaves a flat step in the curve: a plateau.
    """
    nudge = 1e-4
    before, after = np.sign(slope(root - nudge)), np.sign(slope(root + nudge))
    if before < 0 < after:
        return MINIMUM
    if before > 0 > after:
        return MAXIMUM
    return PLATEAU


@dataclass(frozen=True, eq=False)
class Curve:
    """A cost that depends on one number x: f(x) is a polynomial."""

    name: str
    formula: str
    polynomial: Polynomial
    domain: tuple[float, float]  # the x range the screen shows
    start: float
    learning_rate: float
    construction: str = ""  # how a curve too hard to write plainly was made: for help, not the title

    @cached_property
    def derivative(self) -> Polynomial:
        return self.polynomial.deriv()

    def value(self, x: float | np.ndarray) -> Any:
        """f(x), for a number or an array of them."""
        return self.polynomial(x)

    def slope(self, x: float | np.ndarray) -> Any:
        return self.derivative(x)

    def evaluate(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        """The cost and the slope at point = [x], as `Descent` asks for them."""
        x = point[0]
        return float(self.value(x)), np.array([self.slope(x)], dtype=float)

    @cached_property
    def stationary_points(self) -> tuple[StationaryPoint, ...]:
        """Solve f′(x) = 0 exactly: the real roots of the slope within the domain (once: a screen asks at every step)."""
        low, high = self.domain
        return tuple(
            StationaryPoint((float(x),), float(self.value(x)), classify(self.derivative, x))
            for x in real_roots(self.derivative)
            if low <= x <= high
        )


@dataclass(frozen=True, eq=False)
class Surface:
    """A cost that depends on two numbers: f(x, y) = g(x) + h(y), both polynomials."""

    name: str
    formula: str
    along_x: Polynomial  # g
    along_y: Polynomial  # h
    extent: tuple[tuple[float, float], tuple[float, float]]  # (x range, y range) the screen shows
    start: tuple[float, float]
    learning_rate: float

    @cached_property
    def derivatives(self) -> tuple[Polynomial, Polynomial]:
        return self.along_x.deriv(), self.along_y.deriv()

    def value(self, x: float | np.ndarray, y: float | np.ndarray) -> Any:
        """f(x, y), for numbers or arrays of the same shape."""
        return self.along_x(x) + self.along_y(y)

    def gradient(self, x: float | np.ndarray, y: float | np.ndarray) -> tuple[Any, Any]:
        """(∂f/∂x, ∂f/∂y) at (x, y); x and y may be arrays of the same shape."""
        dx, dy = self.derivatives
        return dx(x), dy(y)

    def evaluate(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        """The cost and the gradient at point = [x, y], as `Descent` asks for them."""
        x, y = point
        return float(self.value(x, y)), np.array(self.gradient(x, y), dtype=float)

    @cached_property
    def stationary_points(self) -> tuple[StationaryPoint, ...]:
        """Solve ∇f = 0 exactly: every pairing of a root of g′ with a root of h′ (once: a screen asks at every step)."""
        (x_low, x_high), (y_low, y_high) = self.extent
        dx, dy = self.derivatives
        points = []
        for x in real_roots(dx):
            for y in real_roots(dy):
                if x_low <= x <= x_high and y_low <= y <= y_high:
                    kinds = {classify(dx, x), classify(dy, y)}
                    kind = kinds.pop() if len(kinds) == 1 else PLATEAU if PLATEAU in kinds else SADDLE
                    points.append(StationaryPoint((float(x), float(y)), float(self.value(x, y)), kind))
        return tuple(points)


def _curve_with_slope(roots: Sequence[float], scale: float, lowest_at: float, lowest: float) -> Polynomial:
    """The polynomial whose slope is scale · Π (x − root), with the value `lowest` at x = lowest_at.

    Writing the slope as a product puts every flat point exactly where a
    curve for teaching needs it; the curve itself is the slope integrated.
    """
    curve = (scale * Polynomial.fromroots(roots)).integ()
    return curve - curve(lowest_at) + lowest


PARABOLA = Curve(
    name="a parabola",
    formula="f(x) = (x − 1)² + 1",
    polynomial=Polynomial([2.0, -2.0, 1.0]),
    domain=(-3.0, 5.0),
    start=4.5,
    learning_rate=0.1,
)

VALLEYS = Curve(
    name="two valleys, a plateau",
    formula="f(x) = a polynomial, up to x⁶",
    polynomial=_curve_with_slope((-2.75, -2.75, -0.5, 1.25, 2.75), 0.1, lowest_at=2.75, lowest=0.5),
    domain=(-3.5, 3.5),
    start=3.3,
    learning_rate=0.05,
    construction=(
        "f = ∫(x+2.75)²(x+0.5)(x−1.25)(x−2.75)/10 dx: the curve whose slope is that product, "
        "so flat exactly at x = −2.75 (the plateau), −0.5, 1.25 and 2.75"
    ),
)

BOWL = Surface(
    name="a bowl",
    formula="f(x, y) = 3/2·x² + 1/2·y²",
    along_x=Polynomial([0.0, 0.0, 1.5]),
    along_y=Polynomial([0.0, 0.0, 0.5]),
    extent=((-3.0, 3.0), (-3.0, 3.0)),
    start=(-2.5, 2.5),
    learning_rate=0.1,
)

FOUR_VALLEYS = Surface(
    name="four valleys, saddles",
    formula="f(x, y) = (x²−1)² + (y²−1)² + x/4 + y/8",
    along_x=Polynomial([1.0, 0.25, -2.0, 0.0, 1.0]),
    along_y=Polynomial([1.0, 0.125, -2.0, 0.0, 1.0]),
    extent=((-2.0, 2.0), (-2.0, 2.0)),
    start=(0.1, 1.6),
    learning_rate=0.05,
)

CURVES = (PARABOLA, VALLEYS)
SURFACES = (BOWL, FOUR_VALLEYS)

# How a step turned out, judged from the cost and the slope on either side of it.
DOWNHILL = "downhill"  # lower, on the same side of the valley
OVERSHOT = "overshot"  # lower, but past the bottom: the slope now points the other way
LEVEL = "level"  # neither lower nor higher: the step landed just as high, as across a valley
CLIMBED = "climbed"  # higher: the step was so long it landed higher up
SETTLED = "settled"  # the step was too short to matter: the slope here is about 0
BLEW_UP = "blew up"  # the numbers left any sensible range: the step was not taken

Evaluate = Callable[[np.ndarray], tuple[float, np.ndarray]]

LEVEL_TOLERANCE = 1e-6
"""Costs within a millionth of each other are the same height: beyond that, rounding decides."""


def level(before: float, after: float) -> bool:
    """Whether two costs (or slopes) are the same for the lesson's purposes."""
    return math.isclose(before, after, rel_tol=LEVEL_TOLERANCE, abs_tol=LEVEL_TOLERANCE**2)


@dataclass(frozen=True)
class Step:
    number: int  # 1 for the first step from the start
    before: np.ndarray
    gradient: np.ndarray  # the slope or gradient at `before`
    learning_rate: float
    after: np.ndarray  # before − learning_rate · gradient, even when that blew up
    cost_before: float
    cost_after: float
    outcome: str

    @property
    def taken(self) -> bool:
        """Whether the descent moved to `after`: a step that blew up was refused."""
        return self.outcome != BLEW_UP


class Descent:
    """Gradient descent on a function of one or more numbers, one step at a time.

    `evaluate(point)` gives the cost and its gradient at a point. `scale` is
    the size of the region of interest: a step shorter than a ten-thousandth
    of it is too small to see and counts as standing still, and a point a
    million times farther out counts as blown up. A blown-up step is not
    taken; the descent stays at the last good point until it is restarted.
    """

    SETTLED_FRACTION = 1e-4
    BLOWN_UP_FACTOR = 1e6

    def __init__(self, evaluate: Evaluate, start: ArrayLike, learning_rate: float, *, scale: float = 1.0) -> None:
        self.evaluate = evaluate
        self.scale = scale
        self.learning_rate = learning_rate
        self.restart(start)

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"the learning rate must be a positive number, not {value}")
        self._learning_rate = float(value)

    def restart(self, start: ArrayLike) -> None:
        """Forget the path and stand at start."""
        self.point = np.array(start, dtype=float)
        self.cost, self.gradient = self.evaluate(self.point)
        self.path = [self.point]
        self.costs = [self.cost]
        self.last: Step | None = None
        self.blown_up = False

    @property
    def steps(self) -> int:
        return len(self.path) - 1

    def step(self) -> Step:
        if self.blown_up:
            raise RuntimeError("the descent blew up: restart it before stepping again")
        number = self.steps + 1
        before, cost_before, gradient = self.point, self.cost, self.gradient
        # Overflow is how a blow-up shows itself, and it is reported as one below.
        with np.errstate(over="ignore", invalid="ignore"):
            after = before - self.learning_rate * gradient
            finite = bool(np.all(np.isfinite(after)))
            if finite and np.max(np.abs(after)) <= self.BLOWN_UP_FACTOR * self.scale:
                cost_after, gradient_after = self.evaluate(after)
                finite = math.isfinite(cost_after) and bool(np.all(np.isfinite(gradient_after)))
            else:
                finite, cost_after, gradient_after = False, math.inf, gradient
        if not finite:
            outcome = BLEW_UP
            self.blown_up = True
        else:
            outcome = self._judge(before, after, gradient, gradient_after, cost_before, cost_after)
            self.point, self.cost, self.gradient = after, cost_after, gradient_after
            self.path.append(after)
            self.costs.append(cost_after)
        self.last = Step(number, before, gradient, self.learning_rate, after, cost_before, cost_after, outcome)
        return self.last

    def _judge(
        self,
        before: np.ndarray,
        after: np.ndarray,
        gradient: np.ndarray,
        gradient_after: np.ndarray,
        cost_before: float,
        cost_after: float,
    ) -> str:
        if np.linalg.norm(after - before) < self.SETTLED_FRACTION * self.scale:
            return SETTLED
        if level(cost_before, cost_after):
            return LEVEL
        if cost_after > cost_before:
            return CLIMBED
        if np.dot(gradient, gradient_after) < 0:
            return OVERSHOT
        return DOWNHILL
