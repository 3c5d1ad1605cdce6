"""A key that changes what a screen shows sends the lines that changed, not the whole screen again.

Each screen keeps what its keys choose (the cursor, the neuron shown) in reactives of its own,
and its watchers draw what changed. A repaint of the screen itself would send every line of the
terminal again (a full frame: about 8 KB at 80×24) for a key that changes a few.
"""

from __future__ import annotations

import pytest

from tests.app.test_frame_cost import record_full_frames
from tests.helpers import settle

# Each frame drawn, as on a terminal: what a frame costs is the point.
pytestmark = pytest.mark.frames

# A step; the keys that open the view the key is pressed in (a new layout is a full frame); the key.
CASES = [
    ("1", ["d"], "right"),  # the drawing cursor, on Digits
    ("2", ["w"], "right_square_bracket"),  # the next neuron's weights, on Network
]


@pytest.mark.parametrize(("step", "opening", "key"), CASES)
async def test_a_key_sends_what_it_changed(screen_on, monkeypatch, step, opening, key):
    async with screen_on(step) as (pilot, screen):
        for pressed in opening:
            await pilot.press(pressed)
            await settle(pilot)
            await pilot.pause(0.05)
        full = record_full_frames(monkeypatch, pilot.app)
        for _ in range(3):
            await pilot.press(key)
            await settle(pilot)
            await pilot.pause(0.05)
        assert full == []
