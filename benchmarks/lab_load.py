"""A lab under load: many students on one `gdtui serve`, each stepping through training.

Starts `gdtui serve` on loopback (no authentication: it listens on 127.0.0.1
only) with the bundled MNIST, logs in N students at once over SSH, each under
a name of their own, and has each open Training and take steps with `n` at a
person's pace. They all come from 127.0.0.1, so the limit of connections one
address may have before logging in is raised to N. Every student's screen is
kept by a terminal emulator, as their terminal would. Prints JSON lines:

- log-in: seconds from connecting to the first screen, median and slowest;
- key-to-screen: from pressing `n` to the arrival of what draws the new step
  count on that student's terminal, median and 95th percentile, over all
  presses and per student. A terminal draws what arrives at once; the
  benchmark's emulator, far slower, reads it after the time is taken (it
  runs on the lab's machine, where real students' terminals do not);
- memory: the server and its sessions together, as resident size (which
  counts the shared data cache once per process) and as proportional size
  (PSS, which shares it out): the memory the machine really gives them; once
  when every student has their first screen and is idle, once at the peak.

With --run every student also lets training run freely between presses: the
worst case, every session computing at once.

With --attack KIND, one more client, from another address (127.0.0.2), attacks
the lab from before the class logs in until it is done, and what it got is
printed too; the log-in line says whether every student still saw a first
screen within 3 s:

- bare: logs in again and again, and on each connection opens a session with a
  terminal and never asks for a shell (a place held for nothing);
- stuck: has a session of its own, stops reading it, and makes its app redraw
  the whole screen five times a second (frames that pile up in the server);
- ignore: logs in and sends SSH_MSG_IGNORE packets as fast as the server reads
  them, from a process of its own (each one decrypted and thrown away).

With --mix SHARE, it sizes a class instead: for each class size in --sizes,
that share of the students run training at full speed (pressing + and waiting
for the next step on their screen, as --run does) while the others browse
(pressing n to take one step), and it prints a table of key-to-screen
latency by class size, for the browsers and for those training. Each class
runs twice, side by side: before, with training at the priority of the
screens (GDTUI_TRAINING_PRIORITY=normal), and after, with training as
background work (the default). Then the same for one student browsing while
--alongside others train flat out. With --against REV, each class also runs
with its training as background work on that git revision of this repository
(its files as committed), between the two: before a change (REV) and after it
(the working tree), side by side in one run.

    python benchmarks/lab_load.py [--students 20] [--presses 20] [--run] [--attack bare|stuck|ignore]
    python benchmarks/lab_load.py --mix 0.25 [--sizes 4,8,12,16,20] [--presses 10] [--alongside 5] [--against REV]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median, quantiles

from machine import machine as what_machine

# First: it quiets asyncssh's notice about DSA, which the lab never uses.
import gdtui.serve  # noqa: F401

# isort: split
import asyncssh
import pyte
from asyncssh.packet import String, UInt32

STARTED = re.compile(r"listening on \S+ port (\d+)")
STEP = re.compile(r"step ([\d,]+)  epoch")
ETA = re.compile(r"η (\S+)  batch")
# The same figures as the app writes them, with the terminal's codes (colours, a move of the cursor) between the words.
_CODES = rb"(?:\x1b\[[\d;?]*[A-Za-z])*"
STEP_WRITTEN = re.compile(rb"step " + _CODES + rb"([\d,]+)" + _CODES + rb"  epoch")
ETA_WRITTEN = re.compile("η ".encode() + _CODES + rb"([^\x1b\s]+)" + _CODES + rb"  batch")
TIMEOUT = 120.0  # twenty Python processes starting at once on a small machine take a while
KEY_TARGET_MS = 100
FIRST_SCREEN_TARGET_S = 3.0
HERE = Path(__file__).resolve().parents[1]
ATTACKER = "127.0.0.2"  # loopback too, but another address: the students' per-address limit is not its
# The key-to-screen latency a class can live with, at the 95th percentile: what --mix sizes for.
SIZING_P95_MS = KEY_TARGET_MS
# How the sessions train, as GDTUI_TRAINING_PRIORITY says: before, at the screens' priority; after, in the background.
PRIORITIES = {"normal": "normal", "background": ""}
IDLE_SETTLE_S = 2.0


class Student:
    """One SSH session with a pty, its screen emulated when it is read.

    It is read while the class logs in and gets ready; once pressing keys, a student reads the figures
    from what arrives: emulating a screen takes the clients' one thread for milliseconds, in which every
    other student's screen waits to be timed.
    """

    def __init__(self, process: asyncssh.SSHClientProcess) -> None:
        self.process = process
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.unread = bytearray()  # arrived, not yet on the emulated screen
        self.written = bytearray()  # arrived since the last key pressed
        self.shown: dict[re.Pattern[bytes], str] = {}  # each figure as last written
        self.changed = asyncio.Event()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while data := await self.process.stdout.read(65536):
            self.unread += data
            self.written += data
            self.changed.set()

    def text(self) -> str:
        """The screen as it is, all that arrived drawn."""
        if self.unread:
            self.stream.feed(bytes(self.unread))
            self.unread.clear()
        return "\n".join(self.screen.display)

    async def _until(self, check, what) -> float:
        give_up = time.monotonic() + TIMEOUT
        while not check():
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), give_up - time.monotonic())
            except TimeoutError:
                raise SystemExit(f"a student waited {TIMEOUT:g} s for {what}; their screen shows:\n{self.text()}") from None
        return time.monotonic()

    async def until(self, check) -> float:
        """Wait until check(screen text) holds; when it first did."""
        return await self._until(lambda: check(self.text()), "their screen")

    def latest(self, figure: re.Pattern[bytes], on_screen: re.Pattern[str]) -> str:
        """The figure as it was last written: from what arrived since the last key, or else as last known."""
        for found in figure.finditer(self.written):
            self.shown[figure] = found[1].decode()
        if figure not in self.shown:
            found_on_screen = on_screen.search(self.text())
            if found_on_screen is None:
                raise SystemExit(f"a student's screen shows no {on_screen.pattern!r}:\n{self.text()}")
            self.shown[figure] = found_on_screen[1]
        return self.shown[figure]

    def press(self, key: bytes) -> float:
        self.written.clear()
        pressed = time.monotonic()
        self.process.stdin.write(key)
        return pressed

    async def written_until(self, figure: re.Pattern[bytes], before: str) -> float:
        """When what arrived since the key pressed first wrote `figure` other than `before`."""

        def changed() -> bool:
            return any(found[1].decode() != before for found in figure.finditer(self.written))

        return await self._until(changed, f"the figure after {before!r}")


async def one_student(port: int, name: str, presses: int, run: bool, rng: random.Random, all_in: Callable) -> dict:
    connected = time.monotonic()
    async with asyncssh.connect("127.0.0.1", port, username=name, known_hosts=None, client_keys=None, agent_path=None) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        student = Student(process)
        first = await student.until(lambda text: "train #0" in text) - connected
        await all_in()
        process.stdin.write(b"6")
        await student.until(lambda text: "step 0 " in text)
        if run:
            process.stdin.write(b"f")  # from the watchable default to as fast as it goes
            await student.until(lambda text: "full speed" in text)
            process.stdin.write(b" ")
            await student.until(lambda text: "images/s" in text)
        latencies = []
        for press in range(presses):
            await asyncio.sleep(rng.uniform(0.3, 1.0))  # a student reading the screen between presses
            if run:
                # η changes at once, as a running session must show. Up, then down again: ten steps up
                # saturate the network, and the run stops itself.
                before = student.latest(ETA_WRITTEN, ETA)
                pressed = student.press(b"-" if press % 2 else b"+")
                shown = await student.written_until(ETA_WRITTEN, before)
            else:
                before = student.latest(STEP_WRITTEN, STEP)
                pressed = student.press(b"n")
                shown = await student.written_until(STEP_WRITTEN, before)
            latencies.append(shown - pressed)
        process.stdin.write(b"q")
        student.reader.cancel()
    return {"login_to_first_screen_s": first, "latencies_s": latencies, "run": run}


async def bare_channel(conn: asyncssh.SSHClientConnection) -> None:
    """A session channel with a terminal asked for, and never a shell (asyncssh's own clients
    always ask for one, so this speaks the protocol itself)."""
    chan = asyncssh.SSHClientChannel(conn, asyncio.get_running_loop(), "strict", None, "strict", 2**21, 32768)
    await chan._open(b"session")
    size = [UInt32(number) for number in (80, 24, 0, 0)]
    await chan._make_request(b"pty-req", String("xterm"), *size, String(b"\0"))


# A client flooding the lab with packets it throws away, as fast as the server reads them (its own write
# buffer paces it); at SIGTERM it prints the bytes the server took. A process of its own: in this one, it
# would slow the students' clients and not the lab.
_IGNORE_FLOOD = """
import asyncio, signal, sys
import asyncssh
from asyncssh.constants import MSG_IGNORE
from asyncssh.packet import String

async def flood(port, source):
    async with asyncssh.connect("127.0.0.1", port, username="mallory", local_addr=(source, 0),
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        stop, queued = asyncio.Event(), 0
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        while not stop.is_set():
            if conn._transport.get_write_buffer_size() > 1 << 20:
                await asyncio.sleep(0.005)
                continue
            for _ in range(64):
                conn.send_packet(MSG_IGNORE, String(b""))
                queued += 1
            await asyncio.sleep(0)
        print(queued, conn._transport.get_write_buffer_size(), flush=True)

asyncio.run(flood(int(sys.argv[1]), sys.argv[2]))
"""


async def flood_ignored(port: int, stop: asyncio.Event) -> dict:
    flooder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _IGNORE_FLOOD, str(port), ATTACKER, cwd=HERE, stdout=asyncio.subprocess.PIPE
    )
    began = time.monotonic()
    await stop.wait()
    flooder.terminate()
    out, _ = await flooder.communicate()
    queued, unsent = (int(n) for n in out.split()) if out.strip() else (0, 0)
    seconds = time.monotonic() - began
    return {
        "measure": "attack",
        "kind": "ignore",
        "from": ATTACKER,
        "seconds": round(seconds, 1),
        "packets_queued": queued,
        "bytes_left_unsent": unsent,
    }


async def attack(port: int, kind: str, stop: asyncio.Event) -> dict:
    """One client attacking the lab until stop is set; what it managed."""
    if kind == "ignore":
        return await flood_ignored(port, stop)
    got = {"measure": "attack", "kind": kind, "from": ATTACKER, "opened": 0, "refused": 0, "held_at_most": 0}
    options = {"username": "mallory", "known_hosts": None, "client_keys": None, "agent_path": None}
    options |= {"local_addr": (ATTACKER, 0), "connect_timeout": 10}
    held: list[asyncssh.SSHClientConnection] = []
    try:
        while not stop.is_set():
            try:
                conn = await asyncssh.connect("127.0.0.1", port, **options)
            except (OSError, asyncssh.Error, TimeoutError):
                got["refused"] += 1
                # As fast as the lab lets it in, without taking the students' CPU for refusals.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.05)
                continue
            held.append(conn)
            got["opened"] += 1
            held = [conn for conn in held if not conn.is_closed()]
            got["held_at_most"] = max(got["held_at_most"], len(held))
            if kind == "bare":
                with contextlib.suppress(OSError, asyncssh.Error):
                    await bare_channel(conn)
                continue
            process = await conn.create_process(term_type="xterm-256color", term_size=(200, 60), encoding=None, window=8192)
            stuck = Student(process)
            await stuck.until(lambda text: "train #0" in text)
            stuck.reader.cancel()
            process.channel.pause_reading()
            sizes = [(160, 50), (200, 60)]
            while not stop.is_set() and not conn.is_closed():
                sizes.reverse()
                process.change_terminal_size(*sizes[0])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.2)
    finally:
        for conn in held:
            conn.abort()
    return got


def tree(root: int) -> list[int]:
    """A process and all its descendants."""
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
    return pids


def cpu_of_tree(root: int) -> float:
    """CPU-seconds used so far by a process and its descendants, living or reaped by one of them."""
    total = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # Its own time, and that of the children it has reaped: the sessions that have ended.
        total += sum(int(field) for field in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def memory_of_tree(root: int) -> dict[str, float]:
    """RSS and PSS in MB, summed over a process and all its descendants."""
    pids = tree(root)
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


async def load(
    port: int, server_pid: int, students: int, presses: int, running: int, attacked_by: str | None = None
) -> tuple[list[dict], dict, dict]:
    """The first `running` students train at full speed, the others step, under attack if one is
    named; memory when all are in, and at the peak."""
    peak: dict = {}
    idle: dict = {}
    cpu: dict = {}
    stop = asyncio.Event()
    in_count = 0
    everyone_in = asyncio.Event()
    measured = asyncio.Event()

    async def all_in() -> None:
        nonlocal in_count
        in_count += 1
        if in_count == students:
            everyone_in.set()
        await measured.wait()

    async def measure_idle() -> None:
        server_cpu, clients_cpu = cpu_of_tree(server_pid), time.process_time()
        await asyncio.wait_for(everyone_in.wait(), TIMEOUT)
        # Where the logins' time went: the server with its sessions, or this process's SSH clients and screens.
        cpu["server_and_sessions_s"] = round(cpu_of_tree(server_pid) - server_cpu, 2)
        cpu["clients_s"] = round(time.process_time() - clients_cpu, 2)
        await asyncio.sleep(IDLE_SETTLE_S)  # every first screen drawn, and nothing else to do
        idle.update(memory_of_tree(server_pid))
        measured.set()

    sampler = asyncio.create_task(sample_memory(server_pid, peak, stop))
    attacker = asyncio.create_task(attack(port, attacked_by, stop)) if attacked_by else None
    if attacked_by in ("bare", "ignore"):
        await asyncio.sleep(IDLE_SETTLE_S)  # the attack under way, as far as the lab lets it, when the class comes
    idle_task = asyncio.create_task(measure_idle())
    began, server_began, clients_began = time.monotonic(), cpu_of_tree(server_pid), time.process_time()
    results = await asyncio.gather(
        *(one_student(port, f"student{seed}", presses, seed < running, random.Random(seed), all_in) for seed in range(students))
    )
    # Cores busy on average over the whole run: the clients share the machine with the lab.
    wall = time.monotonic() - began
    cpu["server_and_sessions_cores"] = round((cpu_of_tree(server_pid) - server_began) / wall, 2)
    cpu["clients_cores"] = round((time.process_time() - clients_began) / wall, 2)
    await idle_task
    stop.set()
    await sampler
    if attacker is not None:
        print(json.dumps(await attacker))
    return results, idle | {"login_cpu": cpu}, peak


@contextlib.contextmanager
def lab_server(students: int, seats: int | None = None, training: str = "background", tree: Path | None = None):
    """`gdtui serve` on loopback for that many students, with that many seats (as many as students
    by default), its sessions training at that priority (see PRIORITIES), from the checkout `tree`
    (the one this runs from by default); its port and pid."""
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, XDG_DATA_HOME=home, GDTUI_TRAINING_PRIORITY=PRIORITIES[training])
        if tree is not None:
            env["PYTHONPATH"] = str(tree)  # before the installed checkout; the sessions inherit it
        # Started by root, the server wants a user to run sessions as, who could not read a Python
        # installed in root's home: the benchmark measures the lab's speed, so its server is told it is not root.
        as_any_user = "import os, sys; os.geteuid = lambda: 1000; from gdtui.cli import main; sys.exit(main())"
        command = [sys.executable, "-c", as_any_user, "serve", "--no-auth", "--host", "127.0.0.1", "--port", "0"]
        command += ["--max-sessions", str(seats or students), "--per-source-max-startups", str(students)]
        server = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, cwd=tree)
        try:
            for line in server.stderr:
                if found := STARTED.search(line):
                    port = int(found[1])
                    break
            else:
                raise SystemExit(f"the server did not start (exit status {server.wait()})")
            # The rest of its log is not read: left in the pipe, it would stall the server once full.
            threading.Thread(target=server.stderr.read, daemon=True).start()
            yield port, server.pid
        finally:
            server.terminate()
            server.wait(30)


def latency_ms(results: list[dict]) -> dict:
    presses = [1000 * latency for r in results for latency in r["latencies_s"]]
    if len(presses) < 2:
        return {"presses": len(presses)}
    return {
        "presses": len(presses),
        "median_ms": round(median(presses), 1),
        "p95_ms": round(quantiles(presses, n=20, method="inclusive")[-1], 1),
        "max_ms": round(max(presses), 1),
    }


def size_a_class(sizes: list[int], share: float, presses: int, alongside: int, against: str | None) -> None:
    """Key-to-screen latency by class size, with that share of each class training at full speed, before
    and after training became background work (and as background work on revision `against`, between the
    two); then one student browsing beside `alongside` training."""
    print(json.dumps({"measure": "class sizes", "training_share": share, "presses": presses, "target_p95_ms": SIZING_P95_MS}))
    ways: list[tuple[str, Path | None]] = [(priority, None) for priority in PRIORITIES]
    with contextlib.ExitStack() as stack:
        if against:
            before = stack.enter_context(tempfile.TemporaryDirectory())
            archive = subprocess.run(["git", "-C", str(HERE), "archive", against], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", before], input=archive.stdout, check=True)
            ways.insert(1, (f"background {against}", Path(before)))
        width = max(len(way) for way, _ in ways)
        group = f"{'median':>8} {'p95':>7} {'max':>7}"
        header = f"{'students':>8} {'training':>8} {'at':>{width}} | browsing ms: {group} | training ms: {group} | "
        header += f"cores: lab clients | {'load':>5}"
        rows = [header, "-" * len(header)]
        classes = [(students, math.floor(share * students + 0.5)) for students in sizes]  # half up: a quarter of 2 is one
        if alongside:
            classes.append((alongside + 1, alongside))
        for students, running in classes:
            for way, tree in ways:
                rows.append(a_class(students, running, presses, way, tree, width))
        print("\n".join(rows))


def cells(group: dict) -> str:
    if "p95_ms" not in group:
        return f"{'':>13}{'-':>8} {'-':>7} {'-':>7}"
    return f"{'':>13}{group['median_ms']:>8.0f} {group['p95_ms']:>7.0f} {group['max_ms']:>7.0f}"


def a_class(students: int, running: int, presses: int, way: str, tree: Path | None, width: int) -> str:
    """One class on a server of its own from checkout `tree`, `running` of them training at the priority `way`
    begins with: its JSON line printed, its row."""
    with lab_server(students, training=way.split()[0], tree=tree) as (port, pid):
        results, idle, _ = asyncio.run(load(port, pid, students, presses, running))
    cores = idle["login_cpu"]
    load_now = os.getloadavg()[0]
    browsing = latency_ms([r for r in results if not r["run"]])
    training = latency_ms([r for r in results if r["run"]])
    row = {"students": students, "training": running, "training_at": way, "browsing": browsing}
    row |= {"training_sessions": training, "lab_cores": cores["server_and_sessions_cores"]}
    row |= {"clients_cores": cores["clients_cores"]}
    print(json.dumps(row | {"load_1min": load_now}), flush=True)
    used = f"{'':>7}{cores['server_and_sessions_cores']:>4.2f} {cores['clients_cores']:>7.2f}"
    return f"{students:>8} {running:>8} {way:>{width}} | {cells(browsing)} | {cells(training)} | {used} | {load_now:>5.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--presses", type=int, default=20, help="presses of n per student")
    parser.add_argument("--run", action="store_true", help="every session also trains freely between presses")
    parser.add_argument("--attack", choices=("bare", "stuck", "ignore"), help="one more client attacks the lab meanwhile")
    parser.add_argument("--mix", type=float, metavar="SHARE", help="size a class: this share of students train at full speed")
    parser.add_argument("--sizes", default="4,8,12,16,20", help="with --mix, the class sizes to try (default: 4,8,12,16,20)")
    parser.add_argument("--against", metavar="REV", help="with --mix, also run training in the background on git revision REV")
    parser.add_argument(
        "--alongside", type=int, default=5, help="with --mix, then one browsing beside this many training (default: 5; 0: none)"
    )
    args = parser.parse_args()
    if args.attack and args.mix is not None:
        parser.error("--attack goes with a class of --students, not with --mix")
    if args.against and args.mix is None:
        parser.error("--against goes with --mix")
    machine = what_machine()
    print(json.dumps(machine | {"load_1min": os.getloadavg()[0]}))
    if args.mix is not None:
        size_a_class([int(size) for size in args.sizes.split(",")], args.mix, args.presses, args.alongside, args.against)
        return

    # A stuck client has a session of its own: a seat for it, or it would only make the lab full.
    with lab_server(args.students, args.students + (args.attack == "stuck")) as (port, pid):
        idle_server = memory_of_tree(pid)
        running = args.students if args.run else 0
        results, idle, peak = asyncio.run(load(port, pid, args.students, args.presses, running, args.attack))

    logins = [r["login_to_first_screen_s"] for r in results]
    print(
        json.dumps(
            {
                "measure": "log-in to first screen",
                "students": args.students,
                "median_s": round(median(logins), 2),
                "slowest_s": round(max(logins), 2),
                "target_s": FIRST_SCREEN_TARGET_S,
                "met": max(logins) < FIRST_SCREEN_TARGET_S,
                "attack": args.attack,
                "cpu_used": idle.pop("login_cpu"),
                "load_1min": os.getloadavg()[0],
            }
        )
    )
    latencies_ms = [1000 * latency for r in results for latency in r["latencies_s"]]
    per_student_p95 = [quantiles([1000 * x for x in r["latencies_s"]], n=20)[-1] for r in results]
    p95 = quantiles(latencies_ms, n=20)[-1]
    print(
        json.dumps(
            {
                "measure": "key-to-screen, " + ("training running, η changed" if args.run else "n pressed to step"),
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
                "idle_server": idle_server,
                "every_session_idle": idle,
                "peak_under_load": peak,
                "pss_per_idle_session_mb": round((idle["pss_mb"] - idle_server["pss_mb"]) / args.students, 1),
                "pss_per_session_at_peak_mb": round((peak["pss_mb"] - idle_server["pss_mb"]) / args.students, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
