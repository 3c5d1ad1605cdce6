"""gdtui as its own process on a real (pseudo) terminal, watched through an emulated screen.

The app runs as `python -m gdtui` on an 80×24 pseudo-terminal. What it writes
is kept raw and fed into a pyte terminal emulator, so a caller can wait (never
sleep blindly) until the emulated screen shows what it expects. The end-to-end
test drives it; so does the app's benchmark.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable

import pyte

COLUMNS, LINES = 80, 24
# Generous: the app may run on a small, busy machine.
TIMEOUT = 20.0


class TerminalSession:
    """gdtui on a pseudo-terminal, its output kept both raw and as an emulated screen."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        environment = dict(os.environ, TERM="xterm-256color", **(env or {}))
        environment.pop("COLUMNS", None)
        environment.pop("LINES", None)
        try:
            self.started = time.monotonic()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gdtui", *args],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=environment,
                start_new_session=True,
                # In its new session, make the pseudo-terminal the app's controlling terminal.
                preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.master = master
        self.raw = bytearray()
        self.screen = pyte.Screen(COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        self.ended = False  # the app closed its end of the terminal
        self.changed = threading.Condition()
        self._hanging_up = threading.Event()
        self._reading = threading.Event()  # cleared: what the app writes waits, as behind a stalled link
        self._reading.set()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while not self._hanging_up.is_set():
            # Never blocked in a read: the master must be free to close at any moment (see hang_up).
            if not self._reading.is_set() or not select.select([self.master], [], [], 0.05)[0]:
                self._reading.wait(0.05)
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: every process holding the terminal has closed it
                data = b""
            with self.changed:
                if not data:
                    self.ended = True
                    self.changed.notify_all()
                    return
                self.raw += data
                self.stream.feed(data)
                self.changed.notify_all()

    def bytes_written(self) -> int:
        """How many bytes the app has written to the terminal so far."""
        with self.changed:
            return len(self.raw)

    def hang_up(self) -> None:
        """Close the terminal's master side, as a terminal window closed or an SSH link dropped does."""
        self._hanging_up.set()
        self.reader.join(TIMEOUT)
        os.close(self.master)
        self.master = -1

    def stall(self) -> None:
        """Stop reading what the app writes: once the terminal's buffer is full, its writes wait."""
        self._reading.clear()

    def send(self, key: bytes) -> None:
        os.write(self.master, key)

    def screen_text(self) -> str:
        with self.changed:
            return "\n".join(self.screen.display)

    def highlighted_step(self) -> str:
        """The step the top bar shows in reverse video, e.g. '6 Training'."""
        with self.changed:
            row = self.screen.buffer[0]
            return "".join(row[x].data for x in range(COLUMNS) if row[x].reverse).strip()

    def wait_until(self, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition():
                left = deadline - time.monotonic()
                if self.ended or left <= 0:
                    why = "the app ended" if self.ended else f"waited {timeout:.0f} s"
                    raise AssertionError(f"{why} before {what}; the screen shows:\n{self.screen_text()}")
                self.changed.wait(left)

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> None:
        self.wait_until(lambda: text in self.screen_text(), f"{text!r} appeared", timeout)

    def wait_for_exit(self, timeout: float = TIMEOUT) -> int:
        status = self.process.wait(timeout)
        # The app has gone: what it wrote last is read to the end of the stream.
        self.wait_until(lambda: self.ended, "the output ended", timeout)
        return status

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(TIMEOUT)
        self._hanging_up.set()
        self.reader.join(TIMEOUT)
        if self.master >= 0:
            os.close(self.master)
