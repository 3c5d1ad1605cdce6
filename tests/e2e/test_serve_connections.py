"""Logged-in connections: the ones without a session, the ones whose client has vanished, and how
many sessions one connection or one name may have."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path

import asyncssh
import pyte
import pytest

from gdtui.serve.server import LabConfig
from tests.e2e.lab import (
    FIRST_SCREEN,
    PASSWORD,
    TIMEOUT,
    Terminal,
    app_environment,
    bare_channel,
    connect,
    only_session,
    running,
    student,
    until_gone,
)

SSH = shutil.which("ssh") or "/usr/bin/ssh"


def openssh(lab, key_file: Path, *args: str) -> list[str]:
    """The real OpenSSH client, with only the key given: none of this machine's own settings."""
    options = ["-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
    options += ["-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", str(key_file), "-p", str(lab.port)]
    return [SSH, *options, *args, "student@127.0.0.1"]


@pytest.fixture
def key_file(tmp_path: Path, client_key: asyncssh.SSHKey) -> Path:
    path = tmp_path / "id_ed25519"
    path.write_bytes(client_key.export_private_key())
    path.chmod(0o600)
    return path


@pytest.mark.usefixtures("zygote_cannot_start")
@pytest.mark.skipif(not Path(SSH).exists(), reason="needs the OpenSSH client")
async def test_a_connection_without_a_session_is_closed_after_the_grace_time(
    lab_config: LabConfig, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(replace(lab_config, login_grace_time=1.0)) as lab:
        client = await asyncio.create_subprocess_exec(
            *openssh(lab, key_file, "-N"), stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        try:
            await asyncio.wait_for(client.wait(), TIMEOUT)
        finally:
            if client.returncode is None:
                client.kill()
    assert "login: student" in caplog.text
    assert "has not started a session after 1 s: closed" in caplog.text


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_connection_whose_session_has_ended_is_closed_after_the_grace_time(lab_config: LabConfig) -> None:
    async with running(replace(lab_config, login_grace_time=1.0)) as lab, connect(lab) as conn:
        done = await conn.run("ls", encoding=None)
        assert b"needs a terminal" in done.stdout
        await asyncio.wait_for(conn.wait_closed(), TIMEOUT)


class Proxy:
    """A TCP relay between a client and the lab that can go silent without closing: a client
    whose network has gone (a laptop closed, wifi lost) looks like this to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.pumps: list[asyncio.Task] = []
        self.kept: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Proxy:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.listening = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc) -> None:
        self.freeze()
        for writer in self.kept:
            writer.close()
        self.server.close()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.kept += [writer, up_writer]
        self.pumps += [asyncio.create_task(self._pump(reader, up_writer)), asyncio.create_task(self._pump(up_reader, writer))]

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()

    def freeze(self) -> None:
        for pump in self.pumps:
            pump.cancel()


async def test_a_client_that_vanishes_is_noticed_by_keepalives_and_its_session_ended(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    assert LabConfig().keepalive_interval == 15.0
    async with (
        running(replace(lab_config, keepalive_interval=0.3)) as lab,
        Proxy(lab.port) as proxy,
        asyncssh.connect(
            "127.0.0.1",
            proxy.listening,
            username="student",
            password=PASSWORD,
            known_hosts=None,
            client_keys=None,
            agent_path=None,
        ) as conn,
    ):
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
        terminal = Terminal(process, 80, 24)
        await terminal.shows(FIRST_SCREEN)
        pid = only_session(lab).process.pid
        proxy.freeze()
        await until_gone(lab, pid)
        terminal.reader.cancel()
        conn.abort()
    assert "not responding to keepalive" in caplog.text


async def test_one_connection_has_one_session_at_a_time(lab_config: LabConfig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(lab_config) as lab, connect(lab) as conn:
        first = Terminal(await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None), 80, 24)
        for _ in range(3):
            with pytest.raises(asyncssh.ChannelOpenError):
                await conn.create_process(term_type="xterm", term_size=(80, 24), encoding=None)
        await first.shows(FIRST_SCREEN)
        assert len(lab.sessions) == 1
        # The place it did not take is there for someone else.
        async with student(lab, username="alan") as alan:
            await alan.shows(FIRST_SCREEN)
        first.reader.cancel()
    assert caplog.text.count("one session per connection") == 1


async def test_a_name_has_at_most_its_own_share_of_sessions(lab_config: LabConfig) -> None:
    assert LabConfig().max_sessions_per_name == 2
    async with running(replace(lab_config, max_sessions_per_name=1)) as lab, student(lab, username="ada") as ada:
        await ada.shows(FIRST_SCREEN)
        async with student(lab, username="ada") as again:
            assert await again.ends() == 1
            assert "already has 1 session" in again.raw.decode()
        async with student(lab, username="alan") as alan:
            await alan.shows(FIRST_SCREEN)


@pytest.mark.skipif(not Path(SSH).exists(), reason="needs the OpenSSH client")
async def test_the_openssh_client_gets_a_whole_session(lab_config: LabConfig, key_file: Path) -> None:
    async with running(lab_config) as lab:
        client = await asyncio.create_subprocess_exec(
            *openssh(lab, key_file, "-tt", "-o", "SetEnv=COLORTERM=truecolor LD_PRELOAD=/tmp/x.so"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color"},
        )
        screen = pyte.Screen(80, 24)
        stream = pyte.ByteStream(screen)
        try:

            async def shows(text: str) -> None:
                while text not in "\n".join(screen.display):
                    data = await client.stdout.read(65536)
                    assert data, f"ssh ended before showing {text!r}"
                    stream.feed(data)

            await asyncio.wait_for(shows(FIRST_SCREEN), TIMEOUT)
            environment = app_environment(only_session(lab))
            assert environment["COLORTERM"] == "truecolor" and "LD_PRELOAD" not in environment
            client.stdin.write(b"q")
            await asyncio.wait_for(client.stdout.read(), TIMEOUT)
            assert await asyncio.wait_for(client.wait(), TIMEOUT) == 0
        finally:
            if client.returncode is None:
                client.kill()


async def test_a_connection_that_has_gone_is_not_waited_on_for_a_session(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(replace(lab_config, login_grace_time=1.0)) as lab:
        async with student(lab, username="ada") as terminal:
            await terminal.shows(FIRST_SCREEN)
            pid = only_session(lab).process.pid
        await until_gone(lab, pid)
        # A later connection without a session is closed after the same grace time: by then, a
        # wait wrongly started for ada's gone connection would have ended too.
        async with connect(lab, "alan") as conn:
            await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
    closed = [line for line in caplog.text.splitlines() if "has not started a session" in line]
    assert len(closed) == 1 and "the connection of alan" in closed[0], closed


@pytest.mark.parametrize("no_auth", [False, True], ids=["logged-in", "no-auth"])
async def test_connections_that_never_start_their_session_cannot_keep_a_student_out(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture, no_auth: bool
) -> None:
    """Logged in, a terminal asked for, never a shell: from one address, no more of these are held
    than its share of connections without a session, each for the grace time only, and a student from
    elsewhere gets in meanwhile; with a password, or with none asked for."""
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    grace = 3.0
    config = replace(lab_config, login_grace_time=grace, per_source_max_startups=3, max_startups=(20, 30, 100))
    if no_auth:
        config = replace(config, authorized_keys=None, password_hash=None, no_auth=True)
    async with running(config) as lab:
        held: list[asyncssh.SSHClientConnection] = []
        refused = 0
        most = 0
        for _ in range(8):
            try:
                conn = await connect(lab, "mallory", local_addr=("127.0.0.2", 0))
            except (OSError, asyncssh.Error):
                refused += 1
                continue
            held.append(conn)
            await bare_channel(conn)
            most = max(most, sum(not conn.is_closed() for conn in held))
        assert refused and most <= 3, (refused, most)
        assert not lab.sessions
        async with student(lab, username="ada") as ada:
            await ada.shows(FIRST_SCREEN)
            for conn in held:
                await asyncio.wait_for(conn.wait_closed(), TIMEOUT)
            assert not ada.ended
    assert f"has not started a session after {grace:g} s: closed" in caplog.text
