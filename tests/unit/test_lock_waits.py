"""A frame of a running run never waits on the lock a training step holds.

The run's thread trains as background work (SCHED_IDLE): on a busy machine a step holding the
shared lock can take seconds, and a screen thread waiting on it would freeze for as long."""

from __future__ import annotations

import threading
import time

from gdtui.core.dataset import load_dataset
from gdtui.core.network import Network
from gdtui.ui.state import LessonState


def test_a_live_frame_gets_nothing_rather_than_waiting_for_a_step(tiny_mnist_dir) -> None:
    state = LessonState(load_dataset(tiny_mnist_dir), Network(seed=0))
    run = state.training.ensure()
    taken, done = threading.Event(), threading.Event()

    def long_step() -> None:
        with state._lock:  # as a step does, for as long as it takes
            taken.set()
            done.wait(5)

    holder = threading.Thread(target=long_step)
    holder.start()
    try:
        taken.wait(5)
        began = time.monotonic()
        assert state.first_layer(range(4), wait=False) is None
        assert state.training.report_inputs(run, wait=False) is None
        assert time.monotonic() - began < 0.5
    finally:
        done.set()
        holder.join()
    weights, grads = state.first_layer(range(4), wait=False)
    assert weights.shape[0] == grads.shape[0] == 4
    assert state.training.report_inputs(run, wait=False) is not None
