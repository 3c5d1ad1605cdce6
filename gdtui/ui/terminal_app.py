"""An app on a terminal that can go away, be stopped and resumed, or be told to end.

A terminal window closed or an SSH link dropped hangs the terminal up: from
then on every write to it fails. Textual writes from a thread of its own that a
failed write ends, and the queue of writes it leaves behind fills in a moment:
the app's thread then waits forever to add a frame to it, and no signal handler
queued on the event loop ever runs. Here the writes go to a terminal that, once
lost, takes everything and drops it, and the app is told it hung up.

SIGTERM, SIGHUP and SIGINT end the app with the conventional status 128 + the
signal's number, cleanly if the app's thread can do it within a grace period,
and at the end of it regardless, the terminal's modes restored as far as
possible: whatever the app is doing, it is gone within two seconds.

Stopped (SIGTSTP) then `fg`: the terminal comes back blank, and Textual only draws what
changes; the whole screen is drawn again.

Whatever a closed screen drew goes once the app changes screen (see style_caches).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from types import FrameType
from typing import Any

from textual.app import App
from textual.driver import Driver
from textual.screen import Screen

from gdtui.core import background
from gdtui.ui import style_caches

# Windows has no SIGHUP: a closed console ends the process there.
ENDING_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name))
# Within it the app ends as it would on q; past it, at once.
GRACE_S = 1.5
# What Textual writes to hand the terminal back (keyboard protocol, alternate screen, cursor,
# focus and mouse reports), for an app that cannot end the usual way.
_RESTORE = "\x1b[<u\x1b[?1049l\x1b[?25h\x1b[?1004l\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?7h"
_RESTORE_WAIT_S = 0.2
# The thread that waits for a signal reads the end of its pipe at once: a bound, not a wait.
_WAITER_GONE_S = 1.0


class TerminalApp(App[None]):
    """An app of gdtui on a terminal: it ends on a hang-up or an ending signal, and redraws on resume."""

    def __init__(self) -> None:
        super().__init__()
        self._ending: int | None = None  # the signal the app was told to end by
        self._ending_since = 0.0  # when, by time.monotonic(): the grace period counts from then
        self._previous_handlers: dict[int, Any] = {}
        self._keeping = threading.Lock()
        self._kept_before_ending = False
        # Made on mount; an app that fails before then has none to close.
        self._signal_write = -1
        self._signal_waiter: threading.Thread | None = None

    def get_driver_class(self) -> type[Driver]:
        # Textual's web driver when it is asked for, and its Windows driver on Windows: neither
        # writes to a terminal that can hang up.
        if os.environ.get("TEXTUAL_DRIVER") or os.name != "posix":
            return super().get_driver_class()
        from gdtui.ui.terminal_driver import TerminalDriver

        return TerminalDriver

    def on_mount(self) -> None:
        self._event_loop = asyncio.get_running_loop()
        # Handlers of Python's own, not the event loop's: those run only once the app's thread
        # returns to the loop, and a thread stuck in a write never does. A handler runs between any
        # two steps of the app's thread, which may hold a lock just then (starting a thread takes
        # one): it only notes the signal, and wakes a thread of its own to act on it.
        self._signal_read, self._signal_write = os.pipe()
        self._signal_waiter = threading.Thread(target=self._wait_for_a_signal, name="gdtui-signals", daemon=True)
        self._signal_waiter.start()
        for signum in ENDING_SIGNALS:
            self._previous_handlers[signum] = signal.signal(signum, self._signalled)
        self.app_resume_signal.subscribe(self, self._resumed)
        self.screen_change_signal.subscribe(self, self._screen_changed)

    def on_unmount(self) -> None:
        for signum, handler in self._previous_handlers.items():
            signal.signal(signum, handler)
        self._previous_handlers.clear()
        if self._signal_waiter is None:
            return
        # No handler of the app's is left to write to it: the thread waiting on it reads its end, and goes,
        # before the app is done (the lab's zygote forks once its first screen is drawn: with no thread).
        # Never written to again, even by a handler of the app's another app put back: its number may be reused.
        write, self._signal_write = self._signal_write, -1
        os.close(write)
        self._signal_waiter.join(_WAITER_GONE_S)

    def _screen_changed(self, _screen: Screen) -> None:
        style_caches.release()

    def _resumed(self, _app: App) -> None:
        self.screen.refresh(layout=True)

    @property
    def ending(self) -> int | None:
        """The signal the app was told to end by, if it was."""
        return self._ending

    def _signalled(self, signum: int, _frame: FrameType | None) -> None:
        if self._ending is None:
            self._ending_since = time.monotonic()
            self._ending = signum
            with contextlib.suppress(OSError):
                os.write(self._signal_write, b"\0")

    def _wait_for_a_signal(self) -> None:
        try:
            signalled = os.read(self._signal_read, 1)
        finally:
            os.close(self._signal_read)
        if signalled:
            self._begin_ending()

    def hung_up(self) -> None:
        """The terminal has gone (a failed write says so): end as on SIGHUP. Any thread may call it."""
        self.end_by(getattr(signal, "SIGHUP", signal.SIGTERM))

    def end_by(self, signum: int) -> None:
        """End the app as signal signum asks; from any thread, not a signal handler."""
        if self._ending is not None:
            return
        self._ending_since = time.monotonic()
        self._ending = signum
        self._begin_ending()

    def _begin_ending(self) -> None:
        threading.Thread(target=self._end_regardless, name="gdtui-ending", daemon=True).start()
        self.set_priority_back()
        loop = getattr(self, "_event_loop", None)
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._end)

    def set_priority_back(self) -> None:
        """What an app on its way out does first, from any thread: a run lowers the
        session's whole group, and the way out must not wait behind a busy machine."""
        # Its own thread: Linux may take the change only after a wait (see gdtui.core.background).
        threading.Thread(target=background.set_back, name="gdtui-priority", daemon=True).start()

    def _end(self) -> None:
        assert self._ending is not None
        self._keep()
        self.exit(return_code=128 + self._ending)

    def _keep(self) -> None:
        # Once: the app's thread may be keeping it when the grace period ends, or be stuck in it.
        if self._keeping.acquire(timeout=_RESTORE_WAIT_S):
            try:
                if not self._kept_before_ending:
                    self._kept_before_ending = True
                    self.keep_before_ending()
            finally:
                self._keeping.release()

    def keep_before_ending(self) -> None:
        """Keep what must outlive an app told to end: called once, on the app's thread if it is free
        in time, else on another."""

    def _end_regardless(self) -> None:
        # From the signal: the thread that acts on it may have waited for a busy machine's cores.
        time.sleep(max(0.0, self._ending_since + GRACE_S - time.monotonic()))
        assert self._ending is not None
        self._keep()
        name = signal.Signals(self._ending).name
        self._restore_terminal(f"gdtui: still running {GRACE_S:g} s after {name}, so ended at once\r\n")
        os._exit(128 + self._ending)

    def _restore_terminal(self, why: str) -> None:
        if not getattr(self._driver, "holds_terminal", True):  # handed back as the app stopped: the shell's
            return
        attrs_before = getattr(self._driver, "attrs_before", None)
        if attrs_before is not None:  # a POSIX terminal's modes, as the app found them
            import termios

            with contextlib.suppress(termios.error):
                termios.tcsetattr(self._driver.fileno, termios.TCSANOW, attrs_before)  # type: ignore[union-attr]
        # A terminal that takes no output would keep this write waiting: it gets a moment, not more.
        writer = threading.Thread(target=_write_quietly, args=((_RESTORE + why).encode(),), daemon=True)
        writer.start()
        writer.join(_RESTORE_WAIT_S)


def _write_quietly(data: bytes) -> None:
    with contextlib.suppress(OSError):
        os.write(2, data)
