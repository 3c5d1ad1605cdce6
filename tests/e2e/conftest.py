"""Fixtures of the lab server's tests."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest

from gdtui.core.dataset import load_dataset
from gdtui.serve import spawn
from gdtui.serve.server import LabConfig
from tests.e2e.lab import PASSWORD_HASH


@pytest.fixture(autouse=True)
def _sessions_run_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sessions are new Python processes: without this they would import whichever gdtui is
    installed, not the code under test."""
    root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH")))))


@pytest.fixture
def client_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
def lab_config(tmp_path: Path, tiny_mnist_dir: Path, client_key: asyncssh.SSHKey) -> LabConfig:
    keys = tmp_path / "authorized_keys"
    keys.write_bytes(client_key.export_public_key())
    load_dataset(tiny_mnist_dir)  # the server's first run builds the cache its sessions share
    return LabConfig(
        host="127.0.0.1",
        port=0,
        authorized_keys=keys,
        password_hash=PASSWORD_HASH,
        max_sessions=2,
        idle_timeout=0,
        data=tiny_mnist_dir,
        home=tmp_path / "lab",
    )


@pytest.fixture
def zygote_cannot_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lab's zygote cannot start, and its sessions would start as fresh processes, as they do then.

    For the tests of what comes before a session (logins, refusals, limits), which never open one:
    warming a zygote up (the app's imports, the data, a first screen drawn) took more than half a
    second of CPU in each, for nothing. They run the server's own way round a zygote that failed.
    """
    missing = tmp_path / "no-zygote-here"
    monkeypatch.setattr(spawn, "zygote_command", lambda fd, data: [str(missing)])


class WarmZygotes:
    """The zygotes of this test worker's labs, kept warm from one test to the next.

    Warming a zygote up (the app's imports, the data set, a first screen drawn) costs about 0.7 CPU-s,
    more than most lab tests spend on the one or two sessions they start.
    A lab borrows a zygote warmed with its data set, environment and open-file limit, as its own would
    be, and gives it back when it stops. Only HOME differs: a folder of the pool's where a lab's own
    zygote has the lab's. What warming up reads there (a saved theme, a run to recover) is in neither.
    Each session still gets exactly its own environment.
    """

    def __init__(self, home: Path) -> None:
        self._home = home
        self._zygotes: dict[tuple, list[_Warm]] = {}
        self._loans = 0

    def lend(self, zygote: spawn.Zygote) -> None:
        """Give a lab's zygote a channel to a warm one, as Zygote.start would have to its own."""
        environment = dict(zygote._environment, HOME=str(self._home))
        key = (zygote._data, tuple(sorted(environment.items())), resource.getrlimit(resource.RLIMIT_NOFILE))
        warm = self._zygotes.setdefault(key, [])
        warm[:] = [w for w in warm if w.process.poll() is None]
        # Two labs at once would each read the other's news of its sessions: a lab still running has its own.
        free = next((w for w in warm if w.borrower is None or w.borrower._socket is None), None)
        if free is None:
            free = _Warm.start(zygote._data, environment)
            if free is None:
                return  # not ready, as a lab's own that could not warm up: its sessions start as fresh processes
            warm.append(free)
        free.borrower = zygote
        loop = asyncio.get_running_loop()
        zygote._started_at = time.monotonic()
        zygote._socket = free.channel.dup()  # closed when the lab stops; the zygote lives on in the pool's
        zygote._socket.setblocking(False)
        # Numbered apart from every earlier lab's, so that a late answer to one of theirs is never taken for its own.
        self._loans += 1
        zygote._ids = self._loans * 1_000_000
        zygote._ready = loop.create_future()
        zygote._ready.set_result(free.pid)
        loop.add_reader(zygote._socket, zygote._read)

    def close(self) -> None:
        for w in (w for warm in self._zygotes.values() for w in warm):
            w.channel.close()  # a zygote ends when its server has gone, unless a lab never stopped holds it too
            try:
                w.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                w.process.kill()
                w.process.wait()


@dataclass
class _Warm:
    process: subprocess.Popen
    channel: socket.socket
    pid: int
    borrower: spawn.Zygote | None = None

    @classmethod
    def start(cls, data: Path | None, environment: dict[str, str]) -> _Warm | None:
        """A zygote started as Zygote.start starts one, once it says it is warm; None if it ended first."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            process = subprocess.Popen(
                spawn.zygote_command(theirs.fileno(), data), **spawn.zygote_options(theirs.fileno(), environment)
            )
        ours.settimeout(120)
        message = ours.recv(spawn.MESSAGE_BYTES)
        if not message:
            ours.close()
            process.wait()
            return None
        return cls(process, ours, json.loads(message)["ready"])


@pytest.fixture(scope="session")
def _warm_zygotes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarmZygotes]:
    zygotes = WarmZygotes(tmp_path_factory.mktemp("zygote-home"))
    yield zygotes
    zygotes.close()


@pytest.fixture(autouse=True)
def _labs_borrow_warm_zygotes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lab borrows a warm zygote, but in the tests of the zygote itself (marked `own_zygote`),
    which start it, kill it and watch it as a lab does its own, and where it cannot start."""
    if request.node.get_closest_marker("own_zygote") is not None or "zygote_cannot_start" in request.fixturenames:
        return
    zygotes = request.getfixturevalue("_warm_zygotes")

    async def borrow(zygote: spawn.Zygote) -> None:
        zygotes.lend(zygote)

    monkeypatch.setattr(spawn.Zygote, "start", borrow)
