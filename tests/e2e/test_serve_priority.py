"""In the lab, a run trains as background work: its thread at SCHED_IDLE and its session's group at
a lower priority (GROUP_NICE) while it goes, the group as it was once it pauses, so that keys everywhere come first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gdtui.core.background import GROUP_NICE
from gdtui.serve import spawn
from gdtui.serve.server import LabConfig
from tests.e2e.lab import FIRST_SCREEN, eventually, only_session, running, student
from tests.unit.test_background import SCHED_IDLE, scheduling_of

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not Path("/proc/self/autogroup").exists(), reason="Linux's autogroups, in /proc"
)


def group_nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/autogroup").read_text().split()[-1])


def idle_threads(pid: int) -> int:
    """How many of the session's threads run at SCHED_IDLE; a thread that ends while they are counted is not."""
    idle = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            idle += scheduling_of(pid, int(task.name))[0] == SCHED_IDLE
        except (FileNotFoundError, ProcessLookupError):
            continue
    return idle


async def test_a_run_lowers_its_session_and_a_pause_sets_it_back(lab_config: LabConfig, monkeypatch) -> None:
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    async with running(lab_config) as lab, student(lab) as ada:
        await ada.shows(FIRST_SCREEN)
        pid = only_session(lab).process.pid
        ada.press("6")
        await ada.shows("step 0 ")
        assert group_nice(pid) == 0 and idle_threads(pid) == 0
        ada.press(" ")
        await eventually(lambda: group_nice(pid) == GROUP_NICE and idle_threads(pid) == 1, "the run to go in the background")
        ada.press(" ")
        await ada.shows("paused")
        await eventually(lambda: group_nice(pid) == 0 and idle_threads(pid) == 0, "the session's group set back")


def test_the_servers_choice_of_training_priority_reaches_the_sessions(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GDTUI_TRAINING_PRIORITY", "normal")
    env = spawn.environment("xterm", tmp_path / "ada", tmp_path / "cache", {"GDTUI_TRAINING_PRIORITY": "idle"}, hub={})
    assert env["GDTUI_TRAINING_PRIORITY"] == "normal"
