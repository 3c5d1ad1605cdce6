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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from gdtui.ui.run import run_app

            return run_app(args.data, seed=args.seed, model=args.model, lesson=args.lesson)
        return args.run(args)
    except GdtuiError as err:
        print(f"gdtui: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("gdtui: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
