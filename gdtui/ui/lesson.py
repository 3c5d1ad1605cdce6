"""The steps of the lesson, in order: one screen each."""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    key: str  # the number key that opens it
    mode: str  # the app mode that shows it
    title: str
    short: str  # for a narrow step bar
    module: str  # gdtui.ui.screens.<module> holds its screen,
    screen: str  # under this class name


STEPS = (
    Step("1", "digits", "Digits", "Digits", "digits", "DigitsScreen"),
    Step("2", "network", "Network", "Network", "network", "NetworkScreen"),
    Step("3", "cost", "Cost", "Cost", "cost", "CostScreen"),
    Step("4", "one", "One parameter", "One param", "one_parameter", "OneParameterScreen"),
    Step("5", "two", "Two parameters", "Two params", "two_parameters", "TwoParametersScreen"),
    Step("6", "training", "Training", "Training", "training", "TrainingScreen"),
    Step("7", "next", "Next", "Next", "next", "NextScreen"),
    Step("8", "backprop", "Backprop", "Backprop", "backprop", "BackpropScreen"),
)

MODES = tuple(step.mode for step in STEPS)


def step_for(mode: str) -> Step:
    return STEPS[MODES.index(mode)]
