"""Digits drawn by hand, prepared the way MNIST prepared its own.

MNIST's digits were scaled to fit a 20×20 box, keeping their proportions, and
then placed in the 28×28 image so that their centre of mass sits at the centre.
A network trained on them expects that: a small digit drawn in a corner would
be read unfairly, so a drawing goes through the same steps first. Images of
another size get a box in the same proportion: 10 pixels of 14, 46 of 64.
"""

from __future__ import annotations

import numpy as np

SIZE = 28
BOX = 20
# A soft brush: full ink at the centre, less on the edges, like a pen stroke.
BRUSH = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]], dtype=np.float32)


def _brush_window(canvas: np.ndarray, row: int, col: int) -> tuple[tuple[slice, slice], tuple[slice, slice]]:
    """The canvas and brush slices that overlap when the brush is centred at (row, col)."""
    rows, cols = canvas.shape
    top, left = row - 1, col - 1
    canvas_part = (slice(max(top, 0), min(top + 3, rows)), slice(max(left, 0), min(left + 3, cols)))
    brush_part = (slice(max(-top, 0), 3 - max(top + 3 - rows, 0)), slice(max(-left, 0), 3 - max(left + 3 - cols, 0)))
    return canvas_part, brush_part


def paint(canvas: np.ndarray, row: int, col: int) -> None:
    """Ink the canvas around (row, col); ink never gets brighter than 1."""
    target, brush = _brush_window(canvas, row, col)
    np.maximum(canvas[target], BRUSH[brush], out=canvas[target])


def erase(canvas: np.ndarray, row: int, col: int) -> None:
    target, _ = _brush_window(canvas, row, col)
    canvas[target] = 0.0


def noise(rng: np.random.Generator, shape: tuple[int, int] = (SIZE, SIZE)) -> np.ndarray:
    """Every pixel an independent random brightness: no digit at all."""
    return rng.random(shape, dtype=np.float32)


def box_for(shape: tuple[int, int]) -> int:
    """The side of the box a drawing is scaled into: to the image what 20 is to MNIST's 28."""
    return max(1, round(min(shape) * BOX / SIZE))


def _resample(image: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Bilinear resize: linear interpolation along each axis in turn."""

    def along(a: np.ndarray, n: int, axis: int) -> np.ndarray:
        old = a.shape[axis]
        positions = np.linspace(0, old - 1, n) if old > 1 else np.zeros(n)
        return np.apply_along_axis(lambda v: np.interp(positions, np.arange(old), v), axis, a)

    return along(along(image, rows, 0), cols, 1)


def like_mnist(image: np.ndarray, threshold: float = 0.05) -> np.ndarray:
    """Scale the ink to fit the box and centre its mass in an image of the same size, as MNIST did:
    20×20 in 28×28."""
    height, width = image.shape
    ink = np.argwhere(image > threshold)
    if len(ink) == 0:
        return np.zeros((height, width), dtype=np.float32)
    (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0) + 1
    crop = image[top:bottom, left:right]
    scale = box_for((height, width)) / max(crop.shape)
    rows, cols = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    glyph = np.clip(_resample(crop, rows, cols), 0.0, 1.0)
    # Where the centre of mass lands at the centre, (14, 14) in 28×28, clipped so the glyph stays inside.
    mass = glyph.sum()
    centre_row = (glyph.sum(axis=1) @ np.arange(rows)) / mass
    centre_col = (glyph.sum(axis=0) @ np.arange(cols)) / mass
    top = int(np.clip(round(height / 2 - 0.5 - centre_row), 0, height - rows))
    left = int(np.clip(round(width / 2 - 0.5 - centre_col), 0, width - cols))
    out = np.zeros((height, width), dtype=np.float32)
    out[top : top + rows, left : left + cols] = glyph
    return out
