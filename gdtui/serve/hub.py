"""The lab's hub: where sessions report their progress, and a teacher's dashboard watches and acts.

The server listens on a Unix socket in a folder of its own (mode 0700) and gives
every session a random token (see gdtui.channel). A connection is nobody until
its first line is a token the hub gave out; from then on it is that session and
no other. Students send their progress; teachers receive the roster of students
whenever it changes and send commands, which the hub carries out only for a
teacher's token.

Everything a connection sends is untrusted: a line longer than the limit, or a
connection that sends no token in time, is closed; a line that is not a known
message is ignored. The hub never waits on a client: what it sends is queued on
the connection, and a client that lets too much pile up is dropped.

Each student session's figures go into the class record (gdtui.serve.record) as
they arrive. The roster a teacher sees holds, besides the sessions on now, the
latest session of each student who is not on, as the record keeps it: a student
who left, or whose session a restart of the server cut off, is still there. A
row shows what its student reached in the class, over all their sessions of it
(the highest beat, every quiz answer, the best accuracy), beside the session's
own step and training steps.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gdtui import channel
from gdtui.core.errors import GdtuiError
from gdtui.serve.record import ClassRecord, Row
from gdtui.serve.untrusted import printable

log = logging.getLogger("gdtui.serve")

SOCKET_NAME = "hub"
# Sessions whose apps may connect at one moment before the hub accepts them: a whole lab at its
# largest. Past the backlog a Unix socket's connect fails in a way asyncio takes for success.
BACKLOG = 1024
# A connection must say whose it is within this long.
TOKEN_WAIT_S = 10.0
# Bytes queued for a client that does not read them: past this, it is stuck, and dropped.
QUEUED_BYTES = 4 * channel.LINE_BYTES
# Roster updates to a teacher at most this often: a class pressing keys is not a flood of updates.
PUSH_EVERY_S = 0.25
# How often the hub looks whether a student has pressed a key since the last roster it sent.
LOOK_EVERY_S = 1.0
# Lines a connection may send a second, on average; the rest of a burst waits its turn.
LINES_PER_S = 50
# A class: the sessions logged in this long ago at most. A student's session that is over stays on the
# roster this long after its last login, if the student is not on; what a student reached is of these.
GONE_SHOWN_S = 12 * 3600
# Of those, the latest this many: a roster of a whole lab and its latecomers, not of every name ever logged in.
GONE_ROWS = 100
# What the record sent to a teacher may take of a line: the latest sessions that fit.
RECORD_BYTES = channel.LINE_BYTES // 2


@dataclass(eq=False)
class Member:
    """A session the hub knows: a student's, or a teacher's."""

    number: int
    name: str
    teacher: bool
    token: str
    last_key: Callable[[], float]  # monotonic time of the session's last key press
    joined: float = field(default_factory=time.monotonic)
    progress: dict = field(default_factory=dict)
    writer: asyncio.StreamWriter | None = None
    kept: Row | None = None  # a student's row of the class record
    key_seen: float = 0.0  # the last key press the record was told of

    def row(self, now: float, reached: dict) -> dict:
        """What a teacher's dashboard shows of this student, ages in seconds as of now: the session's
        own figures, and what the student reached in the class."""
        live = {key: value for key, value in self.progress.items() if key not in ("beat", "quiz")}
        return {
            "id": self.number,
            "name": self.name,
            "connected_s": round(now - self.joined, 1),
            "idle_s": round(max(0.0, now - self.last_key()), 1),
            "reporting": self.writer is not None,
            "state": "on",
            **live,
            **reached,
        }


def _figures(kept: Row | None) -> dict:
    """What the record works out of a session's reports: its best test accuracy."""
    return {} if kept is None or kept.best is None else {"best": kept.best}


def _reached(rows: list[Row]) -> dict:
    """What a student reached over their sessions of the class: the highest beat, the quiz's
    answers all counted, the best test accuracy."""
    reached: dict = {}
    beats = [row.beat for row in rows if row.beat is not None]
    if beats:
        reached["beat"] = max(beats)
    quizzes = [row.quiz for row in rows if row.quiz is not None]
    if quizzes:
        reached["quiz"] = [sum(quiz[0] for quiz in quizzes), sum(quiz[1] for quiz in quizzes)]
    bests = [row.best for row in rows if row.best is not None]
    if bests:
        reached["best"] = max(bests)
    return reached


def _gone_row(ident: int, kept: Row, reached: dict) -> dict:
    """What a teacher's dashboard shows of a session that is over: what its student reached, its
    steps as the record keeps them, and its times, fixed: how long it lasted, to its logout or to
    when its server was last known running, and how long it had been idle then. Its id is
    negative: no command can reach it."""
    end = kept.logout or kept.cut or kept.last_key or kept.login
    row: dict = {
        "id": ident,
        "name": kept.name,
        "connected_s": round(max(0.0, end - kept.login), 1),
        "idle_s": round(max(0.0, end - (kept.last_key or kept.login)), 1),
        "reporting": False,
        "state": "left" if kept.logout is not None else "cut",
        **reached,
    }
    if kept.ended is not None:
        row["ended"] = kept.ended
    if kept.steps is not None:
        row["steps"] = kept.steps
    return row


class Hub:
    """The sessions' tokens, their connections, and what the teachers see and do.

    end_session(number, reason) ends a session the way an idle timeout does; shown(number) is told
    when a session's app says its first screen is drawn.
    """

    def __init__(
        self,
        end_session: Callable[[int, str], None],
        folder: Path | None = None,
        shown: Callable[[int], None] | None = None,
        record: ClassRecord | None = None,
    ) -> None:
        self._end_session = end_session
        self.record = record or ClassRecord.open(None)  # none given: kept in memory only
        self._shown = shown
        self._parent = folder  # where the private folder is made: the system's temporary folder by default
        self.folder: Path | None = None
        self._server: asyncio.AbstractServer | None = None
        self.members: dict[str, Member] = {}  # by token
        self._connections: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._push: asyncio.TimerHandle | None = None
        self._looker: asyncio.TimerHandle | None = None
        self._last_pushed: tuple = ()
        # A session over keeps its id on the roster while rows come and go, so that a teacher's selection
        # stays on its student: by session, -1, -2, … as each is first shown.
        self._gone_ids: dict[str, int] = {}

    @property
    def path(self) -> Path:
        assert self.folder is not None
        return self.folder / SOCKET_NAME

    async def start(self) -> None:
        # Its own folder, readable by the server's user only (mkdtemp makes it 0700): no one else on
        # the machine can even connect. Short, because a socket's path is limited to about 100 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="gdtui-lab-", dir=self._parent))
        try:
            self._server = await asyncio.start_unix_server(self._connected, self.path, limit=channel.LINE_BYTES, backlog=BACKLOG)
        except OSError as err:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise GdtuiError(
                f"cannot make the lab's hub at {self.path}: {err.strerror or err} (is TMPDIR a long path?)"
            ) from None
        self._looker = asyncio.get_running_loop().call_later(LOOK_EVERY_S, self._look)

    async def stop(self) -> None:
        if self._looker is not None:
            self._looker.cancel()
        if self._push is not None:
            self._push.cancel()
        if self._server is not None:
            self._server.close()
        # Closed, not cancelled: each connection's reader sees its end and the task finishes as usual.
        for writer in list(self._writers):
            writer.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        self._keys_seen()
        self.record.flush(time.time(), everything=True)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- the server's side ------------------------------------------------------------

    def join(self, number: int, name: str, *, teacher: bool, last_key: Callable[[], float]) -> dict[str, str]:
        """A new session: the environment variables that let its app connect."""
        token = secrets.token_hex(32)
        member = Member(number, name, teacher, token, last_key)
        self.members[token] = member
        if not teacher:
            member.kept = self.record.login(name, time.time())
            member.key_seen = last_key()
            self._changed()
        return {
            channel.SOCKET_VARIABLE: str(self.path),
            channel.TOKEN_VARIABLE: token,
            channel.ROLE_VARIABLE: channel.TEACHER if teacher else channel.STUDENT,
        }

    def leave(self, number: int, how: str | None = None) -> None:
        """The session is over, `how` (channel.ENDINGS): its token no longer opens anything, and its connection is closed."""
        for token, member in list(self.members.items()):
            if member.number == number:
                del self.members[token]
                if member.writer is not None:
                    member.writer.close()
                if member.kept is not None:
                    self._key_seen(member)
                    self.record.logout(member.kept, time.time(), how)
                if not member.teacher:
                    self._changed()

    def tell(self, number: int, text: str) -> None:
        """Show a word from the lab server itself on a student's screen, as a teacher's message is shown."""
        for member in self.students():
            if member.number == number:
                self._send(member, {"say": text, "from": "the lab server"})

    def students(self) -> list[Member]:
        return [member for member in self.members.values() if not member.teacher]

    def roster(self) -> list[dict]:
        now = time.monotonic()
        wall = time.time()
        on = sorted(self.students(), key=lambda member: member.number)
        since = wall - GONE_SHOWN_S
        of_class: dict[str, list[Row]] = {}
        # The sessions of the class, and those on now, however long ago they began.
        older = [member.kept for member in on if member.kept is not None and member.kept.login < since]
        for kept in older + self.record.since(since):
            of_class.setdefault(kept.name, []).append(kept)
        rows = [member.row(now, _reached(of_class.get(member.name, []))) for member in on]
        names = {member.name for member in on}
        latest = [max(kept, key=lambda row: row.login) for name, kept in of_class.items() if name not in names]
        recent = sorted(latest, key=lambda kept: -kept.login)
        gone = sorted(recent[:GONE_ROWS], key=lambda kept: kept.name)
        return rows + [_gone_row(self._gone_id(kept), kept, _reached(of_class[kept.name])) for kept in gone]

    def _gone_id(self, kept: Row) -> int:
        ident = self._gone_ids.get(kept.session)
        if ident is None:
            ident = self._gone_ids[kept.session] = -1 - len(self._gone_ids)
        return ident

    # -- connections ------------------------------------------------------------------

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(writer)
        member: Member | None = None
        try:
            member = await self._identify(reader)
            if member is None:
                return
            member.writer = writer
            if member.teacher:
                log.info("the dashboard of %s is connected", member.name)
                self._send(member, {"roster": self.roster()})
            else:
                self._changed()
            await self._serve(member, reader)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except (ValueError, asyncio.LimitOverrunError):
            # A line past the limit: StreamReader has already dropped what it read of it.
            if member is not None:
                log.info(
                    "session %d of %s sent a line over %d bytes: disconnected", member.number, member.name, channel.LINE_BYTES
                )
        finally:
            self._connections.discard(task)
            self._writers.discard(writer)
            if member is not None and member.writer is writer:
                member.writer = None
                if not member.teacher and member.token in self.members:
                    self._changed()
            writer.close()

    async def _identify(self, reader: asyncio.StreamReader) -> Member | None:
        try:
            line = await asyncio.wait_for(reader.readline(), TOKEN_WAIT_S)
        except TimeoutError:
            return None
        token = line.strip()
        # compare_digest over every token: how long the search takes tells nothing of any of them.
        # As bytes: on text it raises for anything not ASCII, which a connection may send.
        found = None
        for known, member in self.members.items():
            if secrets.compare_digest(known.encode(), token):
                found = member
        if found is None:
            shown = token.decode("ascii", "replace")
            log.info("the hub refused a connection: %s is no session's token", printable(shown, 16))
            return None
        if found.writer is not None:
            log.info("session %d of %s connected to the hub twice: the second is refused", found.number, found.name)
            return None
        return found

    async def _serve(self, member: Member, reader: asyncio.StreamReader) -> None:
        allowance, since = float(LINES_PER_S), time.monotonic()
        while line := await reader.readline():
            if member.token not in self.members:
                return
            now = time.monotonic()
            allowance = min(float(LINES_PER_S), allowance + (now - since) * LINES_PER_S)
            since = now
            if allowance < 1:
                await asyncio.sleep((1 - allowance) / LINES_PER_S)
                allowance = 1.0
            allowance -= 1
            if not member.teacher and len(line) > channel.PROGRESS_BYTES:
                # Never parsed: a line of the most the hub reads takes 20 ms to, and a student's
                # connection could send fifty a second.
                continue
            message = channel.decode(line)
            if message is None:
                continue
            if message.get(channel.SHOWN) is True:
                # A teacher's dashboard says so too: it waited its turn to start, as the students' apps do.
                if self._shown is not None:
                    self._shown(member.number)
            elif member.teacher:
                self._command(member, message)
            elif "progress" in message:
                self._progress(member, message["progress"])

    def _send(self, member: Member, message: dict) -> None:
        """Queue a line for the member's app; a client that has stopped reading is dropped."""
        writer = member.writer
        if writer is None or writer.is_closing():
            return
        if writer.transport.get_write_buffer_size() > QUEUED_BYTES:
            log.info("session %d of %s does not read what the hub sends: disconnected", member.number, member.name)
            writer.transport.abort()
            return
        writer.write(channel.encode(message))

    # -- students ---------------------------------------------------------------------

    def _progress(self, member: Member, sent: object) -> None:
        progress = channel.clean_progress(sent)
        if member.kept is not None:
            self.record.report(member.kept, progress, time.time())
        # The dashboard shows where a student is and their counts; the record keeps what they did.
        shown = {key: value for key, value in progress.items() if key not in ("answers", "saved")}
        if shown != member.progress:
            member.progress = shown
            self._changed()

    def _changed(self) -> None:
        """Something a teacher sees changed: send the roster soon, once for a burst of changes."""
        if self._push is None:
            self._push = asyncio.get_running_loop().call_later(PUSH_EVERY_S, self._push_roster)

    def _facts(self) -> tuple:
        # What changes a roster other than the passing of time.
        students = sorted(self.students(), key=lambda member: member.number)
        return tuple(
            (m.number, m.writer is not None, m.last_key(), tuple(sorted(m.progress.items())), tuple(_figures(m.kept).items()))
            for m in students
        )

    def _push_roster(self) -> None:
        self._push = None
        self._last_pushed = self._facts()
        roster = {"roster": self.roster()}
        for member in list(self.members.values()):
            if member.teacher:
                self._send(member, roster)

    def _look(self) -> None:
        self._looker = asyncio.get_running_loop().call_later(LOOK_EVERY_S, self._look)
        if self._facts() != self._last_pushed:
            self._changed()
        self._keys_seen()
        self.record.flush(time.time())

    def _keys_seen(self) -> None:
        for member in self.students():
            self._key_seen(member)

    def _key_seen(self, member: Member) -> None:
        """Tell the record of the student's last key press, if it is new."""
        pressed = member.last_key()
        if member.kept is not None and pressed != member.key_seen:
            member.key_seen = pressed
            self.record.key(member.kept, time.time() - (time.monotonic() - pressed))

    # -- teachers ---------------------------------------------------------------------

    def _targets(self, to: object) -> list[Member]:
        """The students a command is for: all, or the one numbered `to`."""
        if to is None:
            return self.students()
        return [member for member in self.students() if type(to) is int and member.number == to]

    def _command(self, teacher: Member, message: dict) -> None:
        if "say" in message:
            text = channel.clean_message(message["say"])
            if text is None:
                return
            targets = self._targets(message.get("to"))
            log.info("%s says to %s: %s", teacher.name, _who(targets), printable(text, channel.MESSAGE_CHARACTERS))
            for member in targets:
                self._send(member, {"say": text, "from": teacher.name})
            self._send(teacher, {"done": "say", "reached": len(targets)})  # the dashboard says whom it reached
        elif "go" in message:
            step = message["go"]
            if type(step) is not int or not 1 <= step <= channel.STEPS:
                return
            targets = self._targets(message.get("to"))
            log.info("%s brings %s to step %d", teacher.name, _who(targets), step)
            for member in targets:
                self._send(member, {"go": step})
            self._send(teacher, {"done": "go", "reached": len(targets)})
        elif message.get("record") is True:
            self._send(teacher, self._record())
        elif "end" in message:
            for member in self._targets(message["end"]) if message["end"] is not None else ():
                log.info("%s ends session %d of %s", teacher.name, member.number, member.name)
                self._end_session(member.number, f"gdtui: {teacher.name} ended this session.")

    def _record(self) -> dict:
        """The class record for a teacher's dashboard: the latest sessions, as many as fit a line."""
        rows = sorted(self.record.rows.values(), key=lambda kept: (kept.login, kept.name, kept.session))
        sent: list[dict] = []
        size = 0
        for kept in reversed(rows):
            # The dashboard shows how many models were saved: their names, 50 of up to 64 characters
            # each escaped to 12 bytes, would let one student's sessions crowd out the class's.
            row = kept.to_json() | {"models_saved": len(kept.saved)}
            size += len(channel.encode(row))
            if size > RECORD_BYTES:
                break
            sent.append(row)
        return {"record": sent[::-1], "total": len(rows)}


def _who(targets: list[Member]) -> str:
    if len(targets) == 1:
        return targets[0].name
    return f"{len(targets)} students"
