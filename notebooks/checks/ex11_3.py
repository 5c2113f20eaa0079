"""Checks for exercise 11.3, Feature extraction, the fast way."""

import math

import numpy as np
from otter.test_files import test_case

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
           failure_message="few_features = np.asarray(base.predict(x_sample, verbose=0), dtype='float32') for "
                           "the digits of data.subsample(x_target, y_target, n_labels, seed=0), with the "
                           "pretrained base; the same for x_target_test.")
def test_the_features(few_features, test_features, base_path, data, x_target, y_target, n_labels, x_target_test):
    assert few_features is not ... and few_features is not None, \
        "`few_features` is still `...`: set it to the frozen base's features of the labelled digits."
    assert test_features is not ... and test_features is not None, \
        "`test_features` is still `...`: set it to the frozen base's features of x_target_test."
    few, test = np.asarray(few_features), np.asarray(test_features)
    x_sample, _ = data.subsample(x_target, y_target, n_labels, seed=0)
    assert few.shape == (len(x_sample), 576), \
        f"`few_features` has shape {few.shape}; expected {(len(x_sample), 576)}: 576 features for each of the " \
        f"{len(x_sample)} labelled digits."
    assert test.shape == (len(x_target_test), 576), \
        f"`test_features` has shape {test.shape}; expected {(len(x_target_test), 576)}."
    assert few.dtype == np.float32 and test.dtype == np.float32, \
        f"the features are {few.dtype} and {test.dtype}; convert them with np.asarray(..., dtype='float32')."
    assert _close(few[:SPOT], _base_features(base_path, x_sample[:SPOT])), \
        "`few_features` are not the pretrained base's features of data.subsample(x_target, y_target, n_labels, " \
        "seed=0): use pretrained_base() (frozen) on those digits, in that order."
    assert _close(test[:SPOT], _base_features(base_path, x_target_test[:SPOT])), \
        "`test_features` are not the pretrained base's features of x_target_test, in order."


@test_case(points=1, hidden=False,
           failure_message="Train a model of the head alone (Input(576) -> Dropout(0.3) -> Dense(5, softmax)) on "
                           "few_features, then measure it on test_features and y_target_test.")
def test_the_head_and_its_accuracy(feature_head, features_accuracy, test_features, y_target_test):
    assert feature_head is not ... and feature_head is not None, \
        "`feature_head` is still `...`: set it to the head trained on the features."
    assert features_accuracy is not ... and features_accuracy is not None, \
        "`features_accuracy` is still `...`: set it to the head's test accuracy."
    assert hasattr(feature_head, "input_shape") and hasattr(feature_head, "predict"), \
        f"`feature_head` is a {type(feature_head).__name__}; expected a Keras model."
    assert tuple(feature_head.input_shape)[1:] == (576,), \
        f"`feature_head` takes input of shape {feature_head.input_shape}; expected (None, 576): the features."
    assert tuple(feature_head.output_shape)[1:] == (5,), \
        f"`feature_head` outputs shape {feature_head.output_shape}; expected (None, 5): one probability per digit 5-9."
    assert test_features is not None and test_features is not ..., "set `test_features` first."
    probabilities = np.asarray(feature_head(np.asarray(test_features, dtype=np.float32), training=False))
    expected = float(np.mean(probabilities.argmax(axis=1) == np.asarray(y_target_test)))
    assert math.isclose(float(features_accuracy), expected, abs_tol=1.5 / len(y_target_test)), \
        f"`features_accuracy` is {float(features_accuracy):.4f}; feature_head scores {expected:.4f} on " \
        "test_features and y_target_test."


@test_case(points=1, hidden=False,
           failure_message="Time both trainings with time.perf_counter() (the feature computation counts for the "
                           "fast way), then speedup = seconds_end_to_end / seconds_with_features.")
def test_the_timings(seconds_end_to_end, seconds_with_features, speedup):
    for label, value in (("seconds_end_to_end", seconds_end_to_end), ("seconds_with_features", seconds_with_features),
                         ("speedup", speedup)):
        assert value is not ... and value is not None, f"`{label}` is still `...`: set it to a number."
        assert isinstance(value, float | int | np.floating) and math.isfinite(value) and value > 0, \
            f"`{label}` is {value!r}; expected a positive number."
    expected = float(seconds_end_to_end) / float(seconds_with_features)
    assert math.isclose(float(speedup), expected, rel_tol=1e-6), \
        f"`speedup` is {float(speedup):.3f}; seconds_end_to_end / seconds_with_features is {expected:.3f}."
