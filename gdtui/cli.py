"""The ``gdtui`` command: the app by default, plus ``train``, ``data`` and ``serve``.

Textual is imported only when the app starts, so the headless commands start
fast and run where no terminal UI could.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gdtui import __version__
from gdtui.commands import data, serve, train
from gdtui.core.errors import GdtuiError

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _add_data_option(parser: argparse.ArgumentParser, default=None) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=default,
        help="a directory of MNIST-format IDX files, .gz or raw (default: the bundled MNIST)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdtui",
        description="Learn how a neural network learns by gradient descent, on real MNIST digits, "
        "in your terminal. Run without a command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"gdtui {__version__}")
    _add_data_option(parser)
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="seed of the random network (default: 0)")
    parser.add_argument("--model", type=Path, metavar="FILE", help="start from a model saved by 'gdtui train --save'")
    parser.add_argument(
        "--lesson", action="store_true", help="start the guided lesson where you last stopped (L toggles it in the app)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    for command in (train, data, serve):
        # A subcommand's defaults overwrite what was parsed before it: without SUPPRESS,
        # 'gdtui --data DIR train' would silently train on the bundled MNIST.
        _add_data_option(command.add_parser(commands), default=argparse.SUPPRESS)
    return parser


def run_app(
    data: Path | None, *, seed: int = 0, model: Path | None = None, lesson: bool = False, files_root: Path | None = None
) -> int:
    from gdtui.core.model_io import load_model

    # A bad model file is refused here, before the terminal switches to the app.
    network = load_model(model) if model else None
    # The app reads keys from standard input and draws on standard error: without a terminal
    # there, it would wait forever for keys that never come.
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise GdtuiError("the app needs a terminal; 'gdtui train' and 'gdtui data' run without one")
    from gdtui.ui.app import GdtuiApp

    app = GdtuiApp(data_dir=data, seed=seed, network=network, lesson=lesson, files_root=files_root)
    app.run()
    if app.error:
        raise GdtuiError(app.error)
    return app.return_code or 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            return run_app(args.data, seed=args.seed, model=args.model, lesson=args.lesson)
        return args.run(args)
    except GdtuiError as err:
        print(f"gdtui: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("gdtui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
