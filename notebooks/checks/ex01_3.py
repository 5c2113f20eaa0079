"""Checks for exercise 01.3, Why convolutions?"""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex01_3"


def _the_digit(x_train):
    assert x_train is not None, tr(
        "`x_train` is not defined: run the lesson's cells above the exercises first.",
        "`x_train` 尚未定义：请先运行本课练习之前的单元格。",
    )
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
           failure_message=tr(
               "shifted_digit = np.roll(digit, 3, axis=1) with digit = x_train[0]; then compare "
               "element by element: (shifted_digit != digit).mean().",
               "shifted_digit = np.roll(digit, 3, axis=1)，其中 digit = x_train[0]；然后逐元素比较："
               "(shifted_digit != digit).mean()。",
           ))
def test_the_shifted_pixels(shifted_digit, changed_fraction, x_train):
    assert shifted_digit is not ... and shifted_digit is not None, tr(
        "`shifted_digit` is still `...`: set it to np.roll(digit, 3, axis=1).",
        "`shifted_digit` 仍是 `...`：请把它设为 np.roll(digit, 3, axis=1)。",
    )
    assert changed_fraction is not ... and changed_fraction is not None, tr(
        "`changed_fraction` is still `...`: set it to the fraction of the 784 pixel values that changed.",
        "`changed_fraction` 仍是 `...`：请把它设为 784 个像素值中发生变化的比例。",
    )
    digit = _the_digit(x_train)
    expected_image = np.roll(digit, 3, axis=1)
    seen = np.asarray(shifted_digit, dtype="float64")
    assert seen.size == 784, tr(
        f"`shifted_digit` has shape {seen.shape}; expected one 28×28 digit.",
        f"`shifted_digit` 的形状是 {seen.shape}；应为一个 28×28 的数字。",
    )
    seen = seen.reshape(28, 28)
    scale = 255.0 if seen.max() <= 1.0 and digit.max() > 1 else 1.0
    if not np.allclose(seen * scale, expected_image, atol=0.5):
        left = np.allclose(seen * scale, np.roll(digit, -3, axis=1), atol=0.5)
        rows = np.allclose(seen * scale, np.roll(digit, 3, axis=0), atol=0.5)
        where = (
            tr(" It moved left: use +3.", "它向左移动了：请用 +3。") if left
            else tr(" It moved down: axis=1 is the columns.", "它向下移动了：axis=1 才是列方向。") if rows
            else ""
        )
        raise AssertionError(tr(
            f"`shifted_digit` is not x_train[0] moved 3 pixels to the right.{where}",
            f"`shifted_digit` 不是把 x_train[0] 向右平移 3 个像素的结果。{where}",
        ))
    expected = float((expected_image != digit).mean())
    fraction = float(changed_fraction)
    assert not np.isclose(fraction, expected * 784, rtol=1e-6), tr(
        f"`changed_fraction` is {fraction:g}, a count of pixels: divide it by 784 for a fraction.",
        f"`changed_fraction` 是 {fraction:g}，这是像素个数：除以 784 得到比例。",
    )
    assert not np.isclose(fraction, expected * 100, rtol=1e-6), tr(
        f"`changed_fraction` is {fraction:g}, which looks like a percentage: give a fraction between 0 and 1.",
        f"`changed_fraction` 是 {fraction:g}，看起来是百分数：请给出 0 到 1 之间的比例。",
    )
    assert np.isclose(fraction, expected, atol=1e-6), tr(
        f"`changed_fraction` is {fraction:.4f}; {expected:.4f} of the 784 pixel values differ after the shift.",
        f"`changed_fraction` 是 {fraction:.4f}；平移后 784 个像素值中有 {expected:.4f} 发生了变化。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Make one layer, probe_conv = keras.layers.Conv2D(8, kernel_size=3), and call that same "
               "layer on data.prepare(digit[np.newaxis]) and on data.prepare(shifted_digit[np.newaxis]).",
               "创建一个层 probe_conv = keras.layers.Conv2D(8, kernel_size=3)，并用这同一个层分别处理 "
               "data.prepare(digit[np.newaxis]) 和 data.prepare(shifted_digit[np.newaxis])。",
           ))
def test_the_two_feature_maps(probe_conv, maps, shifted_maps, x_train):
    assert probe_conv is not ... and probe_conv is not None, tr(
        "`probe_conv` is still `...`: set it to keras.layers.Conv2D(8, kernel_size=3).",
        "`probe_conv` 仍是 `...`：请把它设为 keras.layers.Conv2D(8, kernel_size=3)。",
    )
    for variable, value in (("maps", maps), ("shifted_maps", shifted_maps)):
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it to probe_conv's output, as a NumPy array.",
            f"`{variable}` 仍是 `...`：请把它设为 probe_conv 的输出（NumPy 数组）。",
        )
    assert _is_conv2d(probe_conv), tr(
        f"`probe_conv` is a {type(probe_conv).__name__}; expected a keras.layers.Conv2D.",
        f"`probe_conv` 是 {type(probe_conv).__name__}；应为 keras.layers.Conv2D。",
    )
    digit = _the_digit(x_train)
    expected_maps = np.asarray(probe_conv(_as_batch(digit)), dtype="float32")
    expected_shifted = np.asarray(probe_conv(_as_batch(np.roll(digit, 3, axis=1))), dtype="float32")
    for variable, value, expected in (("maps", maps, expected_maps), ("shifted_maps", shifted_maps, expected_shifted)):
        value = np.asarray(value, dtype="float32")
        assert value.shape == expected.shape, tr(
            f"`{variable}` has shape {value.shape}; probe_conv gives {expected.shape} for one prepared digit "
            "(a batch of one, with the channel axis).",
            f"`{variable}` 的形状是 {value.shape}；对一个预处理后的数字，probe_conv 给出 {expected.shape}"
            "（批大小为 1，带通道轴）。",
        )
        assert np.allclose(value, expected, rtol=1e-2, atol=1e-3), tr(
            f"`{variable}` differs from probe_conv's output for the prepared digit by up to "
            f"{np.abs(value - expected).max():.4f}. Prepare with data.prepare (scaled to [0, 1]) "
            "and call probe_conv itself.",
            f"`{variable}` 与 probe_conv 对预处理后数字的输出最多相差 "
            f"{np.abs(value - expected).max():.4f}。请用 data.prepare 预处理（归一化到 [0, 1]），"
            "并直接调用 probe_conv。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Line the maps up along the width (axis 2): "
               "np.abs(shifted_maps[:, :, 3:] - maps[:, :, :-3]).max().",
               "沿宽度方向（axis 2）把特征图对齐："
               "np.abs(shifted_maps[:, :, 3:] - maps[:, :, :-3]).max()。",
           ))
def test_the_aligned_maps(largest_aligned_difference, maps, shifted_maps):
    assert largest_aligned_difference is not ... and largest_aligned_difference is not None, tr(
        "`largest_aligned_difference` is still `...`: set it to the largest difference of the lined-up maps.",
        "`largest_aligned_difference` 仍是 `...`：请把它设为对齐后特征图的最大差值。",
    )
    assert maps is not ... and maps is not None and shifted_maps is not ... and shifted_maps is not None, tr(
        "`maps` and `shifted_maps` must be set first.",
        "必须先设置 `maps` 和 `shifted_maps`。",
    )
    maps, shifted_maps = np.asarray(maps, dtype="float32"), np.asarray(shifted_maps, dtype="float32")
    expected = float(np.abs(shifted_maps[:, :, 3:] - maps[:, :, :-3]).max())
    value = float(largest_aligned_difference)
    unaligned = float(np.abs(shifted_maps - maps).max())
    assert not (np.isclose(value, unaligned, atol=1e-6) and unaligned > 1e-3), tr(
        f"`largest_aligned_difference` is {value:.4f}: that compares the maps without lining them up. "
        "Compare shifted_maps[:, :, 3:] with maps[:, :, :-3].",
        f"`largest_aligned_difference` 是 {value:.4f}：这是未对齐就比较特征图的结果。"
        "请比较 shifted_maps[:, :, 3:] 与 maps[:, :, :-3]。",
    )
    assert np.isclose(value, expected, atol=1e-5), tr(
        f"`largest_aligned_difference` is {value:.6f}; the lined-up maps differ by at most {expected:.6f}.",
        f"`largest_aligned_difference` 是 {value:.6f}；对齐后的特征图最多相差 {expected:.6f}。",
    )
