"""Checks for exercise 11.3, Feature extraction, the fast way."""

import math

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex11_3"

SPOT = 16


def _base_features(base_path, x):
    from course_utils import transfer

    base = transfer.build_conv_base()
    base.load_weights(base_path)
    return np.asarray(base(x, training=False), dtype=np.float64)


def _close(stored, expected):
    """Features from predict and from a direct call differ by rounding only (16-bit under mixed precision)."""
    scale = max(1.0, float(np.abs(expected).max()))
    return float(np.abs(np.asarray(stored, dtype=np.float64) - expected).max()) <= 0.05 * scale


@test_case(points=1, hidden=False,
           failure_message=tr(
               "few_features = np.asarray(base.predict(x_sample, verbose=0), dtype='float32') for "
               "the digits of data.subsample(x_target, y_target, n_labels, seed=0), with the "
               "pretrained base; the same for x_target_test.",
               "对 data.subsample(x_target, y_target, n_labels, seed=0) 中的数字，用预训练的卷积基计算 "
               "few_features = np.asarray(base.predict(x_sample, verbose=0), dtype='float32')；"
               "对 x_target_test 也一样。",
           ))
def test_the_features(few_features, test_features, base_path, data, x_target, y_target, n_labels, x_target_test):
    assert few_features is not ... and few_features is not None, tr(
        "`few_features` is still `...`: set it to the frozen base's features of the labelled digits.",
        "`few_features` 仍是 `...`：请把它设为冻结的卷积基对有标签数字提取的特征。",
    )
    assert test_features is not ... and test_features is not None, tr(
        "`test_features` is still `...`: set it to the frozen base's features of x_target_test.",
        "`test_features` 仍是 `...`：请把它设为冻结的卷积基对 x_target_test 提取的特征。",
    )
    few, test = np.asarray(few_features), np.asarray(test_features)
    x_sample, _ = data.subsample(x_target, y_target, n_labels, seed=0)
    assert few.shape == (len(x_sample), 576), tr(
        f"`few_features` has shape {few.shape}; expected {(len(x_sample), 576)}: 576 features for each of the "
        f"{len(x_sample)} labelled digits.",
        f"`few_features` 的形状是 {few.shape}；应为 {(len(x_sample), 576)}：{len(x_sample)} 个有标签数字"
        "每个 576 个特征。",
    )
    assert test.shape == (len(x_target_test), 576), tr(
        f"`test_features` has shape {test.shape}; expected {(len(x_target_test), 576)}.",
        f"`test_features` 的形状是 {test.shape}；应为 {(len(x_target_test), 576)}。",
    )
    assert few.dtype == np.float32 and test.dtype == np.float32, tr(
        f"the features are {few.dtype} and {test.dtype}; convert them with np.asarray(..., dtype='float32').",
        f"特征的类型是 {few.dtype} 和 {test.dtype}；请用 np.asarray(..., dtype='float32') 转换。",
    )
    assert _close(few[:SPOT], _base_features(base_path, x_sample[:SPOT])), tr(
        "`few_features` are not the pretrained base's features of data.subsample(x_target, y_target, n_labels, "
        "seed=0): use pretrained_base() (frozen) on those digits, in that order.",
        "`few_features` 不是预训练的卷积基对 data.subsample(x_target, y_target, n_labels, "
        "seed=0) 提取的特征：请按原顺序对这些数字使用（冻结的）pretrained_base()。",
    )
    assert _close(test[:SPOT], _base_features(base_path, x_target_test[:SPOT])), tr(
        "`test_features` are not the pretrained base's features of x_target_test, in order.",
        "`test_features` 不是预训练的卷积基按顺序对 x_target_test 提取的特征。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Train a model of the head alone (Input(576) -> Dropout(0.3) -> Dense(5, softmax)) on "
               "few_features, then measure it on test_features and y_target_test.",
               "在 few_features 上训练一个只有分类头的模型（Input(576) -> Dropout(0.3) -> Dense(5, softmax)），"
               "然后在 test_features 和 y_target_test 上度量它。",
           ))
def test_the_head_and_its_accuracy(feature_head, features_accuracy, test_features, y_target_test):
    assert feature_head is not ... and feature_head is not None, tr(
        "`feature_head` is still `...`: set it to the head trained on the features.",
        "`feature_head` 仍是 `...`：请把它设为在特征上训练的分类头。",
    )
    assert features_accuracy is not ... and features_accuracy is not None, tr(
        "`features_accuracy` is still `...`: set it to the head's test accuracy.",
        "`features_accuracy` 仍是 `...`：请把它设为分类头的测试准确率。",
    )
    assert hasattr(feature_head, "input_shape") and hasattr(feature_head, "predict"), tr(
        f"`feature_head` is a {type(feature_head).__name__}; expected a Keras model.",
        f"`feature_head` 是 {type(feature_head).__name__}；应为 Keras 模型。",
    )
    assert tuple(feature_head.input_shape)[1:] == (576,), tr(
        f"`feature_head` takes input of shape {feature_head.input_shape}; expected (None, 576): the features.",
        f"`feature_head` 的输入形状是 {feature_head.input_shape}；应为 (None, 576)：即特征。",
    )
    assert tuple(feature_head.output_shape)[1:] == (5,), tr(
        f"`feature_head` outputs shape {feature_head.output_shape}; expected (None, 5): one probability per digit 5-9.",
        f"`feature_head` 的输出形状是 {feature_head.output_shape}；应为 (None, 5)：数字 5-9 各一个概率。",
    )
    assert test_features is not None and test_features is not ..., tr(
        "set `test_features` first.",
        "请先设置 `test_features`。",
    )
    probabilities = np.asarray(feature_head(np.asarray(test_features, dtype=np.float32), training=False))
    expected = float(np.mean(probabilities.argmax(axis=1) == np.asarray(y_target_test)))
    assert math.isclose(float(features_accuracy), expected, abs_tol=1.5 / len(y_target_test)), tr(
        f"`features_accuracy` is {float(features_accuracy):.4f}; feature_head scores {expected:.4f} on "
        "test_features and y_target_test.",
        f"`features_accuracy` 是 {float(features_accuracy):.4f}；feature_head 在 test_features 和 y_target_test 上"
        f"得分 {expected:.4f}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Time both trainings with time.perf_counter() (the feature computation counts for the "
               "fast way), then speedup = seconds_end_to_end / seconds_with_features.",
               "用 time.perf_counter() 为两种训练计时（快的方法要把计算特征的时间算进去），"
               "然后 speedup = seconds_end_to_end / seconds_with_features。",
           ))
def test_the_timings(seconds_end_to_end, seconds_with_features, speedup):
    for label, value in (("seconds_end_to_end", seconds_end_to_end), ("seconds_with_features", seconds_with_features),
                         ("speedup", speedup)):
        assert value is not ... and value is not None, tr(
            f"`{label}` is still `...`: set it to a number.",
            f"`{label}` 仍是 `...`：请把它设为一个数。",
        )
        assert isinstance(value, float | int | np.floating) and math.isfinite(value) and value > 0, tr(
            f"`{label}` is {value!r}; expected a positive number.",
            f"`{label}` 是 {value!r}；应为一个正数。",
        )
    expected = float(seconds_end_to_end) / float(seconds_with_features)
    assert math.isclose(float(speedup), expected, rel_tol=1e-6), tr(
        f"`speedup` is {float(speedup):.3f}; seconds_end_to_end / seconds_with_features is {expected:.3f}.",
        f"`speedup` 是 {float(speedup):.3f}；seconds_end_to_end / seconds_with_features 是 {expected:.3f}。",
    )
