"""Running the app on this process's terminal: what `gdtui` and a lab session both do."""

from __future__ import annotations

import sys
from pathlib import Path

from gdtui.core.errors import GdtuiError
from gdtui.core.model_io import load_model


def run_app(
    data: Path | None, *, seed: int = 0, model: Path | None = None, lesson: bool = False, files_root: Path | None = None
) -> int:
    """Run the app until it quits; its exit status. Bad input raises GdtuiError before the screen changes."""
    # A bad model file is refused here, before the terminal switches to the app.
    network = load_model(model) if model else None
    # The app reads keys from standard input and draws on standard error: without a terminal
    # there, it would wait forever for keys that never come.
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise GdtuiError("the app needs a terminal; 'gdtui train' and 'gdtui data' run without one")
    # Textual only now: the headless commands start fast and run where no terminal UI could.
    from gdtui.ui.app import GdtuiApp

    name = model.name if model else "loaded model"
    app = GdtuiApp(data_dir=data, seed=seed, network=network, model_name=name, lesson=lesson, files_root=files_root)
    app.run()
    if app.error:
        raise GdtuiError(app.error)
    return app.return_code or 0
