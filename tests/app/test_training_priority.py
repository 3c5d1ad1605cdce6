"""A run trains at background priority, so that keys (this session's and, on a lab server, everyone's)
come first; the screen's own thread, and a single step a key asks for, keep the priority they had."""

from __future__ import annotations

import sys
import threading

import pytest

from tests.helpers import settle, wait_for
from tests.unit.test_background import SCHED_IDLE, SCHED_OTHER, scheduling

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="per-thread scheduling as Linux reports it in /proc")


def record_steps(monkeypatch, app) -> list[tuple[int, tuple[int, int]]]:
    """Each step's thread, and how the kernel schedules it, as the step is taken."""
    seen: list[tuple[int, tuple[int, int]]] = []
    train = app.state.train

    def recorded(run):
        tid = threading.get_native_id()
        seen.append((tid, scheduling(tid)))
        return train(run)

    monkeypatch.setattr(app.state, "train", recorded)
    return seen


def lowered(policy_and_nice: tuple[int, int]) -> bool:
    policy, nice = policy_and_nice
    return policy == SCHED_IDLE or nice > 0


async def test_a_run_trains_lowered_while_the_screen_does_not(screen_on, monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    async with screen_on("6") as (pilot, screen):
        seen = record_steps(monkeypatch, pilot.app)
        await pilot.press("space")
        await wait_for(pilot, lambda: len(seen) > 5, "steps of the run")
        screen_thread = scheduling(threading.get_native_id())  # the app's own: the one the keys are read and drawn in
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to pause")
        assert all(lowered(how) for _, how in seen)
        assert screen_thread[0] == SCHED_OTHER and screen_thread[1] <= 0


async def test_a_single_step_is_a_keys_answer_at_the_screens_priority(screen_on, monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    async with screen_on("6") as (pilot, screen):
        seen = record_steps(monkeypatch, pilot.app)
        await pilot.press("space")
        await wait_for(pilot, lambda: len(seen) > 2, "steps of the run")
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to pause")
        del seen[:]
        await pilot.press("n")  # after a run: a thread lowered for it would be the one to take this step
        await settle(pilot)
        ((_, how),) = seen
        assert not lowered(how)


async def test_normal_priority_when_the_environment_asks(screen_on, monkeypatch):
    monkeypatch.setenv("GDTUI_TRAINING_PRIORITY", "normal")
    async with screen_on("6") as (pilot, screen):
        seen = record_steps(monkeypatch, pilot.app)
        await pilot.press("space")
        await wait_for(pilot, lambda: len(seen) > 5, "steps of the run")
        await pilot.press("space")
        await wait_for(pilot, lambda: not screen.running, "the run to pause")
        assert not any(lowered(how) for _, how in seen)
