"""Checks for exercise 10.2, How many members?"""

import math
import numbers

import numpy as np
from otter.test_files import test_case

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
           failure_message="Train new members with train_member(f'size_{i}', seed=200 + i, x=x_fit, y=y_fit) "
                           "for i in range(config.pick(full=6, fast=3)).")
def test_new_members_that_never_saw_the_validation_digits(size_members, seed_members, bagged_members):
    assert size_members is not ... and size_members is not None, \
        "`size_members` is still `...`: set it to a list of new members trained on x_fit."
    assert isinstance(size_members, list | tuple) and len(size_members) >= 3, \
        f"`size_members` should be a list of at least 3 models; it is {type(size_members).__name__} " \
        f"of length {len(size_members) if hasattr(size_members, '__len__') else '?'}."
    reused = [member.name for member in size_members
              if any(member is old for old in [*(seed_members or []), *(bagged_members or [])])]
    assert not reused, \
        f"{reused} are the lesson's members: they trained on x_train, which contains the validation digits. " \
        "Train new members on x_fit, y_fit."
    for position, member in enumerate(size_members):
        assert callable(getattr(member, "predict", None)), \
            f"size_members[{position}] is a {type(member).__name__}; expected a Keras model."


@test_case(points=1, hidden=False,
           failure_message="val_probabilities = ensembles.predict_members(size_members, x_val); then "
                           "val_curve[k - 1] = measuring.accuracy(y_val, val_probabilities[:k].mean(axis=0)).")
def test_the_validation_curve(val_probabilities, val_curve, size_members, x_val, y_val, x_test):
    assert val_probabilities is not ... and val_probabilities is not None, \
        "`val_probabilities` is still `...`: set it to ensembles.predict_members(size_members, x_val)."
    assert val_curve is not ... and val_curve is not None, \
        "`val_curve` is still `...`: set it to the list of validation accuracies for k = 1, 2, ... members."
    assert isinstance(size_members, list | tuple), "set `size_members` first (exercise part 1)."
    probabilities = np.asarray(val_probabilities, dtype=np.float64)
    expected_shape = (len(size_members), len(x_val), 10)
    if probabilities.ndim == 3 and probabilities.shape[1] == len(x_test) != len(x_val):
        raise AssertionError(f"`val_probabilities` has shape {probabilities.shape}: {len(x_test)} digits is the test "
                             "set. The curve must be drawn on the validation digits, x_val.")
    assert probabilities.shape == expected_shape, \
        f"`val_probabilities` has shape {probabilities.shape}; expected {expected_shape} " \
        "(members, validation digits, classes)."
    for position, member in enumerate(size_members):
        direct = _direct(member, x_val[:SPOT])
        assert np.allclose(probabilities[position, :SPOT], direct, atol=TOLERANCE), \
            f"val_probabilities[{position}] is not what size_members[{position}] predicts for x_val " \
            f"(largest difference {np.abs(probabilities[position, :SPOT] - direct).max():.3f} on the first digits)."
    expected = _curve(probabilities, np.asarray(y_val))
    curve = [float(value) for value in val_curve]
    assert len(curve) == len(expected), \
        f"`val_curve` has {len(curve)} values; expected one per k = 1..{len(expected)}."
    for k, (got, want) in enumerate(zip(curve, expected, strict=True), start=1):
        assert math.isclose(got, want, abs_tol=1e-6), \
            f"val_curve[{k - 1}] (the first {k} members) is {got:.4f}; averaging the first {k} rows of " \
            f"val_probabilities gives {want:.4f} on y_val."


@test_case(points=2, hidden=False,
           failure_message="chosen_k is the first k whose validation accuracy is at least max(val_curve) - 0.002; "
                           "only then predict x_test with size_members[:chosen_k] and average.")
def test_chosen_on_validation_measured_once_on_test(chosen_k, test_probabilities, chosen_test_accuracy,
                                                    val_probabilities, size_members, y_val, x_test, y_test):
    assert chosen_k is not ... and chosen_k is not None, \
        "`chosen_k` is still `...`: set it to the number of members you choose from the validation curve."
    assert test_probabilities is not ... and test_probabilities is not None, \
        "`test_probabilities` is still `...`: set it to the chosen members' probabilities on x_test."
    assert chosen_test_accuracy is not ... and chosen_test_accuracy is not None, \
        "`chosen_test_accuracy` is still `...`: set it to the test accuracy of the chosen ensemble."
    assert isinstance(size_members, list | tuple) and val_probabilities is not None, \
        "set `size_members` and `val_probabilities` first."
    assert np.shape(val_probabilities) == (len(size_members), len(y_val), 10), \
        f"`val_probabilities` has shape {np.shape(val_probabilities)}; the choice is read from the validation " \
        f"curve, so it needs shape {(len(size_members), len(y_val), 10)} first."
    curve = _curve(val_probabilities, np.asarray(y_val))
    expected_ks = _plateau_ks(curve)
    assert isinstance(chosen_k, numbers.Integral) and not isinstance(chosen_k, bool), \
        f"`chosen_k` is {chosen_k!r}; expected a whole number of members."
    assert chosen_k in expected_ks, \
        f"`chosen_k` is {chosen_k}, but the validation curve {[round(value, 4) for value in curve]} first comes " \
        f"within {PLATEAU} of its best at k = {expected_ks[0]}. Choose from the validation curve, not from test digits."
    probabilities = np.asarray(test_probabilities, dtype=np.float64)
    if probabilities.ndim == 3 and probabilities.shape[0] == len(size_members) != chosen_k:
        raise AssertionError(f"`test_probabilities` holds all {len(size_members)} members: measure only the "
                             f"{chosen_k} chosen ones on the test digits.")
    assert probabilities.shape == (chosen_k, len(x_test), 10), \
        f"`test_probabilities` has shape {probabilities.shape}; expected {(chosen_k, len(x_test), 10)} " \
        "(chosen members, test digits, classes)."
    for position, member in enumerate(size_members[:chosen_k]):
        direct = _direct(member, x_test[:SPOT])
        assert np.allclose(probabilities[position, :SPOT], direct, atol=TOLERANCE), \
            f"test_probabilities[{position}] is not what size_members[{position}] predicts for x_test."
    expected_accuracy = float(np.mean(probabilities.mean(axis=0).argmax(axis=1) == np.asarray(y_test)))
    assert math.isclose(float(chosen_test_accuracy), expected_accuracy, abs_tol=1e-6), \
        f"`chosen_test_accuracy` is {float(chosen_test_accuracy):.4f}; the average of test_probabilities scores " \
        f"{expected_accuracy:.4f} on y_test."
