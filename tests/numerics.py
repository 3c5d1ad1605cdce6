"""How closely float32 results computed in different ways may be expected to agree.

Two BLAS kernels (AVX2 or AVX-512, blocked by 4 rows or by a whole split) add the
same products in different orders, and float32 keeps 24 bits: their results agree
only to a few units in the last place, never exactly. A test compares them within
what rounding allows, not within a figure that happened to pass on one machine.
"""

from __future__ import annotations

import math

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)


def float32_sum_spread(terms: int, total: float = 1.0) -> float:
    """How far two float32 sums of the same `terms` numbers, added in different orders, drift apart.

    Each addition rounds by at most ε/2 of the running total, and the roundings of a long
    sum come out of either sign: they add up like a random walk, to about √terms·ε/2 of
    `total` (the sum of the numbers' magnitudes) for each order. Four times that, for two
    orders each off in its own direction, is not reached in practice.
    """
    return 4 * math.sqrt(terms) * FLOAT32_EPS * total


def network_output_tolerance(sizes: tuple[int, ...]) -> float:
    """Absolute tolerance for the sigmoid or softmax outputs of one network computed two ways.

    The widest layer's weighted sums carry the most rounding (one term per input, and the
    bias); a sigmoid's slope is at most 1/4 and a softmax's at most 1/2, so an output moves
    by at most half its weighted input's error. Activations lie in [0, 1] and the weighted
    sums of these networks stay within a few units.
    """
    return float32_sum_spread(max(sizes[:-1]) + 1, total=4.0) / 2


def gradient_tolerance(sizes: tuple[int, ...], examples: int, scale: float) -> float:
    """Absolute tolerance for a layer's float32 backprop gradient against the exact one.

    A component's rounding builds up along every sum on its way: each layer's weighted
    inputs forward (one term per input, and the bias), each layer's error passed back
    (one term per neuron above), and the sum over the examples. Errors flow between
    the components of a layer through the shared δ, so they count against the layer's
    largest component, `scale`.
    """
    terms = sum(n + 1 for n in sizes[:-1]) + sum(sizes[1:]) + examples
    return float32_sum_spread(terms, total=scale)
