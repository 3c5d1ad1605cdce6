"""Data sets other than MNIST: images of any size, classes with names of their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, Label

from gdtui.core.model_io import save_model
from gdtui.core.network import Network
from gdtui.ui.screens.path_prompt import PathPrompt
from tests.helpers import make_app, open_step, settle, wait_for
from tests.tiny_mnist import write_tiny_set

# The keys each step advertises, pressed in an order that opens and closes what they open.
_KEYS = {
    "1": ("n", "p", "r", "t", "t", "l", "3", "z", "up", "left", "d", "space", "right", "space", "x", "c", "space", "d"),
    "2": ("n", "p", "w", "right_square_bracket", "left_square_bracket", "w", "r"),
    "3": ("n", "p", "f", "f", "t", "t", "v", "right", "down", "up", "enter", "enter", "v"),
    "4": ("f", "f", "f", "f", "n", "right", "n"),
    "5": ("f", "f", "f", "f", "g", "up", "n"),
    "6": ("n", "e", "v", "right_square_bracket", "v", "b", "n"),
    "7": ("n", "m"),
}


@pytest.fixture(scope="module", params=[(14, 14), (64, 64)], ids=["14x14", "64x64"])
def sized_set(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, int]]:
    shape = request.param
    directory = tmp_path_factory.mktemp(f"set-{shape[0]}x{shape[1]}")
    return write_tiny_set(directory, train=60, test=20, shape=shape), shape


@pytest.mark.parametrize("key", list(_KEYS))
async def test_every_step_works_on_images_of_another_size(sized_set, key):
    directory, (rows, cols) = sized_set
    app = make_app(directory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, key)
        for pressed in _KEYS[key]:
            await pilot.press(pressed)
            await settle(pilot)
        await wait_for(pilot, lambda: app.screen is screen, "the step's prompts to close")
        assert app.state.network.sizes[0] == rows * cols
        text = " ".join(str(widget.render()) for widget in screen.query("Static"))
        assert "784" not in text and "28×28" not in text
    assert app.return_code in (None, 0)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_set(tmp_path_factory.mktemp("set-14x14"), train=60, test=20, shape=(14, 14))


@pytest.fixture(scope="module")
def four_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """28×28 images, as MNIST's, in four classes with names: only the outputs tell it from MNIST."""
    return write_tiny_set(tmp_path_factory.mktemp("set-4"), train=60, test=20, classes=("cat", "dog", "bird", "fish"))


async def test_the_network_is_built_for_the_sets_pixels_and_classes(four_classes, small_set):
    for directory, sizes in ((four_classes, (784, 16, 16, 4)), (small_set, (196, 16, 16, 10))):
        app = make_app(directory)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_step(pilot, "2")
            assert app.state.network.sizes == sizes
            assert f"{sizes[0]}·16 + 16" in str(screen.query_one("#architecture").render())


async def test_a_model_given_at_start_that_does_not_fit_the_set_is_refused(small_set):
    app = make_app(small_set, network=Network(seed=1), model_name="mnist.npz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.error is not None, "the model to be refused")
    assert app.error == f"mnist.npz: the model takes 784 inputs but the images of {small_set.name} have 196 pixels (14×14)"
    assert app.return_code == 2


@pytest.mark.parametrize(
    ("model", "refusal"),
    [
        (Network(seed=1), "takes 784 inputs but the images of {set} have 196 pixels (14×14)"),
        (Network((196, 16, 16, 4), seed=1), "has 4 outputs but {set} has 10 classes"),
    ],
    ids=["inputs", "outputs"],
)
async def test_opening_a_model_that_does_not_fit_keeps_the_prompt_and_the_network(small_set, tmp_path, model, refusal):
    saved = save_model(model, tmp_path / "other.npz")
    app = make_app(small_set)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "2")
        before = app.state.network.params.copy()
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        prompt = app.screen
        prompt.query_one(Input).value = str(saved)
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt.query_one("#outside").display, "the refusal")
        assert app.screen is prompt
        assert str(prompt.query_one("#outside", Label).render()) == f"other.npz: the model {refusal.format(set=small_set.name)}"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        np.testing.assert_array_equal(app.state.network.params, before)
        assert app.state.network_origin == "random, seed 0"
