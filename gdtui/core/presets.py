"""Named training set-ups: the lesson's network, and one tuned for accuracy."""

from __future__ import annotations

import math
from dataclasses import dataclass

from gdtui.core.costs import CostName
from gdtui.core.network import Activation, Network, Output


@dataclass(frozen=True)
class Preset:
    name: str
    activation: Activation
    output: Output
    cost: CostName
    learning_rate: float
    batch_size: int
    epochs: int
    decay: bool  # cosine decay of η to zero over the run: big steps early, settling late
    summary: str

    def learning_rate_for(self, epoch: int, epochs: int, eta: float) -> float:
        """η for the 0-based epoch of a run of ``epochs``, starting from ``eta``."""
        if not self.decay or epochs <= 1:
            return eta
        # The share of the run first: Python divides integers of any size, where math.pi * epoch / epochs
        # would make a float of epochs, and one of more than 308 digits cannot be.
        return eta * 0.5 * (1.0 + math.cos(math.pi * (epoch / epochs)))


PRESETS = {
    "lesson": Preset(
        # Nielsen's η = 3.0 is for a cost with a factor ½ in front; the lesson's cost,
        # the plain squared distance, has twice his gradient, so the same steps take η = 1.5.
        "lesson",
        "sigmoid",
        "sigmoid",
        "quadratic",
        1.5,
        10,
        30,
        False,
        "sigmoid neurons, quadratic cost, η = 1.5, mini-batches of 10: the lesson's network",
    ),
    "tuned": Preset(
        "tuned",
        "relu",
        "softmax",
        "cross-entropy",
        0.05,
        10,
        30,
        True,
        "ReLU hidden layers, softmax outputs, cross-entropy cost, He initialisation, η = 0.05 decaying to 0 over the run",
    ),
}


def preset_for(network: Network) -> Preset:
    """The preset of the network's kind: softmax outputs train as the tuned one, the others as the lesson's."""
    return PRESETS["tuned" if network.output == "softmax" else "lesson"]
