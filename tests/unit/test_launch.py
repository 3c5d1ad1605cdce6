"""How the app's process is set up to run it: what `gdtui` and a lab session both go through."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
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


# What a learner on the first step never needs: the chapter's screens and the help, whose Markdown brings
# markdown-it. Each is imported when first opened. Imported at the start, they cost 0.14 of the 0.87 CPU-s
# that importing the app took (medians of ten fresh interpreters, bytecode compiled).
NOT_AT_THE_START = ("gdtui.ui.screens.backprop", "gdtui.ui.screens.next", "gdtui.ui.screens.help", "markdown_it")


def test_the_app_imports_the_later_steps_and_the_help_only_when_they_open() -> None:
    # A fresh interpreter: this one imported everything long ago.
    code = "import json, sys, gdtui.ui.app; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    imported = set(json.loads(done.stdout))
    assert "gdtui.ui.app" in imported
    assert [name for name in NOT_AT_THE_START if name in imported] == []
