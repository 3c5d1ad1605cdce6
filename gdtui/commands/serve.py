"""``gdtui serve``: a whole class over SSH, each student with a gdtui of their own."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from dataclasses import astuple
from pathlib import Path

from gdtui.commands import say, user_path
from gdtui.core.errors import GdtuiError

PASSWORD_VARIABLE = "GDTUI_LAB_PASSWORD_HASH"

DESCRIPTION = """\
Run an SSH server on which every student who logs in gets their own gdtui,
on their own terminal, in a folder of their own. Students need nothing but
ssh:  ssh -p 2222 their-name@this-machine

Who may log in: a roster of students' names with their own keys and/or
password hashes (a name on it is only for its owner); public keys in an
authorized_keys file (name="ada" before a key ties it to that name); and/or
one lab password, which lets anyone who knows it in under any name not on the
roster. Passwords are given only as hashes, which

    gdtui serve --hash-password > lab-password

makes; start the server with --password-file lab-password, or with the hash
in the environment variable GDTUI_LAB_PASSWORD_HASH. A roster line is a name,
then 'password:HASH' and/or 'role:teacher', then at most one public key as its
.pub file holds it (its comment, the rest of the line, is never read):
'alan password:HASH', 'ada ssh-ed25519 AAAA... ada@laptop'. 'gdtui class new'
makes a roster from a list of names, with a password for each student and
handouts to give them. The server refuses to start with none of these, unless
--no-auth says the lab network is closed.

The host key is made on the first start and kept in
$XDG_DATA_HOME/gdtui/lab (~/.local/share/gdtui/lab), or in --host-key FILE;
its fingerprint is logged at every start. In the lab's folder, sessions/
(its owner's alone) has a folder for each name students log in with: their
saved models and lesson bookmark, kept for their next login, up to --quota.
Started by root, the server runs every session as the user --user names. The
roster and authorized_keys files are read again when they change. Each session
runs numpy on one thread; all of them share the data cache. The limits below
follow OpenSSH's sshd.

A teacher (--teacher NAME, or 'role:teacher' on the roster line) who logs in
gets a live dashboard of the class instead of the lesson: each student's step,
quiz score, training and last key press, with a message for one student or
all, everyone brought to a step, and a session ended. The lab's folder also
holds the class record, a row for each student session (record.jsonl and
record.csv), written as it happens: 'gdtui class record' prints it.
"""


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "serve",
        help="serve gdtui to a class over SSH",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="", help="address to listen on (default: every interface)")
    parser.add_argument("--port", type=int, default=2222, help="port to listen on (default: 2222)")
    parser.add_argument(
        "--roster",
        type=user_path,
        metavar="FILE",
        help="each student's name with their public keys and/or password hash: a name is then only for its owner",
    )
    parser.add_argument(
        "--authorized-keys",
        type=user_path,
        metavar="FILE",
        help='public keys allowed to log in, OpenSSH format; name="NAME" before a key ties it to that name',
    )
    parser.add_argument(
        "--password-file",
        type=user_path,
        metavar="FILE",
        help=f"file holding the lab password's hash (or set {PASSWORD_VARIABLE})",
    )
    parser.add_argument("--no-auth", action="store_true", help="let anyone who can connect log in: only on a closed lab network")
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=30,
        metavar="N",
        help="students' sessions at once; more are politely refused. A teacher's dashboard is not "
        "counted: a full lab still lets its teacher in (default: 30)",
    )
    parser.add_argument(
        "--max-sessions-per-name",
        type=int,
        default=2,
        metavar="N",
        help="sessions at once under one name (default: 2); one connection has one session at a time",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=30.0,
        metavar="MINUTES",
        help="end a session after this long without a key press; 0 never (default: 30)",
    )
    parser.add_argument(
        "--max-startups",
        metavar="START:RATE:FULL",
        help="connections that have not started a session yet, logged in or not: from START of them a "
        "new one is refused with a chance of RATE %%, rising to all at FULL, as sshd (default: the "
        "session limit plus the per-source limit, 30 and 100: 40:30:100)",
    )
    parser.add_argument(
        "--per-source-max-startups",
        type=int,
        default=10,
        metavar="N",
        help="of those, at most N from one address, and as many students' sessions at once from one address (default: 10)",
    )
    parser.add_argument(
        "--login-grace-time",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="a connection that has not started a session after this long is closed: not logged in, "
        "no session (ssh -N), or a session that never asks for a shell; so is one whose session ended "
        "and that starts no other (default: 30)",
    )
    parser.add_argument(
        "--keepalive",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="ask a quiet client this often whether it is still there, and close its connection after "
        "3 unanswered; 0 never asks (default: 15)",
    )
    parser.add_argument(
        "--max-auth-tries",
        type=int,
        default=6,
        metavar="N",
        help="failed passwords or keys on one connection before it is closed, as sshd (default: 6)",
    )
    parser.add_argument(
        "--block-after",
        type=int,
        default=10,
        metavar="N",
        help="failed logins from one address before it is refused; it then gets one more try "
        "every 10 s; 0 never refuses (default: 10)",
    )
    parser.add_argument(
        "--starting-at-once",
        type=int,
        default=0,
        metavar="N",
        help="sessions that may be drawing their first screen at once, the others waiting their turn in "
        "the order they logged in, so that a class logging in together sees its screens one after "
        "another instead of all at the end; 0 for one a core (default: 0)",
    )
    parser.add_argument(
        "--first-screen-wait",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="a session whose first screen is not drawn after this long lets the next in line start anyway (default: 5)",
    )
    parser.add_argument(
        "--quota",
        type=float,
        default=50.0,
        metavar="MB",
        help="what the files in each student's folder may hold; a save past it is refused (default: 50; 0 no limit)",
    )
    parser.add_argument("--lesson", action="store_true", help="start every session in the guided lesson")
    parser.add_argument(
        "--teacher",
        action="append",
        default=[],
        metavar="NAME",
        help="who gets the live dashboard of the class instead of the lesson; a name on the roster or "
        "named in the authorized_keys file (repeat for more than one)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="run every session as this unprivileged user, owner of the students' folders; needed when the server runs as root",
    )
    parser.add_argument(
        "--host-key",
        type=user_path,
        metavar="FILE",
        help="the server's private host key, made there if missing (default: in the lab's folder, below); "
        "'gdtui class new' puts its fingerprint on the students' handout",
    )
    parser.add_argument("--hash-password", action="store_true", help="ask for a password, print its hash, and exit")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="with --hash-password: read the password from standard input, its first line, without a prompt",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.password_stdin and not args.hash_password:
        raise GdtuiError("--password-stdin goes with --hash-password")
    if args.hash_password:
        return _print_hash(args.password_stdin)
    if not hasattr(os, "login_tty"):
        raise GdtuiError("gdtui serve needs a Unix system with pseudo-terminals")
    import gdtui.serve  # noqa: F401  (the lab's warning filters, set before asyncssh is imported)

    try:
        import asyncssh  # noqa: F401
    except ImportError:
        # Most who install gdtui are students, who never serve a lab: the SSH server is an extra.
        raise GdtuiError("the lab server needs its extra: pip install 'gdtui[serve]'") from None
    from gdtui.core.dataset import load_dataset
    from gdtui.serve.limits import MaxStartups
    from gdtui.serve.server import Lab, LabConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%Y-%m-%d %H:%M:%S")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    lab = Lab(
        LabConfig(
            host=args.host,
            port=args.port,
            roster=args.roster,
            authorized_keys=args.authorized_keys,
            password_hash=_password_hash(args.password_file),
            no_auth=args.no_auth,
            max_sessions=args.max_sessions,
            max_sessions_per_name=args.max_sessions_per_name,
            max_startups=astuple(MaxStartups.parse(args.max_startups)) if args.max_startups else None,
            per_source_max_startups=args.per_source_max_startups,
            login_grace_time=args.login_grace_time,
            keepalive_interval=args.keepalive,
            max_auth_tries=args.max_auth_tries,
            block_after=args.block_after,
            idle_timeout=args.idle_timeout * 60,
            starting_at_once=args.starting_at_once,
            first_screen_wait_s=args.first_screen_wait,
            data=args.data,
            lesson=args.lesson,
            quota_mb=args.quota,
            teachers=tuple(args.teacher),
            user=args.user,
            host_key=args.host_key,
        )
    )
    if os.geteuid() == 0 and not args.user:
        raise GdtuiError(
            "running as root, sessions would have root's rights: give --user NAME, a user without them, to run them as"
        )
    # Checked and cached once, here: no student waits for it, and a bad directory stops the teacher, not a session.
    data = load_dataset(args.data)
    logging.getLogger("gdtui.serve").info("data: %s, %s training images (%s)", data.name, f"{len(data.train):,}", data.source)
    if args.no_auth:
        logging.getLogger("gdtui.serve").warning("--no-auth: anyone who can reach this port gets a session")
    asyncio.run(_serve(lab))
    return 0


async def _serve(lab) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await lab.start()
    await stop.wait()
    logging.getLogger("gdtui.serve").info("shutting down: ending %d sessions", len(lab.sessions))
    await lab.stop()


def _password_hash(path: Path | None) -> str | None:
    from gdtui.serve.passwords import check_hash, read_hash_file

    if path is not None:
        return read_hash_file(path)
    text = os.environ.get(PASSWORD_VARIABLE)
    return check_hash(text) if text else None


def _print_hash(from_stdin: bool) -> int:
    from gdtui.serve.passwords import hash_password

    if from_stdin:
        # For a script: one line, no prompt, no advice; only the hash on standard output.
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not password:
            raise GdtuiError("the password is empty")
        say(hash_password(password))
        return 0
    first = getpass.getpass("Lab password: ")
    if not first:
        raise GdtuiError("the password is empty")
    if getpass.getpass("Again: ") != first:
        raise GdtuiError("the two passwords differ")
    print(hash_password(first))
    print("Keep this line in a file for --password-file, or in $" + PASSWORD_VARIABLE + ".", file=sys.stderr)
    return 0
