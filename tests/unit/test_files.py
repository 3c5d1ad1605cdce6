"""Where gdtui keeps its files, and writing them whole or not at all."""

from __future__ import annotations

import errno
import os
import shutil
import stat

import pytest

from gdtui.core import files
from gdtui.core.files import FolderQuota, QuotaExceeded, cache_home, config_home, data_home, replacing

PLACES = [
    (cache_home, "XDG_CACHE_HOME", ".cache"),
    (data_home, "XDG_DATA_HOME", ".local/share"),
    (config_home, "XDG_CONFIG_HOME", ".config"),
]


@pytest.mark.parametrize(("place", "variable"), [(place, variable) for place, variable, _ in PLACES])
def test_the_places_follow_their_xdg_variable(tmp_path, monkeypatch, place, variable):
    monkeypatch.setenv(variable, str(tmp_path / "xdg"))
    assert place() == tmp_path / "xdg" / "gdtui"


@pytest.mark.parametrize("value", [None, "", "relative/path"], ids=["unset", "empty", "relative"])
@pytest.mark.parametrize(("place", "variable", "default"), PLACES)
def test_without_a_usable_variable_the_places_are_under_home(tmp_path, monkeypatch, place, variable, default, value):
    monkeypatch.setenv("HOME", str(tmp_path))
    if value is None:
        monkeypatch.delenv(variable, raising=False)
    else:
        monkeypatch.setenv(variable, value)
    assert place() == tmp_path / default / "gdtui"


def test_replacing_writes_the_whole_file_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "model.npz"
    with replacing(path) as file:
        file.write(b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "lesson.json"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path) as file:
        file.write(b"half")
        raise RuntimeError("the disk filled up")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.json"]


def test_a_file_meant_for_a_name_no_file_has_never_replaces_one(tmp_path):
    path = tmp_path / "work.zip"
    with replacing(path, overwrite=False) as file:
        file.write(b"first")
    assert path.read_bytes() == b"first"
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError), replacing(path, overwrite=False) as file:
        file.write(b"second")
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["work.zip"]


@pytest.mark.parametrize("hard_links", [True, False], ids=["hard-links", "no-hard-links"])
def test_a_file_that_takes_the_name_while_one_is_written_for_it_is_kept(tmp_path, monkeypatch, hard_links):
    if not hard_links:  # a file system without them (FAT, some network shares)

        def link(source, target):
            raise PermissionError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", link)
    path = tmp_path / "work.zip"
    with pytest.raises(FileExistsError), replacing(path, overwrite=False) as file:
        file.write(b"ours")
        path.write_bytes(b"theirs")  # another writer, first
    assert path.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["work.zip"]
    with replacing(tmp_path / "other.zip", overwrite=False) as file:
        file.write(b"ours")
    assert (tmp_path / "other.zip").read_bytes() == b"ours"


@pytest.fixture
def quota(tmp_path, monkeypatch):
    """A folder of its own with a quota of 1000 bytes, as a lab session's is."""
    folder = tmp_path / "ada"
    folder.mkdir()
    monkeypatch.setattr(files, "folder_quota", FolderQuota(folder, 1000))
    return folder


def test_a_folder_uses_what_its_files_hold_at_any_depth(quota):
    (quota / "a.npz").write_bytes(b"x" * 300)
    (quota / ".local" / "share").mkdir(parents=True)
    (quota / ".local" / "share" / "lesson.json").write_bytes(b"x" * 20)
    (quota / "link").symlink_to("/etc/passwd")  # not followed: what it points at is not the folder's
    assert files.folder_quota.used() == 320


def test_a_write_within_the_quota_is_made(quota):
    (quota / "old.npz").write_bytes(b"x" * 500)
    with replacing(quota / "new.npz") as file:
        file.write(b"y" * 500)
    assert (quota / "new.npz").stat().st_size == 500


def test_a_write_past_the_quota_is_refused_whole_and_says_how_much_is_used(quota):
    (quota / "old.npz").write_bytes(b"x" * 600)
    (quota / "new.npz").write_bytes(b"n" * 10)
    with pytest.raises(QuotaExceeded) as refused, replacing(quota / "new.npz") as file:
        file.write(b"y" * 500)
    assert refused.value.errno == errno.EDQUOT
    assert isinstance(refused.value, OSError)  # every writer that handles a full disk handles this
    assert "610 bytes of this folder's 1 kB are used, and this needs 490 bytes more" in refused.value.strerror
    # Nothing partial: the old file as it was, and no temporary.
    assert (quota / "new.npz").read_bytes() == b"n" * 10
    assert sorted(p.name for p in quota.iterdir()) == ["new.npz", "old.npz"]


def test_replacing_a_file_counts_only_what_it_adds(quota):
    (quota / "model.npz").write_bytes(b"x" * 900)
    with replacing(quota / "model.npz") as file:
        file.write(b"y" * 950)
    assert (quota / "model.npz").read_bytes() == b"y" * 950


def test_a_folder_over_its_quota_may_still_shrink(quota):
    (quota / "model.npz").write_bytes(b"x" * 1500)
    with replacing(quota / "model.npz") as file:
        file.write(b"y" * 1200)
    assert (quota / "model.npz").stat().st_size == 1200


def test_files_outside_the_folder_are_not_counted_nor_limited(quota, tmp_path):
    with replacing(tmp_path / "cache.npy") as file:
        file.write(b"z" * 5000)
    assert files.folder_quota.used() == 0


@pytest.mark.parametrize(
    ("size", "shown"), [(999, "999 bytes"), (1500, "1.5 kB"), (48_200_000, "48.2 MB"), (50_000_000, "50 MB")]
)
def test_sizes_are_shown_as_a_person_reads_them(size, shown):
    assert files.size_text(size) == shown


def _synced(monkeypatch: pytest.MonkeyPatch, events: list[str]) -> None:
    """Record what os.fsync and os.replace are given, in order, and still do them."""
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else f"fsync {os.readlink(f'/proc/self/fd/{fd}')}")
        real_fsync(fd)

    def replace(source, target) -> None:
        events.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)


def test_the_new_file_is_on_disk_before_it_takes_the_old_ones_place_and_the_folder_after(tmp_path, monkeypatch):
    events: list[str] = []
    _synced(monkeypatch, events)
    path = tmp_path / "model.npz"
    with replacing(path) as file:
        file.write(b"new")
    # The temporary file beside it, then the folder that now names it.
    assert events[0].startswith(f"fsync {tmp_path / '.model.npz.'}")
    assert events[1:] == ["replace", "fsync folder"]
    assert path.read_bytes() == b"new"


def test_a_file_that_cannot_reach_the_disk_leaves_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")

    def fsync(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError), replacing(path) as file:
        file.write(b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_a_write_that_would_leave_the_disk_nearly_full_is_refused_whole(quota, monkeypatch):
    """Each name has its quota, and under a lab's password names are many: a write is refused, too, that would
    leave the disk less than the reserve the class's record and the server's log need."""
    monkeypatch.setattr(files.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**9, 10**9 - 10**6, 10**6))
    with pytest.raises(OSError) as refused, replacing(quota / "new.npz") as file:
        file.write(b"y" * 500)
    assert refused.value.errno == errno.ENOSPC
    assert "the server's disk has 1 MB free, kept for the class" in refused.value.strerror, refused.value.strerror
    assert list(quota.iterdir()) == []
    # A write that adds nothing still goes through: a full disk may still shrink.
    (quota / "old.npz").write_bytes(b"x" * 600)
    with replacing(quota / "old.npz") as file:
        file.write(b"x" * 100)
    assert (quota / "old.npz").stat().st_size == 100
