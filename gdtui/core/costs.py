"""Cost functions: how badly the network's outputs miss the one-hot target.

The lesson's cost of one example is the squared distance between the outputs and
the target: C = Σ_j (a_j − y_j)², where y is 1 for the right digit and 0 elsewhere.
The network's cost is that, averaged over the examples.
"""

from __future__ import annotations

import functools
from typing import Literal, get_args

import numpy as np

CostName = Literal["quadratic", "cross-entropy"]
COSTS: tuple[CostName, ...] = get_args(CostName)

# Cross-entropy is the negative log of a probability: it needs softmax outputs.
COMPATIBLE_OUTPUTS: dict[CostName, tuple[str, ...]] = {"quadratic": ("sigmoid", "softmax"), "cross-entropy": ("softmax",)}

# The smallest probability a log is taken of, so a confident miss costs ~69, not inf.
_FLOOR = 1e-30

# 0-d arrays rather than Python floats, which numpy converts afresh for every operation:
# at small mini-batches that costs as much as the arithmetic (see network.py).
ONE = np.array(1.0, dtype=np.float32)
TWO = np.array(2.0, dtype=np.float32)


def known(name: str) -> CostName:
    """The name as a cost function's, or ValueError: a misspelt name must not quietly become another cost."""
    for cost_name in COSTS:
        if name == cost_name:
            return cost_name
    raise ValueError(f"cost must be one of {', '.join(COSTS)}, not {name!r}")


def check(name: str, output: str) -> None:
    compatible = COMPATIBLE_OUTPUTS[known(name)]
    if output not in compatible:
        raise ValueError(f"the {name} cost needs {' or '.join(compatible)} outputs, not {output}")


def one_hot(labels: np.ndarray, classes: int, dtype: type | np.dtype = np.float32) -> np.ndarray:
    """(m,) labels → (m, classes) targets, 1 at the label and 0 elsewhere: rows of the identity matrix."""
    return _identity(classes, dtype).take(labels, axis=0)


@functools.cache
def _identity(classes: int, dtype: type | np.dtype) -> np.ndarray:
    identity = np.eye(classes, dtype=dtype)
    identity.flags.writeable = False  # shared by every call: take() hands out copies
    return identity


def quadratic(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per example: Σ_j (a_j − y_j)²."""
    diff = outputs - targets
    return np.einsum("ij,ij->i", diff, diff)


def cross_entropy(outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per example: −Σ_j y_j ln a_j, which for a one-hot y is −ln a_label: the surprise at the right answer."""
    return -np.einsum("ij,ij->i", targets, np.log(np.maximum(outputs, _FLOOR)))


def cost(name: CostName, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The per-example cost (m,) of outputs (m, classes) against targets (m, classes)."""
    return quadratic(outputs, targets) if known(name) == "quadratic" else cross_entropy(outputs, targets)


def output_delta(name: CostName, output: str, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂C/∂z for the output layer's weighted inputs z, per example (m, classes), for targets y."""
    return cost_and_delta(name, output, a, y)[1]


def cost_and_delta(name: CostName, output: str, a: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The cost summed over the examples, and ∂C/∂z per example: backprop needs both, and they share a − y."""
    diff = a - y
    if known(name) == "cross-entropy":
        return float(cross_entropy(a, y).sum()), diff  # softmax and cross-entropy cancel into a − y
    total = float(np.vdot(diff, diff))  # Σ (a − y)² over every output of every example
    slope = diff
    slope *= TWO  # ∂C/∂a = 2(a − y)
    if output == "sigmoid":
        slope *= a
        slope *= ONE - a  # σ' = σ(1 − σ)
        return total, slope
    # Softmax couples the outputs: ∂a_i/∂z_k = a_i (δ_ik − a_k).
    return total, a * (slope - np.einsum("ij,ij->i", slope, a)[:, None])


def terms(name: CostName, outputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Each output's share of the cost, shaped like outputs: summed over the last axis, they give `cost`.

    Quadratic: (a_j − y_j)² for every output. Cross-entropy: −y_j ln a_j, which is
    zero except at the right digit, so only that output's share is not.
    """
    if known(name) == "quadratic":
        return (outputs - targets) ** 2
    # 0.0 − … rather than a unary minus, so the nine zero terms come out +0.0, not −0.0.
    return 0.0 - targets * np.log(np.maximum(outputs, _FLOOR))
