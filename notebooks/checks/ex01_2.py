"""Checks for exercise 01.2, Exact shares."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex01_2"


def _shares(labels):
    labels = np.asarray(labels)
    return np.bincount(labels, minlength=10) / len(labels)


def _share_gap(labels_a, labels_b):
    return float(np.abs(_shares(labels_a) - _shares(labels_b)).max())


def _check_fraction(value, expected, variable):
    value = float(value)
    assert not np.isclose(value, 100 * expected, rtol=1e-6, atol=1e-9) or expected == 0, (
        f"`{variable}` is {value:.4f}, which looks like percentage points: give a fraction (0.01, not 1)."
    )
    assert np.isclose(value, expected, rtol=1e-6, atol=1e-9), (
        f"`{variable}` is {value:.6f}; the largest difference in digit share between the two parts is {expected:.6f}."
    )


@test_case(points=1, hidden=False,
           failure_message="Unpack the two index arrays that data.stratified_split(y_train, n_validation) "
                           "returns: training indices first, validation indices second.")
def test_the_stratified_indices(stratified_fit_index, stratified_validation_index, y_train, n_validation):
    for variable, value in (("stratified_fit_index", stratified_fit_index),
                            ("stratified_validation_index", stratified_validation_index)):
        assert value is not ... and value is not None, (
            f"`{variable}` is still `...`: set it from data.stratified_split(y_train, n_validation)."
        )
    assert y_train is not None, "`y_train` is not defined: run the lesson's cells above the exercises first."
    fit_index = np.asarray(stratified_fit_index)
    validation_index = np.asarray(stratified_validation_index)
    wanted = n_validation if n_validation is not None else len(y_train) // 10
    assert len(validation_index) == wanted, (
        f"`stratified_validation_index` holds {len(validation_index):,} indices; expected n_validation = {wanted:,}. "
        "Did you swap the two results? The training indices come first."
    )
    assert np.intersect1d(fit_index, validation_index).size == 0, (
        "Some indices are in both `stratified_fit_index` and `stratified_validation_index`: the parts must not overlap."
    )
    assert len(fit_index) + len(validation_index) == len(y_train), (
        f"The two parts hold {len(fit_index) + len(validation_index):,} indices together; "
        f"expected all {len(y_train):,} training digits."
    )
    gap = _share_gap(y_train[fit_index], y_train[validation_index])
    bound = 1 / len(validation_index) + 1 / len(fit_index)
    assert gap < bound, (
        f"The digit shares of your two parts differ by up to {gap:.4f}; a stratified split stays below {bound:.4f}. "
        "Use data.stratified_split, not a random permutation."
    )


@test_case(points=1, hidden=False,
           failure_message="For the random split use the labels of section 8, y_fit and y_val: "
                           "np.abs(shares(y_fit) - shares(y_val)).max().")
def test_the_random_share_gap(random_share_gap, y_fit, y_val):
    assert random_share_gap is not ... and random_share_gap is not None, (
        "`random_share_gap` is still `...`: set it to the share gap of y_fit and y_val."
    )
    assert y_fit is not None and y_val is not None, (
        "`y_fit` or `y_val` is not defined: run section 8's cells above first."
    )
    _check_fraction(random_share_gap, _share_gap(y_fit, y_val), "random_share_gap")


@test_case(points=1, hidden=False,
           failure_message="For the stratified split compare y_train[stratified_fit_index] with "
                           "y_train[stratified_validation_index], the same way as the random split.")
def test_the_stratified_share_gap(stratified_share_gap, stratified_fit_index, stratified_validation_index, y_train):
    assert stratified_share_gap is not ... and stratified_share_gap is not None, (
        "`stratified_share_gap` is still `...`: set it to the share gap of the stratified split."
    )
    assert stratified_fit_index is not ... and stratified_fit_index is not None, (
        "`stratified_fit_index` is still `...`: set it first."
    )
    assert stratified_validation_index is not ... and stratified_validation_index is not None, (
        "`stratified_validation_index` is still `...`: set it first."
    )
    expected = _share_gap(y_train[np.asarray(stratified_fit_index)], y_train[np.asarray(stratified_validation_index)])
    _check_fraction(stratified_share_gap, expected, "stratified_share_gap")
