"""Backpropagation told as wishes: what one image wants each neuron, weight and bias to do.

For one training image, the cost C₀ goes down when every output moves against its
slope: the output layer's wish list is −∂C₀/∂aᴸ. A neuron can be moved only through
its weighted input z = w·a_prev + b, so its wish on z is its slope times its wish on
a; that wish asks three things: of its bias (by 1 ×), of each incoming weight (by
the activation feeding it) and of each activation feeding it (by its weight). The
layer before adds up what every neuron of the layer after asks of it, and so on
backwards: the wish on every parameter is −∂C₀/∂w, and averaged over the images,
−∂C/∂w, the step gradient descent takes. Everything is in float64, one image a
vector, layers numbered as Network.parameter numbers them (1 = the first hidden
layer, L = the outputs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gdtui.core import backprop, costs
from gdtui.core.costs import CostName
from gdtui.core.network import Network


@dataclass(frozen=True)
class Wishes:
    """One image through the network and back: every layer's wish lists."""

    network: Network  # in float64
    cost: CostName
    label: int
    a: list[np.ndarray]  # activations [x, a¹, …, aᴸ]
    z: list[np.ndarray]  # weighted inputs [—, z¹, …, zᴸ]: z[l] belongs to layer l
    wish_a: list[np.ndarray]  # −∂C₀/∂aˡ, indexed like a (the input's is the pixels' own, unused)
    wish_z: list[np.ndarray]  # −∂C₀/∂zˡ, indexed like z

    @property
    def layers(self) -> int:
        return self.network.layer_count

    @property
    def target(self) -> np.ndarray:
        return costs.one_hot(np.array([self.label]), self.network.sizes[-1], np.float64)[0]

    def slope(self, layer: int) -> np.ndarray:
        """σ'(zˡ): how much a neuron's activation moves per unit of its weighted input (not for softmax outputs)."""
        kind = self.network.output if layer == self.layers else self.network.activation
        return backprop.slope(self.z[layer], kind)

    def weight_wishes(self, layer: int, j: int) -> np.ndarray:
        """Lever 2 of neuron j: −∂C₀/∂wˡⱼₖ = aˡ⁻¹ₖ · (−∂C₀/∂zˡⱼ), one per incoming weight."""
        return self.a[layer - 1] * self.wish_z[layer][j]

    def bias_wish(self, layer: int, j: int) -> float:
        """Lever 1 of neuron j: −∂C₀/∂bˡⱼ = 1 · (−∂C₀/∂zˡⱼ)."""
        return float(self.wish_z[layer][j])

    def activation_wishes(self, layer: int, j: int) -> np.ndarray:
        """Lever 3 of neuron j: what it alone wants of the layer before, wˡⱼₖ · (−∂C₀/∂zˡⱼ) for each k."""
        return self.network.weights[layer - 1][j] * self.wish_z[layer][j]

    def terms(self, layer: int, k: int) -> np.ndarray:
        """The sum that makes neuron k's wish in a hidden layer: what each neuron j of the layer after wants of it.

        The terms add up to wish_a[layer][k].
        """
        return self.network.weights[layer][:, k] * self.wish_z[layer + 1]


def output_wishes(a: np.ndarray, y: np.ndarray, cost: CostName) -> np.ndarray:
    """−∂C₀/∂aᴸ, what the cost wants of each output."""
    if cost == "cross-entropy":  # C₀ = −Σ yⱼ ln aⱼ: only the right output's own wish is not 0
        return y / np.maximum(a, np.finfo(np.float64).tiny)  # a softmax output may round to 0
    return -2 * (a - y)  # C₀ = Σ (aⱼ − yⱼ)²


def wishes(network: Network, x: np.ndarray, label: int, cost: CostName) -> Wishes:
    """The wish lists of every layer for one image x (n_in,) of class `label`, in float64."""
    network = network.copy(np.float64)
    layers = network.layer_count
    y = costs.one_hot(np.array([label]), network.sizes[-1], np.float64)[0]
    a, z = [np.asarray(x, np.float64)], [np.empty(0)]
    for layer, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        z.append(w @ a[-1] + b)
        a.append(backprop.activate(z[-1], network.output if layer == layers else network.activation))
    wish_a, wish_z = [np.empty(0)] * (layers + 1), [np.empty(0)] * (layers + 1)
    wish_a[layers] = output_wishes(a[layers], y, cost)
    # The outputs' wish on z, −δᴸ (BP1); with softmax outputs it is the whole layer's doing, not one slope's.
    wish_z[layers] = -backprop.output_error(a[layers], z[layers], y, network.output, cost)
    for layer in reversed(range(1, layers)):
        w_after = network.weights[layer]  # wˡ⁺¹, from layer l to layer l + 1
        wish_a[layer] = w_after.T @ wish_z[layer + 1]  # every neuron of the layer after asks, and the asks add up
        wish_z[layer] = backprop.slope(z[layer], network.activation) * wish_a[layer]  # BP2
    return Wishes(network, cost, int(label), a, z, wish_a, wish_z)


def weight_index(network: Network, layer: int, j: int, k: int) -> int:
    """Where wˡⱼₖ, from neuron k of layer l − 1 to neuron j of layer l, sits in network.params."""
    weights, _ = network.layer_views(np.arange(network.num_params))
    return int(weights[layer - 1][j, k])


def bias_index(network: Network, layer: int, j: int) -> int:
    _, biases = network.layer_views(np.arange(network.num_params))
    return int(biases[layer - 1][j])


def weight_wishes_of_images(
    network: Network, x: np.ndarray, labels: np.ndarray, cost: CostName, layer: int, j: int, k: int
) -> np.ndarray:
    """Each image's wish for the one weight wˡⱼₖ: −∂C₀/∂wˡⱼₖ, one per row of x.

    Their average is −∂C/∂wˡⱼₖ for the cost averaged over the images: the component of
    −∇C that gradient descent steps along.
    """
    return neuron_weight_wishes_of_images(network, x, labels, cost, layer, j)[:, k]


def neuron_weight_wishes_of_images(
    network: Network, x: np.ndarray, labels: np.ndarray, cost: CostName, layer: int, j: int
) -> np.ndarray:
    """Each image's wishes for every incoming weight of neuron j of `layer`: one row per image, one column per weight."""
    return np.array([wishes(network, xi, int(yi), cost).weight_wishes(layer, j) for xi, yi in zip(x, labels)])


def most_disputed(each: np.ndarray) -> int:
    """The column (a weight) whose wishes, one row per image, spread widest: where the images disagree most."""
    spread = each.max(axis=0) - each.min(axis=0)
    return int(np.lexsort((np.arange(len(spread)), -spread))[0])


@dataclass(frozen=True)
class ChainRule:
    """∂C₀/∂wᴸⱼₖ for a last-layer weight, factor by factor, and the same chain one layer further back.

    z = wᴸⱼₖ·aᴸ⁻¹ₖ + …, so ∂zᴸⱼ/∂wᴸⱼₖ = aᴸ⁻¹ₖ; then ∂C₀/∂zᴸⱼ. With sigmoid outputs and the
    quadratic cost that is σ'(zᴸⱼ) · 2(aᴸⱼ − yⱼ); with softmax outputs every output's
    activation depends on zᴸⱼ, so ∂C₀/∂zᴸⱼ is one number (aᴸⱼ − yⱼ with cross-entropy).
    """

    j: int  # the output neuron
    k: int  # the neuron of layer L − 1 its weight comes from
    i: int  # the neuron of layer L − 2 whose weight into k is the step further back
    a_prev: float  # aᴸ⁻¹ₖ = ∂zᴸⱼ/∂wᴸⱼₖ
    weight: float  # wᴸⱼₖ = ∂zᴸⱼ/∂aᴸ⁻¹ₖ
    slope: float | None  # σ'(zᴸⱼ) = ∂aᴸⱼ/∂zᴸⱼ, with sigmoid outputs
    cost_slope: float | None  # ∂C₀/∂aᴸⱼ = 2(aᴸⱼ − yⱼ), with sigmoid outputs and the quadratic cost
    dz: float  # ∂C₀/∂zᴸⱼ
    activation_derivative: float  # ∂C₀/∂aᴸ⁻¹ₖ = Σⱼ wᴸⱼₖ ∂C₀/∂zᴸⱼ, every output neuron k feeds
    a_prev_prev: float  # aᴸ⁻²ᵢ = ∂zᴸ⁻¹ₖ/∂wᴸ⁻¹ₖᵢ
    hidden_slope: float  # σ'(zᴸ⁻¹ₖ)

    @property
    def weight_derivative(self) -> float:
        """∂C₀/∂wᴸⱼₖ = aᴸ⁻¹ₖ · ∂C₀/∂zᴸⱼ."""
        return self.a_prev * self.dz

    @property
    def bias_derivative(self) -> float:
        """∂C₀/∂bᴸⱼ = 1 · ∂C₀/∂zᴸⱼ."""
        return self.dz

    @property
    def path(self) -> float:
        """wᴸⱼₖ · ∂C₀/∂zᴸⱼ: the part of ∂C₀/∂aᴸ⁻¹ₖ that goes through output j alone."""
        return self.weight * self.dz

    @property
    def hidden_delta(self) -> float:
        """δᴸ⁻¹ₖ = ∂C₀/∂zᴸ⁻¹ₖ = σ'(zᴸ⁻¹ₖ) · ∂C₀/∂aᴸ⁻¹ₖ: BP2, the output layer's δ passed one layer back."""
        return self.hidden_slope * self.activation_derivative

    @property
    def earlier_weight_derivative(self) -> float:
        """∂C₀/∂wᴸ⁻¹ₖᵢ = aᴸ⁻²ᵢ · σ'(zᴸ⁻¹ₖ) · ∂C₀/∂aᴸ⁻¹ₖ: the same chain, one layer further back."""
        return self.a_prev_prev * self.hidden_delta


def chain_rule(w: Wishes, j: int, k: int, i: int) -> ChainRule:
    """The chain rule for wᴸⱼₖ of the image `w` is about, and for wᴸ⁻¹ₖᵢ behind it."""
    layers = w.layers
    sigmoid_out = w.network.output == "sigmoid"
    a, y = float(w.a[layers][j]), float(w.target[j])
    return ChainRule(
        j=j,
        k=k,
        i=i,
        a_prev=float(w.a[layers - 1][k]),
        weight=float(w.network.weights[layers - 1][j, k]),
        slope=float(w.slope(layers)[j]) if sigmoid_out else None,
        cost_slope=2 * (a - y) if sigmoid_out and w.cost == "quadratic" else None,
        dz=-float(w.wish_z[layers][j]),
        activation_derivative=-float(w.wish_a[layers - 1][k]),
        a_prev_prev=float(w.a[layers - 2][i]),
        hidden_slope=float(w.slope(layers - 1)[k]),
    )
