"""Checks for the capstone's exercise 1, The digits, prepared and split.

The reference digits are loaded here with ``data.load_mnist(source="bundled")``, as the question asks:
the checks compare the student's arrays with them instead of trusting them.
"""

from collections import Counter
from functools import lru_cache

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

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
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it as the question says.",
            f"`{variable}` 仍是 `...`：请按题目要求设置它。",
        )


def digit_keys(images, labels):
    """One key per (image, label) pair, from the pixels as uint8: equal digits give equal keys."""
    pixels = np.round(np.asarray(images, dtype=np.float32) * 255).astype(np.uint8).reshape(len(images), -1)
    labels = np.asarray(labels).astype(np.uint8)
    return Counter(row.tobytes() + bytes([label]) for row, label in zip(pixels, labels, strict=True))


@test_case(points=1, hidden=False,
           failure_message=tr(
               "data.prepare(images) gives float32 (N, 28, 28, 1) in [0, 1]; the labels stay "
               "integer arrays of shape (N,), one per image.",
               "data.prepare(images) 给出 [0, 1] 内的 float32 (N, 28, 28, 1)；标签仍是"
               "形状为 (N,) 的整数数组，每幅图像一个。",
           ))
def test_six_arrays_shaped_for_a_cnn(x_train, y_train, x_val, y_val, x_test, y_test):
    require(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, x_test=x_test, y_test=y_test)
    parts = {"train": (x_train, y_train), "val": (x_val, y_val), "test": (x_test, y_test)}
    for part, (images, labels) in parts.items():
        assert isinstance(images, np.ndarray), tr(
            f"`x_{part}` is a {type(images).__name__}, expected a NumPy array",
            f"`x_{part}` 是 {type(images).__name__}，应为 NumPy 数组",
        )
        assert images.dtype == np.float32 and images.shape[1:] == (28, 28, 1), tr(
            f"`x_{part}` is {images.dtype} {images.shape}, expected float32 (N, 28, 28, 1): use data.prepare",
            f"`x_{part}` 是 {images.dtype} {images.shape}，应为 float32 (N, 28, 28, 1)：请使用 data.prepare",
        )
        assert len(images), tr(
            f"`x_{part}` holds no image",
            f"`x_{part}` 中没有图像",
        )
        assert images.min() >= 0 and images.max() <= 1, tr(
            f"`x_{part}` spans [{images.min():.3g}, {images.max():.3g}], expected pixels scaled to [0, 1]",
            f"`x_{part}` 的范围是 [{images.min():.3g}, {images.max():.3g}]，应为归一化到 [0, 1] 的像素",
        )
        labels = np.asarray(labels)
        assert labels.shape == (len(images),), tr(
            f"`y_{part}` has shape {labels.shape} for {len(images):,} images, expected ({len(images)},): "
            "integer labels, one per image (not one-hot)",
            f"`y_{part}` 的形状是 {labels.shape}，对应 {len(images):,} 幅图像，应为 ({len(images)},)："
            "整数标签，每幅图像一个（不是独热编码）",
        )
        assert labels.dtype.kind in "iu" and labels.min() >= 0 and labels.max() <= 9, tr(
            f"`y_{part}` is {labels.dtype} from {labels.min()} to {labels.max()}, expected integer digits 0-9",
            f"`y_{part}` 是 {labels.dtype}，取值从 {labels.min()} 到 {labels.max()}，应为 0-9 的整数数字",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               'Keep every test digit of data.load_mnist(source="bundled"), in its order, only '
               "prepared: the test digits are not split, shuffled or filtered.",
               "保留 data.load_mnist(source=\"bundled\") 的每个测试数字，保持原顺序，只做"
               "预处理：测试数字不划分、不打乱、不筛选。",
           ))
def test_the_test_digits_are_the_bundled_ones(x_test, y_test):
    require(x_test=x_test, y_test=y_test)
    _, _, expected_images, expected_labels = bundled()
    assert len(x_test) == len(expected_images), tr(
        f"`x_test` holds {len(x_test):,} digits; data.load_mnist(source='bundled') gives {len(expected_images):,} "
        "test digits in this mode",
        f"`x_test` 含有 {len(x_test):,} 个数字；在此模式下 data.load_mnist(source='bundled') 给出 "
        f"{len(expected_images):,} "
        "个测试数字",
    )
    assert np.array_equal(np.asarray(y_test), expected_labels), tr(
        "`y_test` differs from the bundled test labels (or their order)",
        "`y_test` 与随课程附带的测试标签（或其顺序）不同",
    )
    assert np.allclose(np.asarray(x_test)[..., 0], expected_images / 255, atol=1e-6), tr(
        "`x_test` differs from the bundled test images scaled to [0, 1] (or their order)",
        "`x_test` 与归一化到 [0, 1] 的随课程附带的测试图像（或其顺序）不同",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Split the bundled training digits with data.stratified_split(y, test_size=len(y) // 10) "
               "and index images and labels with the same indices (notebook 04).",
               "用 data.stratified_split(y, test_size=len(y) // 10) 划分随课程附带的训练数字，"
               "并用相同的下标索引图像和标签（笔记本 04）。",
           ))
def test_validation_is_carved_from_the_training_digits(x_train, y_train, x_val, y_val):
    require(x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val)
    expected_images, expected_labels, _, _ = bundled()
    total = len(x_train) + len(x_val)
    assert total == len(expected_images), tr(
        f"`x_train` ({len(x_train):,}) and `x_val` ({len(x_val):,}) hold {total:,} digits together; the bundled "
        f"training digits are {len(expected_images):,}: every one goes to exactly one of them",
        f"`x_train`（{len(x_train):,}）和 `x_val`（{len(x_val):,}）合起来有 {total:,} 个数字；随课程附带的"
        f"训练数字有 {len(expected_images):,} 个：每个数字都应恰好属于其中之一",
    )
    share = len(x_val) / total
    for variable, images, labels in (("y_train", x_train, y_train), ("y_val", x_val, y_val)):
        assert np.shape(labels) == (len(images),), tr(
            f"`{variable}` has shape {np.shape(labels)} for {len(images):,} images, expected one integer label per "
            "image (not one-hot)",
            f"`{variable}` 的形状是 {np.shape(labels)}，对应 {len(images):,} 幅图像，应为每幅图像一个整数"
            "标签（不是独热编码）",
        )
    assert 0.05 <= share <= 0.3, tr(
        f"the validation set is {share:.0%} of the training digits; keep about 10% back",
        f"验证集占训练数字的 {share:.0%}；请留出大约 10%",
    )
    together = digit_keys(x_train, y_train) + digit_keys(x_val, y_val)
    assert together == digit_keys(expected_images / 255, expected_labels), tr(
        "`x_train` and `x_val` with their labels are not the bundled training digits: test digits slipped in, "
        "a digit is in both parts, or images and labels were indexed differently",
        "`x_train` 和 `x_val` 及其标签不是随课程附带的训练数字：混入了测试数字，"
        "有数字同时出现在两部分中，或者图像和标签的索引方式不同",
    )
    missing = sorted(set(range(10)) - set(np.unique(np.asarray(y_val)).tolist()))
    assert not missing, tr(
        f"`y_val` has no digit {missing}; a stratified split keeps every digit's share",
        f"`y_val` 中没有数字 {missing}；分层划分会保持每个数字所占的比例",
    )
