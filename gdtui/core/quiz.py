"""The ranking quiz: four output vectors for one digit, to order from highest to lowest cost.

The lesson asks it about four made-up outputs for a 4. After that the questions
come from the network itself: its real outputs on four test images of one digit,
chosen so that their costs are far enough apart to rank. A network that has not
learned yet gives every image nearly the same outputs; until it has, the
questions are made up afresh from the lesson's four kinds of answer.

A ranking is a permutation of the options' indices, the costliest first. It is
right when the costs, as shown, never rise along it: two options whose costs are
equal to the shown precision may come in either order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gdtui.core import costs
from gdtui.core.costs import CostName
from gdtui.core.dataset import Split
from gdtui.core.network import Network

LETTERS = "abcd"
DECIMALS = 2  # costs are shown, and tied, to this many decimals
MIN_GAP = 0.1  # the options' costs differ at least this much, to be rankable by eye

# The lesson's four outputs for a 4, in the order it shows them: sigmoid outputs,
# each between 0 and 1 on its own, as the lesson's network gives.
CLASSIC_LABEL = 4
CLASSIC = np.array(
    [
        [0.31, 0.22, 0.35, 0.28, 0.41, 0.19, 0.33, 0.26, 0.38, 0.24],  # many middling values
        [0.03, 0.01, 0.05, 0.02, 0.94, 0.04, 0.02, 0.06, 0.03, 0.08],  # near the ideal
        [0.04, 0.09, 0.03, 0.12, 0.05, 0.08, 0.02, 0.31, 0.06, 0.95],  # a confident 9
        [0.02, 0.04, 0.03, 0.05, 0.48, 0.03, 0.01, 0.06, 0.02, 0.41],  # most outputs right
    ]
)

SUMMARY = {
    "quadratic": "Confident and wrong costs most, near the ideal least, middling values between.",
    "cross-entropy": "Cross-entropy sees only the right digit's output: the lower, the costlier.",
}

LESSON, MADE_UP, REAL = "lesson", "made up", "real"


@dataclass(frozen=True, eq=False)  # arrays have no single truth value: compare by identity
class Option:
    outputs: np.ndarray  # (10,)
    cost: float
    note: str  # why it costs what it does, in a few words
    index: int | None = None  # the test image the outputs are the network's answer to


@dataclass(frozen=True, eq=False)
class Question:
    label: int
    cost_name: CostName
    options: tuple[Option, ...]
    kind: str  # LESSON, MADE_UP or REAL

    @property
    def costs(self) -> list[float]:
        return [option.cost for option in self.options]

    def answer(self) -> list[int]:
        """The options from highest to lowest cost."""
        return sorted(range(len(self.options)), key=lambda i: -self.options[i].cost)

    def grade(self, ranking: Sequence[int]) -> bool:
        return grade(self.costs, ranking)


def shown(cost: float) -> float:
    """A cost as the learner sees it."""
    return round(float(cost), DECIMALS)


def grade(option_costs: Sequence[float], ranking: Sequence[int]) -> bool:
    """Is ranking (option indices, costliest first) in order of the shown costs?"""
    if sorted(ranking) != list(range(len(option_costs))):
        raise ValueError(f"a ranking must name each of the {len(option_costs)} options once, not {list(ranking)}")
    ranked = [shown(option_costs[i]) for i in ranking]
    return all(higher >= lower for higher, lower in zip(ranked, ranked[1:]))


def placed_right(option_costs: Sequence[float], ranking: Sequence[int]) -> list[bool]:
    """For each place of the ranking: does an option of that shown cost belong there?"""
    right_order = sorted((shown(c) for c in option_costs), reverse=True)
    return [shown(option_costs[i]) == cost for i, cost in zip(ranking, right_order)]


def rankable(option_costs: Sequence[float], gap: float = MIN_GAP) -> bool:
    ranked = sorted(shown(c) for c in option_costs)
    return all(higher - lower >= gap - 1e-9 for lower, higher in zip(ranked, ranked[1:]))


def explain(outputs: np.ndarray, label: int, cost_name: CostName) -> str:
    """A few words on why these outputs for a `label` cost what they do."""
    order = np.argsort(outputs)[::-1]
    guess, runner_up = int(order[0]), int(order[1])
    right, top, second = float(outputs[label]), float(outputs[guess]), float(outputs[runner_up])
    others = np.delete(outputs, label)
    # Relative to the top output, so softmax outputs (summing to 1) read like sigmoid ones.
    middling = int(np.count_nonzero(outputs >= top / 2))
    why = f"−ln {right:.2f}" if cost_name == "cross-entropy" else f"the {label} off by {1 - right:.2f}"
    if guess == label and right >= 0.7 and others.max() <= 0.2:
        return f"near the ideal: the {label} high, the rest near 0"
    if guess != label and top >= 0.5 and top - second >= 0.25:
        return f"confident and wrong: {guess} at {top:.2f}, {why}"
    if middling >= 4:
        return f"undecided: {middling} middling outputs, {why}"
    if guess == label:
        return f"right but unsure, {why}"
    return f"wrong and unsure: {guess} at {top:.2f}, {why}"


def fit(outputs: np.ndarray, cost_name: CostName) -> np.ndarray:
    """Outputs a network could give for this cost: cross-entropy's softmax outputs add up to 1."""
    if "sigmoid" in costs.COMPATIBLE_OUTPUTS[cost_name]:
        return outputs
    return outputs / outputs.sum(axis=1, keepdims=True)


def ask(label: int, outputs: np.ndarray, cost_name: CostName, kind: str, indices: Sequence[int | None] | None = None) -> Question:
    """A question about outputs (k, 10) for a `label`, with their costs."""
    outputs = np.asarray(outputs, dtype=np.float64)
    targets = costs.one_hot(np.full(len(outputs), label), outputs.shape[1], dtype=np.float64)
    option_costs = costs.cost(cost_name, outputs, targets)
    indices = indices if indices is not None else [None] * len(outputs)
    options = tuple(
        Option(row, float(cost), explain(row, label, cost_name), index)
        for row, cost, index in zip(outputs, option_costs, indices)
    )
    return Question(label, cost_name, options, kind)


def classic(cost_name: CostName = "quadratic") -> Question:
    """The lesson's question."""
    return ask(CLASSIC_LABEL, fit(CLASSIC, cost_name), cost_name, LESSON)


def recost(question: Question, cost_name: CostName) -> Question:
    """The same question judged by another cost."""
    if question.kind == LESSON:
        return classic(cost_name)
    rows = fit(np.array([option.outputs for option in question.options]), cost_name)
    return ask(question.label, rows, cost_name, question.kind, [option.index for option in question.options])


def _four_kinds(label: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    """One output vector of each of the lesson's kinds, for a `label`."""
    rows = rng.uniform(0.0, 0.08, size=(4, classes))
    others = rng.permutation([d for d in range(classes) if d != label])
    rows[0, label] = rng.uniform(0.85, 0.97)  # near the ideal
    rows[1, label] = rng.uniform(0.45, 0.6)  # most outputs right, unsure of the right one
    rows[1, others[0]] = rng.uniform(0.3, 0.45)
    rows[2] = rng.uniform(0.15, 0.33, size=classes)  # many middling values
    rows[3, others[1]] = rng.uniform(0.85, 0.97)  # confident and wrong
    rows[3, label] = rng.uniform(0.02, 0.1)
    rows[3, others[2]] = rng.uniform(0.2, 0.35)
    return rows


def made_up(label: int, cost_name: CostName, rng: np.random.Generator, classes: int = 10) -> Question:
    """Four outputs of the lesson's four kinds for a `label`, afresh, in random order.

    With the quadratic cost their ranges keep the costs at least MIN_GAP apart;
    softmax outputs can bring two kinds close, so those are drawn again.
    """
    for _ in range(100):
        rows = fit(_four_kinds(label, classes, rng)[rng.permutation(4)], cost_name)
        question = ask(label, rows, cost_name, MADE_UP)
        if rankable(question.costs):
            break
    return question


def spread_apart(option_costs: np.ndarray, rng: np.random.Generator, count: int, gap: float) -> list[int] | None:
    """`count` random indices whose shown costs differ pairwise by at least gap, or None."""
    chosen: list[int] = []
    for i in rng.permutation(len(option_costs)):
        if rankable([option_costs[j] for j in chosen] + [option_costs[i]], gap):
            chosen.append(int(i))
            if len(chosen) == count:
                # Cheap examples are the most common, so they tend to be chosen first: shuffle.
                return [int(i) for i in rng.permutation(chosen)]
    return None


def from_network(network: Network, split: Split, label: int, cost_name: CostName, rng: np.random.Generator) -> Question | None:
    """The network's real outputs on four images of `label`, MIN_GAP apart in cost; None if there are no such four."""
    indices = np.flatnonzero(split.labels == label)
    outputs = network.forward(split.inputs(indices)).astype(np.float64)
    targets = costs.one_hot(np.full(len(indices), label), network.sizes[-1], dtype=np.float64)
    picked = spread_apart(costs.cost(cost_name, outputs, targets), rng, len(LETTERS), MIN_GAP)
    if picked is None:
        return None
    return ask(label, outputs[picked], cost_name, REAL, [int(indices[i]) for i in picked])


def next_question(number: int, network: Network, split: Split, cost_name: CostName, rng: np.random.Generator) -> Question:
    """Question `number` of a quiz: the lesson's first, then real 4s, then real digits of every kind.

    A digit whose images all cost about the same gives way to another; if every
    digit does, as with a network that has not learned yet, the question is made up.
    """
    if number == 0:
        return classic(cost_name)
    first = [CLASSIC_LABEL] if number == 1 else []
    labels = first + [int(d) for d in rng.permutation(network.sizes[-1]) if d not in first]
    for label in labels:
        question = from_network(network, split, label, cost_name, rng)
        if question is not None:
            return question
    return made_up(labels[0], cost_name, rng, network.sizes[-1])
