"""Textual runs a message's handler of every class in a screen's MRO by itself: none may run twice."""

from __future__ import annotations

from collections import Counter

from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.base import LessonScreen
from tests.helpers import open_step


async def test_the_base_screens_on_mount_runs_once_on_every_step(screen_on, monkeypatch):
    calls: Counter[str] = Counter()
    original = LessonScreen.on_mount

    def counted(self) -> None:
        calls[self.id] += 1
        original(self)

    monkeypatch.setattr(LessonScreen, "on_mount", counted)
    async with screen_on(STEPS[0].key) as (pilot, _):
        for step in STEPS[1:]:
            await open_step(pilot, step.key)
    assert calls == Counter({step.mode: 1 for step in STEPS})
