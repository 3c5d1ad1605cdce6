"""The headless subcommands of ``gdtui``: each adds its parser and its ``run``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO


def user_path(text: str) -> Path:
    """A path from the command line, '~' expanded as the shell would have, as --save's is: the shell
    leaves it as typed past a word's start, as in '--data=~/set'."""
    return Path(text).expanduser()


class OutputError(Exception):
    """What a command prints cannot be written: its reader has gone, or its disk is full."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))
        self.error = error


def say(*lines: str, file: TextIO | None = None) -> None:
    """Print lines to standard output (or file) and flush them, so a reader sees each as it comes.

    A write that fails raises OutputError, which the command line reports as such.
    """
    stream = sys.stdout if file is None else file
    try:
        for line in lines:
            print(line, file=stream)
        stream.flush()
    except OSError as err:
        raise OutputError(err) from err
