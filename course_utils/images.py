"""Your own digit, prepared the way MNIST prepared its digits, so a trained model can read it.

MNIST digits are white ink on black, 28x28 pixels, the digit scaled to fit a 20x20 box
(keeping its proportions) and placed so that its *centre of mass* sits in the middle of the
28x28 field. A photo or a drawing is usually dark ink on light paper, any size, anywhere in
the picture. :func:`load_digit_image` closes that gap::

    pixels, batch = load_digit_image(EXAMPLE_DIGIT_PATH)  # or "my_photo.png", your own picture
    pixels.shape, batch.shape      # (28, 28) uint8 to look at, (1, 28, 28, 1) float32 for a model
    model.predict(batch)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_utils import data

#: MNIST's field and the box the digit is scaled into.
FIELD_SIZE = 28
BOX_SIZE = 20
#: After inversion and background removal, pixels above this (0-255) count as ink.
INK_THRESHOLD = 40
#: ``my_digit.png``, a handwritten-style 3 shipped with the package (not an MNIST image): dark
#: ink on light-grey paper, 200x200 pixels, off-centre. A real path in a checkout and in a wheel.
EXAMPLE_DIGIT_PATH: Path = data.resource_path("my_digit.png")


class DigitImageError(ValueError):
    """The file is not an image, or the image has no digit in it; the message says which."""


def read_grey(path: str | os.PathLike[str]) -> np.ndarray:
    """Read any image Pillow knows as greyscale uint8 (transparent parts become white paper)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        hint = "" if path.is_absolute() else f" Relative paths start in the current folder, {Path.cwd()}."
        raise FileNotFoundError(f"No image at {path}.{hint}")
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                # Drawing apps save transparent backgrounds: put the drawing on white paper first.
                rgba = image.convert("RGBA")
                paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                image = Image.alpha_composite(paper, rgba)
            return np.asarray(image.convert("L"), dtype=np.uint8)
    except UnidentifiedImageError as error:
        raise DigitImageError(
            f"{path} is not an image Pillow can read (PNG, JPEG, BMP, ...). Save your digit as a PNG."
        ) from error


def ink_on_black(grey: np.ndarray) -> np.ndarray:
    """Make the digit white on black like MNIST: invert light paper, remove the background level.

    The border of the picture tells which is paper: if it is lighter than mid-grey the image
    is inverted. The background level (the median pixel, since most of the picture is paper)
    is then subtracted and the rest stretched to 0-255, so grey paper becomes black.
    """
    pixels = grey.astype(np.float32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if np.median(border) > 127:
        pixels = 255.0 - pixels
    pixels = np.clip(pixels - np.median(pixels), 0.0, None)
    top = pixels.max()
    if top > 0:
        pixels *= 255.0 / top
    return pixels.round().astype(np.uint8)


def centre_of_mass(pixels: np.ndarray) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass, pixels weighted by their brightness."""
    weights = pixels.astype(np.float64)
    total = weights.sum()
    rows, columns = np.indices(pixels.shape)
    return float((rows * weights).sum() / total), float((columns * weights).sum() / total)


def mnist_style(grey: np.ndarray) -> np.ndarray:
    """A greyscale picture of one digit as a 28x28 MNIST-style uint8 image (ink 255 on 0).

    Steps: :func:`ink_on_black`; crop to the ink; scale the longer side to 20 pixels keeping
    the proportions (anti-aliased); paste into 28x28 with the centre of mass in the middle.
    Raises :class:`DigitImageError` when there is no ink.
    """
    from PIL import Image

    if grey.ndim != 2 or min(grey.shape) < 2:
        raise DigitImageError(f"expected a 2-D greyscale picture, got shape {grey.shape}")
    ink = ink_on_black(grey)
    rows, columns = np.nonzero(ink > INK_THRESHOLD)
    if rows.size == 0:
        raise DigitImageError(
            "No ink found: the picture is one flat colour. Draw the digit dark on light paper (or light on dark)."
        )
    crop = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
    height, width = crop.shape
    scale = BOX_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # Pillow wants (width, height)
    small = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)

    field = np.zeros((FIELD_SIZE, FIELD_SIZE), dtype=np.uint8)
    row_mass, column_mass = centre_of_mass(small)
    middle = (FIELD_SIZE - 1) / 2
    top = int(np.clip(round(middle - row_mass), 0, FIELD_SIZE - small.shape[0]))
    left = int(np.clip(round(middle - column_mass), 0, FIELD_SIZE - small.shape[1]))
    field[top : top + small.shape[0], left : left + small.shape[1]] = small
    return field


def load_digit_image(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read a picture of one handwritten digit and prepare it like MNIST.

    Returns ``(pixels, batch)``: the (28, 28) uint8 image (ink 255 on 0, as in
    ``data.load_mnist``) to look at, and a (1, 28, 28, 1) float32 batch in [0, 1] to give a
    model. Raises ``FileNotFoundError`` for a missing file and :class:`DigitImageError` (a
    ``ValueError``) for a file that is not an image or an image without ink.
    """
    pixels = mnist_style(read_grey(path))
    batch = data.prepare(pixels[np.newaxis])
    return pixels, batch
