"""Names from outside the program show exactly as written, wherever the app shows them.

Model files, paths, a data set's class names, the messages built from them: any of them
may hold square brackets and backslashes. Read as Textual markup, "run[eta=1.5].npz"
crashes the app, "model[lr=0.5].npz" shows as "model.npz", and "[@click=app.quit]q[/]"
becomes a link. Each test checks the screen as drawn, not the strings handed to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from gdtui.core.model_io import save_model
from gdtui.core.network import Network
from gdtui.ui.screens.discard_prompt import DiscardPrompt
from gdtui.ui.screens.path_prompt import PathPrompt
from gdtui.ui.screens.quit_prompt import QuitPrompt
from tests.helpers import HOSTILE_FILE_NAMES, make_app, notices, open_step, screen_text, settle, wait_for
from tests.tiny_mnist import write_tiny_set

# Each frame drawn, as on a terminal: a name read as markup breaks in drawing, wherever it is drawn.
pytestmark = pytest.mark.frames

# Names a classes.txt may hold: anything on a line, up to 20 characters.
CLASS_NAMES = ("[bold red]x[/]", "[/]", "[@click=quit]q[/]", "\\[", "x[a=b=c]", "run[eta=1.5]", "a\\", "[red")
SIZE = (200, 50)  # wide enough that no name is wrapped


def _squeezed(text: str) -> str:
    """text without the spaces and box sides that wrapping it in a bordered box adds."""
    return "".join(text.replace("│", " ").split())


def shown(app, text: str) -> bool:
    """Whether text is on the screen, wrapped or not, or in a notification."""
    texts = [str(widget.render()) for widget in app.screen.query(Static)]  # each unwrapped
    return any(text in drawn for drawn in texts) or _squeezed(text) in _squeezed(screen_text(app)) or text in notices(app)


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    for seed, name in enumerate(HOSTILE_FILE_NAMES):
        save_model(Network(seed=seed), folder / name if name.endswith(".npz") else folder / f"{name}.npz")
    return folder


@pytest.mark.parametrize("step", ["2", "6"])
async def test_o_lists_opens_and_names_models_whose_names_are_markup(tiny_mnist_dir, model_folder, step):
    app = make_app(tiny_mnist_dir, files_root=model_folder)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot, step)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        prompt = app.screen
        listed = sorted(path.name for path in model_folder.iterdir())
        assert prompt.query_one(OptionList).option_count == len(listed)
        await pilot.press("down")
        for name in listed:
            await pilot.pause()
            assert prompt.query_one(Input).value == name
            assert shown(app, name), name
            await pilot.press("down")
        await pilot.press("up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen, "the prompt to close")
        assert app.state.network_origin == listed[-1]
        await pilot.pause()
        assert shown(app, listed[-1])
    assert app._exception is None


@pytest.mark.parametrize("name", HOSTILE_FILE_NAMES[:3] + HOSTILE_FILE_NAMES[-1:])
@pytest.mark.parametrize("step", ["2", "6", "7"])
async def test_a_model_given_at_start_is_named_as_written(tiny_mnist_dir, name, step):
    app = make_app(tiny_mnist_dir, network=Network(seed=3), model_name=name)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, step)
        await settle(pilot)
        assert shown(app, name)
    assert app._exception is None


@pytest.mark.parametrize("name", ["x[a=b=c].npz", "model[lr=0.5].npz", "[@click=app.quit]q[-].npz", "a\\"])
async def test_saving_under_a_markup_name_says_the_name_saved(tiny_mnist_dir, tmp_path, name):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "6")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        app.screen.query_one(Input).value = str(tmp_path / name)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, PathPrompt), "the save")
        written = tmp_path / (name if name.endswith(".npz") else f"{name}.npz")
        assert written.is_file()
        await wait_for(pilot, lambda: shown(app, f"Saved as {written}"), "the notice")
    assert app._exception is None


@pytest.mark.parametrize("path", ["nodir[/]x.npz", "[b]no[/b]/x[a=b=c].npz", "a\\[/]/b.npz"])
async def test_a_refused_path_is_quoted_as_written(tiny_mnist_dir, tmp_path, path):
    app = make_app(tiny_mnist_dir, files_root=tmp_path)  # paths shown from the folder: short, unwrapped
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "6")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        prompt = app.screen
        prompt.query_one(Input).value = path
        await pilot.press("enter")
        await wait_for(pilot, lambda: prompt.query_one("#outside").display, "the refusal")
        assert shown(app, f"{path}: cannot save the model")
    assert app._exception is None


async def test_the_prompts_over_an_unsaved_network_name_it_as_written(tiny_mnist_dir):
    name = "[@click=app.quit]q[/]x\\"
    app = make_app(tiny_mnist_dir, network=Network(seed=3), model_name=name)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_step(pilot, "2")
        await pilot.press("6", "n")
        await settle(pilot)
        origin = app.state.network_origin
        assert origin.startswith(name)
        for key, prompt in (("o", PathPrompt), ("r", DiscardPrompt), ("q", QuitPrompt)):
            await pilot.press(key)
            await wait_for(pilot, lambda p=prompt: isinstance(app.screen, p), f"{prompt.__name__}")
            await pilot.pause()
            assert shown(app, f"The network ({origin}) is not saved")
            await pilot.press("escape")
            await wait_for(pilot, lambda p=prompt: not isinstance(app.screen, p), "the prompt to close")
        assert app.screen is not screen
    assert app._exception is None


@pytest.fixture(scope="module")
def hostile_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_set(tmp_path_factory.mktemp("hostile-classes"), train=80, test=40, classes=CLASS_NAMES)


@pytest.mark.parametrize(
    ("step", "keys", "where"),
    [
        ("1", (), "the image's title"),
        ("1", ("l",), "the class search"),
        ("2", (), "the network's verdict"),
        ("3", (), "the example's title"),
        ("3", ("v",), "the quiz"),
        ("3", ("v", "enter"), "the quiz's answers"),
        ("6", ("n",), "the mini-batch's captions"),
    ],
)
async def test_class_names_that_are_markup_show_as_written(hostile_classes, step, keys, where):
    app = make_app(hostile_classes)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, step)
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        label = app.state.chosen.label()
        assert label is not None
        text = screen_text(app)
        assert any(name in text for name in CLASS_NAMES), where
        assert CLASS_NAMES[label] in text or keys, where
        if keys == ("l",):
            for name in CLASS_NAMES:
                assert name in text, name
    assert app._exception is None


@pytest.mark.slow
async def test_the_lesson_names_classes_and_models_as_written(hostile_classes):
    name = "[b]run[eta=1.5][/b]\\"
    app = make_app(hostile_classes, lesson=True, network=Network((784, 16, 16, len(CLASS_NAMES)), seed=2), model_name=name)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "1")
        seen = ""
        for _ in range(40):  # through the lesson's beats, collecting what its panel says
            await pilot.press("full_stop")
            await settle(pilot)
            seen += str(app.screen.query_one("GuidePanel").render())
        assert name in seen
        assert any(f"of {cls}" in seen or f"shown {cls}" in seen for cls in CLASS_NAMES)
        for cls in (cls for cls in CLASS_NAMES if "[" in cls):
            assert cls.replace("[", "\\[") not in seen, cls
    assert app._exception is None
