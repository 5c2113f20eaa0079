"""Checks for exercise 01.2, Exact shares."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex01_2"


def _shares(labels):
    labels = np.asarray(labels)
    return np.bincount(labels, minlength=10) / len(labels)


def _share_gap(labels_a, labels_b):
    return float(np.abs(_shares(labels_a) - _shares(labels_b)).max())


def _check_fraction(value, expected, variable):
    value = float(value)
    assert not np.isclose(value, 100 * expected, rtol=1e-6, atol=1e-9) or expected == 0, tr(
        f"`{variable}` is {value:.4f}, which looks like percentage points: give a fraction (0.01, not 1).",
        f"`{variable}` 是 {value:.4f}，看起来是百分数：请给出小数（0.01，而不是 1）。",
    )
    assert np.isclose(value, expected, rtol=1e-6, atol=1e-9), tr(
        f"`{variable}` is {value:.6f}; the largest difference in digit share between the two parts is {expected:.6f}.",
        f"`{variable}` 是 {value:.6f}；两部分之间各数字所占比例的最大差值是 {expected:.6f}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Unpack the two index arrays that data.stratified_split(y_train, n_validation) "
               "returns: training indices first, validation indices second.",
               "解包 data.stratified_split(y_train, n_validation) 返回的两个下标数组："
               "先是训练集下标，后是验证集下标。",
           ))
def test_the_stratified_indices(stratified_fit_index, stratified_validation_index, y_train, n_validation):
    for variable, value in (("stratified_fit_index", stratified_fit_index),
                            ("stratified_validation_index", stratified_validation_index)):
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it from data.stratified_split(y_train, n_validation).",
            f"`{variable}` 仍是 `...`：请用 data.stratified_split(y_train, n_validation) 的结果设置它。",
        )
    assert y_train is not None, tr(
        "`y_train` is not defined: run the lesson's cells above the exercises first.",
        "`y_train` 尚未定义：请先运行本课练习之前的单元格。",
    )
    fit_index = np.asarray(stratified_fit_index)
    validation_index = np.asarray(stratified_validation_index)
    wanted = n_validation if n_validation is not None else len(y_train) // 10
    assert len(validation_index) == wanted, tr(
        f"`stratified_validation_index` holds {len(validation_index):,} indices; expected n_validation = {wanted:,}. "
        "Did you swap the two results? The training indices come first.",
        f"`stratified_validation_index` 含有 {len(validation_index):,} 个下标；应为 n_validation = {wanted:,}。"
        "是否把两个结果弄反了？训练集下标在前。",
    )
    assert np.intersect1d(fit_index, validation_index).size == 0, tr(
        "Some indices are in both `stratified_fit_index` and `stratified_validation_index`: the parts must not "
        "overlap.",
        "有些下标同时出现在 `stratified_fit_index` 和 `stratified_validation_index` 中：两部分不能重叠。",
    )
    assert len(fit_index) + len(validation_index) == len(y_train), tr(
        f"The two parts hold {len(fit_index) + len(validation_index):,} indices together; "
        f"expected all {len(y_train):,} training digits.",
        f"两部分合起来有 {len(fit_index) + len(validation_index):,} 个下标；"
        f"应包含全部 {len(y_train):,} 个训练数字。",
    )
    gap = _share_gap(y_train[fit_index], y_train[validation_index])
    bound = 1 / len(validation_index) + 1 / len(fit_index)
    assert gap < bound, tr(
        f"The digit shares of your two parts differ by up to {gap:.4f}; a stratified split stays below {bound:.4f}. "
        "Use data.stratified_split, not a random permutation.",
        f"你的两部分中各数字所占比例最多相差 {gap:.4f}；分层划分应低于 {bound:.4f}。"
        "请使用 data.stratified_split，而不是随机排列。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For the random split use the labels of section 8, y_fit and y_val: "
               "np.abs(shares(y_fit) - shares(y_val)).max().",
               "随机划分请使用第 8 节的标签 y_fit 和 y_val："
               "np.abs(shares(y_fit) - shares(y_val)).max()。",
           ))
def test_the_random_share_gap(random_share_gap, y_fit, y_val):
    assert random_share_gap is not ... and random_share_gap is not None, tr(
        "`random_share_gap` is still `...`: set it to the share gap of y_fit and y_val.",
        "`random_share_gap` 仍是 `...`：请把它设为 y_fit 与 y_val 的比例差。",
    )
    assert y_fit is not None and y_val is not None, tr(
        "`y_fit` or `y_val` is not defined: run section 8's cells above first.",
        "`y_fit` 或 `y_val` 尚未定义：请先运行上面第 8 节的单元格。",
    )
    _check_fraction(random_share_gap, _share_gap(y_fit, y_val), "random_share_gap")


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For the stratified split compare y_train[stratified_fit_index] with "
               "y_train[stratified_validation_index], the same way as the random split.",
               "分层划分请比较 y_train[stratified_fit_index] 与 "
               "y_train[stratified_validation_index]，方法与随机划分相同。",
           ))
def test_the_stratified_share_gap(stratified_share_gap, stratified_fit_index, stratified_validation_index, y_train):
    assert stratified_share_gap is not ... and stratified_share_gap is not None, tr(
        "`stratified_share_gap` is still `...`: set it to the share gap of the stratified split.",
        "`stratified_share_gap` 仍是 `...`：请把它设为分层划分的比例差。",
    )
    assert stratified_fit_index is not ... and stratified_fit_index is not None, tr(
        "`stratified_fit_index` is still `...`: set it first.",
        "`stratified_fit_index` 仍是 `...`：请先设置它。",
    )
    assert stratified_validation_index is not ... and stratified_validation_index is not None, tr(
        "`stratified_validation_index` is still `...`: set it first.",
        "`stratified_validation_index` 仍是 `...`：请先设置它。",
    )
    expected = _share_gap(y_train[np.asarray(stratified_fit_index)], y_train[np.asarray(stratified_validation_index)])
    _check_fraction(stratified_share_gap, expected, "stratified_share_gap")
