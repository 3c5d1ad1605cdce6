"""The network's cost along one or two of its parameters, all the others held still.

The cost depends on all 13,002 parameters at once: far too many dimensions to
draw. Holding every parameter still but one leaves a curve, and all but two a
landscape, which can be drawn and stepped on like the textbook functions of
gdtui.core.functions. A slice works on its own copy of the network, so
training may go on changing the real one meanwhile.

The cost here is the average over a fixed sample of training images rather
than over all of them: the shape is much the same and each evaluation is
quick. The slope where the network stands comes from backpropagation, which
gives the whole gradient at once; the slope along parameter k is component k.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from gdtui.core import costs
from gdtui.core.costs import CostName
from gdtui.core.dataset import Split
from gdtui.core.network import Network, sigmoid, softmax

SAMPLE_SIZE = 500
SPAN = 6.0
"""How far either side of its current value a parameter is swept."""


def cost_for(network: Network) -> CostName:
    """The lesson's quadratic cost, or cross-entropy for softmax outputs, which are trained with it."""
    return "cross-entropy" if network.output == "softmax" else "quadratic"


def fixed_sample(split: Split, size: int = SAMPLE_SIZE, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The same `size` images of split every time: (inputs (m, pixels), labels (m,))."""
    rng = np.random.default_rng(seed)
    index = np.sort(rng.choice(len(split), size=min(size, len(split)), replace=False))
    return split.inputs(index), split.labels[index]


def steepest_parameters(network: Network, inputs: np.ndarray, labels: np.ndarray, cost: CostName) -> list[int]:
    """In each layer, the weight and the bias along which the cost is steepest; steepest first.

    Along most of the parameters the cost hardly moves: these make the
    curves worth looking at.
    """
    probe = network.copy()
    probe.gradient(inputs, labels, cost)
    steepness = np.abs(probe.grad)
    chosen, start = [], 0
    for weights, biases in zip(*probe.layer_views(steepness)):
        chosen.append(start + int(weights.argmax()))
        start += weights.size
        chosen.append(start + int(biases.argmax()))
        start += biases.size
    return sorted(chosen, key=lambda k: -steepness[k])


def _activate(network: Network, z: np.ndarray, last: bool) -> np.ndarray:
    """A layer's activations for weighted inputs z of any number of leading axes."""
    if last and network.output == "softmax":
        return softmax(z.reshape(-1, z.shape[-1])).reshape(z.shape)
    if last or network.activation == "sigmoid":
        return sigmoid(z)
    return np.maximum(z, 0.0)


class NetworkSlice:
    """The average cost of a copy of network over a sample, as a function of the parameters at `indices`."""

    def __init__(self, network: Network, inputs: np.ndarray, labels: np.ndarray, cost: CostName, indices: Sequence[int]) -> None:
        costs.check(cost, network.output)
        self.network = network.copy()
        self.inputs = inputs
        self.labels = labels
        self.cost = cost
        self.indices = [int(k) for k in indices]
        self.parameters = [self.network.parameter(k) for k in self.indices]
        self.origin = self.network.params[self.indices].astype(float)  # where the network stands
        self._targets = costs.one_hot(labels, network.sizes[-1])

    def evaluate(self, point: ArrayLike) -> tuple[float, np.ndarray]:
        """The cost and its slope along each chosen parameter, with those set to point."""
        params = self.network.params
        params[self.indices] = point
        try:
            cost, _ = self.network.gradient(self.inputs, self.labels, self.cost)
            return cost, self.network.grad[self.indices].astype(float)
        finally:
            params[self.indices] = self.origin

    def costs(self, points: np.ndarray) -> np.ndarray:
        """The cost at each row of points (n, number of chosen parameters), all at once.

        Moving weight w_jk by Δ adds Δ·a_k to neuron j's weighted input z_j,
        and moving bias b_j adds Δ. So each layer is computed for the network
        as it is and only the touched neurons' inputs are shifted, point by
        point; the layers before the first touched one are shared by all.
        """
        points = np.atleast_2d(np.asarray(points, dtype=float))
        shifts = (points - self.origin).astype(self.network.params.dtype)
        network = self.network
        a = self.inputs
        for layer, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
            z = a @ w.T + b
            for column, parameter in enumerate(self.parameters):
                if parameter.layer != layer:
                    continue
                if z.ndim == 2:  # from here on, every point has activations of its own
                    z = np.repeat(z[None], len(points), axis=0)
                source = a[..., parameter.source] if parameter.kind == "weight" else 1.0
                z[..., parameter.neuron] += shifts[:, column, None] * source
            a = _activate(network, z, last=layer == network.layer_count)
        classes = a.shape[-1]
        targets = np.broadcast_to(self._targets, a.shape).reshape(-1, classes)
        per_example = costs.cost(self.cost, a.reshape(-1, classes), targets).reshape(len(points), -1)
        return per_example.mean(axis=1, dtype=np.float64)

    def sweep(self, points: np.ndarray, chunk: int = 64) -> Iterator[np.ndarray]:
        """The costs at points, a chunk at a time, so a caller can show progress or stop."""
        for start in range(0, len(points), chunk):
            yield self.costs(points[start : start + chunk])


def sweep_values(centre: float, count: int, span: float = SPAN) -> np.ndarray:
    """count evenly spaced values from centre − span to centre + span."""
    return np.linspace(centre - span, centre + span, count)


def grid_points(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Every (x, y) of the grid as rows of a (len(ys)·len(xs), 2) array, x varying fastest."""
    x, y = np.meshgrid(xs, ys)
    return np.column_stack([x.ravel(), y.ravel()])


def bilinear(grid: np.ndarray, xs: np.ndarray, ys: np.ndarray, x: float | np.ndarray, y: float | np.ndarray) -> Any:
    """Read grid between its points: grid[i, j] is the value at (xs[j], ys[i]).

    Between four grid points the value is blended along x, then along y.
    Points outside the grid take the value at its nearest edge.
    """
    x = np.clip(np.asarray(x, dtype=float), xs[0], xs[-1])
    y = np.clip(np.asarray(y, dtype=float), ys[0], ys[-1])
    j = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
    i = np.clip(np.searchsorted(ys, y, side="right") - 1, 0, len(ys) - 2)
    tx = (x - xs[j]) / (xs[j + 1] - xs[j])
    ty = (y - ys[i]) / (ys[i + 1] - ys[i])
    lower_row = grid[i, j] * (1 - tx) + grid[i, j + 1] * tx
    upper_row = grid[i + 1, j] * (1 - tx) + grid[i + 1, j + 1] * tx
    return lower_row * (1 - ty) + upper_row * ty


class NetworkCurve:
    """The cost along one parameter: swept for drawing, exact where it is stepped on."""

    def __init__(self, slice_: NetworkSlice, xs: np.ndarray, values: np.ndarray) -> None:
        self.slice = slice_
        self.parameter = slice_.parameters[0]
        self.xs = xs
        self.values = values
        self.domain = (float(xs[0]), float(xs[-1]))
        self.start = float(slice_.origin[0])

    def value(self, x: float | np.ndarray) -> Any:
        """The cost read off the sweep, for drawing."""
        return np.interp(x, self.xs, self.values)

    def evaluate(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        return self.slice.evaluate(point)


class NetworkSurface:
    """The cost over two parameters: a grid for drawing, exact where it is stepped on."""

    def __init__(self, slice_: NetworkSlice, xs: np.ndarray, ys: np.ndarray, values: np.ndarray) -> None:
        self.slice = slice_
        self.parameters = slice_.parameters
        self.xs = xs
        self.ys = ys
        self.values = values  # values[i, j] is the cost at (xs[j], ys[i])
        self.extent = ((float(xs[0]), float(xs[-1])), (float(ys[0]), float(ys[-1])))
        self.start = (float(slice_.origin[0]), float(slice_.origin[1]))
        self._slope_y, self._slope_x = np.gradient(values, ys, xs)

    def value(self, x: float | np.ndarray, y: float | np.ndarray) -> Any:
        """The cost read off the grid, for drawing."""
        return bilinear(self.values, self.xs, self.ys, x, y)

    def gradient(self, x: float | np.ndarray, y: float | np.ndarray) -> tuple[Any, Any]:
        """The gradient read off the grid's differences: enough to show its direction."""
        return bilinear(self._slope_x, self.xs, self.ys, x, y), bilinear(self._slope_y, self.xs, self.ys, x, y)

    def evaluate(self, point: np.ndarray) -> tuple[float, np.ndarray]:
        return self.slice.evaluate(point)
