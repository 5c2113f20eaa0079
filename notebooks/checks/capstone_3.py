"""Checks for the capstone's exercise 3, Train with a checkpoint and a backup, and crash.

What the interrupted run left on disk is the evidence: the backup folder (which a run that
completes deletes) with its record of completed epochs, and the checkpoint file, loaded here.
"""

import json
import os
from pathlib import Path

from otter.test_files import test_case

OK_FORMAT = False

name = "capstone_3"


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it as the question says."


def path_in_run_dir(variable, value, run_dir, suffix=None):
    """``value`` as a Path, after checking its type, its ending and that it lies inside ``run_dir``."""
    assert isinstance(value, str | os.PathLike), (
        f"`{variable}` is a {type(value).__name__}, expected a path (run_dir / ...)")
    path = Path(value)
    if suffix is not None:
        assert path.name.endswith(suffix), f"`{variable}` is {path.name!r}, expected a name ending in {suffix}"
    assert run_dir is not None, "`run_dir` is not defined: run the notebook's first code cell"
    assert path.resolve().is_relative_to(Path(run_dir).resolve()), (
        f"`{variable}` is {path}, outside run_dir ({run_dir}): put every file of the capstone in run_dir")
    return path


def backup_state(folder):
    """The record of a backup: SafeBackupAndRestore's state.json or Keras' training_metadata.json (or None).

    Both hold ``epoch``, the number of completed epochs; state.json also the optimizer's ``iterations``.
    """
    for record in ("state.json", "training_metadata.json"):
        if (folder / record).is_file():
            return json.loads((folder / record).read_text(encoding="utf-8"))
    return None


def whole_number(variable, value):
    assert isinstance(value, int) or type(value).__name__.startswith(("int", "uint")), (
        f"`{variable}` is {value!r}, expected a whole number")
    return int(value)


@test_case(points=1, hidden=False,
           failure_message="Raise an exception (RuntimeError) in on_epoch_begin when epoch == "
                           "epochs_before_interruption, and pass the backup callback to fit (notebook 06).")
def test_the_crash_left_a_backup_of_the_completed_epochs(backup_dir, run_dir, total_epochs,
                                                         epochs_before_interruption):
    require(backup_dir=backup_dir, total_epochs=total_epochs, epochs_before_interruption=epochs_before_interruption)
    total = whole_number("total_epochs", total_epochs)
    before = whole_number("epochs_before_interruption", epochs_before_interruption)
    assert 1 <= before < total, (
        f"epochs_before_interruption is {before} and total_epochs {total}: the crash must come after at least one "
        "completed epoch and before the last one")
    folder = path_in_run_dir("backup_dir", backup_dir, run_dir)
    assert folder.is_dir(), (
        f"{folder} does not exist. Either the backup callback was not in fit's callbacks, or fit ended normally: "
        "a backup is deleted when training completes, so the crash must raise an exception (not stop training)")
    state = backup_state(folder)
    contents = sorted(path.name for path in folder.iterdir())
    assert state is not None, f"{folder} holds {contents} but no backup state (state.json)"
    completed = int(state["epoch"])
    assert completed == before, (
        f"the backup records {completed} completed epoch(s), but epochs_before_interruption is {before}: raise at "
        f"the start of epoch {before + 1}, where on_epoch_begin receives epoch={before} (counted from 0)")


@test_case(points=1, hidden=False,
           failure_message='callbacks.SafeModelCheckpoint(checkpoint_path, monitor="val_accuracy", mode="max", '
                           "save_best_only=True) in fit's callbacks, with validation_data=(x_val, y_val).")
def test_the_checkpoint_holds_a_model_of_the_interrupted_run(checkpoint_path, backup_dir, run_dir):
    import keras

    require(checkpoint_path=checkpoint_path)
    path = path_in_run_dir("checkpoint_path", checkpoint_path, run_dir, suffix=".keras")
    assert path.is_file(), (
        f"{path} does not exist: the checkpoint saves at the end of an epoch when val_accuracy improves, so it "
        "needs validation data and at least one completed epoch")
    try:
        loaded = keras.models.load_model(path)
    except Exception as error:
        raise AssertionError(f"keras.models.load_model({path.name!r}) fails: {type(error).__name__}: {error}") from None
    assert tuple(loaded.output_shape) == (None, 10), (
        f"{path.name} holds a model with output {loaded.output_shape}, expected (None, 10)")
    steps = int(loaded.optimizer.iterations) if loaded.optimizer is not None else 0
    assert steps > 0, f"{path.name} holds a model that was never trained (its optimizer is at step {steps})"
    state = backup_state(Path(backup_dir)) if isinstance(backup_dir, str | os.PathLike) else None
    if state is not None and "iterations" in state:  # the run so far made this many optimizer steps
        assert steps <= int(state["iterations"]), (
            f"{path.name} holds a model trained for {steps:,} optimizer steps, but the interrupted run made only "
            f"{int(state['iterations']):,} before the crash: the checkpoint must come from this run (run the "
            "notebook from the top)")


@test_case(points=1, hidden=False,
           failure_message="Keep the two callbacks in `checkpoint` (SafeModelCheckpoint on val_accuracy, best only) "
                           "and `backup` (SafeBackupAndRestore(backup_dir)): exercise 4 uses them again.")
def test_the_two_callbacks_watch_the_right_files(checkpoint, backup, checkpoint_path, backup_dir):
    import keras

    require(checkpoint=checkpoint, backup=backup, checkpoint_path=checkpoint_path, backup_dir=backup_dir)
    assert isinstance(checkpoint, keras.callbacks.ModelCheckpoint), (
        f"`checkpoint` is a {type(checkpoint).__name__}, expected callbacks.SafeModelCheckpoint (or Keras' "
        "ModelCheckpoint)")
    assert Path(checkpoint.filepath).resolve() == Path(checkpoint_path).resolve(), (
        f"`checkpoint` writes {checkpoint.filepath}, but checkpoint_path is {checkpoint_path}")
    assert checkpoint.monitor == "val_accuracy" and checkpoint.save_best_only, (
        f"`checkpoint` monitors {checkpoint.monitor!r} with save_best_only={checkpoint.save_best_only}; expected "
        "the best model by 'val_accuracy' (save_best_only=True)")
    assert isinstance(backup, keras.callbacks.BackupAndRestore), (
        f"`backup` is a {type(backup).__name__}, expected callbacks.SafeBackupAndRestore (or Keras' BackupAndRestore)")
    assert Path(backup.backup_dir).resolve() == Path(backup_dir).resolve(), (
        f"`backup` writes to {backup.backup_dir}, but backup_dir is {backup_dir}")
