"""How often a running Training screen draws what: its numbers often, its plot and images less.

The plot and the images are most of a frame's bytes: while a run goes they are
drawn less often than the numbers. A curve growing twice a second still moves;
the mini-batch's digits, new every step, blur into noise at any rate above one
a second, and at one step a second none is missed.
"""

from __future__ import annotations

import math
import time

REDRAW_HZ = 5  # what the eye needs while a run goes; more frames cost keys their speed and SSH bandwidth
PLOT_HZ = 2
IMAGES_HZ = 1


class Cadence:
    """What is drawn at most hz times a second while a run goes, and whenever asked otherwise."""

    def __init__(self, hz: float) -> None:
        self.period = 1 / hz
        self.last = -math.inf

    def due(self, live: bool) -> bool:
        now = time.monotonic()
        if live and now - self.last < 0.9 * self.period:  # 0.9: a timer may fire a little early
            return False
        self.last = now
        return True
