"""Checks for exercise 08.2, Precision and recall by hand."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex08_2"


def _unset(value):
    return value is None or value is ...


def _share(part, whole):
    return float(part) / float(whole) if whole else 0.0


@test_case(points=1, hidden=False,
           failure_message="Both divide the diagonal cell matrix[weakest, weakest]: precision by the total of its "
                           "column (all digits predicted as weakest), recall by the total of its row (all that are).")
def test_precision_and_recall(weakest_precision, weakest_recall, matrix, weakest):
    assert not _unset(weakest_precision), "`weakest_precision` is still `...`: compute it from the column."
    assert not _unset(weakest_recall), "`weakest_recall` is still `...`: compute it from the row."
    matrix = np.asarray(matrix)
    right = matrix[weakest, weakest]
    column, row = matrix[:, weakest].sum(), matrix[weakest, :].sum()
    precision, recall = _share(right, column), _share(right, row)
    swapped = abs(float(weakest_precision) - recall) <= 1e-6 and abs(float(weakest_recall) - precision) <= 1e-6
    assert not (swapped and abs(precision - recall) > 1e-6), (
        f"precision and recall are swapped: precision divides by the column (the {column} digits predicted as "
        f"{weakest}), recall by the row (the {row} digits that are {weakest}).")
    assert abs(float(weakest_precision) - precision) <= 1e-6, (
        f"`weakest_precision` is {float(weakest_precision):.4f}; the column of digit {weakest} gives "
        f"{right} / {column} = {precision:.4f}.")
    assert abs(float(weakest_recall) - recall) <= 1e-6, (
        f"`weakest_recall` is {float(weakest_recall):.4f}; the row of digit {weakest} gives "
        f"{right} / {row} = {recall:.4f}.")


@test_case(points=1, hidden=False,
           failure_message="F1 is the harmonic mean: 2 * P * R / (P + R), and 0 when P + R is 0.")
def test_f1(weakest_f1, matrix, weakest, metrics):
    assert not _unset(weakest_f1), "`weakest_f1` is still `...`: combine your precision and recall."
    matrix = np.asarray(matrix)
    right = matrix[weakest, weakest]
    precision = _share(right, matrix[:, weakest].sum())
    recall = _share(right, matrix[weakest, :].sum())
    expected = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    assert abs(float(weakest_f1) - expected) <= 1e-6, (
        f"`weakest_f1` is {float(weakest_f1):.4f}; 2·P·R / (P + R) with P = {precision:.4f} and R = {recall:.4f} "
        f"gives {expected:.4f} (the report says {float(metrics['f1'][weakest]):.4f}). The arithmetic mean "
        f"would be {(precision + recall) / 2:.4f}.")


@test_case(points=1, hidden=False,
           failure_message="In the row matrix[weakest], leave out the diagonal cell and take the column of the "
                           "largest count: that is the digit the model answers instead.")
def test_the_digit_it_is_taken_for(weakest_taken_for, matrix, weakest):
    assert not _unset(weakest_taken_for), "`weakest_taken_for` is still `...`: set it to a digit 0-9."
    row = np.asarray(matrix)[weakest].copy()
    row[weakest] = -1
    largest = row.max()
    candidates = [int(digit) for digit in np.flatnonzero(row == largest)]
    assert weakest_taken_for != weakest, (
        f"`weakest_taken_for` is {weakest_taken_for}, the weakest digit itself: leave out the diagonal.")
    assert weakest_taken_for in candidates, (
        f"`weakest_taken_for` is {weakest_taken_for!r}; in row {weakest} the largest mistake count is {largest}, "
        f"in column(s) {candidates}.")
