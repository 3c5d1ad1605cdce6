"""The shared state works through a batch in the parts the trainer does."""

from __future__ import annotations

import numpy as np

import gdtui.core.training as training
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.ui.state import LessonState, Provenance


def test_a_batch_comes_in_the_trainers_chunks(tiny_mnist_dir, monkeypatch):
    monkeypatch.setattr(training, "CHUNK", 300)
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    indices = np.arange(1000)[::-1]
    parts = list(state.batch(indices))
    assert [len(labels) for _, labels in parts] == [300, 300, 300, 100]
    train = state.data.train
    np.testing.assert_array_equal(np.concatenate([x for x, _ in parts]), train.inputs(indices))
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in parts]), train.labels[indices])


def _train_until_failing(state: LessonState, run, most: int = 5_000) -> None:
    for _ in range(most):
        if run.verdict.kind == "failing":
            return
        state.train(run)
    raise AssertionError(f"no check found the network failing in {most} steps at η = {run.learning_rate:g}")


def test_going_back_twice_leaves_the_network_trained_the_steps_its_weights_had(tiny_mnist_dir):
    """300 good steps, then η raised until the checks find the network failing, and u; then again. The weights
    put back are those of the 300 steps each time: the network says it was trained 300 steps, not fewer."""
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    run = state.training.ensure()
    for _ in range(300):
        state.train(run)
    for eta in (50.0, 60.0):
        run.learning_rate = eta
        _train_until_failing(state, run)
        assert run.verdict.good is not None
        state.training.go_back(run)
        assert state.steps_trained == 300, f"after going back from η = {eta:g}: {state.network_origin}"
    assert "trained 300 steps" in state.network_origin, state.network_origin


def test_going_back_again_to_weights_kept_before_the_last_going_back_counts_no_step_undone_twice(tiny_mnist_dir):
    """300 good steps; η 50 until failing, and u to the 300 steps' weights; a step at η 50 again, which a check
    does not find better, then η 60 until failing, and u to the same weights: 300 steps, not 300 less the steps
    undone the first time."""
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    run = state.training.ensure()
    for _ in range(300):
        state.train(run)
    run.learning_rate = 50.0
    _train_until_failing(state, run)
    kept = run.verdict.good
    assert kept is not None
    state.training.go_back(run)
    assert state.steps_trained == 300 and run.trainer.steps > 300
    state.train(run)
    run.learning_rate = 60.0
    _train_until_failing(state, run)
    assert run.verdict.good is kept, "weights kept before the first going back: the case this is about"
    state.training.go_back(run)
    assert state.steps_trained == 300, state.network_origin


def test_the_networks_words_in_little_room_keep_its_counts_and_cut_only_a_files_name():
    trained = Provenance("random, seed 0", True, 0, 5301, 1)
    assert trained.words() == "trained 5,301 steps from seed 0, 1 nudge"
    assert trained.words(room=40) == trained.words()
    assert trained.words(room=30) == "trained 5,301 steps, 1 nudge"
    assert trained.words(room=22) == "5,301 steps, 1 nudge"
    assert trained.words(room=15) == trained.words(room=5) == "5,301 steps"
    assert Provenance("random, seed 3", True, 3, 0, 2).words(room=16) == "random, 2 nudges"
    opened = Provenance("a model with a very long file name.npz", False, 0, 10, 0)
    words = opened.words(room=35)
    assert len(words) <= 35 and words.startswith("a mod…") and words.endswith(".npz, trained 10 steps more"), words
    assert opened.words(room=10).startswith("a mod…me.npz"), "a name is never cut to nothing"
