"""Checks for exercise 07.2, How many digits do the weights need?"""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex07_2"


def _unset(value):
    return value is None or value is ...


@test_case(points=1, hidden=False,
           failure_message="Export with weights_text.export_weights_text(model, path, precision=3), then "
                           "weights_text.load_weights_text(models.build_cnn_3x3(), path).")
def test_the_three_digit_model_has_rounded_weights(three_digit_model, model):
    assert not _unset(three_digit_model), (
        "`three_digit_model` is still `...`: set it to the fresh model that got the 3-digit weights.")
    assert hasattr(three_digit_model, "trainable_variables"), (
        f"`three_digit_model` is a {type(three_digit_model).__name__}, not a Keras model.")
    assert three_digit_model is not model, (
        "`three_digit_model` is the lesson's `model` itself: load the text file into models.build_cnn_3x3().")
    originals = {variable.path: variable.numpy() for variable in model.trainable_variables}
    loaded = {variable.path: variable.numpy() for variable in three_digit_model.trainable_variables}
    assert set(loaded) == set(originals), (
        f"`three_digit_model` has the variables {sorted(loaded)[:3]}..., `model` has {sorted(originals)[:3]}...: "
        "build it with models.build_cnn_3x3() (same code, same name).")
    changed = total = 0
    for path, original in originals.items():
        rounded = loaded[path]
        assert rounded.shape == original.shape, f"{path} has shape {rounded.shape}, the original {original.shape}."
        error = np.abs(rounded - original)
        worst = float(np.max(error / np.maximum(np.abs(original), 1e-30)))
        assert np.all(error <= 5.001e-3 * np.abs(original) + 1e-30), (
            f"{path} differs from the original by up to {worst:.1%} of a weight; 3 significant digits change a "
            "weight by at most 0.5%: export with precision=3 from the trained `model`.")
        changed += int(np.count_nonzero(rounded != original))
        total += original.size
    assert changed > total // 2, (
        f"only {changed:,} of {total:,} weights differ from the original: these are not 3-digit weights "
        "(precision=9 gives them back exactly). Export with precision=3.")


@test_case(points=1, hidden=False,
           failure_message="For digits in (3, 2, 1): export, load into a fresh build_cnn_3x3(), compile, and "
                           "store model.evaluate(x_test, y_test)[1] in accuracy_by_digits[digits].")
def test_the_accuracies(accuracy_by_digits, three_digit_model, x_test, y_test):
    assert not _unset(accuracy_by_digits), (
        "`accuracy_by_digits` is still `...`: set it to a dict like {3: 0.98, 2: 0.97, 1: 0.5}.")
    assert isinstance(accuracy_by_digits, dict), (
        f"`accuracy_by_digits` is a {type(accuracy_by_digits).__name__}; make it a dict {{digits: accuracy}}.")
    assert set(accuracy_by_digits) == {1, 2, 3}, (
        f"`accuracy_by_digits` has the keys {sorted(accuracy_by_digits, key=str)}; it needs exactly 3, 2 and 1 "
        "(ints: the number of significant digits).")
    for digits, accuracy in accuracy_by_digits.items():
        assert np.ndim(accuracy) == 0 and 0.0 <= float(accuracy) <= 1.0, (
            f"`accuracy_by_digits[{digits}]` is {accuracy!r}; an accuracy is one number between 0 and 1 "
            "(evaluate returns [loss, accuracy]: take the second).")
    assert not _unset(three_digit_model), "`three_digit_model` is still `...`: set it too."
    predicted = np.asarray(three_digit_model.predict(x_test, verbose=0)).argmax(axis=1)
    expected = float((predicted == np.asarray(y_test)).mean())
    assert abs(float(accuracy_by_digits[3]) - expected) <= 1.5 / len(y_test), (
        f"`accuracy_by_digits[3]` is {float(accuracy_by_digits[3]):.4f}, but `three_digit_model` gets "
        f"{expected:.4f} on x_test: evaluate the 3-digit model on the whole x_test, y_test.")
