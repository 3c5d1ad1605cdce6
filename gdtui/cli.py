"""The ``gdtui`` command: the app by default, plus ``train``, ``data`` and ``serve``.

Textual is imported only when the app starts, so the headless commands start
fast and run where no terminal UI could.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys

from gdtui import __version__
from gdtui.commands import OutputError, classroom, data, say, serve, train, user_path, web
from gdtui.core.errors import GdtuiError

EXIT_OUTPUT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
# The status of a Unix tool killed by SIGPIPE (13 on every Unix), as 'yes' is when 'head' has read
# enough. A number, not signal.SIGPIPE: Windows has no such signal, and its shells take any status.
EXIT_BROKEN_PIPE = 128 + 13


def _add_data_option(parser: argparse.ArgumentParser, default=None) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=user_path,
        default=default,
        help="a directory of MNIST-format IDX files, .gz or raw, and optionally a classes.txt naming the classes "
        "one a line (default: the bundled MNIST)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdtui",
        description="Learn how a neural network learns by gradient descent, on real MNIST digits, "
        "in your terminal. Run without a command to open the app.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show gdtui's version and exit")
    _add_data_option(parser)
    parser.add_argument("--seed", type=train.seed, default=0, metavar="N", help="seed of the random network (default: 0)")
    parser.add_argument("--model", type=user_path, metavar="FILE", help="start from a model saved by 'gdtui train --save'")
    parser.add_argument(
        "--lesson", action="store_true", help="start the guided lesson where you last stopped (L toggles it in the app)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Command)

    for command in (train, data, serve, web):
        # A subcommand's defaults overwrite what was parsed before it: without SUPPRESS,
        # 'gdtui --data DIR train' would silently train on the bundled MNIST.
        _add_data_option(command.add_parser(commands), default=argparse.SUPPRESS)
    # After serve, which it prepares for; no data set of its own.
    classroom.add_parser(commands)
    return parser


class _Command(argparse.ArgumentParser):
    """A command's parser, which says itself what it does not know. argparse hands a command's unknown
    arguments up to the top level, whose usage shows none of the command's options: 'gdtui train --out M'
    was told with a usage that never named --save."""

    def parse_known_args(self, args=None, namespace=None):
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras


class _Version(argparse.Action):
    """argparse's own would write to standard error where standard output is closed, and say nothing of it."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        say(f"gdtui {__version__}")
        parser.exit()


class _Closed(io.TextIOBase):
    """A standard stream the program was started without ('gdtui data >&-'), which Python leaves None."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"standard {self._name} is closed")


def main(argv: list[str] | None = None) -> int:
    if sys.stdout is None:
        sys.stdout = _Closed("output")
    if sys.stderr is None:
        sys.stderr = _Closed("error")
    try:
        try:
            return _run(argv)
        finally:
            # Whatever still waits in the buffer is written now, while a failure can be reported.
            _flush(sys.stdout)
    except OutputError as err:
        # Whatever stays in the buffer would fail again, with a traceback, when Python exits.
        _discard_stdout()
        if isinstance(err.error, BrokenPipeError):
            # The reader has read all it wanted, as 'head' does: nothing went wrong worth saying.
            return EXIT_BROKEN_PIPE
        _complain(f"gdtui: error: cannot write the output: {err}")
        return EXIT_OUTPUT_FAILED


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:
            from gdtui.ui.launch import run_app

            return run_app(args.data, seed=args.seed, model=args.model, lesson=args.lesson)
        return args.run(args)
    except GdtuiError as err:
        _complain(f"gdtui: error: {err}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _complain("gdtui: interrupted")
        return EXIT_INTERRUPTED


def _flush(stream) -> None:
    try:
        stream.flush()
    except OSError as err:
        raise OutputError(err) from err


def _complain(line: str) -> None:
    # With standard error gone too, the exit status is all that is left to say it.
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr)


def _discard_stdout() -> None:
    # ValueError: not a real file, as under a test's capture, which nothing flushes at exit.
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
