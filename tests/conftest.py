"""Fixtures shared by the whole test suite."""

from pathlib import Path

import pytest
import textual.constants

from tests.tiny_mnist import write_tiny_mnist


@pytest.fixture(scope="session", autouse=True)
def _private_cache_home(tmp_path_factory: pytest.TempPathFactory):
    """Keep every cache the tests write out of the user's real cache directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
        yield


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no lesson bookmark, and never touches the user's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))


@pytest.fixture(scope="session")
def tiny_mnist_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the first 1,000 training and 200 test digits of MNIST, gzipped."""
    return write_tiny_mnist(tmp_path_factory.mktemp("tiny-mnist"))


@pytest.fixture
def truecolor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots look the same whatever terminal runs the tests: a truecolor one, with colour."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Textual reads TEXTUAL_COLOR_SYSTEM once, on import: set what it read.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
