"""What a learner chooses in the app is there at the next start: the theme."""

from __future__ import annotations

import json

import pytest
from textual.constants import DEFAULT_THEME

from gdtui.core.files import config_home
from tests.app.test_lesson_walk import screen_text
from tests.helpers import make_app, open_step, wait_for, wait_until_loaded


async def test_a_theme_chosen_is_the_theme_at_the_next_start(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        assert app.theme == DEFAULT_THEME
        app.theme = "nord"  # as the palette's "Change theme" does
        await wait_for(pilot, lambda: (config_home() / "settings.json").exists(), "the theme saved")
    again = make_app(tiny_mnist_dir)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        assert again.theme == "nord"


async def test_starting_writes_nothing(tiny_mnist_dir):
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
    assert not config_home().exists()


@pytest.mark.parametrize(
    "text",
    ['{"theme": "no such theme"}', '{"theme": 3}', "[1, 2]", "{not json", "[" * 100_000 + "]" * 100_000, "\xff\xfe"],
    ids=["unknown theme", "not a name", "not an object", "not JSON", "nested too deep", "not UTF-8"],
)
async def test_a_damaged_settings_file_means_the_default_theme(tiny_mnist_dir, text):
    config_home().mkdir(parents=True)
    (config_home() / "settings.json").write_text(text, encoding="latin-1")
    app = make_app(tiny_mnist_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        assert app.theme == DEFAULT_THEME


def test_the_settings_file_is_json_with_the_theme(tiny_mnist_dir):
    from gdtui.ui import preferences

    preferences.save_theme("gruvbox")
    assert json.loads((config_home() / "settings.json").read_text()) == {"theme": "gruvbox"}


async def test_every_step_opened_in_a_theme_of_ansi_colours_shows_its_keys(tiny_mnist_dir):
    """Each step composed in the theme, not restyled into it as in test_themes.py: what a widget takes from the
    theme as it starts."""
    app = make_app(tiny_mnist_dir)
    # ANSI themes name their colours (ansi_magenta), where the others give RGB: ansi-light, or textual-ansi
    # in a Textual before 8.2.5.
    ansi = [name for name, theme in app.available_themes.items() if theme.primary.startswith("ansi_")][-1]
    app.theme = ansi  # before the app starts: its first step too is composed in it
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until_loaded(pilot)
        for step in "12345678":
            if step != "1":
                await open_step(pilot, step)
            await pilot.pause()
            assert app.is_running and app.theme == ansi, f"step {step} under {ansi}"
            assert "Help" in screen_text(app), f"step {step}'s keys under {ansi}"
