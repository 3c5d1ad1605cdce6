"""What a key costs to work out: each figure a screen or the guided lesson's words show is computed once
for each change of what it depends on, however many of them show it.

A lab server runs a session per student: a figure worked out three times for one key press is CPU
taken from every other student's key.
"""

from __future__ import annotations

from collections import Counter

import pytest

from gdtui.core import wishes
from gdtui.core.network import Network
from gdtui.ui.beats import BEATS
from gdtui.ui.screens.backprop import IMAGES
from gdtui.ui.widgets import height_map
from tests.helpers import make_app, settle, wait_for, wait_until_loaded

# Each frame drawn, as on a terminal: what a frame costs, or what breaks in drawing one, is the point.
pytestmark = pytest.mark.frames


def count_test_set_reads(monkeypatch, app) -> Counter:
    """How many times the network is run over the whole test set from now on."""
    counted: Counter = Counter()
    predict = Network.predict

    def counting(self, x):
        if len(x) == len(app.state.data.test):
            counted["test set"] += 1
        return predict(self, x)

    monkeypatch.setattr(Network, "predict", counting)
    return counted


async def on_beat(pilot, beat: int) -> None:
    app = pilot.app
    await wait_until_loaded(pilot)
    app.guide.go_to(beat)
    await wait_for(pilot, lambda: app.screen.id == BEATS[beat].mode and app.screen.is_mounted, "the beat's step")
    await settle(pilot)


def beat_titled(title: str) -> int:
    return next(i for i, beat in enumerate(BEATS) if beat.title == title)


async def test_a_step_on_the_learning_beat_reads_the_test_set_once(tiny_mnist_dir, monkeypatch):
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_beat(pilot, beat_titled("Learning"))
        await pilot.press("n")  # the network is no longer untrained: the words say how well it reads now
        await settle(pilot)
        counted = count_test_set_reads(monkeypatch, app)
        await pilot.press("n")
        await settle(pilot)
        assert "test images right now" in str(app.screen.query_one("GuidePanel").render())
        assert counted["test set"] == 1


async def test_opening_the_trained_network_s_beat_reads_the_test_set_once(tiny_mnist_dir, monkeypatch):
    """Its title, words and invitation each say how well the network reads: one reading serves them all."""
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        trained = next(i for i, beat in enumerate(BEATS) if callable(beat.title) and beat.mode == "network" and i > 5)
        await on_beat(pilot, 0)
        counted = count_test_set_reads(monkeypatch, app)
        await on_beat(pilot, trained)
        await pilot.pause(0.05)
        assert "test digits" in str(app.screen.query_one("GuidePanel").render())
        assert counted["test set"] == 1


async def test_a_beat_away_from_its_step_works_out_no_words(tiny_mnist_dir, monkeypatch):
    """Off its step the guide shows one line that names no figure: the beat's words are not worked out."""
    app = make_app(tiny_mnist_dir, lesson=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_beat(pilot, beat_titled("Learning"))
        await pilot.press("n")
        await settle(pilot)
        counted = count_test_set_reads(monkeypatch, app)
        await pilot.press("2")
        await wait_for(pilot, lambda: app.screen.id == "network", "the Network step")
        await settle(pilot)
        assert "You left the lesson" in str(app.screen.query_one("GuidePanel").render())
        assert counted["test set"] == 0


def count_wishes(monkeypatch) -> Counter:
    """How many images' wish lists are worked out from now on, and how many many-images views."""
    counted: Counter = Counter()
    one, many = wishes.wishes, wishes.neuron_weight_wishes_of_images

    def one_image(*args, **kwargs):
        counted["image"] += 1
        return one(*args, **kwargs)

    def images(*args, **kwargs):
        counted["images"] += 1
        return many(*args, **kwargs)

    monkeypatch.setattr(wishes, "wishes", one_image)
    monkeypatch.setattr(wishes, "neuron_weight_wishes_of_images", images)
    return counted


@pytest.mark.parametrize("guided", [False, True])
async def test_the_next_image_on_backprop_works_out_its_wishes_once(tiny_mnist_dir, monkeypatch, guided):
    """`n` on the many images' view: one image's wishes and one many-images view, for the screen and the guide."""
    app = make_app(tiny_mnist_dir, lesson=guided)
    async with app.run_test(size=(80, 24)) as pilot:
        if guided:
            await on_beat(pilot, beat_titled("Every image wants something else"))
        else:
            await wait_until_loaded(pilot)
            await pilot.press("8")
            await wait_for(pilot, lambda: app.screen.id == "backprop", "the Backprop step")
            app.screen.view = "images"
            await settle(pilot)
        screen = app.screen
        index = screen.index
        counted = count_wishes(monkeypatch)
        await pilot.press("n")
        await settle(pilot)
        await pilot.pause(0.05)
        assert screen.index == index + 1
        # One image's wishes, then each of the many images' own.
        assert counted == Counter({"image": 1 + IMAGES, "images": 1})


async def test_moving_the_start_on_the_map_works_out_its_margin_once_a_landscape(screen_on, monkeypatch):
    """The map's margin, as wide as the y axis's numbers, is the same for every cell of one landscape: a path
    of 24 steps, the rays and the ball each asked for it, and each time the numbers were written out again."""
    async with screen_on("5") as (pilot, screen):
        written: Counter = Counter()
        ends = height_map.ends

        def counting(low: float, high: float) -> tuple[str, str]:
            written["ends"] += 1
            return ends(low, high)

        monkeypatch.setattr(height_map, "ends", counting)
        await pilot.press("right")
        await settle(pilot)
        await pilot.pause(0.05)
        assert screen.descent.path  # a path of steps from the new start, drawn
        # The y axis's ends, the x axis's and the legend's: once each; the margin kept from the landscape's first draw.
        assert written["ends"] == 3
