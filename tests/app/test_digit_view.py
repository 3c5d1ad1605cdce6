"""DigitView inside a running app: size, colour or glyphs, cursor."""

from contextlib import asynccontextmanager

import numpy as np
import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip

from gdtui.ui.blocks import CURSOR_COLOR, HALF_BLOCK, SHADES
from gdtui.ui.widgets.digit_view import DigitView


class DigitApp(App[None]):
    def __init__(self, *, show_legend: bool = False) -> None:
        super().__init__()
        self.show_legend = show_legend

    def compose(self) -> ComposeResult:
        yield DigitView(show_legend=self.show_legend)


def terminal(monkeypatch: pytest.MonkeyPatch, term: str, colorterm: str | None = None, no_color: bool = False) -> None:
    """Pretend to run in a terminal; the app reads these when it is created."""
    monkeypatch.setenv("TERM", term)
    for name, value in (("COLORTERM", colorterm), ("NO_COLOR", "1" if no_color else None)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.fixture
def truecolor(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal(monkeypatch, "xterm-256color", colorterm="truecolor")


def stroke() -> np.ndarray:
    image = np.zeros((28, 28))
    image[4:24, 13:15] = 1.0
    return image


@asynccontextmanager
async def showing_a_stroke(*, show_legend: bool = False, size: tuple[int, int] = (40, 20)):
    """A DigitView alone in an app, drawing `stroke()`: the Pilot and the view."""
    app = DigitApp(show_legend=show_legend)
    async with app.run_test(size=size) as pilot:
        view = app.query_one(DigitView)
        view.show(stroke())
        await pilot.pause()
        yield pilot, view


def screen_lines(view: DigitView) -> list[Strip]:
    return view.render_lines(Region(0, 0, *view.size))


def cell_styles(line: Strip) -> list[Style]:
    return [segment.style for segment in line for _ in segment.text]


@pytest.mark.usefixtures("truecolor")
async def test_mnist_image_takes_28_by_14_cells_of_half_blocks() -> None:
    async with showing_a_stroke() as (pilot, view):
        assert view.region.size == (28, 14)
        lines = screen_lines(view)
        assert [line.text for line in lines] == [HALF_BLOCK * 28] * 14
        upper = [style.color.triplet for style in cell_styles(lines[2])]
        assert tuple(upper[13]) == (255, 255, 255) and tuple(upper[0]) == (0, 0, 0)


@pytest.mark.usefixtures("truecolor")
async def test_legend_adds_one_line() -> None:
    async with showing_a_stroke(show_legend=True) as (pilot, view):
        assert view.region.size == (28, 15)
        assert screen_lines(view)[-1].text.rstrip() == "0 ████ 1"


@pytest.mark.usefixtures("truecolor")
async def test_showing_another_shape_resizes() -> None:
    async with showing_a_stroke() as (pilot, view):
        view.show(np.ones((7, 10)), signed=True)
        await pilot.pause()
        assert view.region.size == (10, 4)


@pytest.mark.usefixtures("truecolor")
async def test_cursor_repaints_one_pixel() -> None:
    async with showing_a_stroke() as (pilot, view):
        view.cursor = (5, 20)
        await pilot.pause()
        marked = [
            (y, x)
            for y, line in enumerate(screen_lines(view))
            for x, style in enumerate(cell_styles(line))
            if CURSOR_COLOR in (style.color, style.bgcolor)
        ]
        assert marked == [(2, 20)]


@pytest.mark.usefixtures("truecolor")
async def test_what_is_drawn_follows_zoom_legend_and_cursor_as_they_change() -> None:
    async with showing_a_stroke(size=(70, 40)) as (pilot, view):
        for change in ({"zoomed": True}, {"cursor": (5, 20)}, {"show_legend": True}, {"zoomed": False}, {"cursor": None}):
            for name, value in change.items():
                setattr(view, name, value)
            await pilot.pause()
            drawn = [line.text.rstrip() for line in screen_lines(view)]
            expected = [line.text.rstrip() for line in view.draw(view.size.width)]
            assert drawn[: len(expected)] == expected, change
            assert len(expected) == view.region.height, change


@pytest.mark.usefixtures("truecolor")
@pytest.mark.parametrize("show_legend", [False, True])
async def test_clear_blanks_the_image_but_keeps_its_place(show_legend: bool) -> None:
    async with showing_a_stroke(show_legend=show_legend) as (pilot, view):
        view.clear()
        await pilot.pause()
        assert view.region.size == (28, 14 + show_legend)
        assert all(line.text.strip() == "" for line in screen_lines(view)), "no legend either: there is no image"


@pytest.mark.usefixtures("truecolor")
async def test_show_copies_the_array() -> None:
    app = DigitApp()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(DigitView)
        image = stroke()
        view.show(image)
        image[:] = 0.0
        await pilot.pause()
        upper = [style.color.triplet for style in cell_styles(screen_lines(view)[2])]
        assert tuple(upper[13]) == (255, 255, 255)


@pytest.mark.usefixtures("truecolor")
async def test_show_rejects_arrays_that_are_not_2d() -> None:
    app = DigitApp()
    async with app.run_test(size=(40, 20)):
        with pytest.raises(ValueError):
            app.query_one(DigitView).show(np.zeros(784))


async def test_256_colour_terminal_gets_half_blocks_in_grey_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal(monkeypatch, "xterm-256color")
    app = DigitApp()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(DigitView)
        view.show(np.tile(np.linspace(0.0, 1.0, 28), (28, 1)))
        await pilot.pause()
        assert app.console.color_system == "256"
        output = screen_lines(view)[0].render(app.console)
        assert HALF_BLOCK in output
        assert "38;5;232" in output and "38;5;255" in output


@pytest.mark.parametrize(
    ("term", "no_color"),
    [("xterm-256color", True), ("xterm", False), ("xterm-16color", False)],
)
async def test_no_color_or_16_colours_switch_to_glyphs(monkeypatch: pytest.MonkeyPatch, term: str, no_color: bool) -> None:
    terminal(monkeypatch, term, no_color=no_color)
    async with showing_a_stroke(show_legend=True) as (pilot, view):
        assert view.region.size == (28, 15)
        lines = [line.text for line in screen_lines(view)]
        assert all(HALF_BLOCK not in line for line in lines)
        assert lines[2] == " " * 13 + "██" + " " * 13
        assert lines[-1].rstrip() == "0 " + SHADES[1:] + " 1"


@pytest.mark.usefixtures("truecolor")
async def test_a_larger_image_is_drawn_within_28_by_28_with_its_cursor() -> None:
    app = DigitApp()
    async with app.run_test(size=(40, 20)) as pilot:
        view = app.query_one(DigitView)
        image = np.zeros((64, 64))
        image[40:43, 50:53] = 1.0
        view.show(image)
        view.cursor = (41, 51)
        await pilot.pause()
        assert view.factor == 3 and view.region.size == (22, 11)
        lines = screen_lines(view)
        # Pixel (41, 51) is drawn at (13, 17): line 6, the lower half of its half block.
        assert lines[6].text[17] == HALF_BLOCK
        assert cell_styles(lines[6])[17].bgcolor.triplet == CURSOR_COLOR.triplet
