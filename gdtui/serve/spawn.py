"""How the server starts a session's program (gdtui.serve.child), and with what environment.

Sessions are forked from a warm zygote (gdtui.serve.zygote, which says why and how); `Zygote` is
the server's end of it. Without one, a session's program starts as a fresh process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gdtui import channel

log = logging.getLogger("gdtui.serve")

# Passed on from the server's environment: what finds Python, gdtui and the locale, and the priority
# of training (gdtui.core.background).
_FROM_SERVER = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "GDTUI_TRAINING_PRIORITY")
# Passed on from the student's ssh client, when it sends them: how their terminal wants colour.
# Nothing else a client sends is kept, and these only as short printable values.
FROM_CLIENT = ("COLORTERM", "NO_COLOR")
CLIENT_VALUE_BYTES = 64
# numpy's BLAS would start a thread per core in every session: a room of students would
# oversubscribe the machine many times over. One each, and the kernel shares the cores.
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


MODULE = "gdtui.serve.child"


def arguments(data: Path | None, lesson: bool, quota: int) -> list[str]:
    """What the session's program is told on its command line; quota in bytes, 0 for none."""
    args = ["--data", str(data)] if data is not None else []
    return args + (["--lesson"] if lesson else []) + (["--quota", str(quota)] if quota else [])


def command(arguments: list[str]) -> list[str]:
    """The command that starts a session's program as a fresh process.

    It runs in the student's folder, as HOME too: `-m` alone would put that folder first on the
    module path (-P leaves it off), and a site-packages folder under HOME would be read, its .pth
    files run (-s leaves it out). What a student puts in their folder is never code the app runs.
    """
    return [sys.executable, "-P", "-s", "-m", MODULE, *arguments]


def environment(term: str, home: Path, cache: Path, client: Mapping[str, str], *, hub: Mapping[str, str]) -> dict[str, str]:
    """A fresh environment: nothing of the teacher's own terminal leaks into a student's.

    HOME is the session's folder, so the lesson bookmark and anything else the app
    keeps per user stay with the session; the data cache is the server's, so every
    session maps the same files instead of building its own. Of what the client sent,
    only FROM_CLIENT is kept; the session's link to the hub is the hub's word alone.
    """
    env = {name: os.environ[name] for name in _FROM_SERVER if name in os.environ}
    env |= {name: client[name] for name in FROM_CLIENT if name in client}
    env |= {name: hub[name] for name in channel.VARIABLES if name in hub}
    return env | _ONE_THREAD | {"TERM": term, "HOME": str(home), "XDG_CACHE_HOME": str(cache)}


@dataclass(frozen=True)
class Ticket:
    """A session let into the lab, as the lab made it once: everything its app is started with.

    The environment carries its link to the hub and its role there; the arguments its quota.
    `turn` is done when the app may start (see gdtui.serve.admission); `user` is whom it runs
    as, (uid, gid), or None for the server's own user.
    """

    number: int
    home: Path
    environment: Mapping[str, str]
    arguments: list[str]
    user: tuple[int, int] | None
    turn: asyncio.Future[None]


def zygote_environment(home: Path, cache: Path) -> dict[str, str]:
    """The environment of the zygote that forks sessions: theirs, less what differs between sessions.

    What the zygote imports reads some variables once, on import (Textual's TEXTUAL_* and
    ESCDELAY): none of them is in a session's environment, nor so in the zygote's, so every
    session sees them unset, as a fresh process would. numpy's BLAS reads its thread count on
    import too: one, as in every session.
    """
    env = {name: os.environ[name] for name in _FROM_SERVER if name in os.environ}
    return env | _ONE_THREAD | {"HOME": str(home), "XDG_CACHE_HOME": str(cache)}


ZYGOTE_MODULE = "gdtui.serve.zygote"
# A request carries a session's environment: a few kilobytes, far below this.
MESSAGE_BYTES = 1 << 20
# A zygote that does not become ready in this long is given up on; sessions start fresh meanwhile.
_WARM_UP_S = 120.0
# A zygote that keeps dying is started again at most this often.
_RESTART_EVERY_S = 30.0


class ForkedProcess:
    """A session's app as the server sees it: the little of asyncio's Process that a session uses."""

    def __init__(self, pid: int, environment: Mapping[str, str]) -> None:
        self.pid = pid
        self.returncode: int | None = None
        # What the app was given: /proc/PID/environ shows the zygote's, from before the fork.
        self.environment = dict(environment)
        self._ended: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pidfd = -1
        with contextlib.suppress(OSError):  # already ended and reaped: its status is on the way
            # Held from the start: if the zygote goes, this still tells when the app ends, and
            # never about another process that got the same pid.
            self._pidfd = os.pidfd_open(pid)

    async def wait(self) -> int:
        return await asyncio.shield(self._ended)

    def _end(self, code: int) -> None:
        if self.returncode is None:
            self.returncode = code
            self._ended.set_result(code)
        self._close()

    def _close(self) -> None:
        if self._pidfd >= 0:
            asyncio.get_running_loop().remove_reader(self._pidfd)
            os.close(self._pidfd)
            self._pidfd = -1

    def _orphaned(self) -> None:
        """The zygote has gone before the app: watch the app itself, whose status no one will tell."""
        if self._pidfd < 0:
            self._end(1)
            return
        asyncio.get_running_loop().add_reader(self._pidfd, self._ended_unseen)

    def _ended_unseen(self) -> None:
        log.warning("the app of pid %d has ended; its exit status went with the zygote that started it", self.pid)
        self._end(1)


class Zygote:
    """The server's end: starts the zygote, asks it for sessions, hears how they end."""

    def __init__(self, environment: Mapping[str, str], data: Path | None, restart_every_s: float = _RESTART_EVERY_S) -> None:
        self._environment = dict(environment)
        self._restart_every_s = restart_every_s
        self._data = data
        self._process: asyncio.subprocess.Process | None = None
        self._socket: socket.socket | None = None
        self._ready: asyncio.Future[int] | None = None
        self._requests: dict[int, asyncio.Future[int]] = {}
        self._running: dict[int, ForkedProcess] = {}
        self._ids = 0
        self._started_at = -restart_every_s
        self._restart: asyncio.TimerHandle | None = None
        self._stopping = False

    @property
    def ready(self) -> bool:
        # Warm once is not enough: a zygote that has ended since is gone with its socket.
        if self._socket is None or self._ready is None or not self._ready.done() or self._ready.cancelled():
            return False
        return self._ready.exception() is None

    async def start(self) -> None:
        """Start the zygote and wait until it is warm; if it cannot be, say so: sessions then start fresh."""
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._started_at = time.monotonic()
        try:
            with theirs:
                self._process = await asyncio.create_subprocess_exec(
                    *zygote_command(theirs.fileno(), self._data), **zygote_options(theirs.fileno(), self._environment)
                )
        except OSError as err:
            ours.close()
            log.warning("could not start the zygote (%s): sessions start as fresh processes", err)
            return
        ours.setblocking(False)
        self._socket = ours
        self._ready = loop.create_future()
        loop.add_reader(ours, self._read)
        try:
            pid = await asyncio.wait_for(asyncio.shield(self._ready), _WARM_UP_S)
        except (TimeoutError, ConnectionError) as err:
            log.warning("the zygote did not start (%s): sessions start as fresh processes", err or "timed out")
            self._gone()
            return
        log.info("zygote ready, pid %d: sessions start from it", pid)

    async def launch(
        self, module: str, args: list[str], env: Mapping[str, str], cwd: Path, tty: int, user: tuple[int, int] | None = None
    ) -> ForkedProcess:
        """Fork a session's app on tty, as user (uid, gid) if given; ConnectionError if the zygote cannot."""
        if not self.ready or self._socket is None:
            raise ConnectionError("the zygote is not running")
        self._ids += 1
        number = self._ids
        request = {"id": number, "module": module, "args": args, "env": dict(env), "cwd": str(cwd), "user": user}
        started = asyncio.get_running_loop().create_future()
        self._requests[number] = started
        try:
            try:
                # Small enough for the socket's buffer, so this does not block; if it would, the
                # zygote is stuck, and a fresh process is the better bet.
                socket.send_fds(self._socket, [json.dumps(request).encode()], [tty])
            except OSError as err:
                raise ConnectionError(f"the zygote did not take the request: {err}") from err
            pid = await started
        finally:
            self._requests.pop(number, None)
        process = ForkedProcess(pid, env)
        self._running[pid] = process
        return process

    def _read(self) -> None:
        while self._socket is not None:
            try:
                data = self._socket.recv(MESSAGE_BYTES)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._gone()
                return
            self._heard(json.loads(data))

    def _heard(self, message: dict) -> None:
        if "ready" in message and self._ready is not None and not self._ready.done():
            self._ready.set_result(message["ready"])
        elif "status" in message:
            process = self._running.pop(message["pid"], None)
            if process is not None:
                process._end(os.waitstatus_to_exitcode(message["status"]))
        elif (started := self._requests.get(message["id"])) is not None and not started.done():
            if "error" in message:
                started.set_exception(ConnectionError(message["error"]))
            else:
                started.set_result(message["pid"])

    def _gone(self) -> None:
        """The zygote has ended, or is given up on: nothing more will come from it."""
        loop = asyncio.get_running_loop()
        if self._socket is not None:
            loop.remove_reader(self._socket)
            self._socket.close()
            self._socket = None
        if self._process is not None and self._process.returncode is None:
            self._process.kill()
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(ConnectionError("the zygote ended before it was ready"))
            self._ready.exception()  # seen here: whoever waited has been told
        for started in self._requests.values():
            if not started.done():
                started.set_exception(ConnectionError("the zygote ended"))
        for process in self._running.values():
            process._orphaned()
        self._running.clear()
        if self._stopping or self._restart is not None:
            return
        # A zygote that died at once would die again at once: started again only after a while.
        wait = max(0.0, self._started_at + self._restart_every_s - time.monotonic())
        log.warning("the zygote has ended: sessions start as fresh processes until another is ready, in %.0f s", wait)
        self._restart = loop.call_later(wait, self._start_again)

    def _start_again(self) -> None:
        self._restart = None
        if not self._stopping:
            task = asyncio.ensure_future(self.start())
            task.add_done_callback(lambda done: done.exception())

    async def stop(self) -> None:
        """End the zygote; the sessions it started are the server's to end."""
        self._stopping = True
        if self._restart is not None:
            self._restart.cancel()
        process = self._process
        if self._socket is not None:
            self._gone()
        if process is not None:
            await process.wait()


def _package_root() -> Path:
    import gdtui

    return Path(gdtui.__file__).resolve().parent.parent


def zygote_options(fd: int, environment: Mapping[str, str]) -> dict[str, Any]:
    """How a zygote is started beside its command, on the end `fd` of its socket pair, for subprocess or asyncio."""
    return {
        "stdin": subprocess.DEVNULL,
        "stdout": subprocess.DEVNULL,
        "env": dict(environment),
        # The package's own folder: the zygote runs the same gdtui as the server, whose
        # messages it must understand, whichever gdtui comes first on the path.
        "cwd": _package_root(),
        "pass_fds": (fd,),
        # Out of the server's process group: the teacher's ctrl+c is for the server,
        # which then ends the sessions and the zygote in order.
        "start_new_session": True,
    }


def zygote_command(fd: int, data: Path | None) -> list[str]:
    args = [sys.executable, "-m", ZYGOTE_MODULE, str(fd)]
    return args + (["--data", str(data)] if data is not None else [])
