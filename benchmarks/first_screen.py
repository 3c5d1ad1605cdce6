"""What one lab session costs to its first screen: sessions forked from the lab's zygote, one at a time.

Starts the zygote as `gdtui serve` does (the bundled MNIST, its cache already
built), then has it fork one session after another, each on an 80×24
pseudo-terminal watched through a terminal emulator, no SSH and nothing else
running: the CPU a login costs the machine, apart from the SSH connection,
which lab_load.py measures with the rest. For each session: seconds from asking
the zygote to the Digits screen, and the CPU-seconds its process had used by
then (the kernel counts them in ticks of 10 ms: the mean of many runs is finer
than any one). Prints one JSON line.

    python benchmarks/first_screen.py [--runs 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean, median

import pyte

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's gdtui, wherever run from

from gdtui.core.dataset import load_dataset  # noqa: E402 - after the path is set
from gdtui.core.files import cache_home  # noqa: E402
from gdtui.serve import spawn  # noqa: E402
from gdtui.serve.session import set_window_size  # noqa: E402

FIRST_SCREEN = "train #0"
TIMEOUT_S = 60.0
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of the process and all its threads, living or ended."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def one_session(zygote: spawn.Zygote, home: Path) -> tuple[float, float]:
    master, slave = os.openpty()
    set_window_size(master, 80, 24)
    os.set_blocking(master, False)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    shown = asyncio.Event()

    def read() -> None:
        try:
            stream.feed(os.read(master, 65536))
        except OSError:  # EIO once the app has gone
            loop.remove_reader(master)
            return
        if FIRST_SCREEN in "\n".join(screen.display):
            shown.set()

    loop = asyncio.get_running_loop()
    env = spawn.environment("xterm-256color", home, cache_home().parent, {})
    began = time.monotonic()
    try:
        process = await zygote.launch(spawn.MODULE, [], env, home, slave)
    finally:
        os.close(slave)
    loop.add_reader(master, read)
    try:
        await asyncio.wait_for(shown.wait(), TIMEOUT_S)
        seconds, cpu = time.monotonic() - began, cpu_seconds(process.pid)
        os.write(master, b"q")
        await asyncio.wait_for(process.wait(), TIMEOUT_S)
    finally:
        loop.remove_reader(master)
        os.close(master)
    return seconds, cpu


async def measure(runs: int) -> list[tuple[float, float]]:
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        zygote = spawn.Zygote(spawn.zygote_environment(home, cache_home().parent), None)
        await zygote.start()
        if not zygote.ready:
            raise SystemExit("the zygote did not start")
        try:
            # The first is left out: it may write this checkout's compiled modules.
            return [await one_session(zygote, home) for _ in range(runs + 1)][1:]
        finally:
            await zygote.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    load_dataset()  # the cache built, as `gdtui serve` builds it before starting the zygote
    results = asyncio.run(measure(args.runs))
    print(
        json.dumps(
            {
                "measure": "a session forked from the zygote, to its first screen",
                "runs": args.runs,
                "seconds_median": round(median(seconds for seconds, _ in results), 3),
                "cpu_seconds_mean": round(mean(cpu for _, cpu in results), 4),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_1min": os.getloadavg()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
