"""How the server starts a session's program (gdtui.serve.child), and with what environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gdtui import channel

# Passed on from the server's environment: what finds Python, gdtui and the locale.
_FROM_SERVER = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
# Passed on from the student's ssh client, when it sends them: how their terminal wants colour.
# Nothing else a client sends is kept, and these only as short printable values.
FROM_CLIENT = ("COLORTERM", "NO_COLOR")
CLIENT_VALUE_BYTES = 64
# numpy's BLAS would start a thread per core in every session: a room of students would
# oversubscribe the machine many times over. One each, and the kernel shares the cores.
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def command(data: Path | None, lesson: bool) -> list[str]:
    """The command that starts a session's program."""
    args = [sys.executable, "-m", "gdtui.serve.child"]
    if data is not None:
        args += ["--data", str(data)]
    if lesson:
        args.append("--lesson")
    return args


def environment(term: str, home: Path, cache: Path, client: dict[str, str]) -> dict[str, str]:
    """A fresh environment: nothing of the teacher's own terminal leaks into a student's.

    HOME is the session's folder, so the lesson bookmark and anything else the app
    keeps per user stay with the session; the data cache is the server's, so every
    session maps the same files instead of building its own.
    """
    env = {name: os.environ[name] for name in _FROM_SERVER if name in os.environ}
    env |= {name: client[name] for name in FROM_CLIENT if name in client}
    # The session's link to the hub: set by the server, never by a client (see LabSession.environment).
    env |= {name: client[name] for name in channel.VARIABLES if name in client}
    return env | _ONE_THREAD | {"TERM": term, "HOME": str(home), "XDG_CACHE_HOME": str(cache)}
