"""A class logging in at once: sessions start their apps one after another, in the order their students came.

Each test lets one session start at a time. Where another session must hold the
only place, a number no real session gets asks for it, and never says its first
screen is shown.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from gdtui.serve.server import Lab, LabConfig
from gdtui.serve.session import STARTING
from tests.e2e.lab import FIRST_SCREEN, PASSWORD_HASH, TIMEOUT, eventually, only_session, running, student

HOLDER = 10_000  # a session drawing its first screen, as far as the lab knows: it holds the only place


@pytest.fixture
def one_at_a_time(lab_config: LabConfig) -> LabConfig:
    # No turn ends by time here: only the first screen shown, or the session over, lets the next start.
    return replace(lab_config, starting_at_once=1, first_screen_wait_s=600)


async def test_a_student_waits_their_turn_on_a_line_that_says_so(one_at_a_time: LabConfig) -> None:
    async with running(one_at_a_time) as lab:
        lab.admission.turn(HOLDER)
        async with student(lab) as terminal:
            await terminal.shows(STARTING)
            session = only_session(lab)
            assert session.process is None
            assert lab.admission.waiting == [session.number]
            lab.admission.done(HOLDER)
            await terminal.shows(FIRST_SCREEN)
    # Wiped before the app took the screen: not left to be seen, untrue, when the app gives it back.
    assert terminal.raw.startswith(f"\r\n{STARTING}\r\x1b[2K".encode())


async def test_sessions_start_in_the_order_their_students_came_each_once_the_one_before_is_shown(
    one_at_a_time: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(one_at_a_time) as lab:
        lab.admission.turn(HOLDER)
        async with student(lab, username="ada") as ada:
            await ada.shows(STARTING)
            async with student(lab, username="alan") as alan:
                await alan.shows(STARTING)
                lab.admission.done(HOLDER)
                # Alan's turn comes only when Ada's app says its first screen is drawn: no turn ends by time.
                await ada.shows(FIRST_SCREEN)
                await alan.shows(FIRST_SCREEN)
    started = [record.args[1] for record in caplog.records if record.msg.startswith("session %d started")]
    assert started == ["ada", "alan"]


async def test_a_teachers_dashboard_says_when_it_is_shown_as_an_app_does(one_at_a_time: LabConfig, tmp_path: Path) -> None:
    roster = tmp_path / "roster"
    roster.write_text(f"teach password:{PASSWORD_HASH}\n")
    config = replace(one_at_a_time, roster=roster, teachers=("teach",), max_sessions=3)
    async with running(config) as lab, student(lab, username="teach") as teacher:
        await teacher.shows("0 logged in")
        async with student(lab, username="ada") as ada:
            await ada.shows(FIRST_SCREEN)


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_a_student_who_leaves_while_waiting_gives_up_their_place(one_at_a_time: LabConfig) -> None:
    async with running(one_at_a_time) as lab:
        lab.admission.turn(HOLDER)
        async with student(lab) as terminal:
            await terminal.shows(STARTING)
        await eventually(lambda: not lab.sessions and not lab.admission.waiting, "the session over, and out of the line")
        assert lab.admission.starting == [HOLDER]


@pytest.mark.usefixtures("zygote_cannot_start")
async def test_the_lab_stops_without_waiting_for_a_session_still_waiting_its_turn(one_at_a_time: LabConfig) -> None:
    lab = Lab(one_at_a_time)
    await lab.start()
    stopped = False
    try:
        lab.admission.turn(HOLDER)
        async with student(lab) as terminal:
            await terminal.shows(STARTING)
            await asyncio.wait_for(lab.stop(), TIMEOUT)
            stopped = True
            await terminal.shows("shutting down")
            assert await terminal.ends() == 1
    finally:
        if not stopped:
            await lab.stop()


async def test_a_session_that_never_says_its_screen_is_shown_holds_the_next_up_only_so_long(
    lab_config: LabConfig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="gdtui.serve")
    async with running(replace(lab_config, starting_at_once=1, first_screen_wait_s=0.5)) as lab:
        lab.admission.turn(HOLDER)
        async with student(lab) as terminal:
            await terminal.shows(FIRST_SCREEN)
    assert f"session {HOLDER} has not shown its first screen after 0.5 s" in caplog.text
