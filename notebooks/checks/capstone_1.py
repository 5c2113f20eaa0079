"""Checks for the capstone's exercise 1, The digits, prepared and split.

The reference digits are loaded here with ``data.load_mnist(source="bundled")``, as the question asks:
the checks compare the student's arrays with them instead of trusting them.
"""

from collections import Counter
from functools import lru_cache

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "capstone_1"


@lru_cache(maxsize=1)
def bundled():
    """``(x_train, y_train, x_test, y_test)`` as ``data.load_mnist(source="bundled")`` gives them (uint8)."""
    from course_utils import data

    (x_train, y_train), (x_test, y_test) = data.load_mnist(source="bundled", verbose=False)
    return x_train, y_train, x_test, y_test


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it as the question says."


def digit_keys(images, labels):
    """One key per (image, label) pair, from the pixels as uint8: equal digits give equal keys."""
    pixels = np.round(np.asarray(images, dtype=np.float32) * 255).astype(np.uint8).reshape(len(images), -1)
    labels = np.asarray(labels).astype(np.uint8)
    return Counter(row.tobytes() + bytes([label]) for row, label in zip(pixels, labels, strict=True))


@test_case(points=1, hidden=False,
           failure_message="data.prepare(images) gives float32 (N, 28, 28, 1) in [0, 1]; the labels stay "
                           "integer arrays of shape (N,), one per image.")
def test_six_arrays_shaped_for_a_cnn(x_train, y_train, x_val, y_val, x_test, y_test):
    require(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, x_test=x_test, y_test=y_test)
    parts = {"train": (x_train, y_train), "val": (x_val, y_val), "test": (x_test, y_test)}
    for part, (images, labels) in parts.items():
        assert isinstance(images, np.ndarray), f"`x_{part}` is a {type(images).__name__}, expected a NumPy array"
        assert images.dtype == np.float32 and images.shape[1:] == (28, 28, 1), (
            f"`x_{part}` is {images.dtype} {images.shape}, expected float32 (N, 28, 28, 1): use data.prepare")
        assert len(images), f"`x_{part}` holds no image"
        assert images.min() >= 0 and images.max() <= 1, (
            f"`x_{part}` spans [{images.min():.3g}, {images.max():.3g}], expected pixels scaled to [0, 1]")
        labels = np.asarray(labels)
        assert labels.shape == (len(images),), (
            f"`y_{part}` has shape {labels.shape} for {len(images):,} images, expected ({len(images)},): "
            "integer labels, one per image (not one-hot)")
        assert labels.dtype.kind in "iu" and labels.min() >= 0 and labels.max() <= 9, (
            f"`y_{part}` is {labels.dtype} from {labels.min()} to {labels.max()}, expected integer digits 0-9")


@test_case(points=1, hidden=False,
           failure_message='Keep every test digit of data.load_mnist(source="bundled"), in its order, only '
                           "prepared: the test digits are not split, shuffled or filtered.")
def test_the_test_digits_are_the_bundled_ones(x_test, y_test):
    require(x_test=x_test, y_test=y_test)
    _, _, expected_images, expected_labels = bundled()
    assert len(x_test) == len(expected_images), (
        f"`x_test` holds {len(x_test):,} digits; data.load_mnist(source='bundled') gives {len(expected_images):,} "
        "test digits in this mode")
    assert np.array_equal(np.asarray(y_test), expected_labels), (
        "`y_test` differs from the bundled test labels (or their order)")
    assert np.allclose(np.asarray(x_test)[..., 0], expected_images / 255, atol=1e-6), (
        "`x_test` differs from the bundled test images scaled to [0, 1] (or their order)")


@test_case(points=1, hidden=False,
           failure_message="Split the bundled training digits with data.stratified_split(y, test_size=len(y) // 10) "
                           "and index images and labels with the same indices (notebook 04).")
def test_validation_is_carved_from_the_training_digits(x_train, y_train, x_val, y_val):
    require(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val)
    expected_images, expected_labels, _, _ = bundled()
    total = len(x_train) + len(x_val)
    assert total == len(expected_images), (
        f"`x_train` ({len(x_train):,}) and `x_val` ({len(x_val):,}) hold {total:,} digits together; the bundled "
        f"training digits are {len(expected_images):,}: every one goes to exactly one of them")
    share = len(x_val) / total
    for variable, images, labels in (("y_train", x_train, y_train), ("y_val", x_val, y_val)):
        assert np.shape(labels) == (len(images),), (
            f"`{variable}` has shape {np.shape(labels)} for {len(images):,} images, expected one integer label per "
            "image (not one-hot)")
    assert 0.05 <= share <= 0.3, f"the validation set is {share:.0%} of the training digits; keep about 10% back"
    together = digit_keys(x_train, y_train) + digit_keys(x_val, y_val)
    assert together == digit_keys(expected_images / 255, expected_labels), (
        "`x_train` and `x_val` with their labels are not the bundled training digits: test digits slipped in, "
        "a digit is in both parts, or images and labels were indexed differently")
    missing = sorted(set(range(10)) - set(np.unique(np.asarray(y_val)).tolist()))
    assert not missing, f"`y_val` has no digit {missing}; a stratified split keeps every digit's share"
