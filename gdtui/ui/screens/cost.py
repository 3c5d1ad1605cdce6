"""Step 3: how badly the network does."""

from __future__ import annotations

from gdtui.ui.screens.coming import ComingScreen


class CostScreen(ComingScreen):
    TITLE_TEXT = "Cost"
    PLAN = (
        "How badly does the network do? The squared distance between its 10 outputs and the "
        "one-hot target, for one digit and averaged over all of them, and a quiz: rank four "
        "outputs for a 4 from highest to lowest cost."
    )
    HELP = PLAN
