"""The real app on a real (pseudo) terminal: it starts, every step opens, a
training step happens, and q hands the terminal back as it found it.

The app runs as its own process, `python -m gdtui`, on an 80×24 pseudo-terminal.
What it writes is fed into a pyte terminal emulator, and the test waits (never
sleeps blindly) until the emulated screen shows what is expected.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.terminal import TerminalSession

# Generous: the suite may run on a small, busy machine.
START_TIMEOUT = 60.0

ENTER_ALT_SCREEN = b"\x1b[?1049h"
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
HIDE_CURSOR = b"\x1b[?25l"
SHOW_CURSOR = b"\x1b[?25h"


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
    ("8", "v View"),
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
        # A frame may arrive in pieces: the key bar (its last two lines at 80 columns) counts
        # once it is this step's own.
        return footer_text is None or (now[-2:] != before[-2:] and footer_text in " ".join(now[-2:]))

    session.wait_until(opened, f"step {key} opened" + (f" with {footer_text!r} in its footer" if footer_text else ""))


def test_the_app_runs_on_a_real_terminal_and_gives_it_back(terminal: TerminalSession):
    terminal.wait_for("train #0", START_TIMEOUT)
    terminal.wait_until(lambda: terminal.highlighted_step() == "1 Digits", "the step bar showed 1 Digits")

    # 2 to 8, then back to 1: every key opens a step that was not open.
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


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_an_ending_signal_ends_the_app_cleanly_even_mid_run(terminal: TerminalSession, signum):
    terminal.wait_for("train #0", START_TIMEOUT)
    open_step(terminal, "6", "e Epoch")
    terminal.send(b" ")
    terminal.wait_until(lambda: "images/s" in terminal.screen_text(), "training running")
    terminal.process.send_signal(signum)
    # The conventional status of a program a signal ended, as a shell reports it.
    assert terminal.wait_for_exit() == 128 + signum
    raw = bytes(terminal.raw)
    assert b"ended at once" not in raw, "the app did not end the usual way"
    assert raw.rfind(LEAVE_ALT_SCREEN) > raw.rfind(ENTER_ALT_SCREEN), "the app did not leave the alternate screen"
    assert raw.rfind(SHOW_CURSOR) > raw.rfind(HIDE_CURSOR), "the app did not show the cursor again"


def process_state(pid: int) -> str:
    """The process's state as Linux reports it: R running, S sleeping, T stopped…"""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def test_an_app_stopped_and_resumed_draws_its_whole_screen_again(terminal: TerminalSession):
    terminal.wait_for("train #0", START_TIMEOUT)
    open_step(terminal, "2", "w Weights")
    # Ctrl-Z: the app hands the terminal back and stops until the shell's fg.
    terminal.process.send_signal(signal.SIGTSTP)
    terminal.wait_until(lambda: process_state(terminal.process.pid) == "T", "the app stopped")
    with terminal.changed:
        # What a terminal shows when the app takes its alternate screen again: nothing.
        terminal.screen.reset()
    terminal.process.send_signal(signal.SIGCONT)
    terminal.wait_until(lambda: terminal.highlighted_step() == "2 Network", "the step bar drawn again")
    terminal.wait_for("w Weights")
    terminal.wait_for("train #0")


@pytest.mark.parametrize(("typed", "shows"), [(b"\x1b8", "8 Backprop"), (b"\x1b2", "2 Network")], ids=["8", "2"])
def test_escape_and_a_step_key_in_one_read_are_both_pressed(terminal: TerminalSession, typed: bytes, shows: str):
    # Typed quickly, or over a laggy link, escape and the key after it reach the app in one read: the bytes a
    # terminal sends for alt with the key. The app binds no key with alt: it is the two keys typed.
    terminal.wait_for("train #0", START_TIMEOUT)
    terminal.send(b"?")
    terminal.wait_for("escape or ? closes")
    terminal.send(typed)
    terminal.wait_until(lambda: terminal.highlighted_step() == shows, f"the help closed and {shows} opened")
    assert "escape or ? closes" not in terminal.screen_text()
