"""Checks for exercise 08.2, Precision and recall by hand."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex08_2"


def _unset(value):
    return value is None or value is ...


def _share(part, whole):
    return float(part) / float(whole) if whole else 0.0


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Both divide the diagonal cell matrix[weakest, weakest]: precision by the total of its "
               "column (all digits predicted as weakest), recall by the total of its row (all that are).",
               "两者都以对角线上的格子 matrix[weakest, weakest] 为分子：精确率除以该列的总和"
               "（所有被预测为 weakest 的数字），召回率除以该行的总和（所有真实为 weakest 的数字）。",
           ))
def test_precision_and_recall(weakest_precision, weakest_recall, matrix, weakest):
    assert not _unset(weakest_precision), tr(
        "`weakest_precision` is still `...`: compute it from the column.",
        "`weakest_precision` 仍是 `...`：请从该列计算它。",
    )
    assert not _unset(weakest_recall), tr(
        "`weakest_recall` is still `...`: compute it from the row.",
        "`weakest_recall` 仍是 `...`：请从该行计算它。",
    )
    matrix = np.asarray(matrix)
    right = matrix[weakest, weakest]
    column, row = matrix[:, weakest].sum(), matrix[weakest, :].sum()
    precision, recall = _share(right, column), _share(right, row)
    swapped = abs(float(weakest_precision) - recall) <= 1e-6 and abs(float(weakest_recall) - precision) <= 1e-6
    assert not (swapped and abs(precision - recall) > 1e-6), tr(
        f"precision and recall are swapped: precision divides by the column (the {column} digits predicted as "
        f"{weakest}), recall by the row (the {row} digits that are {weakest}).",
        f"精确率和召回率弄反了：精确率除以列（被预测为 {weakest} 的 {column} 个数字），"
        f"召回率除以行（真实为 {weakest} 的 {row} 个数字）。",
    )
    assert abs(float(weakest_precision) - precision) <= 1e-6, tr(
        f"`weakest_precision` is {float(weakest_precision):.4f}; the column of digit {weakest} gives "
        f"{right} / {column} = {precision:.4f}.",
        f"`weakest_precision` 是 {float(weakest_precision):.4f}；数字 {weakest} 的那一列给出 "
        f"{right} / {column} = {precision:.4f}。",
    )
    assert abs(float(weakest_recall) - recall) <= 1e-6, tr(
        f"`weakest_recall` is {float(weakest_recall):.4f}; the row of digit {weakest} gives "
        f"{right} / {row} = {recall:.4f}.",
        f"`weakest_recall` 是 {float(weakest_recall):.4f}；数字 {weakest} 的那一行给出 "
        f"{right} / {row} = {recall:.4f}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "F1 is the harmonic mean: 2 * P * R / (P + R), and 0 when P + R is 0.",
               "F1 是调和平均：2 * P * R / (P + R)，当 P + R 为 0 时为 0。",
           ))
def test_f1(weakest_f1, matrix, weakest, metrics):
    assert not _unset(weakest_f1), tr(
        "`weakest_f1` is still `...`: combine your precision and recall.",
        "`weakest_f1` 仍是 `...`：请把你的精确率和召回率结合起来。",
    )
    matrix = np.asarray(matrix)
    right = matrix[weakest, weakest]
    precision = _share(right, matrix[:, weakest].sum())
    recall = _share(right, matrix[weakest, :].sum())
    expected = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert abs(float(weakest_f1) - expected) <= 1e-6, tr(
        f"`weakest_f1` is {float(weakest_f1):.4f}; 2·P·R / (P + R) with P = {precision:.4f} and R = {recall:.4f} "
        f"gives {expected:.4f} (the report says {float(metrics['f1'][weakest]):.4f}). The arithmetic mean "
        f"would be {(precision + recall) / 2:.4f}.",
        f"`weakest_f1` 是 {float(weakest_f1):.4f}；P = {precision:.4f}、R = {recall:.4f} 时 2·P·R / (P + R) "
        f"为 {expected:.4f}（报告中是 {float(metrics['f1'][weakest]):.4f}）。算术平均数"
        f"则是 {(precision + recall) / 2:.4f}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "In the row matrix[weakest], leave out the diagonal cell and take the column of the "
               "largest count: that is the digit the model answers instead.",
               "在 matrix[weakest] 这一行中，去掉对角线上的格子，取计数最大的那一列："
               "这就是模型误答成的数字。",
           ))
def test_the_digit_it_is_taken_for(weakest_taken_for, matrix, weakest):
    assert not _unset(weakest_taken_for), tr(
        "`weakest_taken_for` is still `...`: set it to a digit 0-9.",
        "`weakest_taken_for` 仍是 `...`：请把它设为 0-9 中的一个数字。",
    )
    row = np.asarray(matrix)[weakest].copy()
    row[weakest] = -1
    largest = row.max()
    candidates = [int(digit) for digit in np.flatnonzero(row == largest)]
    assert weakest_taken_for != weakest, tr(
        f"`weakest_taken_for` is {weakest_taken_for}, the weakest digit itself: leave out the diagonal.",
        f"`weakest_taken_for` 是 {weakest_taken_for}，即最弱的数字本身：请去掉对角线。",
    )
    assert weakest_taken_for in candidates, tr(
        f"`weakest_taken_for` is {weakest_taken_for!r}; in row {weakest} the largest mistake count is {largest}, "
        f"in column(s) {candidates}.",
        f"`weakest_taken_for` 是 {weakest_taken_for!r}；在第 {weakest} 行中，最大的错误计数是 {largest}，"
        f"位于第 {candidates} 列。",
    )
