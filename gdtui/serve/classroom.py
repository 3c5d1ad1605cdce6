"""A class: its roster, each student's password, and the handouts that give each one theirs.

A class lives in a folder of its own, readable by its owner only (the folder 700, each file 600):

    roster                the server's --roster: each name with its password's hash; the teacher's role
    class.json            the host and port students connect to, the host key's fingerprint, the passwords
    handout.txt, .md      a slip per student: the ssh command, the password, the fingerprint to check
    teacher.txt           the teacher's own slip, apart from the students'

The passwords are kept in clear in class.json, as on the handouts: adding or removing a student
writes the handouts again from it, and no one else's password changes. The roster is edited line
by line: a line added by hand (a key, a comment) stays as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gdtui.core.errors import GdtuiError
from gdtui.core.files import replacing
from gdtui.serve.access import NAME_RULE, TEACHER_ROLE, lab_name, name_fault
from gdtui.serve.hostkey import host_key
from gdtui.serve.passwords import hash_password
from gdtui.serve.untrusted import printable
from gdtui.serve.words import new_password

ROSTER = "roster"
KEPT = "class.json"
HANDOUT_TEXT = "handout.txt"
HANDOUT_MARKDOWN = "handout.md"
TEACHER_SLIP = "teacher.txt"
# A host name or an address, as students type it after the '@': nothing a shell or Markdown reads.
_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9.:-]*")
_ROSTER_HEAD = (
    "# The class's roster, read by 'gdtui serve --roster'; 'gdtui class add/remove NAME' edit it.\n"
    "# A line: NAME, then role:teacher and/or password:HASH, then at most one public key.\n"
)
_CUT = "- " * 38 + "8<"


@dataclass
class Class:
    host: str
    port: int
    fingerprint: str
    teachers: dict[str, str] = field(default_factory=dict)  # name: password
    students: dict[str, str] = field(default_factory=dict)

    def ssh(self, name: str) -> str:
        port = "" if self.port == 22 else f"-p {self.port} "
        return f"ssh {port}{name}@{self.host}"


def read_names(text: str, where: str) -> list[str]:
    """The names in a list of them, one a line (blank lines and '#' comments skipped), as lab names."""
    names = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name = lab_name(line)
        if name is None:
            raise GdtuiError(f"line {number} of {where}: {printable(line)} cannot be a name ({NAME_RULE}): {name_fault(line)}")
        names.append(name)
    return names


def check_names(given: Iterable[str]) -> list[str]:
    """The names as lab names, each once; a GdtuiError naming the first that is not one, or is repeated."""
    names: list[str] = []
    for text in given:
        name = lab_name(text)
        if name is None:
            raise GdtuiError(f"{printable(text)} cannot be a name ({NAME_RULE}): {name_fault(text)}")
        if name in names:
            raise GdtuiError(f"{name} is listed twice")
        names.append(name)
    return names


def new_class(folder: Path, students: list[str], *, teachers: list[str], host: str, port: int, host_key_path: Path) -> Class:
    """Make the class in folder (made if missing, refused if it holds one): a password for each
    name, the roster, the handouts. The host key is read from host_key_path, or made there."""
    if not _HOST.fullmatch(host):
        raise GdtuiError(f"the host {printable(host)} is not a name or address students can type after 'ssh NAME@'")
    if not 1 <= port <= 65535:
        raise GdtuiError(f"the port must be between 1 and 65535, not {port}")
    teachers = check_names(teachers)
    students = check_names(students)
    if both := sorted(set(teachers) & set(students)):
        raise GdtuiError(f"{both[0]} is the teacher: leave the name out of the students")
    if (folder / ROSTER).exists() or (folder / KEPT).exists():
        raise GdtuiError(f"{folder} already holds a class: 'gdtui class add' or 'remove' change it, or give another folder")
    fingerprint = host_key(host_key_path).get_fingerprint()
    made = Class(
        host, port, fingerprint, {name: new_password() for name in teachers}, {name: new_password() for name in students}
    )
    try:
        # A folder made here is its owner's alone; one that exists keeps its mode ('--dir .' must
        # not close the teacher's home), its class's files being 600 whatever it is.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise GdtuiError(f"cannot make the class's folder {folder}: {err.strerror}") from None
    lines = [_line(name, password, teacher=True) for name, password in made.teachers.items()]
    lines += [_line(name, password) for name, password in made.students.items()]
    _write(folder / ROSTER, _ROSTER_HEAD + "".join(lines))
    _keep(folder, made)
    return made


def read_class(folder: Path) -> Class:
    try:
        kept = json.loads((folder / KEPT).read_text(encoding="utf-8"))
        return Class(**kept)
    except FileNotFoundError:
        raise GdtuiError(f"{folder} holds no class: 'gdtui class new' makes one") from None
    except OSError as err:
        raise GdtuiError(f"cannot read {folder / KEPT}: {err.strerror}") from None
    except (ValueError, TypeError):
        raise GdtuiError(f"{folder / KEPT} is damaged: it is not one 'gdtui class new' wrote") from None


def add_students(folder: Path, given: list[str]) -> dict[str, str]:
    """Add students to the class in folder, each with a new password (returned); no one else's changes."""
    kept = read_class(folder)
    roster = _read_roster(folder)
    on_roster = _names_on(roster)
    names = check_names(given)
    for name in names:
        if name in on_roster or name in kept.students or name in kept.teachers:
            raise GdtuiError(f"{name} is already in the class")
    added = {name: new_password() for name in names}
    if roster and not roster.endswith("\n"):
        roster += "\n"
    _write(folder / ROSTER, roster + "".join(_line(name, password) for name, password in added.items()))
    kept.students.update(added)
    _keep(folder, kept)
    return added


def remove_students(folder: Path, given: list[str]) -> None:
    """Take students off the class in folder: every roster line of theirs, and their slips."""
    kept = read_class(folder)
    roster = _read_roster(folder)
    on_roster = _names_on(roster)
    names = check_names(given)
    for name in names:
        if name not in on_roster and name not in kept.students:
            raise GdtuiError(f"{name} is not in the class")
    lines = roster.splitlines(keepends=True)
    _write(folder / ROSTER, "".join(line for line in lines if _line_name(line) not in names))
    for name in names:
        kept.students.pop(name, None)
        kept.teachers.pop(name, None)
    _keep(folder, kept)


def _line(name: str, password: str, *, teacher: bool = False) -> str:
    role = f"{TEACHER_ROLE} " if teacher else ""
    return f"{name} {role}password:{hash_password(password)}\n"


def _line_name(line: str) -> str | None:
    words = line.split()
    if not words or words[0].startswith("#"):
        return None
    return lab_name(words[0])


def _names_on(roster: str) -> set[str]:
    return {name for line in roster.splitlines() if (name := _line_name(line)) is not None}


def _read_roster(folder: Path) -> str:
    try:
        return (folder / ROSTER).read_text(encoding="utf-8")
    except OSError as err:
        raise GdtuiError(f"cannot read the roster {folder / ROSTER}: {err.strerror}") from None


def _write(path: Path, text: str) -> None:
    """Whole or not at all, and its owner's alone: the server reads the roster as it changes."""
    try:
        with replacing(path) as file:
            file.write(text.encode())
    except OSError as err:
        raise GdtuiError(f"cannot write {path}: {err.strerror}") from None


def _keep(folder: Path, kept: Class) -> None:
    _write(folder / KEPT, json.dumps(asdict(kept), indent=2) + "\n")
    students = sorted(kept.students.items())
    _write(folder / HANDOUT_TEXT, "".join(_slip_text(kept, name, password) for name, password in students))
    _write(folder / HANDOUT_MARKDOWN, _markdown(kept, students))
    _write(folder / TEACHER_SLIP, "".join(_slip_text(kept, name, password) for name, password in sorted(kept.teachers.items())))


def _slip_text(kept: Class, name: str, password: str) -> str:
    return (
        f"gdtui lab: {name}\n"
        "\n"
        f"  Log in with     {kept.ssh(name)}\n"
        f"  Your password   {password}\n"
        "\n"
        "  The first time, ssh shows the server's key fingerprint and asks whether to go on.\n"
        "  Answer yes only if it is exactly:\n"
        f"                  {kept.fingerprint}\n"
        f"{_CUT}\n"
    )


def _markdown(kept: Class, students: list[tuple[str, str]]) -> str:
    parts = ["# gdtui lab: logins\n"]
    for name, password in students:
        parts.append(
            f"\n## {name}\n\n"
            f"- Log in with: `{kept.ssh(name)}`\n"
            f"- Your password: `{password}`\n"
            "- The first time, ssh shows the server's key fingerprint and asks whether to go on. "
            f"Answer yes only if it is exactly: `{kept.fingerprint}`\n"
        )
    return "".join(parts)
