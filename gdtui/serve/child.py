"""What runs at the far end of a student's SSH session: gdtui, on the session's own terminal.

The server starts this with the session's pseudo-terminal as standard input,
output and error, and the session's folder as working directory. It makes that
terminal its controlling terminal, so resizes reach the app as SIGWINCH, then
runs the app with files kept inside the folder.

    python -m gdtui.serve.child [--data DIR] [--lesson]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gdtui.cli import run_app
from gdtui.core.errors import GdtuiError

# Passed on from the server's environment: what finds Python, gdtui and the locale.
_FROM_SERVER = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
# Passed on from the student's ssh client, when it sends them: how their terminal wants colour.
_FROM_CLIENT = ("COLORTERM", "NO_COLOR")
# numpy's BLAS would start a thread per core in every session: a room of students would
# oversubscribe the machine many times over. One each, and the kernel shares the cores.
_ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def command(data: Path | None, lesson: bool) -> list[str]:
    """How the server starts this program."""
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
    env |= {name: client[name] for name in _FROM_CLIENT if name in client}
    return env | _ONE_THREAD | {"TERM": term, "HOME": str(home), "XDG_CACHE_HOME": str(cache)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdtui-lab-session")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--lesson", action="store_true")
    args = parser.parse_args(argv)
    os.login_tty(sys.stdin.fileno())
    try:
        return run_app(args.data, lesson=args.lesson, files_root=Path.cwd())
    except GdtuiError as err:
        print(f"gdtui: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
