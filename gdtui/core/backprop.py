"""Backpropagation as the textbook writes it: its four equations, a line each, in float64.

Network.gradient computes the same numbers faster, in float32 with its buffers made
once; this plain version is what it is tested against, what the speed benchmark
compares it with, and the code the Next step shows. As in the textbook, a matrix
holds one example per column: aˡ is (neurons of layer l, examples) and wˡ is
(neurons of layer l, neurons of layer l − 1).
"""

from __future__ import annotations

import numpy as np

from gdtui.core import costs
from gdtui.core.network import Network


def activate(z: np.ndarray, kind: str) -> np.ndarray:
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if kind == "relu":
        return np.maximum(z, 0.0)
    e = np.exp(z - z.max(axis=0))  # softmax; less the largest z, so no e^z overflows
    return e / e.sum(axis=0)


def slope(z: np.ndarray, kind: str) -> np.ndarray:
    """σ'(z), the hidden activation's derivative."""
    if kind == "sigmoid":
        s = activate(z, "sigmoid")
        return s * (1.0 - s)
    return (z > 0).astype(z.dtype)


def output_error(a: np.ndarray, z: np.ndarray, y: np.ndarray, output: str, cost: str) -> np.ndarray:
    # BP1 δᴸ = ∇ₐC ⊙ σ'(zᴸ), where ∇ₐC = 2(a − y) for C = Σ (a − y)²
    if cost == "cross-entropy":  # softmax's slope cancels ∇ₐC = −y/a
        return a - y
    if output == "softmax":  # its slope ∂aᵢ/∂zₖ = aᵢ(δᵢₖ − aₖ) couples them
        return a * (2 * (a - y) - (2 * (a - y) * a).sum(axis=0))
    return 2 * (a - y) * slope(z, "sigmoid")


# The Next step shows backprop's lines as they are: they stay under 77 characters.
def backprop(
    weights: list[np.ndarray],
    biases: list[np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    activation: str = "sigmoid",
    output: str = "sigmoid",
    cost: str = "quadratic",
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """The average cost of examples x (m, n_in) with one-hot targets y (m, n_out), and its gradient ∂C/∂w, ∂C/∂b."""
    m, layers = len(x), len(weights)
    a, y = np.asarray(x, np.float64).T, y.T  # an example per column
    zs, activations = [], [a]
    for layer, (w, b) in enumerate(zip(weights, biases), start=1):
        z = w @ a + b[:, None]
        a = activate(z, output if layer == layers else activation)
        zs.append(z)
        activations.append(a)
    delta = output_error(a, zs[-1], y, output, cost) / m  # BP1, averaged
    nabla_w, nabla_b = [np.empty(0)] * layers, [np.empty(0)] * layers
    for layer in reversed(range(layers)):
        # BP3 ∂C/∂bˡ = δˡ, summed over the examples
        nabla_b[layer] = delta.sum(axis=1)
        # BP4 ∂C/∂wˡⱼₖ = aˡ⁻¹ₖ δˡⱼ
        nabla_w[layer] = delta @ activations[layer].T
        if layer:  # BP2 δˡ = ((wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)
            sp = slope(zs[layer - 1], activation)
            delta = (weights[layer].T @ delta) * sp
    average = float(costs.cost(costs.known(cost), a.T, y.T).mean())
    return average, nabla_w, nabla_b


def gradient(network: Network, x: np.ndarray, labels: np.ndarray, cost: costs.CostName) -> tuple[float, np.ndarray]:
    """backprop() for a Network: the average cost, and ∇C laid out like network.params, in float64."""
    weights = [w.astype(np.float64) for w in network.weights]
    biases = [b.astype(np.float64) for b in network.biases]
    y = costs.one_hot(labels, network.sizes[-1], np.float64)
    average, nabla_w, nabla_b = backprop(weights, biases, x, y, network.activation, network.output, cost)
    flat = np.empty(network.num_params, dtype=np.float64)
    flat_w, flat_b = network.layer_views(flat)
    for target, value in zip(flat_w + flat_b, nabla_w + nabla_b):
        target[:] = value
    return average, flat
