"""Where gdtui keeps its files, and how it writes them.

The places follow the XDG base directory convention, so a lab that gives every
session its own HOME (or its own XDG_DATA_HOME) gives it its own files too.
Every file is written whole or not at all: a crash, a full disk or a second
gdtui writing the same file at the same moment never leaves half a file behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def _xdg(variable: str, *default: str) -> Path:
    value = os.environ.get(variable)
    # The convention says to ignore a relative path: it would depend on the working directory.
    base = Path(value) if value and Path(value).is_absolute() else Path.home().joinpath(*default)
    return base / "gdtui"


def data_home() -> Path:
    """What gdtui keeps for the user: the lesson bookmark, the lab's host key and students' folders."""
    return _xdg("XDG_DATA_HOME", ".local", "share")


def cache_home() -> Path:
    """What gdtui can always make again: the decompressed data sets."""
    return _xdg("XDG_CACHE_HOME", ".cache")


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """Write to a temporary file beside path that takes its place only once complete.

    Readers see the old file or the whole new one, never a part, and so does the
    next boot after a crash: the new file is on the disk before it takes the old
    one's name, and the folder's new entry is on the disk before this returns. The
    file is made readable by its owner only (mkstemp's mode): the callers write
    keys, models and bookmarks, none of them anyone else's business.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
        _sync_folder(path.parent)
    finally:
        # After a successful replace the temporary name is already gone.
        Path(temporary).unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    except OSError as err:
        # Some file systems cannot sync a folder, and say so: the file is in place all the same.
        if err.errno != errno.EINVAL:
            raise
    finally:
        os.close(handle)
