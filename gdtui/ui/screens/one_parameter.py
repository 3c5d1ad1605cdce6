"""Step 4: the cost as a curve over one parameter."""

from __future__ import annotations

from gdtui.ui.screens.coming import ComingScreen


class OneParameterScreen(ComingScreen):
    TITLE_TEXT = "One parameter"
    PLAN = (
        "The cost as a curve over one parameter: its slope, where the slope is 0, and stepping "
        "downhill with a learning rate."
    )
    HELP = PLAN
