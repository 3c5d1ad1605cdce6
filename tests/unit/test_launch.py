"""How the app's process is set up to run it: what `gdtui` and a lab session both go through."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from gdtui.ui import launch
from gdtui.ui.app import GdtuiApp


def test_the_app_runs_with_the_collector_s_young_collections_spaced_out(
    tiny_mnist_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thresholds_while_running = []
    monkeypatch.setattr(GdtuiApp, "run", lambda app, *args, **kwargs: thresholds_while_running.append(gc.get_threshold()))
    # Not a terminal here: a driver named, as 'gdtui web' names one.
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.headless_driver:HeadlessDriver")
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        assert launch.run_app(tiny_mnist_dir) == 0
    finally:
        gc.set_threshold(*before)
    assert thresholds_while_running == [(launch.YOUNG_COLLECTION_EVERY, 10, 10)]
    assert launch.YOUNG_COLLECTION_EVERY > 700
