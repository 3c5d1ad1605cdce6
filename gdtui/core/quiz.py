"""The ranking quiz: four output vectors for one digit, to order from highest to lowest cost.

The lesson asks it about four made-up outputs for a 4; a set with another number
of classes gets four of the same kinds for one of its own. After that the questions
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
from gdtui.core.words import count

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
    names: tuple[str, ...] | None = None  # the classes' names, when they are not their numbers

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


def explain(outputs: np.ndarray, label: int, cost_name: CostName, names: Sequence[str] | None = None) -> str:
    """A few words on why these outputs for a `label` cost what they do, naming the classes by names if given."""

    def the(k: int) -> str:
        return f"the {k}" if names is None else names[k]

    order = np.argsort(outputs)[::-1]
    guess, runner_up = int(order[0]), int(order[1])
    right, top, second = float(outputs[label]), float(outputs[guess]), float(outputs[runner_up])
    others = np.delete(outputs, label)
    # Relative to the top output, so softmax outputs (summing to 1) read like sigmoid ones.
    middling = int(np.count_nonzero(outputs >= top / 2))
    why = f"−ln {right:.2f}" if cost_name == "cross-entropy" else f"{the(label)} off by {1 - right:.2f}"
    if guess == label and right >= 0.7 and others.max() <= 0.2:
        return f"near the ideal: {the(label)} high, the rest near 0"
    if guess != label and top >= 0.5 and top - second >= 0.25:
        # "the 9", not "9": beside a count of outputs a bare digit reads as one.
        return f"confident and wrong: {the(guess)} at {top:.2f}, {why}"
    if middling >= 4:
        # Which outputs are counted, by their range: a bare count of "middling" ones cannot be checked.
        # Out of all of them: "nine outputs" of ten read as the nine beside the right one.
        low = float(outputs[outputs >= top / 2].min())
        of_all = count(len(outputs))
        which = f"all {of_all} outputs" if middling == len(outputs) else f"{count(middling)} of the {of_all}"
        span = f"at {top:.2f}" if f"{low:.2f}" == f"{top:.2f}" else f"{low:.2f} to {top:.2f}"
        return f"undecided: {which} middling, {span}, {why}"
    if guess == label:
        return f"right but unsure, {why}"
    return f"wrong and unsure: {the(guess)} at {top:.2f}, {why}"


def fit(outputs: np.ndarray, cost_name: CostName) -> np.ndarray:
    """Outputs a network could give for this cost: cross-entropy's softmax outputs add up to 1."""
    if "sigmoid" in costs.COMPATIBLE_OUTPUTS[cost_name]:
        return outputs
    return outputs / outputs.sum(axis=1, keepdims=True)


def ask(
    label: int,
    outputs: np.ndarray,
    cost_name: CostName,
    kind: str,
    indices: Sequence[int | None] | None = None,
    names: tuple[str, ...] | None = None,
) -> Question:
    """A question about outputs (k, classes) for a `label`, with their costs."""
    outputs = np.asarray(outputs, dtype=np.float64)
    targets = costs.one_hot(np.full(len(outputs), label), outputs.shape[1], dtype=np.float64)
    option_costs = costs.cost(cost_name, outputs, targets)
    indices = indices if indices is not None else [None] * len(outputs)
    options = tuple(
        Option(row, float(cost), explain(row, label, cost_name, names), index)
        for row, cost, index in zip(outputs, option_costs, indices)
    )
    return Question(label, cost_name, options, kind, names)


def classic(cost_name: CostName = "quadratic", names: tuple[str, ...] | None = None) -> Question:
    """The lesson's question."""
    return ask(CLASSIC_LABEL, fit(CLASSIC, cost_name), cost_name, LESSON, names=names)


def opening(cost_name: CostName, classes: int, rng: np.random.Generator, names: tuple[str, ...] | None = None) -> Question:
    """The first question: the lesson's, where there are ten classes as it has; else its four kinds made up for one class."""
    if classes == CLASSIC.shape[1]:
        return classic(cost_name, names)
    return made_up(int(rng.integers(classes)), cost_name, rng, classes, names)


def recost(question: Question, cost_name: CostName) -> Question:
    """The same question judged by another cost."""
    if question.kind == LESSON:
        return classic(cost_name, question.names)
    rows = fit(np.array([option.outputs for option in question.options]), cost_name)
    return ask(question.label, rows, cost_name, question.kind, [option.index for option in question.options], question.names)


def _four_kinds(label: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    """One output vector of each of the lesson's kinds, for a `label`."""
    rows = rng.uniform(0.0, 0.08, size=(4, classes))
    others = rng.permutation([d for d in range(classes) if d != label])
    rows[0, label] = rng.uniform(0.85, 0.97)  # near the ideal
    rows[1, label] = rng.uniform(0.45, 0.6)  # most outputs right, unsure of the right one
    rows[1, others[0]] = rng.uniform(0.3, 0.45)
    rows[2] = rng.uniform(0.15, 0.33, size=classes)  # many middling values
    # With fewer than four classes the wrong answers repeat; the confident one must stay high.
    wrong, runner_up = others[1 % len(others)], others[2 % len(others)]
    rows[3, wrong] = rng.uniform(0.85, 0.97)  # confident and wrong
    rows[3, label] = rng.uniform(0.02, 0.1)
    runner_up_output = rng.uniform(0.2, 0.35)
    if runner_up != wrong:
        rows[3, runner_up] = runner_up_output
    return rows


def made_up(
    label: int, cost_name: CostName, rng: np.random.Generator, classes: int = 10, names: tuple[str, ...] | None = None
) -> Question:
    """Four outputs of the lesson's four kinds for a `label`, afresh, in random order.

    With the quadratic cost their ranges keep the costs at least MIN_GAP apart;
    softmax outputs can bring two kinds close, so those are drawn again.
    """
    for _ in range(100):
        rows = fit(_four_kinds(label, classes, rng)[rng.permutation(4)], cost_name)
        question = ask(label, rows, cost_name, MADE_UP, names=names)
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


def from_network(
    network: Network,
    split: Split,
    label: int,
    cost_name: CostName,
    rng: np.random.Generator,
    names: tuple[str, ...] | None = None,
) -> Question | None:
    """The network's real outputs on four images of `label`, MIN_GAP apart in cost; None if there are no such four."""
    indices = np.flatnonzero(split.labels == label)
    outputs = network.forward(split.inputs(indices)).astype(np.float64)
    targets = costs.one_hot(np.full(len(indices), label), network.sizes[-1], dtype=np.float64)
    picked = spread_apart(costs.cost(cost_name, outputs, targets), rng, len(LETTERS), MIN_GAP)
    if picked is None:
        return None
    return ask(label, outputs[picked], cost_name, REAL, [int(indices[i]) for i in picked], names)


def next_question(
    number: int,
    network: Network,
    split: Split,
    cost_name: CostName,
    rng: np.random.Generator,
    names: tuple[str, ...] | None = None,
) -> Question:
    """Question `number` of a quiz: the `opening` first, then real 4s, then real digits of every kind.

    A digit whose images all cost about the same gives way to another; if every
    digit does, as with a network that has not learned yet, the question is made up.
    A set without the lesson's ten classes has no lesson's 4 to come back to.
    """
    classes = network.sizes[-1]
    if number == 0:
        return opening(cost_name, classes, rng, names)
    first = [CLASSIC_LABEL] if number == 1 and classes == CLASSIC.shape[1] else []
    labels = first + [int(d) for d in rng.permutation(classes) if d not in first]
    for label in labels:
        question = from_network(network, split, label, cost_name, rng, names)
        if question is not None:
            return question
    return made_up(labels[0], cost_name, rng, classes, names)
