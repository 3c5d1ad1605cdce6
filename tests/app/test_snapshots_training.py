"""How the Training step looks, paused at a fixed seed and step."""

from __future__ import annotations

import pytest

from tests.helpers import make_app, open_step

pytestmark = pytest.mark.usefixtures("truecolor", "float64_network")
SIZES = [(80, 24), (120, 40)]


def _trained(*keys: str):
    """Open Training, take one epoch of the tiny set and three more steps, then press keys."""

    async def run_before(pilot) -> None:
        await open_step(pilot, "6")
        await pilot.press("e")
        await pilot.app.workers.wait_for_complete()
        for _ in range(3):
            await pilot.press("n")
            await pilot.app.workers.wait_for_complete()
        for key in keys:
            await pilot.press(key)
            # The gradient view computes in a worker: draw what it found, not a half-made view.
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_training_progress(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_trained())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_training_gradient(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_trained("v", "right_square_bracket"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_training_neurons(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_trained("v", "v"))
