"""Training speed of gdtui's Trainer on the bundled MNIST, against a textbook numpy network.

Prints JSON lines: first the BLAS library that ran, then, for each batch size,
the samples per second (median of several timed runs) and seconds per epoch of
gdtui's Trainer and of the reference, and their ratio. Both train the lesson's
784-16-16-10 network (sigmoid, quadratic cost, η = 3.0) on one BLAS thread, so
the numbers compare the code, not the number of cores.

    python benchmarks/train_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from contextlib import nullcontext

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = threadpool_limits = None
    # BLAS reads these once, when numpy loads it: they must be set before the import.
    for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ[variable] = "1"

import numpy as np

from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.training import Trainer

ETA = 3.0


class Reference:
    """The lesson's network as tutorials write it: a matrix per layer, fresh arrays every step."""

    def __init__(self, sizes: tuple[int, ...], seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.weights = [rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
        self.biases = [np.zeros(n_out) for n_out in sizes[1:]]

    @staticmethod
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def train_batch(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        activations, zs = [x], []
        for w, b in zip(self.weights, self.biases):
            zs.append(activations[-1] @ w.T + b)
            activations.append(self.sigmoid(zs[-1]))
        s = self.sigmoid(zs[-1])
        delta = 2 * (activations[-1] - y) * s * (1 - s)
        grads_w, grads_b = [None] * len(self.weights), [None] * len(self.biases)
        for layer in reversed(range(len(self.weights))):
            grads_w[layer] = delta.T @ activations[layer] / len(x)
            grads_b[layer] = delta.mean(axis=0)
            if layer:
                s = self.sigmoid(zs[layer - 1])
                delta = (delta @ self.weights[layer]) * s * (1 - s)
        for layer in range(len(self.weights)):
            self.weights[layer] = self.weights[layer] - eta * grads_w[layer]
            self.biases[layer] = self.biases[layer] - eta * grads_b[layer]


def median_rate(run_steps, steps: int, batch: int, runs: int) -> float:
    """Samples per second: the median over runs of `steps` steps each, after one warm-up step."""
    run_steps(1)
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        run_steps(steps)
        rates.append(steps * batch / (time.perf_counter() - start))
    return statistics.median(rates)


def gdtui_steps(train, batch: int):
    trainer = Trainer(Network(), train, learning_rate=ETA, batch_size=batch)

    def run(steps: int) -> None:
        for _ in range(steps):
            trainer.step()

    return run


def reference_steps(x: np.ndarray, y: np.ndarray, batch: int):
    network, rng = Reference((784, 16, 16, 10)), np.random.default_rng(0)
    order, position = rng.permutation(len(x)), 0

    def run(steps: int) -> None:
        nonlocal order, position
        for _ in range(steps):
            index = order[position : position + batch]
            network.train_batch(x[index], y[index], ETA)
            position += batch
            if position >= len(x):
                order, position = rng.permutation(len(x)), 0

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs, for a rough figure")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    # (batch size, steps per timed run): about 20,000 samples a run, the full batch a few times.
    plan = [(10, 2000), (100, 200), (60_000, 2)] if args.quick else [(10, 6000), (100, 600), (60_000, 3)]

    train = load_dataset().train
    # The tutorial way: the whole set as float64 rows and one-hot targets, up front.
    x = train.inputs(slice(None)).astype(np.float64)
    y = np.eye(10)[train.labels]

    with threadpool_limits(1) if threadpool_limits else nullcontext():
        blas = threadpool_info() if threadpool_info else "unknown: threadpoolctl is not installed"
        print(json.dumps({"numpy": np.__version__, "python": platform.python_version(), "blas": blas}))
        for batch, steps in plan:
            batch = min(batch, len(train))
            ours = median_rate(gdtui_steps(train, batch), steps, batch, runs)
            # Tutorial code is not guarded against e^z overflowing; the result is right regardless.
            with np.errstate(over="ignore"):
                theirs = median_rate(reference_steps(x, y, batch), steps, batch, runs)
            print(json.dumps({
                "batch_size": batch,
                "steps_per_run": steps,
                "runs": runs,
                "gdtui_samples_per_s": round(ours),
                "reference_samples_per_s": round(theirs),
                "gdtui_seconds_per_epoch": round(len(train) / ours, 2),
                "reference_seconds_per_epoch": round(len(train) / theirs, 2),
                "ratio_gdtui_to_reference": round(ours / theirs, 2),
            }))


if __name__ == "__main__":
    main()
