"""Checks for exercise 03.3, A logits model from scratch."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex03_3"

CHANCE = 0.1  # ten digits


def _is_set(value):
    return value is not ... and value is not None


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if activation is None:
        return "linear"
    return getattr(activation, "__name__", type(activation).__name__)


def _from_logits(loss):
    if isinstance(loss, str) or not hasattr(loss, "get_config"):
        return False
    return bool(loss.get_config().get("from_logits", False))


@test_case(points=1, hidden=False,
           failure_message="End the 3×3 layers with keras.layers.Dense(10, name=\"logits\") (no activation) and "
                           "compile with loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True) before fit.")
def test_the_logits_model(logits_cnn):
    assert _is_set(logits_cnn), "`logits_cnn` is still `...`: build, compile and train the model."
    assert hasattr(logits_cnn, "layers"), f"`logits_cnn` is a {type(logits_cnn).__name__}; expected a Keras model."
    last = logits_cnn.layers[-1]
    assert tuple(last.output.shape)[1:] == (10,), (
        f"the last layer `{last.name}` gives {tuple(last.output.shape)[1:]}; expected 10 scores per image."
    )
    activation = _activation_name(last)
    assert activation == "linear", (
        f"the last layer `{last.name}` applies {activation}: a logits model ends with Dense(10) and no activation."
    )
    convolutions = [layer.name for layer in logits_cnn.layers if type(layer).__name__ == "Conv2D"]
    assert len(convolutions) == 3, (
        f"`logits_cnn` has {len(convolutions)} Conv2D layers; the 3×3 CNN of notebook 02 has 3."
    )
    assert getattr(logits_cnn, "optimizer", None) is not None and getattr(logits_cnn, "loss", None) is not None, (
        "`logits_cnn` is not compiled: compile it with the from_logits=True loss, then fit."
    )
    assert _from_logits(logits_cnn.loss), (
        f"`logits_cnn` is compiled with the loss {logits_cnn.loss!r}, which expects probabilities: use "
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)."
    )
    steps = int(np.asarray(logits_cnn.optimizer.iterations))
    assert steps > 0, "`logits_cnn` has not been trained (its optimizer made 0 steps): call fit."


@test_case(points=1, hidden=False,
           failure_message="val_logits = logits_cnn.predict(x_val, verbose=0): raw scores, one row of 10 per "
                           "validation digit.")
def test_the_logits(val_logits, logits_cnn, x_val):
    assert _is_set(val_logits), "`val_logits` is still `...`: set it to logits_cnn.predict(x_val, verbose=0)."
    assert _is_set(logits_cnn), "`logits_cnn` is still `...`: build and train it first."
    assert x_val is not None, "`x_val` is not defined: run the lesson's cells above the exercises first."
    logits = np.asarray(val_logits, dtype="float32")
    assert logits.shape == (len(x_val), 10), (
        f"`val_logits` has shape {logits.shape}; expected ({len(x_val)}, 10): 10 scores for each of x_val's digits."
    )
    assert not (np.all(logits >= 0) and np.allclose(logits.sum(axis=1), 1.0, atol=1e-3)), (
        "`val_logits` rows are probabilities (non-negative, summing to 1): keep the raw scores of the Dense(10) "
        "layer, before any softmax."
    )
    expected = np.asarray(logits_cnn.predict(x_val[:32], verbose=0), dtype="float32")
    assert np.allclose(logits[:32], expected, rtol=1e-2, atol=1e-2), (
        f"`val_logits` differs from logits_cnn.predict(x_val) by up to {np.abs(logits[:32] - expected).max():.4f}: "
        "predict again after training."
    )


@test_case(points=1, hidden=False,
           failure_message="val_probabilities = np.asarray(keras.activations.softmax(val_logits)) and "
                           "val_predicted = val_logits.argmax(axis=1).")
def test_the_probabilities_and_classes(val_probabilities, val_predicted, val_logits, y_val):
    assert _is_set(val_probabilities), (
        "`val_probabilities` is still `...`: set it to keras.activations.softmax(val_logits), as a NumPy array."
    )
    assert _is_set(val_predicted), "`val_predicted` is still `...`: set it to the predicted digit of each image."
    assert _is_set(val_logits), "`val_logits` is still `...`: set it first."
    logits = np.asarray(val_logits, dtype="float64")
    probabilities = np.asarray(val_probabilities, dtype="float64")
    assert probabilities.shape == logits.shape, (
        f"`val_probabilities` has shape {probabilities.shape}; expected {logits.shape}, like val_logits."
    )
    sums = probabilities.sum(axis=1)
    assert np.allclose(sums, 1.0, atol=1e-3), (
        f"the rows of `val_probabilities` sum to values from {sums.min():.4f} to {sums.max():.4f}; "
        "softmax rows sum to 1."
    )
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected = shifted / shifted.sum(axis=1, keepdims=True)
    assert np.allclose(probabilities, expected, atol=1e-3), (
        f"`val_probabilities` differs from softmax(val_logits) by up to {np.abs(probabilities - expected).max():.4f}: "
        "apply keras.activations.softmax once, to val_logits."
    )
    predicted = np.asarray(val_predicted)
    assert predicted.shape == (len(logits),), (
        f"`val_predicted` has shape {predicted.shape}; expected ({len(logits)},): one digit per image."
    )
    disagree = int((predicted != logits.argmax(axis=1)).sum())
    assert disagree == 0, f"`val_predicted` differs from val_logits.argmax(axis=1) for {disagree} image(s)."
    assert y_val is not None, "`y_val` is not defined: run the lesson's cells above the exercises first."
    accuracy = float((predicted == np.asarray(y_val)).mean())
    assert accuracy > 2 * CHANCE, (
        f"`val_predicted` is right for {accuracy:.1%} of the validation digits, not clearly better than guessing "
        f"({CHANCE:.0%}): train logits_cnn on x_fit, y_fit before predicting."
    )
