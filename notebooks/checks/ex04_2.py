"""Checks for exercise 04.2, How much data does overfitting need?"""

import math
import numbers

import keras
import numpy as np
from otter.test_files import test_case

from course_utils import config

OK_FORMAT = False

name = "ex04_2"

#: The training sizes the exercise asks for, as in the question.
SIZES = config.pick(full=[500, 1_000, 2_000], fast=[200, 400, 800])


def _size_dict(value, variable, what):
    assert value is not ... and value is not None, (
        f"`{variable}` is still `...`: set it to a dict {{size: ...}} holding {what}, one entry per size in {SIZES}."
    )
    assert isinstance(value, dict), (
        f"`{variable}` is a {type(value).__name__}; expected a dict keyed by the sizes {SIZES} holding {what}."
    )
    assert sorted(value) == SIZES, (
        f"`{variable}` has the keys {sorted(value)}; expected the sizes {SIZES} "
        "(config.pick(full=[500, 1_000, 2_000], fast=[200, 400, 800]))."
    )
    return value


def _run(overfit_runs, size):
    run = overfit_runs.get(size) if isinstance(overfit_runs, dict) else None
    assert isinstance(run, keras.callbacks.History) and "val_loss" in run.history, (
        f"`overfit_runs[{size}]` is not a History with validation results: check `overfit_runs` first."
    )
    return run


@test_case(points=1, hidden=False,
           failure_message="For each size: x_part, y_part = data.subsample(x_fit, y_fit, size), then a fresh model "
                           "fitted like overfit_model: validation_data=(x_val, y_val), "
                           "epochs=config.epochs(30, fast=3), batch_size=64.")
def test_the_runs(overfit_runs, overfit_history):
    _size_dict(overfit_runs, "overfit_runs", "the History of each run")
    assert overfit_history is not None, (
        "`overfit_history` is not defined: run the lesson's cells above the exercises first."
    )
    epochs = len(overfit_history.epoch)
    for size, run in overfit_runs.items():
        assert isinstance(run, keras.callbacks.History), (
            f"`overfit_runs[{size}]` is a {type(run).__name__}; expected the History that model.fit returns."
        )
        steps = math.ceil(size / 64)
        seen = run.params.get("steps")
        assert seen == steps, (
            f"`overfit_runs[{size}]` ran {seen} steps per epoch; {size} digits in batches of 64 give {steps}. "
            f"Train on data.subsample(x_fit, y_fit, {size}) with batch_size=64."
        )
        assert len(run.epoch) == epochs, (
            f"`overfit_runs[{size}]` trained {len(run.epoch)} epoch(s), the lesson's overfitting run {epochs}: "
            "use epochs=config.epochs(30, fast=3)."
        )
        assert "val_loss" in run.history, (
            f"`overfit_runs[{size}]` has no val_loss: pass validation_data=(x_val, y_val)."
        )
        updates = int(run.model.optimizer.iterations)
        assert updates == steps * epochs, (
            f"the model of `overfit_runs[{size}]` has made {updates} updates, expected {steps} × {epochs} = "
            f"{steps * epochs}: build and compile a fresh model for each size."
        )


@test_case(points=1, hidden=False,
           failure_message="The gap of a run is history['accuracy'][-1] - history['val_accuracy'][-1], "
                           "training minus validation, in the last epoch.")
def test_the_gaps(final_gap, overfit_runs):
    _size_dict(final_gap, "final_gap", "the last epoch's training minus validation accuracy")
    for size, gap in final_gap.items():
        assert isinstance(gap, numbers.Real), f"`final_gap[{size}]` is a {type(gap).__name__}; expected a float."
        history = _run(overfit_runs, size).history
        expected = history["accuracy"][-1] - history["val_accuracy"][-1]
        assert not (abs(expected) > 1e-6 and math.isclose(gap, -expected, abs_tol=1e-6)), (
            f"`final_gap[{size}]` is {gap:.4f}, validation minus training: take training minus validation."
        )
        assert math.isclose(gap, expected, abs_tol=1e-4), (
            f"`final_gap[{size}]` is {gap:.4f}; in the last epoch of `overfit_runs[{size}]` the training accuracy "
            f"is {history['accuracy'][-1]:.4f} and the validation accuracy {history['val_accuracy'][-1]:.4f}, "
            f"a gap of {expected:.4f}."
        )


@test_case(points=1, hidden=False,
           failure_message="np.argmin(history['val_loss']) is the epoch counted from 0; add 1 to count "
                           "from 1, as the table and Keras' log do.")
def test_the_lowest_validation_loss_epochs(lowest_val_loss_epoch, overfit_runs):
    _size_dict(lowest_val_loss_epoch, "lowest_val_loss_epoch", "the epoch (from 1) of the lowest validation loss")
    for size, epoch in lowest_val_loss_epoch.items():
        assert isinstance(epoch, numbers.Integral), (
            f"`lowest_val_loss_epoch[{size}]` is a {type(epoch).__name__}; expected an int (int(...) around argmin)."
        )
        val_loss = _run(overfit_runs, size).history["val_loss"]
        expected = int(np.argmin(val_loss)) + 1
        assert epoch != expected - 1, (
            f"`lowest_val_loss_epoch[{size}]` is {epoch}, counted from 0: the lowest val_loss is in epoch "
            f"{expected} counted from 1."
        )
        assert epoch == expected, (
            f"`lowest_val_loss_epoch[{size}]` is {epoch}; the val_loss of `overfit_runs[{size}]` is lowest in "
            f"epoch {expected} (counted from 1): {np.round(val_loss, 4).tolist()}."
        )
