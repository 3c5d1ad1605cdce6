"""The shared state works through a batch in the parts the trainer does."""

from __future__ import annotations

import numpy as np

import gdtui.core.training as training
from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.ui.state import LessonState


def test_a_batch_comes_in_the_trainers_chunks(tiny_mnist_dir, monkeypatch):
    monkeypatch.setattr(training, "CHUNK", 300)
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    indices = np.arange(1000)[::-1]
    parts = list(state.batch(indices))
    assert [len(labels) for _, labels in parts] == [300, 300, 300, 100]
    train = state.data.train
    np.testing.assert_array_equal(np.concatenate([x for x, _ in parts]), train.inputs(indices))
    np.testing.assert_array_equal(np.concatenate([labels for _, labels in parts]), train.labels[indices])
