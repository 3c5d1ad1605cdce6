"""A signal's handler runs between any two steps of the app's thread, which may hold a lock just then:
what a handler of gdtui's does at once takes none (gdtui/ui/terminal_driver.py, gdtui/ui/terminal_app.py)."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import threading
from collections.abc import Iterator

import pytest
from textual.app import App

from gdtui.ui.terminal_app import TerminalApp
from gdtui.ui.terminal_driver import TerminalDriver


@pytest.fixture
def handlers_kept() -> Iterator[None]:
    """The test process's own handlers, put back after a driver or an app installs theirs."""
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        yield
    finally:
        for signum, handler in kept.items():
            signal.signal(signum, handler)


IN_FRONT, BEHIND, HUNG_UP = "in front", "behind", "hung up"


@pytest.mark.parametrize(
    ("continued", "done_after"),
    [
        ([IN_FRONT], ["SIGSTOP", "terminal taken again"]),
        # bg, then fg: the terminal is the app's again only at fg.
        ([BEHIND, IN_FRONT], ["SIGSTOP", "SIGSTOP", "terminal taken again"]),
        ([HUNG_UP], ["SIGSTOP"]),
    ],
    ids=["fg", "bg-then-fg", "hung-up"],
)
async def test_a_stop_waits_for_the_event_loops_next_turn_and_its_continuation_for_the_terminal(
    monkeypatch: pytest.MonkeyPatch, handlers_kept: None, continued: list[str], done_after: list[str]
) -> None:
    # Stopping writes to the terminal through a queue, and the handler may have interrupted a write
    # to it, its lock held: stopping there waited for that lock forever.
    done: list[str] = []
    monkeypatch.setattr(os, "kill", lambda _pid, signum: done.append(signal.Signals(signum).name))
    ahead = iter(continued)

    def foreground_group(_fd: int) -> int:
        where = next(ahead)
        if where == HUNG_UP:
            raise OSError(errno.EIO, "hung up")
        return os.getpgrp() + (where == BEHIND)

    monkeypatch.setattr(os, "tcgetpgrp", foreground_group)
    driver = TerminalDriver(App())
    monkeypatch.setattr(driver, "suspend_application_mode", lambda: done.append("terminal handed back"))
    monkeypatch.setattr(driver, "resume_application_mode", lambda: done.append("terminal taken again"))
    stop = signal.getsignal(signal.SIGTSTP)
    assert callable(stop)
    stop(signal.SIGTSTP, None)
    stop(signal.SIGTSTP, None)  # twice before the loop's turn: one stop
    assert done == []
    await asyncio.sleep(0)
    assert done == ["terminal handed back", *done_after]
    # A SIGCONT alone, as the kernel sends with every hang-up, takes nothing again.
    resume = signal.getsignal(signal.SIGCONT)
    assert callable(resume)
    resume(signal.SIGCONT, None)
    await asyncio.sleep(0)
    assert done == ["terminal handed back", *done_after]


async def test_an_ending_signal_is_handled_while_the_apps_thread_starts_a_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = TerminalApp()
    ending: list[str] = []
    # The ending itself, stood in for: the test's own process must go on.
    monkeypatch.setattr(app, "_end_regardless", lambda: ending.append("ended at once if still running"))
    monkeypatch.setattr(app, "set_priority_back", lambda: ending.append("priority set back"))
    monkeypatch.setattr(app, "_end", lambda: ending.append("ended"))
    async with app.run_test():
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        go, returned = threading.Event(), threading.Event()

        def interrupt() -> None:
            go.wait()
            handler(signal.SIGTERM, None)
            returned.set()

        threading.Thread(target=interrupt, daemon=True).start()
        # What the app's thread holds, for a moment, whenever it starts a thread (a worker's, say).
        with threading._active_limbo_lock:  # type: ignore[attr-defined]
            go.set()
            returned.wait(2.0)
        assert returned.is_set(), "the handler of SIGTERM waited for a lock the app's thread held"
        for _ in range(200):
            if len(ending) == 3:
                break
            await asyncio.sleep(0.01)
        assert sorted(ending) == ["ended", "ended at once if still running", "priority set back"]


async def test_an_app_that_ends_unsignalled_leaves_no_thread_waiting_for_a_signal() -> None:
    before = set(threading.enumerate())
    async with TerminalApp().run_test():
        started = [thread for thread in threading.enumerate() if thread not in before and thread.name == "gdtui-signals"]
    assert started, "the app waits for a signal on a thread of its own"
    for thread in started:
        thread.join(2.0)
    assert not any(thread.is_alive() for thread in started)
