"""The command palette's Screenshot saves where the user can write, and says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import make_app, notices, wait_for, wait_until_loaded


@pytest.fixture
def no_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home without a Downloads folder, as a lab session's and many a server's."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    return home


async def _screenshot(app, folder: Path) -> list[Path]:
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("ctrl+p", *"screenshot", "enter")
        await wait_for(pilot, lambda: list(folder.glob("*.svg")) and notices(app), "the screenshot and its notice")
        return list(folder.glob("*.svg"))


async def test_in_a_lab_session_it_goes_to_the_sessions_folder_shown_by_its_place_there(
    tiny_mnist_dir: Path, tmp_path: Path, no_downloads: Path
) -> None:
    folder = tmp_path / "sessions" / "ada"
    folder.mkdir(parents=True)
    app = make_app(tiny_mnist_dir, files_root=folder)
    (shot,) = await _screenshot(app, folder)
    assert shot.read_text().startswith("<svg")
    assert notices(app)[-1] == f"Saved as {shot.name}"


async def test_elsewhere_it_goes_to_the_current_folder_named_as_text_not_markup(
    tiny_mnist_dir: Path, tmp_path: Path, no_downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shots [red]x [b]"
    folder.mkdir()
    monkeypatch.chdir(folder)
    app = make_app(tiny_mnist_dir)
    (shot,) = await _screenshot(app, folder)
    assert notices(app)[-1] == f"Saved as {shot}"


async def test_a_downloads_folder_that_exists_is_used(
    tiny_mnist_dir: Path, tmp_path: Path, no_downloads: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = no_downloads / "Downloads"
    downloads.mkdir()
    monkeypatch.chdir(tmp_path)
    app = make_app(tiny_mnist_dir)
    (shot,) = await _screenshot(app, downloads)
    assert notices(app)[-1] == f"Saved as {shot}"
    assert not list(tmp_path.glob("*.svg"))


async def test_a_screenshot_that_cannot_be_written_says_where_and_why(
    tiny_mnist_dir: Path, tmp_path: Path, no_downloads: Path
) -> None:
    gone = tmp_path / "gone"
    app = make_app(tiny_mnist_dir, files_root=gone)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        await pilot.press("ctrl+p", *"screenshot", "enter")
        await wait_for(pilot, lambda: notices(app), "a notice")
        (notice,) = notices(app)
    # In a lab session, a path is shown by its place in the session's folder, never the server's own.
    assert notice.startswith("Could not save gdtui") and notice.endswith(".svg: No such file or directory")
