"""Coloured MNIST: grey digits padded to 32x32 and painted in colour, for the lesson on channels.

Each digit gets its own ink colour and a different paper colour, drawn at random and
independently of its label, so the colour says nothing about which digit it is::

    ink, paper = random_colours(len(x), seed=42)
    x_colour = paint(x, ink, paper)                   # (N, 32, 32, 3) float32 in [0, 1]
    x_white_on_black = paint(x, ink=(1, 1, 1), paper=(0, 0, 0))

Notebook 02 trains a network for 32x32 colour images on them (``models.build_cifar_cnn``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from course_utils.language import tr

#: The side of a CIFAR-sized image: 28x28 digits get a 2-pixel border of paper.
SIZE = 32


def random_colours(count: int, seed: int = 0, min_distance: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Draws one random ink colour and one random paper colour per digit.

    Every colour is uniform over the RGB cube [0, 1]^3. A pair whose ink and paper are closer
    than ``min_distance`` (Euclidean, in RGB) is drawn again, so every digit stays visible;
    at the default 0.5 about 28% of the first draws are redrawn (the cube's diagonal is 1.73).

    Args:
        count: How many pairs, one per digit.
        seed: Seed of the random generator: the same seed gives the same colours.
        min_distance: The smallest allowed distance between a digit's ink and its paper, from
            0 to 1.

    Returns:
        ``(ink, paper)``, two float32 arrays of shape ``(count, 3)`` (red, green, blue).

    Raises:
        ValueError: ``count`` is negative, or ``min_distance`` is outside [0, 1].
    """
    if count < 0:
        raise ValueError(tr(f"count must be 0 or more, not {count}", f"count 必须大于或等于 0，而不是 {count}"))
    if not 0 <= min_distance <= 1:
        raise ValueError(tr(f"min_distance must be from 0 to 1, not {min_distance}",
                            f"min_distance 必须在 0 到 1 之间，而不是 {min_distance}"))
    rng = np.random.default_rng(seed)
    ink, paper = rng.random((count, 3)), rng.random((count, 3))
    too_close = np.linalg.norm(ink - paper, axis=1) < min_distance
    while too_close.any():
        redrawn = int(too_close.sum())
        ink[too_close], paper[too_close] = rng.random((redrawn, 3)), rng.random((redrawn, 3))
        too_close = np.linalg.norm(ink - paper, axis=1) < min_distance
    return ink.astype(np.float32), paper.astype(np.float32)


def _ink_amount(images: ArrayLike) -> np.ndarray:
    """Grey digits as float32 (N, height, width) in [0, 1]: 0 is paper, 1 is full ink."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(tr(
            f"expected grey digits of shape (N, height, width) or (N, height, width, 1), got {images.shape}",
            f"需要形状为 (N, height, width) 或 (N, height, width, 1) 的灰度数字，实际得到 {images.shape}",
        ))
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255
    amount = images.astype(np.float32)
    if amount.size and (amount.min() < 0 or amount.max() > 1):
        raise ValueError(tr(
            f"float digits must be in [0, 1] (data.prepare's scaling), got {amount.min():g} to {amount.max():g}; "
            "uint8 digits (0-255) are scaled here",
            f"浮点数字必须在 [0, 1] 内（data.prepare 的缩放），实际为 {amount.min():g} 到 {amount.max():g}；"
            "uint8 数字（0-255）会在这里缩放",
        ))
    return amount


def _colours(colours: ArrayLike, count: int, name: str) -> np.ndarray:
    """One RGB colour per digit, shape (count, 3); a single colour is used for every digit."""
    colours = np.asarray(colours, dtype=np.float32)
    if colours.shape == (3,):
        colours = np.broadcast_to(colours, (count, 3))
    if colours.shape != (count, 3):
        raise ValueError(tr(f"{name} must be one colour (3,) or one per digit ({count}, 3), got shape {colours.shape}",
                            f"{name} 必须是一种颜色 (3,) 或每个数字一种颜色 ({count}, 3)，实际形状为 {colours.shape}"))
    if colours.min() < 0 or colours.max() > 1:
        raise ValueError(tr(f"{name} colours must be in [0, 1], got {colours.min():g} to {colours.max():g}",
                            f"{name} 的颜色必须在 [0, 1] 内，实际为 {colours.min():g} 到 {colours.max():g}"))
    return colours


def paint(images: ArrayLike, ink: ArrayLike, paper: ArrayLike, size: int = SIZE) -> np.ndarray:
    """Paints grey digits in colour and centres them on a square of paper.

    A pixel with ink amount ``a`` (0 to 1, the grey value) becomes ``paper + a * (ink - paper)``
    in each of the three channels: full ink is the ink colour, the background and the added
    border are the paper colour, and the soft edges of a stroke mix the two.

    Args:
        images: Grey digits, uint8 0-255 (as ``data.load_mnist`` returns them) or float in
            [0, 1] (as ``data.prepare`` returns them), shape ``(N, height, width)`` or
            ``(N, height, width, 1)``.
        ink: The ink colour, RGB in [0, 1]: one ``(3,)`` for every digit, or ``(N, 3)``.
        paper: The paper colour, the same way.
        size: The side of the square the digit is centred on (at least the digit's height and
            width).

    Returns:
        A float32 array of shape ``(N, size, size, 3)`` in [0, 1], channels last (red, green,
        blue).

    Raises:
        ValueError: Shapes or value ranges that are not those above.
    """
    amount = _ink_amount(images)
    count, height, width = amount.shape
    if size < max(height, width):
        raise ValueError(tr(f"size {size} is smaller than the digits ({height}x{width})",
                            f"size {size} 小于数字的尺寸（{height}x{width}）"))
    ink, paper = _colours(ink, count, "ink"), _colours(paper, count, "paper")
    top, left = (size - height) // 2, (size - width) // 2
    amount = np.pad(amount, ((0, 0), (top, size - height - top), (left, size - width - left)))
    # (N, size, size, 1) ink amounts against (N, 1, 1, 3) colours: NumPy broadcasts to 3 channels.
    painted = paper[:, None, None, :] + amount[..., None] * (ink - paper)[:, None, None, :]
    return np.clip(painted, 0, 1)  # rounding could step a hair outside [0, 1]
