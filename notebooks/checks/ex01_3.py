"""Checks for exercise 01.3, Why convolutions?"""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex01_3"


def _the_digit(x_train):
    assert x_train is not None, "`x_train` is not defined: run the lesson's cells above the exercises first."
    return np.asarray(x_train[0])


def _as_batch(image):
    """One 28×28 image as the (1, 28, 28, 1) float32 batch in [0, 1] that data.prepare gives."""
    image = np.asarray(image, dtype="float32").reshape(28, 28)
    if image.max() > 1.0:
        image = image / 255
    return image[np.newaxis, :, :, np.newaxis]


def _is_conv2d(layer):
    return any(cls.__name__ == "Conv2D" for cls in type(layer).__mro__)


@test_case(points=1, hidden=False,
           failure_message="shifted_digit = np.roll(digit, 3, axis=1) with digit = x_train[0]; then compare "
                           "element by element: (shifted_digit != digit).mean().")
def test_the_shifted_pixels(shifted_digit, changed_fraction, x_train):
    assert shifted_digit is not ... and shifted_digit is not None, (
        "`shifted_digit` is still `...`: set it to np.roll(digit, 3, axis=1)."
    )
    assert changed_fraction is not ... and changed_fraction is not None, (
        "`changed_fraction` is still `...`: set it to the fraction of the 784 pixel values that changed."
    )
    digit = _the_digit(x_train)
    expected_image = np.roll(digit, 3, axis=1)
    seen = np.asarray(shifted_digit, dtype="float64")
    assert seen.size == 784, f"`shifted_digit` has shape {seen.shape}; expected one 28×28 digit."
    seen = seen.reshape(28, 28)
    scale = 255.0 if seen.max() <= 1.0 and digit.max() > 1 else 1.0
    if not np.allclose(seen * scale, expected_image, atol=0.5):
        left = np.allclose(seen * scale, np.roll(digit, -3, axis=1), atol=0.5)
        rows = np.allclose(seen * scale, np.roll(digit, 3, axis=0), atol=0.5)
        where = " It moved left: use +3." if left else " It moved down: axis=1 is the columns." if rows else ""
        raise AssertionError(f"`shifted_digit` is not x_train[0] moved 3 pixels to the right.{where}")
    expected = float((expected_image != digit).mean())
    fraction = float(changed_fraction)
    assert not np.isclose(fraction, expected * 784, rtol=1e-6), (
        f"`changed_fraction` is {fraction:g}, a count of pixels: divide it by 784 for a fraction."
    )
    assert not np.isclose(fraction, expected * 100, rtol=1e-6), (
        f"`changed_fraction` is {fraction:g}, which looks like a percentage: give a fraction between 0 and 1."
    )
    assert np.isclose(fraction, expected, atol=1e-6), (
        f"`changed_fraction` is {fraction:.4f}; {expected:.4f} of the 784 pixel values differ after the shift."
    )


@test_case(points=1, hidden=False,
           failure_message="Make one layer, probe_conv = keras.layers.Conv2D(8, kernel_size=3), and call that same "
                           "layer on data.prepare(digit[np.newaxis]) and on data.prepare(shifted_digit[np.newaxis]).")
def test_the_two_feature_maps(probe_conv, maps, shifted_maps, x_train):
    assert probe_conv is not ... and probe_conv is not None, (
        "`probe_conv` is still `...`: set it to keras.layers.Conv2D(8, kernel_size=3)."
    )
    for variable, value in (("maps", maps), ("shifted_maps", shifted_maps)):
        assert value is not ... and value is not None, (
            f"`{variable}` is still `...`: set it to probe_conv's output, as a NumPy array."
        )
    assert _is_conv2d(probe_conv), f"`probe_conv` is a {type(probe_conv).__name__}; expected a keras.layers.Conv2D."
    digit = _the_digit(x_train)
    expected_maps = np.asarray(probe_conv(_as_batch(digit)), dtype="float32")
    expected_shifted = np.asarray(probe_conv(_as_batch(np.roll(digit, 3, axis=1))), dtype="float32")
    for variable, value, expected in (("maps", maps, expected_maps), ("shifted_maps", shifted_maps, expected_shifted)):
        value = np.asarray(value, dtype="float32")
        assert value.shape == expected.shape, (
            f"`{variable}` has shape {value.shape}; probe_conv gives {expected.shape} for one prepared digit "
            "(a batch of one, with the channel axis)."
        )
        assert np.allclose(value, expected, rtol=1e-2, atol=1e-3), (
            f"`{variable}` differs from probe_conv's output for the prepared digit by up to "
            f"{np.abs(value - expected).max():.4f}. Prepare with data.prepare (scaled to [0, 1]) "
            "and call probe_conv itself."
        )


@test_case(points=1, hidden=False,
           failure_message="Line the maps up along the width (axis 2): "
                           "np.abs(shifted_maps[:, :, 3:] - maps[:, :, :-3]).max().")
def test_the_aligned_maps(largest_aligned_difference, maps, shifted_maps):
    assert largest_aligned_difference is not ... and largest_aligned_difference is not None, (
        "`largest_aligned_difference` is still `...`: set it to the largest difference of the lined-up maps."
    )
    assert maps is not ... and maps is not None and shifted_maps is not ... and shifted_maps is not None, (
        "`maps` and `shifted_maps` must be set first."
    )
    maps, shifted_maps = np.asarray(maps, dtype="float32"), np.asarray(shifted_maps, dtype="float32")
    expected = float(np.abs(shifted_maps[:, :, 3:] - maps[:, :, :-3]).max())
    value = float(largest_aligned_difference)
    unaligned = float(np.abs(shifted_maps - maps).max())
    assert not (np.isclose(value, unaligned, atol=1e-6) and unaligned > 1e-3), (
        f"`largest_aligned_difference` is {value:.4f}: that compares the maps without lining them up. "
        "Compare shifted_maps[:, :, 3:] with maps[:, :, :-3]."
    )
    assert np.isclose(value, expected, atol=1e-5), (
        f"`largest_aligned_difference` is {value:.6f}; the lined-up maps differ by at most {expected:.6f}."
    )
