"""Which per-thread priority keeps keys fast beside training: the scheduler alone, without gdtui's app.

A few processes train flat out (numpy matrix products on one BLAS thread, as a
session does), each in a thread lowered in one way: none, nice 19, SCHED_BATCH,
SCHED_IDLE, and SCHED_IDLE with the process's autogroup at GROUP_NICE as well (what
gdtui.core.background does in a lab session). Beside them one more process stands for a student's screen: it
sleeps a person's pause, then does a frame's few milliseconds of work, and the
time from when it meant to wake to when that work is done is its key-to-screen.
Prints JSON lines, one a way of lowering: that time's median, 95th and 99th
percentile, and the matrix products the trainers managed.

With --sessions (the default) every process is a terminal session of its own,
as lab sessions are, which Linux schedules as an autogroup where
/proc/sys/kernel/sched_autogroup_enabled is 1; with --no-sessions they all
share the benchmark's (and then idle+group is left out: it would lower the
benchmark's own terminal session).

    python benchmarks/thread_priority.py [--trainers 5] [--seconds 8] [--no-sessions]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from statistics import median, quantiles

WAYS = ("normal", "nice", "batch", "idle", "idle+group")
FRAME_S = 0.003  # a frame's work, about what a key's redraw costs the screen's thread
PAUSE_S = (0.02, 0.08)

TRAINER = """
import os, sys, threading, time
import numpy as np
from gdtui.core.background import GROUP_NICE
way, seconds = sys.argv[1], float(sys.argv[2])
done = [0]
def train():
    tid = threading.get_native_id()
    if way == "nice":
        os.setpriority(os.PRIO_PROCESS, tid, 19)
    elif way == "batch":
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    elif way == "idle":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    elif way == "idle+group":
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        with open("/proc/self/autogroup", "w") as group:
            group.write(str(GROUP_NICE))
    a = np.random.default_rng(0).random((300, 300))
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        a @ a
        done[0] += 1
thread = threading.Thread(target=train)
thread.start()
thread.join()
print(done[0])
"""

SCREEN = """
import random, sys, time
seconds, frame, low, high = map(float, sys.argv[1:])
rng = random.Random(0)
late = []
end = time.monotonic() + seconds
while time.monotonic() < end:
    meant = time.monotonic() + rng.uniform(low, high)
    time.sleep(max(0.0, meant - time.monotonic()))
    work_until = time.thread_time() + frame  # CPU time: the frame's work, however long the wait for a core
    while time.thread_time() < work_until:
        pass
    late.append(time.monotonic() - meant)
print(" ".join(f"{x:.6f}" for x in late))
"""


def one_way(way: str, trainers: int, seconds: float, sessions: bool) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    common = {"env": env, "stdout": subprocess.PIPE, "text": True, "start_new_session": sessions}
    hogs = [subprocess.Popen([sys.executable, "-c", TRAINER, way, str(seconds + 1)], **common) for _ in range(trainers)]
    time.sleep(0.5)  # every trainer busy before the screen starts
    screen = subprocess.run([sys.executable, "-c", SCREEN, str(seconds), str(FRAME_S), *map(str, PAUSE_S)], check=True, **common)
    products = sum(int(hog.communicate()[0]) for hog in hogs)
    times_ms = [1000 * float(x) for x in screen.stdout.split()]
    cut = quantiles(times_ms, n=100, method="inclusive")
    return {
        "training_thread": way,
        "frames": len(times_ms),
        "median_ms": round(median(times_ms), 1),
        "p95_ms": round(cut[94], 1),
        "p99_ms": round(cut[98], 1),
        "products_per_s": round(products / (seconds + 1)),
        "load_1min": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--sessions", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--rounds", type=int, default=1, help="every way this many times, in turn")
    args = parser.parse_args()
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    print(
        json.dumps(
            {
                "cpus": os.cpu_count(),
                "kernel": os.uname().release,
                "autogroup": autogroup.read_text().strip() if autogroup.exists() else "absent",
                "sessions_of_their_own": args.sessions,
                "trainers": args.trainers,
                "frame_ms": 1000 * FRAME_S,
                "load_1min": os.getloadavg()[0],
            }
        )
    )
    for _ in range(args.rounds):
        for way in WAYS if args.sessions else WAYS[:-1]:
            print(json.dumps(one_way(way, args.trainers, args.seconds, args.sessions)), flush=True)


if __name__ == "__main__":
    main()
