"""Every prompt fits a terminal narrower than the steps need: its words wrap inside its box, none cut off.

Below 80 columns a step says the terminal is too small, but a prompt may be open over it (the offer to
restore unsaved training comes first thing): what it asks must still be read whole to be answered."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget

from gdtui.ui.screens.descent import ParameterPrompt
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.label_prompt import LabelPrompt
from gdtui.ui.screens.path_prompt import PathPrompt, ReplacePrompt
from gdtui.ui.screens.prompt import Prompt
from gdtui.ui.screens.quit_prompt import QuitPrompt
from gdtui.ui.screens.reset_prompt import ResetPrompt
from gdtui.ui.screens.restore_prompt import RestorePrompt
from gdtui.ui.screens.teacher import ConfirmEnd, MessagePrompt, StepPrompt
from tests.helpers import screen_text, wait_for

ORIGIN = "trained 1,200 steps from seed 0, 3 nudges, opened from a model file with a long name.npz"
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
PROMPTS = {
    "restore": lambda: RestorePrompt(ORIGIN, 0.8765, 10_000, "mnist"),
    "quit": lambda: QuitPrompt(ORIGIN),
    "discard": lambda: DiscardPrompt(ORIGIN, Screen()),  # over a step other than Training: the longer way to save
    "reset": lambda: ResetPrompt(0, (0.5, 10), (3.0, 10), "the lesson's"),
    "save": lambda: PathPrompt("Save the network as"),
    "replace": lambda: ReplacePrompt("a-model-with-a-long-name.npz"),
    "parameters": lambda: ParameterPrompt(2, 13_002, [0, 1]),
    "label": lambda: LabelPrompt(FASHION),
    "message": lambda: MessagePrompt("A message to ada"),
    "step": lambda: StepPrompt("ada"),
    "end": lambda: ConfirmEnd("ada"),
}


def box(prompt: Prompt) -> Widget | None:
    return prompt.children[0] if prompt.children else None


@pytest.mark.parametrize("name", list(PROMPTS))
@pytest.mark.parametrize("columns", [40, 60])
async def test_a_prompt_fits_a_narrow_terminal(name: str, columns: int) -> None:
    app = App()
    async with app.run_test(size=(columns, 24)) as pilot:
        prompt = PROMPTS[name]()
        app.push_screen(prompt)

        def shown() -> bool:
            drawn = box(prompt)
            return app.screen is prompt and drawn is not None and drawn.size.width > 0

        await wait_for(pilot, shown, "the prompt")
        drawn = box(prompt)
        assert drawn is not None and len(prompt.children) == 1
        region = drawn.region
        assert region.x >= 0 and region.right <= columns, f"{name} at {columns} columns spans {region}"
        assert region.y >= 0 and region.bottom <= 24, f"{name} at {columns} columns spans {region}"
        assert screen_text(app)
