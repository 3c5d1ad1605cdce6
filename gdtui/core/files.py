"""Where gdtui keeps its files, and how it writes them.

The places are each system's own (platformdirs): on Linux the XDG base directory
convention's, so a lab that gives every session its own HOME (or its own
XDG_DATA_HOME) gives it its own files too; the XDG variables count on macOS and
Windows as well.
Every file is written whole or not at all: a crash, a full disk or a second
gdtui writing the same file at the same moment never leaves half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import platformdirs

# Asked anew each time, not once: the lab gives each session its own HOME, and tests their own folders.
# appauthor=False: on Windows, %LOCALAPPDATA%\gdtui rather than %LOCALAPPDATA%\gdtui\gdtui.


def data_home() -> Path:
    """What gdtui keeps for the user: the lesson bookmark, the lab's host key and students' folders."""
    return platformdirs.user_data_path("gdtui", appauthor=False)


def cache_home() -> Path:
    """What gdtui can always make again: the decompressed data sets."""
    return platformdirs.user_cache_path("gdtui", appauthor=False)


def config_home() -> Path:
    """What the user chose: the app's theme."""
    return platformdirs.user_config_path("gdtui", appauthor=False)


@contextmanager
def replacing(path: Path) -> Iterator[BinaryIO]:
    """Write to a temporary file beside path that takes its place only once complete.

    Readers see the old file or the whole new one, never a part. The file is made
    readable by its owner only (mkstemp's mode): the callers write keys, models and
    bookmarks, none of them anyone else's business.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
        os.replace(temporary, path)
    finally:
        # After a successful replace the temporary name is already gone.
        Path(temporary).unlink(missing_ok=True)
