"""How the screens look, at the smallest supported terminal and a roomy one.

Snapshot tests run their own event loop, so they are plain functions. Accept
new pictures with --snapshot-update, after looking at them.
"""

from __future__ import annotations

import pytest

from tests.helpers import after_keys as _after
from tests.helpers import make_app

SIZES = [(80, 24), (120, 40)]

pytestmark = pytest.mark.usefixtures("truecolor")


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
