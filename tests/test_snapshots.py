"""How the screens look, at the smallest supported terminal and a roomy one.

Snapshot tests run their own event loop, so they are plain functions. Accept
new pictures with --snapshot-update, after looking at them.
"""

from __future__ import annotations

import pytest
import textual.constants

from tests.helpers import make_app, wait_until_loaded

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch):
    """The same pictures whatever terminal runs the tests: a truecolor one, unless a test says otherwise."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Textual reads TEXTUAL_COLOR_SYSTEM once, on import: set what it read.
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")


def _after(*keys: str):
    async def run_before(pilot) -> None:
        await wait_until_loaded(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_digits(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_after("n", "n"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_digits_drawing(snap_compare, tiny_mnist_dir, size):
    strokes = ["d", "up", "up", "up"] + ["space", "down"] * 7
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_after(*strokes))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_network(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_after("2"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_network_weights(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_after("2", "w", "right_square_bracket"))


def test_too_small(snap_compare, tiny_mnist_dir):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=(60, 20), run_before=_after())


def test_digits_without_colour(snap_compare, tiny_mnist_dir, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=(80, 24), run_before=_after("n", "n"))
