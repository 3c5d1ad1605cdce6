"""Mini-batch gradient descent, one step at a time.

The same Trainer drives ``gdtui train`` and the Training screen: each ``step()``
takes the next mini-batch of a seeded shuffle, computes the gradient of the
average cost over it, and moves every parameter a little downhill:

    params ← params − η · ∇C
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from gdtui.core import costs
from gdtui.core.costs import CostName
from gdtui.core.dataset import INPUT_PER_BRIGHTNESS, Split
from gdtui.core.network import Network

# The longest step taken, as a multiple of the length of the parameter vector.
MAX_STEP = 100.0
# Examples whose activations are held at once: a whole-set batch of 60,000 would take 190 MB.
CHUNK = 2000


def chunks(n: int, size: int | None = None) -> Iterator[slice]:
    """n examples in parts of `size` (CHUNK unless given), to work through one at a time; the last is what is left."""
    size = size or CHUNK
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


@dataclass(slots=True)  # not frozen: making a frozen dataclass takes half a µs more, every step
class StepResult:
    step: int  # steps taken so far, this one included
    epoch: float  # epochs done, fractional: 1.5 = halfway through the second pass
    cost: float  # average cost over the mini-batch, before the step
    gradient_norm: float
    diverged: bool
    outputs: np.ndarray = field(repr=False, compare=False)  # (m, classes) for the mini-batch, before the step
    labels: np.ndarray = field(repr=False, compare=False)  # (m,)

    @property
    def batch_accuracy(self) -> float:
        # Worked out only when asked for: few callers look, and at small batches it is 4 % of a step.
        return np.count_nonzero(self.outputs.argmax(axis=1) == self.labels) / len(self.labels)


@dataclass(frozen=True)
class Refusal:
    """Why a step was not taken: its numbers blew up, or it would have been absurdly long."""

    cost: float  # the mini-batch's cost before the step
    step_length: float  # η·|∇C|, how far the step would have moved the parameters
    size: float  # |params|, the length of all the parameters together

    @property
    def blew_up(self) -> bool:
        """The cost or the gradient is no longer a finite number (rather than merely far too long a step)."""
        return not (math.isfinite(self.cost) and math.isfinite(self.step_length))


@dataclass(frozen=True)
class Evaluation:
    cost: float
    accuracy: float
    examples: int


def evaluate(network: Network, split: Split, cost: CostName, *, chunk: int | None = None) -> Evaluation:
    """Average cost and accuracy over a whole split, in chunks (of CHUNK unless given) to bound memory."""
    total_cost, correct = 0.0, 0
    for index in chunks(len(split), chunk):
        outputs = network.forward(split.inputs(index))
        labels = split.labels[index]
        targets = costs.one_hot(labels, outputs.shape[1])
        total_cost += float(costs.cost(cost, outputs, targets).sum(dtype=np.float64))
        correct += int((outputs.argmax(axis=1) == labels).sum())
    n = len(split)
    return Evaluation(total_cost / n, correct / n, n)


class Trainer:
    """Gradient descent on one network over one training split.

    The learning rate and batch size may change between any two steps. A step
    whose cost or gradient is not finite is not taken: the trainer marks itself
    diverged and the parameters stay the last good ones.
    """

    def __init__(
        self,
        network: Network,
        train: Split,
        *,
        cost: CostName = "quadratic",
        learning_rate: float = 3.0,
        batch_size: int = 10,
        seed: int = 0,
    ) -> None:
        costs.check(cost, network.output)
        if len(train) == 0:
            raise ValueError("the training split is empty")
        self.network = network
        self.train = train
        self.cost = cost
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(train))
        self.whole = np.arange(len(train))
        self.position = 0
        self.epochs_done = 0
        self.steps = 0
        self.last_batch = self.order[:0]
        self.last_outputs = np.empty((0, network.sizes[-1]), dtype=np.float32)
        self.diverged = False
        self.refusal: Refusal | None = None  # why the last step was not taken, while diverged

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"the learning rate must be a positive number, not {value}")
        self._learning_rate = float(value)
        # 0-d: numpy converts a Python float afresh every step. One beyond float32 becomes ∞, and diverges as it should.
        with np.errstate(over="ignore"):
            self._eta = np.array(value, dtype=np.float32)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        if not 1 <= value <= len(self.train):
            raise ValueError(f"the batch size must be between 1 and {len(self.train):,}, not {value}")
        self._batch_size = int(value)

    @property
    def epoch(self) -> float:
        return self.epochs_done + self.position / len(self.train)

    @property
    def samples_seen(self) -> int:
        return self.epochs_done * len(self.train) + self.position

    def next_batch(self) -> np.ndarray:
        """The indices the next step will take: the next of the shuffle; an epoch's last batch may be short.

        A batch the size of the training set is the whole set, wherever the shuffle stands:
        a step "over the whole training set" that took only the rest of an epoch would not be one.
        """
        if self.batch_size == len(self.train):
            return self.whole
        return self.order[self.position : self.position + self.batch_size]

    def _consume(self, batch: np.ndarray) -> None:
        """Move on past a batch whose step was taken: only steps taken count as samples seen."""
        if batch is self.whole:
            self.epochs_done += 1
            return
        self.position += len(batch)
        if self.position == len(self.train):
            self.position = 0
            self.epochs_done += 1
            self.order = self.rng.permutation(len(self.train))

    # Overflow and NaN are how a diverging run shows itself; step() detects them and
    # reports divergence, so numpy need not warn about them too.
    @np.errstate(over="ignore", invalid="ignore")
    def step(self) -> StepResult:
        """One step downhill over the next mini-batch; a step that would diverge is not taken."""
        if self.diverged:
            raise RuntimeError("the run has diverged: reset the network or restore it before stepping")
        batch = self.next_batch()
        labels = self.train.labels.take(batch)  # take() beats fancy indexing on small batches
        cost, outputs = self._gradient(batch, labels)
        grad = self.network.grad
        norm = math.sqrt(float(grad.dot(grad)))
        step_length = self.learning_rate * norm
        self.diverged = not (math.isfinite(cost) and self._sensible(step_length))
        if self.diverged:
            self.refusal = Refusal(cost, step_length, self._size())
        else:
            params = self.network.params
            params -= self._eta * grad
            self.steps += 1
            self._consume(batch)
            self.last_batch, self.last_outputs = batch, outputs
        return StepResult(self.steps, self.epoch, cost, norm, self.diverged, outputs, labels)

    def _sensible(self, step_length: float) -> bool:
        """A finite step at most a hundred times longer than the parameters themselves.

        Sigmoid neurons saturate rather than overflow, so a huge η shows up as absurd
        steps before it ever shows up as infinity. The parameters' length counts as
        at least 1, so it is only worth computing for a step longer than MAX_STEP.
        """
        if step_length <= MAX_STEP:
            return True
        size = self._size()
        return math.isfinite(size) and step_length <= MAX_STEP * max(size, 1.0)

    def _size(self) -> float:
        params = self.network.params
        return math.sqrt(float(params.dot(params)))

    def _gradient(self, batch: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        """Backprop over the batch; a large one in chunks, so a whole-set batch stays small in memory."""
        if len(batch) <= CHUNK:
            return self._chunk_gradient(batch, labels)
        total = np.zeros_like(self.network.grad)
        cost, outputs = 0.0, []
        for part in chunks(len(batch)):
            chunk_cost, chunk_outputs = self._chunk_gradient(batch[part], labels[part])
            share = len(chunk_outputs) / len(batch)  # the batch average is the share-weighted chunk average
            total += np.float32(share) * self.network.grad
            cost += share * chunk_cost
            outputs.append(chunk_outputs)
        self.network.grad[:] = total
        return cost, np.concatenate(outputs)

    def _chunk_gradient(self, batch: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        # The pixels as stored, scaled inside the network: see Network.gradient.
        pixels = self.train.brightness(batch)
        return self.network.gradient(pixels, labels, self.cost, input_scale=INPUT_PER_BRIGHTNESS)

    def recover(self) -> None:
        """Leave the diverged state: the parameters are the last good ones already."""
        self.diverged = False
        self.refusal = None
