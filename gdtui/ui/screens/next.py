"""Step 7: what comes next."""

from __future__ import annotations

from gdtui.ui.screens.coming import ComingScreen


class NextScreen(ComingScreen):
    TITLE_TEXT = "Next"
    PLAN = "Backpropagation: how the gradient, one component per parameter, is actually computed, and fast."
    HELP = PLAN
