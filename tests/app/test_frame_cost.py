"""What a key costs to draw: a step on Training sends the lines that changed, not the whole screen again.

A full frame is every line of the terminal, styles and all (about 8.6 KB at 80×24 on Training, against
3.6 KB for the lines a step changes): each such frame is CPU for the app, and for a lab server that
encrypts it, and bandwidth for every student's link.
"""

from __future__ import annotations

from textual._compositor import LayoutUpdate

from tests.helpers import settle


def record_full_frames(monkeypatch, app) -> list[str]:
    """The kind of every full-screen frame the app sends from now on."""
    full: list[str] = []
    display = type(app)._display

    def recorded(self, screen, renderable):
        if isinstance(renderable, LayoutUpdate) and screen is self.screen:
            full.append(type(renderable).__name__)
        return display(self, screen, renderable)

    monkeypatch.setattr(type(app), "_display", recorded)
    return full


async def test_a_step_redraws_what_it_changed_not_the_whole_screen(screen_on, monkeypatch):
    async with screen_on("6") as (pilot, screen):
        for _ in range(2):  # the first step puts the plot where the opening words were: a new layout
            await pilot.press("n")
            await settle(pilot)
        full = record_full_frames(monkeypatch, pilot.app)
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
            await pilot.pause(0.05)
        assert screen.training_run.trainer.steps == 5
        assert full == []
