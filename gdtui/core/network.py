"""A fully connected network whose weights and biases live in one flat vector.

The lesson calls the network's parameters "one giant vector of 13,002 components";
here they really are one float32 vector, and each layer's weight matrix and bias
vector are views into it. Nudging parameter k is ``net.params[k] += h``, and the
gradient is a vector of the same length, laid out the same way.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from gdtui.core import costs

LESSON_SIZES = (784, 16, 16, 10)
Activation = Literal["sigmoid", "relu"]
Output = Literal["sigmoid", "softmax"]
ACTIVATIONS: tuple[Activation, ...] = get_args(Activation)
OUTPUTS: tuple[Output, ...] = get_args(Output)

# The formulas' constants, as 0-d arrays: numpy converts a Python float afresh for every
# operation, which at small mini-batches costs as much as the arithmetic. float32 holds
# them exactly, and a float64 network's arrays stay float64.
HALF = np.array(0.5, dtype=np.float32)
ONE = np.array(1.0, dtype=np.float32)


def count_parameters(sizes: tuple[int, ...]) -> int:
    """Weights plus biases: n_out·n_in + n_out for every layer."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(z) = 1 / (1 + e^−z), as ½(1 + tanh(z/2)): the same function, and it never overflows.

    Like a numpy function, it writes into `out` when given (out=z works in place):
    at small mini-batches, allocating arrays costs more than computing them.
    """
    out = np.multiply(z, HALF, out=out)
    np.tanh(out, out=out)
    out += ONE
    out *= HALF
    return out


@functools.lru_cache(maxsize=8)
def _ones(m: int, dtype: np.dtype) -> np.ndarray:
    """m ones, made once per batch size: making them takes longer than using them."""
    ones = np.ones(m, dtype=dtype)
    ones.flags.writeable = False  # shared by every mini-batch of m examples
    return ones


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def layer_name(sizes: tuple[int, ...], layer: int) -> str:
    """A layer as every screen names it: 'input', 'layer 1' … for the hidden ones, 'output'."""
    if layer == 0:
        return "input"
    return "output" if layer == len(sizes) - 1 else f"layer {layer}"


def neuron_name(sizes: tuple[int, ...], layer: int, j: int, input_shape: tuple[int, int] | None = None) -> str:
    """A neuron as every screen names it: 'pixel (3,4)' (or 'input 31'), 'layer 2 neuron 10', 'output 6'."""
    if layer == 0:
        if input_shape is None:
            return f"input {j}"
        row, col = divmod(j, input_shape[1])
        return f"pixel ({row},{col})"
    if layer == len(sizes) - 1:
        return f"output {j}"
    return f"{layer_name(sizes, layer)} neuron {j}"


@dataclass(frozen=True)
class Parameter:
    """Where parameter k of the flat vector sits in the network."""

    index: int
    layer: int  # 1 = first hidden layer
    kind: str  # "weight" or "bias"
    neuron: int  # the receiving neuron in `layer`
    source: int | None  # the sending neuron (or input pixel) of a weight
    sizes: tuple[int, ...]  # the network's: what its layers are called

    def describe(self, input_shape: tuple[int, int] | None = None) -> str:
        """Short enough for a table row: 'pixel (3,4) → layer 1 neuron 0', 'bias of output 9'."""
        target = neuron_name(self.sizes, self.layer, self.neuron)
        if self.kind == "bias":
            return f"bias of {target}"
        assert self.source is not None  # every weight has one
        return f"{neuron_name(self.sizes, self.layer - 1, self.source, input_shape)} → {target}"


class Network:
    """784-16-16-10 by default: sigmoid hidden layers and sigmoid outputs, as in the lesson."""

    def __init__(
        self,
        sizes: tuple[int, ...] = LESSON_SIZES,
        *,
        activation: Activation = "sigmoid",
        output: Output = "sigmoid",
        params: np.ndarray | None = None,
        seed: int = 0,
        dtype: type | np.dtype = np.float32,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"a network needs at least two layers of at least one neuron, not {sizes}")
        self.sizes = tuple(int(n) for n in sizes)
        self.activation = activation
        self.output = output
        self.num_params = count_parameters(self.sizes)
        # float32 halves the memory traffic of every step; float64 is there for checking
        # the gradient against finite differences, which float32's rounding would swamp.
        self.params = np.empty(self.num_params, dtype=dtype)
        self.weights, self.biases = self.layer_views(self.params)
        # ∇C, laid out like params: grad_weights[l] is ∂C/∂weights[l], and so on.
        self.grad = np.zeros_like(self.params)
        self.grad_weights, self.grad_biases = self.layer_views(self.grad)
        self._workspace: dict[tuple[int, np.dtype], tuple[list[np.ndarray], np.ndarray, np.ndarray]] = {}
        if params is None:
            self.randomize(seed)
        else:
            self.params[:] = params

    def layer_views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Split a flat vector laid out like the parameters into per-layer (W, b) views."""
        weights, biases, start = [], [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            weights.append(flat[start : start + n_out * n_in].reshape(n_out, n_in))
            start += n_out * n_in
            biases.append(flat[start : start + n_out])
            start += n_out
        return weights, biases

    def randomize(self, seed: int) -> None:
        """Fresh random parameters, the same for the same seed.

        Weights are scaled by 1/√n_in (2/√n_in for ReLU, He et al.) so each neuron's
        input starts near 1 whatever the layer's width; biases start at zero.
        """
        rng = np.random.default_rng(seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        for w, b in zip(self.weights, self.biases):
            w[:] = rng.normal(0.0, np.sqrt(gain / w.shape[1]), size=w.shape)
            b[:] = 0.0
        self.grad[:] = 0.0  # the last gradient was of other weights

    def copy(self, dtype: type | np.dtype | None = None) -> Network:
        """The same network, in its own precision or another: float64 for figures that must not depend on rounding."""
        dtype = dtype or self.params.dtype
        return Network(self.sizes, activation=self.activation, output=self.output, params=self.params, dtype=dtype)

    @property
    def layer_count(self) -> int:
        """Layers of weights and biases: one fewer than the layers of neurons in `sizes`."""
        return len(self.sizes) - 1

    def _hidden(self, z: np.ndarray) -> np.ndarray:
        """The hidden activation, in place in z: z is a fresh array nobody else holds."""
        return sigmoid(z, out=z) if self.activation == "sigmoid" else np.maximum(z, 0.0, out=z)

    def _final(self, z: np.ndarray) -> np.ndarray:
        return sigmoid(z, out=z) if self.output == "sigmoid" else softmax(z)

    def activations(self, x: np.ndarray) -> list[np.ndarray]:
        """Every layer's activations for inputs x (m, n_in): [x, a1, …, output]."""
        a = [x]
        for layer, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            # dot rather than @, whose set-up as a ufunc takes longer than a small batch's product.
            z = a[-1].dot(w.T)  # (m, n_in) @ (n_in, n_out)
            z += b
            a.append(self._final(z) if layer == self.layer_count else self._hidden(z))
        return a

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The outputs (m, n_out) for inputs (m, n_in)."""
        return self.activations(x)[-1]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x).argmax(axis=1)

    def gradient(
        self, x: np.ndarray, labels: np.ndarray, cost: costs.CostName, *, input_scale: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """Backpropagation over a mini-batch x (m, n_in) with integer labels (m,).

        Fills ``self.grad`` with the gradient of the average cost and returns
        (average cost, outputs). The same numbers as gdtui.core.backprop.backprop,
        the textbook's four equations, computed with few numpy calls and no fresh
        arrays but the outputs: at small mini-batches numpy's cost per call, not
        the arithmetic, is most of the time.

        With `input_scale` s (a 0-d array), the inputs are s·x: the trainer hands
        over pixels as stored, 0–255, and s = 1/255. Scaling is linear, so it is
        applied to the first layer's m×16 weighted inputs and errors instead of the
        m×784 pixels: the same numbers up to rounding, for a third of a small step's
        input preparation.
        """
        # In the network's own precision: the products below write straight into self.grad.
        if x.dtype != self.params.dtype:
            x = x.astype(self.params.dtype)
        m = x.shape[0]
        hidden, ones, average = self._buffers(m, x.dtype)
        weights, biases, grad_w, grad_b = self.weights, self.biases, self.grad_weights, self.grad_biases
        a = [x]
        for w, b, h in zip(weights, biases, hidden):
            # dot rather than @, whose set-up as a ufunc takes longer than a small batch's product.
            a[-1].dot(w.T, out=h)  # (m, n_in) @ (n_in, n_out)
            if input_scale is not None and len(a) == 1:
                h *= input_scale  # (s·x)·Wᵀ = s·(x·Wᵀ)
            h += b
            a.append(self._hidden(h))
        outputs = a[-1].dot(weights[-1].T)  # fresh: callers keep the outputs of a step
        if input_scale is not None and len(a) == 1:
            outputs *= input_scale
        outputs += biases[-1]
        outputs = self._final(outputs)
        total, delta = costs.cost_and_delta(cost, self.output, outputs, costs.one_hot(labels, self.sizes[-1], x.dtype))
        delta *= average  # BP1, for the average over the m examples
        for layer in range(self.layer_count - 1, 0, -1):
            delta.T.dot(a[layer], out=grad_w[layer])  # BP4 (n_out, m) @ (m, n_in)
            # BP3 as the product 1ᵀ·delta: at small batches BLAS sums several times faster than numpy's sum.
            ones.dot(delta, out=grad_b[layer])
            delta = delta.dot(weights[layer])  # BP2 (m, n_out) @ (n_out, n_in)
            self._times_hidden_slope(delta, a[layer])
        ones.dot(delta, out=grad_b[0])
        if input_scale is not None:
            delta *= input_scale  # BP4 with inputs s·x: deltaᵀ·(s·x) = (s·delta)ᵀ·x
        delta.T.dot(x, out=grad_w[0])
        return total / m, outputs

    def _buffers(self, m: int, dtype: np.dtype) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The hidden layers' activations for m examples, m ones and 1/m: making them takes longer than using them."""
        key = (m, dtype)
        found = self._workspace.get(key)
        if found is None:
            # 1/m as a 0-d array: see HALF.
            found = [np.empty((m, n), dtype=dtype) for n in self.sizes[1:-1]], _ones(m, dtype), np.array(1 / m, dtype)
            self._workspace = {key: found}  # the last batch size only: it changes seldom
        return found

    def _times_hidden_slope(self, delta: np.ndarray, a: np.ndarray) -> None:
        """delta ⊙= σ'(z), with σ'(z) written in terms of the activation a = σ(z) that backprop has at hand."""
        if self.activation == "sigmoid":
            delta *= a
            delta *= ONE - a  # σ' = σ(1 − σ)
        else:
            delta *= a > 0  # ReLU' is 1 where the neuron fired, 0 elsewhere

    def parameter(self, k: int) -> Parameter:
        """Which layer, neuron and source parameter k of the flat vector belongs to."""
        if not 0 <= k < self.num_params:
            raise IndexError(f"parameter {k} is outside 0…{self.num_params - 1}")
        start = 0
        for layer, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            if k < start + n_out * n_in:
                neuron, source = divmod(k - start, n_in)
                return Parameter(k, layer, "weight", neuron, source, self.sizes)
            start += n_out * n_in
            if k < start + n_out:
                return Parameter(k, layer, "bias", k - start, None, self.sizes)
            start += n_out
        raise AssertionError("unreachable: k was range-checked")
