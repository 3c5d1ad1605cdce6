"""Where gdtui keeps its files, and how it writes them.

The places are each system's own (platformdirs): on Linux the XDG base directory
convention's, so a lab that gives every session its own HOME (or its own
XDG_DATA_HOME) gives it its own files too; the XDG variables count on macOS and
Windows as well.
Every file is written whole or not at all: a crash, a full disk or a second
gdtui writing the same file at the same moment never leaves half a file behind.
A lab session's folder has a quota, which every write through `replacing` is
held to: one student cannot fill the disk the whole class shares.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import platformdirs

# Asked anew each time, not once: the lab gives each session its own HOME, and tests their own folders.
# appauthor=False: on Windows, %LOCALAPPDATA%\gdtui rather than %LOCALAPPDATA%\gdtui\gdtui.


# What a path is when it is not a regular file, in words: "is a directory".
FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def data_home() -> Path:
    """What gdtui keeps for the user: the lesson bookmark, the lab's host key and students' folders."""
    return platformdirs.user_data_path("gdtui", appauthor=False)


def cache_home() -> Path:
    """What gdtui can always make again: the decompressed data sets."""
    return platformdirs.user_cache_path("gdtui", appauthor=False)


def config_home() -> Path:
    """What the user chose: the app's theme."""
    return platformdirs.user_config_path("gdtui", appauthor=False)


def size_text(size: int) -> str:
    """A number of bytes as a person reads it, in the decimal units a quota is given in."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


class QuotaExceeded(OSError):
    """A write that would take a folder past its quota: an OSError, as a full disk is, so that
    every writer that copes with one copes with this too, and says what strerror says."""

    def __init__(self, used: int, most: int, more: int) -> None:
        super().__init__(
            errno.EDQUOT,
            f"{size_text(used)} of this folder's {size_text(most)} are used, and this needs {size_text(more)} more",
        )


@dataclass(frozen=True)
class FolderQuota:
    """At most `most` bytes in the files under `root`, counted as they are at each write:
    whatever wrote them, and however many sessions share the folder."""

    root: Path
    most: int

    def used(self) -> int:
        total = 0
        for folder, _, names in os.walk(self.root):
            for name in names:
                with suppress(OSError):  # gone since it was listed
                    info = os.lstat(os.path.join(folder, name))
                    total += info.st_size if stat.S_ISREG(info.st_mode) else 0
        return total

    def covers(self, path: Path) -> bool:
        return path.parent.resolve().is_relative_to(self.root.resolve())

    @contextmanager
    def held(self) -> Iterator[None]:
        """The folder to one writer at a time, from the count to the file in place: two sessions
        under one name, each saving at once, must not both fit in the room left for one."""
        import fcntl

        handle = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)

    def check(self, path: Path, temporary: Path) -> None:
        """QuotaExceeded if putting temporary (written, in the folder) in path's place takes the
        folder past the quota. A write that adds nothing is always let through: a folder over a
        quota lowered since may still shrink."""
        size = temporary.stat().st_size
        try:
            info = path.lstat()
            old = info.st_size if stat.S_ISREG(info.st_mode) else 0
        except FileNotFoundError:
            old = 0
        if size <= old:
            return
        used = self.used() - size
        if used - old + size > self.most:
            raise QuotaExceeded(used, self.most, size - old)
        free = shutil.disk_usage(self.root).free  # the temporary written already: what is left once it is in place
        if free < DISK_RESERVE:
            raise DiskNearlyFull(free + size, size - old)


class DiskNearlyFull(OSError):
    """A write that would leave the disk with less than DISK_RESERVE free: each folder has its quota, and under a
    lab's password there may be many folders, each its own name's."""

    def __init__(self, free: int, more: int) -> None:
        super().__init__(
            errno.ENOSPC,
            f"the server's disk has {size_text(free)} free, kept for the class: this needs {size_text(more)} more",
        )


# What a lab's saves leave free on its disk: the class's record and the server's log need it.
DISK_RESERVE = 256 * 10**6


# The quota of the folder this process keeps its files in: set once, by a lab session, before its app starts.
folder_quota: FolderQuota | None = None


@contextmanager
def replacing(path: Path, *, overwrite: bool = True) -> Iterator[BinaryIO]:
    """Write to a temporary file beside path that takes its place only once complete.

    Readers see the old file or the whole new one, never a part, and so does the
    next boot after a crash: the new file is on the disk before it takes the old
    one's name, and the folder's new entry is on the disk before this returns. The
    file is made readable by its owner only (mkstemp's mode): the callers write
    keys, models, bookmarks and a class's work, none of them anyone else's business.
    In a folder with a quota, a file that would take it past the quota raises
    QuotaExceeded, and nothing of it is left.

    Without overwrite, the file takes path's name only if no file has it, even one
    that came while this was written: else FileExistsError, and the file there stays.
    """
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        quota = folder_quota
        if quota is not None and quota.covers(path):
            with quota.held():
                quota.check(path, Path(temporary))
                _place(Path(temporary), path, overwrite=overwrite)
        else:
            _place(Path(temporary), path, overwrite=overwrite)
        sync_folder(path.parent)
    finally:
        # Gone already after a replace; after a hard link, the file keeps the new name alone.
        Path(temporary).unlink(missing_ok=True)


def _place(temporary: Path, path: Path, *, overwrite: bool) -> None:
    """temporary under path's name: in place of a file there, or only where there is none, in one
    step (a hard link, which no file already there lets be made). A file system without hard links
    is asked first, then replaced."""
    if overwrite:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:
        if path.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(path)) from None
        os.replace(temporary, path)


def sync_folder(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    except OSError as err:
        # Some file systems cannot sync a folder, and say so: the file is in place all the same.
        if err.errno != errno.EINVAL:
            raise
    finally:
        os.close(handle)


def read_small_json(path: Path, largest: int) -> object:
    """What a small JSON file of gdtui's own holds, or None when it is missing, unreadable, larger
    than it could be, or damaged in any way: the file is ours, and nothing in it was ever a promise."""
    try:
        with path.open("rb") as file:
            text = file.read(largest + 1)
        if len(text) > largest:
            return None
        return json.loads(text)
    # RecursionError: arrays nested deeper than the parser's stack.
    except (OSError, ValueError, RecursionError):
        return None


def write_small_json(path: Path, value: object) -> bool:
    """Write value as JSON in place of path, whole or not at all; False when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as file:
            file.write(json.dumps(value).encode())
    except OSError:
        return False
    return True
