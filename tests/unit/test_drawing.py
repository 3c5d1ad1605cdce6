"""Hand-drawn digits: the soft brush, the eraser, and preparing a drawing the way MNIST did."""

import numpy as np
import pytest

from gdtui.core import drawing


def blank() -> np.ndarray:
    return np.zeros((drawing.SIZE, drawing.SIZE), dtype=np.float32)


def test_the_brush_is_soft():
    canvas = blank()
    drawing.paint(canvas, 10, 12)
    np.testing.assert_array_equal(canvas[9:12, 11:14], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
    assert np.count_nonzero(canvas) == 9


@pytest.mark.parametrize(
    ("row", "col", "window"),
    [
        (0, 0, (slice(0, 2), slice(0, 2))),
        (27, 27, (slice(26, 28), slice(26, 28))),
        (0, 13, (slice(0, 2), slice(12, 15))),
        (14, 27, (slice(13, 16), slice(26, 28))),
    ],
)
def test_the_brush_is_clipped_at_the_borders(row, col, window):
    canvas = blank()
    drawing.paint(canvas, row, col)
    assert canvas[row, col] == 1.0
    inked = np.zeros_like(canvas, dtype=bool)
    inked[window] = True
    assert (canvas[~inked] == 0).all()
    assert (canvas[inked] > 0).all()


def test_ink_never_exceeds_one():
    canvas = blank()
    for row, col in [(5, 5), (5, 6), (6, 5), (6, 6), (5, 5)]:
        drawing.paint(canvas, row, col)
    assert canvas.max() == 1.0
    # Overlapping strokes keep the darker ink: the edge of one stroke is the centre of the next.
    assert canvas[5, 6] == 1.0
    assert canvas[4, 4] == 0.25


def test_erase_clears_the_brush_area():
    canvas = blank()
    for col in range(3, 10):
        drawing.paint(canvas, 8, col)
    drawing.erase(canvas, 8, 6)
    assert (canvas[7:10, 5:8] == 0).all()
    assert canvas[8, 4] == 1.0 and canvas[8, 8] == 1.0
    drawing.erase(canvas, 0, 0)  # at the border, like the brush
    assert canvas.shape == (28, 28)


def test_an_empty_canvas_stays_empty():
    out = drawing.like_mnist(blank())
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert not out.any()


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (cols * image).sum() / image.sum()


def bounding_box(image: np.ndarray) -> tuple[int, int]:
    ink = np.argwhere(image > 0)
    height, width = ink.max(axis=0) - ink.min(axis=0) + 1
    return int(height), int(width)


def test_a_small_blob_in_a_corner_is_scaled_and_centred():
    canvas = blank()
    for row, col in [(2, 2), (2, 3), (3, 3), (4, 3), (5, 3)]:
        drawing.paint(canvas, row, col)
    out = drawing.like_mnist(canvas)
    row, col = centre_of_mass(out)
    assert abs(row - 13.5) <= 1.0
    assert abs(col - 13.5) <= 1.0
    assert max(bounding_box(out)) in (19, 20)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_a_wide_stroke_keeps_its_proportions():
    canvas = blank()
    for col in range(20, 28):
        drawing.paint(canvas, 24, col)
    height, width = bounding_box(drawing.like_mnist(canvas))
    # 3 rows by 9 columns of ink, scaled so the long side is 20.
    assert width == 20
    assert height == round(3 * 20 / 9)


def test_noise_is_seeded_and_in_range():
    a = drawing.noise(np.random.default_rng(7))
    b = drawing.noise(np.random.default_rng(7))
    c = drawing.noise(np.random.default_rng(8))
    assert a.shape == (28, 28) and a.dtype == np.float32
    assert (a >= 0).all() and (a < 1).all()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.std() > 0.2


@pytest.mark.parametrize("shape", [(14, 14), (64, 64), (20, 32)])
def test_a_drawing_on_another_sets_canvas_keeps_that_size_and_mnists_proportions(shape):
    canvas = np.zeros(shape, dtype=np.float32)
    for row in range(1, 4):
        drawing.paint(canvas, row, 2)
    out = drawing.like_mnist(canvas)
    assert out.shape == shape and out.dtype == np.float32
    # The box is to the image what MNIST's 20 pixels are to its 28.
    assert max(bounding_box(out)) == drawing.box_for(shape)
    assert drawing.box_for((28, 28)) == drawing.BOX
    row, col = centre_of_mass(out)
    assert abs(row - (shape[0] - 1) / 2) <= 1.0 and abs(col - (shape[1] - 1) / 2) <= 1.0


def test_noise_takes_the_sets_image_size():
    assert drawing.noise(np.random.default_rng(7), (14, 20)).shape == (14, 20)
