"""Make the README's pictures: one SVG per step of the lesson, drawn by the app itself.

    python docs/screenshots.py

Runs the app headless on the bundled MNIST at 100×32 in truecolor, puts each
screen in a state worth showing, and saves docs/screenshots/N-step.svg.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import textual.constants

from gdtui.core import minibatch
from gdtui.ui.app import GdtuiApp

SIZE = (100, 32)
OUT = Path(__file__).parent / "screenshots"
# Keys that put each step in a state worth a picture.
SHOTS = [
    ("1-digits", ["n", "n", "up", "up", "left"]),
    ("2-network", ["2", "w"]),
    ("3-cost", ["3"]),
    ("3-cost-quiz", ["v", "down", "enter"]),
    ("4-one-parameter", ["4", "n", "n", "n"]),
    ("5-two-parameters", ["5", "f", "n", "n", "n", "n", "g"]),
    ("6-training", ["6", "e"]),
    ("6-training-gradient", ["v", "right_square_bracket"]),
    ("7-next", ["7"]),
    ("8-backprop", ["8", "v", "v", "v", "v", "v"]),
    # The landscape first, then the steps of both walkers its map is drawn to hold: the hurried one's wobble shows.
    ("8-backprop-race", ["v", *["n"] * minibatch.REHEARSED]),
    ("guided-lesson", ["2", "L", "full_stop"]),
]


async def main() -> None:
    textual.constants.COLOR_SYSTEM = "truecolor"
    # A first start's pictures: no bookmark, theme or unsaved network of whoever runs this is offered.
    home = tempfile.mkdtemp(prefix="gdtui-screenshots-")
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        os.environ[variable] = os.path.join(home, variable.lower())
    OUT.mkdir(exist_ok=True)
    app = GdtuiApp()
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        while getattr(app, "state", None) is None or app.screen.id != "digits":
            await pilot.pause(0.05)
        for name, keys in SHOTS:
            # One key at a time, its work done before the next: a race's step waits for the one before it.
            for key in keys:
                await pilot.press(key)
                await app.workers.wait_for_complete()
            await pilot.pause(0.3)
            app.save_screenshot(f"{name}.svg", str(OUT))
            print(f"saved {OUT / name}.svg")


if __name__ == "__main__":
    asyncio.run(main())
