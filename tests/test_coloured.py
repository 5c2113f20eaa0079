"""Coloured MNIST: full ink is the ink colour, the rest the paper, the digit centred; colours random but visible."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import coloured


def grey_digits(count: int = 4) -> np.ndarray:
    """uint8 (count, 28, 28) digits: a full-ink bar, a half-ink pixel and blank paper elsewhere."""
    images = np.zeros((count, 28, 28), dtype=np.uint8)
    images[:, 10:18, 5] = 255
    images[:, 0, 0] = 128  # the top-left corner, to check where the border goes
    return images


def test_ink_and_paper_colours_land_where_the_digit_has_ink_and_paper() -> None:
    images = grey_digits()
    ink, paper = coloured.random_colours(len(images), seed=1)
    painted = coloured.paint(images, ink, paper)
    assert painted.shape == (4, 32, 32, 3)
    assert painted.dtype == np.float32
    # 28 -> 32: a 2-pixel border on every side, so pixel (r, c) of the digit is at (r + 2, c + 2).
    np.testing.assert_allclose(painted[:, 12:20, 7], np.repeat(ink[:, None, :], 8, axis=1), atol=1e-6)
    np.testing.assert_allclose(painted[:, 2, 2], paper + 128 / 255 * (ink - paper), atol=1e-6)
    for border in (painted[:, :2], painted[:, -2:], painted[:, :, :2], painted[:, :, -2:]):
        np.testing.assert_allclose(border, np.broadcast_to(paper[:, None, None, :], border.shape), atol=1e-6)
    assert painted.min() >= 0 and painted.max() <= 1


def test_float_digits_with_a_channel_axis_paint_as_their_uint8_originals() -> None:
    images = grey_digits()
    prepared = (images.astype(np.float32) / 255)[..., np.newaxis]  # what data.prepare returns
    ink, paper = coloured.random_colours(len(images), seed=2)
    np.testing.assert_allclose(coloured.paint(prepared, ink, paper), coloured.paint(images, ink, paper), atol=1e-6)


def test_one_colour_for_every_digit_gives_the_grey_digit_in_all_three_channels() -> None:
    images = grey_digits()
    white_on_black = coloured.paint(images, ink=(1, 1, 1), paper=(0, 0, 0), size=28)
    for channel in range(3):
        np.testing.assert_allclose(white_on_black[..., channel], images / 255, atol=1e-6)


def test_random_colours_are_reproducible_and_never_too_close() -> None:
    ink, paper = coloured.random_colours(5_000, seed=3, min_distance=0.6)
    again_ink, again_paper = coloured.random_colours(5_000, seed=3, min_distance=0.6)
    np.testing.assert_array_equal(ink, again_ink)
    np.testing.assert_array_equal(paper, again_paper)
    assert ink.shape == paper.shape == (5_000, 3) and ink.dtype == np.float32
    assert np.linalg.norm(ink - paper, axis=1).min() >= 0.6
    assert 0 <= ink.min() and ink.max() <= 1
    # Spread over the whole cube, not only its corners: every channel's mean is near 0.5.
    np.testing.assert_allclose(ink.mean(axis=0), 0.5, atol=0.03)
    other_ink, _ = coloured.random_colours(5_000, seed=4, min_distance=0.6)
    assert not np.array_equal(ink, other_ink)


@pytest.mark.parametrize(
    ("images", "ink", "paper", "size", "message"),
    [
        (np.zeros((2, 28, 28, 3), np.uint8), (1, 1, 1), (0, 0, 0), 32, "grey digits of shape"),
        (np.full((2, 28, 28), 2.0, np.float32), (1, 1, 1), (0, 0, 0), 32, "must be in \\[0, 1\\]"),
        (np.zeros((2, 28, 28), np.uint8), np.ones((3, 3)), (0, 0, 0), 32, "ink must be one colour"),
        (np.zeros((2, 28, 28), np.uint8), (1, 1, 1), (0, 0, 255), 32, "paper colours must be in"),
        (np.zeros((2, 28, 28), np.uint8), (1, 1, 1), (0, 0, 0), 20, "smaller than the digits"),
    ],
)
def test_wrong_inputs_are_refused_with_what_was_expected(images, ink, paper, size, message) -> None:
    with pytest.raises(ValueError, match=message):
        coloured.paint(images, ink, paper, size=size)


def test_wrong_counts_and_distances_are_refused() -> None:
    with pytest.raises(ValueError, match="count"):
        coloured.random_colours(-1)
    with pytest.raises(ValueError, match="min_distance"):
        coloured.random_colours(3, min_distance=2)
