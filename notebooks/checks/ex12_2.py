"""Checks for exercise 12.2, Batch size."""

import math

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex12_2"

RUNNERS = ("Keras model(x)", "LiteRT float32", "LiteRT int8")
SIZES = [1, 8, 64, 256]


def _speeds(images_per_second):
    assert images_per_second is not ... and images_per_second is not None, tr(
        "`images_per_second` is still `...`: set it to a dict of lists, one per runner.",
        "`images_per_second` 仍是 `...`：请把它设为列表的字典，每个运行器一个。",
    )
    keys = sorted(images_per_second) if isinstance(images_per_second, dict) else type(images_per_second).__name__
    assert isinstance(images_per_second, dict) and keys == sorted(RUNNERS), tr(
        f"`images_per_second` has the keys {keys}; expected {list(RUNNERS)}.",
        f"`images_per_second` 的键是 {keys}；应为 {list(RUNNERS)}。",
    )
    for runner, speeds in images_per_second.items():
        assert len(speeds) == len(SIZES), tr(
            f"images_per_second[{runner!r}] has {len(speeds)} values; expected one per batch size {SIZES}.",
            f"images_per_second[{runner!r}] 有 {len(speeds)} 个值；应为批大小 {SIZES} 每个一个。",
        )
        for size, speed in zip(SIZES, speeds, strict=True):
            assert isinstance(speed, float | int | np.floating) and math.isfinite(speed) and speed > 0, tr(
                f"images_per_second[{runner!r}] at batch {size} is {speed!r}; expected a positive number.",
                f"images_per_second[{runner!r}] 在批大小 {size} 时是 {speed!r}；应为一个正数。",
            )
    return images_per_second


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For each runner and size: seconds = measuring.median_seconds(lambda: run(x_test[:size])), "
               "then images per second = size / seconds.",
               "对每个运行器和大小：seconds = measuring.median_seconds(lambda: run(x_test[:size]))，"
               "然后每秒图像数 = size / seconds。",
           ))
def test_images_per_second(batch_sizes, images_per_second):
    assert batch_sizes is not ... and batch_sizes is not None, tr(
        "`batch_sizes` is still `...`: set it to [1, 8, 64, 256].",
        "`batch_sizes` 仍是 `...`：请把它设为 [1, 8, 64, 256]。",
    )
    assert list(batch_sizes) == SIZES, tr(
        f"`batch_sizes` is {batch_sizes!r}; expected {SIZES}.",
        f"`batch_sizes` 是 {batch_sizes!r}；应为 {SIZES}。",
    )
    speeds = _speeds(images_per_second)
    keras_speeds = speeds["Keras model(x)"]
    assert keras_speeds[-1] > keras_speeds[0], tr(
        f"model(x) handles {keras_speeds[0]:,.0f} images per second at batch 1 and {keras_speeds[-1]:,.0f} at "
        "batch 256, fewer: did you store seconds instead of images per second (batch size / seconds)?",
        f"model(x) 在批大小 1 时每秒处理 {keras_speeds[0]:,.0f} 幅图像，在批大小 256 时是 {keras_speeds[-1]:,.0f}，"
        "反而更少：你是否存的是秒数，而不是每秒图像数（批大小 / 秒数）？",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "litert_advantage[i] = images_per_second['LiteRT float32'][i] / "
               "images_per_second['Keras model(x)'][i]; take the batch size of the smallest.",
               "litert_advantage[i] = images_per_second['LiteRT float32'][i] / "
               "images_per_second['Keras model(x)'][i]；取最小值所在的批大小。",
           ))
def test_the_advantage(litert_advantage, smallest_advantage_at, images_per_second):
    assert litert_advantage is not ... and litert_advantage is not None, tr(
        "`litert_advantage` is still `...`: set it to LiteRT float32's speed over model(x)'s, per batch size.",
        "`litert_advantage` 仍是 `...`：请把它设为每个批大小下 LiteRT float32 的速度与 model(x) 速度之比。",
    )
    assert smallest_advantage_at is not ... and smallest_advantage_at is not None, tr(
        "`smallest_advantage_at` is still `...`: set it to the batch size where the advantage is smallest.",
        "`smallest_advantage_at` 仍是 `...`：请把它设为优势最小时的批大小。",
    )
    speeds = _speeds(images_per_second)
    expected = [lite / keras for lite, keras in zip(speeds["LiteRT float32"], speeds["Keras model(x)"], strict=True)]
    assert len(litert_advantage) == len(expected), tr(
        f"`litert_advantage` has {len(litert_advantage)} values; expected {len(expected)}.",
        f"`litert_advantage` 有 {len(litert_advantage)} 个值；应为 {len(expected)} 个。",
    )
    for size, got, want in zip(SIZES, litert_advantage, expected, strict=True):
        assert math.isclose(float(got), want, rel_tol=1e-6), tr(
            f"litert_advantage at batch {size} is {float(got):.3f}; LiteRT float32 / model(x) there is {want:.3f}.",
            f"批大小 {size} 时 litert_advantage 是 {float(got):.3f}；此时 LiteRT float32 / model(x) 是 {want:.3f}。",
        )
    expected_size = SIZES[int(np.argmin(expected))]
    assert smallest_advantage_at == expected_size, tr(
        f"`smallest_advantage_at` is {smallest_advantage_at!r}; the smallest ratio is at batch {expected_size}.",
        f"`smallest_advantage_at` 是 {smallest_advantage_at!r}；最小的比值出现在批大小 {expected_size}。",
    )
