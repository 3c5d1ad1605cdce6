"""How arrays of values are drawn as block characters."""

import re

import numpy as np
import pytest
from rich.color import Color
from rich.console import Console
from rich.style import Style
from rich.text import Text

from gdtui.ui.blocks import (
    CURSOR_COLOR,
    CURSOR_GLYPH,
    HALF_BLOCK,
    NEGATIVE_SHADES,
    SHADES,
    as_text,
    block_segments,
    full_scale,
    legend,
    reduced,
    reduction,
    wants_glyphs,
)

CONSOLE = Console(width=200, color_system="truecolor")


def cells(line: Text) -> list[tuple[str, Style | None]]:
    """Each cell of a rendered line with its style."""
    return [(character, segment.style) for segment in line.render(CONSOLE) for character in segment.text]


def rgb(color: Color | None) -> tuple[int, int, int]:
    assert color is not None and color.triplet is not None
    return tuple(color.triplet)


def two_rows(*values: float) -> np.ndarray:
    """The same values in an upper and a lower pixel row, so every cell is uniform."""
    return np.array([values, values], dtype=float)


def mnist_like_one() -> np.ndarray:
    """A '1' as MNIST draws it: a slightly slanted stroke with faint anti-aliased edges."""
    image = np.zeros((28, 28))
    for row in range(4, 24):
        col = 13 + (24 - row) // 10
        image[row, col : col + 2] = 1.0
        image[row, col - 1] = 0.3
        image[row, col + 2] = 0.2
    return image


@pytest.mark.parametrize("colors", [True, False])
def test_mnist_image_is_14_lines_of_28_cells(colors: bool) -> None:
    lines = as_text(block_segments(np.zeros((28, 28)), colors=colors))
    assert len(lines) == 14
    assert all(line.cell_len == 28 for line in lines)


def test_odd_row_count_leaves_last_lower_half_blank() -> None:
    lines = as_text(block_segments(np.ones((5, 3))))
    assert len(lines) == 3
    assert all(style.bgcolor is None for _, style in cells(lines[-1]))
    assert all(style.bgcolor is not None for _, style in cells(lines[0]))
    assert [line.plain for line in as_text(block_segments(np.ones((5, 3)), colors=False))] == ["███"] * 3


def test_grey_levels_get_brighter() -> None:
    (line,) = as_text(block_segments(two_rows(*np.linspace(0.0, 1.0, 11))))
    greys = [rgb(style.color) for _, style in cells(line)]
    assert greys[0] == (0, 0, 0) and greys[-1] == (255, 255, 255)
    assert all(red == green == blue for red, green, blue in greys)
    assert all(a[0] < b[0] for a, b in zip(greys, greys[1:]))


def test_half_block_carries_upper_pixel_in_foreground_and_lower_in_background() -> None:
    (line,) = as_text(block_segments(np.array([[1.0, 0.0], [0.0, 1.0]])))
    (left, left_style), (right, right_style) = cells(line)
    assert left == right == HALF_BLOCK
    assert rgb(left_style.color) == (255, 255, 255) and rgb(left_style.bgcolor) == (0, 0, 0)
    assert rgb(right_style.color) == (0, 0, 0) and rgb(right_style.bgcolor) == (255, 255, 255)


def test_256_colours_keep_distinct_grey_steps() -> None:
    console = Console(width=200, color_system="256", force_terminal=True)
    with console.capture() as capture:
        console.print(as_text(block_segments(two_rows(*np.linspace(0.0, 1.0, 13))))[0])
    numbers = [int(n) for n in re.findall(r"38;5;(\d+)", capture.get())]
    assert len(numbers) == 13
    assert all(n in (16, 231) or 232 <= n <= 255 for n in numbers)
    # 16 is black and 231 white; in between, 232..255 run from dark to light.
    order = [-1 if n == 16 else 256 if n == 231 else n for n in numbers]
    assert order == sorted(set(order))


def test_values_outside_the_range_are_clipped_and_scale_sets_full_intensity() -> None:
    (line,) = as_text(block_segments(two_rows(-3.0, 0.0, 1.0, 7.0), colors=False))
    assert line.plain == "  ██"
    (line,) = as_text(block_segments(two_rows(0.0, 128.0, 255.0), scale=255.0, colors=False))
    assert line.plain == " ▒█"


def test_glyphs_get_denser_with_value_and_carry_no_colour() -> None:
    (line,) = as_text(block_segments(two_rows(0.0, 0.25, 0.5, 0.75, 1.0), colors=False))
    assert line.plain == SHADES == " ░▒▓█"
    styles = [style for _, style in cells(line) if style is not None]
    assert all(style.color is None and style.bgcolor is None for style in styles)
    assert not line.spans


def test_glyph_cell_shows_the_stronger_of_its_two_pixels() -> None:
    # A stroke one pixel tall, as at the top of a '7', keeps full strength.
    image = np.zeros((2, 4))
    image[0, :] = 1.0
    image[1, 0] = 0.5
    (line,) = as_text(block_segments(image, colors=False))
    assert line.plain == "████"


def test_signed_values_get_blue_for_positive_red_for_negative_black_for_zero() -> None:
    (line,) = as_text(block_segments(two_rows(-1.0, -0.5, 0.0, 0.5, 1.0), signed=True))
    colours = [rgb(style.color) for _, style in cells(line)]
    strong_negative, weak_negative, zero, weak_positive, strong_positive = colours
    assert zero == (0, 0, 0)
    for red, green, blue in (strong_negative, weak_negative):
        assert red > blue and red > green
    for red, green, blue in (strong_positive, weak_positive):
        assert blue > red and blue > green
    assert sum(strong_positive) > sum(weak_positive)
    assert sum(strong_negative) > sum(weak_negative)


def test_signed_hues_survive_256_colours() -> None:
    console = Console(width=200, color_system="256", force_terminal=True)
    with console.capture() as capture:
        console.print(as_text(block_segments(two_rows(-1.0, -0.5, 0.5, 1.0), signed=True))[0])
    numbers = [int(n) for n in re.findall(r"38;5;(\d+)", capture.get())]
    # Decode the 6×6×6 cube: index = 16 + 36·red + 6·green + blue.
    cube = [((n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6) for n in numbers]
    assert all(16 <= n <= 231 for n in numbers)
    assert all(red > blue for red, _, blue in cube[:2])
    assert all(blue > red for red, _, blue in cube[2:])
    assert len(set(numbers)) == 4


def test_signed_glyphs_use_two_families() -> None:
    (line,) = as_text(block_segments(two_rows(-1.0, -0.5, 0.0, 0.5, 1.0), signed=True, colors=False))
    assert line.plain == "≡- ▒█"
    assert set(NEGATIVE_SHADES) & set(SHADES) == {" "}
    assert not line.spans


def test_signed_scale_defaults_to_largest_magnitude() -> None:
    values = two_rows(0.1, -0.2)
    assert full_scale(values, signed=True) == pytest.approx(0.2)
    (line,) = as_text(block_segments(values, signed=True, colors=False))
    assert line.plain == "▒≡"
    (line,) = as_text(block_segments(values, signed=True, scale=1.0, colors=False))
    assert line.plain == " ·"


def test_all_zero_signed_input_draws_black_without_dividing_by_zero() -> None:
    with np.errstate(all="raise"):
        (line,) = as_text(block_segments(np.zeros((2, 3)), signed=True))
        (glyphs,) = as_text(block_segments(np.zeros((2, 3)), signed=True, colors=False))
    assert full_scale(np.zeros((2, 3)), signed=True) == 0.0
    assert {rgb(style.color) for _, style in cells(line)} == {(0, 0, 0)}
    assert glyphs.plain == "   "


def test_diverged_values_still_draw() -> None:
    values = two_rows(np.nan, np.inf, -np.inf, 0.5, -0.5)
    (line,) = as_text(block_segments(values, signed=True, colors=False))
    assert line.plain == " █≡█≡"


def test_cursor_marks_exactly_one_pixel_in_colour() -> None:
    image = np.full((6, 4), 0.5)
    plain = [cells(line) for line in as_text(block_segments(image))]
    for row, expected_line in ((2, 1), (3, 1), (5, 2)):
        marked = [cells(line) for line in as_text(block_segments(image, cursor=(row, 3)))]
        changed = [
            (y, x)
            for y, (before, after) in enumerate(zip(plain, marked))
            for x, (a, b) in enumerate(zip(before, after))
            if a != b
        ]
        assert changed == [(expected_line, 3)]
        style = marked[expected_line][3][1]
        upper = row % 2 == 0
        assert (style.color if upper else style.bgcolor) == CURSOR_COLOR
        assert (style.bgcolor if upper else style.color) != CURSOR_COLOR


def test_cursor_marks_exactly_one_cell_in_glyphs() -> None:
    lines = as_text(block_segments(np.ones((6, 4)), colors=False, cursor=(3, 2)))
    assert [line.plain for line in lines] == ["████", "██" + CURSOR_GLYPH + "█", "████"]


@pytest.mark.parametrize("cursor", [(28, 0), (0, 28), (-1, 3)])
def test_cursor_outside_the_image_marks_nothing(cursor: tuple[int, int]) -> None:
    image = np.full((28, 28), 0.5)
    assert as_text(block_segments(image, cursor=cursor)) == as_text(block_segments(image))


def test_legend_in_glyphs() -> None:
    assert legend(signed=False, scale=None, colors=False).plain == "0 ░▒▓█ 1"
    assert legend(signed=False, scale=255.0, colors=False).plain == "0 ░▒▓█ 255"
    assert legend(signed=True, scale=0.42, colors=False).plain == "− ≡=-· 0 ░▒▓█ +  ±0.42"
    assert legend(signed=True, scale=None, colors=False).plain == "− ≡=-· 0 ░▒▓█ +"


def test_legend_in_colour_shows_swatches_of_the_palette() -> None:
    grey = legend(signed=False, scale=None, colors=True)
    assert grey.plain == "0 ████ 1"
    swatches = [style.color for character, style in cells(grey) if character == "█"]
    assert all(len(set(rgb(color))) == 1 for color in swatches)
    signed = legend(signed=True, scale=1234.5, colors=True)
    assert signed.plain == "− ████ 0 ████ +  ±1.23e+03"
    red, *_, blue = [rgb(style.color) for character, style in cells(signed) if character == "█"]
    assert red[0] > red[2] and blue[2] > blue[0]


def test_legends_fit_under_an_mnist_image() -> None:
    for signed in (False, True):
        for colors in (False, True):
            assert legend(signed=signed, scale=-1.234e-5, colors=colors).cell_len <= 28


@pytest.mark.parametrize(
    ("color_system", "no_color", "glyphs"),
    [
        ("truecolor", False, False),
        ("256", False, False),
        ("standard", False, True),
        ("windows", False, True),
        (None, False, True),
        ("truecolor", True, True),
        ("256", True, True),
    ],
)
def test_wants_glyphs(color_system: str | None, no_color: bool, glyphs: bool) -> None:
    assert wants_glyphs(color_system, no_color) is glyphs


def test_mnist_like_one_stays_legible_in_glyphs() -> None:
    lines = [line.plain for line in as_text(block_segments(mnist_like_one(), colors=False))]
    inked = [index for index, line in enumerate(lines) if line.strip()]
    assert inked == list(range(2, 12))
    for line in lines[2:12]:
        stroke = line.strip()
        # An unbroken solid core, framed by at most a faint edge, where the '1' is.
        assert re.fullmatch("░?██+░?", stroke)
        assert line.index(stroke) >= 11 and line.index(stroke) + len(stroke) <= 18
    assert all(line == " " * 28 for line in lines[:2] + lines[12:])


def test_rejects_arrays_that_are_not_2d() -> None:
    with pytest.raises(ValueError):
        as_text(block_segments(np.zeros(784)))


def test_zoomed_draws_each_pixel_two_cells_wide_on_its_own_line():
    from gdtui.ui.blocks import zoomed_segments

    image = np.zeros((28, 28))
    image[3, 5] = 1.0
    lines = as_text(zoomed_segments(image))
    assert len(lines) == 28 and all(line.cell_len == 56 for line in lines)
    glyphs = as_text(zoomed_segments(image, colors=False))
    assert glyphs[3].plain[10:12] == "██" and glyphs[3].plain.count("█") == 2
    marked = as_text(zoomed_segments(image, colors=False, cursor=(3, 5)))
    assert marked[3].plain[10:12] == CURSOR_GLYPH * 2


@pytest.mark.parametrize(
    ("shape", "factor", "drawn"),
    [((28, 28), 1, (28, 28)), ((14, 14), 1, (14, 14)), ((64, 64), 3, (22, 22)), ((30, 57), 3, (10, 19))],
)
def test_an_image_larger_than_the_room_is_drawn_smaller_by_a_whole_factor(shape, factor, drawn):
    assert reduction(shape, 28) == factor
    assert reduced(np.zeros(shape), 28).shape == drawn


def test_each_drawn_pixel_is_the_mean_of_the_pixels_it_stands_for_even_at_the_edge():
    values = np.arange(5 * 4, dtype=float).reshape(5, 4)  # halved: the last row stands alone
    np.testing.assert_array_equal(
        reduced(values, 3),
        [
            [values[0:2, 0:2].mean(), values[0:2, 2:4].mean()],
            [values[2:4, 0:2].mean(), values[2:4, 2:4].mean()],
            [values[4, 0:2].mean(), values[4, 2:4].mean()],
        ],
    )


def test_an_image_that_fits_is_drawn_as_it_is():
    values = np.random.default_rng(0).random((28, 28))
    assert reduced(values, 28) is values


def test_neighbouring_cells_of_one_colour_are_drawn_as_one_segment():
    from gdtui.ui.blocks import block_segments

    image = np.zeros((2, 28))
    image[:, 10:12] = 1.0
    (line,) = block_segments(image)
    assert [(segment.text, segment.style) for segment in line] == [
        (HALF_BLOCK * 10, line[0].style),
        (HALF_BLOCK * 2, line[1].style),
        (HALF_BLOCK * 16, line[0].style),
    ]
    assert line[0].style != line[1].style
