"""Long computations as background work, which the OS runs after anything interactive.

A run trains flat out for minutes. At the same priority as the screens, it
takes its share of a core from every key pressed meanwhile, its own session's
and, on a shared lab server, every other student's. Lowered, it takes what the
interactive threads leave: a key is answered first, and training goes on in
the gaps.

Linux shares the CPU first between groups, then between the threads of a group.
Where autogroups are on (/proc/sys/kernel/sched_autogroup_enabled, the default
of most distributions), each terminal session is a group of its own, and every
lab session is one: a thread's priority then counts only against the threads of
its own session. So two things are lowered while background work goes:

- its thread, to SCHED_IDLE (or nice 19 where that is refused): the session's
  screen comes before it, and so does everything else in a group without
  autogroups (a systemd service whose CPU is accounted, with cgroups);
- the session's group, to nice 10 (GROUP_NICE), when the process leads a terminal session of
  its own (a lab session; not a `gdtui` started from a shell, whose group is the
  shell's): the other sessions weigh nine times as much. It is set back when the work ends,
  which an unprivileged process may do for a group's nice of 0 or more, and at once, for good, when
  the process is on its way out (set_back).

An unprivileged thread cannot raise its priority again: the work gets a fresh
thread, which ends with it. Lowered, the thread that called would take its low
priority to whatever it ran next (a thread pool's next task: a key's single step).
Elsewhere (macOS, Windows) the work runs at the priority it has.

GDTUI_TRAINING_PRIORITY=normal keeps background work at the priority of the
rest: to compare, or to train flat out on a machine busy with something else.
"""

from __future__ import annotations

import contextvars
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

NORMAL = "normal"
LOWEST_NICE = 19
# The group's: a ninth of an interactive session's weight. Its screen shares the group with the run, and
# at 19 (a 70th) a busy machine left it so little that a key, or ending on a hang-up, took seconds; at 5 (a
# third) the runs took enough from the sessions that browse to hold up their keys (benchmarks/lab_load.py).
GROUP_NICE = 10
AUTOGROUP = Path("/proc/self/autogroup")  # "/autogroup-17 nice 0": the group of this process's terminal session
# Linux takes a change of a group's nice from an unprivileged process at most every 100 ms, machine-wide.
GROUP_RETRY_S = 0.1
GROUP_TRIES = 30
# How soon a caller that gives up on background work stops waiting for it.
ABANDONED_CHECK_S = 0.05


def wanted() -> bool:
    """Whether background work runs lowered: unless the environment asks for the priority of the rest."""
    return os.environ.get("GDTUI_TRAINING_PRIORITY", "").strip().lower() != NORMAL


def lower_this_thread() -> str:
    """Make the calling thread background work, for the rest of its life; how ("idle", "nice" or "unchanged")."""
    if sys.platform != "linux":
        return "unchanged"  # setpriority's PRIO_PROCESS takes a thread's id on Linux alone: elsewhere a process's
    if hasattr(os, "SCHED_IDLE") and hasattr(os, "sched_setscheduler"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # 0: the calling thread
            return "idle"
        except OSError:
            pass  # refused by a security policy (seccomp, a container's): a nice then, if that is allowed
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_NICE)
    except (OSError, AttributeError):  # AttributeError: a Python built without it
        return "unchanged"
    return "nice"


def _group_nice() -> int | None:
    """The nice of this process's autogroup, if it has one of its own to set: None if not."""
    if sys.platform != "linux" or not hasattr(os, "getsid") or os.getsid(0) != os.getpid():
        return None  # not the leader of its terminal session: the group is the shell's, and what else it runs
    try:
        return int(AUTOGROUP.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None  # no autogroups in this kernel


class _Group:
    """This process's autogroup, lowered while at least one background work goes and set back after.

    Linux refuses a change of a group's nice within 100 ms of another group's change: a change is
    tried again after a while, with the lock held for each try alone and never over the wait
    between, so that a process on its way out sets its group back at once, not after the retries
    of a work starting, at the share of the CPU it was trying to leave."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._works = 0
        self._nice_before: int | None = None  # set when lowered
        self._leaving = False

    def set_back(self) -> None:
        """The group as it was before, now and for good, whatever still goes: for a process on its way out,
        which must end within moments on a busy machine, not at a background's share of a core."""
        with self._lock:
            self._leaving = True
        self._settle()

    @contextmanager
    def lowered(self) -> Iterator[None]:
        with self._lock:
            self._works += 1
        self._settle()
        try:
            yield
        finally:
            with self._lock:
                self._works -= 1
            self._settle()

    def _settle(self) -> None:
        """Bring the group to what is asked of it now: lowered while a work goes, unless the process is
        leaving; as it was otherwise."""
        for _ in range(GROUP_TRIES):
            with self._lock:
                lowering = self._works > 0 and not self._leaving
                if lowering and self._nice_before is None:
                    before = _group_nice()
                    if before is None or before >= GROUP_NICE:
                        return
                    wanted = GROUP_NICE
                elif not lowering and self._nice_before is not None:
                    before, wanted = None, self._nice_before
                else:
                    return  # as asked already
                try:
                    AUTOGROUP.write_text(str(wanted))
                except BlockingIOError:  # EAGAIN: another group changed less than 100 ms ago
                    pass
                except OSError:
                    # Refused: a group's nice not lowered stays as it is; one lowered is forgotten only once
                    # set back, which set_back or the next work's end tries again.
                    return
                else:
                    self._nice_before = before
                    return
            time.sleep(GROUP_RETRY_S)


_group = _Group()
set_back = _group.set_back


class Abandoned(Exception):
    """Background work its caller gave up on: the work ends on its own, and its result is nobody's."""


def in_background(when: Callable[P, bool], abandoned: Callable[[], bool]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the decorated function in a thread of its own at background priority when `when` holds for its
    arguments, and wait for it; otherwise in the calling thread. Its result or its exception is the caller's.

    Once `abandoned` holds, the caller waits no more and gets Abandoned: a process on its way out waits
    for the calling thread (a thread pool's, which Python joins at exit), and a step at background
    priority may take seconds on a busy machine.
    """

    def decorate(work: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(work)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if not (when(*args, **kwargs) and wanted()):
                return work(*args, **kwargs)
            outcome: list[T] = []
            failure: list[BaseException] = []
            # The caller's context variables too: the work may ask which worker it runs for.
            context = contextvars.copy_context()

            def lowered() -> None:
                lower_this_thread()
                try:
                    with _group.lowered():
                        outcome.append(context.run(work, *args, **kwargs))
                except BaseException as error:  # noqa: BLE001 - handed over to the caller, who raises it
                    failure.append(error)

            thread = threading.Thread(target=lowered, name=f"background {work.__name__}", daemon=True)
            thread.start()
            while thread.is_alive():
                if abandoned():
                    raise Abandoned(work.__name__)
                thread.join(ABANDONED_CHECK_S)
            if failure:
                raise failure[0]
            return outcome[0]

        return run

    return decorate
