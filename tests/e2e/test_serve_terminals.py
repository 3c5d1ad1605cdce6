"""What a student's client says about its terminal: its size, its type, its environment; and what
the server gives back when it has to end an app itself."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace

import asyncssh
import pytest

from gdtui.serve import session as session_module
from gdtui.serve import spawn
from gdtui.serve.server import Lab, LabConfig
from gdtui.serve.spawn import Zygote
from tests.e2e.lab import (
    FIRST_SCREEN,
    TIMEOUT,
    Terminal,
    alive,
    app_environment,
    connect,
    eventually,
    only_session,
    running,
    student,
)

BIGGEST = (500, 200)


@pytest.mark.parametrize(("size", "resized"), [((65535, 65535), (10_000, 10_000)), ((70_000, 70_000), (2**32 - 1, 2**32 - 1))])
async def test_a_huge_terminal_is_used_up_to_500_by_200_and_the_student_is_told(
    lab_config: LabConfig, size: tuple[int, int], resized: tuple[int, int]
) -> None:
    async with running(lab_config) as lab, connect(lab) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=size, encoding=None)
        terminal = Terminal(process, *BIGGEST)
        try:
            await terminal.shows(FIRST_SCREEN)
            assert only_session(lab).size == BIGGEST
            assert f"this session uses {BIGGEST[0]}×{BIGGEST[1]} of it" in terminal.raw.decode(errors="replace")
            process.change_terminal_size(*resized)
            terminal.press("2")
            await terminal.shows("13,002 parameters")
            assert only_session(lab).size == BIGGEST
            process.change_terminal_size(120, 40)
            terminal.screen.resize(40, 120)
            await terminal.until(lambda: "Quit" in terminal.screen.display[39], "the footer on line 40")
        finally:
            terminal.reader.cancel()


async def test_only_the_variables_the_app_uses_are_kept_and_only_short_ones(lab_config: LabConfig) -> None:
    # Within what a connection may send before its login's grace ends: 300 of 30,000 bytes, read as fast as they
    # came, once made 9 MB kept.
    junk = {f"JUNK_{n}": "x" * 2_000 for n in range(20)}
    sent = junk | {"COLORTERM": "truecolor", "NO_COLOR": "y" * 1000, "LD_PRELOAD": "/tmp/evil.so", "HOME": "/"}
    async with running(lab_config) as lab, connect(lab) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None, env=sent)
        terminal = Terminal(process, 80, 24)
        try:
            await terminal.shows(FIRST_SCREEN)
            session = only_session(lab)
            # Nothing else is kept, not even for a while.
            assert session.client_environment == {"COLORTERM": "truecolor"}
            app = app_environment(session)
            assert app["COLORTERM"] == "truecolor"
            assert "NO_COLOR" not in app and "LD_PRELOAD" not in app and "JUNK_0" not in app
            assert app["HOME"] == str(lab.sessions_dir / "student")
        finally:
            terminal.reader.cancel()


def ncurses_knows(term: str) -> bool:
    """Whether this machine's terminfo has term, by ncurses' own lookup, in a process of its own."""
    check = f"import curses; curses.setupterm({term!r}, 1)"
    return subprocess.run([sys.executable, "-c", check], capture_output=True, timeout=60, check=False).returncode == 0


# Looked up by name in the test: a NUL in a test's parameter upsets pytest's own reports.
TERMS = {
    "known": "vt100",
    "unknown": "no-such-terminal",
    "nul": "xterm\0evil",
    "50k": "x" * 50_000,  # beyond any terminal's name, within what a client may send at once
    "path": "../../../etc/passwd",
    "escape": "xterm\x1b[2J",
}


@pytest.mark.parametrize("case", TERMS)
async def test_the_app_gets_a_terminal_type_this_machine_knows_or_a_safe_one(
    lab_config: LabConfig, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    term = TERMS[case]
    expected = term if term == "vt100" and ncurses_knows(term) else "xterm-256color"
    async with running(lab_config) as lab, student(lab, term=term) as terminal:
        await terminal.shows(FIRST_SCREEN)
        assert app_environment(only_session(lab))["TERM"] == expected
    assert all(record.getMessage().isprintable() for record in caplog.records)
    assert max(len(record.getMessage()) for record in caplog.records) < 1000


async def test_nothing_a_client_sends_can_forge_a_log_line_or_reach_the_teachers_terminal(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gdtui.serve")
    forged = "\n2026-11-30 09:00:00 login: teacher from 10.9.9.9:1\x1b]0;owned\x07\x1b[2J"
    async with running(lab_config) as lab, connect(lab) as conn:
        await asyncio.wait_for(conn.run("ls" + forged), TIMEOUT)
        with pytest.raises(asyncssh.ChannelOpenError):
            await asyncio.wait_for(conn.create_process(subsystem="sftp" + forged), TIMEOUT)
        async with student(lab, term="xterm" + forged) as terminal:
            await terminal.shows(FIRST_SCREEN)
    messages = [record.getMessage() for record in caplog.records]
    assert all(message.isprintable() for message in messages), messages
    assert not any(message.startswith("2026-11-30 09:00:00 login: teacher") for message in messages)
    assert any("login: teacher" in message for message in messages), "the forged text is shown, escaped"


async def test_a_session_whose_app_cannot_start_says_so_and_ends(
    lab_config: LabConfig, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def cannot_fork(*args) -> None:
        raise ConnectionError("out of processes")

    # Neither from the zygote nor as a fresh process.
    monkeypatch.setattr(Zygote, "launch", cannot_fork)
    monkeypatch.setattr(spawn, "command", lambda data, lesson: ["/nonexistent/gdtui"])
    async with running(lab_config) as lab, student(lab) as terminal:
        assert await terminal.ends() == 1
        assert "gdtui could not start" in terminal.raw.decode()
        assert not lab.sessions
    assert "the zygote could not start it (out of processes): starting a fresh process" in caplog.text


# Modes a terminal starts with on: autowrap and a visible cursor. Every other DEC mode starts off.
MODES_ON_AT_START = {7, 25}
ALTERNATE_SCREEN = {47, 1047, 1049}
SEQUENCE = re.compile(rb"\x1b\[\?([\d;]+)([hl])|\x1b\[([<>])(\d*)u")


def left_on(output: bytes) -> dict[str, object]:
    """What a terminal would still have on after this output, away from its defaults: DEC private
    modes, and the kitty keyboard protocol's flags, kept on each screen's own stack."""
    modes: dict[int, bool] = {}
    stacks = {"main": 0, "alternate": 0}
    screen = "main"
    for found in SEQUENCE.finditer(output):
        if found[1]:
            for mode in map(int, found[1].split(b";")):
                modes[mode] = found[2] == b"h"
                if mode in ALTERNATE_SCREEN:
                    screen = "alternate" if modes[mode] else "main"
        elif found[3] == b">":
            stacks[screen] += 1
        else:
            stacks[screen] = max(0, stacks[screen] - int(found[4] or 1))
    astray: dict[str, object] = {f"?{mode}": on for mode, on in modes.items() if on != (mode in MODES_ON_AT_START)}
    return astray | {f"kitty keyboard on the {name} screen": depth for name, depth in stacks.items() if depth}


async def test_an_app_the_server_has_to_kill_leaves_the_terminal_as_it_found_it(lab_config: LabConfig) -> None:
    lab = Lab(replace(lab_config, kill_grace_s=0.5))
    await lab.start()
    try:
        async with student(lab) as terminal:
            await terminal.shows(FIRST_SCREEN)
            turned_on = left_on(bytes(terminal.raw))
            assert "?1004" in turned_on and "kitty keyboard on the alternate screen" in turned_on
            # Stopped, the app cannot end itself when asked: the server kills it.
            os.killpg(only_session(lab).process.pid, signal.SIGSTOP)
            await lab.stop()
            assert await terminal.ends() == 128 + signal.SIGKILL
            assert left_on(bytes(terminal.raw)) == {}
            assert "shutting down" in terminal.raw.decode(errors="replace")
    finally:
        await lab.stop()


async def test_keys_the_app_does_not_read_wait_in_the_client_not_in_the_server(lab_config: LabConfig) -> None:
    async with running(lab_config) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        session = only_session(lab)
        os.killpg(session.process.pid, signal.SIGSTOP)
        try:
            terminal.process.stdin.write(b"x" * 20_000_000)
            # Past what the server holds for the app, the client is made to wait.
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(terminal.process.stdin.drain(), 3.0)
            assert len(session._to_app) <= 2 * 2**20
        finally:
            os.killpg(session.process.pid, signal.SIGKILL)


@pytest.mark.parametrize("ended_by", ["the teacher", "the server stopping"])
async def test_a_session_whose_client_stopped_reading_ends_at_once_and_leaves_nothing_behind(
    lab_config: LabConfig, ended_by: str
) -> None:
    lab = Lab(lab_config)
    await lab.start()
    try:
        async with connect(lab) as conn:
            # A small window: the server soon has more frames than the client lets it send.
            process = await conn.create_process(term_type="xterm-256color", term_size=(200, 60), encoding=None, window=8192)
            terminal = Terminal(process, 200, 60)
            await terminal.shows(FIRST_SCREEN)
            session = only_session(lab)
            pid = session.process.pid
            terminal.reader.cancel()
            process.channel.pause_reading()
            # Redrawn whole at every resize, until frames wait in the server, and then in the app.
            sizes = itertools.cycle([(160, 50), (200, 60)])
            give_up = time.monotonic() + TIMEOUT
            while session._chan.get_write_buffer_size() < 65536:
                assert time.monotonic() < give_up, "the server never had to hold frames back"
                process.change_terminal_size(*next(sizes))
                await asyncio.sleep(0.2)
            for _ in range(10):
                process.change_terminal_size(*next(sizes))
                await asyncio.sleep(0.2)
            started = time.monotonic()
            if ended_by == "the teacher":
                session.end("gdtui: teach ended this session.", "ended")
                await asyncio.wait_for(session.done.wait(), TIMEOUT)
            else:
                await asyncio.wait_for(lab.stop(), TIMEOUT)
            took = time.monotonic() - started
            assert took < 2.0, f"ending took {took:.1f} s"
            assert not alive(pid)
    finally:
        await lab.stop()
    assert lab.hub.folder is not None and not lab.hub.folder.exists()


@pytest.mark.parametrize("then", ["reads again", "closes its channel"])
async def test_a_client_that_opens_a_huge_window_and_stops_reading_its_socket_holds_the_app_back(
    lab_config: LabConfig, monkeypatch: pytest.MonkeyPatch, then: str
) -> None:
    """A window of 2 GB lets the server send without waiting for the client's word: one that then stops
    reading its socket had the server queue every frame the app drew, megabytes a second, until it ran out of
    memory. The frames queued for a connection are bounded: past that the app waits, as under a window; and
    it goes on once the client reads again, or ends at once, its frames dropped, once the client has left."""
    monkeypatch.setattr(session_module, "QUEUED_HIGH", 2**16)  # reached soon, whatever the kernel's buffers hold
    monkeypatch.setattr(session_module, "QUEUED_LOW", 2**14)
    lab = Lab(lab_config)
    await lab.start()
    try:
        async with connect(lab) as conn:
            process = await conn.create_process(term_type="xterm-256color", term_size=(200, 60), encoding=None, window=2**31 - 1)
            terminal = Terminal(process, 200, 60)
            await terminal.shows(FIRST_SCREEN)
            session = only_session(lab)
            server_side = session._chan.get_extra_info("connection")._transport
            terminal.reader.cancel()
            conn._transport.pause_reading()  # not asyncssh's channel, which would read on: the socket itself
            sizes = itertools.cycle([(160, 50), (200, 60)])
            give_up = time.monotonic() + TIMEOUT
            while not session._backlogged:  # a redraw whole, thirty times a second
                assert time.monotonic() < give_up, "the app was never held back"
                process.change_terminal_size(*next(sizes))
                await asyncio.sleep(1 / 30)
            queued = []
            for _ in range(60):  # two seconds more: what is queued no longer grows
                process.change_terminal_size(*next(sizes))
                await asyncio.sleep(1 / 30)
                queued.append(server_side.get_write_buffer_size())
            assert session._backlogged, "the app is held back while the client takes nothing"
            assert max(queued) - queued[0] <= 2**16, f"queued for a client that does not read: {queued[0]:,} → {max(queued):,}"
            if then == "reads again":
                conn._transport.resume_reading()
                while session._backlogged:  # so does the server, the app's frames
                    assert time.monotonic() < give_up, "the app was held back after the client had read all"
                    await asyncio.sleep(0.05)
            else:
                process.channel.close()
                started = time.monotonic()
                await asyncio.wait_for(session.done.wait(), TIMEOUT)
                assert time.monotonic() - started < 2.0, "the app waited on frames no one would take"
                assert session.process.returncode != -signal.SIGKILL, "killed, not ended: its closing work lost"
    finally:
        await lab.stop()


async def test_a_flood_of_window_changes_resizes_the_app_a_few_times_and_to_the_last_size(
    lab_config: LabConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each window change the server passes on makes the app redraw: a client sending thousands a second took the
    lab's CPU from everyone. Passed on at most every RESIZE_EVERY_S, the last size always."""
    sizes: list[tuple[int, int]] = []
    resize = session_module.set_window_size
    monkeypatch.setattr(session_module, "set_window_size", lambda fd, *size: (sizes.append(size), resize(fd, *size)))
    async with running(lab_config) as lab, student(lab) as terminal:
        await terminal.shows(FIRST_SCREEN)
        sizes.clear()
        started = time.monotonic()
        for n in range(500):
            terminal.process.change_terminal_size(100 + n % 50, 30)
        terminal.process.change_terminal_size(80, 24)  # back to the size of the terminal the test reads
        await eventually(lambda: sizes and sizes[-1] == (80, 24), "the last size passed on")
        most = (time.monotonic() - started) / session_module.RESIZE_EVERY_S + 2
        assert len(sizes) <= most, f"{len(sizes)} resizes passed on in {time.monotonic() - started:.2f} s"
        terminal.press("2")
        await terminal.shows("13,002 parameters")


async def test_a_session_with_keys_typed_far_ahead_ends_at_once(lab_config: LabConfig) -> None:
    """Tens of kilobytes of keys waiting in the app (a key held down, a paste) must not make it
    work through them all before it ends."""
    lab = Lab(lab_config)
    await lab.start()
    try:
        async with connect(lab) as conn:
            process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
            terminal = Terminal(process, 80, 24)
            await terminal.shows(FIRST_SCREEN)
            session = only_session(lab)
            pid = session.process.pid
            process.stdin.write(b"nprnpr" * 6000)
            await asyncio.sleep(0.5)  # in the app's hands by now
            started = time.monotonic()
            session.end("gdtui: teach ended this session.", "ended")
            await asyncio.wait_for(session.done.wait(), TIMEOUT)
            took = time.monotonic() - started
            assert took < 2.0, f"ending took {took:.1f} s"
            assert not alive(pid)
    finally:
        await lab.stop()
