"""Running the app on this process's terminal: what `gdtui` and a lab session both do."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from pathlib import Path

from gdtui.core import files
from gdtui.core.errors import GdtuiError
from gdtui.core.model_io import load_model

# A frame of the app makes thousands of container objects (its lines' segments, plotext's canvas):
# at Python's default, a young collection for every 700, the collector ran several times a frame
# and now and then walked everything the app holds. Every 7,000, a key press costs a tenth less
# CPU on a terminal (benchmarks/key_cost.py --terminal: Training's `n` 19.7 → 17.7 ms, Digits'
# 21.3 → 19.0 ms), and memory does not grow for it (long_run.py --quick: 149.3 MB → 148.9 MB).
YOUNG_COLLECTION_EVERY = 7000


def space_out_collections() -> None:
    """Set this process's garbage collector as the app runs best with: see YOUNG_COLLECTION_EVERY."""
    gc.set_threshold(YOUNG_COLLECTION_EVERY)


def run_app(
    data: Path | None,
    *,
    seed: int = 0,
    model: Path | None = None,
    lesson: bool = False,
    files_root: Path | None = None,
    files_quota: int = 0,
) -> int:
    """Run the app until it quits; its exit status. Bad input raises GdtuiError before the screen changes.

    files_quota: what the files under files_root may hold, in bytes (0: no limit), whoever in
    this process writes them.
    """
    # A bad model file is refused here, before the terminal switches to the app.
    network = load_model(model) if model else None
    # The app reads keys from standard input and draws on standard error: without a terminal
    # there, it would wait forever for keys that never come. Unless Textual is told to use another
    # driver, as 'gdtui web' and 'textual serve' tell it to use the web driver, which talks over pipes.
    if not os.environ.get("TEXTUAL_DRIVER") and not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise GdtuiError("the app needs a terminal; 'gdtui train' and 'gdtui data' run without one")
    # Textual only now: the headless commands start fast and run where no terminal UI could.
    from gdtui.ui.app import GdtuiApp

    if files_root is not None and files_quota:
        files.folder_quota = files.FolderQuota(files_root, files_quota)
    name = model.name if model else "loaded model"
    space_out_collections()
    app = GdtuiApp(data_dir=data, seed=seed, network=network, model_name=name, lesson=lesson, files_root=files_root)
    app.run()
    if app.error:
        raise GdtuiError(app.error)
    return app.return_code or 0


def draw_first_screen(data: Path | None, size: tuple[int, int] = (80, 24), timeout_s: float = 60.0) -> None:
    """Draw the app's first screen once, on no terminal, and quit: what a process that forks apps does
    first (the lab's zygote), so that each app it forks finds what that leaves behind (the parsed CSS,
    the tables Textual and Rich build on first use, the modules imported on the way) instead of making
    its own. GdtuiError if the app could not show it."""
    from gdtui.ui.app import GdtuiApp

    async def draw() -> None:
        # Not the lesson: that would load and save a bookmark where this process keeps its files.
        app = GdtuiApp(data_dir=data)

        async def quit_once_shown() -> None:
            await app.first_screen_shown.wait()
            app.exit()

        quitter = asyncio.create_task(quit_once_shown())
        try:
            await app.run_async(headless=True, size=size)
        finally:
            quitter.cancel()
        if app.error or not app.first_screen_shown.is_set():
            raise GdtuiError(app.error or "the app ended before it showed its first screen")

    try:
        asyncio.run(asyncio.wait_for(draw(), timeout_s))
    except TimeoutError:
        raise GdtuiError(f"the app did not show its first screen in {timeout_s:g} s") from None
