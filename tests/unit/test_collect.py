"""Collecting a class's work: the students' session folders, as their students left them, in zip archives."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gdtui.core.errors import GdtuiError
from gdtui.serve import collect

WHEN = datetime(2026, 12, 5, 16, 30)


def session(data: Path, name: str, files: dict[str, bytes]) -> Path:
    """A student's folder under the lab's data folder, as the server makes it, holding files."""
    home = data / "sessions" / name
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    for relative, content in files.items():
        path = home / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return home


def manifest(archive: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(archive) as opened:
        return list(csv.DictReader(io.StringIO(opened.read(collect.MANIFEST).decode("utf-8"), newline="")))


def skipped(archive: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(archive) as opened:
        if collect.SKIPPED not in opened.namelist():
            return []
        return list(csv.DictReader(io.StringIO(opened.read(collect.SKIPPED).decode("utf-8"), newline="")))


def test_a_class_archive_holds_each_students_folder_and_a_manifest_of_it(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    model = os.urandom(3000)
    ada = session(data, "ada", {"first.npz": model, ".local/share/gdtui/lesson.json": b'{"beat": 4}'})
    os.utime(ada / "first.npz", (1_700_000_000, 1_700_000_000))
    session(data, "alan", {"notes.txt": b"eta 1.5 worked"})
    session(data, "eve", {"not-in-this-class.npz": b"x"})
    done = collect.collect(data, ["ada", "alan", "bob"], out, when=WHEN)
    assert done.archives == [out / "work-2026-12-05.zip"]
    archive = done.archives[0]
    # Its owner's alone: it holds every student's work.
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with zipfile.ZipFile(archive) as opened:
        assert opened.testzip() is None
        names = set(opened.namelist())
        assert opened.read("ada/first.npz") == model
    assert names == {collect.MANIFEST, "ada/first.npz", "ada/.local/share/gdtui/lesson.json", "alan/notes.txt"}
    rows = manifest(archive)
    assert [(row["student"], row["file"]) for row in rows] == [
        ("ada", ".local/share/gdtui/lesson.json"),
        ("ada", "first.npz"),
        ("alan", "notes.txt"),
    ]
    first = rows[1]
    assert first["size"] == "3000"
    assert first["sha256"] == hashlib.sha256(model).hexdigest()
    assert datetime.fromisoformat(first["modified"]) == datetime.fromtimestamp(1_700_000_000, UTC)
    assert done.absent == ["bob"]
    # A folder of no one in the class is left out, and named.
    assert done.strangers == ["eve"]
    assert [(kept.student, kept.file) for kept in done.kept] == [(row["student"], row["file"]) for row in rows]
    # Nothing half-written is left beside it.
    assert sorted(path.name for path in out.iterdir()) == ["work-2026-12-05.zip"]


def test_a_link_in_a_students_folder_is_neither_followed_nor_archived(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    ada = session(data, "ada", {"model.npz": b"mine"})
    (ada / "passwd").symlink_to("/etc/passwd")
    (ada / "etc").symlink_to("/etc")
    (ada / "sub").mkdir()
    (ada / "sub" / "up").symlink_to("../../..")
    # A student's whole folder can be a link too: the sessions folder is the sessions' user's.
    (data / "sessions" / "alan").symlink_to("/etc")
    done = collect.collect(data, ["ada", "alan"], out, when=WHEN)
    archive = done.archives[0]
    with zipfile.ZipFile(archive) as opened:
        infos = opened.infolist()
        contents = b"".join(opened.read(info) for info in infos)
    assert {info.filename for info in infos} == {collect.MANIFEST, collect.SKIPPED, "ada/model.npz"}
    # No member is a link, and nothing of /etc came in.
    assert not any(stat.S_ISLNK(info.external_attr >> 16) for info in infos)
    assert b"root:" not in contents
    assert {(row["student"], row["file"]) for row in skipped(archive)} == {
        ("ada", "passwd"),
        ("ada", "etc"),
        ("ada", "sub/up"),
        ("alan", ""),
    }
    assert all("link" in item.why for item in done.skipped)


def test_odd_names_are_kept_as_text_and_a_spreadsheet_reads_none_as_a_formula(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    ada = session(data, "ada", {"[bold]red[/bold].npz": b"1", "two\nlines.txt": b"2", "=HYPERLINK(1).npz": b"3"})
    # Not UTF-8: a name as the file system holds it, bytes.
    os.close(os.open(os.fsencode(ada) + b"/caf\xe9.npz", os.O_WRONLY | os.O_CREAT, 0o600))
    done = collect.collect(data, ["ada"], out, when=WHEN)
    with zipfile.ZipFile(done.archives[0]) as opened:
        names = set(opened.namelist())
    assert {
        "ada/[bold]red[/bold].npz",
        "ada/two\N{SYMBOL FOR LINE FEED}lines.txt",
        "ada/=HYPERLINK(1).npz",
        "ada/caf\N{FULLWIDTH REVERSE SOLIDUS}xe9.npz",
    } <= names
    files = {row["file"] for row in manifest(done.archives[0])}
    assert files == {"[bold]red[/bold].npz", "two\nlines.txt", "'=HYPERLINK(1).npz", "caf\\xe9.npz"}


def test_a_name_with_backslashes_stays_in_its_students_folder_whatever_unpacks_the_archive(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    # A name the app lets a student save under: on Windows, and to many unzip tools, a path out of the folder.
    session(data, "ada", {"..\\..\\..\\Startup\\evil.npz": b"1", "C:\\evil.npz": b"2"})
    done = collect.collect(data, ["ada"], out, when=WHEN)
    with zipfile.ZipFile(done.archives[0]) as opened:
        members = {info.filename: opened.read(info) for info in opened.infolist() if not info.filename.endswith(".csv")}
    assert sorted(members.values()) == [b"1", b"2"]
    for member in members:
        parts = member.replace("\\", "/").split("/")
        assert parts[0] == "ada" and len(parts) == 2, member
    files = {row["file"] for row in manifest(done.archives[0])}
    assert files == {"..\\..\\..\\Startup\\evil.npz", "C:\\evil.npz"}


def test_names_windows_cannot_hold_are_unpacked_there_all_the_same(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    # Names the app saves under, as a student would type them; Windows refuses each of them as a
    # file's name, and cannot unpack a file under it.
    typed = ["what?.npz", "v1:best.npz", 'a*b<c>d|e"f.npz', "tab\there.npz"]
    session(data, "ada", {name: name.encode() for name in typed})
    done = collect.collect(data, ["ada"], out, when=WHEN)
    with zipfile.ZipFile(done.archives[0]) as opened:
        members = {info.filename: opened.read(info) for info in opened.infolist() if info.filename.startswith("ada/")}
    assert sorted(members.values()) == sorted(name.encode() for name in typed)
    for member in members:
        assert not set(member.removeprefix("ada/")) & set('\\:*?"<>|'), member
        assert member.isprintable(), member
    assert {row["file"] for row in manifest(done.archives[0])} == set(typed)


def test_a_huge_file_a_flood_of_files_and_a_deep_nest_are_bounded_and_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collect, "STUDENT_BYTES", 1000)
    monkeypatch.setattr(collect, "STUDENT_ENTRIES", 20)
    monkeypatch.setattr(collect, "DEEPEST", 3)
    data, out = tmp_path / "lab", tmp_path / "class"
    session(data, "ada", {"a-small.npz": b"s" * 400, "b-huge.npz": b"h" * 5000, "c-small.npz": b"s" * 500})
    session(data, "alan", {f"flood/{number:03}": b"" for number in range(100)})
    session(data, "bob", {"1/2/3/4/5/deep.npz": b"d", "1/top.npz": b"t"})
    # A folder's files count against what its parent folder may still look at.
    session(data, "zoe", {f"a/{number:02}": b"" for number in range(15)} | {f"b{number:02}": b"" for number in range(10)})
    done = collect.collect(data, ["ada", "alan", "bob", "zoe"], out, when=WHEN)
    assert sum(item.student == "zoe" for item in done.kept) == 15 + 4
    kept = {(item.student, item.file) for item in done.kept}
    assert {("ada", "a-small.npz"), ("ada", "c-small.npz"), ("bob", "1/top.npz")} <= kept
    assert ("ada", "b-huge.npz") not in kept and ("bob", "1/2/3/4/5/deep.npz") not in kept
    # The flood: what was looked at is kept, the rest is not looked at, and that is said once.
    assert sum(student == "alan" for student, _ in kept) < 20
    why = {(item.student, item.file): item.why for item in done.skipped}
    assert "1 kB" in why["ada", "b-huge.npz"]
    assert [file for student, file in why if student == "alan"] == ["flood"]
    assert [file for student, file in why if student == "zoe"] == [""]
    assert "20" in why["alan", "flood"]
    assert ("bob", "1/2/3/4") in why
    assert {(row["student"], row["file"]) for row in skipped(done.archives[0])} == set(why)


def test_what_is_not_a_file_is_skipped_without_waiting_on_it(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    ada = session(data, "ada", {"model.npz": b"m"})
    os.mkfifo(ada / "pipe")
    done = collect.collect(data, ["ada"], out, when=WHEN)
    assert [(item.file, item.why) for item in done.skipped] == [("pipe", "not a file or a folder")]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to someone else")
def test_a_file_that_is_not_the_students_own_is_skipped(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    ada = session(data, "ada", {"model.npz": b"m", "shadow": b"root's"})
    # A hard link to a file of root's looks like this: another owner than the folder's.
    os.chown(ada, 65534, 65534)
    os.chown(ada / "model.npz", 65534, 65534)
    done = collect.collect(data, ["ada"], out, when=WHEN)
    assert [item.file for item in done.kept] == ["model.npz"]
    assert [(item.file, item.why) for item in done.skipped] == [("shadow", "not the student's: another user owns it")]


def test_an_archive_is_never_replaced_without_force(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    session(data, "ada", {"model.npz": b"first"})
    archive = collect.collect(data, ["ada"], out, when=WHEN).archives[0]
    before = archive.read_bytes()
    (data / "sessions" / "ada" / "model.npz").write_bytes(b"second")
    with pytest.raises(GdtuiError, match="--force"):
        collect.collect(data, ["ada"], out, when=WHEN)
    assert archive.read_bytes() == before
    assert sorted(path.name for path in out.iterdir()) == [archive.name]
    collect.collect(data, ["ada"], out, when=WHEN, force=True)
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("ada/model.npz") == b"second"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def test_per_student_one_archive_each_with_its_own_manifest(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    session(data, "ada", {"model.npz": b"a"})
    session(data, "alan", {"model.npz": b"b"})
    done = collect.collect(data, ["ada", "alan", "bob"], out, per_student=True, when=WHEN)
    folder = out / "work-2026-12-05"
    assert done.archives == [folder / "ada.zip", folder / "alan.zip"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for archive, name in zip(done.archives, ["ada", "alan"], strict=True):
        assert [(row["student"], row["file"]) for row in manifest(archive)] == [(name, "model.npz")]
        assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert done.absent == ["bob"]
    # One already there stops them all, before any is written.
    (folder / "ada.zip").unlink()
    with pytest.raises(GdtuiError, match="alan.zip"):
        collect.collect(data, ["ada", "alan"], out, per_student=True, when=WHEN)
    assert not (folder / "ada.zip").exists()


def test_a_class_none_of_whom_has_a_folder_is_an_error_not_an_empty_archive(tmp_path: Path) -> None:
    data, out = tmp_path / "lab", tmp_path / "class"
    (data / "sessions").mkdir(parents=True)
    with pytest.raises(GdtuiError, match="none of the class's 2 students"):
        collect.collect(data, ["ada", "alan"], out, when=WHEN)
    with pytest.raises(GdtuiError, match="no sessions folder"):
        collect.collect(tmp_path / "elsewhere", ["ada"], out, when=WHEN)
    assert not out.exists() or not any(out.iterdir())


def test_the_archives_never_go_into_the_folders_they_collect(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    ada = session(data, "ada", {"model.npz": b"a"})
    session(data, "alan", {"model.npz": b"b"})
    # There, alan's work would be handed to ada.
    with pytest.raises(GdtuiError, match="students' folders"):
        collect.collect(data, ["ada", "alan"], ada, when=WHEN)
    with pytest.raises(GdtuiError, match="students' folders"):
        collect.collect(data, ["ada", "alan"], data / "sessions", per_student=True, when=WHEN)
    assert sorted(path.name for path in ada.iterdir()) == ["model.npz"]
