"""Where gdtui keeps its files, and writing them whole or not at all."""

from __future__ import annotations

import pytest

from gdtui.core.files import cache_home, config_home, data_home, replacing

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
