"""A signal's handler runs between any two steps of the app's thread, which may hold a lock just then:
what a handler of gdtui's does at once takes none (gdtui/ui/terminal_driver.py, gdtui/ui/terminal_app.py)."""

from __future__ import annotations

import asyncio
import errno
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

from gdtui.ui.terminal_app import GRACE_S, TerminalApp
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


class Terminal:
    """What a driver does to its terminal and its process, written down, not done; and where the
    process group stands each time it is continued."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, continued: list[str], app: App | None = None) -> None:
        self.done: list[str] = []
        self.app = app or App()
        self.on_continue: list[Callable[[], None]] = []
        self._where = iter(continued)
        monkeypatch.setattr(os, "kill", self._kill)
        monkeypatch.setattr(os, "tcgetpgrp", self._foreground_group)
        monkeypatch.setattr(LinuxDriver, "start_application_mode", lambda _driver: self.done.append("terminal taken"))
        monkeypatch.setattr(LinuxDriver, "stop_application_mode", lambda _driver: self.done.append("terminal handed back"))
        monkeypatch.setattr(LinuxDriver, "close", lambda _driver: None)
        monkeypatch.setattr(LinuxDriver, "disable_input", lambda _driver: self.done.append("input given up"))
        self.driver = TerminalDriver(self.app)
        self.driver.start_application_mode()
        self.done.clear()

    def _kill(self, _pid: int, signum: int) -> None:
        self.done.append(signal.Signals(signum).name)
        for then in self.on_continue:
            then()

    def _foreground_group(self, _fd: int) -> int:
        where = next(self._where)
        if where == HUNG_UP:
            raise OSError(errno.EIO, "hung up")
        return os.getpgrp() + (where == BEHIND)

    @staticmethod
    def signal(signum: signal.Signals) -> None:
        """As the signal's handler runs: between two steps of the app's thread."""
        handler = signal.getsignal(signum)
        assert callable(handler)
        handler(signum, None)


@pytest.mark.parametrize(
    ("continued", "done_after"),
    [
        ([IN_FRONT], ["SIGSTOP", "terminal taken"]),
        # bg, then fg: the terminal is the app's again only at fg.
        ([BEHIND, IN_FRONT], ["SIGSTOP", "SIGSTOP", "terminal taken"]),
        ([HUNG_UP], ["SIGSTOP"]),
    ],
    ids=["fg", "bg-then-fg", "hung-up"],
)
async def test_a_stop_waits_for_the_event_loops_next_turn_and_its_continuation_for_the_terminal(
    monkeypatch: pytest.MonkeyPatch, handlers_kept: None, continued: list[str], done_after: list[str]
) -> None:
    # Stopping writes to the terminal through a queue, and the handler may have interrupted a write
    # to it, its lock held: stopping there waited for that lock forever.
    terminal = Terminal(monkeypatch, continued)
    terminal.signal(signal.SIGTSTP)
    terminal.signal(signal.SIGTSTP)  # twice before the loop's turn: one stop
    assert terminal.done == []
    await asyncio.sleep(0)
    assert terminal.done == ["terminal handed back", *done_after]
    # A SIGCONT alone, as the kernel sends with every hang-up, takes nothing again.
    terminal.signal(signal.SIGCONT)
    await asyncio.sleep(0)
    assert terminal.done == ["terminal handed back", *done_after]


async def test_a_stop_asked_for_again_while_the_terminal_is_handed_back_is_one_stop(
    monkeypatch: pytest.MonkeyPatch, handlers_kept: None
) -> None:
    terminal = Terminal(monkeypatch, [IN_FRONT, IN_FRONT])
    hand_back = LinuxDriver.stop_application_mode

    def handed_back_slowly(driver: LinuxDriver) -> None:
        hand_back(driver)
        terminal.signal(signal.SIGTSTP)  # Ctrl-Z again, as the input thread is waited for

    monkeypatch.setattr(LinuxDriver, "stop_application_mode", handed_back_slowly)
    terminal.signal(signal.SIGTSTP)
    for _ in range(3):
        await asyncio.sleep(0)
    assert terminal.done == ["terminal handed back", "SIGSTOP", "terminal taken"]


@pytest.mark.parametrize("ending", [signal.SIGHUP, signal.SIGTERM], ids=["orphaned", "killed-in-background"])
async def test_a_stopped_app_told_to_end_in_the_background_ends_and_leaves_the_terminal_alone(
    monkeypatch: pytest.MonkeyPatch, handlers_kept: None, ending: signal.Signals
) -> None:
    # A stopped job whose shell exits is sent SIGHUP and SIGCONT, its terminal still there and another
    # group in front; `kill %1` sends SIGTERM and SIGCONT. Stopped again, it would wait for ever.
    app = TerminalApp()
    terminal = Terminal(monkeypatch, [BEHIND, BEHIND], app)
    terminal.on_continue.append(lambda: app._signalled(ending, None))
    terminal.signal(signal.SIGTSTP)
    await asyncio.sleep(0)
    assert terminal.done == ["terminal handed back", "SIGSTOP"]
    # Ending, as Textual's shutdown does, the app touches the terminal no more: it is the shell's, and
    # touching it from the background would stop the app again (SIGTTOU).
    terminal.driver.disable_input()
    terminal.driver.stop_application_mode()
    assert terminal.done == ["terminal handed back", "SIGSTOP"]


async def test_a_stop_as_the_app_ends_takes_no_terminal_again(monkeypatch: pytest.MonkeyPatch, handlers_kept: None) -> None:
    terminal = Terminal(monkeypatch, [IN_FRONT])
    terminal.signal(signal.SIGTSTP)
    terminal.driver.stop_application_mode()  # the app ends before the loop's next turn
    await asyncio.sleep(0)
    assert terminal.done == ["terminal handed back", "SIGSTOP"]


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
    assert not any(thread.is_alive() for thread in started), "the app was done, a thread of its own still running"


async def test_an_app_that_fails_as_it_mounts_reports_its_own_error() -> None:
    class Failing(TerminalApp):
        def on_mount(self) -> None:  # before TerminalApp's own: Textual calls the subclass's first
            raise ValueError("the app's own error")

    with pytest.raises(ValueError, match="the app's own error"):
        async with Failing().run_test():
            pass


def test_the_grace_period_counts_from_the_signal_not_from_when_a_thread_acts_on_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # On a busy machine the thread woken by the handler may run a while later: the app must still be
    # gone within the grace period of the signal.
    app = TerminalApp()
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(app, "_keep", lambda: None)
    monkeypatch.setattr(app, "_restore_terminal", lambda _why: None)
    monkeypatch.setattr(os, "_exit", lambda _status: None)
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    app._signalled(signal.SIGHUP, None)
    now[0] += 0.4  # the thread that acts on it runs 0.4 s later
    app._end_regardless()
    assert slept == [pytest.approx(GRACE_S - 0.4)]
