"""Driving the app in tests."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from gdtui.ui.app import GdtuiApp


def make_app(data_dir: Path, **kwargs) -> GdtuiApp:
    app = GdtuiApp(data_dir=data_dir, **kwargs)
    app.animation_level = "none"
    return app


async def wait_until_loaded(pilot: Pilot) -> None:
    """The data loads in a worker; the lesson starts when it is in."""
    for _ in range(200):
        if getattr(pilot.app, "state", None) is not None and pilot.app.screen.id == "digits":
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError("the app did not finish loading")


def after_keys(*keys: str):
    """A snapshot's run_before: wait for the data, then press the keys."""

    async def run_before(pilot: Pilot) -> None:
        await wait_until_loaded(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


async def open_step(pilot: Pilot, key: str):
    """Wait for the data, then open the step on `key` and return its screen."""
    await wait_until_loaded(pilot)
    await pilot.press(key)
    return pilot.app.screen


def rendered(screen, widget_id: str) -> str:
    """What a widget shows, as plain text."""
    return str(screen.query_one(f"#{widget_id}").render())


async def until_on_network(pilot: Pilot, screen) -> None:
    """On a descent step: cycle the functions to the network's and wait for its worker."""
    while not screen.on_network:
        await pilot.press("f")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
