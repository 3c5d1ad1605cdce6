"""How the Cost step looks, at the smallest supported terminal and a roomy one.

Snapshot tests run their own event loop, so they are plain functions. The average
cost is measured in a worker: each picture waits for it to finish.
"""

from __future__ import annotations

import pytest

from tests.helpers import after_keys, make_app

SIZES = [(80, 24), (120, 40)]
RIGHT_RANKING = ("c", "up", "up", "d", "up")

pytestmark = pytest.mark.usefixtures("truecolor")


def _on_cost(*keys: str):
    async def run_before(pilot) -> None:
        await after_keys("3", *keys)(pilot)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cost_example(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_on_cost())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cost_example_trained(snap_compare, tiny_mnist_dir, trained, size):
    app = make_app(tiny_mnist_dir, network=trained.copy())
    assert snap_compare(app, terminal_size=size, run_before=_on_cost("n", "n"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cost_quiz(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_on_cost("v", "c", "up"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cost_quiz_checked(snap_compare, tiny_mnist_dir, size):
    keys = ("v", *RIGHT_RANKING, "enter")
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_on_cost(*keys))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_cost_quiz_real_outputs(snap_compare, tiny_mnist_dir, trained, size):
    app = make_app(tiny_mnist_dir, network=trained.copy())
    assert snap_compare(app, terminal_size=size, run_before=_on_cost("v", "enter", "enter", "enter"))
