"""The app tests draw a screen when they read it (tests/conftest.py): drawn so, after the same keys, it is the
screen drawn frame by frame. Whatever the app does differently when its frames are not drawn does not show."""

from __future__ import annotations

import pytest
from textual._compositor import Compositor
from textual.screen import Screen

from gdtui.ui.widgets.key_bar import KeyBar
from tests.helpers import forget_frame, make_app, open_step, screen_text, settle, wait_until_loaded

pytestmark = pytest.mark.frames

# Every step but Training and Next, whose figures move with the clock: keys that change the screen a little, and a lot.
KEYS = ["n", "right", "right", "2", "n", "w", "3", "v", "4", "left", "n", "n", "5", "up", "right", "n", "8", "n", "1", "escape"]


async def screens_after_each_key(data_dir) -> list[str]:
    app = make_app(data_dir)
    shown = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for key in KEYS:
            await pilot.press(key)
            await settle(pilot)
            shown.append(screen_text(app))
    return shown


@pytest.mark.slow
async def test_a_screen_drawn_when_read_is_the_screen_drawn_frame_by_frame(tiny_mnist_dir, monkeypatch) -> None:
    frames = 0
    draw = Compositor.render_update

    def counted(self, *args, **kwargs):
        nonlocal frames
        frames += 1
        return draw(self, *args, **kwargs)

    monkeypatch.setattr(Compositor, "render_update", counted)
    every_frame = await screens_after_each_key(tiny_mnist_dir)
    assert frames > len(KEYS), "the keys' frames were drawn"
    frames = 0
    monkeypatch.setattr(Screen, "_compositor_refresh", forget_frame)
    when_read = await screens_after_each_key(tiny_mnist_dir)
    assert frames == 0, "frames were drawn all the same"
    assert len(set(every_frame)) > len(KEYS) // 2, "the keys changed the screen"
    assert when_read == every_frame


@pytest.mark.parametrize("drawn", [True, False], ids=["every frame", "when read"])
async def test_steps_that_leave_the_keys_as_they_were_ask_for_no_layout_drawn_or_not(tiny_mnist_dir, monkeypatch, drawn) -> None:
    # The key bar notes the keys it asks to draw, not only those it drew: the app does the same work
    # whether or not its frames are drawn, and a step on Training (which updates the bindings) lays
    # out nothing.
    if not drawn:
        monkeypatch.setattr(Screen, "_compositor_refresh", forget_frame)
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, "6")
        await pilot.press("n")
        await settle(pilot)
        layouts = 0
        refresh = KeyBar.refresh

        def counted(self, *args, **kwargs):
            nonlocal layouts
            layouts += bool(kwargs.get("layout"))
            return refresh(self, *args, **kwargs)

        monkeypatch.setattr(KeyBar, "refresh", counted)
        for _ in range(5):
            await pilot.press("n")
            await settle(pilot)
        assert app.screen.training.run.trainer.steps == 6
        assert layouts == 0
