"""Sessions start their apps a few at a time, in the order their students logged in.

Drawing its first screen takes a session's app a burst of CPU. When a whole
class logged in at once, the kernel shared the cores out evenly between all
their apps, so they all finished together: the first student in waited as long
as the last. Here at most `at_once` apps (by default one a core) are drawing
their first screen at any moment; the others wait their turn, first come,
first served. The first students in see their screen soonest, and the last
about when they would have anyway: the cores are kept as busy as before.

A turn ends when the app says its first screen is drawn (through the lab's hub,
see gdtui.channel), when the session is over, or after `wait_s`, whichever
comes first: an app that is stuck, slow, or never says so holds up the others
for that long at most.
"""

from __future__ import annotations

import asyncio
import logging
import os

log = logging.getLogger("gdtui.serve")


def cores() -> int:
    """The cores this process may run on: what the sessions it starts share."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Admission:
    """Whose turn it is to start, by session number."""

    def __init__(self, at_once: int, wait_s: float) -> None:
        self.at_once = at_once
        self.wait_s = wait_s
        # The sessions whose turn it is, each with the timer that ends its turn if nothing else does.
        self._starting: dict[int, asyncio.TimerHandle] = {}
        # Those waiting, in the order they asked (dicts keep it).
        self._waiting: dict[int, asyncio.Future[None]] = {}

    @property
    def starting(self) -> list[int]:
        return list(self._starting)

    @property
    def waiting(self) -> list[int]:
        return list(self._waiting)

    def turn(self, number: int) -> asyncio.Future[None]:
        """Done when it is the session's turn: at once, if there is room and no one waits before it.
        Cancel it to stop waiting."""
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting[number] = turn
        self._next()
        return turn

    def done(self, number: int) -> None:
        """The session's first screen is drawn, or the session is over: the next in line may start.
        Said again, or of a session that never asked, it changes nothing."""
        waiting = self._waiting.pop(number, None)
        if waiting is not None:
            waiting.cancel()
        timer = self._starting.pop(number, None)
        if timer is not None:
            timer.cancel()
            self._next()

    def _next(self) -> None:
        while self._waiting and len(self._starting) < self.at_once:
            number = next(iter(self._waiting))
            turn = self._waiting.pop(number)
            if turn.done():  # cancelled: the session no longer waits
                continue
            self._starting[number] = asyncio.get_running_loop().call_later(self.wait_s, self._too_long, number)
            turn.set_result(None)

    def _too_long(self, number: int) -> None:
        if self._starting.pop(number, None) is not None:
            log.info("session %d has not shown its first screen after %g s: the next session starts", number, self.wait_s)
            self._next()
