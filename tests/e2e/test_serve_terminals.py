"""What a student's client says about its terminal: its size, its type, its environment; and what
the server gives back when it has to end an app itself."""

from __future__ import annotations

import pytest

from gdtui.serve.server import LabConfig
from tests.e2e.lab import FIRST_SCREEN, Terminal, app_environment, connect, only_session, running

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
    junk = {f"JUNK_{n}": "x" * 30_000 for n in range(300)}
    sent = junk | {"COLORTERM": "truecolor", "NO_COLOR": "y" * 1000, "LD_PRELOAD": "/tmp/evil.so", "HOME": "/"}
    async with running(lab_config) as lab, connect(lab) as conn:
        process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None, env=sent)
        terminal = Terminal(process, 80, 24)
        try:
            await terminal.shows(FIRST_SCREEN)
            session = only_session(lab)
            # Nothing else is kept, not even for a while: 300 of those made 9 MB.
            assert dict(session.environment) == {"COLORTERM": "truecolor"}
            app = app_environment(session)
            assert app["COLORTERM"] == "truecolor"
            assert "NO_COLOR" not in app and "LD_PRELOAD" not in app and "JUNK_0" not in app
            assert app["HOME"] == str(lab.sessions_dir / "student")
        finally:
            terminal.reader.cancel()
