"""Checks for exercise 10.2, How many members?"""

import math
import numbers

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex10_2"

#: How close to the best validation accuracy counts as "flat" (the exercise's rule).
PLATEAU = 0.002
#: Probabilities from predict (batches of 512) and from a direct call (a few digits) differ by rounding only.
TOLERANCE = 2e-2
SPOT = 32


def _direct(member, x):
    return np.asarray(member(x, training=False), dtype=np.float64)


def _curve(probabilities, y):
    probabilities = np.asarray(probabilities, dtype=np.float64)
    return [float(np.mean(probabilities[:k].mean(axis=0).argmax(axis=1) == y))
            for k in range(1, len(probabilities) + 1)]


def _plateau_ks(curve):
    """The first k within PLATEAU of the best; both answers when a value sits on the boundary (float rounding)."""
    best = max(curve)
    return sorted({next(k for k, value in enumerate(curve, start=1) if value >= best - PLATEAU + slack)
                   for slack in (-1e-9, 1e-9)})


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Train new members with train_member(f'size_{i}', seed=200 + i, x=x_fit, y=y_fit) "
               "for i in range(config.pick(full=6, fast=3)).",
               "对 i in range(config.pick(full=6, fast=3))，用 train_member(f'size_{i}', seed=200 + i, x=x_fit, "
               "y=y_fit) "
               "训练新的成员。",
           ))
def test_new_members_that_never_saw_the_validation_digits(size_members, seed_members, bagged_members):
    assert size_members is not ... and size_members is not None, tr(
        "`size_members` is still `...`: set it to a list of new members trained on x_fit.",
        "`size_members` 仍是 `...`：请把它设为在 x_fit 上训练的新成员的列表。",
    )
    assert isinstance(size_members, list | tuple) and len(size_members) >= 3, tr(
        f"`size_members` should be a list of at least 3 models; it is {type(size_members).__name__} "
        f"of length {len(size_members) if hasattr(size_members, '__len__') else '?'}.",
        f"`size_members` 应为至少 3 个模型的列表；它是 {type(size_members).__name__}，"
        f"长度为 {len(size_members) if hasattr(size_members, '__len__') else '?'}。",
    )
    reused = [member.name for member in size_members
              if any(member is old for old in [*(seed_members or []), *(bagged_members or [])])]
    assert not reused, tr(
        f"{reused} are the lesson's members: they trained on x_train, which contains the validation digits. "
        "Train new members on x_fit, y_fit.",
        f"{reused} 是本课的成员：它们是在 x_train 上训练的，而 x_train 包含验证数字。"
        "请在 x_fit、y_fit 上训练新的成员。",
    )
    for position, member in enumerate(size_members):
        assert callable(getattr(member, "predict", None)), tr(
            f"size_members[{position}] is a {type(member).__name__}; expected a Keras model.",
            f"size_members[{position}] 是 {type(member).__name__}；应为 Keras 模型。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "val_probabilities = ensembles.predict_members(size_members, x_val); then "
               "val_curve[k - 1] = measuring.accuracy(y_val, val_probabilities[:k].mean(axis=0)).",
               "val_probabilities = ensembles.predict_members(size_members, x_val)；然后 "
               "val_curve[k - 1] = measuring.accuracy(y_val, val_probabilities[:k].mean(axis=0))。",
           ))
def test_the_validation_curve(val_probabilities, val_curve, size_members, x_val, y_val, x_test):
    assert val_probabilities is not ... and val_probabilities is not None, tr(
        "`val_probabilities` is still `...`: set it to ensembles.predict_members(size_members, x_val).",
        "`val_probabilities` 仍是 `...`：请把它设为 ensembles.predict_members(size_members, x_val)。",
    )
    assert val_curve is not ... and val_curve is not None, tr(
        "`val_curve` is still `...`: set it to the list of validation accuracies for k = 1, 2, ... members.",
        "`val_curve` 仍是 `...`：请把它设为 k = 1, 2, ... 个成员时的验证准确率列表。",
    )
    assert isinstance(size_members, list | tuple), tr(
        "set `size_members` first (exercise part 1).",
        "请先设置 `size_members`（练习第 1 部分）。",
    )
    probabilities = np.asarray(val_probabilities, dtype=np.float64)
    expected_shape = (len(size_members), len(x_val), 10)
    if probabilities.ndim == 3 and probabilities.shape[1] == len(x_test) != len(x_val):
        raise AssertionError(tr(
            f"`val_probabilities` has shape {probabilities.shape}: {len(x_test)} digits is the test "
            "set. The curve must be drawn on the validation digits, x_val.",
            f"`val_probabilities` 的形状是 {probabilities.shape}：{len(x_test)} 个数字是测试集。"
            "这条曲线必须在验证数字 x_val 上绘制。",
        ))
    assert probabilities.shape == expected_shape, tr(
        f"`val_probabilities` has shape {probabilities.shape}; expected {expected_shape} "
        "(members, validation digits, classes).",
        f"`val_probabilities` 的形状是 {probabilities.shape}；应为 {expected_shape}"
        "（成员，验证数字，类别）。",
    )
    for position, member in enumerate(size_members):
        direct = _direct(member, x_val[:SPOT])
        assert np.allclose(probabilities[position, :SPOT], direct, atol=TOLERANCE), tr(
            f"val_probabilities[{position}] is not what size_members[{position}] predicts for x_val "
            f"(largest difference {np.abs(probabilities[position, :SPOT] - direct).max():.3f} on the first digits).",
            f"val_probabilities[{position}] 不是 size_members[{position}] 对 x_val 的预测"
            f"（在前几个数字上最大相差 {np.abs(probabilities[position, :SPOT] - direct).max():.3f}）。",
        )
    expected = _curve(probabilities, np.asarray(y_val))
    curve = [float(value) for value in val_curve]
    assert len(curve) == len(expected), tr(
        f"`val_curve` has {len(curve)} values; expected one per k = 1..{len(expected)}.",
        f"`val_curve` 有 {len(curve)} 个值；应为 k = 1..{len(expected)} 每个一个。",
    )
    for k, (got, want) in enumerate(zip(curve, expected, strict=True), start=1):
        assert math.isclose(got, want, abs_tol=1e-6), tr(
            f"val_curve[{k - 1}] (the first {k} members) is {got:.4f}; averaging the first {k} rows of "
            f"val_probabilities gives {want:.4f} on y_val.",
            f"val_curve[{k - 1}]（前 {k} 个成员）是 {got:.4f}；对 val_probabilities 的前 {k} 行取平均，"
            f"在 y_val 上得到 {want:.4f}。",
        )


@test_case(points=2, hidden=False,
           failure_message=tr(
               "chosen_k is the first k whose validation accuracy is at least max(val_curve) - 0.002; "
               "only then predict x_test with size_members[:chosen_k] and average.",
               "chosen_k 是验证准确率至少为 max(val_curve) - 0.002 的第一个 k；"
               "之后才用 size_members[:chosen_k] 预测 x_test 并取平均。",
           ))
def test_chosen_on_validation_measured_once_on_test(chosen_k, test_probabilities, chosen_test_accuracy,
                                                    val_probabilities, size_members, y_val, x_test, y_test):
    assert chosen_k is not ... and chosen_k is not None, tr(
        "`chosen_k` is still `...`: set it to the number of members you choose from the validation curve.",
        "`chosen_k` 仍是 `...`：请把它设为你根据验证曲线选择的成员个数。",
    )
    assert test_probabilities is not ... and test_probabilities is not None, tr(
        "`test_probabilities` is still `...`: set it to the chosen members' probabilities on x_test.",
        "`test_probabilities` 仍是 `...`：请把它设为所选成员在 x_test 上的概率。",
    )
    assert chosen_test_accuracy is not ... and chosen_test_accuracy is not None, tr(
        "`chosen_test_accuracy` is still `...`: set it to the test accuracy of the chosen ensemble.",
        "`chosen_test_accuracy` 仍是 `...`：请把它设为所选集成的测试准确率。",
    )
    assert isinstance(size_members, list | tuple) and val_probabilities is not None, tr(
        "set `size_members` and `val_probabilities` first.",
        "请先设置 `size_members` 和 `val_probabilities`。",
    )
    assert np.shape(val_probabilities) == (len(size_members), len(y_val), 10), tr(
        f"`val_probabilities` has shape {np.shape(val_probabilities)}; the choice is read from the validation "
        f"curve, so it needs shape {(len(size_members), len(y_val), 10)} first.",
        f"`val_probabilities` 的形状是 {np.shape(val_probabilities)}；选择是根据验证曲线做出的，"
        f"所以它首先需要形状 {(len(size_members), len(y_val), 10)}。",
    )
    curve = _curve(val_probabilities, np.asarray(y_val))
    expected_ks = _plateau_ks(curve)
    assert isinstance(chosen_k, numbers.Integral) and not isinstance(chosen_k, bool), tr(
        f"`chosen_k` is {chosen_k!r}; expected a whole number of members.",
        f"`chosen_k` 是 {chosen_k!r}；应为成员个数，一个整数。",
    )
    assert chosen_k in expected_ks, tr(
        f"`chosen_k` is {chosen_k}, but the validation curve {[round(value, 4) for value in curve]} first comes "
        f"within {PLATEAU} of its best at k = {expected_ks[0]}. Choose from the validation curve, not from test "
        "digits.",
        f"`chosen_k` 是 {chosen_k}，但验证曲线 {[round(value, 4) for value in curve]} 在 k = {expected_ks[0]} 时"
        f"首次进入其最佳值的 {PLATEAU} 以内。请根据验证曲线选择，而不是根据测试数字。",
    )
    probabilities = np.asarray(test_probabilities, dtype=np.float64)
    if probabilities.ndim == 3 and probabilities.shape[0] == len(size_members) != chosen_k:
        raise AssertionError(tr(
            f"`test_probabilities` holds all {len(size_members)} members: measure only the "
            f"{chosen_k} chosen ones on the test digits.",
            f"`test_probabilities` 含有全部 {len(size_members)} 个成员：只在测试数字上度量"
            f"所选的 {chosen_k} 个。",
        ))
    assert probabilities.shape == (chosen_k, len(x_test), 10), tr(
        f"`test_probabilities` has shape {probabilities.shape}; expected {(chosen_k, len(x_test), 10)} "
        "(chosen members, test digits, classes).",
        f"`test_probabilities` 的形状是 {probabilities.shape}；应为 {(chosen_k, len(x_test), 10)}"
        "（所选成员，测试数字，类别）。",
    )
    for position, member in enumerate(size_members[:chosen_k]):
        direct = _direct(member, x_test[:SPOT])
        assert np.allclose(probabilities[position, :SPOT], direct, atol=TOLERANCE), tr(
            f"test_probabilities[{position}] is not what size_members[{position}] predicts for x_test.",
            f"test_probabilities[{position}] 不是 size_members[{position}] 对 x_test 的预测。",
        )
    expected_accuracy = float(np.mean(probabilities.mean(axis=0).argmax(axis=1) == np.asarray(y_test)))
    assert math.isclose(float(chosen_test_accuracy), expected_accuracy, abs_tol=1e-6), tr(
        f"`chosen_test_accuracy` is {float(chosen_test_accuracy):.4f}; the average of test_probabilities scores "
        f"{expected_accuracy:.4f} on y_test.",
        f"`chosen_test_accuracy` 是 {float(chosen_test_accuracy):.4f}；test_probabilities 的平均在 y_test 上"
        f"得到 {expected_accuracy:.4f}。",
    )
