"""Where gdtui keeps its files, and writing them whole or not at all."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from gdtui.core.files import cache_home, data_home, replacing


@pytest.mark.parametrize(("place", "variable"), [(cache_home, "XDG_CACHE_HOME"), (data_home, "XDG_DATA_HOME")])
def test_the_places_follow_their_xdg_variable(tmp_path, monkeypatch, place, variable):
    monkeypatch.setenv(variable, str(tmp_path / "xdg"))
    assert place() == tmp_path / "xdg" / "gdtui"


@pytest.mark.parametrize("value", [None, "", "relative/path"], ids=["unset", "empty", "relative"])
@pytest.mark.parametrize(
    ("place", "variable", "default"),
    [(cache_home, "XDG_CACHE_HOME", ".cache"), (data_home, "XDG_DATA_HOME", ".local/share")],
)
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
