"""Speed of the gdtui app itself, on a real (pseudo) terminal and the full bundled MNIST.

Each run starts `python -m gdtui` on an 80×24 pseudo-terminal and watches its
screen through a terminal emulator, as the end-to-end test does. Prints JSON
lines, medians over the runs unless said otherwise:

- start-up: seconds from launch to the first frame of any kind and to the
  Digits screen, with the data cache already built (warm) and with a fresh
  cache directory, whose first run builds it (cold);
- memory: peak and current resident size of the app after loading, and after
  a few seconds of training;
- training: samples per second inside the app during a run, counted on its
  screen, next to a headless Trainer's on one BLAS thread in this process;
- key-to-screen: from pressing + or - during a run to the new η on screen,
  median and 95th percentile over every press of every run; the times include
  the emulator reading the frame, as a real terminal would;
- terminal output: bytes per second the app writes during a run at full speed,
  at 80×24, and when idle.

The app's own BLAS threads are left as they are: it is measured as it runs.
Needs the test extras (pyte).

    python benchmarks/app_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import sys
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path
from statistics import median, quantiles

import numpy as np

# The training benchmark beside this script: the same timing and the same one-thread BLAS.
from train_speed import median_rates, threadpool_info, threadpool_limits

from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.core.presets import PRESETS
from gdtui.core.training import Trainer

# The terminal session lives with the tests, which are not installed: import it from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.terminal import TerminalSession

START_TIMEOUT = 60.0  # a cold start decompresses and checks all of MNIST
FIRST_FRAME_TARGET_S = 1.0
RSS_TARGET_MB = 200
KEY_TARGET_MS = 100
SPEED_TARGET_RATIO = 0.5
# A lab of 30 running at once then sends at most 7 Mbit/s down its link.
BYTES_TARGET_PER_S = 30_000
IDLE_SETTLE_S = 1.0  # pausing draws its last frames; idle output is what comes after them

# The Training screen's first stats line, e.g. "step 1,234  epoch 0.21  12,340 images  η 1.5  batch 10".
STATS = re.compile(r"step ([\d,]+)  epoch \S+  ([\d,]+) images  η (\S+)  batch (\d+)")
APP_RATE = re.compile(r"([\d,]+) images/s")


def number(text: str) -> int:
    return int(text.replace(",", ""))


def stats(session: TerminalSession) -> tuple[int, str] | None:
    """(samples seen, η) as the screen shows them, or None while a frame is still arriving.

    A frame may land in pieces, over the last one's digits: only a line whose
    samples are exactly steps × batch is whole.
    """
    found = STATS.search(session.screen_text())
    if not found or number(found[2]) != number(found[1]) * int(found[4]):
        return None
    return number(found[2]), found[3]


def next_stats(session: TerminalSession, differs, what: str) -> tuple[float, tuple[int, str]]:
    """When the stats line next shows a whole frame for which differs(stats) holds, and what it shows."""
    session.wait_until(lambda: (now := stats(session)) is not None and differs(now), what)
    return time.monotonic(), stats(session)


def memory_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process, in MB: peak and current, current split into anonymous and mapped files."""
    fields = {"VmHWM": "peak_rss_mb", "VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb"}
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in fields:
            figures[fields[key]] = round(int(value.split()[0]) * 1024 / 1e6, 1)
    return figures


@contextmanager
def app(home: str, *args: str):
    """The app on a terminal, keeping its cache, its lesson bookmark and any unsaved run under home,
    never the user's own: a run cut short there would be offered back here, and time the offer."""
    session = TerminalSession(*args, env={f"XDG_{kind}_HOME": f"{home}/{kind.lower()}" for kind in ("CACHE", "DATA", "CONFIG")})
    try:
        yield session
    finally:
        session.close()


def start(session: TerminalSession) -> dict[str, float]:
    """Seconds from launch to the first frame, and to the Digits screen."""
    session.wait_until(lambda: session.screen_text().strip() != "", "a first frame", START_TIMEOUT)
    first = time.monotonic() - session.started
    session.wait_for("train #0", START_TIMEOUT)
    return {"first_frame_s": first, "digits_s": time.monotonic() - session.started}


def cold_start() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home, app(home) as session:
        return start(session)


def warm_run(home: str, window: float, presses: int, rng: random.Random) -> dict:
    """One launch on a built cache: start-up, memory, a run's speed, keys during it, then idle output."""
    with app(home) as session:
        figures = start(session)
        figures["memory_loaded"] = memory_mb(session.process.pid)
        session.send(b"6")
        session.wait_for("step 0 ")
        session.send(b"f")  # from the watchable default to as fast as it goes
        session.wait_for("full speed")
        session.send(b" ")

        # Both ends of the window fall on a redraw, so the samples counted match its length.
        t0, (seen0, _) = next_stats(session, lambda now: now[0] > 0, "the run started")
        bytes0 = session.bytes_written()
        time.sleep(window)
        t1, (seen1, _) = next_stats(session, lambda now: now[0] > seen0, "the run went on")
        figures["samples_per_s"] = (seen1 - seen0) / (t1 - t0)
        figures["live_bytes_per_s"] = (session.bytes_written() - bytes0) / (t1 - t0)
        figures["app_reported_samples_per_s"] = number(APP_RATE.search(session.screen_text())[1])
        figures["memory_training"] = memory_mb(session.process.pid)

        latencies = []
        for press in range(presses):
            _, (_, eta) = next_stats(session, lambda now: True, "a whole frame")
            pressed = time.monotonic()
            session.send(b"+" if press % 2 == 0 else b"-")
            shown, _ = next_stats(session, lambda now, eta=eta: now[1] != eta, "the new η showed")
            latencies.append(shown - pressed)
            # Presses land at any point of the redraw cycle, as a person's would.
            time.sleep(rng.uniform(0.05, 0.25))
        figures["latencies_s"] = latencies

        session.send(b" ")
        session.wait_for("paused")
        time.sleep(IDLE_SETTLE_S)
        idle_start, bytes0 = time.monotonic(), session.bytes_written()
        time.sleep(window)
        figures["idle_bytes_per_s"] = (session.bytes_written() - bytes0) / (time.monotonic() - idle_start)
    return figures


def headless_rate(steps: int, runs: int) -> float:
    """Samples per second of the Trainer alone, set up as the Training screen sets it up."""
    preset = PRESETS["lesson"]
    trainer = Trainer(
        Network(), load_dataset().train, cost=preset.cost, learning_rate=preset.learning_rate, batch_size=preset.batch_size
    )

    def run(count: int) -> None:
        for _ in range(count):
            trainer.step()

    return median_rates({"headless": (run, steps, preset.batch_size)}, runs)["headless"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs, for a rough figure")
    args = parser.parse_args()
    runs, window, presses = (3, 2.0, 10) if args.quick else (5, 5.0, 40)
    headless_steps, headless_runs = (5000, 3) if args.quick else (20_000, 7)
    rng = random.Random(0)

    with threadpool_limits(1) if threadpool_limits else nullcontext():
        blas = threadpool_info() if threadpool_info else "unknown: threadpoolctl is not installed"
        print(json.dumps({"numpy": np.__version__, "python": platform.python_version(), "blas": blas}))
        headless = headless_rate(headless_steps, headless_runs)

    cold = [cold_start() for _ in range(runs)]
    with tempfile.TemporaryDirectory() as home:
        with app(home) as session:  # builds the cache, untimed
            start(session)
        warm = [warm_run(home, window, presses, rng) for _ in range(runs)]

    cold_first = median(r["first_frame_s"] for r in cold)
    warm_digits = median(r["digits_s"] for r in warm)
    print(
        json.dumps(
            {
                "measure": "start-up",
                "runs": runs,
                "cold_first_frame_s": round(cold_first, 3),
                "cold_digits_s": round(median(r["digits_s"] for r in cold), 3),
                "warm_first_frame_s": round(median(r["first_frame_s"] for r in warm), 3),
                "warm_digits_s": round(warm_digits, 3),
                "target_s": FIRST_FRAME_TARGET_S,
                "met": cold_first < FIRST_FRAME_TARGET_S and warm_digits < FIRST_FRAME_TARGET_S,
            }
        )
    )

    loaded = {key: median(r["memory_loaded"][key] for r in warm) for key in warm[0]["memory_loaded"]}
    training = {key: median(r["memory_training"][key] for r in warm) for key in warm[0]["memory_training"]}
    print(
        json.dumps(
            {
                "measure": "memory",
                "runs": runs,
                "after_loading": loaded,
                f"after_{window:g}_s_of_training": training,
                "target_mb": RSS_TARGET_MB,
                "met": max(loaded["peak_rss_mb"], training["peak_rss_mb"]) < RSS_TARGET_MB,
            }
        )
    )

    in_app = median(r["samples_per_s"] for r in warm)
    print(
        json.dumps(
            {
                "measure": "training",
                "runs": runs,
                "window_s": window,
                "batch_size": PRESETS["lesson"].batch_size,
                "in_app_samples_per_s": round(in_app),
                "app_reported_samples_per_s": round(median(r["app_reported_samples_per_s"] for r in warm)),
                "headless_samples_per_s": round(headless),
                "ratio_in_app_to_headless": round(in_app / headless, 2),
                "target_ratio": SPEED_TARGET_RATIO,
                "met": in_app / headless >= SPEED_TARGET_RATIO,
            }
        )
    )

    latencies_ms = [1000 * latency for r in warm for latency in r["latencies_s"]]
    p95 = quantiles(latencies_ms, n=20)[-1]
    print(
        json.dumps(
            {
                "measure": "key-to-screen while training",
                "presses": len(latencies_ms),
                "median_ms": round(median(latencies_ms), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(latencies_ms), 1),
                "target_ms": KEY_TARGET_MS,
                "met": p95 < KEY_TARGET_MS,
            }
        )
    )

    print(
        json.dumps(
            {
                "measure": "terminal output",
                "runs": runs,
                "window_s": window,
                "training_bytes_per_s": round(median(r["live_bytes_per_s"] for r in warm)),
                "idle_bytes_per_s": round(median(r["idle_bytes_per_s"] for r in warm)),
                "target_bytes_per_s": BYTES_TARGET_PER_S,
                "met": median(r["live_bytes_per_s"] for r in warm) <= BYTES_TARGET_PER_S,
            }
        )
    )


if __name__ == "__main__":
    main()
