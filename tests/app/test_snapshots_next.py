"""How the Next step looks, at the smallest supported terminal and a roomy one.

The times it measures differ from run to run, so these pictures are taken while
the timing is still under way: the timing is held until the app closes. The
gradients compared beside it are computed for real, and are the same every run.
"""

from __future__ import annotations

import time

import pytest
from textual.worker import get_current_worker

from gdtui.core import finite_differences
from tests.helpers import make_app, open_step, wait_for

SIZES = [(80, 24), (120, 40)]

pytestmark = pytest.mark.usefixtures("truecolor", "timing_held")


@pytest.fixture
def timing_held(monkeypatch: pytest.MonkeyPatch) -> None:
    def held(*args, **kwargs) -> None:
        """Stands in for the timing and never finishes: it returns only once the worker is cancelled."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            time.sleep(0.01)

    monkeypatch.setattr(finite_differences, "time_gradients", held)


def _on_next(*keys: str):
    """Open Next, wait for the gradients to be compared, then press keys."""

    async def run_before(pilot) -> None:
        screen = await open_step(pilot, "7")
        await wait_for(pilot, lambda: screen.comparisons, "the gradients to be compared")
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_next(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_on_next())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_next_third_parameter(snap_compare, tiny_mnist_dir, size):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=size, run_before=_on_next("n", "n"))


def test_next_code(snap_compare, tiny_mnist_dir):
    assert snap_compare(make_app(tiny_mnist_dir), terminal_size=(80, 24), run_before=_on_next("b"))
