"""The real app on a real (pseudo) terminal: it starts, every step opens, a
training step happens, and q hands the terminal back as it found it.

The app runs as its own process, `python -m gdtui`, on an 80×24 pseudo-terminal.
What it writes is fed into a pyte terminal emulator, and the test waits (never
sleeps blindly) until the emulated screen shows what is expected.
"""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyte
import pytest

COLUMNS, LINES = 80, 24
# Generous: the suite may run on a small, busy machine.
START_TIMEOUT = 60.0
TIMEOUT = 20.0

ENTER_ALT_SCREEN = b"\x1b[?1049h"
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
HIDE_CURSOR = b"\x1b[?25l"
SHOW_CURSOR = b"\x1b[?25h"


class TerminalSession:
    """gdtui on a pseudo-terminal, its output kept both raw and as an emulated screen."""

    def __init__(self, *args: str) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = dict(os.environ, TERM="xterm-256color")
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gdtui", *args],
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=env,
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
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
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
        self.reader.join(TIMEOUT)  # the reader stops at the end of the output
        os.close(self.master)


@pytest.fixture
def terminal(tiny_mnist_dir: Path) -> Iterator[TerminalSession]:
    session = TerminalSession("--data", str(tiny_mnist_dir))
    try:
        yield session
    finally:
        session.close()


# Each step: its number key, and a key of its own that its footer offers.
# Cost, One and Two parameters and Next are still growing, so for them the
# highlighted step in the step bar and a new body are the proof that they opened.
STEPS = [
    ("1", "t Train/test"),
    ("2", "w Weights"),
    ("3", None),
    ("4", None),
    ("5", None),
    ("6", "e Epoch"),
    ("7", None),
]


def open_step(session: TerminalSession, key: str, footer_text: str | None) -> None:
    """Press the number key of a step that is not open and wait until it is on screen."""
    with session.changed:
        before = session.screen.display
    session.send(key.encode())

    def opened() -> bool:
        now = session.screen.display
        if session.highlighted_step().split(" ")[0] != key or now[1:-1] == before[1:-1]:
            return False
        # A frame may arrive in pieces: the footer counts once it is this step's own.
        return footer_text is None or (now[-1] != before[-1] and footer_text in now[-1])

    session.wait_until(opened, f"step {key} opened" + (f" with {footer_text!r} in its footer" if footer_text else ""))


def test_the_app_runs_on_a_real_terminal_and_gives_it_back(terminal: TerminalSession):
    terminal.wait_for("train #0", START_TIMEOUT)
    terminal.wait_until(lambda: terminal.highlighted_step() == "1 Digits", "the step bar showed 1 Digits")

    # 2 to 7, then back to 1: every key opens a step that was not open.
    for key, footer_text in [*STEPS[1:], STEPS[0]]:
        open_step(terminal, key, footer_text)

    open_step(terminal, "6", "e Epoch")
    terminal.wait_for("step 0 ")
    terminal.send(b"n")
    terminal.wait_for("step 1 ")

    # The trained network is not saved: quitting asks first, and a second q confirms.
    terminal.send(b"q")
    terminal.wait_for("quitting loses its training")
    terminal.send(b"q")
    assert terminal.wait_for_exit() == 0
    raw = bytes(terminal.raw)
    assert raw.rfind(ENTER_ALT_SCREEN) >= 0, "the app never switched to the alternate screen"
    assert raw.rfind(LEAVE_ALT_SCREEN) > raw.rfind(ENTER_ALT_SCREEN), "the app did not leave the alternate screen"
    assert raw.rfind(SHOW_CURSOR) > raw.rfind(HIDE_CURSOR), "the app did not show the cursor again"
