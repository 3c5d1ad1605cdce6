"""The zygote: sessions forked from a warm process are what a fresh process would have been."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import socket
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from gdtui.core.dataset import load_dataset
from gdtui.core.errors import GdtuiError
from gdtui.core.files import cache_home
from gdtui.serve import spawn
from gdtui.serve.server import Lab, LabConfig
from gdtui.serve.spawn import ForkedProcess, Zygote
from tests.e2e.lab import FIRST_SCREEN, Terminal, alive, connect, eventually, only_session, running, student

# A lab here starts its own zygote, as in a class: these tests kill it and watch it.
pytestmark = pytest.mark.own_zygote

PROBE = "tests.e2e.probe"


class Pty:
    """A pseudo-terminal for one forked app; what the app writes is kept."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.name = os.ttyname(self.slave)
        self.output = bytearray()
        self.changed = asyncio.Event()
        os.set_blocking(self.master, False)
        asyncio.get_running_loop().add_reader(self.master, self._read)

    def _read(self) -> None:
        try:
            self.output += os.read(self.master, 65536)
        except OSError:  # EIO once the app has closed its end
            asyncio.get_running_loop().remove_reader(self.master)
        self.changed.set()

    async def line(self) -> str:
        await eventually(lambda: b"\n" in self.output, "a line from the app")
        return self.output.split(b"\n", 1)[0].decode()

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)
        os.close(self.slave)


@asynccontextmanager
async def warm(tiny_mnist_dir: Path, tmp_path: Path, **options):
    load_dataset(tiny_mnist_dir)  # cached, as the server does before it starts the zygote
    zygote = Zygote(spawn.zygote_environment(tmp_path, cache_home().parent), tiny_mnist_dir, **options)
    await zygote.start()
    try:
        yield zygote
    finally:
        await zygote.stop()


@asynccontextmanager
async def probe(zygote: Zygote, env: dict[str, str], cwd: Path, *args: str):
    pty = Pty()
    try:
        process = await zygote.launch(PROBE, list(args), env, cwd, pty.slave)
        yield process, pty
    finally:
        pty.close()


async def test_a_forked_app_has_exactly_the_sessions_environment_folder_and_terminal(
    tiny_mnist_dir: Path, tmp_path: Path
) -> None:
    home = tmp_path / "ada"
    home.mkdir()
    env = spawn.environment("vt100", home, tmp_path / "cache", {"COLORTERM": "truecolor"}, hub={})
    async with warm(tiny_mnist_dir, tmp_path) as zygote:
        assert zygote.ready
        async with probe(zygote, env, home, "--data", "x") as (process, pty):
            seen = json.loads(await pty.line())
            pty.type("0\n")
            assert await process.wait() == 0
    assert seen["environ"] == env
    # Not only Python's copy: the process's own environment, which C code and child processes see.
    assert seen["c_home"] == str(home)
    assert seen["home"] == str(home)
    assert seen["cache"] == str(tmp_path / "cache" / "gdtui")
    assert seen["cwd"] == str(home)
    assert seen["argv"] == ["--data", "x"]
    assert seen["main"] == "__main__"
    # A session of its own, whose leader it is, with the terminal as its controlling terminal.
    assert seen["sid"] == seen["pgrp"] == seen["pid"] == process.pid
    assert seen["tty"] == pty.name and seen["controlling_tty"]
    # Nothing of the zygote's is left open in it: its terminal, and the directory listing itself.
    assert seen["fds"][:3] == [0, 1, 2] and len(seen["fds"]) == 4
    assert seen["sigint_default"] and seen["others_default"]
    assert seen["open_files"] == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    # Done once, before the fork: each session finds the data set checked and its first screen's CSS parsed.
    assert seen["data_checked_ahead"] and seen["css_parsed_ahead"]


async def test_the_zygotes_variables_do_not_reach_an_app_whose_session_lacks_them(tiny_mnist_dir: Path, tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    async with warm(tiny_mnist_dir, tmp_path) as zygote, probe(zygote, env, tmp_path) as (process, pty):
        seen = json.loads(await pty.line())
        pty.type("0\n")
        await process.wait()
    assert seen["environ"] == env
    assert not seen["c_has_zygote_cache"]


@pytest.mark.parametrize(("line", "status"), [("3\n", 3), ("0\n", 0), ("x\n", 1)])
async def test_an_apps_exit_status_reaches_the_server(tiny_mnist_dir: Path, tmp_path: Path, line: str, status: int) -> None:
    async with warm(tiny_mnist_dir, tmp_path) as zygote, probe(zygote, {}, tmp_path) as (process, pty):
        await pty.line()
        pty.type(line)
        assert await process.wait() == status
        assert process.returncode == status


async def test_an_app_ended_by_a_signal_is_reported_as_such(tiny_mnist_dir: Path, tmp_path: Path) -> None:
    async with warm(tiny_mnist_dir, tmp_path) as zygote, probe(zygote, {}, tmp_path) as (process, pty):
        await pty.line()
        os.killpg(process.pid, signal.SIGTERM)
        assert await process.wait() == -signal.SIGTERM


async def test_apps_started_at_once_each_get_their_own_terminal(tiny_mnist_dir: Path, tmp_path: Path) -> None:
    async with warm(tiny_mnist_dir, tmp_path) as zygote:
        ptys = [Pty() for _ in range(8)]
        try:
            processes = await asyncio.gather(
                *(zygote.launch(PROBE, [str(n)], {}, tmp_path, pty.slave) for n, pty in enumerate(ptys))
            )
            seen = [json.loads(await pty.line()) for pty in ptys]
            for pty in ptys:
                pty.type("0\n")
            await asyncio.gather(*(process.wait() for process in processes))
        finally:
            for pty in ptys:
                pty.close()
    assert [report["argv"] for report in seen] == [[str(n)] for n in range(8)]
    assert [report["tty"] for report in seen] == [pty.name for pty in ptys]
    assert len({report["pid"] for report in seen}) == 8
    # Neither Python's random nor numpy's global generator repeats from one session to the next.
    assert len({report["random"][0] for report in seen}) == len({report["random"][1] for report in seen}) == 8


async def test_when_the_zygote_dies_its_apps_live_on_and_another_zygote_starts(
    tiny_mnist_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with warm(tiny_mnist_dir, tmp_path, restart_every_s=0.5) as zygote, probe(zygote, {}, tmp_path) as (process, pty):
        await pty.line()
        first = zygote._process.pid
        os.kill(first, signal.SIGKILL)
        await eventually(lambda: not zygote.ready, "the server to notice the zygote gone")
        with pytest.raises(ConnectionError):
            await zygote.launch(PROBE, [], {}, tmp_path, pty.slave)
        assert alive(process.pid)
        assert "the zygote has ended" in caplog.text
        await eventually(lambda: zygote.ready, "another zygote")
        assert zygote._process.pid != first
        # The app still ends as it should; only its exit status went with the zygote.
        pty.type("0\n")
        assert await process.wait() == 1
        async with probe(zygote, {}, tmp_path) as (again, again_pty):
            await again_pty.line()
            again_pty.type("5\n")
            assert await again.wait() == 5
    assert isinstance(process, ForkedProcess)


async def test_the_lab_forks_sessions_and_starts_fresh_ones_while_its_zygote_is_gone(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    async with running(lab_config) as lab, student(lab, username="ada") as ada:
        await ada.shows(FIRST_SCREEN)
        assert isinstance(only_session(lab).process, ForkedProcess)
        os.kill(lab._zygote._process.pid, signal.SIGKILL)
        # Well before the next zygote is started, half a minute later.
        await eventually(lambda: not lab._zygote.ready, "the lab to notice its zygote gone", deadline=10)
        async with student(lab, username="alan") as alan:
            await alan.shows(FIRST_SCREEN)
            (fresh,) = (session.process for session in lab.sessions if session.username == "alan")
            assert not isinstance(fresh, ForkedProcess)
            # The session forked before goes on as if nothing had happened.
            ada.press("2")
            await ada.shows("13,002 parameters")
    assert "sessions start as fresh processes" in caplog.text


async def test_a_lab_that_cannot_listen_leaves_no_zygote_behind(lab_config: LabConfig) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        lab = Lab(replace(lab_config, port=taken.getsockname()[1]))
        with pytest.raises(GdtuiError, match="cannot listen"):
            await lab.start()
    zygote = lab._zygote._process
    assert zygote is not None
    await eventually(lambda: not alive(zygote.pid), "the zygote to end")


@pytest.mark.parametrize(
    ("term", "sent", "colours"),
    [
        ("xterm-256color", {"COLORTERM": "truecolor"}, b"\x1b[38;2;"),
        ("xterm-256color", {}, b"\x1b[38;5;"),
    ],
)
async def test_a_forked_app_draws_in_the_colours_its_own_terminal_asks_for(
    lab_config: LabConfig, term: str, sent: dict[str, str], colours: bytes
) -> None:
    # Rich decides from TERM and COLORTERM when the app starts: in the session, not in the zygote.
    async with running(lab_config) as lab, connect(lab) as conn:
        process = await conn.create_process(term_type=term, term_size=(80, 24), encoding=None, env=sent)
        terminal = Terminal(process, 80, 24)
        try:
            await terminal.shows(FIRST_SCREEN)
            assert isinstance(only_session(lab).process, ForkedProcess)
            assert colours in terminal.raw
            assert (b"\x1b[38;2;" in terminal.raw) == ("COLORTERM" in sent)
        finally:
            terminal.reader.cancel()
