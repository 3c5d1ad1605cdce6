"""Two ways to get the gradient: nudge every parameter, or backpropagate.

Each step of gradient descent needs ∇C, one component ∂C/∂w_k per parameter.
The obvious way to get a component is to nudge its parameter a little both ways
and see how much the cost changes, the central difference

    ∂C/∂w_k ≈ (C(w_k + h) − C(w_k − h)) / 2h

Each component then costs two passes over the sample, so the whole gradient of
the lesson's network costs 2 × 13,002 of them. Backpropagation gets every
component from one pass forward and one backward. This module computes both,
so they can be seen to agree, and times both, so the difference can be seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdtui.core.costs import CostName
from gdtui.core.network import Network
from gdtui.core.sensitivity import average_cost

# The nudge h. The estimate's error has two parts: the neglected curvature,
# about h²·C'''/6, wants h small; rounding, about 10⁻¹⁶·C/h in float64, wants h
# large. At 10⁻⁵ they balance: the estimate then matches backprop to 8 digits or more.
H = 1e-5
# Backprop passes timed: enough for a steady median.
BACKPROP_PASSES = 50


def in_double(network: Network) -> Network:
    """A float64 copy of the network.

    Dividing by 2h magnifies the cost's rounding error by 1/2h = 50,000: float32's
    ~10⁻⁷ would become ~10⁻², as large as many components of the gradient;
    float64's ~10⁻¹⁶ becomes ~10⁻¹¹.
    """
    return network.copy(dtype=np.float64)


def nudged_costs(
    network: Network, k: int, x: np.ndarray, labels: np.ndarray, cost: CostName, h: float = H
) -> tuple[float, float]:
    """C(w_k + h) and C(w_k − h): the average cost over (x, labels) with parameter k nudged.

    Parameter k is put back as it was afterwards. Use a float64 network (in_double).
    """
    w = float(network.params[k])
    network.params[k] = w + h
    up = average_cost(network, x, labels, cost)
    network.params[k] = w - h
    down = average_cost(network, x, labels, cost)
    network.params[k] = w
    return up, down


def finite_difference(network: Network, k: int, x: np.ndarray, labels: np.ndarray, cost: CostName, h: float = H) -> float:
    """The central difference (C(w_k + h) − C(w_k − h)) / 2h: ∂C/∂w_k without backprop."""
    up, down = nudged_costs(network, k, x, labels, cost, h)
    return (up - down) / (2 * h)


@dataclass(frozen=True)
class Comparison:
    index: int  # k in the flat parameter vector
    backprop: float  # ∂C/∂w_k by backpropagation
    cost_up: float  # C(w_k + h)
    cost_down: float  # C(w_k − h)
    h: float

    @property
    def estimate(self) -> float:
        """∂C/∂w_k by the central difference."""
        return (self.cost_up - self.cost_down) / (2 * self.h)

    @property
    def relative_difference(self) -> float:
        """|backprop − estimate| as a fraction of the larger of the two; 0 when both are 0."""
        scale = max(abs(self.backprop), abs(self.estimate))
        return abs(self.backprop - self.estimate) / scale if scale else 0.0


def compare(
    network: Network, indices: list[int], x: np.ndarray, labels: np.ndarray, cost: CostName, h: float = H
) -> list[Comparison]:
    """Backprop's ∂C/∂w_k beside its finite-difference estimate, for each k in indices.

    Both are computed in float64 on a copy: the network itself is left alone.
    """
    double = in_double(network)
    x = x.astype(np.float64)
    double.gradient(x, labels, cost)
    return [Comparison(k, float(double.grad[k]), *nudged_costs(double, k, x, labels, cost, h), h) for k in indices]


def largest_per_layer(network: Network, grad: np.ndarray) -> list[int]:
    """In every layer, the weight and the bias with the largest |∂C/∂w|; largest first.

    One from each part of the network, so a comparison shows backprop right
    about the first layer's weights as well as the last layer's.
    """
    # The same views that cut params into layers, laid over 0, 1, 2, …: flat indices.
    weights, biases = network.layer_views(np.arange(network.num_params))
    picks = []
    for block in (*(w.ravel() for w in weights), *biases):
        picks.append(int(block[np.argmax(np.abs(grad[block]))]))
    return sorted(picks, key=lambda k: -abs(float(grad[k])))


@dataclass(frozen=True)
class Timing:
    """How long the whole gradient takes each way.

    Medians, not means: a pass that another program interrupted takes many
    times longer than the rest, and a mean would let a few of them decide.
    """

    parameters: int  # n, the number of components of the gradient
    backprop_seconds: float  # one backprop pass, which gives all n components: the median pass
    passes: int  # backprop passes timed
    measured: int  # parameters whose finite difference was timed
    per_parameter_seconds: float  # one finite difference, two passes over the sample: the median one

    @property
    def finite_differences_seconds(self) -> float:
        """All n components by finite differences.

        Every component costs the same two passes over the sample, whichever the
        parameter, so the time grows in proportion to n: per parameter × n.
        """
        return self.per_parameter_seconds * self.parameters


def time_gradients(
    network: Network,
    x: np.ndarray,
    labels: np.ndarray,
    cost: CostName,
    count: int,
    *,
    passes: int = BACKPROP_PASSES,
    h: float = H,
    progress: Callable[[int, int], object] | None = None,
) -> Timing:
    """Time the whole gradient both ways, in float64 on a copy of the network.

    Finite differences are timed for `count` parameters spread evenly over the
    vector, and `passes` backprop passes are interleaved with them, so both run
    under the same conditions. progress(done, count) is called after each
    parameter, outside the timed part; an exception it raises stops the timing
    (that is how a caller cancels it) and propagates.
    """
    if count < 1:
        raise ValueError(f"time at least one parameter, not {count}")
    double = in_double(network)
    x = x.astype(np.float64)
    count = min(count, double.num_params)
    every = max(1, count // passes)
    # Untimed: the first pass pays for allocating buffers and waking the BLAS threads.
    double.gradient(x, labels, cost)

    indices = np.linspace(0, double.num_params - 1, count).round().astype(int)
    differences, backprops = [], []
    for done, k in enumerate(indices, start=1):
        start = time.perf_counter()
        finite_difference(double, int(k), x, labels, cost, h)
        differences.append(time.perf_counter() - start)
        if done % every == 0:
            start = time.perf_counter()
            double.gradient(x, labels, cost)
            backprops.append(time.perf_counter() - start)
        if progress is not None:
            progress(done, count)
    return Timing(double.num_params, float(np.median(backprops)), len(backprops), count, float(np.median(differences)))
