"""``gdtui class``: a class for the lab made from a list of names, a student added or removed later, and
the record of what the class did."""

from __future__ import annotations

import argparse
import os
import socket
import sys
from datetime import datetime
from pathlib import Path

from gdtui.commands import say, user_path
from gdtui.core.errors import GdtuiError
from gdtui.core.files import size_text
from gdtui.serve import collect

DESCRIPTION = """\
Make a class for 'gdtui serve' from a list of names: a password of four common
words for each student and the teacher, the roster holding their hashes, and a
handout (handout.txt and handout.md) with each student's ssh command, password
and the fingerprint of the server's host key to check. Every file is its
owner's alone. Then start the server with the roster and the same host key:

    gdtui class new --names names.txt --teacher grace --host lab.example.org
    gdtui serve --roster class/roster

'gdtui class add NAME' and 'gdtui class remove NAME' change the class later,
while the server runs: no one else's password changes, and the handouts are
written again.

'gdtui class record' prints the class record the server keeps in its folder: a
row for each student session, with its login and logout, the highest lesson
beat reached, the quiz's answers and score, the best test accuracy, and the
models saved. Given the folders of several servers, it merges their records.
After class, 'gdtui class collect' puts each student's folder, as the server
keeps it, in a zip archive with a manifest.
"""


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "class",
        help="make a class for the lab: passwords, roster and handouts",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    new = actions.add_parser("new", help="make a class from a list of names", description="Make a class from a list of names.")
    new.add_argument("names", nargs="*", metavar="NAME", help="a student's name")
    new.add_argument(
        "--names",
        dest="names_file",
        type=argparse.FileType("r", encoding="utf-8"),
        metavar="FILE",
        help="a file of students' names, one a line ('#' comments allowed); - reads standard input",
    )
    new.add_argument(
        "--teacher", action="append", required=True, metavar="NAME", help="who gets the dashboard (repeat for more than one)"
    )
    new.add_argument(
        "--host",
        help="the server's name or address, as students type it after 'ssh NAME@' (default: this machine's name)",
    )
    new.add_argument("--port", type=int, default=2222, help="the port the server listens on (default: 2222)")
    new.add_argument(
        "--host-key",
        type=user_path,
        metavar="FILE",
        help="the server's host key, made there if missing, for its fingerprint on the handout: give the "
        "server the same one (default: the lab's, as 'gdtui serve' makes it)",
    )
    _add_folder_option(new)
    new.set_defaults(run=_new)

    add = actions.add_parser("add", help="add students, each with a new password", description="Add students to a class.")
    add.add_argument("names", nargs="+", metavar="NAME")
    _add_folder_option(add)
    add.set_defaults(run=_add)

    remove = actions.add_parser(
        "remove", help="take students off the class", description="Take students off a class: they can no longer log in."
    )
    remove.add_argument("names", nargs="+", metavar="NAME")
    _add_folder_option(remove)
    remove.set_defaults(run=_remove)

    collecting = actions.add_parser(
        "collect",
        help="archive the students' work: their lab folders, with a manifest",
        description="Archive the class's work after class: each student's folder as the lab server keeps it "
        "(models saved, screenshots, the lesson bookmark), in one zip archive for the class or one a "
        f"student, with a manifest of every file ({collect.MANIFEST}: student, file, size, SHA-256, "
        f"time). Links are not followed; a student's folder adds at most {size_text(collect.STUDENT_BYTES)} "
        f"and {collect.STUDENT_ENTRIES:,} files and folders, {collect.DEEPEST} deep: what is "
        f"left out is listed, in {collect.SKIPPED} and here.",
    )
    collecting.add_argument(
        "data",
        nargs="?",
        type=user_path,
        metavar="DATA_FOLDER",
        help="the lab's data folder, which holds the students' folders in sessions/ "
        "(default: the one 'gdtui serve' uses, ~/.local/share/gdtui/lab)",
    )
    collecting.add_argument("--per-student", action="store_true", help="an archive for each student, not one for the class")
    collecting.add_argument("--out", type=user_path, metavar="DIR", help="where the archives go (default: the class's folder)")
    collecting.add_argument("--force", action="store_true", help="replace an archive of the same name")
    _add_folder_option(collecting)
    collecting.set_defaults(run=_collect)
    record = actions.add_parser(
        "record",
        help="print or export the class record: every student session a server kept",
        description="Print the class record that 'gdtui serve' keeps in its folder (record.jsonl), a row a "
        "student session, or export it. Several servers' folders, given together, are merged into one "
        "record, in login order.",
    )
    record.add_argument(
        "folders",
        nargs="*",
        type=user_path,
        metavar="DIR",
        help="a lab server's folder, or its record.jsonl (default: the lab's folder, as 'gdtui serve' uses it)",
    )
    record.add_argument(
        "--csv",
        type=user_path,
        metavar="FILE",
        help="write it as CSV, a row a session; a cell that a spreadsheet would take for a formula "
        "(starting with = + - @) starts with a quote",
    )
    record.add_argument("--jsonl", type=user_path, metavar="FILE", help="write it as JSON lines, an object a session")
    record.set_defaults(run=_record)
    return parser


def _add_folder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=user_path, default=Path("class"), metavar="DIR", help="the class's folder (default: class)")


def _classroom():
    try:
        from gdtui.serve import classroom
    except ImportError:
        raise GdtuiError("a class is for the lab server, which needs its extra: pip install 'gdtui[serve]'") from None
    return classroom


def _new(args: argparse.Namespace) -> int:
    classroom = _classroom()
    from gdtui.serve.hostkey import HOST_KEY
    from gdtui.serve.server import lab_home
    from gdtui.serve.words import entropy_bits, words

    names = list(args.names)
    if args.names_file is not None:
        with args.names_file as file:
            names += classroom.read_names(file.read(), file.name)
    if not names:
        raise GdtuiError("no students: name them, or give --names FILE")
    key = args.host_key or lab_home() / HOST_KEY
    # Asked only here: it may wait on the network's name service, and every gdtui command builds this parser.
    host = args.host or socket.getfqdn()
    made = classroom.new_class(args.dir, names, teachers=args.teacher, host=host, port=args.port, host_key_path=key)
    count = len(made.students)
    say(
        f"A class of {count} {'student' if count == 1 else 'students'} in {args.dir}: "
        f"the roster, {classroom.HANDOUT_TEXT} and {classroom.HANDOUT_MARKDOWN} to hand out (the passwords are in them).",
        f"Each password is four words drawn at random from {len(words()):,}: {entropy_bits():.0f} bits.",
    )
    for name, password in made.teachers.items():
        say(
            f"The teacher logs in with {made.ssh(name)} and the password {password} "
            f"(also in {args.dir / classroom.TEACHER_SLIP})."
        )
    port = "" if args.port == 2222 else f" --port {args.port}"
    # Started by root, the server runs sessions only as an unprivileged user it is given.
    user = " --user USER" if hasattr(os, "geteuid") and os.geteuid() == 0 else ""
    say(
        f"The server's host key is {made.fingerprint} ({key}). Start the server with:",
        f"    gdtui serve --roster {args.dir / classroom.ROSTER} --host-key {key}{port}{user}",
    )
    if user:
        say("with USER an unprivileged user the sessions run as (see the README's lab section).")
    return 0


def _add(args: argparse.Namespace) -> int:
    classroom = _classroom()
    added = classroom.add_students(args.dir, args.names)
    kept = classroom.read_class(args.dir)
    for name, password in added.items():
        say(f"{name}: {kept.ssh(name)}, password {password}")
    say(f"Added to {args.dir}; the handouts are written again. A running server lets them in now.")
    return 0


def _remove(args: argparse.Namespace) -> int:
    classroom = _classroom()
    classroom.remove_students(args.dir, args.names)
    say(
        f"Taken off {args.dir}, and out of its handouts: a running server lets them log in no more, "
        "and ends their sessions still open."
    )
    return 0


def _collect(args: argparse.Namespace) -> int:
    collect.check_system()
    classroom = _classroom()
    from gdtui.serve.server import lab_home
    from gdtui.serve.untrusted import printable

    kept = classroom.read_class(args.dir)
    students = sorted(kept.students)
    data = args.data or lab_home()
    done = collect.collect(
        data,
        students,
        args.out or args.dir,
        teachers=sorted(kept.teachers),
        per_student=args.per_student,
        force=args.force,
        when=datetime.now(),
    )
    width = max(len(name) for name in students)
    say(f"The work of {len(students) - len(done.absent)} of {len(students)} students, from {data / 'sessions'}:")
    for name in students:
        if name in done.absent:
            say(f"  {name:<{width}}  no folder: never logged in")
            continue
        files = [kept for kept in done.kept if kept.student == name]
        count = f"{len(files)} {'file' if len(files) == 1 else 'files'},"
        say(f"  {name:<{width}}  {count} {size_text(sum(kept.size for kept in files))}")
    if done.strangers:
        strangers = ", ".join(printable(name) for name in done.strangers)
        say(f"Left out, not in the class ({strangers}): their folders stay in sessions/.")
    if done.skipped:
        say(f"Left out ({collect.SKIPPED} in the archive lists them too):")
        for item in done.skipped:
            what = printable(item.file) if item.file else "their folder"
            say(f"  {item.student:<{width}}  {what}: {item.why}")
    for archive in done.archives:
        say(f"Written: {archive} ({size_text(archive.stat().st_size)})")
    say(f"{collect.MANIFEST} in each archive lists every file with its size, SHA-256 and time.")
    return 0


def _record(args: argparse.Namespace) -> int:
    try:
        from gdtui.serve import record
        from gdtui.serve.server import lab_home
    except ImportError:
        raise GdtuiError("the class record is the lab server's, which needs its extra: pip install 'gdtui[serve]'") from None

    folders = args.folders or [lab_home()]
    for folder in folders:
        if not (folder / record.JSONL if folder.is_dir() else folder).is_file():
            raise GdtuiError(f"no class record in {folder}: a lab server's folder holds {record.JSONL}")
    rows, problems = record.merged(folders)
    for problem in problems:
        say(f"gdtui: warning: {problem}", file=sys.stderr)
    sessions = f"{len(rows)} {'session' if len(rows) == 1 else 'sessions'}"
    if args.csv is None and args.jsonl is None:
        say(*record.table(rows), sessions)
        return 0
    if args.csv is not None:
        with _writing(args.csv) as file:
            record.write_csv(file, rows)
        say(f"{sessions} written to {args.csv} (a cell a spreadsheet would take for a formula starts with a quote).")
    if args.jsonl is not None:
        with _writing(args.jsonl) as file:
            record.write_jsonl(file, rows)
        say(f"{sessions} written to {args.jsonl}.")
    return 0


def _writing(path: Path):
    """The file, made its owner's alone: the record holds students' names and scores."""
    try:
        return open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8", newline="")
    except OSError as err:
        raise GdtuiError(f"cannot write {path}: {err.strerror or err}") from None
