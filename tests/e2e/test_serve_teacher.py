"""A teacher and two students on a lab server on loopback: the dashboard, live, and what it can do."""

from __future__ import annotations

import logging
import signal
from dataclasses import replace
from pathlib import Path

import asyncssh
import pytest

from gdtui import channel
from gdtui.serve.server import LabConfig
from tests.e2e.lab import (
    FIRST_SCREEN,
    PASSWORD_HASH,
    Terminal,
    app_environment,
    connect,
    eventually,
    only_session,
    running,
    student,
)

MESSAGE = "Look at [b]step 4[/b] now"


def row(terminal: Terminal, name: str) -> str:
    """The dashboard's line for the student of that name, or ''."""
    return next((line for line in terminal.screen.display if line.split()[:1] == [name]), "")


@pytest.fixture
def teacher_lab(lab_config: LabConfig, tmp_path: Path) -> LabConfig:
    roster = tmp_path / "roster"
    roster.write_text(f"teach password:{PASSWORD_HASH}\n")
    return replace(lab_config, roster=roster, teachers=("teach",), max_sessions=3)


async def test_a_teacher_watches_two_students_messages_one_and_ends_a_session(
    teacher_lab: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(teacher_lab) as lab, student(lab, username="teach") as teacher:
        await teacher.shows("0 logged in")
        async with student(lab, username="ada") as ada, student(lab, username="alan") as alan:
            await ada.shows(FIRST_SCREEN)
            await alan.shows(FIRST_SCREEN)
            await teacher.until(lambda: "1 Digits" in row(teacher, "ada") and "1 Digits" in row(teacher, "alan"), "both students")
            assert "2 logged in" in teacher.text()

            ada.press("3")
            await teacher.until(lambda: "3 Cost" in row(teacher, "ada"), "ada's step on the dashboard")

            # Sorted by name: alan is the second row.
            teacher.press("\x1b[B")
            teacher.press("m")
            await teacher.shows("Message to alan")
            teacher.press(MESSAGE + "\r")
            await alan.shows(MESSAGE)
            assert "From teach" in alan.text()
            assert MESSAGE not in ada.text()

            teacher.press("g")
            await teacher.shows("Bring everyone to step")
            teacher.press("4")
            await ada.shows("a parabola")
            await alan.shows("a parabola")
            await teacher.until(lambda: all("4 One param" in row(teacher, name) for name in ("ada", "alan")), "both on step 4")

            teacher.press("\x1b[A")
            teacher.press("e")
            await teacher.shows("End ada's session?")
            teacher.press("y")
            # Ended by the server's SIGTERM, the app says so in its status.
            assert await ada.ends() == 128 + signal.SIGTERM
            assert "teach ended this session" in ada.raw.decode()
            # Not 'logged out', as every ending read: the teacher ended it.
            await teacher.until(lambda: "ended" in row(teacher, "ada") and row(teacher, "alan"), "ada's session over")
            assert not alan.ended
            alan.press("q")
            assert await alan.ends() == 0
            await teacher.until(lambda: "quit" in row(teacher, "alan"), "alan's session over: he quit")
    assert "teach ends session" in caplog.text
    assert "alan says" not in caplog.text


async def test_a_student_cannot_claim_the_dashboard_or_a_token(teacher_lab: LabConfig) -> None:
    claims = {channel.ROLE_VARIABLE: channel.TEACHER, channel.TOKEN_VARIABLE: "0" * 64, channel.SOCKET_VARIABLE: "/tmp/x"}
    async with running(teacher_lab) as lab, connect(lab, "ada") as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None, env=claims)
        ada = Terminal(process, 80, 24)
        try:
            await ada.shows(FIRST_SCREEN)
            (member,) = lab.hub.members.values()
            assert not member.teacher
            app = app_environment(only_session(lab))
            assert (app[channel.ROLE_VARIABLE], app[channel.TOKEN_VARIABLE]) == (channel.STUDENT, member.token)
            await eventually(lambda: member.writer is not None, "ada's app linked to the hub with the token it was given")
        finally:
            ada.reader.cancel()


async def test_a_teachers_dashboard_is_not_closed_for_idling(lab_config: LabConfig, tmp_path: Path) -> None:
    roster = tmp_path / "roster"
    roster.write_text(f"teach role:teacher password:{PASSWORD_HASH}\n")
    config = replace(lab_config, roster=roster, idle_timeout=3.0)
    async with running(config) as lab, student(lab, username="teach") as teacher, student(lab, username="ada") as ada:
        await teacher.shows("1 logged in")
        assert await ada.ends() == 128 + signal.SIGTERM
        assert "without a key press" in ada.raw.decode()
        await teacher.until(lambda: "0 logged in" in teacher.text(), "ada gone from the dashboard")
        assert not teacher.ended


async def test_a_full_lab_still_lets_its_teacher_in_and_the_teacher_takes_no_students_place(teacher_lab: LabConfig) -> None:
    async with running(replace(teacher_lab, max_sessions=1)) as lab:
        async with student(lab, username="ada") as ada:
            await ada.shows(FIRST_SCREEN)
            async with student(lab, username="alan") as alan:
                assert await alan.ends() == 1
                assert "this lab is full" in alan.raw.decode()
            async with student(lab, username="teach") as teacher:
                await teacher.shows("1 logged in")
        await eventually(lambda: not lab.sessions, "every session over")
        # In first, the teacher leaves the one place to a student.
        async with student(lab, username="teach") as teacher:
            # Seen before the student logs in: after, the dashboard counts them.
            await teacher.shows("0 logged in")
            async with student(lab, username="alan") as alan:
                await alan.shows(FIRST_SCREEN)
                await teacher.shows("1 logged in")


async def test_a_key_comment_saying_role_teacher_does_not_make_a_student_the_teacher(
    lab_config: LabConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The README's way: the student's own .pub pasted after their name, its comment chosen by them."""
    caplog.set_level(logging.WARNING, logger="gdtui.serve")
    ada_key = asyncssh.generate_private_key("ssh-ed25519", comment="role:teacher")
    roster = tmp_path / "roster"
    roster.write_text(f"ada {ada_key.export_public_key().decode()}")
    config = replace(lab_config, roster=roster, authorized_keys=None, password_hash=None)
    async with running(config) as lab, student(lab, username="ada", client_keys=[ada_key]) as ada:
        await ada.shows(FIRST_SCREEN)
        assert not only_session(lab).teacher
        (member,) = lab.hub.members.values()
        assert not member.teacher
    assert "part of the key's comment" in caplog.text
