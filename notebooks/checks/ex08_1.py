"""Checks for exercise 08.1, A SavedModel without Keras."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex08_1"


def _unset(value):
    return value is None or value is ...


@test_case(points=1, hidden=False,
           failure_message="served = tf.saved_model.load(str(paths['savedmodel'])); "
                           "served_probabilities = served.serve(x_test[:5]).numpy().")
def test_the_served_probabilities(served_probabilities, model, x_test):
    assert not _unset(served_probabilities), (
        "`served_probabilities` is still `...`: set it to what the SavedModel's serve function returns.")
    served = np.asarray(served_probabilities)
    assert served.shape == (5, 10), (
        f"`served_probabilities` has shape {served.shape}; expected (5, 10): ten probabilities for each of x_test[:5].")
    predicted = model.predict(x_test[:5], verbose=0)
    worst = float(np.abs(served - predicted).max())
    assert worst <= 1e-5, (
        f"`served_probabilities` differs from model.predict(x_test[:5]) by up to {worst:.2g}: call serve on "
        "x_test[:5], the first five test digits, of the SavedModel in paths['savedmodel'].")


@test_case(points=1, hidden=False,
           failure_message="max_difference = float(np.abs(served_probabilities - model.predict(x_test[:5])).max()).")
def test_the_largest_difference(max_difference, served_probabilities, model, x_test):
    assert not _unset(max_difference), "`max_difference` is still `...`: set it to the largest absolute difference."
    assert not _unset(served_probabilities), "`served_probabilities` is still `...`: set it first."
    assert np.ndim(max_difference) == 0, (
        f"`max_difference` has shape {np.shape(max_difference)}: take .max() of the absolute differences.")
    expected = float(np.abs(np.asarray(served_probabilities) - model.predict(x_test[:5], verbose=0)).max())
    assert abs(float(max_difference) - expected) <= 1e-7, (
        f"`max_difference` is {float(max_difference):.3g}, but the largest absolute difference is {expected:.3g}.")


@test_case(points=1, hidden=False,
           failure_message="start = time.perf_counter(); load; seconds = time.perf_counter() - start, once for "
                           "tf.saved_model.load and once for keras.layers.TFSMLayer.")
def test_the_two_load_times(seconds_saved_model_load, seconds_tfsmlayer):
    for value, variable in ((seconds_saved_model_load, "seconds_saved_model_load"),
                            (seconds_tfsmlayer, "seconds_tfsmlayer")):
        assert not _unset(value), f"`{variable}` is still `...`: time that way of loading with time.perf_counter()."
        assert np.ndim(value) == 0 and 0.0 < float(value) < 600.0, (
            f"`{variable}` is {value!r}; expected the seconds one load took, a positive number "
            "(time.perf_counter() after minus before).")
