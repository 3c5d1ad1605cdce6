"""The chosen input changes only through its own methods, and every change says so."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import gdtui
from gdtui.core.dataset import load_dataset
from gdtui.ui.chosen import ChosenInput

CHANGES = {
    "browse": lambda chosen: chosen.browse(1),
    "random_example": lambda chosen: chosen.random_example(np.random.default_rng(0)),
    "next_with_label": lambda chosen: chosen.next_with_label(int(chosen.split.labels[0])),
    "toggle_split": lambda chosen: chosen.toggle_split(),
    "use_set": lambda chosen: chosen.use_set("train"),
    "use_dataset": lambda chosen: chosen.use_dataset(),
    "use_drawing": lambda chosen: chosen.use_drawing(),
    "use_noise": lambda chosen: chosen.use_noise(np.random.default_rng(0)),
    "paint": lambda chosen: chosen.paint(3, 4),
    "erase": lambda chosen: chosen.erase(3, 4),
    "clear": lambda chosen: chosen.clear(),
}


@pytest.fixture
def chosen(tiny_mnist_dir) -> ChosenInput:
    return ChosenInput(load_dataset(tiny_mnist_dir))


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_fires_the_signal_once(chosen, change):
    heard = []
    chosen.on_change = lambda: heard.append(chosen.version)
    CHANGES[change](chosen)
    assert heard == [1]


@pytest.mark.parametrize("name", ["source", "split_name", "index", "split", "canvas"])
def test_its_attributes_are_set_by_its_methods_only(chosen, name):
    with pytest.raises(AttributeError):
        setattr(chosen, name, getattr(chosen, name))


def test_the_drawing_and_the_noise_are_changed_by_its_methods_only(chosen):
    with pytest.raises(ValueError, match="read-only"):
        chosen.canvas[3, 4] = 1.0
    chosen.use_noise(np.random.default_rng(0))
    with pytest.raises(ValueError, match="read-only"):
        chosen.image()[3, 4] = 1.0


def test_paint_erase_and_clear_change_the_drawing(chosen):
    chosen.paint(3, 4)
    assert chosen.canvas[3, 4] == 1.0
    chosen.erase(3, 4)
    assert chosen.canvas[3, 4] == 0.0
    chosen.paint(10, 10)
    chosen.clear()
    assert not chosen.canvas.any()


def test_what_is_drawn_is_the_input_while_the_drawing_is_chosen(chosen):
    chosen.paint(14, 14)
    assert chosen.source == "dataset" and chosen.label() is not None
    chosen.use_drawing()
    assert chosen.label() is None and chosen.image().any()
    chosen.browse(1)
    assert chosen.source == "dataset" and chosen.index == 1


def test_a_set_is_taken_from_where_it_was_left(chosen):
    chosen.browse(3)
    chosen.toggle_split()
    chosen.browse(1)
    chosen.use_noise(np.random.default_rng(0))
    chosen.use_set("train")
    assert (chosen.source, chosen.split_name, chosen.index) == ("dataset", "train", 3)
    chosen.use_set("train")  # already there: nothing moves
    assert (chosen.split_name, chosen.index) == ("train", 3)
    chosen.use_set("test")
    assert (chosen.source, chosen.split_name, chosen.index) == ("dataset", "test", 1)


def test_each_noise_is_new(chosen):
    chosen.use_noise(np.random.default_rng(1))
    first = chosen.image().copy()
    chosen.use_noise(np.random.default_rng(2))
    assert chosen.source == "noise" and not np.array_equal(first, chosen.image())


ROOT = Path(gdtui.__file__).parent
# What the input was made of before it was an object of its own, when screens set it themselves.
ATTRIBUTES = {"source", "split_name", "index", "canvas", "noise", "_places"}


def _set_from_outside(path: Path) -> list[str]:
    """Where the file assigns to, or into, an attribute of the chosen input through the state or the input."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                while isinstance(target, ast.Subscript):  # state.chosen.canvas[:] = 0 changes it too
                    target = target.value
                if isinstance(target, ast.Attribute) and target.attr in ATTRIBUTES:
                    owner = target.value
                    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                    if name in {"state", "chosen"}:
                        found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    return found


def test_no_code_outside_the_chosen_input_sets_its_attributes():
    # This file's own tries are meant to fail.
    files = [*ROOT.rglob("*.py"), *(path for path in (ROOT.parent / "tests").rglob("*.py") if path != Path(__file__))]
    assert [place for path in files for place in _set_from_outside(path)] == []
