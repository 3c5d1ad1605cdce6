"""What runs at the far end of a student's SSH session: gdtui, on the session's own terminal.

The server starts this with the session's pseudo-terminal as standard input,
output and error, and the session's folder as working directory. It makes that
terminal its controlling terminal, so resizes reach the app as SIGWINCH, then
runs the app with files kept inside the folder, and held to its quota.

    python -m gdtui.serve.child [--data DIR] [--lesson] [--quota BYTES]

How the server starts it, and with what environment, is in gdtui.serve.spawn:
forked from a warm zygote (gdtui.serve.zygote) as if run so, or as a fresh
process when there is none. The server itself never imports the app.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from gdtui import channel
from gdtui.core.errors import GdtuiError
from gdtui.serve.privileges import no_new_privileges
from gdtui.ui.launch import run_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gdtui-lab-session")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--lesson", action="store_true")
    parser.add_argument("--quota", type=int, default=0)
    args = parser.parse_args(argv)
    # Forked by the zygote, it is set already; started as a fresh process, here, before anything runs.
    no_new_privileges()
    os.login_tty(sys.stdin.fileno())
    if os.environ.get(channel.ROLE_VARIABLE) == channel.TEACHER:
        # A teacher's session shows the class, not the lesson; the hub checks the token, not this.
        from gdtui.ui.teacher import run_dashboard

        return run_dashboard()
    try:
        return run_app(args.data, lesson=args.lesson, files_root=Path.cwd(), files_quota=args.quota)
    except GdtuiError as err:
        print(f"gdtui: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
