"""Driving the lab server in tests: real SSH clients on loopback, student screens kept by pyte.

Nothing here sleeps for a fixed time: every wait is for a condition, up to a
deadline generous enough for a busy machine.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncssh
import pyte
from asyncssh.packet import String, UInt32

from gdtui.serve.passwords import hash_password
from gdtui.serve.server import Lab, LabConfig
from gdtui.serve.spawn import ForkedProcess

# `gdtui serve` in a process of its own. Started by root, the server refuses to run without a user to
# drop to, and that user could not read a Python installed in root's home: these tests are about
# other things, so their server is told it is not root.
AS_ANY_USER = [sys.executable, "-c", "import os, sys; os.geteuid = lambda: 1000; from gdtui.cli import main; sys.exit(main())"]
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)
# Generous: a session starts a Python process, and the machine may be busy.
TIMEOUT = 30.0
FIRST_SCREEN = "784 numbers from 0.0"


class Terminal:
    """A student's terminal: an SSH session with a pty, its output kept on an emulated screen."""

    def __init__(self, process: asyncssh.SSHClientProcess, columns: int, lines: int) -> None:
        self.process = process
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.changed = asyncio.Event()
        self.ended = False
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while data := await self.process.stdout.read(65536):
            self.raw += data
            self.stream.feed(data)
            self.changed.set()
        self.ended = True
        self.changed.set()

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def until(self, check, what: str) -> None:
        async def wait() -> None:
            while not check():
                if self.ended:
                    raise AssertionError(f"the session ended before {what}; it showed:\n{self.text()}")
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(wait(), TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self.text()}") from None

    async def shows(self, text: str) -> None:
        await self.until(lambda: text in self.text(), repr(text))

    async def ends(self) -> int | None:
        await self.until(lambda: self.ended, "the end of the session")
        await self.process.wait_closed()
        return self.process.exit_status

    def press(self, keys: str) -> None:
        self.process.stdin.write(keys.encode())

    def resize(self, columns: int, lines: int) -> None:
        self.screen.resize(lines, columns)
        self.process.change_terminal_size(columns, lines)


@asynccontextmanager
async def running(config: LabConfig):
    lab = Lab(config)
    await lab.start()
    try:
        yield lab
    finally:
        await lab.stop()


def connect(lab: Lab, username: str = "student", **options) -> asyncssh.SSHClientConnection:
    # Only the credentials given: none of this machine's own keys or agent.
    credentials = {"password", "client_keys"}
    defaults = {"client_keys": None, "agent_path": None} | ({} if credentials & options.keys() else {"password": PASSWORD})
    return asyncssh.connect("127.0.0.1", lab.port, username=username, known_hosts=None, **(defaults | options))


@asynccontextmanager
async def student(
    lab: Lab, columns: int = 80, lines: int = 24, *, username: str = "student", term: str = "xterm-256color", **options
):
    async with connect(lab, username, **options) as conn:
        process = await conn.create_process(term_type=term, term_size=(columns, lines), encoding=None)
        terminal = Terminal(process, columns, lines)
        try:
            yield terminal
        finally:
            terminal.reader.cancel()


async def bare_channel(conn: asyncssh.SSHClientConnection) -> asyncssh.SSHClientChannel:
    """A session channel with a terminal asked for, and never a shell: a place held for nothing.
    asyncssh's own clients always ask for one, so this speaks the protocol itself."""
    chan = asyncssh.SSHClientChannel(conn, asyncio.get_running_loop(), "strict", None, "strict", 2**21, 32768)
    await chan._open(b"session")
    size = [UInt32(number) for number in (80, 24, 0, 0)]
    assert await chan._make_request(b"pty-req", String("xterm"), *size, String(b"\0"))
    return chan


def only_session(lab: Lab):
    (session,) = lab.sessions
    return session


def app_environment(session) -> dict[str, str]:
    """The environment the session's app was started with.

    A forked app's /proc/PID/environ still shows the zygote's, from before the fork: what it was
    given is kept instead, and test_zygote shows that this is exactly what the app has.
    """
    if isinstance(session.process, ForkedProcess):
        return session.process.environment
    environ = Path(f"/proc/{session.process.pid}/environ").read_text()
    return dict(line.split("=", 1) for line in environ.split("\0") if line)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def eventually(check: Callable[[], object], what: str, deadline: float = TIMEOUT) -> None:
    """Wait until check() holds, looking often, for at most deadline seconds."""
    give_up = time.monotonic() + deadline
    while not check():
        if time.monotonic() > give_up:
            raise AssertionError(f"waited {deadline:.0f} s for {what}")
        await asyncio.sleep(0.02)


async def until_gone(lab: Lab, pid: int) -> None:
    await eventually(lambda: not lab.sessions and not alive(pid), f"the session's process {pid} to end with its connection")
