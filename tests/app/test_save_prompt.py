"""Saving never replaces a model without asking: the name offered is a free one, and a name
typed over an existing file asks first."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input

from gdtui.core.model_io import DEFAULT_NAME, free_name, load_model, save_model
from gdtui.core.network import Network
from gdtui.ui.screens.path_prompt import PathPrompt, ReplacePrompt
from tests.helpers import burst, make_app, open_step, settle, wait_for


def test_the_name_offered_is_the_first_free_one(tmp_path: Path):
    assert free_name(tmp_path) == DEFAULT_NAME
    (tmp_path / DEFAULT_NAME).touch()
    (tmp_path / "gdtui-model-3.npz").touch()
    assert free_name(tmp_path) == "gdtui-model-2.npz"
    (tmp_path / "gdtui-model-2.npz").mkdir()  # taken, though not by a file
    assert free_name(tmp_path) == "gdtui-model-4.npz"


async def _step_and_save(pilot, *keys: str) -> None:
    """One training step, then s and the keys, in one burst."""
    await pilot.press("n")
    await settle(pilot)
    await burst(pilot, "s", *keys)
    await settle(pilot)


@pytest.mark.parametrize("lab", [False, True], ids=["own-folder", "lab-session"])
async def test_s_enter_twice_keeps_both_networks(tiny_mnist_dir, tmp_path, monkeypatch, lab):
    monkeypatch.chdir(tmp_path)
    app = make_app(tiny_mnist_dir, files_root=tmp_path if lab else None)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await _step_and_save(pilot, "enter", "enter")
        first = app.state.network.params.copy()
        await _step_and_save(pilot, "enter", "enter")
        second = app.state.network.params.copy()
        await wait_for(pilot, lambda: not isinstance(app.screen, PathPrompt), "the prompt to close")
    np.testing.assert_array_equal(load_model(tmp_path / DEFAULT_NAME).params, first)
    np.testing.assert_array_equal(load_model(tmp_path / "gdtui-model-2.npz").params, second)


async def test_a_name_typed_over_a_model_asks_before_replacing_it(tiny_mnist_dir, tmp_path):
    mine = tmp_path / "mine.npz"
    save_model(Network(seed=9), mine)
    kept = load_model(mine).params
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        prompt = app.screen
        for typed in (str(mine), str(tmp_path / "mine")):  # .npz added: the same file
            prompt.query_one(Input).value = typed
            await burst(pilot, "enter", "enter")  # a second enter does not answer the question
            await wait_for(pilot, lambda: isinstance(app.screen, ReplacePrompt), "the question")
            assert "mine.npz" in str(app.screen.query_one("Static").render())
            await pilot.press("n")
            await wait_for(pilot, lambda: app.screen is prompt, "back to the name")
            np.testing.assert_array_equal(load_model(mine).params, kept)
        assert app.state.unsaved
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplacePrompt), "the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: not isinstance(app.screen, (PathPrompt, ReplacePrompt)), "the save")
        np.testing.assert_array_equal(load_model(mine).params, app.state.network.params)
        assert not app.state.unsaved
    assert app._exception is None


async def test_a_blank_name_is_refused_with_a_word_not_taken_for_a_cancel(tiny_mnist_dir, tmp_path, monkeypatch):
    """Enter on a name of spaces closed the prompt, saying nothing and saving nothing, under 'enter to confirm'."""
    monkeypatch.chdir(tmp_path)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), "the prompt")
        app.screen.query_one(Input).value = "   "
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt), "still asking"
        assert "escape to cancel" in str(app.screen.query_one("#outside").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PathPrompt), "cancelled")
    assert not list(tmp_path.glob("*.npz"))
