"""Step 5: the cost as a landscape over two parameters."""

from __future__ import annotations

from gdtui.ui.screens.coming import ComingScreen


class TwoParametersScreen(ComingScreen):
    TITLE_TEXT = "Two parameters"
    PLAN = (
        "A cost landscape over two parameters, with hills and valleys: the gradient points uphill, "
        "its negative downhill, and the steps follow it."
    )
    HELP = PLAN
