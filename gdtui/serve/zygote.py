"""A warm process that starts sessions by forking: a login costs milliseconds, not an import of the app.

A fresh Python for every session imports numpy and Textual and maps the data set
before it draws anything: about half a CPU-second, which a class logging in at
once pays twenty times over on a machine of two cores. The zygote pays it once:
the server starts it (a Python of its own, never a fork of the server's event
loop, its threads and its connections), it imports the app, maps the data set,
and then forks one child per session, which runs as `python -m MODULE ARGS`
would in a fresh process:

- the session's pseudo-terminal is its controlling terminal and its standard
  input, output and error, in a new session of its own (so the server can
  signal its whole process group);
- its environment is exactly the session's, its working directory the
  session's folder, its signal handlers those of a fresh Python;
- it runs as the user the server names, if any, and with no_new_privs, as
  gdtui.serve.privileges says why;
- its exit status reaches the server, which the zygote tells when it reaps it.

The server and the zygote talk over a socket pair the zygote inherits: no path
anyone else could connect to. Each message is one JSON object (SOCK_SEQPACKET
keeps them apart); a request to start a session carries the terminal with it
(SCM_RIGHTS).

    server -> zygote   {"id": N, "module": M, "args": [...], "env": {...}, "cwd": DIR, "user": [UID, GID] or null}
                       + the terminal
    zygote -> server   {"ready": PID}                  once warm
                       {"id": N, "pid": PID}            started, or {"id": N, "error": TEXT}
                       {"pid": PID, "status": STATUS}   ended (a wait status, as os.waitpid gives)

If the zygote ends, the sessions it started keep running; the server starts
another, and meanwhile starts sessions as fresh processes. The server's end is
gdtui.serve.spawn.Zygote.

    python -m gdtui.serve.zygote FD [--data DIR]
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

from gdtui.serve.privileges import drop_to, no_new_privileges
from gdtui.serve.spawn import MESSAGE_BYTES


def main(argv: list[str]) -> None:
    # Every object made while warming up stays shared with the children: with the collector off
    # until the fork and those objects frozen at it, no collection writes to their pages.
    import gc

    gc.disable()
    channel = socket.socket(fileno=int(argv[0]))
    data = Path(argv[2]) if argv[1:2] == ["--data"] else None
    _warm_up(data)
    wakeup_read, wakeup_write = os.pipe()
    for fd in (wakeup_read, wakeup_write):
        os.set_blocking(fd, False)
    # A SIGCHLD writes to the pipe, which wakes the loop below to reap and report.
    signal.set_wakeup_fd(wakeup_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    _send(channel, {"ready": os.getpid()})
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ)
    selector.register(wakeup_read, selectors.EVENT_READ)
    # When the server has gone, so does the zygote; the sessions keep running.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        while True:
            for key, _ in selector.select():
                if key.fileobj is channel:
                    message, fds, _, _ = socket.recv_fds(channel, MESSAGE_BYTES, 1)
                    if not message:
                        return
                    _fork(json.loads(message), fds[0], channel, selector, (wakeup_read, wakeup_write))
                else:
                    with contextlib.suppress(BlockingIOError):
                        os.read(wakeup_read, 4096)
            _reap(channel)


_IMPORTED_WHILE_RUNNING = (
    "gdtui.serve.child",
    "textual.drivers.linux_driver",
    "textual.drivers.headless_driver",
    "textual.pilot",
    "textual.layouts.factory",
    "textual.layouts.horizontal",
    "textual.layouts.stream",
    "textual.scrollbar",
    "concurrent.futures.thread",
    "secrets",
    "numpy.random",
)


def _warm_up(data: Path | None) -> None:
    """Import whatever a session would, map the data set and draw the first screen, once for all of them."""
    import gc
    import importlib
    import pkgutil

    from rich.cells import cell_len

    import gdtui.ui
    from gdtui.core.dataset import load_dataset
    from gdtui.ui.launch import draw_first_screen

    # Screens are imported when first opened; here they are all imported once, for every session.
    for module in pkgutil.walk_packages(gdtui.ui.__path__, "gdtui.ui."):
        importlib.import_module(module.name)
    # What a session imports only once its app runs, found by listing what one imported after the fork.
    for name in _IMPORTED_WHILE_RUNNING:
        importlib.import_module(name)
    # rich loads its table of character widths on the first text it measures.
    cell_len("\u00e9")
    # Reads the cached files through, checking them: their pages are then in the page cache, which
    # every session's own mapping of them shares; and every session trusts this check while the
    # files are the same, instead of reading all 55 MB of MNIST again for its own (some 30 ms of
    # CPU in each, with the page faults of reading them).
    load_dataset(data, keep_checked=True)
    # A session spends most of its CPU to its first screen building it: what of that is
    # the same for all (CSS parsed, Rich's and Textual's tables, the modules imported on the way)
    # is done here, once. Only time is at stake: without it, each session builds its own.
    try:
        draw_first_screen(data)
    except Exception as err:  # noqa: BLE001 - whatever it was, the sessions start as they would have
        print(f"gdtui zygote: could not draw the app's first screen ahead of the sessions: {err}", file=sys.stderr)
    # What drawing it left unreachable, gone before the fork, rather than copied into every session.
    gc.collect()


def _send(channel: socket.socket, message: dict) -> None:
    channel.sendall(json.dumps(message).encode())


def _reap(channel: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if not pid:
            return
        _send(channel, {"pid": pid, "status": status})


def _fork(request: dict, tty: int, channel: socket.socket, selector, pipe: tuple[int, int]) -> None:
    import gc

    gc.freeze()
    try:
        pid = os.fork()
    except OSError as err:
        os.close(tty)
        _send(channel, {"id": request["id"], "error": str(err)})
        return
    if pid == 0:
        code = 1
        try:
            selector.close()
            channel.close()
            for fd in pipe:
                os.close(fd)
            code = _run(request, tty)
        except BaseException:
            # Before the terminal is its own, to the server's log; after, to the student's screen.
            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(tty)
    _send(channel, {"id": request["id"], "pid": pid})


def _run(request: dict, tty: int) -> int:
    """In the forked child: become what `python -m MODULE ARGS` would be on that terminal, and run it."""
    import atexit
    import gc
    import runpy

    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGWINCH):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # A new session with the terminal as its controlling terminal, on standard input, output and error.
    os.login_tty(tty)
    _fresh_standard_streams()
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    os.chdir(request["cwd"])
    if request.get("user"):
        drop_to(*request["user"])
    no_new_privileges()
    # Python's random draws a new seed in every child by itself; numpy's global generator, seeded
    # once when the zygote imported it, would otherwise give every session the same numbers.
    sys.modules["numpy.random"].seed()
    gc.enable()
    module = request["module"]
    sys.argv = [module, *request["args"]]
    # `python -m` runs a module that nothing has imported under its own name: imported here only to
    # warm what it imports, it is forgotten, or runpy warns on the student's screen that it was there.
    sys.modules.pop(module, None)
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as end:
        code = _exit_code(end.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    # As a Python ending normally would, but without the zygote's own frames below this one.
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


# The zygote's own standard streams, kept referenced: collected, they would close descriptors
# 0-2, which in a child are its terminal.
_ZYGOTE_STREAMS: list = []


def _fresh_standard_streams() -> None:
    """Standard streams on the terminal, buffered as a fresh Python buffers them on one."""
    old = (sys.stdin, sys.stdout, sys.stderr)
    _ZYGOTE_STREAMS.append(old)
    encoding = sys.__stdout__.encoding if sys.__stdout__ else None
    # The __std*__ ones too, which typeshed calls final: they name the process's terminal, and a session has its own.
    sys.stdin = sys.__stdin__ = open(0, encoding=encoding, closefd=False)  # type: ignore[misc]  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.__stdout__ = open(1, "w", 1, encoding=encoding, closefd=False)  # type: ignore[misc]  # noqa: SIM115
    sys.stderr = sys.__stderr__ = open(2, "w", 1, encoding=encoding, errors="backslashreplace", closefd=False)  # type: ignore[misc]  # noqa: SIM115


def _exit_code(code: object) -> int:
    """What `sys.exit(code)` makes the exit status of a Python process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main(sys.argv[1:])
