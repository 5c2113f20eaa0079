"""Checks for exercise 04.3, The validation_split trap."""

import math

import keras
import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex04_3"


def _split_at(y_train):
    assert y_train is not None, "`y_train` is not defined: run the lesson's cells above the exercises first."
    return int(np.floor(len(y_train) * (1 - 0.1)))  # how Keras cuts the arrays


def _one_epoch_run(run, variable, y_train):
    assert run is not ... and run is not None, (
        f"`{variable}` is still `...`: set it to the History that model.fit returns."
    )
    assert isinstance(run, keras.callbacks.History), (
        f"`{variable}` is a {type(run).__name__}; expected the History that model.fit returns."
    )
    split_at = _split_at(y_train)
    steps = math.ceil(split_at / 64)
    assert "val_accuracy" in run.history, (
        f"`{variable}` has no val_accuracy: pass validation_split=0.1 to fit."
    )
    assert len(run.epoch) == 1, f"`{variable}` trained {len(run.epoch)} epochs; train for one (epochs=1)."
    assert run.params.get("steps") == steps, (
        f"`{variable}` ran {run.params.get('steps')} steps; all {len(y_train):,} training digits with "
        f"validation_split=0.1 leave {split_at:,} to train on, {steps} batches of 64. Fit on all the "
        "sorted digits (mixed or not) with validation_split=0.1 and batch_size=64."
    )
    updates = int(run.model.optimizer.iterations)
    assert updates == steps, (
        f"the model of `{variable}` has made {updates} updates, not the {steps} of one epoch: build and compile "
        "a fresh model for each run."
    )
    return float(run.history["val_accuracy"][-1])


@test_case(points=1, hidden=False,
           failure_message="Keras keeps back the last 10% of the arrays, before any shuffling: "
                           "np.unique(y_sorted[split_at:]) with split_at = int(np.floor(len(y_sorted) * 0.9)).")
def test_the_validation_digits(validation_digits, y_train):
    assert validation_digits is not ... and validation_digits is not None, (
        "`validation_digits` is still `...`: set it to the distinct labels in the validation part, "
        "e.g. np.array([3, 4])."
    )
    split_at = _split_at(y_train)
    expected = np.unique(np.sort(y_train)[split_at:])
    seen = np.asarray(validation_digits).ravel()
    assert np.array_equal(np.unique(seen), seen), (
        f"`validation_digits` is {seen.tolist()}; expected the distinct labels, sorted, once each (np.unique)."
    )
    assert np.array_equal(seen, expected), (
        f"`validation_digits` is {seen.tolist()}; the last {len(y_train) - split_at} labels of the sorted "
        f"arrays are the digits {expected.tolist()}."
    )


@test_case(points=1, hidden=False,
           failure_message="Sort first (order = np.argsort(y_train, kind='stable'); x_train[order], y_train[order]), "
                           "then fit fresh models with validation_split=0.1, once plain and once with shuffle=True.")
def test_the_sorted_runs(sorted_run, shuffle_true_run, y_train):
    for variable, run in (("sorted_run", sorted_run), ("shuffle_true_run", shuffle_true_run)):
        accuracy = _one_epoch_run(run, variable, y_train)
        assert accuracy < 0.3, (
            f"`{variable}` reached val_accuracy {accuracy:.3f}; on label-sorted arrays the validation part holds "
            "only the last digits, which the model hardly saw in training, so it should score near 0. "
            "Did you fit on the sorted arrays?"
        )
    assert sorted_run.model is not shuffle_true_run.model, (
        "`sorted_run` and `shuffle_true_run` trained the same model object: build a fresh one for each run."
    )


@test_case(points=1, hidden=False,
           failure_message="Mix the sorted arrays before fit: mix = np.random.default_rng(config.seed())"
                           ".permutation(len(y_sorted)), then fit(x_sorted[mix], y_sorted[mix], "
                           "validation_split=0.1, ...).")
def test_the_run_shuffled_first(shuffled_first_run, sorted_run, y_train):
    accuracy = _one_epoch_run(shuffled_first_run, "shuffled_first_run", y_train)
    baseline = _one_epoch_run(sorted_run, "sorted_run", y_train)
    assert accuracy > baseline + 0.2, (
        f"`shuffled_first_run` reached val_accuracy {accuracy:.3f}, hardly more than `sorted_run` ({baseline:.3f}). "
        "Once the arrays are mixed, the validation part holds every digit and the model has seen them all."
    )
