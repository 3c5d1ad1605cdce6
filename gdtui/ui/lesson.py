"""The seven steps of the lesson, in order: one screen each."""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    key: str  # the number key that opens it
    mode: str  # the app mode that shows it
    title: str
    short: str  # for a narrow step bar


STEPS = (
    Step("1", "digits", "Digits", "Digits"),
    Step("2", "network", "Network", "Network"),
    Step("3", "cost", "Cost", "Cost"),
    Step("4", "one", "One parameter", "One param"),
    Step("5", "two", "Two parameters", "Two params"),
    Step("6", "training", "Training", "Training"),
    Step("7", "next", "Next", "Next"),
)

MODES = tuple(step.mode for step in STEPS)


def step_for(mode: str) -> Step:
    return STEPS[MODES.index(mode)]
