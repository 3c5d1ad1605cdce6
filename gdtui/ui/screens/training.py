"""Step 6: gradient descent on every parameter."""

from __future__ import annotations

from gdtui.ui.screens.coming import ComingScreen


class TrainingScreen(ComingScreen):
    TITLE_TEXT = "Training"
    PLAN = (
        "Gradient descent on every parameter of the network, one mini-batch per key press or running, with "
        "the cost falling live. Until this screen is built, `gdtui train` trains from the command line."
    )
    HELP = PLAN
