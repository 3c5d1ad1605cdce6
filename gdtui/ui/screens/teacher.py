"""The teacher's dashboard: every student connected to the lab, live, and what the teacher can do about it.

One row a student: name, time connected, step, the highest lesson beat, quiz
score and best test accuracy they reached in the class, training steps, and time
since their last key press. A student whose session is over keeps a row, dimmed,
with what they reached: logged out, or cut off when the server died under it; its
times are fixed, how long the session lasted and how idle it was at its end. The
rows come from the lab's hub whenever something changes; the ages of the sessions
on count on here between updates. Keys only: a filter, a sort that cycles through the columns, a message
to everyone or to one student, everyone brought to a step, a session ended after
a yes, and the class record: every session the server has kept.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from gdtui import channel
from gdtui.core.words import counted, cut_middle, percent
from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.prompt import Field, Prompt

REFRESH_S = 1.0  # the ages on screen count on this often
NONE = "—"
# A name in the table: cut in the middle to what the other columns leave, but no shorter than this.
NAME_LEAST, NAME_MOST = 8, 32
# What a row's state says: a session on now, one that logged out, one its server's death cut off.
ON, LEFT, CUT = "on", "left", "cut"


def ending_words(ended: str | None) -> str:
    """How a session ended (channel.ENDINGS), in the dashboard's words; 'logged out' where the record did not say."""
    if ended is None:
        return "logged out"
    return "shut down" if ended == "shutdown" else ended


def _seconds(value: object) -> float | None:
    """A number of seconds from the hub's JSON, or None: not a bool, which isinstance would take for an int."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Student:
    """One row of the roster, as the hub sent it, and when it was received."""

    id: int
    name: str
    connected_s: float
    idle_s: float
    reporting: bool
    received: float
    step: int | None = None
    beat: int | None = None
    quiz: tuple[int, int] | None = None
    steps: int | None = None
    best: float | None = None
    state: str = ON
    ended: str | None = None  # LEFT: how (channel.ENDINGS); None where the record did not say

    @classmethod
    def parse(cls, row: object, received: float) -> Student | None:
        """A row of the hub's roster; None for one that does not make sense."""
        if not isinstance(row, dict):
            return None
        ident, name = row.get("id"), row.get("name")
        connected, idle = _seconds(row.get("connected_s")), _seconds(row.get("idle_s"))
        if type(ident) is not int or not isinstance(name, str) or connected is None or idle is None:
            return None
        progress = channel.clean_progress(row)
        best = channel.clean_progress({"accuracy": row.get("best")}).get("accuracy")
        state = row.get("state")
        quiz = progress.get("quiz")
        return cls(
            ident,
            name,
            connected,
            idle,
            row.get("reporting") is True,
            received,
            progress.get("step"),
            progress.get("beat"),
            (quiz[0], quiz[1]) if isinstance(quiz, list) else None,
            progress.get("steps"),
            best,
            state if state in (LEFT, CUT) else ON,
            channel.clean_ending(row.get("ended")),
        )

    def connected(self, now: float) -> float:
        return self.connected_s + (now - self.received if self.state == ON else 0.0)

    def idle(self, now: float) -> float:
        return self.idle_s + (now - self.received if self.state == ON else 0.0)

    def step_text(self) -> str:
        if self.state == LEFT:
            return ending_words(self.ended)
        if self.state == CUT:
            return "cut off"
        if self.step is None:
            return "starting" if self.reporting else "no link"
        step = STEPS[self.step - 1]
        return f"{step.key} {step.short}"


def duration(seconds: float) -> str:
    """'4:05' for minutes and seconds, '1h05' past an hour."""
    whole = int(max(0.0, seconds))
    if whole < 3600:
        return f"{whole // 60}:{whole % 60:02d}"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}"


@dataclass(frozen=True)
class Column:
    title: str
    show: Callable[[Student, float], str]
    # What orders the rows by this column; None sorts last whichever way.
    key: Callable[[Student, float], object | None]


COLUMNS = (
    Column("Name", lambda s, now: s.name, lambda s, now: s.name),
    Column("On", lambda s, now: duration(s.connected(now)), lambda s, now: s.connected(now)),
    Column("Step", lambda s, now: s.step_text(), lambda s, now: s.step),
    Column("Beat", lambda s, now: NONE if s.beat is None else str(s.beat), lambda s, now: s.beat),
    Column("Quiz", lambda s, now: NONE if s.quiz is None else f"{s.quiz[0]}/{s.quiz[1]}", lambda s, now: s.quiz),
    Column("Steps", lambda s, now: NONE if s.steps is None else f"{s.steps:,}", lambda s, now: s.steps),
    Column("Best", lambda s, now: NONE if s.best is None else percent(s.best), lambda s, now: s.best),
    Column("Idle", lambda s, now: duration(s.idle(now)), lambda s, now: s.idle(now)),
)


def ordered(students: list[Student], column: int, descending: bool) -> list[Student]:
    """The students sorted by a column; ties, and missing values, by name then id."""
    key = COLUMNS[column].key
    now = time.monotonic()
    present = [s for s in students if key(s, now) is not None]
    missing = [s for s in students if key(s, now) is None]
    present.sort(key=lambda s: (s.name, s.id))
    present.sort(key=lambda s: key(s, now), reverse=descending)  # type: ignore[arg-type, return-value]
    return present + sorted(missing, key=lambda s: (s.name, s.id))


def matches(student: Student, text: str) -> bool:
    """Whether the filter shows this student: by name, or by the step they are on."""
    text = text.strip().lower()
    return not text or text in student.name or text in student.step_text().lower()


class TeacherScreen(Screen):
    TITLE_TEXT = "The class"
    HELP = """\
One row a student, updated as they work. **On** is how long the session now has lasted, **Step** where
they are, **Steps** the training steps of the network on their screen: of the session now. **Beat** (the
furthest of the guided lesson), **Quiz** (right answers of those checked) and **Best** (the best test
accuracy measured at the end of an epoch of training) are what they reached over all their sessions of
the last 12 hours. **Idle** is the time since their last key press. A session that is over keeps its
row, dimmed, with how it ended: *quit* (they left the app), *dropped* (their connection went), *ended* (by
a teacher), *idle*, *removed* (taken off the class), *shut down*, *failed* (the app went wrong), or *cut
off* when the server died under it; it takes no message.

`m` sends the selected student a message, `a` everyone; `g` brings every student to a step; `e` ends
the selected student's session, once you say yes; a message or a step says how many it reached. `s` sorts by
the next column and `r` reverses the order; `/` filters by a name or a step; `c` shows the class
record: every session the server has kept."""

    BINDINGS = [
        Binding("s", "sort", "Sort"),
        Binding("r", "reverse", "Reverse", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("m", "message", "Message"),
        Binding("a", "message_all", "To all"),
        Binding("g", "go", "All to step"),
        Binding("e", "end", "End session"),
        Binding("c", "record", "Record"),
        Binding("escape", "table", "Back to the table", show=False),
        Binding("question_mark", "help", "Help", show=False),
        Binding("q", "quit", "Quit"),
    ]
    DEFAULT_CSS = """
    TeacherScreen #status { height: 1; padding: 0 1; }
    TeacherScreen #filter { margin: 0 1; }
    TeacherScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.students: list[Student] = []
        self.sort_column = 0
        self.descending = False
        self.linked: bool | None = None  # None: still connecting
        self._drawn: dict[str, Student] = {}  # the rows in the table, by their keys
        self._asked: deque[str] = deque()  # whom each message or step sent is for, until the hub says whom it reached

    class Command(Message):
        """A command the teacher gave, for the hub to carry out; `receipt`: whom it is for, where the hub says whom it
        reached (a message, a step)."""

        def __init__(self, command: dict, receipt: str | None = None, said: str | None = None) -> None:
            super().__init__()
            self.command = command
            self.receipt = receipt
            self.said = said  # told once it is sent

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield Input(placeholder="/ filter by name or step", id="filter", compact=True)
        yield DataTable(id="students", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for at, column in enumerate(COLUMNS):
            table.add_column(column.title, key=str(at))
        table.focus()
        self.set_interval(REFRESH_S, self.redraw)
        self.redraw()

    # -- from the hub ------------------------------------------------------------------

    def show_roster(self, rows: object) -> None:
        now = time.monotonic()
        parsed = (Student.parse(row, now) for row in rows) if isinstance(rows, list) else ()
        self.students = [student for student in parsed if student is not None]
        self.linked = True
        self._redraw_when_mounted()

    def link_lost(self) -> None:
        self.linked = False
        self._asked.clear()  # no word will come of those
        self._redraw_when_mounted()

    def on_resize(self) -> None:
        # The names are cut to the room the table has (see _name_room).
        self.call_after_refresh(self.redraw)

    def _redraw_when_mounted(self) -> None:
        # The link opens as the app starts and the hub answers at once: its news may come before this
        # screen has its table, which its mount draws with what came.
        if self.is_mounted:
            self.redraw()

    # -- drawing -----------------------------------------------------------------------

    def shown(self) -> list[Student]:
        text = self.query_one("#filter", Input).value
        return ordered([s for s in self.students if matches(s, text)], self.sort_column, self.descending)

    def redraw(self) -> None:
        table = self.query_one(DataTable)
        # Whom the cursor is on, by the rows drawn: the roster just received may no longer have that row.
        key = self._cursor_key()
        selected = None if key is None else self._drawn.get(key)
        now = time.monotonic()
        rows = self.shown()
        shown = [[column.show(student, now) for column in COLUMNS] for student in rows]
        # Each column as wide as its widest cell: a DataTable's own widths only ever grow, so a name once long, or a
        # count once large, kept Idle off an 80-column screen after them. A name takes what the others leave.
        widths = [max([cell_len(column.title), *(cell_len(cells[at]) for cells in shown)]) for at, column in enumerate(COLUMNS)]
        widths[0] = min(widths[0], self._name_room(widths[1:], len(rows)))
        table.clear(columns=True)
        for at, (column, width) in enumerate(zip(COLUMNS, widths)):
            table.add_column(column.title, key=str(at), width=width)
        self._drawn = {}
        for student, texts in zip(rows, shown):
            texts[0] = cut_middle(student.name, widths[0])
            cells = [Text(text, no_wrap=True) for text in texts]
            if not student.reporting:
                for cell in cells:
                    cell.stylize("dim")
            table.add_row(*cells, key=str(student.id))
            self._drawn[str(student.id)] = student
        if selected is not None:
            # The same row; else the same student's: a session that ends comes back under another id, and one begun
            # again is a new row. The cursor left on the first row had the next e end another student's session.
            same = [s for s in rows if s.name == selected.name]
            follow = next((s for s in rows if s.id == selected.id), None) or next(
                (s for s in same if s.state == selected.state), same[0] if same else None
            )
            if follow is not None:
                table.move_cursor(row=table.get_row_index(str(follow.id)), animate=False)
        self._draw_status(len(rows))

    def _name_room(self, others: list[int], rows: int) -> int:
        """The cells a name may take: what the other columns, `others` cells wide, leave of the table's width, less
        its scrollbar where `rows` are more than it shows. A roster's name may be 32 characters long."""
        table = self.query_one(DataTable)
        width = table.size.width
        if not width:  # not laid out yet: drawn again at its first resize
            return NAME_MOST
        if rows >= table.size.height:  # the header takes a row
            width -= table.styles.scrollbar_size_vertical
        padding = 2 * table.cell_padding
        return max(NAME_LEAST, min(NAME_MOST, width - sum(other + padding for other in others) - padding))

    def _draw_status(self, shown: int) -> None:
        count = len(self.students)
        gone = sum(student.state != ON for student in self.students)
        # The rows, each counted once: sessions on, and students whose session is over.
        students = f"{count - gone} logged in"
        if gone:
            students += f", {gone} gone"
        arrow = "↓" if self.descending else "↑"
        parts = [students, f"sorted by {COLUMNS[self.sort_column].title} {arrow}"]
        if shown != count:
            parts.append(f"{shown} shown")
        parts.append("? help")  # the key bar has no room for it at 80 columns
        if self.linked is None:
            parts = ["connecting to the lab server…"]
        elif not self.linked:
            parts.insert(0, "[b]not connected to the lab server[/b], trying again")
        self.query_one("#status", Static).update(" · ".join(parts))

    def _cursor_key(self) -> str | None:
        table = self.query_one(DataTable)
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value if table.row_count else None

    def selected(self) -> Student | None:
        key = self._cursor_key()
        return next((s for s in self.students if str(s.id) == key), None)

    # -- keys --------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filtered(self) -> None:
        self.redraw()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_table(self) -> None:
        self.query_one(DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_sort(self) -> None:
        self.sort_column = (self.sort_column + 1) % len(COLUMNS)
        self.redraw()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.redraw()

    def on_now(self) -> Student | None:
        """The selected student, if their session is on: one that is over takes no command."""
        student = self.selected()
        if student is not None and student.state != ON:
            self.notify(f"{student.name} is not logged in.", markup=False)
            return None
        return student

    def action_message(self) -> None:
        student = self.on_now()
        if student is not None:
            self._ask_message(student)

    def action_message_all(self) -> None:
        self._ask_message(None)

    def _ask_message(self, student: Student | None) -> None:
        who = "everyone" if student is None else student.name

        def send(text: str | None) -> None:
            text = channel.clean_message(text)
            if text is None:
                return
            self.post_message(self.Command({"say": text, "to": None if student is None else student.id}, receipt=who))

        self.app.push_screen(MessagePrompt(f"Message to {who}:"), send)

    def action_go(self) -> None:
        def go(step: int | None) -> None:
            if step is not None:
                self.post_message(self.Command({"go": step, "to": None}, receipt=f"step {step}, {STEPS[step - 1].title}"))

        self.app.push_screen(StepPrompt(), go)

    def action_end(self) -> None:
        student = self.on_now()
        if student is None:
            return

        def end(sure: bool | None) -> None:
            if sure:
                self.post_message(self.Command({"end": student.id}, said=f"Ending {student.name}'s session."))

        self.app.push_screen(ConfirmEnd(student.name), end)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self, everywhere=()))  # ? and q are among its own keys

    def action_record(self) -> None:
        self.app.push_screen(RecordScreen())
        self.post_message(self.Command({"record": True}))

    def command_sent(self, command: Command, sent: bool) -> None:
        """The app sent a command to the hub, or could not: not linked, or the link full."""
        if not sent:
            self.notify("Not connected to the lab server: nothing was sent.", severity="warning", markup=False)
            return
        if command.said is not None:
            self.notify(command.said, markup=False)
        if command.receipt is not None:
            self._asked.append(command.receipt)  # told once the hub says how many it reached (show_done)

    def show_done(self, message: dict) -> None:
        """What a message or a step reached, as the hub tells it: a session may end between Enter and its arrival."""
        if not self._asked:
            return  # asked on a link lost since
        asked, reached = self._asked.popleft(), message.get("reached")
        if type(reached) is not int:
            return
        if message.get("done") == "go":
            said = (
                f"{counted(reached, 'student')} brought to {asked}."
                if reached
                else f"No student is logged in: nobody brought to {asked}."
            )
        elif reached:
            said = f"Sent to {asked}." if asked != "everyone" else f"Sent to {counted(reached, 'student')}."
        else:
            said = (
                "No student is logged in: the message was not sent."
                if asked == "everyone"
                else f"{asked} has left: the message was not sent."
            )
        self.notify(said, markup=False)

    def show_record(self, message: dict) -> None:
        for screen in self.app.screen_stack:
            if isinstance(screen, RecordScreen):
                screen.post_message(RecordScreen.Arrived(message.get("record"), message.get("total")))

    async def action_quit(self) -> None:
        self.app.exit()


@dataclass(frozen=True)
class Session:
    """A row of the class record, as the hub sent it."""

    name: str
    login: datetime
    logout: datetime | None
    cut: datetime | None  # no logout: its server was last known running then
    beat: int | None
    quiz: tuple[int, int] | None
    best: float | None
    steps: int | None
    saved: int
    ended: str | None = None  # with a logout, how (channel.ENDINGS)

    @classmethod
    def parse(cls, row: object) -> Session | None:
        if not isinstance(row, dict) or not isinstance(row.get("name"), str):
            return None
        login, logout, cut = _time(row.get("login")), _time(row.get("logout")), _time(row.get("cut"))
        if login is None or any(_time(row.get(key)) is None and row.get(key) is not None for key in ("logout", "cut")):
            return None
        figures = channel.clean_progress(
            {"beat": row.get("beat"), "quiz": row.get("quiz"), "steps": row.get("steps"), "accuracy": row.get("best_accuracy")}
        )
        quiz, saved = figures.get("quiz"), row.get("models_saved")
        return cls(
            row["name"],
            login,
            logout,
            cut,
            figures.get("beat"),
            (quiz[0], quiz[1]) if isinstance(quiz, list) else None,
            figures.get("accuracy"),
            figures.get("steps"),
            saved if type(saved) is int and saved >= 0 else 0,
            channel.clean_ending(row.get("ended")),
        )

    def cells(self) -> list[str]:
        logout = "on"
        if self.logout is not None:
            logout = f"{self._moment(self.logout)} {ending_words(self.ended)}" if self.ended else self._moment(self.logout)
        elif self.cut is not None:
            logout = f"cut {self._moment(self.cut)}"
        name = cut_middle(self.name, 12)  # its end too: two long names often differ only there
        return [
            name,
            self.login.strftime("%m-%d %H:%M"),
            logout,
            NONE if self.beat is None else str(self.beat),
            NONE if self.quiz is None else f"{self.quiz[0]}/{self.quiz[1]}",
            NONE if self.best is None else percent(self.best),
            NONE if self.steps is None else f"{self.steps:,}",
            str(self.saved),
        ]

    def _moment(self, when: datetime) -> str:
        return when.strftime("%H:%M" if when.date() == self.login.date() else "%m-%d %H:%M")


def _time(text: object) -> datetime | None:
    """A time of the record ('2027-01-15T08:00:00Z'), in this machine's time zone."""
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone()
    except ValueError:
        return None


class RecordScreen(Screen):
    """The class record: every student session the lab server has kept, the latest last."""

    BINDINGS = [Binding("escape,c", "back", "Back to the class"), Binding("q", "app.quit", "Quit")]
    DEFAULT_CSS = """
    RecordScreen #status { height: 1; padding: 0 1; }
    RecordScreen DataTable { height: 1fr; }
    """
    TITLES = ("Name", "Login", "Logout", "Beat", "Quiz", "Best", "Steps", "Saved")

    def compose(self) -> ComposeResult:
        yield Static("asking the lab server for the class record…", id="status", markup=False)
        yield DataTable(id="record", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    class Arrived(Message):
        """The hub's answer: queued to the screen, so that it is shown once the screen has its table,
        however soon the answer comes."""

        def __init__(self, rows: object, total: object) -> None:
            super().__init__()
            self.rows = rows
            self.total = total

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.TITLES)
        table.focus()

    def on_record_screen_arrived(self, message: Arrived) -> None:
        self.show(message.rows, message.total)

    def show(self, rows: object, total: object) -> None:
        parsed = (Session.parse(row) for row in rows) if isinstance(rows, list) else ()
        sessions = [session for session in parsed if session is not None]
        table = self.query_one(DataTable)
        table.clear()
        for session in sessions:
            table.add_row(*(Text(cell, no_wrap=True) for cell in session.cells()))
        table.move_cursor(row=len(sessions) - 1, animate=False)
        kept = total if type(total) is int and total >= len(sessions) else len(sessions)
        counted = f"{kept} session" + ("" if kept == 1 else "s")
        shown = f"{len(sessions)} of {counted} (the latest)" if kept != len(sessions) else counted
        self.query_one("#status", Static).update(f"Class record: {shown} · all of it: gdtui class record")

    def action_back(self) -> None:
        self.dismiss()


class MessagePrompt(Prompt[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    MessagePrompt { align: center middle; }
    MessagePrompt > Vertical { width: 70; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.question, markup=False)
            yield Field(max_length=channel.MESSAGE_CHARACTERS, placeholder="a sentence, shown on their screen")
            yield Label(self._hint(0), id="hint")

    @staticmethod
    def _hint(typed: int) -> str:
        # The field takes no key past the most a message may have: said, or the keys seem lost.
        most = channel.MESSAGE_CHARACTERS
        full = ": no more" if typed >= most else ""
        return f"[dim]enter sends, escape cancels · {typed} of {most} characters{full}[/dim]"

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#hint", Label).update(self._hint(len(event.value)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StepPrompt(Prompt[int | None]):
    BINDINGS = [
        *(Binding(step.key, f"choose({step.key})", step.title, show=False) for step in STEPS),
        Binding("escape", "choose(0)", "Cancel"),
    ]
    DEFAULT_CSS = """
    StepPrompt { align: center middle; }
    StepPrompt > Static { width: 48; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        steps = "\n".join(f"[b]{step.key}[/b]  {step.title}" for step in STEPS)
        yield Static(f"Bring everyone to step:\n\n{steps}\n\n[b]escape[/b]  cancel")

    def action_choose(self, step: int) -> None:
        self.dismiss(step or None)


class ConfirmEnd(Prompt[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes, end it"),
        Binding("n,escape", "answer(False)", "No"),
    ]
    DEFAULT_CSS = """
    ConfirmEnd { align: center middle; }
    ConfirmEnd > Static { width: 56; height: auto; border: round $error; background: $surface; padding: 1 2; }
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.student = name

    def compose(self) -> ComposeResult:
        text = Text.assemble("End ", (self.student, "bold"), "'s session? Their app closes as after an idle timeout.\n\n")
        text.append_text(Text.from_markup("[b]y[/b]  yes, end it    [b]n[/b]  no"))
        yield Static(text)

    def action_answer(self, sure: bool) -> None:
        self.dismiss(sure)
