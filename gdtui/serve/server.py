"""The lab: an SSH server that gives every student who logs in a gdtui session of their own.

Safe by default: it will not start without a way to check who logs in (a
roster, an authorized_keys file, a password hash) unless the teacher says the
network is closed. Its host key is made on the first start and kept, so
students' ssh clients can recognise the server the next time.

Anyone on the network can connect, so every limit of OpenSSH's sshd that
matters here holds too (MaxStartups, LoginGraceTime, MaxAuthTries,
ClientAliveInterval, penalties for addresses that keep failing), and nothing a
client sends reaches the log, the app or its environment unchecked.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import resource
import time
from asyncio.constants import ACCEPT_RETRY_DELAY
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncssh

from gdtui.core.errors import GdtuiError
from gdtui.core.files import cache_home, data_home
from gdtui.serve import spawn
from gdtui.serve.access import KEY_SIGNATURES, NAME_RULE, Access, Logins, lab_name
from gdtui.serve.admission import Admission, cores
from gdtui.serve.hostkey import HOST_KEY, host_key
from gdtui.serve.hub import Hub
from gdtui.serve.limits import MaxStartups, Metered, Penalties, ReadBudget, Sparing, Startups
from gdtui.serve.passwords import decoy_hash, verify_password
from gdtui.serve.privileges import SessionUser, check_reachable, session_user
from gdtui.serve.record import CSV, JSONL, ClassRecord
from gdtui.serve.session import LabChannel, LabSession, session_home
from gdtui.serve.spawn import Ticket
from gdtui.serve.untrusted import printable

log = logging.getLogger("gdtui.serve")

# Connections the kernel may queue, and asyncio accepts in one go before the lab can refuse any:
# small, so that a flood's refused connections, closed a moment later, hold few open files at once.
_BACKLOG = 32
# How asyncio reports that it could not accept a connection (out of open files, or memory).
_ACCEPT_FAILED = "socket.accept() out of system resource"
# What asyncio's retry of such an accept is called in the words of an error it raises.
_RETRIED_ACCEPT = "_start_serving"
_RETRY_SLACK_S = 0.1
_REPORT_EVERY_S = 60.0
# How often the lab looks whether the roster or the authorized_keys file took a name off.
_NAMES_EVERY_S = 1.0
# What a student is told when the server stops: their session ends, or one asked for is refused.
SHUTTING_DOWN = "gdtui: the lab server is shutting down."
# A client that answers none of this many keepalives in a row is gone, as sshd's ClientAliveCountMax.
_KEEPALIVES_UNANSWERED = 3
_MOST_CONNECTIONS = 10_000
# Bytes read from one client at a time. asyncssh handles every packet a read brings before anything
# else runs, and asyncio reads 256 KiB: four thousand small packets from one client (window changes,
# ignores) held every other session and login for seconds. Small reads make each client wait its turn.
_READ_BYTES = 8192
# What one connection may send: READ_RATE bytes a second beyond a first READ_BURST, then its reads wait.
# sshd gives each connection a process of its own; here one event loop serves them all, and a client
# flooding packets the server throws away (SSH_MSG_IGNORE, a million in 20 s) took a core and doubled every
# student's key-to-screen time. A student's keys, window changes and pastes stay far inside it.
READ_RATE = 16 * 1024
READ_BURST = 64 * 1024
_OVER_BUDGET_EVERY_S = 60.0  # a client over it is logged once in this long for its address
# Open files: the server's own at rest (nine when measured), with room; and a session's (its
# connection, its terminal, the process it watches, its link to the hub).
_FILES_AT_REST = 32
_FILES_PER_SESSION = 5

# What sshd offers by default (OpenSSH 9.9's sshd_config(5)), in its order, and nothing else:
# asyncssh's own defaults add SHA-1 key exchanges and signatures, and vendor extensions.
# Those this asyncssh cannot do (sntrup761 needs a library it may not have) are left out, and so are
# sshd's finite-field Diffie-Hellman exchanges (group-exchange, group14, 16 and 18): sshd does them in a
# process of its own for each connection, the lab on the one event loop that serves every student. An
# 8192-bit one took 13.5 ms of it, and a client that sends e = 2 computes nothing: an outsider with no
# password held the loop with 2% of a core. The curves' take a tenth of a millisecond or less, and every
# SSH client of the last ten years offers them (OpenSSH since 6.5, PuTTY since 0.68).
_KEX = (
    "sntrup761x25519-sha512",
    "sntrup761x25519-sha512@openssh.com",
    "mlkem768x25519-sha256",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
)
_CIPHERS = (
    "chacha20-poly1305@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
)
_MACS = (
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
)


def _algorithms() -> dict[str, list[str]]:
    """asyncssh's options for the algorithms above, as far as this asyncssh has them (which it
    tells only from its private modules: tests/unit/test_lab_asyncssh.py holds them to it)."""
    from asyncssh.encryption import get_encryption_algs
    from asyncssh.kex import get_kex_algs
    from asyncssh.mac import get_mac_algs
    from asyncssh.public_key import get_public_key_algs

    def known(wanted: tuple[str, ...], have: list[bytes]) -> list[str]:
        return [alg for alg in wanted if alg.encode() in have]

    return {
        "kex_algs": known(_KEX, get_kex_algs()),
        "encryption_algs": known(_CIPHERS, get_encryption_algs()),
        "mac_algs": known(_MACS, get_mac_algs()),
        # What the server tells clients it takes; access.AuthorizedKeys holds them to it.
        "signature_algs": known(KEY_SIGNATURES, get_public_key_algs()),
    }


def lab_home() -> Path:
    """Where the lab keeps its host key and the students' session folders (XDG data directory)."""
    return data_home() / "lab"


def _check(option: str, value: float, low: float, high: float, *, zero: str = "") -> None:
    """One clear line for a limit that makes no sense: NaN, infinite, negative or absurd."""
    if zero and value == 0:
        return
    if not (math.isfinite(value) and low <= value <= high):
        zero_means = f"0 ({zero}) or " if zero else ""
        raise GdtuiError(f"{option} must be {zero_means}between {low:g} and {high:g}, not {value:g}")


@dataclass(frozen=True)
class LabConfig:
    host: str = ""  # every interface
    port: int = 2222
    roster: Path | None = None  # each student's name with their keys and/or password
    authorized_keys: Path | None = None
    password_hash: str | None = None  # the lab password: any name not on the roster
    no_auth: bool = False  # only for a closed lab network: anyone who can connect gets a session
    max_sessions: int = 30
    max_sessions_per_name: int = 2  # one, and one more for a student back before their old connection is noticed gone
    # Connections that have not started a session yet, as sshd's MaxStartups (start, rate %, full) for
    # those that have not logged in; logged in is not enough, or a student's own password or key
    # would let them hold the server's open files with sessions they never start. By default
    # START leaves room for a whole class typing its passwords at once beside all that one address
    # may hold, so that no single address can get a student refused: max_sessions + per_source.
    max_startups: tuple[int, int, int] | None = None
    per_source_max_startups: int = 10  # of those, from one address
    login_grace_time: float = 30.0  # seconds from connecting to a session started (a shell or a command asked for)
    keepalive_interval: float = 15.0  # seconds between SSH keepalives to a quiet client; 0 for none
    max_auth_tries: int = 6  # failed attempts on one connection before it is closed, as sshd
    block_after: int = 10  # failed logins that get an address refused; 0 for never
    forgive_every_s: float = 10.0  # then one failure is forgiven every this long
    idle_timeout: float = 30 * 60.0  # seconds without a key press; 0 for none
    kill_grace_s: float = 5.0  # an app asked to end (SIGTERM, SIGHUP) is killed if still running after this
    # Apps drawing their first screen at once, the others waiting their turn in login order; 0 for one a
    # core. A turn ends when the app's first screen is drawn, or after first_screen_wait_s (see admission).
    starting_at_once: int = 0
    first_screen_wait_s: float = 5.0
    data: Path | None = None
    lesson: bool = False
    quota_mb: float = 50.0  # what the files in one student's folder may hold, in MB; 0 for no limit
    home: Path | None = None  # default: lab_home()
    teachers: tuple[str, ...] = ()  # names that get the dashboard instead of the lesson
    host_key: Path | None = None  # default: HOST_KEY in home
    user: str | None = None  # whom sessions run as; None: the server's own user

    @property
    def startup_limit(self) -> MaxStartups:
        """max_startups, or by default room for a whole class typing its passwords beside all one address may hold."""
        start = self.max_sessions + self.per_source_max_startups
        return MaxStartups(*(self.max_startups or (start, 30, max(100, start))))

    def check(self) -> None:
        """Refuse, in one clear line, a lab that checks no one who logs in, or a limit that makes no sense."""
        if not (self.roster or self.authorized_keys or self.password_hash or self.no_auth):
            raise GdtuiError(
                "no way to check who logs in: give --roster FILE, --authorized-keys FILE and/or a password hash "
                "(--password-file FILE or GDTUI_LAB_PASSWORD_HASH); only on a closed lab network, --no-auth"
            )
        if self.no_auth and self.roster:
            raise GdtuiError("--no-auth lets anyone in under any name: it cannot go with --roster")
        if self.no_auth and self.teachers:
            raise GdtuiError("--no-auth lets anyone in under any name, the teacher's too: it cannot go with --teacher")
        _check("--port", self.port, 0, 65535)
        _check("--max-sessions", self.max_sessions, 1, 1000)
        # NaN compares false with everything: it passed 'below 0' and ended every session at once.
        _check("--idle-timeout", self.idle_timeout / 60, 0.05, 7 * 24 * 60, zero="never")
        startups = self.startup_limit
        _check("--max-startups' START", startups.start, 1, _MOST_CONNECTIONS)
        _check("--max-startups' RATE", startups.rate, 1, 100)
        _check("--max-startups' FULL", startups.full, startups.start, _MOST_CONNECTIONS)
        _check("--per-source-max-startups", self.per_source_max_startups, 1, _MOST_CONNECTIONS)
        _check("--login-grace-time", self.login_grace_time, 0.1, 600)
        _check("--keepalive", self.keepalive_interval, 0.1, 3600, zero="none")
        _check("--max-sessions-per-name", self.max_sessions_per_name, 1, 1000)
        _check("--max-auth-tries", self.max_auth_tries, 1, 100)
        _check("--block-after", self.block_after, 1, 10_000, zero="never")
        _check("--starting-at-once", self.starting_at_once, 1, 1000, zero="one a core")
        _check("--first-screen-wait", self.first_screen_wait_s, 0.1, 600)
        _check("--quota", self.quota_mb, 0.1, 1_000_000, zero="none")


class Lab:
    """The running server, its sessions and its limits."""

    def __init__(self, config: LabConfig) -> None:
        config.check()
        self.config = config
        self.user = session_user(config.user) if config.user else None
        self.home = config.home or lab_home()
        # Sessions run in their own folders: a relative path would mean something else there.
        self.data = config.data.resolve() if config.data else None
        self.access = Access(config.roster, config.authorized_keys, config.password_hash)
        self.penalties = Penalties(config.block_after, config.forgive_every_s)
        self.startups = Startups(config.startup_limit, config.per_source_max_startups)
        self.over_budget = Sparing(_OVER_BUDGET_EVERY_S)  # connections read slower for sending too fast (see Metered)
        self.teachers = self._check_teachers(config)
        self.admission = Admission(config.starting_at_once or cores(), config.first_screen_wait_s)
        # An app says through the hub when its first screen is drawn: the next in line may start.
        self.hub = Hub(self._end_by_teacher, shown=self.admission.done)
        self.sessions: set[LabSession] = set()
        self._stopping = False
        self._numbers = 0
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._loop_errors: Callable | None = None  # the event loop's own handler, put back on stop
        self._accept_failed_at: float | None = None  # when it was last reported
        self._accept_failed_last = -math.inf  # when it last happened
        self._owned: set[str] = set()  # the names owned when the lab last looked
        self._names_looker: asyncio.TimerHandle | None = None
        self._zygote = spawn.Zygote(spawn.zygote_environment(self.home, cache_home().parent), self.data)

    def _check_teachers(self, config: LabConfig) -> frozenset[str]:
        """The teachers' names, each one only its owner can log in under: a name open to the lab
        password would make anyone who knows it a teacher."""
        names = set()
        owned = self.access.current().owned
        for given in config.teachers:
            name = lab_name(given)
            if name is None:
                raise GdtuiError(f"--teacher {printable(given)}: a name is {NAME_RULE}")
            if name not in owned:
                raise GdtuiError(
                    f"--teacher {name}: {name} must be on the roster, or named in the authorized_keys file, "
                    "so that only the teacher can log in under it"
                )
            names.add(name)
        return frozenset(names)

    def is_teacher(self, name: str) -> bool:
        """Whether name gets the dashboard: a teacher's (--teacher, or role:teacher on the roster),
        and still owned as the files say now."""
        owned = self.access.current().owned
        return name in owned and (name in self.teachers or owned[name].teacher)

    @property
    def port(self) -> int:
        """The port listened on: the one asked for, or the one the system chose for port 0."""
        if self._acceptor is None:
            raise RuntimeError("the lab is not listening yet: start it first")
        return self._acceptor.sockets[0].getsockname()[1]

    async def start(self) -> None:
        key_path = self.config.host_key or self.home / HOST_KEY
        key = host_key(key_path)
        decoy_hash()  # made now: made at the first refusal, it would make that refusal the slower one
        self._make_sessions_dir()
        # Read back before anyone logs in: the sessions of a server that was stopped, or killed, are still the class's.
        self.hub.record = ClassRecord.open(self.home)
        if self.user is not None:
            self._open_to(self.user)
        self._make_room_for_files()
        # Warm before the first student comes, and with the open-file limit its sessions will need.
        await self._zygote.start()
        try:
            self._acceptor = await asyncssh.create_server(
                lambda: LabConnection(self),
                self.config.host,
                self.config.port,
                backlog=_BACKLOG,
                server_host_keys=[key],
                encoding=None,
                agent_forwarding=False,
                allow_scp=False,
                login_timeout=self.config.login_grace_time,
                keepalive_interval=self.config.keepalive_interval,
                keepalive_count_max=_KEEPALIVES_UNANSWERED,
                **_algorithms(),
            )
        except (OSError, OverflowError) as err:
            await self._zygote.stop()
            raise GdtuiError(f"cannot listen on port {self.config.port}: {getattr(err, 'strerror', None) or err}") from None
        await self.hub.start()
        self._look_at_names()
        if self.user is not None:
            # The sessions' link to the hub: theirs to connect to, still no one else's.
            # The socket before its folder, and neither through a symlink: once the folder is the
            # sessions' user's, what is in it could be a symlink put there by that user.
            for path in (self.hub.path, self.hub.path.parent):
                os.chown(path, self.user.uid, self.user.gid, follow_symlinks=False)
        loop = asyncio.get_running_loop()
        self._loop_errors = loop.get_exception_handler()
        loop.set_exception_handler(self._on_loop_error)
        where = self.config.host or "every interface"
        log.info("listening on %s port %d, host key %s (%s)", where, self.port, key.get_fingerprint(), key_path)
        self._log_class()
        log.info("session limit %d; students' folders in %s", self.config.max_sessions, self.sessions_dir)
        log.info("class record: %s and %s in %s ('gdtui class record' prints it)", JSONL, CSV, self.home)
        if self.config.password_hash:
            log.info(
                "the lab password lets whoever knows it log in under any name not on the roster, "
                "and so into that name's folder: it keeps students apart, it does not prove who they are"
            )

    def _log_class(self) -> None:
        owned = self.access.current().owned
        teachers = sorted(name for name in owned if self.is_teacher(name))
        students = len(owned) - len(teachers)
        named = f"{'teacher' if len(teachers) == 1 else 'teachers'}: {', '.join(teachers)}" if teachers else "no teacher"
        log.info("%s; %d %s on the roster", named, students, "student" if students == 1 else "students")

    def _make_sessions_dir(self) -> None:
        """The students' folders, out of sight of the machine's other users: they hold their work,
        and their names. Made so on every start, whatever an older server made it."""
        self.sessions_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.sessions_dir.chmod(0o700)
        if self.user is not None:
            os.chown(self.sessions_dir, self.user.uid, self.user.gid)

    def _open_to(self, user: SessionUser) -> None:
        """Let the sessions' user read the data set's cache (public data, written readable by its
        owner only), and refuse to start if its sessions could not run."""
        from gdtui.core.dataset import load_dataset

        data = load_dataset(self.data)
        cached = sorted(data.cache_dir.iterdir()) if data.cache_dir is not None else []
        if data.cache_dir is not None:
            data.cache_dir.chmod(0o755)
            for path in cached:
                path.chmod(0o644)
        env = spawn.zygote_environment(self.home, cache_home().parent)
        check_reachable(user, self.sessions_dir, [*cached, data.source], env)
        log.info("sessions run as %s (uid %d, gid %d)", user.name, user.uid, user.gid)

    def _make_room_for_files(self) -> None:
        """Raise the open-file limit as far as the lab may need, where the system allows.

        Out of open files, asyncio can only log every connection it fails to accept (megabytes a
        minute) while no one gets in. With the connections that have not started a session capped,
        and the sessions, the lab's need is known.
        """
        owned = self.access.current().owned
        teachers = self.teachers | {name for name, mine in owned.items() if mine.teacher}
        seats = self.config.max_sessions + len(teachers) * self.config.max_sessions_per_name
        need = _FILES_AT_REST + _BACKLOG + self.startups.limit.full + _FILES_PER_SESSION * seats
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft >= need:
            return
        room = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (room, hard))
        if room < need:
            log.warning(
                "open-file limit %d: %d sessions and --max-startups %s may need %d; raise the limit (ulimit -n) or lower those",
                room,
                seats,
                self.startups.limit,
                need,
            )

    def _on_loop_error(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        message = context.get("message", "")
        if message == _ACCEPT_FAILED:
            if self._accept_failed_at is None or time.monotonic() - self._accept_failed_at >= _REPORT_EVERY_S:
                # asyncio reports this for every connection it tries, many times a second: once a minute is enough.
                self._accept_failed_at = time.monotonic()
                log.warning(
                    "cannot accept connections (%s): they wait until files are free; raise the open-file limit (ulimit -n)",
                    context["exception"].strerror,
                )
            self._accept_failed_last = time.monotonic()  # asyncio schedules its retry as this returns
        elif self._stopping and _RETRIED_ACCEPT in message and isinstance(context.get("exception"), ValueError):
            pass  # asyncio's second try of a failed accept, due after the listener closed: nothing to accept
        elif self._loop_errors is not None:
            self._loop_errors(loop, context)
        else:
            loop.default_exception_handler(context)

    def _look_at_names(self) -> None:
        """End the sessions of a name the files no longer own: a student taken off the class is out,
        not only kept from logging in again."""
        self._names_looker = asyncio.get_running_loop().call_later(_NAMES_EVERY_S, self._look_at_names)
        owned = set(self.access.current().owned)
        taken_off = self._owned - owned
        self._owned = owned
        for session in list(self.sessions):
            if session.username in taken_off:
                log.info("%s was taken off the class: session %d ended", session.username, session.number)
                session.end(f"gdtui: {session.username} was taken off the class.", "removed")

    async def stop(self) -> None:
        """Stop listening, end every session cleanly, and wait for them to finish."""
        if self._names_looker is not None:
            self._names_looker.cancel()
        # Connections already made stay open: none of them may start a session from now on.
        self._stopping = True
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
        try:
            sessions = list(self.sessions)
            for session in sessions:
                session.end(SHUTTING_DOWN, "shutdown")
            await asyncio.gather(*(session.done.wait() for session in sessions))
            await self.hub.stop()
            self.hub.record.close()
            await self._zygote.stop()
        finally:
            await self._let_go_of_loop_errors()

    async def _let_go_of_loop_errors(self) -> None:
        """Give the loop its own error handler back, once asyncio's second try of a failed accept is past: due on
        the closed listener, it comes through this lab's handler, which says nothing of it."""
        loop = asyncio.get_running_loop()
        if loop.get_exception_handler() != self._on_loop_error:  # never ours, or another's since
            return
        # The retry is due a second after the failure was handled: a little longer, for the handler's own time.
        await asyncio.sleep(self._accept_failed_last + ACCEPT_RETRY_DELAY + _RETRY_SLACK_S - time.monotonic())
        loop.set_exception_handler(self._loop_errors)

    @property
    def sessions_dir(self) -> Path:
        return self.home / "sessions"

    # -- for the sessions --------------------------------------------------------

    def new_session(
        self,
        username: str,
        peer: str,
        seated: Callable[[], None],
        over: Callable[[], None],
        queued: Callable[[], int] = lambda: 0,
        said: set[str] | None = None,
    ) -> LabSession:
        """A session for the named student; seated() is called if it gets a place in the lab, over() when it is over;
        queued() says how many bytes its connection holds for the client; said, what its connection has had logged."""

        def admit(term: str, client: Mapping[str, str]) -> Ticket | str:
            admitted = self._admit(session, term, client)
            if isinstance(admitted, Ticket):
                seated()
            return admitted

        def finished() -> None:
            self._finished(session)
            over()

        teacher = self.is_teacher(username)
        session = LabSession(
            username,
            peer,
            teacher=teacher,
            admit=admit,
            launch=self._launch,
            finished=finished,
            # A dashboard is there to be watched, not typed at.
            idle_timeout=0 if teacher else self.config.idle_timeout,
            grace_s=self.config.kill_grace_s,
            queued=queued,
            said=said,
            warn=self.hub.tell,
        )
        return session

    def _admit(self, session: LabSession, term: str, client: Mapping[str, str]) -> Ticket | str:
        """The session's ticket, made here once; or why it has no place in the lab."""
        if self._stopping:
            session.note("stopping", "refused a session to %s from %s: the server is stopping", session.username, session.peer)
            return SHUTTING_DOWN
        limit = self.config.max_sessions
        # A teacher's seat is none of the students': a class that fills the lab cannot keep its teacher
        # out. Each teacher has only their name's share of sessions.
        students = sum(not other.teacher for other in self.sessions)
        if not session.teacher and students >= limit:
            session.note(
                "full", "refused a session to %s from %s: the lab is full (%d sessions)", session.username, session.peer, limit
            )
            return f"Sorry, this lab is full: all {limit} sessions are in use. Please try again in a few minutes."
        # Under the lab's password any name logs in: one student could take every seat under names made up. An
        # address has the seats it may start sessions at once (a lab behind one NAT raises both together).
        here = sum(not other.teacher and other.host == session.host for other in self.sessions)
        if not session.teacher and here >= self.config.per_source_max_startups:
            session.note(
                "address", "refused a session to %s from %s: %d open from that address", session.username, session.peer, here
            )
            return f"Sorry: {here} sessions from your address are open here already. Please close one first."
        mine = sum(other.username == session.username for other in self.sessions)
        if mine >= self.config.max_sessions_per_name:
            session.note("mine", "refused a session to %s from %s: %d open under that name", session.username, session.peer, mine)
            sessions = "session" if mine == 1 else "sessions"
            return f"{session.username} already has {mine} {sessions} open here: please close one first."
        user = (self.user.uid, self.user.gid) if self.user is not None else None
        # Theirs, whoever made it, before the session is counted: it may fail.
        home = session_home(self.sessions_dir, session.username, user)
        self._numbers += 1
        number = self._numbers
        self.sessions.add(session)
        hub = self.hub.join(number, session.username, teacher=session.teacher, last_key=lambda: session.last_key)
        return Ticket(
            number=number,
            home=home,
            environment=spawn.environment(term, home, cache_home().parent, client, hub=hub),
            arguments=spawn.arguments(self.data, self.config.lesson, round(self.config.quota_mb * 10**6)),
            user=user,
            turn=self.admission.turn(number),
        )

    async def _launch(self, ticket: Ticket, tty: int) -> asyncio.subprocess.Process | spawn.ForkedProcess:
        if ticket.user is not None:
            # Theirs, as sshd gives a login its terminal (the folder was given them at admission).
            os.fchown(tty, *ticket.user)
        try:
            return await self._zygote.launch(spawn.MODULE, ticket.arguments, ticket.environment, ticket.home, tty, ticket.user)
        except ConnectionError as err:
            if self._zygote.ready:
                log.warning("session %d: the zygote could not start it (%s): starting a fresh process", ticket.number, err)
            user = ticket.user
            return await asyncio.create_subprocess_exec(
                *spawn.command(ticket.arguments),
                stdin=tty,
                stdout=tty,
                stderr=tty,
                cwd=ticket.home,
                env=dict(ticket.environment),
                # Its own process group, so ending the session ends everything the app started.
                start_new_session=True,
                user=None if user is None else user[0],
                group=None if user is None else user[1],
                extra_groups=None if user is None else [],
            )

    def _finished(self, session: LabSession) -> None:
        self.admission.done(session.number)
        if session in self.sessions:
            self.sessions.discard(session)
            self.hub.leave(session.number, session.how_ended)
            minutes = (time.monotonic() - session.started) / 60
            log.info("session %d ended: %s after %.1f minutes, %s", session.number, session.username, minutes, session.outcome)

    def _end_by_teacher(self, number: int, reason: str) -> None:
        for session in self.sessions:
            if session.number == number:
                session.end(reason, "ended")


class LabConnection(asyncssh.SSHServer):
    """One client's connection: who they are, and whether they may log in."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.host = "?"
        self.peer = "?"
        self.username: str | None = None
        self._logins: Logins | None = None
        self._failures = 0
        self._logged_in = False
        self._refused = False
        self._gone = False
        # Counted among the connections that have not started a session (see Startups), from
        # when it is accepted until its session has a place in the lab, and again once that is over.
        self._waiting = False
        self._no_session: asyncio.TimerHandle | None = None
        self._session: LabSession | None = None
        self._seated = False  # its session has a place in the lab, counted among the sessions
        self._told_one_session = False
        self._conn: asyncssh.SSHServerConnection | None = None
        self.queued: Callable[[], int] = lambda: 0  # the bytes queued for the client (see connection_made)
        self.said: set[str] = set()  # the refusals of its sessions logged: each once a connection, as sshd

    @property
    def conn(self) -> asyncssh.SSHServerConnection:
        # asyncssh hands the connection over in connection_made, before it calls anything else.
        assert self._conn is not None
        return self._conn

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._conn = conn
        # asyncio's own socket transport reads max_size bytes at a time; asyncssh names no way to set it
        # (tests/unit/test_lab_asyncssh.py says when asyncssh moves its transport).
        transport = getattr(conn, "_transport", None)
        if transport is not None and hasattr(transport, "max_size"):
            transport.max_size = _READ_BYTES
        if isinstance(transport, asyncio.Transport):
            Metered(transport, conn, ReadBudget(READ_RATE, READ_BURST), self._over_budget)
        # What the connection has queued for the client: its session holds the app back past a bound, whatever
        # window the client opened (asyncssh's connection ignores the transport's own pause_writing).
        if transport is not None and hasattr(transport, "get_write_buffer_size"):
            self.queued = transport.get_write_buffer_size
        self.host, port = conn.get_extra_info("peername")[:2]
        self.peer = f"{self.host}:{port}"
        if not (self.lab.penalties.admit(self.host) and self.lab.startups.admit(self.host)):
            # Closed before a byte is sent; a flood or a block is logged when it begins, not per connection.
            self._refused = True
            conn.abort()
            return
        self._waiting = True
        self._await_a_session()
        # Anyone can connect: only what they do next is worth the teacher's attention.
        log.debug("connection from %s", self.peer)

    def _done_waiting(self) -> None:
        if self._waiting:
            self._waiting = False
            self.lab.startups.done(self.host)

    def _over_budget(self) -> None:
        # Once a while for an address: a flood would otherwise log as fast as it is read, or as it connects again.
        if self.lab.over_budget.due(self.host):
            log.warning(
                "%s sends more than %d KiB/s: its bytes are read at that pace (logged once every %g s for an address)",
                self.peer,
                READ_RATE // 1024,
                _OVER_BUDGET_EVERY_S,
            )

    def connection_lost(self, exc: Exception | None) -> None:
        self._gone = True
        self._done_waiting()
        self._stop_awaiting()
        if self._logged_in:
            if exc is not None:
                log.info("the connection of %s from %s is lost: %s", self.username, self.peer, printable(str(exc)))
        elif not self._refused:
            log.debug("connection from %s closed before login%s", self.peer, f" ({printable(str(exc))})" if exc else "")

    def _failed(self) -> None:
        """One more failed attempt on this connection; past the limit, the connection is closed, as sshd does."""
        self._failures += 1
        if self._failures >= self.lab.config.max_auth_tries:
            log.info("%s from %s: %d failed attempts: disconnected", self.username, self.peer, self._failures)
            self.conn.disconnect(asyncssh.DISC_NO_MORE_AUTH_METHODS_AVAILABLE, "Too many authentication failures")

    def begin_auth(self, username: str) -> bool:
        self.username = lab_name(username)
        logins = self._logins = self.lab.access.current()
        if self.username is None:
            log.info("refused: %s from %s cannot be a name here", printable(username), self.peer)
            self.conn.send_auth_banner(f"gdtui: that cannot be a name here. Log in with {NAME_RULE}, e.g. ssh ada@...\r\n")
            self.conn.set_authorized_keys(None)
            return True
        self.conn.set_authorized_keys(logins.keys_for(self.username))
        return not self.lab.config.no_auth

    def auth_completed(self) -> None:
        self._logged_in = True
        log.info("login: %s from %s", self.username, self.peer)

    def password_auth_supported(self) -> bool:
        # The same for every name, so that which methods are offered tells nothing about a name.
        return self._logins is not None and self._logins.any_password

    async def validate_password(self, username: str, password: str) -> bool:
        logins = self._logins
        if self.username is None or logins is None:
            self._failed()
            return False
        hashes = logins.passwords_for(self.username)
        penalties = self.lab.penalties
        async with penalties.turn(self.host):
            if penalties.blocked(self.host):
                # Not even checked: an address that is refused guesses nothing, on any connection.
                self._failed()
                return False
            # scrypt takes tens of milliseconds by design: off the event loop, so other sessions do not stall.
            loop = asyncio.get_running_loop()
            for stored in hashes or [decoy_hash()]:
                if await loop.run_in_executor(None, verify_password, password, stored):
                    return True
            penalties.failed(self.host)
        if hashes or self.username in logins.owned:
            log.info("refused: wrong password for %s from %s", self.username, self.peer)
        else:
            log.info("refused: %s from %s is not on the roster", self.username, self.peer)
        self._failed()
        return False

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        # Called only for keys that do not let this name in (not listed for it, or not from this address).
        # A key is no guess, so the address is not penalised; the connection's tries are counted, as sshd does.
        if self.username is not None:
            log.info("refused: key %s is not authorized for %s from %s", key.get_fingerprint(), self.username, self.peer)
        self._failed()
        return False

    def session_requested(self) -> tuple[LabChannel, LabSession] | bool:
        # A student needs one session: more on one connection would only take other students' places.
        if self.username is None:  # no name here can log in, so none asks for a session
            return False
        if self._session is not None:
            if not self._told_one_session:
                self._told_one_session = True
                log.info("refused more sessions to %s from %s: one session per connection", self.username, self.peer)
            return False
        self._session = self.lab.new_session(
            self.username, self.peer, self._session_seated, self._session_over, self.queued, self.said
        )
        return LabChannel.on(self.conn), self._session

    def _session_seated(self) -> None:
        self._seated = True
        self._stop_awaiting()
        self._done_waiting()

    def _session_over(self) -> None:
        self._session = None
        if not self._seated:  # refused, or never started: still waiting, its grace time still running
            return
        self._seated = False
        if self._gone:  # its session outlived it, as it does when the client leaves first
            return
        # Waiting again, for another session on the same connection: counted again, or closed now.
        if not self.lab.startups.admit(self.host):
            log.info("the connection of %s from %s has ended its session: closed", self.username, self.peer)
            self.conn.close()
            return
        self._waiting = True
        self._await_a_session()

    def _await_a_session(self) -> None:
        """A connection is for a session: one that has not started its own (a client that does not
        log in, ssh -N, a session channel that never asks for a shell, or after its session ended)
        would hold open files and a place for nothing, so it is closed after the grace time."""
        grace = self.lab.config.login_grace_time
        self._no_session = asyncio.get_running_loop().call_later(grace, self._close_without_session, grace)

    def _stop_awaiting(self) -> None:
        if self._no_session is not None:
            self._no_session.cancel()
            self._no_session = None

    def _close_without_session(self, grace: float) -> None:
        if self._logged_in:
            log.info("the connection of %s from %s has not started a session after %g s: closed", self.username, self.peer, grace)
        else:  # a flood is logged when it begins, not per connection
            log.debug("connection from %s has not logged in after %g s: closed", self.peer, grace)
        self.conn.close()
