"""Training speed of gdtui's Trainer on the bundled MNIST, against the textbook backprop of gdtui.core.backprop.

Prints JSON lines: first the BLAS library that ran, then, for each batch size,
the samples per second (median of several timed runs, gdtui's and the reference's
taking turns) and seconds per epoch of gdtui's Trainer and of the reference, and
their ratio; and the machine's compute limit, its float32 matrix-product peak
(measured in turn with the same runs) over the network's FLOPs per sample. Both
train the lesson's 784-16-16-10 network (sigmoid, quadratic cost, η = 3.0) on one
BLAS thread, so the numbers compare the code, not the number of cores.

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

from gdtui.core import backprop
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.training import Trainer

ETA = 3.0


class Reference:
    """The lesson's network trained by gdtui.core.backprop's plain float64 backprop: fresh arrays every step."""

    def __init__(self, network: Network) -> None:
        self.weights = [w.astype(np.float64) for w in network.weights]
        self.biases = [b.astype(np.float64) for b in network.biases]

    def train_batch(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        _, grads_w, grads_b = backprop.backprop(self.weights, self.biases, x, y)
        self.update(grads_w, grads_b, eta)

    def train_per_example(self, x: np.ndarray, y: np.ndarray, eta: float) -> None:
        """The first way most tutorials write it: backprop one example at a time, then average."""
        total_w = [np.zeros_like(w) for w in self.weights]
        total_b = [np.zeros_like(b) for b in self.biases]
        for i in range(len(x)):
            _, grads_w, grads_b = backprop.backprop(self.weights, self.biases, x[i : i + 1], y[i : i + 1])
            total_w = [t + g for t, g in zip(total_w, grads_w)]
            total_b = [t + g for t, g in zip(total_b, grads_b)]
        self.update([t / len(x) for t in total_w], [t / len(x) for t in total_b], eta)

    def update(self, grads_w: list[np.ndarray], grads_b: list[np.ndarray], eta: float) -> None:
        for layer in range(len(self.weights)):
            self.weights[layer] = self.weights[layer] - eta * grads_w[layer]
            self.biases[layer] = self.biases[layer] - eta * grads_b[layer]


def median_rates(runners: dict, runs: int) -> dict:
    """Work per second of each runner, name: (run_steps, steps, work per step): the median over runs.

    The runners take turns, run by run, after one warm-up step each: on a shared
    machine a busy moment then slows all of them alike, not only whichever was
    running, and the ratios between them stay honest. Each run is timed in the
    process's CPU time: BLAS runs on one thread here, so that is the time an idle
    core would take, without the waits for a core that other programs hold.
    """
    for run_steps, _, _ in runners.values():
        run_steps(1)
    rates = {name: [] for name in runners}
    for _ in range(runs):
        for name, (run_steps, steps, work) in runners.items():
            start = time.process_time()
            run_steps(steps)
            rates[name].append(steps * work / (time.process_time() - start))
    return {name: statistics.median(values) for name, values in rates.items()}


def gdtui_steps(train, batch: int):
    trainer = Trainer(Network(), train, learning_rate=ETA, batch_size=batch)

    def run(steps: int) -> None:
        for _ in range(steps):
            trainer.step()

    return run


def reference_steps(x: np.ndarray, y: np.ndarray, batch: int, per_example: bool = False):
    network, rng = Reference(Network()), np.random.default_rng(0)
    train = network.train_per_example if per_example else network.train_batch
    order, position = rng.permutation(len(x)), 0

    def run(steps: int) -> None:
        nonlocal order, position
        # Textbook code is not guarded against e^−z overflowing; σ(z) = 1/(1 + ∞) = 0 is right regardless.
        with np.errstate(over="ignore"):
            for _ in range(steps):
                index = order[position : position + batch]
                train(x[index], y[index], ETA)
                position += batch
                if position >= len(x):
                    order, position = rng.permutation(len(x)), 0

    return run


# Floating-point operations per training example of 784-16-16-10: a multiply-add (2) per
# weight forward, per weight for its gradient, and per weight above the first layer to pass
# the error back.
WEIGHTS = 784 * 16 + 16 * 16 + 16 * 10
FLOP_PER_SAMPLE = 2 * WEIGHTS + 2 * WEIGHTS + 2 * (16 * 16 + 16 * 10)

# The machine's float32 peak is measured on products of two PEAK_SIZE² matrices: large
# enough for BLAS to reach its best, at 2·PEAK_SIZE³ floating-point operations each.
PEAK_SIZE = 1024
PEAK_FLOP = 2 * PEAK_SIZE**3
PEAK_STEPS = 5  # products per timed run: about a tenth of a second


def matmul_steps():
    a, b = np.ones((PEAK_SIZE, PEAK_SIZE), np.float32), np.ones((PEAK_SIZE, PEAK_SIZE), np.float32)

    def run(steps: int) -> None:
        for _ in range(steps):
            a @ b

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
        print(json.dumps({"flop_per_sample": FLOP_PER_SAMPLE}))
        for batch, steps in plan:
            batch = min(batch, len(train))
            rates = median_rates(
                {
                    "gdtui": (gdtui_steps(train, batch), steps, batch),
                    "reference": (reference_steps(x, y, batch), steps, batch),
                    # Between the same runs, so that the compute limit sees the machine as busy as they do.
                    "peak": (matmul_steps(), PEAK_STEPS, PEAK_FLOP),
                },
                runs,
            )
            ours, theirs = rates["gdtui"], rates["reference"]
            limit = rates["peak"] / FLOP_PER_SAMPLE
            print(
                json.dumps(
                    {
                        "batch_size": batch,
                        "steps_per_run": steps,
                        "runs": runs,
                        "gdtui_samples_per_s": round(ours),
                        "reference_samples_per_s": round(theirs),
                        "gdtui_seconds_per_epoch": round(len(train) / ours, 2),
                        "reference_seconds_per_epoch": round(len(train) / theirs, 2),
                        "ratio_gdtui_to_reference": round(ours / theirs, 2),
                        "float32_matmul_gflops": round(rates["peak"] / 1e9, 1),
                        "compute_limit_samples_per_s": round(limit),
                        "compute_limit_over_gdtui": round(limit / ours, 1),
                    }
                )
            )
        steps = plan[0][1]
        rates = median_rates(
            {
                "per_example": (reference_steps(x, y, 10, per_example=True), steps // 10, 10),
                "gdtui": (gdtui_steps(train, 10), steps, 10),
            },
            runs,
        )
        print(
            json.dumps(
                {
                    "batch_size": 10,
                    "per_example_loop_samples_per_s": round(rates["per_example"]),
                    "gdtui_samples_per_s": round(rates["gdtui"]),
                    "ratio_gdtui_to_per_example_loop": round(rates["gdtui"] / rates["per_example"], 1),
                }
            )
        )


if __name__ == "__main__":
    main()
