"""``gdtui web``: the app in a browser tab, for where there is no terminal or SSH client."""

from __future__ import annotations

import argparse
import shlex
import sys

from gdtui.core.errors import GdtuiError


def add_parser(commands) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "web",
        help="serve the app to a browser tab",
        description="Serve the app over HTTP: each browser tab that opens the address gets a gdtui of its "
        "own, run on this machine under this account, which can open and save models wherever the account "
        "may. There is no login: anyone who can reach the address gets a session, so keep it to this "
        "machine (the default); a class is served by 'gdtui serve'. Needs the extra: pip install 'gdtui[web]'.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--lesson", action="store_true", help="start every tab in the guided lesson")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise GdtuiError("the app in a browser needs its extra: pip install 'gdtui[web]'") from None
    # Each tab runs the app as a program of its own, under Textual's web driver.
    command = [sys.executable, "-m", "gdtui"]
    if args.data is not None:
        command += ["--data", str(args.data)]
    if args.lesson:
        command.append("--lesson")
    Server(shlex.join(command), host=args.host, port=args.port, title="gdtui").serve()
    return 0
