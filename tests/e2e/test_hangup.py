"""A terminal that goes away mid-run: the app ends at once, whatever it was doing.

A terminal window closed, a tmux session killed, an SSH link dropped: the
terminal's master side closes. The app must be gone within 2 s, while a worker
runs on any step, on a machine whose cores are all busy. This was a race: each
step's hang-up runs in every run of the suite, with every core busy beside it
from the moment the app works until it is gone: a busy loop on each core the
other tests leave idle as the work starts. Not while the app starts, nor while it fills a stalled
terminal: that is not the race, and the loops would only take the cores from
the other tests for longer.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from gdtui.core.model_io import load_model
from gdtui.ui import recovery
from tests.e2e.test_terminal import START_TIMEOUT, open_step, process_state
from tests.terminal import TerminalSession

GONE_WITHIN_S = 2.0
# Ending on q is not hurried as on a signal: it takes well under a second, here given ample time on a busy
# machine, and still far less than the step held below.
QUIT_WITHIN_S = 10.0

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


def idle_cores(over_s: float = 0.1) -> int:
    """How many of the machine's cores nothing used, as /proc/stat counted them over a moment."""

    def idle_and_all() -> tuple[int, int]:
        # user nice system idle iowait irq softirq steal: the ticks of all cores since boot.
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
        return ticks[3] + ticks[4], sum(ticks)

    idle_before, all_before = idle_and_all()
    time.sleep(over_s)
    idle_after, all_after = idle_and_all()
    return round((os.cpu_count() or 1) * (idle_after - idle_before) / max(1, all_after - all_before))


@contextmanager
def busy_cores() -> Iterator[None]:
    """Every core busy, as on a lab machine where the whole class trains at once: a busy loop on each core idle.

    Among the other tests' workers, the cores are busy already: loops there only took the cores from them.
    """
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(idle_cores())]
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
    before, written = terminal.screen_text(), terminal.bytes_written()
    for key in keys:
        terminal.send(bytes([key]))
    # The work is under way once the screen shows the keys' effect, or has been drawn again several times since: a
    # short piece of work (a set's average) may be done, its few small frames drawn, before 5,000 bytes are.
    terminal.wait_until(
        lambda: terminal.screen_text() != before or len(terminal.raw) > written + 5_000, "the screen redrawn while the work runs"
    )


def gone_within(terminal: TerminalSession, seconds: float) -> int | None:
    try:
        return terminal.process.wait(seconds)
    except subprocess.TimeoutExpired:
        return None


@pytest.mark.parametrize(("step", "keys"), RUNS)
def test_the_app_ends_when_its_terminal_hangs_up_mid_run(terminal: TerminalSession, step: str, keys: bytes):
    terminal.wait_for("train #0", START_TIMEOUT)
    with busy_cores():
        start_work(terminal, step, keys)
        terminal.hang_up()
        status = gone_within(terminal, GONE_WITHIN_S)
    assert status is not None, f"the app still runs {GONE_WITHIN_S:g} s after its terminal hung up"
    assert status == 128 + signal.SIGHUP


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_ends_the_app_even_while_its_terminal_takes_no_output(terminal: TerminalSession, signum: int):
    terminal.wait_for("train #0", START_TIMEOUT)
    start_work(terminal, "6", b" ")
    # A stalled link: the terminal's buffer fills, and every write the app makes waits.
    terminal.stall()
    # Nothing on screen tells when the app's writes began to wait: give the run time to fill the buffer.
    time.sleep(1.0)
    with busy_cores():
        terminal.process.send_signal(signum)
        status = gone_within(terminal, GONE_WITHIN_S)
    assert status is not None, f"the app still runs {GONE_WITHIN_S:g} s after {signal.Signals(signum).name}"
    assert status == 128 + signum


@pytest.mark.slow
def test_training_cut_short_by_a_hang_up_is_offered_back_at_the_next_start(tiny_mnist_dir: Path, tmp_path: Path):
    first = TerminalSession("--data", str(tiny_mnist_dir))
    try:
        start_work(first, "6", b" ")
        first.wait_until(lambda: "images/s" in first.screen_text(), "training running")
        first.hang_up()
        assert gone_within(first, GONE_WITHIN_S) == 128 + signal.SIGHUP
    finally:
        first.close()
    kept = recovery.find()
    assert kept is not None and kept.provenance.steps > 0

    again = TerminalSession("--data", str(tiny_mnist_dir))
    try:
        # The offer's first line, before it wraps: "Restore the network you were training: trained 106".
        again.wait_for(f"you were training: trained {kept.provenance.steps:,}", START_TIMEOUT)
        again.send(b"y")
        again.wait_until(lambda: "Restore the network" not in again.screen_text(), "the offer closed")
        open_step(again, "6", "e Epoch")
        again.send(b"s")
        again.wait_for("Save the network as")
        saved = tmp_path / "restored.npz"
        # Home, then everything to the right: the proposed name gives way to the one typed.
        again.send(b"\x01\x0b")
        again.wait_for("path/to/model.npz")
        again.send(str(saved).encode())
        again.wait_for(saved.name)
        again.send(b"\r")
        again.wait_until(saved.is_file, "the restored network saved")
        np.testing.assert_array_equal(load_model(saved).params, kept.network.params)
        # Saved, the copy has done its work.
        again.wait_until(lambda: recovery.find() is None, "the copy removed")
    finally:
        again.close()


# Run as sitecustomize in the app's Python: from its third, each step of a run in the background is held for a
# minute, as a step at background priority may be on a machine whose cores are all busy.
HELD_STEP = """
import os, threading, time
from pathlib import Path
from gdtui.ui import state
train = state.LessonState.train
taken = []
def held(self, run):
    if threading.current_thread().name.startswith("background"):
        taken.append(run)
        if len(taken) >= 3:
            Path(os.environ["GDTUI_TEST_HELD"]).touch()
            time.sleep(60)
    return train(self, run)
state.LessonState.train = held
"""


def test_q_ends_the_app_at_once_while_a_step_in_the_background_has_yet_to_end(tiny_mnist_dir: Path, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("GDTUI_TRAINING_PRIORITY", raising=False)
    (tmp_path / "sitecustomize.py").write_text(HELD_STEP)
    held = tmp_path / "held"
    terminal = TerminalSession("--data", str(tiny_mnist_dir), env={"PYTHONPATH": str(tmp_path), "GDTUI_TEST_HELD": str(held)})
    try:
        start_work(terminal, "6", b" ")
        # Nothing changes on screen once the step is held: the file says it is.
        deadline = time.monotonic() + START_TIMEOUT
        while not held.exists():
            assert time.monotonic() < deadline, "no step held"
            time.sleep(0.05)
        terminal.send(b"q")
        terminal.wait_for("q quits anyway")  # the run's network was never saved
        terminal.send(b"q")
        status = gone_within(terminal, QUIT_WITHIN_S)
        assert status is not None, f"the app still runs {QUIT_WITHIN_S:g} s after q, waiting for the step to end"
        assert status == 0
    finally:
        terminal.close()


def test_an_app_stopped_when_its_terminal_hangs_up_ends_too(terminal: TerminalSession):
    start_work(terminal, "6", b" ")
    # Ctrl-Z, then the window closed: the app must not wait, stopped, for a resume that never comes.
    terminal.process.send_signal(signal.SIGTSTP)
    terminal.wait_until(lambda: process_state(terminal.process.pid) == "T", "the app stopped")
    terminal.hang_up()
    status = gone_within(terminal, GONE_WITHIN_S)
    assert status is not None, f"the app still runs {GONE_WITHIN_S:g} s after its terminal hung up"
    assert status == 128 + signal.SIGHUP
