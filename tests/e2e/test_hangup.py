"""A terminal that goes away mid-run: the app ends at once, whatever it was doing.

A terminal window closed, a tmux session killed, an SSH link dropped: the
terminal's master side closes. The app must be gone within 2 s, while a worker
runs on any step, on a machine whose cores are all busy. This was a race: a
test that passes once proves little, so each case runs several times over
with a busy loop on every core beside it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_terminal import START_TIMEOUT, open_step
from tests.terminal import TerminalSession

GONE_WITHIN_S = 2.0
ROUNDS = 4

# Each step that runs work while the learner watches: its number key and the key that starts it.
RUNS = [
    pytest.param("6", b" ", id="training"),
    pytest.param("4", b" ", id="one-parameter-ball"),
    pytest.param("4", b"ff", id="one-parameter-network-slice"),
    pytest.param("5", b" ", id="two-parameters-ball"),
    pytest.param("5", b"ff", id="two-parameters-network-slice"),
    pytest.param("3", b"t", id="cost-average"),
    pytest.param("7", b"m", id="next-gradient-check"),
]


@pytest.fixture(scope="module")
def busy_cores() -> Iterator[None]:
    """A busy loop on every core, as on a lab machine where the whole class trains at once."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


@pytest.fixture
def terminal(tiny_mnist_dir: Path) -> Iterator[TerminalSession]:
    session = TerminalSession("--data", str(tiny_mnist_dir))
    try:
        yield session
    finally:
        session.close()


def start_work(terminal: TerminalSession, step: str, keys: bytes) -> None:
    terminal.wait_for("train #0", START_TIMEOUT)
    open_step(terminal, step, None)
    for key in keys:
        terminal.send(bytes([key]))
    # The work is under way once the screen has been drawn again several times since.
    written = terminal.bytes_written()
    terminal.wait_until(lambda: len(terminal.raw) > written + 5_000, "the screen redrawn while the work runs")


def gone_within(terminal: TerminalSession, seconds: float) -> int | None:
    try:
        return terminal.process.wait(seconds)
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize("round", range(ROUNDS))
@pytest.mark.parametrize(("step", "keys"), RUNS)
def test_the_app_ends_when_its_terminal_hangs_up_mid_run(
    busy_cores: None, terminal: TerminalSession, step: str, keys: bytes, round: int
):
    start_work(terminal, step, keys)
    terminal.hang_up()
    status = gone_within(terminal, GONE_WITHIN_S)
    assert status is not None, f"the app still runs {GONE_WITHIN_S:g} s after its terminal hung up"
    assert status == 128 + signal.SIGHUP


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_ends_the_app_even_while_its_terminal_takes_no_output(busy_cores: None, terminal: TerminalSession, signum: int):
    start_work(terminal, "6", b" ")
    # A stalled link: the terminal's buffer fills, and every write the app makes waits.
    terminal.stall()
    # Nothing on screen tells when the app's writes began to wait: give the run time to fill the buffer.
    time.sleep(1.0)
    terminal.process.send_signal(signum)
    status = gone_within(terminal, GONE_WITHIN_S)
    assert status is not None, f"the app still runs {GONE_WITHIN_S:g} s after {signal.Signals(signum).name}"
    assert status == 128 + signum
