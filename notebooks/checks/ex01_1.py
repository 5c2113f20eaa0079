"""Checks for exercise 01.1, Average digits."""

import itertools

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex01_1"

SHAPES = ((10, 28, 28), (10, 28, 28, 1), (10, 784))


def _reference_means(x_train_scaled, y_train):
    assert x_train_scaled is not None and y_train is not None, tr(
        "`x_train_scaled` or `y_train` is not defined: run the lesson's cells above the exercises first.",
        "`x_train_scaled` 或 `y_train` 尚未定义：请先运行本课练习之前的单元格。",
    )
    return np.stack([x_train_scaled[y_train == digit].mean(axis=0) for digit in range(10)])


def _distances(means):
    return {(a, b): float(((means[a] - means[b]) ** 2).mean()) for a, b in itertools.combinations(range(10), 2)}


@test_case(points=1, hidden=False,
           failure_message=tr(
               "One mean per digit, in the order 0 to 9: "
               "np.stack([x_train_scaled[y_train == d].mean(axis=0) for d in range(10)]).",
               "每个数字一个均值，按 0 到 9 的顺序："
               "np.stack([x_train_scaled[y_train == d].mean(axis=0) for d in range(10)])。",
           ))
def test_the_ten_means(means, x_train_scaled, y_train):
    assert means is not ... and means is not None, tr(
        "`means` is still `...`: set it to the ten mean images.",
        "`means` 仍是 `...`：请把它设为十幅均值图像。",
    )
    means = np.asarray(means, dtype="float64")
    assert means.shape in SHAPES, tr(
        f"`means` has shape {means.shape}; expected (10, 28, 28): one 28×28 mean image per digit, digit d at index d.",
        f"`means` 的形状是 {means.shape}；应为 (10, 28, 28)：每个数字一幅 28×28 的均值图像，数字 d 位于下标 d。",
    )
    means = means.reshape(10, 28, 28)
    reference = _reference_means(x_train_scaled, y_train)
    assert means.max() <= 1.0 + 1e-6, tr(
        f"`means` reaches {means.max():.1f}: these are raw 0-255 pixels. Average `x_train_scaled`, "
        "the pixels scaled to [0, 1].",
        f"`means` 的最大值达到 {means.max():.1f}：这是 0-255 的原始像素。请对 `x_train_scaled`（归一化到 [0, 1] "
        "的像素）求平均。",
    )
    wrong = [digit for digit in range(10) if not np.allclose(means[digit], reference[digit], atol=1e-4)]
    assert not wrong, tr(
        f"`means[d]` is not the mean image of the digit d for d = {wrong}. "
        "Index d must hold x_train_scaled[y_train == d].mean(axis=0).",
        f"当 d = {wrong} 时，`means[d]` 不是数字 d 的均值图像。"
        "下标 d 处应为 x_train_scaled[y_train == d].mean(axis=0)。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Compare every pair a < b with ((means[a] - means[b]) ** 2).mean() "
               "(itertools.combinations(range(10), 2) lists the 45 pairs) and keep the smallest.",
               "用 ((means[a] - means[b]) ** 2).mean() 比较每一对 a < b"
               "（itertools.combinations(range(10), 2) 列出全部 45 对），取最小的一对。",
           ))
def test_the_closest_pair(closest_pair, closest_distance, x_train_scaled, y_train):
    assert closest_pair is not ... and closest_pair is not None, tr(
        "`closest_pair` is still `...`: set it to the two digits, smaller first, e.g. (3, 5).",
        "`closest_pair` 仍是 `...`：请把它设为这两个数字，小的在前，例如 (3, 5)。",
    )
    assert closest_distance is not ... and closest_distance is not None, tr(
        "`closest_distance` is still `...`: set it to the mean squared difference of the closest pair's means.",
        "`closest_distance` 仍是 `...`：请把它设为最接近的那一对数字的均值之间的均方差。",
    )
    distances = _distances(_reference_means(x_train_scaled, y_train))
    expected_pair = min(distances, key=distances.get)
    try:
        pair = tuple(sorted(int(digit) for digit in closest_pair))
    except (TypeError, ValueError):
        raise AssertionError(
            tr(
                f"`closest_pair` is {closest_pair!r}; expected a tuple of two digits, e.g. (3, 5).",
                f"`closest_pair` 是 {closest_pair!r}；应为由两个数字组成的元组，例如 (3, 5)。",
            )
        ) from None
    assert len(pair) == 2 and all(0 <= digit <= 9 for digit in pair), tr(
        f"`closest_pair` is {closest_pair!r}; expected two digits from 0 to 9, e.g. (3, 5).",
        f"`closest_pair` 是 {closest_pair!r}；应为 0 到 9 之间的两个数字，例如 (3, 5)。",
    )
    assert pair[0] != pair[1], tr(
        f"`closest_pair` is {closest_pair!r}: two *different* digits are wanted.",
        f"`closest_pair` 是 {closest_pair!r}：需要两个*不同*的数字。",
    )
    assert pair == expected_pair, tr(
        f"`closest_pair` is {pair}, whose means differ by {distances[pair]:.5f}; "
        f"another pair differs by only {distances[expected_pair]:.5f}.",
        f"`closest_pair` 是 {pair}，其均值相差 {distances[pair]:.5f}；"
        f"另有一对只相差 {distances[expected_pair]:.5f}。",
    )
    distance = float(closest_distance)
    expected = distances[expected_pair]
    assert not np.isclose(distance, expected * 784, rtol=1e-3), tr(
        f"`closest_distance` is {distance:.4f}, 784 times too large: use .mean() over the pixels, not .sum().",
        f"`closest_distance` 是 {distance:.4f}，大了 784 倍：应对像素用 .mean()，而不是 .sum()。",
    )
    assert np.isclose(distance, expected, rtol=1e-3), tr(
        f"`closest_distance` is {distance:.6f}; the mean squared difference of the means of "
        f"{pair[0]} and {pair[1]} is {expected:.6f}.",
        f"`closest_distance` 是 {distance:.6f}；{pair[0]} 与 {pair[1]} 的均值之间的均方差是 {expected:.6f}。",
    )
