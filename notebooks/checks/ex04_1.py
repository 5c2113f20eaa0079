"""Checks for exercise 04.1, Batch size and the number of updates."""

import math
import numbers

import keras
from otter.test_files import test_case

OK_FORMAT = False

name = "ex04_1"

BATCH_SIZES = (8, 256)


def _batch_dict(value, variable, what):
    assert value is not ... and value is not None, (
        f"`{variable}` is still `...`: set it to a dict {{8: ..., 256: ...}} holding {what}."
    )
    assert isinstance(value, dict), (
        f"`{variable}` is a {type(value).__name__}; expected a dict with the keys 8 and 256 holding {what}."
    )
    assert set(value) == set(BATCH_SIZES), (
        f"`{variable}` has the keys {list(value)}; expected exactly the batch sizes 8 and 256 (as ints)."
    )
    return value


def _lesson(value, variable):
    assert value is not None, f"`{variable}` is not defined: run the lesson's cells above the exercises first."
    return value


@test_case(points=1, hidden=False,
           failure_message="Per batch size: keras.utils.set_random_seed(config.seed()), a fresh "
                           "models.build_cnn_3x3() compiled like the main run, then model.fit(x_fit, y_fit, "
                           "validation_data=(x_val, y_val), epochs=config.epochs(10, fast=1), batch_size=...); "
                           "batch_runs[batch_size] is the History that fit returns.")
def test_both_runs_trained(batch_runs, x_fit, history):
    _batch_dict(batch_runs, "batch_runs", "the History that each fit returned")
    x_fit, history = _lesson(x_fit, "x_fit"), _lesson(history, "history")
    for batch_size, run in batch_runs.items():
        assert isinstance(run, keras.callbacks.History), (
            f"`batch_runs[{batch_size}]` is a {type(run).__name__}; expected the History that model.fit returns."
        )
        steps = math.ceil(len(x_fit) / batch_size)
        seen = run.params.get("steps")
        assert seen == steps, (
            f"`batch_runs[{batch_size}]` ran {seen} steps per epoch; batch_size={batch_size} on the "
            f"{len(x_fit):,} digits of x_fit gives {steps}. Fit on x_fit, y_fit with batch_size={batch_size}."
        )
        assert len(run.epoch) == len(history.epoch), (
            f"`batch_runs[{batch_size}]` trained {len(run.epoch)} epoch(s), the main run {len(history.epoch)}: "
            "use epochs=config.epochs(10, fast=1), as the main run did."
        )
        assert "val_accuracy" in run.history, (
            f"`batch_runs[{batch_size}]` has no val_accuracy: pass validation_data=(x_val, y_val) as the main run did."
        )
        updates = int(run.model.optimizer.iterations)
        expected = steps * len(run.epoch)
        assert updates == expected, (
            f"the model of `batch_runs[{batch_size}]` has made {updates} updates in all, expected "
            f"{steps} per epoch × {len(run.epoch)} = {expected}: build and compile a fresh model for each "
            "batch size (a model that trained before keeps counting)."
        )
    assert batch_runs[8].model is not batch_runs[256].model, (
        "`batch_runs[8]` and `batch_runs[256]` trained the same model object: build a fresh one per batch size."
    )


@test_case(points=1, hidden=False,
           failure_message="An epoch makes one update per batch, the last smaller batch included: "
                           "int(model.optimizer.iterations) after fit, divided by the number of epochs.")
def test_updates_per_epoch(updates_per_epoch, x_fit, history):
    _batch_dict(updates_per_epoch, "updates_per_epoch", "the number of weight updates in one epoch")
    x_fit, history = _lesson(x_fit, "x_fit"), _lesson(history, "history")
    for batch_size, updates in updates_per_epoch.items():
        assert isinstance(updates, numbers.Real), (
            f"`updates_per_epoch[{batch_size}]` is a {type(updates).__name__}; expected an int."
        )
        expected = math.ceil(len(x_fit) / batch_size)
        epochs = len(history.epoch)
        assert not (epochs > 1 and updates == expected * epochs), (
            f"`updates_per_epoch[{batch_size}]` is {updates}, the updates of all {epochs} epochs: "
            "divide by the number of epochs."
        )
        assert not math.isclose(updates, len(x_fit) / batch_size) or updates == expected, (
            f"`updates_per_epoch[{batch_size}]` is {updates} = {len(x_fit):,} / {batch_size}: the last, "
            f"smaller batch is an update too, so an epoch makes ceil({len(x_fit):,} / {batch_size}) = {expected}."
        )
        assert updates == expected, (
            f"`updates_per_epoch[{batch_size}]` is {updates}; one epoch of batch_size={batch_size} on the "
            f"{len(x_fit):,} digits of x_fit makes {expected} updates."
        )


@test_case(points=1, hidden=False,
           failure_message="Time the fit call: start = time.perf_counter() before it, "
                           "time.perf_counter() - start after it; the accuracy is the second value of "
                           "model.evaluate(x_test, y_test, verbose=0).")
def test_times_and_test_accuracies(fit_seconds, batch_test_accuracy):
    _batch_dict(fit_seconds, "fit_seconds", "the seconds each fit took")
    _batch_dict(batch_test_accuracy, "batch_test_accuracy", "each model's test accuracy")
    for batch_size, seconds in fit_seconds.items():
        assert isinstance(seconds, numbers.Real), (
            f"`fit_seconds[{batch_size}]` is a {type(seconds).__name__}; expected a number of seconds (a float)."
        )
        assert 0 < seconds < 24 * 3600, (
            f"`fit_seconds[{batch_size}]` is {seconds}; expected the seconds the fit call took, a positive number."
        )
    for batch_size, accuracy in batch_test_accuracy.items():
        assert isinstance(accuracy, numbers.Real), (
            f"`batch_test_accuracy[{batch_size}]` is a {type(accuracy).__name__}: model.evaluate returns "
            "[loss, accuracy]; keep the accuracy only."
        )
        assert 0 <= accuracy <= 1, (
            f"`batch_test_accuracy[{batch_size}]` is {accuracy}; expected a fraction between 0 and 1, not a percentage."
        )
