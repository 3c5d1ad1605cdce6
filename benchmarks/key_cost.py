"""What one key press costs the app in CPU, on the busiest screens at 80×24, before and after a change.

Each scenario starts the app under Textual's Pilot (no terminal: what is measured is the
app's own work, not a terminal's) on the bundled MNIST, at 80×24, opens a screen, presses
its key a few times to warm up, then presses it --presses times, each time waiting until
the app has handled it, its workers are done and the screen is drawn. A press's cost is
the CPU time of the whole process (every thread: a training step runs in a worker) from
the press until then. The scenarios:

- digits: `n` on Digits (the next image, its numbers); on a terminal also network, cost and one:
  `n` on Network and on Cost (the next image through the network), ← and → on One parameter;
- training: `n` on Training (one step, the plot, the mini-batch, the numbers);
- two: ← and → in turn on Two parameters (the start moves on the height map);
- next: `n` on Next (the next parameter's derivative, checked);
- backprop: `n` on Backprop's many images' view (the next image's wishes);
- beat-training, beat-backprop: `.` and `,` in turn between two beats of the guided lesson
  on Training, and on Backprop's many images' view;
- idle: a key that nothing is bound to: what the Pilot's own waiting costs, in every other row.

With --terminal the app runs instead as its own process on a pseudo-terminal of 80×24
(TERM=xterm-256color, as a lab's SSH session has), as a student's session does: the cost
of a press then includes what the Pilot leaves out (colours, which a Pilot's console has none
of, and writing the frame out) and none of the Pilot's own waiting. A press is done when the
app has written its frame and then nothing for QUIET_S; its cost is the process's CPU time
(every thread) over all the measured presses, divided by their number. The lesson's beats
are not reached from the keyboard alone, and are left out; backprop's `n` is pressed on the
step's first view; idle is then what the app itself spends on a key nothing is bound to.

Each process has one BLAS thread, as a lab's session has (see gdtui.serve.spawn). Every scenario runs in
a fresh process, --repeat times, the checkouts taking turns, and each
row gives the median over the runs of each run's median press. With --against REV the same
scenarios run on that git revision of this repository too (its files as committed), side by
side, in one run: before (REV) and after (the working tree).

    python benchmarks/key_cost.py [--against main] [--repeat 3] [--presses 20] [--only training,two]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

from machine import machine as what_machine

HERE = Path(__file__).resolve().parents[1]
SCENARIOS = ("digits", "training", "two", "next", "backprop", "beat-training", "beat-backprop", "idle")
# On a terminal: the step's key, then the keys pressed in turn.
ON_A_TERMINAL = {
    "digits": ("1", [b"n"]),
    "network": ("2", [b"n"]),
    "cost": ("3", [b"n"]),
    "one": ("4", [b"\x1b[D", b"\x1b[C"]),
    "training": ("6", [b"n"]),
    "two": ("5", [b"\x1b[D", b"\x1b[C"]),
    "next": ("7", [b"n"]),
    "backprop": ("8", [b"n"]),
    "idle": ("6", [b"z"]),
}
QUIET_S = 0.2  # longer than any gap between the writes of one frame, shorter than a student's pause
WARM_UP = 3
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


async def measure(scenario: str, presses: int) -> list[float]:
    """The CPU milliseconds of each press of the scenario's keys, in this process, on the checkout it imports."""
    from gdtui.ui.app import GdtuiApp
    from gdtui.ui.beats import BEATS
    from tests.helpers import open_step, settle, wait_for, wait_until_loaded

    app = GdtuiApp(lesson=scenario.startswith("beat-"))
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        if scenario.startswith("beat-"):
            title = "Learning" if scenario == "beat-training" else "Every image wants something else"
            beat = next(i for i, b in enumerate(BEATS) if b.title == title)
            app.guide.go_to(beat - 1)
            await wait_for(pilot, lambda: app.screen.id == BEATS[beat - 1].mode and app.screen.is_mounted, "the beat")
            keys = ["full_stop", "comma"]
        else:
            step, keys = {
                "digits": ("1", ["n"]),
                "training": ("6", ["n"]),
                "two": ("5", ["left", "right"]),
                "next": ("7", ["n"]),
                "backprop": ("8", ["n"]),
                "idle": ("6", ["z"]),
            }[scenario]
            screen = await open_step(pilot, step)
            if scenario == "backprop":
                screen.view = "images"
        await settle(pilot)
        await pilot.pause(0.3)
        costs = []
        for press in range(WARM_UP + presses):
            began = time.process_time()
            await pilot.press(keys[press % len(keys)])
            await settle(pilot)
            await pilot.pause(0.02)  # a frame the key asked for, drawn after the pause
            await settle(pilot)
            if press >= WARM_UP:
                costs.append(1000 * (time.process_time() - began))
    return costs


def measure_on_a_terminal(scenario: str, presses: int) -> float:
    """The CPU milliseconds a press of the scenario's keys costs the app on a pseudo-terminal, on the checkout it runs."""
    from tests.terminal import TerminalSession

    step, keys = ON_A_TERMINAL[scenario]
    session = TerminalSession()
    try:
        session.wait_for("train #0", 120)
        session.send(step.encode())
        session.wait_until(lambda: session.highlighted_step().startswith(step), f"step {step} open")
        _quiet(session)
        ticks = os.sysconf("SC_CLK_TCK")
        began = 0.0
        for press in range(WARM_UP + presses):
            if press == WARM_UP:
                began = _cpu_ticks(session.process.pid) / ticks
            session.send(keys[press % len(keys)])
            _quiet(session)
        spent = _cpu_ticks(session.process.pid) / ticks - began
    finally:
        session.close()
    return 1000 * spent / presses


def _quiet(session) -> None:
    """Wait until the app has written nothing for QUIET_S."""
    written = session.bytes_written()
    while True:
        time.sleep(QUIET_S)
        now = session.bytes_written()
        if now == written:
            return
        written = now


def _cpu_ticks(pid: int) -> int:
    """User and system time of the process, every thread, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def run_once(tree: Path, scenario: str, presses: int, terminal: bool = False) -> float:
    """One fresh process on that checkout: the CPU milliseconds of a press (the median press; on a terminal, the mean)."""
    with tempfile.TemporaryDirectory() as home:
        # No lesson bookmark, theme or unsaved network of the user's: every run starts alike. One BLAS thread, as
        # a lab's session has: the idle threads of a BLAS pool spin for a while after each product, and their
        # CPU would be counted as the key's.
        env = dict(os.environ, XDG_DATA_HOME=f"{home}/data", XDG_CONFIG_HOME=f"{home}/config", PYTHONPATH=str(tree))
        env |= ONE_THREAD
        command = [sys.executable, str(Path(__file__).resolve()), "--child", scenario, "--presses", str(presses)]
        command += ["--terminal"] if terminal else []
        out = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])["ms"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also run the git revision REV of this repository: before, then after")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per scenario and checkout (default: 3)")
    parser.add_argument("--presses", type=int, default=20, help="measured presses per process (default: 20)")
    parser.add_argument("--only", help="the scenarios to run, by name, comma-separated (default: all)")
    parser.add_argument("--terminal", action="store_true", help="run the app on a pseudo-terminal, as a session does")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, os.getcwd())  # the checkout under test, its tests' helpers too
        if args.terminal:
            cost = measure_on_a_terminal(args.child, args.presses)
            print(json.dumps({"scenario": args.child, "ms": round(cost, 2)}))
            return
        costs = asyncio.run(measure(args.child, args.presses))
        print(json.dumps({"scenario": args.child, "ms": round(median(costs), 2), "presses_ms": costs}))
        return

    offered = ON_A_TERMINAL if args.terminal else SCENARIOS
    scenarios = args.only.split(",") if args.only else list(offered)
    if unknown := [name for name in scenarios if name not in offered]:
        where = " on a terminal" if args.terminal else ""
        parser.error(f"no scenario {', '.join(unknown)}{where}; the scenarios: {', '.join(offered)}")
    machine = what_machine()
    print(json.dumps(machine | {"load_1min": os.getloadavg()[0]}), flush=True)
    with tempfile.TemporaryDirectory() as before:
        trees = {"after": HERE}
        if args.against:
            archive = subprocess.run(["git", "-C", str(HERE), "archive", args.against], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", before], input=archive.stdout, check=True)
            trees = {f"before ({args.against})": Path(before), **trees}
        rows = []
        for scenario in scenarios:
            runs: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.repeat):
                for name, tree in trees.items():  # taking turns: a busy spell of the machine falls on both
                    runs[name].append(run_once(tree, scenario, args.presses, args.terminal))
            medians = {name: round(median(values), 1) for name, values in runs.items()}
            print(json.dumps({"scenario": scenario, "runs_ms": runs, "median_ms": medians}), flush=True)
            rows.append((scenario, medians))
    names = list(trees)
    header = f"{'CPU ms a key press':<18}" + "".join(f"{name:>22}" for name in names)
    print(header + ("   after/before" if len(names) == 2 else ""))
    for scenario, medians in rows:
        line = f"{scenario:<18}" + "".join(f"{medians[name]:>22.1f}" for name in names)
        if len(names) == 2:
            line += f"   {medians[names[1]] / medians[names[0]]:>12.2f}"
        print(line)
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
