"""Checks for exercise 06.2, The best checkpoint is not a resume point."""

import numbers

import keras
import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex06_2"


def _history(best_only_history):
    assert best_only_history is not ... and best_only_history is not None, (
        "`best_only_history` is still `...`: set it to the History that fit returned."
    )
    assert isinstance(best_only_history, keras.callbacks.History), (
        f"`best_only_history` is a {type(best_only_history).__name__}; expected the History that model.fit returns."
    )
    assert "val_loss" in best_only_history.history, (
        "`best_only_history` has no val_loss: pass validation_data=(x_val, y_val) to fit."
    )
    steps = best_only_history.params.get("steps")
    assert isinstance(steps, int) and steps > 0, (
        f"`best_only_history.params` is {best_only_history.params}, without a number of steps per epoch: "
        "fit on the arrays x_fit, y_fit with batch_size=64."
    )
    return best_only_history, steps


def _int(value, variable):
    assert value is not ... and value is not None, f"`{variable}` is still `...`: set it to an int."
    assert isinstance(value, numbers.Integral), (
        f"`{variable}` is a {type(value).__name__}; expected an int (int(optimizer.iterations))."
    )
    return int(value)


@test_case(points=1, hidden=False,
           failure_message="Fit a fresh model for best_only_epochs epochs; steps_trained is "
                           "int(model.optimizer.iterations) of that model after fit.")
def test_the_run(best_only_history, steps_trained):
    history, steps = _history(best_only_history)
    trained = _int(steps_trained, "steps_trained")
    epochs = len(history.epoch)
    assert epochs >= 2, f"`best_only_history` has {epochs} epoch(s); train for config.epochs(4, fast=3)."
    assert trained == epochs * steps, (
        f"`steps_trained` is {trained}; {epochs} epochs of {steps} steps make {epochs * steps}. Use the trained "
        "model's optimizer, and a fresh model (one that trained before keeps counting)."
    )


@test_case(points=1, hidden=False,
           failure_message="Load the best-only file, loaded = keras.models.load_model(best_only_dir / 'best.keras'), "
                           "and read int(loaded.optimizer.iterations): the file keeps the optimizer state too.")
def test_the_step_counter_in_the_file(steps_in_best_file, steps_trained, best_only_history):
    in_file = _int(steps_in_best_file, "steps_in_best_file")
    history, steps = _history(best_only_history)
    best_epoch = int(np.argmin(history.history["val_loss"])) + 1
    expected = best_epoch * steps
    assert not (in_file != expected and in_file == steps_trained), (
        f"`steps_in_best_file` is {in_file}, the steps of the model in memory: load best.keras with "
        "keras.models.load_model and read the loaded model's optimizer."
    )
    assert in_file == expected, (
        f"`steps_in_best_file` is {in_file}; val_loss was lowest in epoch {best_epoch}, so best.keras holds the "
        f"model after {best_epoch} × {steps} = {expected} steps. Empty best_only_dir before the run (an older "
        "best.keras and its .best.json may be in the way)."
    )


@test_case(points=1, hidden=False,
           failure_message="A model that made N optimizer steps at S steps per epoch has completed N // S epochs; "
                           "S is best_only_history.params['steps'].")
def test_the_epochs_in_the_file(epochs_in_best_file, steps_in_best_file, best_only_history):
    epochs = _int(epochs_in_best_file, "epochs_in_best_file")
    in_file = _int(steps_in_best_file, "steps_in_best_file")
    history, steps = _history(best_only_history)
    assert epochs == in_file // steps, (
        f"`epochs_in_best_file` is {epochs}; {in_file} steps at {steps} per epoch are {in_file // steps} epochs."
    )
    best_epoch = int(np.argmin(history.history["val_loss"])) + 1
    assert epochs == best_epoch, (
        f"`epochs_in_best_file` is {epochs}; the best val_loss was in epoch {best_epoch} (counted from 1), the "
        "epoch the best-only file keeps."
    )
