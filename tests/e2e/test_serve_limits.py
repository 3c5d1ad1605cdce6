"""The lab's limits against a hostile network: connections that never log in, floods."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import sys
import time
from asyncio.constants import ACCEPT_RETRY_DELAY
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest
from asyncssh.constants import MSG_IGNORE

from gdtui.serve.server import _READ_BYTES, READ_BURST, READ_RATE, LabConfig
from tests.e2e.lab import (
    AS_ANY_USER,
    FIRST_SCREEN,
    PASSWORD,
    PASSWORD_HASH,
    TIMEOUT,
    Terminal,
    bare_channel,
    connect,
    eventually,
    running,
)


async def silent(lab, source: str = "127.0.0.1") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection that never says a word."""
    return await asyncio.open_connection("127.0.0.1", lab.port, local_addr=(source, 0))


async def greeted(reader: asyncio.StreamReader) -> bool:
    """Whether the server says hello (its SSH version) before it closes the connection."""
    return (await asyncio.wait_for(reader.readline(), TIMEOUT)).startswith(b"SSH-2.0-")


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_connections_that_have_not_logged_in_are_capped_and_a_flood_is_logged_once(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(replace(lab_config, max_startups=(3, 100, 3))) as lab:
        held = [await silent(lab) for _ in range(3)]
        assert all([await greeted(reader) for reader, _ in held])
        for _ in range(10):
            reader, writer = await silent(lab)
            assert not await greeted(reader)
            writer.close()
        # One that leaves makes room for the next.
        held.pop()[1].close()
        await eventually(lambda: lab.startups._total == 2, "the room to be noticed")
        held.append(await silent(lab))
        assert await greeted(held[-1][0])
        # The flood is over, and logged so, once they are down to half the limit: not at each crossing of it.
        assert "refused since" not in caplog.text
        for _, writer in held:
            writer.close()
        await eventually(lambda: "refused since" in caplog.text, "the flood's end logged")
    assert caplog.text.count("refusing new ones") == 1
    assert "10 refused since there were 3" in caplog.text


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_one_address_cannot_take_every_place_before_login(lab_config: LabConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(replace(lab_config, max_startups=(20, 30, 100), per_source_max_startups=2)) as lab:
        held = [await silent(lab, "127.0.0.2") for _ in range(2)]
        assert all([await greeted(reader) for reader, _ in held])
        for _ in range(5):
            reader, _ = await silent(lab, "127.0.0.2")
            assert not await greeted(reader)
        async with connect(lab):
            pass
    assert caplog.text.count("refusing more from it") == 1


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_connection_that_does_not_log_in_is_closed_after_the_grace_time(lab_config: LabConfig) -> None:
    assert LabConfig().login_grace_time == 30.0
    async with running(replace(lab_config, login_grace_time=1.0)) as lab:
        started = time.monotonic()
        reader, _ = await silent(lab)
        assert await greeted(reader)
        assert await asyncio.wait_for(reader.read(), TIMEOUT) == b""
        assert time.monotonic() - started >= 0.9


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_an_accept_asyncio_retries_after_the_lab_stopped_is_no_error(lab_config: LabConfig) -> None:
    """asyncio tries a failed accept again a second later, and fails then on the listener closed meanwhile:
    a lab stopped within that second said so with a traceback in its log."""
    loop = asyncio.get_running_loop()
    reported: list[dict] = []

    def own(_, context: dict) -> None:
        reported.append(context)

    loop.set_exception_handler(own)
    try:
        async with running(lab_config):

            def _start_serving() -> None:  # asyncio's retry, on a listener closed by then
                raise ValueError("Invalid file descriptor: -1")

            # As asyncio does: the failure handled, then its retry a second later.
            too_many = OSError(errno.EMFILE, "Too many open files")
            loop.call_exception_handler({"message": "socket.accept() out of system resource", "exception": too_many})
            retry = loop.call_later(ACCEPT_RETRY_DELAY, _start_serving)
        assert loop.get_exception_handler() is own, "the loop's own handler back once the lab has stopped"
        await asyncio.sleep(max(0.0, retry.when() - loop.time()) + 0.2)  # the retry has come, whenever the stop ended
    finally:
        loop.set_exception_handler(None)
    assert reported == []


@asynccontextmanager
async def served(tmp_path: Path, data: Path, open_files: int):
    """`gdtui serve` in a process of its own, with at most open_files open files: its port, and its
    log as it grows."""
    password_file = tmp_path / "lab-password"
    password_file.write_text(PASSWORD_HASH)
    password_file.chmod(0o600)
    serve = [*AS_ANY_USER, "serve", "--host", "127.0.0.1", "--port", "0", "--max-sessions", "2"]
    serve += ["--data", str(data), "--password-file", str(password_file)]
    server = await asyncio.create_subprocess_exec(
        "sh",
        "-c",
        f'ulimit -n {open_files} && exec "$@"',
        "sh",
        *serve,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data")),
    )
    log = bytearray()
    listening = asyncio.get_running_loop().create_future()

    async def read_log() -> None:
        while line := await server.stderr.readline():
            log.extend(line)
            if b"listening on" in line and not listening.done():
                listening.set_result(int(line.split(b" port ")[1].split(b",")[0]))

    reader = asyncio.create_task(read_log())
    try:
        yield await asyncio.wait_for(listening, TIMEOUT), log
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), TIMEOUT)
        await reader


async def logs_in(port: int, username: str, **options) -> asyncssh.SSHClientConnection:
    return await asyncssh.connect(
        "127.0.0.1",
        port,
        username=username,
        password=PASSWORD,
        known_hosts=None,
        client_keys=None,
        agent_path=None,
        **({"connect_timeout": TIMEOUT} | options),
    )


@pytest.mark.slow
@pytest.mark.parametrize("open_files", [200, 48])
async def test_a_flood_of_silent_connections_with_few_open_files_locks_no_student_out(
    lab_config: LabConfig, tmp_path: Path, open_files: int
) -> None:
    """200 silent connections from one address with a limit of 200 open files, then a student logs
    in; and the same with too few open files for the lab, which it says once, not per connection."""
    async with served(tmp_path, lab_config.data, open_files) as (port, log):
        flood = []
        for _ in range(200):
            # Past the server's limit a connection may be refused outright: that is what a flood meets.
            with contextlib.suppress(OSError):
                flood.append(await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0)))
        async with await logs_in(port, "ada"):
            pass
        for _, writer in flood:
            writer.close()
    text = log.decode(errors="replace")
    assert "login: ada from 127.0.0.1" in text
    assert text.count("refusing more from it") == 1
    assert "out of system resource" not in text and "Traceback" not in text
    if open_files < 200:
        assert "open-file limit 48:" in text
        assert text.count("cannot accept connections") <= 1
    else:
        assert "open-file limit" not in text and "cannot accept" not in text
    assert len(text.splitlines()) < 30, text


async def test_logged_in_connections_that_never_start_a_session_cannot_use_up_the_open_files(
    lab_config: LabConfig, tmp_path: Path
) -> None:
    """One client logs in again and again, opens a session with a terminal on each connection, and
    never asks for a shell: with 48 open files, a student still gets in."""
    async with served(tmp_path, lab_config.data, 48) as (port, log):
        held, refused = [], 0
        while refused < 3 and len(held) < 60:
            try:
                conn = await logs_in(port, "mallory", local_addr=("127.0.0.2", 0), connect_timeout=3)
                await bare_channel(conn)
            except (OSError, asyncssh.Error, TimeoutError):
                refused += 1
                continue
            held.append(conn)
        async with await logs_in(port, "ada") as conn:
            ada = Terminal(await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None), 80, 24)
            await ada.shows(FIRST_SCREEN)
            ada.reader.cancel()
        for conn in held:
            conn.abort()
    text = log.decode(errors="replace")
    assert len(held) <= 10, len(held)
    assert "cannot accept connections" not in text and "Traceback" not in text


# A logged-in client that sends window changes as fast as it can, from a process of its own so that
# the server's event loop, not the test's, is what it competes with.
_WINDOW_FLOOD = """
import asyncio, sys, time
import asyncssh
from asyncssh.packet import UInt32
from tests.e2e.lab import bare_channel

async def flood(port, password, seconds):
    async with asyncssh.connect("127.0.0.1", port, username="mallory", password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        chan = await bare_channel(conn)
        print("flooding", flush=True)
        end, sent = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            chan._send_request(b"window-change", UInt32(40 + sent % 200), UInt32(10 + sent % 100), UInt32(0), UInt32(0))
            sent += 1
            if sent % 200 == 0:
                await asyncio.sleep(0)

asyncio.run(flood(int(sys.argv[1]), sys.argv[2], float(sys.argv[3])))
"""


@pytest.mark.usefixtures("zygote_cannot_start")
@pytest.mark.slow
async def test_one_client_flooding_packets_does_not_stall_the_server_for_everyone(lab_config: LabConfig) -> None:
    """asyncssh handles every packet that one read brings before anything else runs: a read of
    a quarter of a megabyte of window changes held the whole lab (every student's keys and frames,
    every login) for seconds at a time. Reads are small, so each client waits its turn."""
    async with running(replace(lab_config, login_grace_time=60)) as lab:
        root = str(Path(__file__).resolve().parents[2])
        flooder = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _WINDOW_FLOOD, str(lab.port), PASSWORD, "8", cwd=root, stdout=asyncio.subprocess.PIPE
        )
        try:
            assert await asyncio.wait_for(flooder.stdout.readline(), TIMEOUT) == b"flooding\n"
            worst, end = 0.0, time.monotonic() + 6
            while time.monotonic() < end:
                before = time.monotonic()
                await asyncio.sleep(0.01)
                worst = max(worst, time.monotonic() - before - 0.01)
        finally:
            with contextlib.suppress(ProcessLookupError):
                flooder.kill()
            await flooder.wait()
    # Before reads were small, 1.5 s and more; a test suite's other processes on the same cores can
    # hold the loop a few tenths of a second by themselves.
    assert worst < 0.75, f"the server's event loop stood still for {worst:.2f} s"


# A logged-in client that sends SSH_MSG_IGNORE packets as fast as the server takes them, each with a
# kilobyte of padding: every one is decrypted, checked and thrown away. Its own write buffer paces it.
_IGNORE_FLOOD = """
import asyncio, sys, time
import asyncssh
from asyncssh.constants import MSG_IGNORE
from asyncssh.packet import String

async def flood(port, password, seconds):
    async with asyncssh.connect("127.0.0.1", port, username="mallory", password=password,
                                known_hosts=None, client_keys=None, agent_path=None) as conn:
        print("flooding", flush=True)
        end, padding = time.monotonic() + seconds, String(b"x" * 1024)
        while time.monotonic() < end:
            if conn._transport.get_write_buffer_size() > 1 << 20:
                await asyncio.sleep(0.005)
                continue
            for _ in range(64):
                conn.send_packet(MSG_IGNORE, padding)
            await asyncio.sleep(0)

asyncio.run(flood(int(sys.argv[1]), sys.argv[2], float(sys.argv[3])))
"""


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_client_flooding_ignored_packets_is_read_no_faster_than_its_budget(
    lab_config: LabConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sshd gives each connection a process of its own: a client flooding packets the server throws away
    costs the others only a share of the cores. The lab serves every connection on one event loop, where
    such a flood (a million packets in 20 s) took a core and doubled the students' key-to-screen time.
    A connection's bytes are read at most READ_RATE a second beyond a first READ_BURST, and then on at that pace."""
    handled: list[int] = []
    handlers = asyncssh.connection.SSHConnection._packet_handlers
    original = handlers[MSG_IGNORE]

    def counted(self, pkttype, pktid, packet):
        handled.append(pkttype)
        return original(self, pkttype, pktid, packet)

    monkeypatch.setitem(handlers, MSG_IGNORE, counted)
    seconds = 3.0
    async with running(replace(lab_config, login_grace_time=60)) as lab:
        root = str(Path(__file__).resolve().parents[2])
        began = time.monotonic()  # its login is read within the budget too
        flooder = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _IGNORE_FLOOD, str(lab.port), PASSWORD, str(seconds), cwd=root, stdout=asyncio.subprocess.PIPE
        )
        try:
            assert await asyncio.wait_for(flooder.stdout.readline(), TIMEOUT) == b"flooding\n"
            await asyncio.wait_for(flooder.wait(), TIMEOUT)
            took, read = time.monotonic() - began, len(handled)
        finally:
            with contextlib.suppress(ProcessLookupError):
                flooder.kill()
            await flooder.wait()
    # A packet is a kilobyte and more on the wire (its length and the cipher's tag besides); the read that
    # goes over the budget is whole.
    allowed = (READ_BURST + READ_RATE * took + _READ_BYTES) / 1024
    assert read <= allowed, f"{read:,} ignored packets read in {took:.1f} s, {allowed:,.0f} allowed"
    # And reads go on at the budget's pace: at least a second and a half of it after the burst, in three of flooding.
    least = (READ_BURST + 1.5 * READ_RATE) / 1100
    assert read >= least, f"{read:,} ignored packets read in {took:.1f} s: reading stopped ({least:,.0f} at the least)"
