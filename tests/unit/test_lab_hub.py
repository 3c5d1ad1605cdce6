"""The lab's hub without SSH: sessions' tokens, what they may say, and what a teacher may do."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from gdtui import channel
from gdtui.core.errors import GdtuiError
from gdtui.serve import hub as hub_module
from gdtui.serve import record
from gdtui.serve.hub import Hub, Member
from gdtui.serve.record import ClassRecord
from gdtui.serve.server import Lab as LabServer
from gdtui.serve.server import LabConfig

WAIT_S = 10.0


class Client:
    """One session's end of the channel, as an app would hold it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def send(self, message: dict | bytes) -> None:
        self.writer.write(message if isinstance(message, bytes) else channel.encode(message))

    async def receive(self) -> dict:
        line = await asyncio.wait_for(self.reader.readline(), WAIT_S)
        assert line, "the hub closed the connection"
        return json.loads(line)

    async def until(self, check, what: str) -> dict:
        """The first message check() accepts, skipping others."""
        give_up = time.monotonic() + WAIT_S
        while time.monotonic() < give_up:
            message = await self.receive()
            if check(message):
                return message
        raise AssertionError(f"no {what}")

    async def closed(self) -> bool:
        """Whether the hub closes the connection (reading to its end)."""
        while True:
            line = await asyncio.wait_for(self.reader.readline(), WAIT_S)
            if not line:
                return True

    async def quiet(self) -> bool:
        """Whether nothing arrives for a moment: what must not reach a student."""
        try:
            line = await asyncio.wait_for(self.reader.readline(), 3 * hub_module.PUSH_EVERY_S)
        except TimeoutError:
            return True
        return not line


class Lab:
    """A hub with sessions joined, and the sessions it was asked to end."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.ended: list[tuple[int, str]] = []
        self.shown: list[int] = []
        self.keys: dict[int, float] = {}
        self.tokens: dict[int, str] = {}

    def join(self, number: int, name: str, teacher: bool = False) -> dict[str, str]:
        self.keys[number] = time.monotonic()
        env = self.hub.join(number, name, teacher=teacher, last_key=lambda: self.keys[number])
        self.tokens[number] = env[channel.TOKEN_VARIABLE]
        return env

    async def connect(self, number: int) -> Client:
        """Session number's connection, once the hub knows whose it is."""
        reader, writer = await asyncio.open_unix_connection(self.hub.path, limit=channel.LINE_BYTES)  # as the apps read
        client = Client(reader, writer)
        client.send(f"{self.tokens[number]}\n".encode())
        (member,) = (member for member in self.hub.members.values() if member.number == number)
        deadline = time.monotonic() + WAIT_S
        while member.writer is None and member.token in self.hub.members and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return client


@asynccontextmanager
async def running(tmp_path: Path) -> AsyncIterator[Lab]:
    lab: Lab
    hub = Hub(lambda number, reason: lab.ended.append((number, reason)), folder=tmp_path, shown=lambda n: lab.shown.append(n))
    lab = Lab(hub)
    await hub.start()
    try:
        yield lab
    finally:
        await hub.stop()


def row_of(message: dict, name: str) -> dict | None:
    return next((row for row in message.get("roster", ()) if row["name"] == name), None)


async def test_the_socket_is_in_a_folder_only_the_server_can_open_and_goes_with_it(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        folder = lab.hub.path.parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_ISSOCK(lab.hub.path.stat().st_mode)
    assert not folder.exists()


async def test_a_session_is_given_where_the_hub_is_its_own_token_and_its_role(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        ada = lab.join(1, "ada")
        grace = lab.join(2, "grace", teacher=True)
    assert ada[channel.SOCKET_VARIABLE] == grace[channel.SOCKET_VARIABLE]
    assert ada[channel.TOKEN_VARIABLE] != grace[channel.TOKEN_VARIABLE]
    assert len(ada[channel.TOKEN_VARIABLE]) >= 32
    assert (ada[channel.ROLE_VARIABLE], grace[channel.ROLE_VARIABLE]) == (channel.STUDENT, channel.TEACHER)


async def test_a_teacher_sees_each_students_progress_as_it_changes(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        lab.join(3, "alan")
        teacher = await lab.connect(1)
        first = await teacher.receive()
        assert [row["name"] for row in first["roster"]] == ["ada", "alan"]
        ada = await lab.connect(2)
        ada.send({"progress": {"step": 3, "beat": 7, "quiz": [2, 3], "steps": 120, "accuracy": 0.5}})
        shown = await teacher.until(lambda m: (row_of(m, "ada") or {}).get("step") == 3, "ada on step 3")
        row = row_of(shown, "ada")
        assert row is not None
        assert (row["beat"], row["quiz"], row["steps"], row["accuracy"], row["reporting"]) == (7, [2, 3], 120, 0.5, True)
        assert (row["best"], row["state"]) == (0.5, "on")
        ada.send({"progress": {"step": 3, "beat": 7, "quiz": [2, 3], "steps": 130, "accuracy": 0.25}})
        shown = await teacher.until(lambda m: (row_of(m, "ada") or {}).get("steps") == 130, "ada's next steps")
        assert row_of(shown, "ada")["best"] == 0.5  # type: ignore[index]
        assert row_of(shown, "alan") == row_of(shown, "alan") | {"reporting": False}
        # A key press is news too, though the app never says it: the server saw it.
        lab.keys[3] = time.monotonic() + 60
        await teacher.until(lambda m: (row_of(m, "alan") or {}).get("idle_s") == 0, "alan's key press")


async def test_a_student_who_leaves_stays_on_the_roster_as_gone_and_their_token_opens_nothing(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        teacher = await lab.connect(1)
        ada = await lab.connect(2)
        ada.send({"progress": {"step": 3, "beat": 4, "quiz": [1, 1], "steps": 50, "accuracy": 0.75}})
        await teacher.until(lambda m: (row_of(m, "ada") or {}).get("best") == 0.75, "ada's best accuracy")
        lab.hub.leave(2)
        assert await ada.closed()
        gone = await teacher.until(lambda m: (row_of(m, "ada") or {}).get("state") == "left", "ada gone")
        row = row_of(gone, "ada")
        assert row is not None
        assert (row["beat"], row["quiz"], row["steps"], row["best"], row["reporting"]) == (4, [1, 1], 50, 0.75, False)
        assert row["id"] < 0, "no command reaches a session that is over"
        reader, writer = await asyncio.open_unix_connection(lab.hub.path)
        again = Client(reader, writer)
        again.send(f"{lab.tokens[2]}\n".encode())
        assert await again.closed()


@pytest.mark.parametrize("first_line", [b"not a token\n", b"\xff\xfe\x00garbage\n", b"\n", b"{}\n"])
async def test_a_connection_without_a_token_it_was_given_is_closed(tmp_path: Path, first_line: bytes) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "ada")
        reader, writer = await asyncio.open_unix_connection(lab.hub.path)
        client = Client(reader, writer)
        client.send(first_line)
        assert await client.closed()
        assert lab.hub.students()[0].writer is None


async def test_a_first_line_that_is_not_ascii_is_refused_as_any_other_not_a_failure_of_the_hub(tmp_path: Path) -> None:
    failures: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: failures.append(context))
    async with running(tmp_path) as lab:
        lab.join(1, "ada")
        reader, writer = await asyncio.open_unix_connection(lab.hub.path)
        client = Client(reader, writer)
        client.send("\N{GREEK SMALL LETTER ALPHA}\n".encode())
        assert await client.closed()
    assert failures == []


async def test_a_connection_that_never_says_whose_it_is_is_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "TOKEN_WAIT_S", 0.2)
    async with running(tmp_path) as lab:
        reader, writer = await asyncio.open_unix_connection(lab.hub.path)
        assert await Client(reader, writer).closed()


async def test_one_token_opens_one_connection_at_a_time(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        first = await lab.connect(1)
        await first.receive()
        second = await lab.connect(1)
        assert await second.closed()


async def test_a_student_cannot_act_as_a_teacher(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "ada")
        lab.join(2, "alan")
        ada = await lab.connect(1)
        alan = await lab.connect(2)
        ada.send({"say": "free pizza", "to": None})
        ada.send({"go": 7})
        ada.send({"end": 2})
        ada.send({"roster": []})
        assert await alan.quiet()
        assert lab.ended == []


async def test_a_teachers_message_reaches_one_student_or_all(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        lab.join(3, "alan")
        teacher, ada, alan = [await lab.connect(n) for n in (1, 2, 3)]
        teacher.send({"say": "Ada: look at step 4", "to": 2})
        assert await ada.receive() == {"say": "Ada: look at step 4", "from": "teach"}
        assert await alan.quiet()
        teacher.send({"say": "Break\n\x1b[2J  over [b]now[/b]", "to": None})
        for student in (ada, alan):
            # One printable line, markup and all: the app shows it as text.
            assert await student.receive() == {"say": "Break [2J over [b]now[/b]", "from": "teach"}


async def test_a_teacher_hears_how_many_students_a_message_or_a_step_reached(tmp_path: Path) -> None:
    """The dashboard said "Sent to x.y." of a student gone before Enter, and "Sent to everyone." to an empty lab."""
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        teacher, ada = await lab.connect(1), await lab.connect(2)
        teacher.send({"say": "hello", "to": 9})
        teacher.send({"say": "hello", "to": 2})
        teacher.send({"go": 3, "to": None})
        receipts = [message for message in [await teacher.receive() for _ in range(4)] if "reached" in message][:3]
        assert receipts == [{"done": "say", "reached": 0}, {"done": "say", "reached": 1}, {"done": "go", "reached": 1}]
        assert await ada.receive() == {"say": "hello", "from": "teach"}


async def test_a_teacher_brings_students_to_a_step_and_only_to_a_step_there_is(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        teacher, ada = await lab.connect(1), await lab.connect(2)
        for nonsense in (0, channel.STEPS + 1, "3", True, 2.0, None):
            teacher.send({"go": nonsense})
        teacher.send({"go": 4})
        assert await ada.receive() == {"go": 4}


async def test_a_teacher_ends_a_students_session_and_no_other(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        lab.join(3, "teach2", teacher=True)
        teacher = await lab.connect(1)
        teacher.send({"end": 3})  # a teacher's session is no student's to end
        teacher.send({"end": None})
        teacher.send({"end": 99})
        teacher.send({"end": 2})
        deadline = time.monotonic() + WAIT_S
        while not lab.ended and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert [number for number, _ in lab.ended] == [2]
        assert "teach" in lab.ended[0][1]


async def test_a_line_past_the_limit_closes_that_connection_and_the_hub_carries_on(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        lab.join(3, "alan")
        teacher = await lab.connect(1)
        ada, alan = await lab.connect(2), await lab.connect(3)
        ada.send(b"x" * (channel.LINE_BYTES + 10))
        assert await ada.closed()
        alan.send({"progress": {"step": 2}})
        await teacher.until(lambda m: (row_of(m, "alan") or {}).get("step") == 2, "alan on step 2")


async def test_garbage_and_oversized_progress_are_ignored(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        teacher, ada = await lab.connect(1), await lab.connect(2)
        for line in (b"\x00\xff{\n", b"[1,2]\n", b"nan\n", b'{"progress": 5}\n', b'{"progress": {"step": "two"}}\n'):
            ada.send(line)
        ada.send({"progress": {"step": 2, "padding": "x" * channel.PROGRESS_BYTES}})
        ada.send({"progress": {"step": 5}})
        shown = await teacher.until(lambda m: "step" in (row_of(m, "ada") or {}), "ada's step")
        assert row_of(shown, "ada")["step"] == 5  # type: ignore[index]


async def test_a_students_line_too_long_to_be_progress_is_never_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Parsing a line of the most the hub reads, a list of 130,000 numbers, takes 20 ms: fifty a
    # second, all a connection may send, would take the whole of the server's time.
    parsed: list[int] = []
    decode = channel.decode
    monkeypatch.setattr(channel, "decode", lambda line: parsed.append(len(line)) or decode(line))
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        teacher, ada = await lab.connect(1), await lab.connect(2)
        numbers = ",".join(["1"] * (channel.LINE_BYTES // 2 - 100))
        for _ in range(3):
            ada.send(f'{{"progress": {{"steps": [{numbers}]}}}}\n'.encode())
        ada.send({"progress": {"step": 5}})
        shown = await teacher.until(lambda m: "step" in (row_of(m, "ada") or {}), "ada's step")
        assert row_of(shown, "ada")["step"] == 5  # type: ignore[index]
    assert max(parsed) <= channel.PROGRESS_BYTES


async def test_a_session_over_says_how_it_ended_to_the_teacher_and_in_the_record(tmp_path: Path) -> None:
    """'logged out' was said of a student who quit, one whose connection dropped, one the teacher ended, one closed
    for idling, one taken off the class and one the server's stop ended."""
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        for number, name in enumerate(("ada", "alan", "bea", "cy", "di", "ed"), start=2):
            lab.join(number, name)
        teacher = await lab.connect(1)
        for number, how in enumerate(("quit", "dropped", "ended", "idle", "removed", "shutdown"), start=2):
            lab.hub.leave(number, how)
        roster = {}
        while len([row for row in roster.values() if row["state"] == "left"]) < 6:
            roster = {row["name"]: row for row in (await teacher.receive())["roster"]}
        assert {name: row["ended"] for name, row in roster.items()} == {
            "ada": "quit",
            "alan": "dropped",
            "bea": "ended",
            "cy": "idle",
            "di": "removed",
            "ed": "shutdown",
        }
        assert {row.name: row.ended for row in lab.hub.record.rows.values()}["alan"] == "dropped"


async def test_what_students_did_outlives_the_server_and_reaches_a_teacher_who_comes_later(tmp_path: Path) -> None:
    kept = tmp_path / "kept"
    first = Hub(lambda number, reason: None, folder=tmp_path, record=ClassRecord.open(kept))
    lab = Lab(first)
    await first.start()
    lab.join(1, "ada")
    lab.join(2, "alan")
    ada_login = next(row.login for row in first.record.rows.values() if row.name == "ada")
    ada = await lab.connect(1)
    ada.send({"progress": {"step": 5, "beat": 9, "quiz": [3, 4], "answers": "RRWR", "steps": 40, "accuracy": 0.5}})
    await eventually(lambda: first.record.rows and any(row.beat == 9 for row in first.record.rows.values()), "ada's figures")
    first.leave(2)
    # Killed: nothing stopped, nothing closed, nothing flushed but what the hub wrote as it went.
    await asyncio.sleep(hub_module.LOOK_EVERY_S * 1.5)
    rows = {row.name: row for row in record.read(kept)[0]}
    assert (rows["ada"].beat, rows["ada"].quiz, rows["ada"].best, rows["ada"].logout) == (9, (3, 4), 0.5, None)
    assert rows["alan"].logout is not None
    await first.stop()
    first.record.close()

    second = Hub(lambda number, reason: None, folder=tmp_path, record=ClassRecord.open(kept))
    lab = Lab(second)
    await second.start()
    try:
        lab.join(1, "teach", teacher=True)
        teacher = await lab.connect(1)
        roster = (await teacher.receive())["roster"]
        by_name = {row["name"]: row for row in roster}
        assert (by_name["ada"]["state"], by_name["alan"]["state"]) == ("cut", "left")
        # Cut off: its time is from login to when its server was last known running, and stays so.
        assert by_name["ada"]["connected_s"] == next(r.cut for r in second.record.rows.values() if r.name == "ada") - ada_login
        assert (by_name["ada"]["beat"], by_name["ada"]["quiz"], by_name["ada"]["steps"], by_name["ada"]["best"]) == (
            9,
            [3, 4],
            40,
            0.5,
        )
        teacher.send({"record": True})
        sent = await teacher.until(lambda m: "record" in m, "the class record")
        assert [row["name"] for row in sent["record"]] == ["ada", "alan"]
        assert sent["record"][0]["answers"] == "RRWR" and sent["total"] == 2
        # A student asks for it: nothing comes.
        lab.join(2, "bob")
        bob = await lab.connect(2)
        bob.send({"record": True})
        assert await bob.quiet()
    finally:
        await second.stop()


async def eventually(check, what: str) -> None:
    give_up = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < give_up, f"no {what}"
        await asyncio.sleep(0.01)


def test_progress_keeps_only_what_makes_sense() -> None:
    sent = {
        "step": 3,
        "beat": -1,
        "quiz": [4, 3],
        "steps": True,
        "accuracy": float("nan"),
        "name": "teacher",
    }
    assert channel.clean_progress(sent) == {"step": 3}
    assert channel.clean_progress({"step": channel.STEPS + 1, "quiz": [1, 3], "steps": 10, "accuracy": 1}) == {
        "quiz": [1, 3],
        "steps": 10,
        "accuracy": 1.0,
    }
    assert channel.clean_progress([1]) == {}


def test_a_message_is_one_printable_line_of_limited_length() -> None:
    assert channel.clean_message("a\tb\r\nc\x1b[31m") == "a b c [31m"
    assert len(channel.clean_message("é" * 10_000) or "") == channel.MESSAGE_CHARACTERS
    assert channel.clean_message(" \n ") is None
    assert channel.clean_message(42) is None


def test_the_session_reads_its_link_once_and_leaves_nothing_for_what_it_starts() -> None:
    environ = {channel.SOCKET_VARIABLE: "/s", channel.TOKEN_VARIABLE: "t", channel.ROLE_VARIABLE: "root"}
    assert channel.from_environment(environ) == ("/s", "t", channel.STUDENT)
    assert environ == {}
    assert channel.from_environment({}) is None


class _StuckTransport:
    def __init__(self) -> None:
        self.aborted = False

    def get_write_buffer_size(self) -> int:
        return hub_module.QUEUED_BYTES + 1

    def abort(self) -> None:
        self.aborted = True


class _StuckWriter:
    def __init__(self) -> None:
        self.transport = _StuckTransport()
        self.written: list[bytes] = []

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes) -> None:
        self.written.append(data)


def test_a_client_that_does_not_read_is_dropped_instead_of_queued_for() -> None:
    hub = Hub(lambda number, reason: None)
    writer = _StuckWriter()
    member = Member(1, "ada", False, "t", time.monotonic, writer=writer)  # type: ignore[arg-type]
    hub._send(member, {"say": "hello"})
    assert writer.transport.aborted
    assert writer.written == []


def test_a_teacher_is_a_name_only_its_owner_can_log_in_under(tmp_path: Path) -> None:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE7x9ln6uZLLkfXM8iYvMhM3i6GEwNWwbr0ry2KKg2Ti"
    roster = tmp_path / "roster"
    roster.write_text(f"teach {key}\nada {key}\n")
    lab = LabServer(LabConfig(roster=roster, teachers=("Teach",), home=tmp_path))
    assert lab.is_teacher("teach") and not lab.is_teacher("ada")
    with pytest.raises(GdtuiError, match="--teacher bob: bob must be on the roster"):
        LabServer(LabConfig(roster=roster, teachers=("bob",), home=tmp_path))
    with pytest.raises(GdtuiError, match="cannot go with --teacher"):
        LabServer(LabConfig(no_auth=True, teachers=("teach",), home=tmp_path))
    with pytest.raises(GdtuiError, match="a name is"):
        LabServer(LabConfig(roster=roster, teachers=("../x",), home=tmp_path))
    # Taken off the roster while the lab runs, the name no longer gets the dashboard.
    roster.write_text(f"ada {key}\n# teach was here, and is gone\n")
    assert not lab.is_teacher("teach")
    # Or the roster says so itself.
    roster.write_text(f"ada {key}\ngrace role:teacher {key}\n")
    assert lab.is_teacher("grace") and not lab.is_teacher("ada")


async def test_a_hub_that_cannot_listen_says_why_and_leaves_nothing_behind(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    hub = Hub(lambda number, reason: None, folder=deep)
    with pytest.raises(GdtuiError, match="cannot make the lab's hub"):
        await hub.start()
    assert list(deep.iterdir()) == []


async def test_a_whole_lab_connecting_at_once_is_let_in(tmp_path: Path) -> None:
    students = 300
    async with running(tmp_path) as lab:
        for number in range(students):
            lab.join(number, f"s{number}")
        tokens = "\n".join(lab.tokens.values())
        # Another process, as the sessions are: there, connects beyond the backlog fail unseen.
        script = (
            "import asyncio, sys\n"
            "async def one(token):\n"
            "    reader, writer = await asyncio.open_unix_connection(sys.argv[1])\n"
            "    writer.write(token.encode() + b'\\n')\n"
            "    await reader.read()\n"
            "async def main():\n"
            "    await asyncio.gather(*(one(t) for t in sys.stdin.read().split()))\n"
            "asyncio.run(main())\n"
        )
        others = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, str(lab.hub.path), stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        assert others.stdin is not None
        others.stdin.write(tokens.encode())
        others.stdin.close()
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and sum(m.writer is not None for m in lab.hub.students()) < students:
            await asyncio.sleep(0.05)
        assert sum(m.writer is not None for m in lab.hub.students()) == students
        for number in range(students):
            lab.hub.leave(number)
        _, errors = await others.communicate()
        assert errors == b""


async def test_a_session_says_when_its_first_screen_is_shown_a_student_or_a_teacher(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "teach", teacher=True)
        lab.join(2, "ada")
        lab.join(3, "alan")
        teacher, ada, alan = await lab.connect(1), await lab.connect(2), await lab.connect(3)
        # Anything but true is nothing: a session says so with the one message.
        for message in ({"shown": 1}, {"shown": "yes"}, {"shown": False}):
            alan.send(message)
        ada.send({"progress": {"step": 1}})
        ada.send({"shown": True})
        teacher.send({"shown": True})
        # A connection that is no session says nothing at all.
        reader, writer = await asyncio.open_unix_connection(lab.hub.path)
        stranger = Client(reader, writer)
        stranger.send(b"not-a-token\n")
        stranger.send({"shown": True})
        alan.send({"shown": True})
        await _until(lambda: sorted(lab.shown) == [1, 2, 3], "each session's word")
        # Alan's other messages came before his true one, on the same connection: none of them counted.
        assert len(lab.shown) == 3


async def _until(check, what: str) -> None:
    give_up = time.monotonic() + WAIT_S
    while not check():
        assert time.monotonic() < give_up, f"no {what}"
        await asyncio.sleep(0.01)


def test_the_roster_shows_the_latest_sessions_that_are_over_and_not_too_many() -> None:
    kept = ClassRecord.open(None)
    hub = Hub(lambda number, reason: None, record=kept)
    now = time.time()
    kept.login("old", now - hub_module.GONE_SHOWN_S - 60)
    for minutes in range(hub_module.GONE_ROWS + 20):
        kept.logout(kept.login(f"s{minutes}", now - 60 * minutes), now)
    roster = hub.roster()
    assert len(roster) == hub_module.GONE_ROWS
    assert {row["name"] for row in roster} == {f"s{minutes}" for minutes in range(hub_module.GONE_ROWS)}


def test_the_roster_looks_at_the_sessions_of_the_class_not_at_the_whole_record() -> None:
    kept = ClassRecord.open(None)
    hub = Hub(lambda number, reason: None, record=kept)
    now = time.time()
    looked: list[str] = []

    class Watched(record.Row):
        """A row of long ago, which counts how often the hub reads it."""

        def __getattribute__(self, name: str) -> object:
            looked.append(name)
            return super().__getattribute__(name)

    # A server that has run for weeks: thousands of sessions before today's class.
    for day in range(1, 21):
        for student in range(100):
            old = kept.login(f"s{student}", now - day * 86400)
            kept.logout(old, now - day * 86400 + 3600)
            old.__class__ = Watched
    for student in range(5):
        kept.login(f"t{student}", now - 60)
    looked.clear()
    for _ in range(4):  # a second of pushes to a dashboard
        assert len(hub.roster()) == 5
    # A look at a few to find where today begins, not at every one.
    assert len(looked) < 200, f"the roster read rows of long ago {len(looked)} times"


def test_a_gone_row_keeps_its_id_as_rows_come_and_go() -> None:
    kept = ClassRecord.open(None)
    hub = Hub(lambda number, reason: None, record=kept)
    now = time.time()
    for name in ("bo", "cy"):
        kept.logout(kept.login(name, now - 600), now - 300)
    ids = {row["name"]: row["id"] for row in hub.roster()}
    # A student who sorts before them leaves too: the teacher's selection of bo stays on bo.
    kept.logout(kept.login("al", now - 200), now - 100)
    again = {row["name"]: row["id"] for row in hub.roster()}
    assert (again["bo"], again["cy"]) == (ids["bo"], ids["cy"])
    assert len(set(again.values())) == 3 and all(ident < 0 for ident in again.values())


async def test_a_students_row_keeps_what_they_reached_in_the_class_beside_the_live_session(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        lab.join(1, "alan")
        first = await lab.connect(1)
        first.send({"progress": {"step": 6, "beat": 11, "quiz": [1, 2], "steps": 6001, "accuracy": 0.919}})
        await eventually(lambda: any(row.steps == 6001 for row in lab.hub.record.rows.values()), "alan's figures")
        lab.hub.leave(1)
        lab.join(2, "alan")
        again = await lab.connect(2)
        again.send({"progress": {"step": 6, "beat": 3, "quiz": [1, 1], "steps": 0, "accuracy": 0.911}})
        await eventually(lambda: any(row.steps == 0 for row in lab.hub.record.rows.values()), "the new session's figures")
        (row,) = lab.hub.roster()
        # The class's reach: the highest beat, every answer, the best accuracy; the live session's step and steps.
        assert (row["state"], row["step"], row["steps"]) == ("on", 6, 0)
        assert (row["beat"], row["quiz"], row["best"]) == (11, [2, 3], 0.919)


def test_a_gone_rows_times_are_fixed_and_measure_its_session() -> None:
    kept = ClassRecord.open(None)
    hub = Hub(lambda number, reason: None, record=kept)
    now = float(round(time.time()))
    bob = kept.login("bob", now - 600)
    kept.key(bob, now - 600 + 29)
    bob.cut = now - 600 + 128
    ada = kept.login("ada", now - 300)
    kept.key(ada, now - 290)
    kept.logout(ada, now - 200)
    rows = {row["name"]: row for row in hub.roster()}
    assert (rows["bob"]["connected_s"], rows["bob"]["idle_s"]) == (128, 99)
    assert (rows["ada"]["connected_s"], rows["ada"]["idle_s"]) == (100, 90)


async def test_a_student_who_saves_many_long_named_models_crowds_no_session_out_of_the_record(tmp_path: Path) -> None:
    async with running(tmp_path) as lab:
        # Names as long as a report carries them, each character escaped to 12 bytes on the channel.
        names = [f"{index:02}" + "\N{GRINNING FACE}" * (channel.NAME_CHARACTERS - 2) for index in range(record.MOST_SAVED)]
        for number in range(1, 31):
            lab.join(number, f"s{number}")
        for kept in lab.hub.record.rows.values():
            kept.saved = tuple(names)
        lab.join(99, "teach", teacher=True)
        teacher = await lab.connect(99)
        teacher.send({"record": True})
        sent = await teacher.until(lambda m: "record" in m, "the class record")
        assert sent["total"] == 30
        assert len(sent["record"]) == 30
        assert all(row["models_saved"] == record.MOST_SAVED for row in sent["record"])
