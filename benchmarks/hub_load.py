"""The lab's hub under a busy class: what it costs the server, and how soon a teacher sees a change.

The hub runs in this process, as in `gdtui serve`; a second process plays N
students and one teacher. Every student reports a new training step count at
each look of their app (twice a second, the most an app sends), and presses
a key as often, so every roster the hub may send is news. Prints one JSON line:

- hub_cpu: the share of one core this process used, with nothing but the hub to run;
- latency: from a student's report to the teacher's dashboard receiving it, median and 95th percentile;
- rosters: roster updates the teacher received a second.

    python benchmarks/hub_load.py [--students 30] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from statistics import median, quantiles

from gdtui import channel
from gdtui.serve.hub import Hub
from gdtui.ui.report import LOOK_EVERY_S


async def _play(socket: str, tokens: list[str], seconds: float) -> dict:
    """The class's side: students reporting, a teacher receiving; latencies measured here, on one clock."""
    sent: dict[tuple[int, int], float] = {}  # (student, steps) -> when reported
    latencies: list[float] = []
    rosters = 0

    async def student(index: int, token: str) -> None:
        reader, writer = await asyncio.open_unix_connection(socket)
        writer.write(f"{token}\n".encode())
        steps = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            steps += 1
            sent[(index, steps)] = time.monotonic()
            writer.write(channel.encode({"progress": {"step": 6, "steps": steps, "accuracy": 0.5}}))
            await asyncio.sleep(LOOK_EVERY_S)
        writer.close()

    async def teacher(token: str) -> None:
        nonlocal rosters
        reader, writer = await asyncio.open_unix_connection(socket, limit=channel.LINE_BYTES)
        writer.write(f"{token}\n".encode())
        seen: dict[int, int] = {}
        while line := await reader.readline():
            now = time.monotonic()
            rosters += 1
            for row in json.loads(line)["roster"]:
                index, steps = row["id"], row.get("steps", 0)
                for step in range(seen.get(index, 0) + 1, steps + 1):
                    if (index, step) in sent:
                        latencies.append(now - sent[(index, step)])
                seen[index] = max(steps, seen.get(index, 0))

    watcher = asyncio.create_task(teacher(tokens[0]))
    await asyncio.gather(*(student(index, token) for index, token in enumerate(tokens[1:], 1)))
    watcher.cancel()
    cut = quantiles(latencies, n=20)
    latency = {"latency_median_s": round(median(latencies), 3), "latency_p95_s": round(cut[-1], 3)}
    return latency | {"rosters_per_s": round(rosters / seconds, 1)}


async def _serve(students: int, seconds: float) -> dict:
    hub = Hub(lambda number, reason: None)
    await hub.start()
    keys = [time.monotonic()] * (students + 1)
    tokens = [hub.join(0, "teach", teacher=True, last_key=lambda: keys[0])[channel.TOKEN_VARIABLE]]
    for index in range(1, students + 1):
        # Every look finds a new key press: the most rosters the hub will send.
        env = hub.join(index, f"s{index}", teacher=False, last_key=lambda: time.monotonic() // LOOK_EVERY_S)
        tokens.append(env[channel.TOKEN_VARIABLE])
    class_ = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--play", str(hub.path), str(seconds), stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    started, cpu = time.monotonic(), time.process_time()
    out, _ = await class_.communicate("\n".join(tokens).encode())
    wall, used = time.monotonic() - started, time.process_time() - cpu
    await hub.stop()
    return {"students": students, "seconds": seconds, "hub_cpu": round(used / wall, 4), **json.loads(out)}


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info

        return ", ".join(f"{info.get('internal_api')} {info.get('architecture')}" for info in threadpool_info()) or "none loaded"
    except ImportError:
        return "threadpoolctl not installed"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--play":
        tokens = sys.stdin.read().split()
        print(json.dumps(asyncio.run(_play(sys.argv[2], tokens, float(sys.argv[3])))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    result = asyncio.run(_serve(args.students, args.seconds))
    print(json.dumps(result | {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "blas": _blas()}))


if __name__ == "__main__":
    main()
