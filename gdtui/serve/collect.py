"""A class's work, collected after class: the students' session folders in zip archives, with a manifest.

Zip, not tar: Windows' Explorer and macOS's Finder open a zip archive with a double click, and
every Linux desktop does too; a .tar.gz needs a recent Windows or a program of its own.

What is in a session folder was put there by a student, and whoever collects it may be root:
so nothing in it is trusted. A link is never followed nor archived as a link, and neither is
a student's folder that is itself a link; every file and folder is opened without following
one, and taken only if it is, once opened, a file or a folder, and the student's own (a hard
link to someone else's file is not). A name that is not UTF-8 is kept with its odd bytes
written out (caf\\xe9.npz). In the archive, a character Windows cannot have in a name is its
fullwidth form, and a backslash, which Windows and many unzip tools take for a folder's end, above
all; a control character is its picture (U+2400 on). What one student's folder can add is bounded:
STUDENT_BYTES in all, STUDENT_ENTRIES files and folders looked at, DEEPEST folders deep. What is left out, and
why, is listed in SKIPPED.csv beside the manifest, and told to the teacher.

The manifest, MANIFEST.csv, has a row a file: the student, the file's path in their folder,
its size in bytes, its SHA-256 and when it was last changed (UTC). A spreadsheet would read a
name starting with '=', '+', '-' or '@' as a formula: such a name is written with a "'" before
it, which keeps it text.

An archive is written whole, under a temporary name, before it takes its own; it is its
owner's alone (mode 600), and one already there is replaced only when asked to.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import itertools
import os
import stat
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from gdtui.core.errors import GdtuiError
from gdtui.core.files import replacing, size_text

MANIFEST = "MANIFEST.csv"  # in capitals: no student's name (lower case) can be the same
SKIPPED = "SKIPPED.csv"
STUDENT_BYTES = 200 * 10**6  # four times the server's default quota
STUDENT_ENTRIES = 2000
DEEPEST = 16
_CHUNK = 1 << 20
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
# What Windows cannot have in a file's name, as it can: a character, its fullwidth form (+U+FEE0);
# a control character, its picture (U+2400 on).
_UNPACKABLE = str.maketrans(
    {char: chr(ord(char) + 0xFEE0) for char in '\\:*?"<>|'}
    | {chr(code): chr(0x2400 + code) for code in range(0x20)}
    | {"\x7f": "\N{SYMBOL FOR DELETE}"}
)
# What a zip archive's time can say (DOS time: from 1980, in 2-second steps).
_EARLIEST, _LATEST = datetime(1980, 1, 1).timestamp(), datetime(2107, 12, 31, 23, 59, 58).timestamp()


@dataclass(frozen=True)
class Kept:
    student: str
    file: str  # its path in the student's folder, as text
    size: int
    sha256: str
    modified: float  # seconds since the epoch


@dataclass(frozen=True)
class Skipped:
    student: str
    file: str  # "" for the student's folder itself
    why: str


@dataclass
class Collected:
    archives: list[Path] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # students with no folder: never logged in
    strangers: list[str] = field(default_factory=list)  # folders of no one in the class, left out


def check_system() -> None:
    """A GdtuiError where a file cannot be opened without following a link, by its name in an
    open folder: Windows, where the lab server does not run either."""
    if not hasattr(os, "O_NOFOLLOW") or os.open not in os.supports_dir_fd:
        raise GdtuiError("collecting a class's work needs a Unix system, as the lab server does")


def collect(
    data: Path,
    students: list[str],
    out: Path,
    *,
    teachers: list[str] | None = None,
    per_student: bool = False,
    force: bool = False,
    when: datetime,
) -> Collected:
    """Archive the folders the lab in data keeps for students into out: one archive for the class,
    work-DATE.zip, or one a student, work-DATE/NAME.zip. The folders of no one in the class
    (neither a student nor one of its teachers: a student taken off it, another class's) are
    left out, and named. A GdtuiError, before anything is written, if an archive is there
    already (unless force) or no student has a folder. On a system check_system lets through."""
    sessions = data / "sessions"
    # In a student's folder, the class's archive would hand everyone's work to that student.
    if out.resolve().is_relative_to(sessions.resolve()):
        raise GdtuiError(f"{out} is in the students' folders: the archives go elsewhere (--out DIR)")
    try:
        handle = os.open(sessions, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        raise GdtuiError(f"no sessions folder in {data}: give the lab's data folder, where 'gdtui serve' keeps it") from None
    except OSError as err:
        raise GdtuiError(f"cannot read {sessions}: {err.strerror}") from None
    try:
        present = [name for name in students if _exists(name, handle)]
        known = {*students, *(teachers or ())}
        try:
            strangers = sorted(_text(name) for name in os.listdir(handle) if name not in known)
        except OSError as err:
            raise GdtuiError(f"cannot read {sessions}: {err.strerror}") from None
        done = Collected(absent=[name for name in students if name not in present], strangers=strangers)
        if not present:
            raise GdtuiError(f"none of the class's {len(students)} students has a folder in {sessions}: nothing to collect")
        stem = f"work-{when:%Y-%m-%d}"
        if per_student:
            folder = out / stem
            groups = {folder / f"{name}.zip": [name] for name in present}
        else:
            folder = out
            groups = {out / f"{stem}.zip": present}
        if not force:
            for archive in groups:
                if archive.exists():
                    raise GdtuiError(f"{archive} is there already: --force replaces it")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as err:
            raise GdtuiError(f"cannot make {folder}: {err.strerror}") from None
        for archive, names in groups.items():
            _write(archive, names, handle, done, force=force)
            done.archives.append(archive)
    finally:
        os.close(handle)
    return done


def _exists(name: str, sessions: int) -> bool:
    try:
        os.lstat(name, dir_fd=sessions)
    except FileNotFoundError:
        return False
    except OSError:
        pass  # there, and what stops it being read is said when it is
    return True


def _write(archive: Path, students: list[str], sessions: int, done: Collected, *, force: bool) -> None:
    kept: list[Kept] = []
    skipped: list[Skipped] = []
    try:
        with replacing(archive, overwrite=force) as file, zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as zipped:
            for name in students:
                _Student(name, zipped, kept, skipped).take(sessions)
            zipped.writestr(_member(MANIFEST), _manifest(kept))
            if skipped:
                rows = [[item.student, item.file, item.why] for item in skipped]
                zipped.writestr(_member(SKIPPED), _table(["student", "file", "why"], rows))
    except FileExistsError:  # since it was looked for, before anything was written
        raise GdtuiError(f"{archive} is there already: --force replaces it") from None
    except OSError as err:
        raise GdtuiError(f"cannot write {archive}: {err.strerror}") from None
    done.kept += kept
    done.skipped += skipped


class _Student:
    """One student's folder, walked into the archive within its bounds."""

    def __init__(self, name: str, zipped: zipfile.ZipFile, kept: list[Kept], skipped: list[Skipped]) -> None:
        self.name = name
        self.zipped = zipped
        self.kept = kept
        self.skipped = skipped
        self.bytes_left = STUDENT_BYTES
        self.entries_left = STUDENT_ENTRIES
        self.members: set[str] = set()
        self.owner = -1

    def skip(self, file: str, why: str) -> None:
        self.skipped.append(Skipped(self.name, file, why))

    def take(self, sessions: int) -> None:
        try:
            # Not O_DIRECTORY: with it, a link is refused as no folder, and its being a link goes unsaid.
            handle = os.open(self.name, _opening(), dir_fd=sessions)
        except OSError as err:
            self.skip("", _refused(err))
            return
        try:
            info = os.fstat(handle)
            if stat.S_ISDIR(info.st_mode):
                self.owner = info.st_uid
                self._folder(handle, "", 0)
            else:
                self.skip("", "not a folder")
        finally:
            os.close(handle)

    def _folder(self, handle: int, path: str, depth: int) -> None:
        try:
            with os.scandir(handle) as listing:
                # At most what is left to look at, and one more to know there is more: a folder of a
                # million names is never read whole.
                entries = list(itertools.islice(listing, self.entries_left + 1))
        except OSError as err:
            self.skip(path.removesuffix("/"), f"cannot be read: {err.strerror}")
            return
        flood = False
        for entry in sorted(entries, key=lambda entry: entry.name):
            # What the folders before it took counts too.
            if self.entries_left == 0:
                flood = True
                break
            self.entries_left -= 1
            self._entry(handle, entry.name, f"{path}{_text(entry.name)}", depth)
        if flood:
            self.skip(
                path.removesuffix("/"),
                f"more than the {STUDENT_ENTRIES:,} files and folders looked at in one student's: the rest not looked at",
            )

    def _entry(self, folder: int, name: str, path: str, depth: int) -> None:
        try:
            handle = os.open(name, _opening(), dir_fd=folder)
        except OSError as err:
            self.skip(path, _refused(err))
            return
        try:
            info = os.fstat(handle)
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 > DEEPEST:
                    self.skip(path, f"a folder more than {DEEPEST} deep: not looked into")
                else:
                    self._folder(handle, f"{path}/", depth + 1)
            elif not stat.S_ISREG(info.st_mode):
                self.skip(path, "not a file or a folder")
            elif info.st_uid != self.owner:
                self.skip(path, "not the student's: another user owns it")
            elif info.st_size > self.bytes_left:
                self.skip(path, f"{size_text(info.st_size)}: past the {size_text(STUDENT_BYTES)} taken from one student")
            elif _member_name(self.name, path) in self.members:
                self.skip(path, "its name, as text, is another file's")
            else:
                self._file(handle, path, info)
        finally:
            os.close(handle)

    def _file(self, handle: int, path: str, info: os.stat_result) -> None:
        member = _member_name(self.name, path)
        modified = min(max(info.st_mtime, _EARLIEST), _LATEST)
        entry = _member(member, modified)
        entry.file_size = info.st_size
        digest = hashlib.sha256()
        # No more than its size when opened: a file still growing is taken as it was then.
        left = info.st_size
        failed: OSError | None = None
        # An error here is the archive's, and ends it; one reading the file ends only the file.
        with self.zipped.open(entry, "w") as into:
            while left > 0:
                try:
                    chunk = os.read(handle, min(_CHUNK, left))
                except OSError as err:
                    failed = err
                    break
                if not chunk:
                    break
                digest.update(chunk)
                into.write(chunk)
                left -= len(chunk)
        size = info.st_size - left
        self.members.add(member)
        self.bytes_left -= size
        self.kept.append(Kept(self.name, path, size, digest.hexdigest(), info.st_mtime))
        if failed is not None:
            self.skip(path, f"only its first {size_text(size)} could be read: {failed.strerror}")


def _opening() -> int:
    # Not a constant: Windows has none of these, and the command line imports this module there too.
    return os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _refused(err: OSError) -> str:
    # O_NOFOLLOW's answer to a link; FreeBSD's and macOS's is EMLINK.
    if err.errno in (errno.ELOOP, errno.EMLINK):
        return "a link: not followed"
    if err.errno == errno.ENXIO:
        return "not a file or a folder"
    return f"cannot be read: {err.strerror}"


def _text(name: str) -> str:
    """A name as text: bytes that are not UTF-8 written out, as \\xe9."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _member_name(student: str, path: str) -> str:
    """Where a file goes in the archive: under its student's folder, with a name Windows can unpack.
    A backslash above all: Windows, and many a tool that unpacks a zip, reads it as a folder's end,
    and '..\\..\\x.npz' would be put outside the folder unpacked into; and Windows cannot make a
    file named 'what?.npz' at all."""
    return f"{student}/{path.translate(_UNPACKABLE)}"


def _member(name: str, modified: float | None = None) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, time.localtime(time.time() if modified is None else modified)[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = (stat.S_IFREG | 0o600) << 16
    return entry


def spreadsheet_cell(value: str) -> str:
    """The cell as a spreadsheet shows it without running it: one that starts as a formula starts with a quote."""
    return f"'{value}" if value.startswith(_FORMULA) else value


def _table(head: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(head)
    writer.writerows([[spreadsheet_cell(value) for value in row] for row in rows])
    return text.getvalue().encode()


def _manifest(kept: list[Kept]) -> bytes:
    rows = [[item.student, item.file, str(item.size), item.sha256, _utc(item.modified)] for item in kept]
    return _table(["student", "file", "size", "sha256", "modified"], rows)


def _utc(seconds: float) -> str:
    try:
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return ""
