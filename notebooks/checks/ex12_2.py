"""Checks for exercise 12.2, Batch size."""

import math

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex12_2"

RUNNERS = ("Keras model(x)", "LiteRT float32", "LiteRT int8")
SIZES = [1, 8, 64, 256]


def _speeds(images_per_second):
    assert images_per_second is not ... and images_per_second is not None, \
        "`images_per_second` is still `...`: set it to a dict of lists, one per runner."
    keys = sorted(images_per_second) if isinstance(images_per_second, dict) else type(images_per_second).__name__
    assert isinstance(images_per_second, dict) and keys == sorted(RUNNERS), \
        f"`images_per_second` has the keys {keys}; expected {list(RUNNERS)}."
    for runner, speeds in images_per_second.items():
        assert len(speeds) == len(SIZES), \
            f"images_per_second[{runner!r}] has {len(speeds)} values; expected one per batch size {SIZES}."
        for size, speed in zip(SIZES, speeds, strict=True):
            assert isinstance(speed, float | int | np.floating) and math.isfinite(speed) and speed > 0, \
                f"images_per_second[{runner!r}] at batch {size} is {speed!r}; expected a positive number."
    return images_per_second


@test_case(points=1, hidden=False,
           failure_message="For each runner and size: seconds = measuring.median_seconds(lambda: run(x_test[:size])), "
                           "then images per second = size / seconds.")
def test_images_per_second(batch_sizes, images_per_second):
    assert batch_sizes is not ... and batch_sizes is not None, \
        "`batch_sizes` is still `...`: set it to [1, 8, 64, 256]."
    assert list(batch_sizes) == SIZES, f"`batch_sizes` is {batch_sizes!r}; expected {SIZES}."
    speeds = _speeds(images_per_second)
    keras_speeds = speeds["Keras model(x)"]
    assert keras_speeds[-1] > keras_speeds[0], \
        f"model(x) handles {keras_speeds[0]:,.0f} images per second at batch 1 and {keras_speeds[-1]:,.0f} at " \
        "batch 256, fewer: did you store seconds instead of images per second (batch size / seconds)?"


@test_case(points=1, hidden=False,
           failure_message="litert_advantage[i] = images_per_second['LiteRT float32'][i] / "
                           "images_per_second['Keras model(x)'][i]; take the batch size of the smallest.")
def test_the_advantage(litert_advantage, smallest_advantage_at, images_per_second):
    assert litert_advantage is not ... and litert_advantage is not None, \
        "`litert_advantage` is still `...`: set it to LiteRT float32's speed over model(x)'s, per batch size."
    assert smallest_advantage_at is not ... and smallest_advantage_at is not None, \
        "`smallest_advantage_at` is still `...`: set it to the batch size where the advantage is smallest."
    speeds = _speeds(images_per_second)
    expected = [lite / keras for lite, keras in zip(speeds["LiteRT float32"], speeds["Keras model(x)"], strict=True)]
    assert len(litert_advantage) == len(expected), \
        f"`litert_advantage` has {len(litert_advantage)} values; expected {len(expected)}."
    for size, got, want in zip(SIZES, litert_advantage, expected, strict=True):
        assert math.isclose(float(got), want, rel_tol=1e-6), \
            f"litert_advantage at batch {size} is {float(got):.3f}; LiteRT float32 / model(x) there is {want:.3f}."
    expected_size = SIZES[int(np.argmin(expected))]
    assert smallest_advantage_at == expected_size, \
        f"`smallest_advantage_at` is {smallest_advantage_at!r}; the smallest ratio is at batch {expected_size}."
