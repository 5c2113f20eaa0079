"""Checks for exercise 01.1, Average digits."""

import itertools

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex01_1"

SHAPES = ((10, 28, 28), (10, 28, 28, 1), (10, 784))


def _reference_means(x_train_scaled, y_train):
    assert x_train_scaled is not None and y_train is not None, (
        "`x_train_scaled` or `y_train` is not defined: run the lesson's cells above the exercises first."
    )
    return np.stack([x_train_scaled[y_train == digit].mean(axis=0) for digit in range(10)])


def _distances(means):
    return {(a, b): float(((means[a] - means[b]) ** 2).mean()) for a, b in itertools.combinations(range(10), 2)}


@test_case(points=1, hidden=False,
           failure_message="One mean per digit, in the order 0 to 9: "
                           "np.stack([x_train_scaled[y_train == d].mean(axis=0) for d in range(10)]).")
def test_the_ten_means(means, x_train_scaled, y_train):
    assert means is not ... and means is not None, "`means` is still `...`: set it to the ten mean images."
    means = np.asarray(means, dtype="float64")
    assert means.shape in SHAPES, (
        f"`means` has shape {means.shape}; expected (10, 28, 28): one 28×28 mean image per digit, digit d at index d."
    )
    means = means.reshape(10, 28, 28)
    reference = _reference_means(x_train_scaled, y_train)
    assert means.max() <= 1.0 + 1e-6, (
        f"`means` reaches {means.max():.1f}: these are raw 0-255 pixels. Average `x_train_scaled`, "
        "the pixels scaled to [0, 1]."
    )
    wrong = [digit for digit in range(10) if not np.allclose(means[digit], reference[digit], atol=1e-4)]
    assert not wrong, (
        f"`means[d]` is not the mean image of the digit d for d = {wrong}. "
        "Index d must hold x_train_scaled[y_train == d].mean(axis=0)."
    )


@test_case(points=1, hidden=False,
           failure_message="Compare every pair a < b with ((means[a] - means[b]) ** 2).mean() "
                           "(itertools.combinations(range(10), 2) lists the 45 pairs) and keep the smallest.")
def test_the_closest_pair(closest_pair, closest_distance, x_train_scaled, y_train):
    assert closest_pair is not ... and closest_pair is not None, (
        "`closest_pair` is still `...`: set it to the two digits, smaller first, e.g. (3, 5)."
    )
    assert closest_distance is not ... and closest_distance is not None, (
        "`closest_distance` is still `...`: set it to the mean squared difference of the closest pair's means."
    )
    distances = _distances(_reference_means(x_train_scaled, y_train))
    expected_pair = min(distances, key=distances.get)
    try:
        pair = tuple(sorted(int(digit) for digit in closest_pair))
    except (TypeError, ValueError):
        raise AssertionError(
            f"`closest_pair` is {closest_pair!r}; expected a tuple of two digits, e.g. (3, 5)."
        ) from None
    assert len(pair) == 2 and all(0 <= digit <= 9 for digit in pair), (
        f"`closest_pair` is {closest_pair!r}; expected two digits from 0 to 9, e.g. (3, 5)."
    )
    assert pair[0] != pair[1], f"`closest_pair` is {closest_pair!r}: two *different* digits are wanted."
    assert pair == expected_pair, (
        f"`closest_pair` is {pair}, whose means differ by {distances[pair]:.5f}; "
        f"another pair differs by only {distances[expected_pair]:.5f}."
    )
    distance = float(closest_distance)
    expected = distances[expected_pair]
    assert not np.isclose(distance, expected * 784, rtol=1e-3), (
        f"`closest_distance` is {distance:.4f}, 784 times too large: use .mean() over the pixels, not .sum()."
    )
    assert np.isclose(distance, expected, rtol=1e-3), (
        f"`closest_distance` is {distance:.6f}; the mean squared difference of the means of "
        f"{pair[0]} and {pair[1]} is {expected:.6f}."
    )
