"""A lab under load: many students on one `gdtui serve`, each stepping through training.

Starts `gdtui serve` on loopback (no authentication: it listens on 127.0.0.1
only) with the bundled MNIST, logs in N students at once over SSH, each under
a name of their own, and has each open Training and take steps with `n` at a
person's pace. They all come from 127.0.0.1, so the limit of connections one
address may have before logging in is raised to N. Every student's screen is
kept by a terminal emulator, as their terminal would. Prints JSON lines:

- log-in: seconds from connecting to the first screen, median and slowest;
- key-to-screen: from pressing `n` to the new step count on that student's
  screen, median and 95th percentile, over all presses and per student;
- memory: the server and its sessions together, as resident size (which
  counts the shared data cache once per process) and as proportional size
  (PSS, which shares it out): the memory the machine really gives them.

With --run every student also lets training run freely between presses: the
worst case, every session computing at once.

    python benchmarks/lab_load.py [--students 20] [--presses 20] [--run]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median, quantiles

import asyncssh
import pyte

STARTED = re.compile(r"listening on \S+ port (\d+)")
STEP = re.compile(r"step ([\d,]+)  epoch")
TIMEOUT = 300.0  # twenty Python processes starting at once on a small machine take a while
KEY_TARGET_MS = 100


class Student:
    """One SSH session with a pty, its screen emulated."""

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while data := await self.process.stdout.read(65536):
            self.stream.feed(data)
            self.changed.set()

    async def until(self, check) -> float:
        """Wait until check(screen text) holds; when it first did."""
        while True:
            found = check("\n".join(self.screen.display))
            if found:
                return time.monotonic()
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), TIMEOUT)

    def step(self) -> int | None:
        found = STEP.search("\n".join(self.screen.display))
        return int(found[1].replace(",", "")) if found else None


async def one_student(port: int, name: str, presses: int, run: bool, rng: random.Random) -> dict:
    connected = time.monotonic()
    async with asyncssh.connect("127.0.0.1", port, username=name, known_hosts=None, client_keys=None, agent_path=None) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        student = Student(process)
        first = await student.until(lambda text: "train #0" in text) - connected
        process.stdin.write(b"6")
        await student.until(lambda text: "step 0 " in text)
        if run:
            process.stdin.write(b"f")  # from the watchable default to as fast as it goes
            await student.until(lambda text: "full speed" in text)
            process.stdin.write(b" ")
            await student.until(lambda text: "images/s" in text)
        latencies = []
        for _ in range(presses):
            await asyncio.sleep(rng.uniform(0.3, 1.0))  # a student reading the screen between presses
            if run:
                process.stdin.write(b"+")  # η changes at once, as a running session must show
                before = STEP.search("\n".join(student.screen.display))
                pressed = time.monotonic()
                shown = await student.until(lambda text, b=before: (m := STEP.search(text)) and m[0] != b[0])
            else:
                before = student.step()
                pressed = time.monotonic()
                process.stdin.write(b"n")
                shown = await student.until(lambda text, b=before: student.step() not in (None, b))
            latencies.append(shown - pressed)
        process.stdin.write(b"q")
        student.reader.cancel()
    return {"login_to_first_screen_s": first, "latencies_s": latencies}


def memory_of_tree(root: int) -> dict[str, float]:
    """RSS and PSS in MB, summed over a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    totals = {"processes": len(pids), "rss_mb": 0.0, "pss_mb": 0.0}
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss"):
                totals[f"{key.lower()}_mb"] += int(value.split()[0]) * 1024 / 1e6
    return {key: round(value, 1) for key, value in totals.items()}


async def sample_memory(pid: int, peak: dict, stop: asyncio.Event) -> None:
    while not stop.is_set():
        now = memory_of_tree(pid)
        if now["pss_mb"] > peak.get("pss_mb", 0):
            peak.update(now)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)


async def load(port: int, server_pid: int, students: int, presses: int, run: bool) -> tuple[list[dict], dict]:
    peak: dict = {}
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_memory(server_pid, peak, stop))
    results = await asyncio.gather(
        *(one_student(port, f"student{seed}", presses, run, random.Random(seed)) for seed in range(students))
    )
    stop.set()
    await sampler
    return results, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--presses", type=int, default=20, help="presses of n per student")
    parser.add_argument("--run", action="store_true", help="every session also trains freely between presses")
    args = parser.parse_args()
    print(json.dumps({"python": platform.python_version(), "cpus": os.cpu_count(), "students": args.students}))

    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_DATA_HOME=home)
        command = [sys.executable, "-m", "gdtui", "serve", "--no-auth", "--host", "127.0.0.1", "--port", "0"]
        command += ["--max-sessions", str(args.students), "--per-source-max-startups", str(args.students)]
        server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
        try:
            for line in server.stderr:
                if found := STARTED.search(line):
                    port = int(found[1])
                    break
            else:
                raise SystemExit(f"the server did not start (exit status {server.wait()})")
            idle = memory_of_tree(server.pid)
            results, peak = asyncio.run(load(port, server.pid, args.students, args.presses, args.run))
        finally:
            server.terminate()
            server.wait(30)

    logins = [r["login_to_first_screen_s"] for r in results]
    print(
        json.dumps(
            {
                "measure": "log-in to first screen",
                "students": args.students,
                "median_s": round(median(logins), 2),
                "slowest_s": round(max(logins), 2),
            }
        )
    )
    latencies_ms = [1000 * latency for r in results for latency in r["latencies_s"]]
    per_student_p95 = [quantiles([1000 * x for x in r["latencies_s"]], n=20)[-1] for r in results]
    p95 = quantiles(latencies_ms, n=20)[-1]
    print(
        json.dumps(
            {
                "measure": "key-to-screen, " + ("training running, + pressed" if args.run else "n pressed to step"),
                "presses": len(latencies_ms),
                "median_ms": round(median(latencies_ms), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(latencies_ms), 1),
                "worst_student_p95_ms": round(max(per_student_p95), 1),
                "target_ms": KEY_TARGET_MS,
                "met": p95 < KEY_TARGET_MS,
            }
        )
    )
    print(
        json.dumps(
            {
                "measure": "memory of the server and its sessions",
                "idle_server": idle,
                "peak_under_load": peak,
                "pss_per_session_mb": round((peak["pss_mb"] - idle["pss_mb"]) / args.students, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
