"""Long computations as background work: in a thread of their own that the OS runs after anything interactive.

A run trains flat out for minutes. At the same priority as the screens, it
takes its share of a core from every key pressed meanwhile, its own session's
and, on a shared lab server, every other student's. Lowered, it takes what the
interactive threads leave: a key is answered first, and training goes on in
the gaps.

On Linux the thread goes to SCHED_IDLE: a thread woken by a key preempts it at
once and takes a core it runs on as if that core were idle, wherever that
thread lives. A per-thread nice would not: each lab session is a terminal
session of its own, which Linux schedules as a group (autogroup), and within
one group alone a nice value counts. Where SCHED_IDLE is missing, the thread's
nice is raised to 19 instead. Elsewhere (macOS, Windows) the work runs at the
priority it has.

An unprivileged thread may lower its priority but not raise it again: the work
gets a fresh thread, which ends with it. Lowered, the thread that called would
take its low priority to whatever it ran next (a thread pool's next task: a key's
single step).

GDTUI_TRAINING_PRIORITY=normal keeps the background work at the priority of
the rest: to compare, or to train flat out on a machine busy with something else.
"""

from __future__ import annotations

import contextvars
import functools
import os
import sys
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

NORMAL = "normal"
LOWEST_NICE = 19


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


def in_background(when: Callable[P, bool]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the decorated function in a thread of its own at background priority when `when` holds for its
    arguments, and wait for it; otherwise in the calling thread. Its result or its exception is the caller's."""

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
                    outcome.append(context.run(work, *args, **kwargs))
                except BaseException as error:  # noqa: BLE001 - handed over to the caller, who raises it
                    failure.append(error)

            thread = threading.Thread(target=lowered, name=f"background {work.__name__}", daemon=True)
            thread.start()
            thread.join()
            if failure:
                raise failure[0]
            return outcome[0]

        return run

    return decorate
