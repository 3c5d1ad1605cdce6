"""The teacher's dashboard: every student connected to the lab, live, and what the teacher can do about it.

One row a student: name, time connected, step and lesson beat, quiz score,
training steps, latest test accuracy, and time since their last key press. The
rows come from the lab's hub whenever something changes; the ages count on here
between updates. Keys only: a filter, a sort that cycles through the columns,
a message to everyone or to one student, everyone brought to a step, and a
session ended after a yes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from gdtui import channel
from gdtui.ui.lesson import STEPS
from gdtui.ui.screens.prompt import Field, Prompt

REFRESH_S = 1.0  # the ages on screen count on this often
NONE = "—"


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
    accuracy: float | None = None

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
            progress.get("accuracy"),
        )

    def connected(self, now: float) -> float:
        return self.connected_s + (now - self.received)

    def idle(self, now: float) -> float:
        return self.idle_s + (now - self.received)

    def step_text(self) -> str:
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
    Column("Test", lambda s, now: NONE if s.accuracy is None else f"{s.accuracy:.1%}", lambda s, now: s.accuracy),
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
    BINDINGS = [
        Binding("s", "sort", "Sort"),
        Binding("r", "reverse", "Reverse", show=False),
        Binding("slash", "filter", "Filter"),
        Binding("m", "message", "Message"),
        Binding("a", "message_all", "Message all"),
        Binding("g", "go", "All to step"),
        Binding("e", "end", "End session"),
        Binding("escape", "table", "Back to the table", show=False),
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

    class Command(Message):
        """A command the teacher gave, for the hub to carry out."""

        def __init__(self, command: dict) -> None:
            super().__init__()
            self.command = command

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
        self.redraw()

    def link_lost(self) -> None:
        self.linked = False
        self.redraw()

    # -- drawing -----------------------------------------------------------------------

    def shown(self) -> list[Student]:
        text = self.query_one("#filter", Input).value
        return ordered([s for s in self.students if matches(s, text)], self.sort_column, self.descending)

    def redraw(self) -> None:
        table = self.query_one(DataTable)
        selected = self.selected()
        now = time.monotonic()
        rows = self.shown()
        table.clear()
        for student in rows:
            cells = [Text(column.show(student, now), no_wrap=True) for column in COLUMNS]
            if not student.reporting:
                for cell in cells:
                    cell.stylize("dim")
            table.add_row(*cells, key=str(student.id))
        if selected is not None and any(s.id == selected.id for s in rows):
            table.move_cursor(row=table.get_row_index(str(selected.id)), animate=False)
        self._draw_status(len(rows))

    def _draw_status(self, shown: int) -> None:
        count = len(self.students)
        students = f"{count} student" + ("" if count == 1 else "s")
        arrow = "↓" if self.descending else "↑"
        parts = [students, f"sorted by {COLUMNS[self.sort_column].title.lower()} {arrow}"]
        if shown != count:
            parts.append(f"{shown} shown")
        if self.linked is None:
            parts = ["connecting to the lab server…"]
        elif not self.linked:
            parts.insert(0, "[b]not connected to the lab server[/b], trying again")
        self.query_one("#status", Static).update(" · ".join(parts))

    def selected(self) -> Student | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
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

    def action_message(self) -> None:
        student = self.selected()
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
            self.post_message(self.Command({"say": text, "to": None if student is None else student.id}))
            self.notify(f"Sent to {who}.", markup=False)

        self.app.push_screen(MessagePrompt(f"Message to {who}:"), send)

    def action_go(self) -> None:
        def go(step: int | None) -> None:
            if step is not None:
                self.post_message(self.Command({"go": step, "to": None}))
                self.notify(f"Everyone brought to step {step}, {STEPS[step - 1].title}.", markup=False)

        self.app.push_screen(StepPrompt(), go)

    def action_end(self) -> None:
        student = self.selected()
        if student is None:
            return

        def end(sure: bool | None) -> None:
            if sure:
                self.post_message(self.Command({"end": student.id}))
                self.notify(f"Ending {student.name}'s session.", markup=False)

        self.app.push_screen(ConfirmEnd(student.name), end)

    async def action_quit(self) -> None:
        self.app.exit()


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
            yield Label("[dim]enter sends, escape cancels[/dim]")

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
