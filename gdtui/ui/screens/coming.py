"""Steps of the lesson whose screens are not built yet: they say what will be there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from gdtui.ui.screens.base import LessonScreen


class ComingScreen(LessonScreen):
    DEFAULT_CSS = """
    ComingScreen #coming { padding: 1 2; }
    """
    PLAN = ""

    def compose_body(self) -> ComposeResult:
        yield Static(f"[b]{self.TITLE_TEXT}[/b]\n\n{self.PLAN}\n\n[dim]This step is not built yet.[/dim]", id="coming")


class CostScreen(ComingScreen):
    TITLE_TEXT = "Cost"
    PLAN = (
        "How badly does the network do? The squared distance between its 10 outputs and the "
        "one-hot target, for one digit and averaged over all of them, and a quiz: rank four "
        "outputs for a 4 from highest to lowest cost."
    )
    HELP = PLAN


class OneParameterScreen(ComingScreen):
    TITLE_TEXT = "One parameter"
    PLAN = (
        "The cost as a curve over one parameter: its slope, where the slope is 0, and stepping "
        "downhill with a learning rate."
    )
    HELP = PLAN


class TwoParametersScreen(ComingScreen):
    TITLE_TEXT = "Two parameters"
    PLAN = (
        "A cost landscape over two parameters, with hills and valleys: the gradient points uphill, "
        "its negative downhill, and the steps follow it."
    )
    HELP = PLAN


class TrainingScreen(ComingScreen):
    TITLE_TEXT = "Training"
    PLAN = (
        "Gradient descent on every parameter of the network, one mini-batch per key press or running, with "
        "the cost falling live. Until this screen is built, `gdtui train` trains from the command line."
    )
    HELP = PLAN


class NextScreen(ComingScreen):
    TITLE_TEXT = "Next"
    PLAN = "Backpropagation: how the gradient, one component per parameter, is actually computed, and fast."
    HELP = PLAN
