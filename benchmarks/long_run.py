"""Memory of the gdtui app over a long run at batch size 1, on a real (pseudo) terminal.

Starts `python -m gdtui` on an 80×24 pseudo-terminal as app_speed.py does,
opens the Training step, sets the batch size to 1, starts a run and reads the
app's resident memory (VmRSS) every few seconds while it trains. Prints JSON
lines: the set-up, one line per sample (seconds into the run, epochs done,
resident MB), then the verdict: the growth from the first sample after the
warm-up to the last, and the slope per minute and per epoch, fitted over the
samples after the warm-up and over the last five minutes. A run of ten minutes
or more is judged by the last five: whether memory has levelled off.

At batch 1 the app trains about 20,000 images a second on two cores, so five
minutes cover about a hundred epochs of the full MNIST; the summary says how
many the samples covered. --subset N trains on the first N images
instead (written as the tests' tiny data set is), for many more, shorter
epochs, each ended by scoring the test set; --data points the app at any
directory of MNIST-format files.

    python benchmarks/long_run.py [--minutes M | --quick] [--subset N | --data DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# The app benchmark beside this script: the same launch, screen reading and memory figures.
from app_speed import START_TIMEOUT, app, memory_mb, next_stats, start

from gdtui.core.dataset import load_dataset

# The tiny data set lives with the tests, which are not installed: import it from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.tiny_mnist import write_tiny_mnist

SUBSET_TEST_IMAGES = 1000  # the test set is scored after every epoch: short epochs, a short test
# Rich's and Textual's caches fill up as frames are drawn, bounded: here resident memory grew by
# 7 MB over the first five minutes, most of it in the first two, then not at all.
WARM_UP_S = 120
MIN_SETTLED_S = 60  # a slope fitted over less says little
LAST_S = 300  # a run at least this long after the warm-up is judged by its last five minutes
# Keeping one pointer per step would add 10 MB a minute at 20,000 steps a second.
FLAT_MB_PER_MINUTE = 2.0
BATCH = re.compile(r"  batch (\S+)  ")


def shown_batch(text: str) -> str | None:
    found = BATCH.search(text)
    return found and found[1]


def set_batch_size_1(session) -> None:
    """Press b until the stats line shows batch 1: the sizes go round."""
    for _ in range(8):
        before = shown_batch(session.screen_text())
        if before == "1":
            return
        session.send(b"b")
        session.wait_until(
            lambda before=before: shown_batch(session.screen_text()) not in (before, None), "the batch size changed"
        )
    raise AssertionError(f"batch 1 never showed; the screen shows:\n{session.screen_text()}")


def fitted_slope(x: list[float], y: list[float]) -> float | None:
    """Least-squares slope of y over x, or None when x does not vary."""
    if len(x) < 2 or max(x) == min(x):
        return None
    return float(np.polyfit(x, y, 1)[0])


def sample_run(session, train_images: int, seconds: float, interval: float) -> list[dict]:
    """Resident memory and progress every `interval` seconds of a run, from its first step."""
    pid = session.process.pid
    started, _ = next_stats(session, lambda now: now[0] > 0, "the run started")
    samples = []
    while True:
        shown, (seen, _) = next_stats(session, lambda now: True, "a whole frame")
        memory = memory_mb(pid)
        sample = {
            "seconds": round(shown - started, 1),
            "epochs": round(seen / train_images, 2),
            "rss_mb": memory["rss_mb"],
            # Apart, since the training set's pixels are a file mapped into memory: resident
            # once a first epoch has read them, and never more.
            "anon_mb": memory["anon_mb"],
            "file_mb": memory["file_mb"],
        }
        samples.append(sample)
        print(json.dumps(sample), flush=True)
        if shown - started >= seconds:
            return samples
        time.sleep(max(0.0, interval - (time.monotonic() - shown)))


def verdict(samples: list[dict]) -> dict:
    settled = [s for s in samples if s["seconds"] >= WARM_UP_S]
    seconds = [s["seconds"] for s in settled]
    epochs = [s["epochs"] for s in settled]
    rss = [s["rss_mb"] for s in settled]
    per_second = fitted_slope(seconds, rss)
    per_epoch = fitted_slope(epochs, rss)
    last = [s for s in settled if s["seconds"] >= samples[-1]["seconds"] - LAST_S]
    per_second_last = fitted_slope([s["seconds"] for s in last], [s["rss_mb"] for s in last])
    long_enough = bool(settled) and seconds[-1] - seconds[0] >= LAST_S
    figures = {
        "measure": "memory over a long run at batch 1",
        "samples": len(samples),
        "epochs_covered": samples[-1]["epochs"],
        "warm_up_s": WARM_UP_S,
        "epochs_after_warm_up": round(epochs[-1] - epochs[0], 2) if settled else 0,
        "rss_mb_first": samples[0]["rss_mb"],
        "rss_mb_after_warm_up": rss[0] if settled else None,
        "rss_mb_last": samples[-1]["rss_mb"],
        "peak_rss_mb": max(s["rss_mb"] for s in samples),
        "growth_after_warm_up_mb": round(rss[-1] - rss[0], 1) if settled else None,
        "slope_mb_per_minute": None if per_second is None else round(60 * per_second, 2),
        "slope_mb_per_epoch": None if per_epoch is None else round(per_epoch, 3),
        "slope_last_5_min_mb_per_minute": round(60 * per_second_last, 2) if long_enough and per_second_last is not None else None,
        "rss_mb_5_min_before_end": last[0]["rss_mb"] if long_enough else None,
        "target_mb_per_minute": FLAT_MB_PER_MINUTE,
    }
    if per_second is None or seconds[-1] - seconds[0] < MIN_SETTLED_S:
        figures["met"] = None
        figures["note"] = (
            f"no verdict: the caches fill for the first {WARM_UP_S} s, and a slope needs "
            f"{MIN_SETTLED_S} s more; run for {(WARM_UP_S + MIN_SETTLED_S) / 60:g} minutes or longer"
        )
    else:
        judged = per_second_last if long_enough else per_second
        figures["met"] = 60 * judged < FLAT_MB_PER_MINUTE
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the run (default: 5)")
    parser.add_argument("--quick", action="store_true", help="a one-minute run: figures, too short for a verdict")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--subset", type=int, metavar="N", help="train on the first N training images of MNIST")
    source.add_argument("--data", type=Path, metavar="DIR", help="a directory of MNIST-format IDX files")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between samples (default: 5)")
    args = parser.parse_args()
    minutes = 1.0 if args.quick else args.minutes
    interval = min(args.interval, 2.0) if args.quick else args.interval

    with tempfile.TemporaryDirectory() as home:
        data = args.data
        if args.subset:
            data = Path(home) / "data"
            data.mkdir()
            write_tiny_mnist(data, train=args.subset, test=min(args.subset, SUBSET_TEST_IMAGES))
        # Builds the app's cache beforehand, so that the launch is a warm one.
        dataset = load_dataset(data, cache_root=Path(home) / "cache" / "gdtui")
        train_images = len(dataset.train)
        print(
            json.dumps(
                {
                    "data": dataset.name,
                    "train_images": train_images,
                    "batch_size": 1,
                    "minutes": minutes,
                    "interval_s": interval,
                }
            ),
            flush=True,
        )
        with app(home, *(["--data", str(data)] if data else [])) as session:
            start(session)
            session.send(b"6")
            session.wait_for("step 0 ", START_TIMEOUT)
            set_batch_size_1(session)
            session.send(b"f")  # from the watchable default to as fast as it goes
            session.wait_for("full speed")
            session.send(b" ")
            samples = sample_run(session, train_images, 60 * minutes, interval)
    print(json.dumps(verdict(samples)))


if __name__ == "__main__":
    main()
