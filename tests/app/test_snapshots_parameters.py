"""How One parameter and Two parameters look, at the smallest supported terminal and a roomy one.

Snapshot tests run their own event loop, so they are plain functions. Accept
new pictures with --snapshot-update, after looking at them. The run timer is
never started and every worker has finished before the picture is taken.
"""

from __future__ import annotations

import pytest

from tests.helpers import make_app, open_step

SIZES = [(80, 24), (120, 40)]
IDS = [f"{w}x{h}" for w, h in SIZES]

pytestmark = pytest.mark.usefixtures("truecolor")


def _after(*groups: tuple[str, ...]):
    """Wait for the data, then press each group of keys and let any worker it started finish."""

    async def run_before(pilot) -> None:
        step, *first = groups[0]
        await open_step(pilot, step)
        for keys in (first, *groups[1:]):
            await pilot.press(*keys)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_one_parameter_parabola(snap_compare, tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=size, run_before=_after(("4", "n", "n", "n")))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_one_parameter_valleys(snap_compare, tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=size, run_before=_after(("4", "f", "left", "left", "left", "n", "n")))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_one_parameter_network(snap_compare, tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=size, run_before=_after(("4", "f", "f"), ("n", "n", "n")))


def test_one_parameter_blown_up(snap_compare, tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    keys = ("4", *["plus"] * 6, "n", "n", "n", "n", "n")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after(keys))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_two_parameters_bowl(snap_compare, tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=size, run_before=_after(("5", "plus", "plus", "n", "n", "n", "n")))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_two_parameters_valleys_with_arrows(snap_compare, tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=size, run_before=_after(("5", "f", "g", "g", "n", "n", "n", "n", "n")))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_two_parameters_network(snap_compare, tiny_mnist_dir, size):
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=size, run_before=_after(("5", "f", "f"), ("n", "n", "n")))


def test_two_parameters_without_colour(snap_compare, tiny_mnist_dir, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tiny_mnist_dir)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_after(("5", "f", "g", "n", "n", "n")))
