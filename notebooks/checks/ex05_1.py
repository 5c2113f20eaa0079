"""Checks for exercise 05.1, Best accuracy or best loss?"""

import math
import numbers
from pathlib import Path

import keras
import numpy as np
from otter.test_files import test_case

from course_utils import config, keras_internals

OK_FORMAT = False

name = "ex05_1"

#: monitor -> (the answer variable holding its checkpoint, mode, the better of two values)
WATCHED = {"val_accuracy": ("long_accuracy_checkpoint", "max", max),
           "val_loss": ("long_loss_checkpoint", "min", min)}


def _long_history(long_history):
    assert long_history is not ... and long_history is not None, (
        "`long_history` is still `...`: set it to the History that model.fit returned."
    )
    assert isinstance(long_history, keras.callbacks.History), (
        f"`long_history` is a {type(long_history).__name__}; expected the History that model.fit returns."
    )
    return long_history


@test_case(points=1, hidden=False,
           failure_message="Fit a fresh models.build_cnn_3x3() on x_fit, y_fit with validation_data=(x_val, y_val), "
                           "epochs=config.epochs(20, fast=4) and batch_size=64; long_history is what fit returns.")
def test_the_long_run(long_history, x_fit):
    _long_history(long_history)
    epochs = config.epochs(20, fast=4)
    assert len(long_history.epoch) == epochs, (
        f"`long_history` has {len(long_history.epoch)} epoch(s); expected config.epochs(20, fast=4) = {epochs}."
    )
    missing = [key for key in WATCHED if key not in long_history.history]
    assert not missing, f"`long_history` has no {', '.join(missing)}: pass validation_data=(x_val, y_val) to fit."
    assert x_fit is not None, "`x_fit` is not defined: run the lesson's cells above the exercises first."
    steps = math.ceil(len(x_fit) / 64)
    assert long_history.params.get("steps") == steps, (
        f"`long_history` ran {long_history.params.get('steps')} steps per epoch; x_fit in batches of 64 gives "
        f"{steps}. Fit on x_fit, y_fit with batch_size=64."
    )


@test_case(points=1, hidden=False,
           failure_message="Create two new keras.callbacks.ModelCheckpoint(path, monitor=..., mode=..., "
                           "save_best_only=True), one on val_accuracy (mode='max'), one on val_loss (mode='min'), "
                           "and pass both to this run's fit.")
def test_the_two_checkpoints(long_accuracy_checkpoint, long_loss_checkpoint, long_history):
    found = {"long_accuracy_checkpoint": long_accuracy_checkpoint, "long_loss_checkpoint": long_loss_checkpoint}
    for variable, checkpoint in found.items():
        assert checkpoint is not ... and checkpoint is not None, (
            f"`{variable}` is still `...`: set it to the ModelCheckpoint you passed to fit."
        )
        assert isinstance(checkpoint, keras.callbacks.ModelCheckpoint), (
            f"`{variable}` is a {type(checkpoint).__name__}; expected a keras.callbacks.ModelCheckpoint."
        )
    _long_history(long_history)
    for monitor, (variable, mode, better) in WATCHED.items():
        checkpoint = found[variable]
        assert checkpoint.monitor == monitor, (
            f"`{variable}` monitors {checkpoint.monitor!r}; expected monitor={monitor!r}."
        )
        assert checkpoint.save_best_only, f"`{variable}` saves every epoch: pass save_best_only=True."
        values = long_history.history[monitor]
        best = better(values)
        assert checkpoint.best is not None and np.isclose(checkpoint.best, best, rtol=1e-6, atol=1e-9), (
            f"`{variable}` remembers the best {monitor} {checkpoint.best}, but the best in `long_history` is "
            f"{best:.5f}: create new checkpoints for this run (the lesson's by_accuracy and by_loss remember "
            "their own run; a SafeModelCheckpoint remembers earlier runs in its .best.json file) and pass them "
            "to the fit that returned `long_history`."
        )
        assert Path(checkpoint.filepath).is_file(), (
            f"`{variable}` saves to {checkpoint.filepath}, which does not exist."
        )
        assert mode == keras_internals.monitor_direction(checkpoint), (
            f"`{variable}` treats a {'smaller' if mode == 'max' else 'larger'} {monitor} as better: pass mode={mode!r}."
        )


@test_case(points=1, hidden=False,
           failure_message="The epoch a best-only checkpoint kept is where its metric is best in the history: "
                           "np.argmax for val_accuracy, np.argmin for val_loss, plus 1 to count from 1.")
def test_the_best_epochs(long_best_epochs, long_history):
    assert long_best_epochs is not ... and long_best_epochs is not None, (
        "`long_best_epochs` is still `...`: set it to {\"val_accuracy\": epoch, \"val_loss\": epoch}."
    )
    assert isinstance(long_best_epochs, dict) and set(long_best_epochs) == set(WATCHED), (
        f"`long_best_epochs` is {long_best_epochs!r}; expected a dict with the keys 'val_accuracy' and 'val_loss'."
    )
    _long_history(long_history)
    for monitor, (_, mode, _) in WATCHED.items():
        epoch = long_best_epochs[monitor]
        values = long_history.history[monitor]
        expected = int(np.argmax(values) if mode == "max" else np.argmin(values)) + 1
        assert isinstance(epoch, numbers.Integral), (
            f"`long_best_epochs[{monitor!r}]` is a {type(epoch).__name__}; expected an int."
        )
        assert epoch != expected - 1, (
            f"`long_best_epochs[{monitor!r}]` is {epoch}, counted from 0: the checkpoint kept epoch {expected} "
            "counted from 1."
        )
        assert epoch == expected, (
            f"`long_best_epochs[{monitor!r}]` is {epoch}; {monitor} is best in epoch {expected} (counted from 1): "
            f"{np.round(values, 4).tolist()}."
        )
