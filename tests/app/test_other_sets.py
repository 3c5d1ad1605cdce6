"""Data sets other than MNIST: images of any size, classes with names of their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, Label

from gdtui.core.dataset import FASHION_MNIST_CLASSES
from gdtui.core.model_io import save_model
from gdtui.core.network import Network
from gdtui.ui.beats import BEATS, filled
from gdtui.ui.screens.path_prompt import PathPrompt
from tests.helpers import drawn_words, make_app, open_step, settle, wait_for, wait_until_loaded
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


ANIMALS = ("cat", "dog", "bird", "fish")
# A classes.txt is anyone's text: names that are Rich markup must show as written.
MARKUP = ("[b]bold", "[/]", "a[link=x]b", "[red")


@pytest.fixture(
    scope="module",
    params=[((14, 14), None), ((64, 64), None), ((28, 28), ANIMALS), ((28, 28), MARKUP)],
    ids=["14x14", "64x64", "4-classes", "markup-names"],
)
def other_set(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, int]]:
    shape, classes = request.param
    directory = tmp_path_factory.mktemp(f"set-{shape[0]}x{shape[1]}")
    return write_tiny_set(directory, train=60, test=20, shape=shape, classes=classes), shape


@pytest.mark.parametrize("key", list(_KEYS))
async def test_every_step_works_on_another_set(other_set, key):
    directory, (rows, cols) = other_set
    app = make_app(directory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, key)
        for pressed in _KEYS[key]:
            await pilot.press(pressed)
            await settle(pilot)
        await wait_for(pilot, lambda: app.screen is screen, "the step's prompts to close")
        assert app.state.network.sizes[0] == rows * cols
        text = " ".join(drawn_words(widget) for widget in screen.query("Static"))
        if (rows, cols) != (28, 28):
            assert "784" not in text and "28×28" not in text
    assert app.return_code in (None, 0)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_set(tmp_path_factory.mktemp("set-14x14"), train=60, test=20, shape=(14, 14))


@pytest.fixture(scope="module")
def four_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """28×28 images, as MNIST's, in four classes with names: only the outputs tell it from MNIST."""
    return write_tiny_set(tmp_path_factory.mktemp("set-4"), train=60, test=20, classes=ANIMALS)


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


@pytest.fixture(scope="module", params=[ANIMALS, FASHION_MNIST_CLASSES], ids=["animals", "fashion"])
def named_set(request, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[str, ...]]:
    """MNIST's first digits, each digit d of class d mod the number of names."""
    directory = tmp_path_factory.mktemp("named")
    return write_tiny_set(directory, train=60, test=20, classes=request.param), request.param


def rendered_text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_digits_names_the_class_and_l_asks_for_one_by_name(named_set):
    directory, names = named_set
    app = make_app(directory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "1")
        state = app.state
        first = names[int(state.chosen.split.labels[0])]
        assert screen.query_one("#image-panel").border_title == f"train #0: {first}"
        await pilot.press("l")
        await wait_for(pilot, lambda: app.screen is not screen, "the prompt")
        prompt = str(app.screen.query_one("Static").render())
        assert all(name in prompt for name in names) and "digit" not in prompt
        await pilot.press("2")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        assert state.chosen.label() == 2 and screen.query_one("#image-panel").border_title.endswith(f": {names[2]}")


async def test_network_labels_its_outputs_and_its_verdict_by_class(named_set):
    directory, names = named_set
    app = make_app(directory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "2")
        state = app.state
        outputs = state.network.forward(state.chosen.inputs())[0]
        order = np.argsort(-outputs, kind="stable")
        assert outputs[order[0]] > outputs[order[1]]  # one clear guess, not a tie
        guess, label = names[order[0]], names[state.chosen.label()]
        bars = rendered_text(screen, "#output")
        assert all(name[:6] in bars for name in names)
        verdict = rendered_text(screen, "#verdict")
        assert verdict.startswith(f"It says {guess} (")
        assert (": right." in verdict) if guess == label else (f"wrong, this is {label}." in verdict)
        assert screen.query_one("#output").region.right <= 80


async def test_cost_names_the_wanted_class_and_quizzes_on_the_sets_classes(named_set):
    directory, names = named_set
    app = make_app(directory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "3")
        state = app.state
        label = state.chosen.label()
        assert f"It wants output {label} ({names[label]}) at 1" in rendered_text(screen, "#example-title")
        assert rendered_text(screen, "#table").startswith("class output")
        await pilot.press("v")
        await wait_for(pilot, lambda: screen.view == "quiz", "the quiz")
        question = screen.question
        assert 0 <= question.label < len(names) and question.options[0].outputs.shape == (len(names),)
        assert f"for {names[question.label]}" in rendered_text(screen, "#quiz-title")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.checked, "the answer")
        explanations = rendered_text(screen, "#explanations")
        assert names[question.label] in explanations and "the 4" not in explanations


async def test_training_thumbnails_say_the_class_by_name(named_set):
    directory, names = named_set
    app = make_app(directory)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "6")
        await pilot.press("n")
        await settle(pilot)
        thumbs = screen.query_one("#batch")._thumbs
        assert thumbs
        for thumb in thumbs:
            mark, said = thumb.caption.split(" ", 1)
            assert mark in ("✓", "✗")
            assert any(said.startswith(name) for name in names)


async def test_digits_says_when_it_draws_an_image_smaller_and_the_cursor_reaches_every_pixel(tmp_path):
    app = make_app(write_tiny_set(tmp_path, train=20, test=10, shape=(64, 64)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, "1")
        assert screen.cursor == (32, 32)
        assert "Drawn 3× smaller to fit: each cell stands for 3×3 pixels." in rendered_text(screen, "#explain")
        for _ in range(40):
            await pilot.press("down", "right")
        assert screen.cursor == (63, 63)
        assert "pixel (63,63) = input 4095 =" in rendered_text(screen, "#pixel")  # counted from 0


async def test_the_guided_lesson_gives_the_sets_own_figures_and_calls_named_classes_no_digits(small_set, four_classes):
    for directory, shown, unsaid in (
        (small_set, ("14×14", "196 numbers", "10 outputs, one per digit"), ()),
        (four_classes, ("28×28", "784 numbers", "4 outputs, one per class"), ("digit",)),
    ):
        app = make_app(directory, lesson=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until_loaded(pilot)
            text = " ".join(
                filled(beat.title, app.state, app.screen) + " " + filled(beat.text, app.state, app.screen) for beat in BEATS[:3]
            )
            assert all(figure in text for figure in shown), text
            assert all(word not in text for word in unsaid), text
