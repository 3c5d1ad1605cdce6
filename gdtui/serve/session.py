"""One student's session: an SSH channel joined to a gdtui process on a pseudo-terminal of its own.

Keys go from the channel into the terminal, the app's frames come back out;
the client's window size and resizes are set on the terminal, where the app
sees them as any terminal program would. When either side ends, so does the
other.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import math
import os
import signal
import struct
import termios
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import asyncssh
from asyncssh.packet import SSHPacket, String

from gdtui.core.errors import GdtuiError
from gdtui.core.words import counted
from gdtui.serve import spawn
from gdtui.serve.spawn import Ticket
from gdtui.serve.untrusted import printable, terminal_type

log = logging.getLogger("gdtui.serve")

DEFAULT_SIZE = (80, 24)
# Columns and lines, at most: more than any real terminal has. A larger size only costs the app
# memory and time (10000×10000 took 600 MB; 65535×65535 a core for 30 s, and never drew).
BIGGEST_SIZE = (500, 200)
# What a killed app could not undo itself: every mode Textual turns on, each back to its default.
RESET_TERMINAL = (
    b"\x1b[?2026l"  # a synchronized update it was in the middle of, or the screen stays frozen
    b"\x1b[0m"
    b"\x1b[<u"  # the kitty keyboard protocol, popped on the alternate screen, whose stack it is on
    b"\x1b[?1049l"  # the alternate screen
    b"\x1b[?25h\x1b[?7h"  # the cursor shown, autowrap on
    b"\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?1016l"  # mouse reporting, every encoding
    b"\x1b[?1004l\x1b[?2004l\x1b[?2048l"  # focus reporting, bracketed paste, in-band resizes
)
_READ_BYTES = 65536
# Shown while the session waits its turn to start (see gdtui.serve.admission), and wiped before the
# app takes the screen: left there, it would be the first thing seen when the app gives it back.
STARTING = "gdtui: starting…"
_WIPE_LINE = b"\r\x1b[2K"
# Keys held for an app that is not reading them: past this, the channel stops reading, and the SSH
# window makes the client wait, instead of the server holding whatever it sends.
_KEYS_HELD = 2**20
# Frames queued for a client that takes them slower than the app draws them: past QUEUED_HIGH the server stops
# reading the app's terminal, and the app waits, until the client has taken all but QUEUED_LOW; checked that often.
QUEUED_HIGH = 2**19
QUEUED_LOW = 2**17
BACKLOG_CHECK_S = 0.05
IDLE_WARNING_S = 60.0  # the most a student is warned ahead of a session closed for idling
# Each new size makes the app redraw: window changes, a terminal dragged or a client's flood, pass on at most this
# often, the last size always.
RESIZE_EVERY_S = 0.05


def set_window_size(fd: int, columns: int, lines: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))


def _kept(name: bytes, value: bytes) -> bool:
    return (
        name.decode("ascii", "replace") in spawn.FROM_CLIENT
        and len(value) <= spawn.CLIENT_VALUE_BYTES
        and all(0x20 <= byte < 0x7F for byte in value)
    )


class LabChannel(asyncssh.SSHServerChannel):
    """A session channel that keeps only the environment variables the app uses.

    asyncssh keeps every variable a client sends, of any size, for as long as
    the session lasts: 3000 of 30 KB grew the server by 188 MB, never given
    back. Here the others are refused as they come, as sshd's AcceptEnv does: in
    asyncssh's private handler of env requests, for it has no public one
    (tests/unit/test_lab_asyncssh.py says when asyncssh changes it).
    """

    # What asyncssh gives a session channel by default: its receive window and largest packet.
    _WINDOW = 2 * 2**20
    _MAX_PACKET = 32768

    @classmethod
    def on(cls, conn: asyncssh.SSHServerConnection) -> LabChannel:
        return cls(
            conn,
            asyncio.get_running_loop(),
            allow_pty=True,
            line_editor=False,
            line_echo=False,
            line_history=0,
            max_line_length=0,
            encoding=None,
            errors="strict",
            window=cls._WINDOW,
            max_pktsize=cls._MAX_PACKET,
        )

    def _process_env_request(self, packet: SSHPacket) -> bool:
        name, value = packet.get_string(), packet.get_string()
        packet.check_end()
        if not _kept(name, value):
            return False
        # Kept by asyncssh's own handler, in whatever form this asyncssh keeps it (bytes or text).
        return super()._process_env_request(SSHPacket(String(name) + String(value)))


class LabSession(asyncssh.SSHServerSession):
    """The server side of one SSH session channel: it copies bytes between the client and the
    app's terminal, and sees the session through from its start to its end.

    The lab decides everything else. `admit` is given the terminal type and what the client
    sent, once, and returns the session's ticket, or a refusal to show; `launch` starts the app
    of a ticket on the given terminal; `finished` is told once when the session is over,
    whether or not the app ever started.
    """

    def __init__(
        self,
        username: str,
        peer: str,
        *,
        teacher: bool,
        admit: Callable[[str, Mapping[str, str]], Ticket | str],
        launch: Callable[[Ticket, int], Awaitable[asyncio.subprocess.Process | spawn.ForkedProcess]],
        finished: Callable[[], None],
        idle_timeout: float,
        grace_s: float,
        queued: Callable[[], int] = lambda: 0,
        said: set[str] | None = None,
        warn: Callable[[int, str], None] = lambda number, text: None,
    ) -> None:
        self.username = username
        self.peer = peer
        self.teacher = teacher  # the session shows the lab's dashboard
        self.ticket: Ticket | None = None  # given by the lab when admitted
        self.term_type: str | None = None
        self.size = DEFAULT_SIZE
        self._too_big: tuple[int, int] | None = None  # the first size the client gave beyond BIGGEST_SIZE
        self._told_size = False
        self.process: asyncio.subprocess.Process | spawn.ForkedProcess | None = None
        self._admit, self._launch, self._finished = admit, launch, finished
        self._waiting: asyncio.Future[None] | None = None  # its turn to start, while it waits for it
        self._idle_timeout = idle_timeout
        # Told on the app's screen this long before a session idle that long is closed: a quarter of it, a minute at most.
        self._warn_s = min(IDLE_WARNING_S, idle_timeout / 4)
        self._warn, self._warned = warn, False
        self._grace_s = grace_s
        self._chan: asyncssh.SSHServerChannel | None = None
        self._master = -1
        self._to_app = bytearray()
        self._output_done: asyncio.Future | None = None
        self._last_key = time.monotonic()
        self._idle_timer: asyncio.TimerHandle | None = None
        self._ending: str | None = None  # why the server is ending the session, to tell the student
        self._how: str | None = None  # how the session ended, for the teacher and the record (channel.ENDINGS)
        self._killed = False
        self._paused = False  # the client takes no more frames for now: they wait in the app
        # The bytes the connection has queued for the client. A client may open a window far larger than it reads:
        # past QUEUED_HIGH the frames wait in the app too, as under a window, until the client has taken them.
        self._queued = queued
        self._backlogged = False
        self._resized_at = 0.0  # when the app was last given a new size
        self._resizing: asyncio.TimerHandle | None = None  # the next, while window changes come faster than that
        # What the sessions of its connection have had logged: a client that asks again and again for what is
        # refused, on one connection, fills the log no faster than one that asks once.
        self._said = said if said is not None else set()
        self._dropped = False  # frames the client did not take while the session ended: never sent
        self._task: asyncio.Task | None = None
        self.started = time.monotonic()
        self.done = asyncio.Event()

    @property
    def host(self) -> str:
        """The address the client connects from, without its port."""
        return self.peer.rsplit(":", 1)[0]

    @property
    def number(self) -> int:
        """The session's number in the lab, once admitted; 0 before."""
        return self.ticket.number if self.ticket is not None else 0

    @property
    def client_environment(self) -> dict[str, str]:
        """What the client sent with `SendEnv`/`SetEnv`, as far as LabChannel kept it."""
        return dict(self._chan.get_environment()) if self._chan else {}

    @property
    def last_key(self) -> float:
        """When the student last pressed a key (time.monotonic())."""
        return self._last_key

    def note(self, what: str, message: str, *args: object) -> None:
        """Log message, unless the connection has had `what` logged before."""
        if what not in self._said:
            self._said.add(what)
            log.info(message, *args)

    # -- the SSH side ------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self._chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int], term_modes) -> bool:
        term_type = term_type or "xterm"
        self.term_type = terminal_type(term_type)
        if self.term_type != term_type:
            log.info("session of %s: terminal type %s unknown here, %s used", self.username, printable(term_type), self.term_type)
        self._set_size(*term_size[:2])
        return True

    def _set_size(self, columns: int, lines: int) -> None:
        """The client's size for the app, cut to BIGGEST_SIZE; 0 means the client did not say."""
        if not (columns and lines):
            return
        self.size = (min(columns, BIGGEST_SIZE[0]), min(lines, BIGGEST_SIZE[1]))
        if self.size != (columns, lines) and self._too_big is None:
            self._too_big = (columns, lines)
            log.info("session of %s: a %d×%d terminal, used as %d×%d", self.username, columns, lines, *self.size)

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        # As with OpenSSH's ForceCommand: whatever was asked for, the session runs gdtui.
        self.note("run", "%s asked to run %s: only gdtui runs here", self.username, printable(command))
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.note("subsystem", "refused the %s subsystem to %s", printable(subsystem), self.username)
        return False

    def session_started(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    def data_received(self, data: bytes, datatype) -> None:
        self._last_key = time.monotonic()
        if self._master < 0:
            return
        self._to_app += data
        self._write_to_app()
        if len(self._to_app) > _KEYS_HELD and self._chan is not None:
            self._chan.pause_reading()

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        self._set_size(width, height)
        if self._master < 0 or self._resizing is not None:
            return  # the resize due passes on the size as it is then
        wait = self._resized_at + RESIZE_EVERY_S - time.monotonic()
        if wait <= 0:
            self._resize_app()
        else:
            self._resizing = asyncio.get_running_loop().call_later(wait, self._resize_app)

    def _resize_app(self) -> None:
        self._resizing = None
        if self._master >= 0:
            self._resized_at = time.monotonic()
            # The kernel tells the app with a SIGWINCH, as for a resized local terminal.
            set_window_size(self._master, *self.size)

    def eof_received(self) -> bool:
        # The client has no more keys to send; the app keeps going until it or the connection ends.
        return True

    def pause_writing(self) -> None:
        # A slow link: stop reading frames, so the app waits instead of the server queueing them.
        self._paused = True
        self._hold_back()

    def resume_writing(self) -> None:
        self._paused = False
        if not self._backlogged:
            self._read_again()

    def _hold_back(self) -> None:
        # Unless the session is ending, and the app must not wait on a client that may never read.
        if self._master >= 0 and self._ending is None:
            asyncio.get_running_loop().remove_reader(self._master)

    def _check_backlog(self) -> None:
        if self._master < 0 or not self._backlogged:
            return
        if self._queued() > QUEUED_LOW:
            asyncio.get_running_loop().call_later(BACKLOG_CHECK_S, self._check_backlog)
            return
        self._backlogged = False
        if not self._paused:
            self._read_again()

    def _read_again(self) -> None:
        if self._master >= 0 and self._output_done is not None and not self._output_done.done():
            asyncio.get_running_loop().add_reader(self._master, self._read_from_app)

    def connection_lost(self, exc: Exception | None) -> None:
        self._chan = None
        if self.process is None or self.process.returncode is None:
            self._how = self._how or "dropped"  # gone under the app, or before it started
        # No one is left to take the frames: the app must not wait to write them.
        self._backlogged = False
        self._read_again()
        if self.process is not None and self.process.returncode is None:
            self._signal(self.process, signal.SIGHUP)
        elif self._waiting is not None:
            self._waiting.cancel()  # no app for a student who has gone: the next in line starts instead
        elif self._task is None:
            self._over()

    # -- the terminal side -------------------------------------------------------

    async def _run(self) -> None:
        try:
            if self.term_type is None:
                self.note(
                    "no terminal", "refused a session to %s from %s: no terminal (ssh -T, or a command)", self.username, self.peer
                )
                admitted: Ticket | str = "gdtui needs a terminal: connect with 'ssh -t'."
            else:
                admitted = self._admit(self.term_type, self.client_environment)
            if isinstance(admitted, str):
                self._say(admitted)
                self._exit(1)
                return
            self.ticket = admitted
            await self._serve(admitted)
        except Exception:
            # Whatever went wrong, the student is told and the session ends: never a client left waiting.
            log.exception("session %d of %s failed", self.number, self.username)
            self._how = self._how or "failed"
            self._say("gdtui could not start or went wrong here: please tell your teacher.")
            self._exit(1)
        finally:
            self._over()

    def _over(self) -> None:
        if not self.done.is_set():
            self._finished()
            self.done.set()

    def _tell_size(self) -> None:
        """Say on the student's screen that the app uses only part of their terminal, once."""
        if self._too_big is not None and not self._told_size:
            self._told_size = True
            columns, lines = self._too_big
            self._say(f"gdtui: your terminal is {columns}×{lines}; this session uses {self.size[0]}×{self.size[1]} of it.")

    async def _serve(self, ticket: Ticket) -> None:
        loop = asyncio.get_running_loop()
        # Shown before the app takes the screen, and there again after it gives it back.
        self._tell_size()
        if not await self._take_turn(ticket.turn):
            if self._ending:
                self._say(self._ending)
            self._exit(1)
            return
        master, slave = os.openpty()
        try:
            set_window_size(master, *self.size)
            self.process = await self._launch(ticket, slave)
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        log.info(
            "session %d started: %s from %s, %s %d×%d, pid %d, folder %s",
            ticket.number,
            self.username,
            self.peer,
            self.term_type,
            *self.size,
            self.process.pid,
            ticket.home.name,
        )
        self._master = master
        os.set_blocking(master, False)
        self._output_done = loop.create_future()
        loop.add_reader(master, self._read_from_app)
        if self._idle_timeout:
            self._idle_timer = loop.call_later(self._idle_timeout - self._warn_s, self._check_idle)
        if self._chan is None:  # the client left while the app was starting
            self._signal(self.process, signal.SIGHUP)
        try:
            code = await self.process.wait()
            # Ended of itself, the client still there: the student quit, or the app went wrong.
            self._how = self._how or ("quit" if code == 0 else "failed")
            # Frames written just before the app ended are still on their way.
            await asyncio.wait_for(asyncio.shield(self._output_done), self._grace_s)
        except TimeoutError:
            pass
        finally:
            if self._idle_timer:
                self._idle_timer.cancel()
            loop.remove_reader(master)
            loop.remove_writer(master)
            os.close(master)
            self._master = -1
        if self._killed or self._dropped:
            self._send(RESET_TERMINAL)
        # A terminal made too big after the app started is only told now.
        self._tell_size()
        if self._ending:
            self._say(self._ending)
        self._exit(code if code >= 0 else 128 - code)

    async def _take_turn(self, turn: asyncio.Future[None]) -> bool:
        """Wait until the app may start; False if the session ended meanwhile."""
        if turn.done():
            return not turn.cancelled()
        self._waiting = turn
        self._send(f"\r\n{STARTING}".encode())
        try:
            # Not `await turn`: cancelling the turn ends the wait, not this task.
            await asyncio.wait((turn,))
        finally:
            self._waiting = None
            self._send(_WIPE_LINE)
        return not turn.cancelled()

    def _read_from_app(self) -> None:
        try:
            data = os.read(self._master, _READ_BYTES)
        except BlockingIOError:
            return
        except OSError:  # EIO: the app has closed its end
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self._master)
            if self._output_done is not None and not self._output_done.done():
                self._output_done.set_result(None)
            return
        if self._paused or self._backlogged:  # ending, with a client that takes nothing: read only so that the app can end
            self._dropped = True
            return
        self._send(data)
        # Only for a client still there to take them: gone, it leaves frames queued that the app must not wait on.
        if self._chan is not None and self._ending is None and self._queued() > QUEUED_HIGH:
            self._backlogged = True
            self._hold_back()
            asyncio.get_running_loop().call_later(BACKLOG_CHECK_S, self._check_backlog)

    def _write_to_app(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            written = os.write(self._master, self._to_app)
        except BlockingIOError:
            written = 0
        except OSError:  # the app has gone; its keys have nowhere to go
            self._to_app.clear()
            return
        del self._to_app[:written]
        if self._to_app:
            loop.add_writer(self._master, self._write_to_app)
        else:
            loop.remove_writer(self._master)
        if written and len(self._to_app) <= _KEYS_HELD and self._chan is not None:
            self._chan.resume_reading()

    def _send(self, data: bytes) -> None:
        # A client that has closed its channel is gone before asyncssh says so: its frames go nowhere.
        if self._chan is not None and not self._chan.is_closing():
            self._chan.write(data)

    def _say(self, message: str) -> None:
        self._send(f"\r\n{message}\r\n".encode())

    def _exit(self, code: int) -> None:
        if self._chan is not None:
            self._chan.exit(code)

    @property
    def outcome(self) -> str:
        """How the app ended, for the log."""
        code = self.process.returncode if self.process else None
        if code is None:
            return "still running"
        if code < 0:
            return f"ended by {signal.Signals(-code).name}"
        return f"exit status {code}"

    # -- ending ------------------------------------------------------------------

    @property
    def how_ended(self) -> str | None:
        """How the session ended (channel.ENDINGS), the first that came: the app quit, the connection dropped, or
        the server ended it and why; None while that is not known."""
        return self._how

    def end(self, reason: str, how: str) -> None:
        """Ask the app to end (it restores the terminal), then tell the student why, `reason`; `how` for the record."""
        self._ending = reason
        self._how = self._how or how
        # The app ends by writing to its terminal (the screen put back): a client that has stopped
        # reading must not make it wait, nor the server after it.
        self._read_again()
        if self.process is not None and self.process.returncode is None:
            self._signal(self.process, signal.SIGTERM)
        elif self._waiting is not None:
            self._waiting.cancel()
        elif self._chan is not None and self._task is None:
            self._chan.close()

    def _check_idle(self) -> None:
        idle = time.monotonic() - self._last_key
        warn_at = self._idle_timeout - self._warn_s
        if idle < warn_at:
            self._warned = False  # a key since: the next quiet is warned of again
            self._idle_timer = asyncio.get_running_loop().call_later(warn_at - idle, self._check_idle)
            return
        if idle < self._idle_timeout:
            if not self._warned:
                self._warned = True
                left = counted(math.ceil(self._idle_timeout - idle), "second") if self._warn_s < 60 else "a minute"
                self._warn(self.number, f"This session closes in {left} without a key press: press a key to keep it.")
            self._idle_timer = asyncio.get_running_loop().call_later(self._idle_timeout - idle, self._check_idle)
            return
        minutes = self._idle_timeout / 60
        log.info("session %d of %s idle for %g minutes: ending it", self.number, self.username, minutes)
        self.end(f"gdtui: this session was closed after {minutes:g} minutes without a key press.", "idle")

    def _signal(self, process: asyncio.subprocess.Process | spawn.ForkedProcess, signum: int) -> None:
        """Signal the app's process group, and kill it if it has not ended after the grace time."""
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            return
        asyncio.get_running_loop().call_later(self._grace_s, self._kill, process)

    def _kill(self, process: asyncio.subprocess.Process | spawn.ForkedProcess) -> None:
        if process.returncode is None:
            log.warning("session %d of %s did not end when asked: killing it", self.number, self.username)
            self._killed = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def session_home(root: Path, name: str, owner: tuple[int, int] | None = None) -> Path:
    """The private folder of the student of that name (a lab_name), kept from one login to the
    next: their saved models and lesson bookmark are there when they come back; made owner's
    (uid, gid) when given.

    The sessions folder is the sessions' user's, so anything run as that user can put a symlink
    there under a student's name: the folder is opened without following one, and given away by
    what was opened, never by its name, or root would give away whatever the symlink points to.
    """
    home = root / name
    with contextlib.suppress(FileExistsError):
        home.mkdir(mode=0o700, parents=True)
    try:
        folder = os.open(home, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as err:
        raise GdtuiError(f"{home} is not a folder ({err.strerror}): no session runs there") from None
    try:
        if owner is not None:
            os.fchown(folder, *owner)
    finally:
        os.close(folder)
    return home
