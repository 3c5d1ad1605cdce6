"""The teacher's dashboard under Pilot, linked to a stand-in for the lab's hub."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable, Input

from gdtui import channel
from gdtui.ui import report
from gdtui.ui.screens.teacher import ConfirmEnd, MessagePrompt, RecordScreen, StepPrompt, TeacherScreen, duration
from gdtui.ui.teacher import TeacherApp
from tests.helpers import notices, screen_text, wait_for

ADA = {"id": 2, "name": "ada", "connected_s": 300.0, "idle_s": 5.0, "reporting": True, "step": 3, "quiz": [2, 3]}
ALAN = {
    "id": 3,
    "name": "alan",
    "connected_s": 60.0,
    "idle_s": 200.0,
    "reporting": True,
    "step": 6,
    "steps": 1200,
    "accuracy": 0.6,
    "best": 0.8,
}
GONE = {"id": -1, "name": "bob", "connected_s": 900.0, "idle_s": 30.0, "reporting": False, "state": "left", "beat": 12}
CUT = GONE | {"id": -2, "name": "cy", "state": "cut", "quiz": [1, 2], "best": 0.5}
RECORD = [
    {
        "session": "a1",
        "name": "[b]ada",
        "login": "2027-01-15T08:00:00Z",
        "logout": None,
        "last_key": None,
        "beat": 4,
        "quiz": [2, 3],
        "answers": "RWR",
        "best_accuracy": 0.8766,
        "steps": 1500,
        "models_saved": 2,
    },
    {"session": "b2", "name": "bob", "login": "2027-01-15T08:05:00Z", "logout": "2027-01-15T09:00:00Z", "ended": "dropped"},
    {"session": "c3", "name": "cy", "login": "2027-01-15T08:06:00Z", "logout": None, "cut": "2027-01-15T08:08:08Z"},
]


class FakeHub:
    """The hub's end of the teacher's link: rosters to send, commands received."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []
        self.writer: asyncio.StreamWriter | None = None

    async def connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        while line := await reader.readline():
            self.lines.append(line)

    def said(self) -> list[dict]:
        return [json.loads(line) for line in self.lines if line != b"the-token\n"]

    def commands(self) -> list[dict]:
        return [message for message in self.said() if message != {"shown": True}]

    def roster(self, *rows: dict) -> None:
        assert self.writer is not None
        self.writer.write(channel.encode({"roster": list(rows)}))

    def done(self, command: str, reached: int) -> None:
        assert self.writer is not None
        self.writer.write(channel.encode({"done": command, "reached": reached}))

    def record(self, rows: list, total: int) -> None:
        assert self.writer is not None
        self.writer.write(channel.encode({"record": rows, "total": total}))


@pytest.fixture
async def hub(tmp_path: Path):
    fake = FakeHub()
    path = tmp_path / "hub"
    server = await asyncio.start_unix_server(fake.connected, path)
    fake.path = str(path)  # type: ignore[attr-defined]
    yield fake
    server.close()


def names(screen: TeacherScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [str(table.get_row_at(row)[0]) for row in range(table.row_count)]


def cell(screen: TeacherScreen, name: str, column: int) -> str:
    table = screen.query_one(DataTable)
    return str(table.get_row_at(names(screen).index(name))[column])


async def dashboard(pilot, hub: FakeHub) -> TeacherScreen:
    app = pilot.app
    await wait_for(pilot, lambda: hub.writer is not None and hub.lines, "the dashboard to link")
    assert hub.lines[0] == b"the-token\n"
    hub.roster(ADA, ALAN)
    await wait_for(pilot, lambda: app.dashboard.query_one(DataTable).row_count == 2, "two students")
    return app.dashboard


async def test_the_dashboard_shows_each_student_and_follows_the_hub(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        assert names(screen) == ["ada", "alan"]
        assert (cell(screen, "ada", 2), cell(screen, "ada", 4)) == ("3 Cost", "2/3")
        assert (cell(screen, "alan", 2), cell(screen, "alan", 5), cell(screen, "alan", 6)) == ("6 Training", "1,200", "80.0%")
        # Every column fits at 80 columns.
        table = screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width
        hub.roster(ADA | {"step": 5}, ALAN)
        await wait_for(pilot, lambda: cell(screen, "ada", 2) == "5 Two params", "ada's new step")
        hub.roster(ALAN)
        await wait_for(pilot, lambda: names(screen) == ["alan"], "ada gone")


async def test_long_names_leave_every_column_on_screen_at_80_columns_and_read_apart(hub: FakeHub) -> None:
    """A name of 32 characters, as a roster allows, pushed Idle off the screen and cut Best's per cent sign."""
    long = [ADA | {"id": 7, "name": "ada_lovelace-byron.countess-of-" + end} for end in "xl"]
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        hub.roster(long[0], long[1] | {"id": 8}, ALAN)
        await wait_for(pilot, lambda: len(names(screen)) == 3, "three rows")
        table = screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width, "every column on screen"
        shown = names(screen)
        assert len(set(shown)) == 3 and "alan" in shown, shown
        assert "Idle" in screen_text(app) and "80.0%" in screen_text(app)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen), "the record")
        hub.record([{"session": f"s{n}", "name": row["name"], "login": "2027-01-15T08:00:00Z"} for n, row in enumerate(long)], 2)
        await wait_for(pilot, lambda: app.screen.query_one(DataTable).row_count == 2, "the record's rows")
        record_table = app.screen.query_one(DataTable)
        cut = {str(record_table.get_row_at(row)[0]) for row in range(2)}
        assert len(cut) == 2, cut


async def test_every_column_stays_on_screen_as_the_class_changes_and_the_terminal_with_it(hub: FakeHub) -> None:
    """A DataTable's columns only ever grow: a long name arriving after the first roster, a count once large, a
    terminal made narrower, or a scrollbar, each pushed Idle off an 80-column dashboard again."""
    long = [ALAN | {"id": 10 + n, "name": f"ada_lovelace-byron.countess-{n:04d}"} for n in range(30)]
    wide = ALAN | {"id": 9, "name": "zed", "step": 5, "steps": 1_234_567, "quiz": [10, 12], "connected_s": 4000.0}
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        table = screen.query_one(DataTable)

        async def all_on_screen(rows: list[dict], what: str) -> None:
            hub.roster(*rows)
            await wait_for(pilot, lambda: len(names(screen)) == len(rows), what)
            await pilot.pause()
            assert table.virtual_size.width <= table.scrollable_content_region.width, what

        await all_on_screen([*long[:2], wide], "a wide row at 120 columns")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await all_on_screen([*long[:2], wide], "the same at 80")
        await all_on_screen(long[:2], "the wide row gone")
        await all_on_screen(long, "thirty rows, with a scrollbar")
        assert "Idle" in screen_text(app)


async def test_the_teacher_has_a_help_that_says_what_each_column_is_of(hub: FakeHub) -> None:
    """? did nothing: nothing said that Beat, Quiz and Best are of the last 12 hours while On and Steps are of the
    session now, nor that r reverses the order."""
    from gdtui.serve.hub import GONE_SHOWN_S
    from gdtui.ui.screens.help import HelpScreen

    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        assert "? help" in screen_text(app), "said where the key bar has no room for it"
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        text = app.screen.text
        assert f"last {GONE_SHOWN_S // 3600} hours" in text and "`r` Reverse" in text and "session now" in text
        assert "1–8" not in text, "the lesson's keys are not the dashboard's"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TeacherScreen), "the dashboard again")


async def test_the_dashboard_says_once_it_is_shown(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        await wait_for(pilot, lambda: {"shown": True} in hub.said(), "the dashboard shown")
        assert hub.said().count({"shown": True}) == 1


async def test_filter_and_sort(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        await pilot.press("s")  # by time connected: alan came later
        assert names(screen) == ["alan", "ada"]
        assert "sorted by On ↑" in screen_text(app), "the column as its heading names it"
        await pilot.press("r")
        assert names(screen) == ["ada", "alan"]
        await pilot.press("s", "s", "s", "s", "s", "s", "s")  # round to the name again, still reversed
        assert names(screen) == ["alan", "ada"]
        await pilot.press("r", "slash", "a", "d", "s")  # typed into the filter: no sorting
        assert names(screen) == []
        await pilot.press("backspace")
        assert names(screen) == ["ada"]
        await pilot.press("escape", "s")
        assert screen.query_one(DataTable).has_focus
        await pilot.press("slash", "backspace", "backspace", "t", "r", "a", "i", "n")  # by step too
        assert names(screen) == ["alan"]


async def test_a_message_to_one_student_and_to_all(hub: FakeHub) -> None:
    """Each says whom it reached as the hub tells it: "Sent to x.y." was said at Enter, of a student whose session had
    just ended, to whom the hub had sent nothing."""
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        await pilot.press("down", "m")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagePrompt), "the message prompt")
        await pilot.press(*"[b]hi", "enter", "enter")
        await wait_for(pilot, lambda: hub.commands(), "the message sent")
        assert hub.commands() == [{"say": "[b]hi", "to": 3}]
        assert not any("Sent" in notice for notice in notices(app)), "not before the hub says so"
        hub.done("say", 0)
        await wait_for(pilot, lambda: any("alan has left: the message was not sent" in n for n in notices(app)), "told")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagePrompt), "the message prompt")
        await pilot.press(*"break", "enter")
        await wait_for(pilot, lambda: len(hub.commands()) == 2, "the message to all")
        assert hub.commands()[-1] == {"say": "break", "to": None}
        hub.done("say", 2)
        await wait_for(pilot, lambda: any("Sent to 2 students." in n for n in notices(app)), "the count")
        await pilot.press("g", "3")
        await wait_for(pilot, lambda: len(hub.commands()) == 3, "the step sent")
        hub.done("go", 0)
        await wait_for(pilot, lambda: any("No student is logged in" in n for n in notices(app)), "nobody brought")
        await pilot.press("a", "escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TeacherScreen) and len(hub.commands()) == 3


async def test_the_message_prompt_counts_what_it_takes_and_says_when_it_is_full(hub: FakeHub) -> None:
    """Past 200 characters the field took no key, without a word: the rest of a sentence seemed lost."""
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagePrompt), "the message prompt")
        assert "0 of 200 characters" in screen_text(app)
        await pilot.press(*"hello")
        await wait_for(pilot, lambda: "5 of 200 characters" in screen_text(app), "the count")
        app.screen.query_one(Input).value = "x" * 200
        await wait_for(pilot, lambda: "200 of 200 characters: no more" in screen_text(app), "full")


async def test_roster_names_that_are_markup_show_as_written(hub: FakeHub) -> None:
    hostile = ("[bold red]x[/]", "[@click=app.quit]q[/]", "run[eta=1.5]\\")
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await dashboard(pilot, hub)
        hub.roster(*(ADA | {"id": 10 + i, "name": name} for i, name in enumerate(hostile)))
        await wait_for(pilot, lambda: sorted(names(screen)) == sorted(hostile), "the hostile roster")
        for name in hostile:
            assert name in screen_text(app)
        first = names(screen)[0]
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagePrompt), "the message prompt")
        assert first in screen_text(app)
        await pilot.press("h", "enter")
        await wait_for(pilot, lambda: hub.commands(), "the message sent")
        hub.done("say", 1)
        await wait_for(pilot, lambda: f"Sent to {first}." in notices(app), "the message's receipt")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the confirmation")
        assert f"End {first}'s session?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: f"Ending {first}'s session." in notices(app), "the notice")
    assert app._exception is None


async def test_a_command_given_while_the_link_is_down_is_said_not_sent(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given between a lost link and the next, a message was dropped without a word, and its receipt was then read
    as the next command's: '3 students brought to everyone.'"""
    monkeypatch.setattr(report, "RETRY_S", 60.0)
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        assert hub.writer is not None
        hub.writer.close()
        await wait_for(pilot, lambda: screen.linked is False, "the link lost")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, MessagePrompt), "the message prompt")
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: any("nothing was sent" in n for n in notices(app)), "told")
        assert not screen._asked, "no receipt awaited for what was not sent"


async def test_everyone_to_a_step(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, StepPrompt), "the step prompt")
        await pilot.press("4", "5")  # a burst: the second key finds the prompt gone
        await wait_for(pilot, lambda: hub.commands(), "the command sent")
        await pilot.pause()
        assert hub.commands() == [{"go": 4, "to": None}]


async def test_ending_a_session_asks_first(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmEnd), "the confirmation")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, TeacherScreen), "the dashboard again")
        await pilot.press("e", "y", "y")
        await wait_for(pilot, lambda: hub.commands(), "the end sent")
        await pilot.pause()
        assert hub.commands() == [{"end": 2}]


async def test_a_lost_link_is_linked_again(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report, "RETRY_S", 0.05)
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        first = hub.writer
        assert first is not None
        first.close()
        await wait_for(pilot, lambda: hub.writer is not first, "the dashboard to link again")
        hub.roster(ALAN)
        await wait_for(pilot, lambda: names(app.dashboard) == ["alan"], "the new link's roster")
        assert hub.lines.count(b"the-token\n") == 2


async def test_a_session_that_is_over_shows_its_figures_and_takes_no_command(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        hub.roster(ADA, ALAN, GONE, CUT)
        await wait_for(pilot, lambda: len(names(screen)) == 4, "four rows")
        assert (cell(screen, "bob", 2), cell(screen, "bob", 3)) == ("logged out", "12")  # a record kept before endings
        assert (cell(screen, "cy", 2), cell(screen, "cy", 4), cell(screen, "cy", 6)) == ("cut off", "1/2", "50.0%")
        # Four rows: what the header counts says what they are.
        assert screen.students[2].state == "left" and "2 logged in, 2 gone" in screen_text(app)
        later = time.monotonic() + 60
        # Over: how long it lasted and how idle it was at its end stay what they were.
        assert (screen.students[2].connected(later), screen.students[2].idle(later)) == (900.0, 30.0)
        await pilot.press("down", "down", "m", "e")
        await pilot.pause()
        assert isinstance(app.screen, TeacherScreen)
        assert "bob is not logged in." in notices(app)
        assert hub.commands() == []


@pytest.mark.parametrize(
    ("ended", "shown"),
    [
        ("quit", "quit"),
        ("dropped", "dropped"),
        ("ended", "ended"),
        ("idle", "idle"),
        ("removed", "removed"),
        ("shutdown", "shut down"),
        ("[b]x", "logged out"),
    ],
)
async def test_a_session_over_says_how_it_ended(hub: FakeHub, ended: str, shown: str) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        hub.roster(ADA, GONE | {"ended": ended})
        await wait_for(pilot, lambda: "bob" in names(screen), "bob's row")
        assert cell(screen, "bob", 2) == shown


async def test_the_selection_stays_on_its_student_when_their_session_ends(hub: FakeHub) -> None:
    """An ended session's row comes back under another id: the cursor went to the first row, and e then ended the
    session of a student the teacher had not chosen."""
    bob = GONE | {"id": 4, "state": "on", "reporting": True}
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await dashboard(pilot, hub)
        hub.roster(ADA, ALAN, bob)
        await wait_for(pilot, lambda: len(names(screen)) == 3, "three rows")
        await pilot.press("down", "down")
        assert screen.selected() is not None and screen.selected().name == "bob"
        hub.roster(ADA, ALAN, GONE)
        await wait_for(pilot, lambda: cell(screen, "bob", 2) == "logged out", "bob's session over")
        assert screen.selected() is not None and screen.selected().name == "bob"
        await pilot.press("e")
        await pilot.pause()
        assert "bob is not logged in." in notices(app) and hub.commands() == []
        hub.roster(ADA, ALAN, GONE, bob | {"id": 5})  # bob logs in again: a new session
        await wait_for(pilot, lambda: len(names(screen)) == 4, "bob's new session")
        assert screen.selected() is not None and screen.selected().name == "bob"


async def test_the_class_record_is_asked_for_and_shown_as_text(hub: FakeHub) -> None:
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        assert "c Record" in screen_text(app) and "q Quit" in screen_text(app), "the keys fit the key bar at 80 columns"
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen), "the record")
        await wait_for(pilot, lambda: {"record": True} in hub.commands(), "the record asked for")
        hub.record([*RECORD, {"session": "x", "name": 5}], 40)
        await wait_for(pilot, lambda: "[b]ada" in screen_text(app), "the record's rows")
        assert app.screen.query_one(DataTable).row_count == 3
        text = screen_text(app)
        assert "[b]ada" in text and "87.7%" in text and "2/3" in text
        cut = datetime.fromisoformat("2027-01-15T08:08:08+00:00").astimezone()
        assert " on " in text and f"cut {cut:%H:%M}" in text and "no logout" not in text
        logout = datetime.fromisoformat("2027-01-15T09:00:00+00:00").astimezone()
        assert f"{logout:%H:%M} dropped" in text, "how bob's session ended, beside its logout"
        assert "3 of 40 sessions" in text and "gdtui class record" in text
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width
        hub.record(RECORD[1:2], 1)
        await wait_for(pilot, lambda: "Class record: 1 session ·" in screen_text(app), "one session")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TeacherScreen), "the dashboard again")
    assert app._exception is None


async def test_a_roster_that_arrives_before_the_dashboard_is_drawn_is_shown(tmp_path: Path) -> None:
    # The link to the hub opens as the app starts: a hub that answers at once could answer before the
    # dashboard has its table.
    app = TeacherApp(str(tmp_path / "no-hub"), "the-token")
    app.dashboard.show_roster([ADA, ALAN])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "ada" in screen_text(app) and "alan" in screen_text(app), "the class")
    assert app._exception is None


async def test_a_record_that_arrives_before_its_screen_is_drawn_is_shown(hub: FakeHub) -> None:
    # The hub answers within milliseconds: its answer may reach the screen that asked before that
    # screen has its table.
    app = TeacherApp(hub.path, "the-token")  # type: ignore[attr-defined]
    async with app.run_test(size=(80, 24)) as pilot:
        await dashboard(pilot, hub)
        app.dashboard.action_record()
        app.dashboard.show_record({"record": RECORD, "total": 3})
        await wait_for(pilot, lambda: "[b]ada" in screen_text(app), "the record's rows")
        assert "Class record: 3 sessions" in screen_text(app)
    assert app._exception is None


async def test_without_the_hub_the_dashboard_says_so(tmp_path: Path) -> None:
    app = TeacherApp(str(tmp_path / "nothing"), "the-token")
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.dashboard.query_one("#status")
        await wait_for(pilot, lambda: "not connected" in str(status.render()), "the lost link shown")
        await pilot.press("e", "g", "escape", "m", "a", "escape")  # nothing to act on, nothing breaks


def test_durations() -> None:
    assert [duration(s) for s in (0, 59.9, 61, 3599, 3600, 3 * 3600 + 5 * 60, -1)] == [
        "0:00",
        "0:59",
        "1:01",
        "59:59",
        "1h00",
        "3h05",
        "0:00",
    ]


# Every key the dashboard and its prompts bind, and a few nothing binds. Not q: quitting would end the run early.
KEYS = [*"smagerdyn1234567/xc", "escape", "enter", "up", "down", "backspace", "tab", "space", "pageup", "pagedown"]
SIZES = [(80, 24), (120, 40), (20, 5), (60, 20)]
ROSTERS = [
    [ADA, ALAN],
    [ADA, GONE, CUT],
    [ALAN],
    [],
    # What no hub sends, the dashboard survives anyway.
    [{"id": "x"}, 5, ADA | {"step": 99, "quiz": [5, 1]}, ALAN | {"name": 7}],
]
_runs = itertools.count()


async def _play(folder: Path, actions: list) -> None:
    hub = FakeHub()
    path = folder / f"hub-{next(_runs)}"
    server = await asyncio.start_unix_server(hub.connected, path)
    app = TeacherApp(str(path), "the-token")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: hub.writer is not None, "the dashboard to link")
        for action in actions:
            if isinstance(action, tuple):
                await pilot.resize_terminal(*action)
            elif isinstance(action, int):
                hub.roster(*ROSTERS[action])  # type: ignore[arg-type]
            else:
                await pilot.press(action)
        await pilot.press("escape", "escape", "q")
        await pilot.pause()
    server.close()
    assert app._exception is None


@pytest.mark.slow
@pytest.mark.frames  # each frame drawn, as on a terminal: a crash anywhere in drawing one is what it looks for
# Hypothesis plays its simplest session first (100 × "s"), then random ones: two of them.
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    actions=st.lists(
        st.one_of(st.sampled_from(KEYS), st.sampled_from(SIZES), st.integers(0, len(ROSTERS) - 1)), min_size=100, max_size=200
    )
)
def test_random_keys_rosters_and_resizes_never_raise(tmp_path: Path, actions: list) -> None:
    asyncio.run(_play(tmp_path, actions))
