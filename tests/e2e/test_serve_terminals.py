"""What a student's client says about its terminal: its size, its type, its environment; and what
the server gives back when it has to end an app itself."""

from __future__ import annotations

import pytest

from gdtui.serve.server import LabConfig
from tests.e2e.lab import FIRST_SCREEN, Terminal, connect, only_session, running

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
