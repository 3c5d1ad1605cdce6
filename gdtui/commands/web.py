"""``gdtui web``: the app in a browser tab, for where there is no terminal or SSH client."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from gdtui.core.dataset import load_dataset
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
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000)")
    parser.add_argument("--lesson", action="store_true", help="start every tab in the guided lesson")
    parser.set_defaults(run=run)
    return parser


def _port(text: str) -> int:
    # Not 0, which has the system pick a port: the address the server prints would still say :0.
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, not {text}")
    return port


def run(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise GdtuiError("the app in a browser needs its extra: pip install 'gdtui[web]'") from None
    # Every tab would open on the same data set: one that cannot be loaded is told here, once.
    load_dataset(args.data)
    # Each tab runs the app as a program of its own, under Textual's web driver.
    command = [sys.executable, "-m", "gdtui"]
    if args.data is not None:
        command += ["--data", str(args.data)]
    if args.lesson:
        command.append("--lesson")
    try:
        Server(shlex.join(command), host=args.host, port=args.port, title="gdtui").serve()
    except OSError as err:  # the address unknown, or taken
        # aiohttp words a taken port with the address again; a name not found has no errno of the system's.
        why = os.strerror(err.errno) if err.errno and err.errno > 0 else err.strerror or str(err)
        raise GdtuiError(f"cannot listen on {args.host}:{args.port}: {why}") from None
    return 0
