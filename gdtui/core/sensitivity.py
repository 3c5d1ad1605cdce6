"""Which parameters matter: the gradient read one component at a time.

The gradient has one component per parameter. Its size says how much the
cost changes when that parameter is nudged: a big component is a weight
that matters a lot right now, a tiny one a weight that hardly matters.
Its sign says which way the parameter must move for the cost to fall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdtui.core import costs
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

    @property
    def direction(self) -> str:
        """Which way the step moves the parameter: against the gradient."""
        if self.gradient == 0:
            return "stay"
        return "decrease" if self.gradient > 0 else "increase"

    @property
    def importance(self) -> str:
        if abs(self.gradient) < _NEGLIGIBLE:
            return "hardly at all"
        return next(words for floor, words in _IMPORTANCE if self.relative >= floor)


def _components(grad: np.ndarray, indices: np.ndarray) -> list[Component]:
    top = float(np.abs(grad).max()) or 1.0
    return [Component(int(k), float(grad[k]), abs(float(grad[k])) / top) for k in indices]


def largest(grad: np.ndarray, count: int) -> list[Component]:
    """The `count` components of largest magnitude, largest first."""
    count = min(count, grad.size)
    magnitude = np.abs(grad)
    picked = np.argpartition(magnitude, grad.size - count)[grad.size - count :]
    return _components(grad, picked[np.argsort(-magnitude[picked], kind="stable")])


def smallest(grad: np.ndarray, count: int) -> list[Component]:
    """The `count` components of smallest magnitude, smallest first."""
    count = min(count, grad.size)
    magnitude = np.abs(grad)
    picked = np.argpartition(magnitude, count - 1)[:count]
    return _components(grad, picked[np.argsort(magnitude[picked], kind="stable")])


def average_cost(network: Network, x: np.ndarray, labels: np.ndarray, cost: str) -> float:
    targets = costs.one_hot(labels, network.sizes[-1])
    return float(costs.cost(cost, network.forward(x), targets).mean(dtype=np.float64))


@dataclass(frozen=True)
class Nudge:
    index: int
    delta: float  # Δw, the change made to the parameter
    cost_before: float
    cost_after: float
    slope: float  # ∂C/∂w_k before the nudge

    @property
    def measured(self) -> float:
        return self.cost_after - self.cost_before

    @property
    def predicted(self) -> float:
        """The first-order estimate ΔC ≈ ∂C/∂w_k · Δw_k."""
        return self.slope * self.delta


def nudge(network: Network, k: int, delta: float, x: np.ndarray, labels: np.ndarray, cost: str) -> Nudge:
    """Change parameter k by delta, measuring the cost on (x, labels) before and after."""
    probe = network.copy()  # the network's own gradient belongs to training: leave it be
    before, _ = probe.gradient(x, labels, cost)
    slope = float(probe.grad[k])
    network.params[k] += np.float32(delta)
    return Nudge(k, delta, before, average_cost(network, x, labels, cost), slope)
