"""Every beat of the guided lesson prepares its step with actions that step's screen has."""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest
from textual.actions import parse

from gdtui.ui.beats import BEATS
from gdtui.ui.lesson import step_for


def _screen_class(mode: str) -> type:
    step = step_for(mode)
    return getattr(importlib.import_module(f"gdtui.ui.screens.{step.module}"), step.screen)


@pytest.mark.parametrize(("number", "action"), [(n, a) for n, beat in enumerate(BEATS) for a in beat.prepare])
def test_every_prepared_action_is_one_the_beats_screen_has(number: int, action: str) -> None:
    screen = _screen_class(BEATS[number].mode)
    namespace, name, parameters = parse(action)
    assert not namespace, f"beat {number + 1}: {action!r} runs on the beat's own step, not on {namespace!r}"
    method = getattr(screen, f"action_{name}", None)
    assert callable(method), f"beat {number + 1}: {screen.__name__} has no action_{name} for {action!r}"
    try:
        inspect.signature(method).bind(None, *parameters)
    except TypeError as error:
        pytest.fail(f"beat {number + 1}: {action!r} does not fit {screen.__name__}.action_{name}: {error}")


def test_what_the_beats_say_follows_the_state_not_a_screens_attributes(tiny_mnist_dir) -> None:
    from gdtui.core import quiz
    from gdtui.core.dataset import load_dataset
    from gdtui.core.network import Network
    from gdtui.ui.beats import filled
    from gdtui.ui.state import LessonState

    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    screen = object()  # whatever a screen's attributes are named, the words come from the state
    quiz_beat = next(beat for beat in BEATS if beat.title == "Which answer costs most?")
    learning = next(beat for beat in BEATS if beat.title == "Learning")
    state.quiz.question = quiz.opening("quadratic", 10, np.random.default_rng(0))
    assert "Think, rank, then check" in filled(quiz_beat.text, state, screen)  # type: ignore[arg-type]
    assert filled(quiz_beat.invite, state, screen)  # type: ignore[arg-type]
    state.quiz.answer_shown = True
    answer = filled(quiz_beat.text, state, screen)  # type: ignore[arg-type]
    assert quiz.SUMMARY["quadratic"] in answer and "Think" not in answer
    assert filled(quiz_beat.invite, state, screen) == ""  # type: ignore[arg-type]
    state.training.speed = 0
    assert filled(learning.invite, state, screen).startswith("Press e to run to the epoch's end")  # type: ignore[arg-type]
    state.training.speed = 100
    assert filled(learning.invite, state, screen).startswith("Press f until")  # type: ignore[arg-type]


def test_the_learning_beat_calls_a_network_trained_a_step_or_two_what_it_is_not_yet_learned(tiny_mnist_dir) -> None:
    """One step moves a random network off 'untrained' but teaches it nothing: 10 % right is chance."""
    from gdtui.core.dataset import load_dataset
    from gdtui.core.network import Network
    from gdtui.ui.beats import filled, reads_right
    from gdtui.ui.state import LessonState

    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    state._steps = 1  # as one step of training leaves it: its weights still all but random
    learning = next(beat for beat in BEATS if beat.title == "Learning")
    right, total = reads_right(state)
    assert right < 0.5 * total
    said = " ".join(filled(learning.text, state, object()).split())  # type: ignore[arg-type]
    assert "already" not in said and "less and less" not in said, said
    assert f"{right:,} of the {total:,} test images right now" in said
    assert "watch the cost fall" in filled(learning.invite, state, object())  # type: ignore[arg-type]


def test_the_learning_beat_calls_chance_only_what_is_near_chance(tiny_mnist_dir, monkeypatch) -> None:
    """Under half right is not chance: on ten classes 35 % is three times better than guessing."""
    from gdtui.core.dataset import load_dataset
    from gdtui.core.network import Network
    from gdtui.ui import beats
    from gdtui.ui.state import LessonState

    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    state._steps = 300
    learning = next(beat for beat in BEATS if beat.title == "Learning")
    monkeypatch.setattr(beats, "reads_right", lambda state: (3_500, 10_000))
    said = " ".join(beats.filled(learning.text, state, object()).split())  # type: ignore[arg-type]
    assert "chance" not in said and "3,500 of the 10,000" in said, said
    monkeypatch.setattr(beats, "reads_right", lambda state: (1_010, 10_000))
    assert "chance" in " ".join(beats.filled(learning.text, state, object()).split())  # type: ignore[arg-type]


def test_the_learning_beat_reads_the_fall_of_the_weights_it_speaks_of_not_of_steps_undone(tiny_mnist_dir) -> None:
    """After u, the run's curve ends in the steps that broke the network, undone: a fall read over all of it said
    'its cost has not fallen' of weights whose cost had fallen. Only the steps since the weights were put back count."""
    from gdtui.core.dataset import load_dataset
    from gdtui.core.network import Network
    from gdtui.ui.beats import _fall
    from gdtui.ui.state import LessonState

    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    run = state.training.ensure()
    # From the start at η 50: the weights put back are the random ones, whose cost surely falls at η 1.5, on any CPU.
    run.learning_rate = 50.0
    for _ in range(5_000):
        if run.verdict.kind == "failing":
            break
        state.train(run)
    assert run.verdict.kind == "failing" and run.verdict.good is not None and run.verdict.good.step == 0
    state.training.go_back(run)
    state.training.snapshot(run)
    assert _fall(state) == ".", "no step since the weights were put back: nothing to read a fall from"
    run.learning_rate = 1.5
    for _ in range(60):
        state.train(run)
    state.training.snapshot(run)
    assert _fall(state) in ("; its cost falls by less and less.", "; its cost is still falling fast."), _fall(state)


def test_the_end_of_part_one_says_a_network_learned_only_of_one_that_did(tiny_mnist_dir, trained) -> None:
    """A student who skipped the training read "You have seen a network learn" beside a network still at chance."""
    from gdtui.core.dataset import load_dataset
    from gdtui.core.network import Network
    from gdtui.ui.beats import filled, reads_right
    from gdtui.ui.state import LessonState

    end = next(beat for beat in BEATS if beat.title == "End of part one: what comes next")
    data = load_dataset(tiny_mnist_dir)
    random = LessonState(data, Network(seed=0))
    said = " ".join(filled(end.text, random, object()).split())  # type: ignore[arg-type]
    right, total = reads_right(random)
    assert "seen a network learn" not in said and f"{right:,} of the {total:,}" in said, said
    learned = LessonState(data, trained.copy())
    learned._steps = 300  # as the training that made it leaves the state
    right, total = reads_right(learned)
    assert right >= 0.5 * total, "the case this test is about"
    assert "You have seen a network learn" in filled(end.text, learned, object())  # type: ignore[arg-type]


@pytest.mark.parametrize("sizes", [(784, 16, 16, 10), (784, 10), (784, 32, 10), (784, 20, 12, 8, 4)])
def test_the_parameters_layout_never_starts_a_line_with_its_separator(sizes) -> None:
    """At 80×24 the vector's layout wrapped as '… b2 …12,831' then '| w3 …12,991' on a line of its own."""
    import textwrap

    from gdtui.ui.beats import layout

    vector = next(beat for beat in BEATS if beat.title == "One vector of {params} numbers")
    text = vector.text.format(params="13,002", layout=layout(sizes))
    for width in range(30, 121):
        for line in textwrap.wrap(text, width):
            assert not line.startswith(("|", ";", "·")), (width, line)
