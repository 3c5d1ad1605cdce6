"""Background work runs in a thread of its own that the OS runs after the interactive ones; its caller's stays as it was."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gdtui.core.background import GROUP_NICE, Abandoned, in_background
from tests.unit.test_portable import without_posix

linux = pytest.mark.skipif(sys.platform != "linux", reason="per-thread scheduling as Linux reports it in /proc")

SCHED_OTHER, SCHED_IDLE = 0, 5


def scheduling(tid: int) -> tuple[int, int]:
    """A thread of this process: its (policy, nice), as the kernel reports them in /proc/self/task/TID/stat."""
    return scheduling_of("self", tid)


def scheduling_of(pid: int | str, tid: int) -> tuple[int, int]:
    """A thread of process pid: its (policy, nice), as the kernel reports them in /proc/PID/task/TID/stat."""
    fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 41 (policy) and 19 (nice) of proc(5), counted from 1: the split leaves field 3 first.
    return int(fields[41 - 3]), int(fields[19 - 3])


def never() -> bool:
    return False


def where(seen: dict) -> str:
    seen["tid"] = threading.get_native_id()
    seen["scheduling"] = scheduling(seen["tid"])
    return "done"


@linux
def test_the_work_runs_at_background_priority_and_the_caller_does_not(monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    caller = threading.get_native_id()
    before = scheduling(caller)
    seen: dict = {}
    assert in_background(lambda seen: True, never)(where)(seen) == "done"
    assert seen["tid"] != caller
    policy, nice = seen["scheduling"]
    assert policy == SCHED_IDLE or nice == 19
    assert before[0] == SCHED_OTHER
    assert scheduling(caller) == before  # nothing to raise back: the caller was never lowered


@linux
def test_work_not_meant_for_the_background_runs_in_the_caller_as_it_is(monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    seen: dict = {}
    in_background(lambda seen: False, never)(where)(seen)
    assert seen["tid"] == threading.get_native_id()
    assert seen["scheduling"][0] == SCHED_OTHER


@linux
def test_the_environment_can_keep_it_at_the_priority_of_the_rest(monkeypatch):
    monkeypatch.setenv("GDTUI_TRAINING_PRIORITY", "normal")
    seen: dict = {}
    in_background(lambda seen: True, never)(where)(seen)
    assert seen["tid"] == threading.get_native_id()
    assert seen["scheduling"][0] == SCHED_OTHER


def test_its_exception_is_the_callers():
    def fails() -> None:
        raise ValueError("from the background")

    with pytest.raises(ValueError, match="from the background"):
        in_background(lambda: True, never)(fails)()


def test_a_caller_that_gives_up_on_the_work_waits_for_it_no_more(monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    going, release = threading.Event(), threading.Event()

    def work() -> str:
        going.set()
        release.wait(10)  # a step that a busy machine leaves no time for
        return "too late"

    given_up = False

    def abandoned() -> bool:
        return given_up

    caller_saw: list[BaseException] = []

    def caller() -> None:
        try:
            in_background(lambda: True, abandoned)(work)()
        except Abandoned as error:
            caller_saw.append(error)

    calling = threading.Thread(target=caller)
    calling.start()
    assert going.wait(10)
    given_up = True
    calling.join(1.0)
    try:
        assert not calling.is_alive(), "the caller still waits for work it gave up on"
        assert len(caller_saw) == 1
    finally:
        release.set()


GROUP_SEEN = """
import json, os
from pathlib import Path
from gdtui.core.background import in_background
group = Path("/proc/self/autogroup")
# Empty for a process in the root group (a session that init or a CI runner began): no group to set.
nice = lambda: int(group.read_text().split()[-1]) if group.read_text().strip() else None
seen = {"before": nice()}
def work():
    seen["during"] = nice()
in_background(lambda: True, lambda: False)(work)()
seen["after"] = nice()
print(json.dumps(seen))
"""

autogroups = pytest.mark.skipif(
    not Path("/proc/self/autogroup").exists() or Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() != "1",
    reason="a kernel that groups terminal sessions (autogroups)",
)


@autogroups
@pytest.mark.parametrize("session_of_its_own", [True, False])
def test_a_lab_sessions_group_is_lowered_while_the_work_goes_and_only_then(monkeypatch, session_of_its_own):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    # A lab session leads a terminal session of its own; a gdtui started from a shell shares the shell's group.
    done = subprocess.run(
        [sys.executable, "-c", GROUP_SEEN], capture_output=True, text=True, check=True, start_new_session=session_of_its_own
    )
    seen = json.loads(done.stdout)
    if session_of_its_own:
        assert seen == {"before": 0, "during": GROUP_NICE, "after": 0}
    else:  # the shell's group, whatever it is, or none if the shell runs in the root group
        assert seen["before"] == seen["during"] == seen["after"] in (0, None)


def test_background_work_runs_where_threads_cannot_be_lowered():
    # What Windows lacks of the calls that lower a thread, taken away too.
    done = without_posix(
        "for name in ('sched_setscheduler', 'sched_param', 'SCHED_IDLE', 'setpriority', 'PRIO_PROCESS'):\n"
        "    delattr(os, name)\n"
        "from gdtui.core.background import in_background, lower_this_thread\n"
        "print(in_background(lambda: True, lambda: False)(lambda: 'ran')(), lower_this_thread())"
    )
    assert done.stdout == "ran unchanged\n", done.stderr


GROUP_SET_BACK = """
import json, threading
from pathlib import Path
from gdtui.core import background
group = Path("/proc/self/autogroup")
nice = lambda: int(group.read_text().split()[-1])
going, seen = threading.Event(), {}
def work():
    going.set()
    release.wait()
release = threading.Event()
runner = threading.Thread(target=background.in_background(lambda: True, lambda: False)(work))
runner.start()
going.wait()
seen["lowered"] = nice()
background.set_back()
seen["set_back"] = nice()
release.set()
runner.join()
seen["after"] = nice()
print(json.dumps(seen))
"""


@autogroups
def test_a_session_on_its_way_out_sets_its_group_back_while_the_work_still_goes(monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    done = subprocess.run(
        [sys.executable, "-c", GROUP_SET_BACK], capture_output=True, text=True, check=True, start_new_session=True
    )
    assert json.loads(done.stdout) == {"lowered": GROUP_NICE, "set_back": 0, "after": 0}


def test_a_process_in_the_root_group_has_no_group_to_lower(monkeypatch, tmp_path):
    # The kernel shows nothing in /proc/self/autogroup for the root group's processes (what init began).
    from gdtui.core import background

    shown = tmp_path / "autogroup"
    shown.write_text("")
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    monkeypatch.setattr(background, "AUTOGROUP", shown)
    monkeypatch.setattr(background.sys, "platform", "linux")
    monkeypatch.setattr(background.os, "getsid", lambda pid: background.os.getpid(), raising=False)
    assert in_background(lambda: True, never)(lambda: "ran")() == "ran"
    assert shown.read_text() == ""


class BusyGroups:
    """/proc/self/autogroup as an unprivileged process finds it while other sessions change their
    groups' nice: every write refused with EAGAIN (Linux takes one change per 100 ms, machine-wide)
    until `refusing` is cleared."""

    def __init__(self) -> None:
        self.nice = 0
        self.refusing = True
        self.tried = threading.Event()

    def read_text(self) -> str:
        return f"/autogroup-17 nice {self.nice}\n"

    def write_text(self, text: str) -> None:
        self.tried.set()
        if self.refusing:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        self.nice = int(text)


def test_setting_the_group_back_never_waits_behind_a_works_retries_and_wins_over_them(monkeypatch):
    from gdtui.core import background

    groups = BusyGroups()
    monkeypatch.setattr(background, "AUTOGROUP", groups)
    monkeypatch.setattr(background.sys, "platform", "linux")
    monkeypatch.setattr(background.os, "getsid", lambda pid: background.os.getpid(), raising=False)
    group = background._Group()
    working, done = threading.Event(), threading.Event()

    def work() -> None:
        with group.lowered():
            working.set()
            done.wait(10)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    assert groups.tried.wait(10)  # the work tries to lower the group, and is told to try again
    leaving = threading.Thread(target=group.set_back, daemon=True)
    leaving.start()
    leaving.join(1.0)  # the work's tries go on for 3 s: the way out waits for none of them
    assert not leaving.is_alive(), "set_back waited behind the retries of a work that lowers the group"
    groups.refusing = False
    assert working.wait(10)
    assert groups.nice == 0  # the work's next try, after set_back, lowers nothing on a process on its way out
    done.set()
    worker.join(10)
    assert groups.nice == 0
