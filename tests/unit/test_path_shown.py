"""Paths in messages to the user: inside the app's folder, as the user gave them."""

from pathlib import Path

from gdtui.ui.screens.path_prompt import in_folder, within


def test_a_path_in_the_folder_is_shown_from_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "sessions" / "ada"
    saved = within(root, "models/mine.npz")
    assert in_folder(f"Saved {saved}", root) == "Saved models/mine.npz"
    assert in_folder(f"{within(root, 'x.npz')}: no such file", root) == "x.npz: no such file"


def test_a_folder_given_by_another_name_of_the_same_place_is_taken_off_too(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert in_folder(f"Saved {within(tmp_path / 'link', 'a.npz')}", tmp_path / "link") == "Saved a.npz"


def test_without_a_folder_paths_are_shown_whole(tmp_path: Path) -> None:
    assert in_folder(f"Saved {tmp_path}/a.npz", None) == f"Saved {tmp_path}/a.npz"
    # Only a path inside the folder loses its start, not one that merely begins the same way.
    assert in_folder(f"Saved {tmp_path}-other/a.npz", tmp_path) == f"Saved {tmp_path}-other/a.npz"
