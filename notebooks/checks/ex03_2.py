"""Checks for exercise 03.2, One-hot all the way."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex03_2"

#: Two runs of the same computation may differ by float rounding (two different TensorFlow kernels)
#: and nothing else; a different start or batch order moves the loss by far more. Accuracy moves in
#: steps of one image, so it gets a few images' worth.
AGREEMENT = {"loss": 1e-3, "accuracy": 5e-3}


def _is_set(value):
    return value is not ... and value is not None


def _loss_name(loss):
    if isinstance(loss, str):
        text = loss
    else:
        text = getattr(loss, "name", None) or getattr(loss, "__name__", "") or type(loss).__name__
    return text.lower().replace("_", "")


def _check_history(history, variable, wanted_loss):
    assert _is_set(history), f"`{variable}` is still `...`: set it to what fit(...) returns."
    assert hasattr(history, "history") and "loss" in history.history, (
        f"`{variable}` is a {type(history).__name__}; expected the History object that fit returns."
    )
    seen = _loss_name(history.model.loss)
    assert seen == wanted_loss.replace("_", ""), (
        f"`{variable}` was trained with the loss {history.model.loss!r}; expected \"{wanted_loss}\"."
    )
    assert "accuracy" in history.history, (
        f"`{variable}` records {sorted(history.history)}: compile with metrics=[\"accuracy\"]."
    )


@test_case(points=1, hidden=False,
           failure_message="Train each run on a new models.build_cnn_3x3() with set_weights(initial_weights): "
                           "sparse_history with y_fit and \"sparse_categorical_crossentropy\", one_hot_history with "
                           "data.one_hot(y_fit) and \"categorical_crossentropy\".")
def test_the_two_runs(sparse_history, one_hot_history):
    _check_history(sparse_history, "sparse_history", "sparse_categorical_crossentropy")
    _check_history(one_hot_history, "one_hot_history", "categorical_crossentropy")
    assert sparse_history.model is not one_hot_history.model, (
        "Both histories belong to the same model object: the second run went on from the first one's weights. "
        "Build a new model for each run."
    )
    sparse_epochs, one_hot_epochs = len(sparse_history.epoch), len(one_hot_history.epoch)
    assert sparse_epochs == one_hot_epochs, (
        f"sparse_history has {sparse_epochs} epoch(s), one_hot_history {one_hot_epochs}: give both the same epochs."
    )


@test_case(points=1, hidden=False,
           failure_message="Both runs must start from initial_weights (model.set_weights) and see the same batches: "
                           "pass shuffle=False and batch_size=64 to both fit calls.")
def test_the_runs_agree(sparse_history, one_hot_history):
    assert _is_set(sparse_history) and _is_set(one_hot_history), (
        "`sparse_history` and `one_hot_history` must be set first."
    )
    for key, tolerance in AGREEMENT.items():
        sparse = np.asarray(sparse_history.history[key], dtype="float64")
        one_hot = np.asarray(one_hot_history.history[key], dtype="float64")
        if sparse.shape != one_hot.shape:
            raise AssertionError(f"the histories have {len(sparse)} and {len(one_hot)} epochs of {key}.")
        gap = float(np.abs(sparse - one_hot).max())
        assert gap <= tolerance, (
            f"the two runs' {key} differ by up to {gap:.4f} (sparse {np.round(sparse, 4).tolist()}, "
            f"one-hot {np.round(one_hot, 4).tolist()}); the same computation from the same start would agree "
            f"to within {tolerance:g}."
        )


@test_case(points=1, hidden=False,
           failure_message="Subtract the two loss lists as arrays and keep the largest absolute value: "
                           "np.abs(np.array(sparse_history.history[\"loss\"]) - "
                           "np.array(one_hot_history.history[\"loss\"])).max().")
def test_the_largest_loss_difference(largest_loss_difference, sparse_history, one_hot_history):
    assert _is_set(largest_loss_difference), (
        "`largest_loss_difference` is still `...`: set it to the largest difference of the two loss lists."
    )
    assert _is_set(sparse_history) and _is_set(one_hot_history), (
        "`sparse_history` and `one_hot_history` must be set first."
    )
    expected = float(np.abs(np.asarray(sparse_history.history["loss"], dtype="float64")
                            - np.asarray(one_hot_history.history["loss"], dtype="float64")).max())
    value = float(largest_loss_difference)
    assert np.isclose(value, expected, rtol=1e-3, atol=1e-7), (
        f"`largest_loss_difference` is {value:g}; the two histories' losses differ by at most {expected:g}."
    )
