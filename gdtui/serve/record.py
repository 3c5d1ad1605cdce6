"""The class record: a row for each student session the lab server has seen, kept in its folder.

Two files, both the server's user's alone:

    record.jsonl   every change of a row, appended as it happens: the last line of a session is its row,
                   but for the names of the models saved, in a line only when they changed (a line
                   without them keeps those of the session's line before)
    record.csv     one row a session, for a spreadsheet, written again whole at the next flush after a change
                   (a record of thousands of sessions less often: see CSV_SHARE)

A line is appended and flushed to the disk as the event happens: a login or a logout at once; a new
beat, quiz answer, best accuracy or model saved at once too, before a teacher's dashboard shows it,
up to BURST lines in a row, then a line every SOON_S (a report that changes without end writes no
more than that); a change of the training steps or of the last key press alone at most every
QUIET_S. A server killed without warning loses no more than that. A line cut short by such a kill
is skipped, with a warning, when the record is read again.

A session without a logout is on while its server runs, and cut off once it does not: the server
holds a lock on its folder while it runs (the system lets it go however the process ends) and
touches record.jsonl every time it flushes, so the file's time is the last moment the server was
known running. A session cut off keeps no logout time, which no one knows: its row says when its
server was last known running (cut) instead. When the server starts, it marks so the sessions an
earlier server left open, reads the record back and writes it again with a line a session.

What a row says comes from a student's own process, which can send anything: only checked figures
reach it, and only its own row. The CSV is written so that a spreadsheet runs nothing in it: a cell
that would start with = + - @ (a formula) starts with a quote instead.
"""

from __future__ import annotations

import bisect
import csv
import fcntl
import io
import json
import logging
import math
import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from gdtui import channel
from gdtui.core.errors import GdtuiError
from gdtui.core.files import replacing
from gdtui.core.words import cut_middle, percent
from gdtui.serve.access import lab_name
from gdtui.serve.collect import spreadsheet_cell

log = logging.getLogger("gdtui.serve")

JSONL = "record.jsonl"
CSV = "record.csv"
# Seconds a row whose only change is a growing count (steps trained, the last key press) waits to be written.
QUIET_S = 2.0
# Lines of new figures a session writes at once, and then one every SOON_S seconds: the most a
# session's own process can make the record write.
BURST = 5
SOON_S = 1.0
# What of the server's time writing the CSV again may take: a record grown to thousands of sessions
# (a student who logs in again and again) is written less often, not at every change.
CSV_SHARE = 0.05
# A row keeps the names of this many models saved, the latest.
MOST_SAVED = 50
CSV_FIELDS = (
    "session",
    "name",
    "login",
    "logout",
    "cut",
    "last_key",
    "beat",
    "quiz_right",
    "quiz_asked",
    "quiz_answers",
    "best_accuracy",
    "steps",
    "models_saved",
    "ended",  # last: a spreadsheet that reads the record's columns by their place reads them as before
)
_SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass
class Row:
    """One student session: times in seconds since the epoch, figures None until reported."""

    session: str
    name: str
    login: float
    logout: float | None = None
    ended: str | None = None  # with a logout, how (channel.ENDINGS); None in a record kept before it was said
    cut: float | None = None  # no logout: its server was last known running then
    last_key: float | None = None
    beat: int | None = None  # the highest beat of the guided lesson reached
    quiz: tuple[int, int] | None = None  # right, asked
    answers: str = ""  # a letter an answer checked: R right, W wrong
    best: float | None = None  # the best test accuracy reported
    steps: int | None = None  # training steps, as last reported
    saved: tuple[str, ...] = ()  # the names of the models saved, in order

    def to_json(self) -> dict:
        return {
            "session": self.session,
            "name": self.name,
            "login": _time_text(self.login),
            "logout": _time_text(self.logout),
            "ended": self.ended,
            "cut": _time_text(self.cut),
            "last_key": _time_text(self.last_key),
            "beat": self.beat,
            "quiz": list(self.quiz) if self.quiz is not None else None,
            "answers": self.answers,
            "best_accuracy": self.best,
            "steps": self.steps,
            "models_saved": list(self.saved),
        }

    @classmethod
    def from_json(cls, sent: object) -> Row | None:
        """The row a line of the record holds; None for one that is not a row, or says what no row can."""
        if not isinstance(sent, dict):
            return None
        session, name = sent.get("session"), sent.get("name")
        if not (isinstance(session, str) and _SESSION.fullmatch(session) and isinstance(name, str) and lab_name(name) == name):
            return None
        login = _time(sent.get("login"))
        if login is None:
            return None
        times = {key: sent.get(key) for key in ("logout", "cut", "last_key")}
        if any(value is not None and _time(value) is None for value in times.values()):
            return None
        given = {"beat": sent.get("beat"), "quiz": sent.get("quiz"), "accuracy": sent.get("best_accuracy")}
        figures = channel.clean_progress(given | {"steps": sent.get("steps")})
        for key, value in (("beat", "beat"), ("quiz", "quiz"), ("best_accuracy", "accuracy"), ("steps", "steps")):
            if sent.get(key) is not None and value not in figures:
                return None
        answers, saved = sent.get("answers", ""), sent.get("models_saved", [])
        if not (isinstance(answers, str) and set(answers) <= {"R", "W"} and isinstance(saved, list)):
            return None
        names = [channel.clean_name(each) for each in saved[-MOST_SAVED:]]
        quiz = figures.get("quiz")
        return cls(
            session,
            name,
            login,
            _time(times["logout"]),
            channel.clean_ending(sent.get("ended")),  # a way of ending it does not know drops that word, not the row
            _time(times["cut"]),
            _time(times["last_key"]),
            figures.get("beat"),
            (quiz[0], quiz[1]) if isinstance(quiz, list) else None,
            answers[-channel.ANSWERS :],
            figures.get("accuracy"),
            figures.get("steps"),
            tuple(each for each in names if each),
        )

    def csv_cells(self) -> list[str]:
        cells = [
            self.session,
            self.name,
            _time_text(self.login) or "",
            _time_text(self.logout) or "",
            _time_text(self.cut) or "",
            _time_text(self.last_key) or "",
            _text(self.beat),
            _text(self.quiz[0] if self.quiz else None),
            _text(self.quiz[1] if self.quiz else None),
            self.answers,
            "" if self.best is None else f"{self.best:.4f}",
            _text(self.steps),
            " | ".join(self.saved),
            self.ended or "",
        ]
        return [spreadsheet_cell(cell) for cell in cells]


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def _time_text(when: float | None) -> str | None:
    if when is None:
        return None
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(text: object) -> float | None:
    if not isinstance(text, str) or not text.endswith("Z"):
        return None
    try:
        when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None
    return when if math.isfinite(when) else None


@dataclass
class ClassRecord:
    """The rows of a lab server's record, and the files they are kept in (none for folder None)."""

    folder: Path | None
    rows: dict[str, Row] = field(default_factory=dict)  # by session
    _written: dict[str, float] = field(default_factory=dict)  # when each row's last line was written
    _soon: set[str] = field(default_factory=set)  # rows with new figures, waiting their turn
    _turns: dict[str, tuple[float, float]] = field(default_factory=dict)  # lines a row may write now, as of when
    _changed: set[str] = field(default_factory=set)
    _csv_behind: bool = False
    _csv_due: float = -math.inf  # when the CSV may be written again, in the time flush is given
    _saved_written: dict[str, tuple[str, ...]] = field(default_factory=dict)  # each row's names, as last written
    _file: TextIO | None = None
    _lock: int | None = None  # the folder, locked while this server keeps its record there
    _by_login: list[Row] = field(default_factory=list)  # the rows again, in login order

    @classmethod
    def open(cls, folder: Path | None) -> ClassRecord:
        """The record kept in folder, read back as an earlier server left it; made there if new."""
        kept = cls(folder)
        if folder is None:
            return kept
        try:
            kept._open(folder)
        except OSError as err:
            raise GdtuiError(f"cannot keep the class record in {folder}: {err.strerror or err}") from None
        return kept

    def _open(self, folder: Path) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.close()
            raise GdtuiError(f"another gdtui serve keeps its class record in {folder}: one server a folder") from None
        path = folder / JSONL
        rows, problems, lines = _read(path)
        for problem in problems:
            log.warning("the class record: %s", problem)
        cut = _cut_off(rows, path)
        self.rows = {row.session: row for row in rows}
        self._by_login = list(rows)
        if cut or lines != len(rows):
            # Written again, a line a session and nothing torn: what the next start reads is no longer
            # than the class, however long this server's record grew.
            text = io.StringIO()
            write_jsonl(text, rows)
            with replacing(path) as file:
                file.write(text.getvalue().encode("utf-8"))
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._file = open(descriptor, "a", encoding="utf-8")  # noqa: SIM115  (open as long as the server)
        self._write_csv()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    # -- events ------------------------------------------------------------------------

    def login(self, name: str, when: float) -> Row:
        """A new session's row, written at once."""
        row = Row(secrets.token_hex(8), name, float(round(when)))
        self.rows[row.session] = row
        bisect.insort(self._by_login, row, key=_login)  # at the end, unless the clock was set back
        self.flush(when, only=row.session)
        return row

    def since(self, when: float) -> list[Row]:
        """The rows of the sessions logged in at `when` or later, in login order: a class's, found
        without a look at every session a server that has run for weeks has kept."""
        return self._by_login[bisect.bisect_left(self._by_login, when, key=_login) :]

    def report(self, row: Row, sent: object, when: float) -> None:
        """What the session's app reported, checked; only the figures of this row change."""
        progress = channel.clean_progress(sent)
        new = replace(row)
        beat = progress.get("beat")
        if isinstance(beat, int):
            new.beat = max(beat, row.beat or 0)
        quiz = progress.get("quiz")
        if isinstance(quiz, list):
            new.quiz = (quiz[0], quiz[1])
        answers = progress.get("answers")
        if isinstance(answers, str):
            new.answers = answers
        accuracy = progress.get("accuracy")
        if isinstance(accuracy, float):
            new.best = accuracy if row.best is None else max(row.best, accuracy)
        steps = progress.get("steps")
        if isinstance(steps, int):
            new.steps = steps
        saved = progress.get("saved")
        if isinstance(saved, list):
            # The app reports its latest saves; those not in the row yet are new. The first MOST_SAVED are
            # kept: a full row takes no more, so fresh names in every report cannot keep rewriting it.
            new.saved = (*row.saved, *(name for name in saved if name not in row.saved))[:MOST_SAVED]
        self._update(row, new, when)

    def key(self, row: Row, when: float) -> None:
        """The session's last key press."""
        self._update(row, replace(row, last_key=float(round(when))), when)

    def logout(self, row: Row, when: float, how: str | None = None) -> None:
        """The session is over, `how` (channel.ENDINGS): its row says so, written at once."""
        self._update(row, replace(row, logout=float(round(when)), ended=how), when)

    def _update(self, row: Row, new: Row, when: float) -> None:
        if new == row or self.rows.get(row.session) is not row:
            return
        quiet = replace(new, steps=row.steps, last_key=row.last_key) == row
        for key in ("logout", "ended", "last_key", "beat", "quiz", "answers", "best", "steps", "saved"):
            setattr(row, key, getattr(new, key))
        self._changed.add(row.session)
        if new.logout is not None:
            self.flush(when, only=row.session)
        elif not quiet:
            self._soon.add(row.session)
            if self._turn(row.session, when):  # else it waits its turn in the hub's next look, a second away
                self.flush(when, only=row.session)

    # -- the files ---------------------------------------------------------------------

    def flush(self, now: float, only: str | None = None, *, everything: bool = False) -> None:
        """Write the rows changed and due (or only that one): those with new figures whose last line
        is SOON_S old, those with only a count changed whose last line is QUIET_S old; every row
        changed, at the end. The CSV is written again by a flush of them all, not of one row: a class
        logging in at once costs a line each, not the whole file each; and no more often than keeps
        it within CSV_SHARE of the time, but at the end."""
        due = []
        for session in list(self._changed) if only is None else [only]:
            age = now - self._written.get(session, -math.inf)
            # A turn is taken only by a row that waits for one.
            if everything or only is not None or age >= QUIET_S or (session in self._soon and self._turn(session, now)):
                due.append(session)
                self._written[session] = now
                self._changed.discard(session)
                self._soon.discard(session)
        if self._file is None:
            return
        if only is None:  # the hub's look, every second: the file's time says it runs, for whoever reads it after a kill
            os.utime(self._file.fileno())
        if due:
            for session in due:
                row = self.rows[session]
                line = row.to_json()
                # The names of the models saved, most of a row (50 of up to 768 bytes each), only when
                # they change: not again with every count of steps while the student trains.
                if self._saved_written.get(session) == row.saved:
                    del line["models_saved"]
                self._saved_written[session] = row.saved
                self._file.write(json.dumps(line, ensure_ascii=True, allow_nan=False) + "\n")
            # On the disk, not only in this process's buffer: a kill, or a power cut, keeps it.
            self._file.flush()
            os.fsync(self._file.fileno())
            self._csv_behind = True
        if only is None and self._csv_behind and (everything or now >= self._csv_due):
            started = time.monotonic()
            self._write_csv()
            self._csv_due = now + (time.monotonic() - started) / CSV_SHARE
            self._csv_behind = False

    def _turn(self, session: str, now: float) -> bool:
        """Whether the row's new figures may be written now: BURST lines at once, then one every SOON_S."""
        turns, since = self._turns.get(session, (float(BURST), now))
        turns = min(float(BURST), turns + (now - since) / SOON_S)
        taken = turns >= 1
        self._turns[session] = (turns - taken, now)
        return taken

    def _write_csv(self) -> None:
        assert self.folder is not None
        text = io.StringIO()
        write_csv(text, sorted(self.rows.values(), key=_in_order))
        with replacing(self.folder / CSV) as file:
            file.write(text.getvalue().encode("utf-8"))


def _in_order(row: Row) -> tuple:
    return (row.login, row.name, row.session)


def _login(row: Row) -> float:
    return row.login


def write_csv(file: TextIO, rows: Iterable[Row]) -> None:
    writer = csv.writer(file, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows(row.csv_cells() for row in rows)


def write_jsonl(file: TextIO, rows: Iterable[Row]) -> None:
    for row in rows:
        file.write(json.dumps(row.to_json(), ensure_ascii=True, allow_nan=False) + "\n")


def read(where: Path) -> tuple[list[Row], list[str]]:
    """The rows of a record (a server's folder, or its record.jsonl), in login order, and what
    was wrong with the lines skipped. Its sessions without a logout are cut off if no server runs
    on that folder."""
    path = where / JSONL if where.is_dir() else where
    rows, problems, _ = _read(path)
    if not running(path.parent):
        _cut_off(rows, path)
    return rows, problems


def running(folder: Path) -> bool:
    """Whether a server keeps its record in folder now."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def _cut_off(rows: list[Row], path: Path) -> bool:
    """Mark the sessions left open as cut off when the server that kept them was last known
    running (the record's time); whether there were any."""
    open_rows = [row for row in rows if row.logout is None and row.cut is None]
    if open_rows:
        last = float(math.floor(path.stat().st_mtime))
        for row in open_rows:
            row.cut = max(last, row.last_key or row.login)
    return bool(open_rows)


def _read(path: Path) -> tuple[list[Row], list[str], int]:
    """The rows of a record.jsonl, in login order; what was wrong with the lines skipped; how many
    lines it holds (a line a row: nothing to write again)."""
    rows: dict[str, Row] = {}
    problems: list[str] = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], [], 0
    except OSError as err:
        raise GdtuiError(f"cannot read the class record {path}: {err.strerror or err}") from None
    lines = data.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            sent = json.loads(line)
        except (ValueError, RecursionError):
            last = number == len(lines)  # no newline after it: the write was cut short
            what = "cut short (the server was stopped as it wrote it)" if last else "not JSON"
            problems.append(f"{path}: line {number} is {what}: skipped")
            continue
        row = Row.from_json(sent)
        if row is None:
            problems.append(f"{path}: line {number} is not a session's row: skipped")
            continue
        if "models_saved" not in sent and row.session in rows:  # the names as the session's line before
            row = replace(row, saved=rows[row.session].saved)
        rows[row.session] = row
    return sorted(rows.values(), key=_in_order), problems, data.count(b"\n")


def merged(folders: Iterable[Path]) -> tuple[list[Row], list[str]]:
    """The rows of several servers' records as one, in login order, a session found twice (the same
    record given twice) once."""
    rows: dict[str, Row] = {}
    problems: list[str] = []
    seen: set[Path] = set()
    for folder in folders:
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        found, wrong = read(folder)
        problems += wrong
        for row in found:
            rows.setdefault(row.session, row)
    return sorted(rows.values(), key=_in_order), problems


def _local(when: float, day_of: float | None = None) -> str:
    moment = datetime.fromtimestamp(when)
    if day_of is not None and datetime.fromtimestamp(day_of).date() == moment.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d %H:%M")


def _ended(row: Row) -> str:
    """How a session ended: its logout, cut off when its server died, or on still."""
    if row.logout is not None:
        when = _local(row.logout, row.login)
        said = f"{when} {row.ended}" if row.ended else when
        return said if len(said) <= 15 else when  # the column's width: a logout on another day has no room for it
    if row.cut is not None:
        return f"cut {_local(row.cut, row.login)}"
    return "on"


def table(rows: Iterable[Row]) -> list[str]:
    """The record as a table of plain text, 80 columns wide: times local, names cut to fit."""
    head = f"{'Name':<16} {'Login':<11} {'Logout':<15} {'Beat':>4} {'Quiz':>7} {'Best':>6} {'Steps':>9} {'Saved':>5}"
    lines = [head]
    for row in rows:
        name = cut_middle(row.name, 16)  # its end too: two long names often differ only there
        quiz = f"{row.quiz[0]}/{row.quiz[1]}" if row.quiz else "—"
        best = "—" if row.best is None else percent(row.best)
        steps = "—" if row.steps is None else f"{row.steps:,}"
        beat = "—" if row.beat is None else str(row.beat)
        lines.append(
            f"{name:<16} {_local(row.login):<11} {_ended(row):<15} {beat:>4} {quiz:>7} {best:>6} {steps:>9} {len(row.saved):>5}"
        )
    return lines
