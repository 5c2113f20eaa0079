"""SafeModelCheckpoint and SafeBackupAndRestore: Keras' behaviour, atomic files, memory across restarts.

Real processes killed at random moments are in test_kill_and_resume.py; these tests run in
this process with small models and real digits.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import callbacks, keras_internals

STEPS = 4  # 256 digits in batches of 64


@pytest.fixture(scope="module")
def digits(fast_digits: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return (fast_digits["x_train"][:256], fast_digits["y_train"][:256],
            fast_digits["x_test"][:200], fast_digits["y_test"][:200])


def small_model(learning_rate: float = 1e-3, seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def fit(model: keras.Model, digits, epochs: int, cbs: list, validation: bool = True) -> keras.callbacks.History:
    x, y, x_val, y_val = digits
    return model.fit(x, y, batch_size=64, epochs=epochs, validation_data=(x_val, y_val) if validation else None,
                     callbacks=cbs, verbose=0)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(callbacks.PARTIAL_PREFIX)]


def test_best_only_picks_the_same_epoch_as_keras(tmp_path: Path, digits) -> None:
    safe = callbacks.SafeModelCheckpoint(tmp_path / "safe.keras", monitor="val_loss", save_best_only=True)
    plain = keras.callbacks.ModelCheckpoint(str(tmp_path / "plain.keras"), monitor="val_loss", save_best_only=True)
    model = small_model()
    history = fit(model, digits, 3, [safe, plain])
    best_epoch = int(np.argmin(history.history["val_loss"])) + 1
    assert safe.best_epoch == best_epoch
    assert safe.best == pytest.approx(min(history.history["val_loss"]), rel=1e-6)
    record = json.loads((tmp_path / "safe.keras.best.json").read_text())
    assert record["monitor"] == "val_loss" and record["mode"] == "min" and record["epoch"] == best_epoch
    # Both files hold the same (best) model.
    x_val = digits[2][:8]
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "safe.keras").predict(x_val, verbose=0),
                               keras.models.load_model(tmp_path / "plain.keras").predict(x_val, verbose=0),
                               rtol=1e-6)
    assert leftovers(tmp_path) == []


def test_templates_and_weights_only(tmp_path: Path, digits) -> None:
    template = tmp_path / "ckpt-{epoch:02d}-{val_accuracy:.4f}.keras"
    every_epoch = callbacks.SafeModelCheckpoint(template, monitor="val_accuracy")
    weights = callbacks.SafeModelCheckpoint(tmp_path / "best.weights.h5", monitor="val_accuracy", mode="max",
                                            save_best_only=True, save_weights_only=True)
    every_2_batches = callbacks.SafeModelCheckpoint(tmp_path / "batch-{epoch:02d}-{batch:02d}.keras", save_freq=2)
    best_batch = callbacks.SafeModelCheckpoint(tmp_path / "best_batch.keras", monitor="loss", save_best_only=True,
                                               save_freq=1)
    batch_losses: list[float] = []
    record_losses = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batch_losses.append(logs["loss"]))
    model = small_model()
    history = fit(model, digits, 2, [every_epoch, weights, every_2_batches, best_batch, record_losses])
    expected = {f"ckpt-{e + 1:02d}-{a:.4f}.keras" for e, a in enumerate(history.history["val_accuracy"])}
    assert {p.name for p in tmp_path.glob("ckpt-*.keras")} == expected
    assert sorted(p.name for p in tmp_path.glob("batch-*.keras")) == [
        "batch-01-02.keras", "batch-01-04.keras", "batch-02-02.keras", "batch-02-04.keras"]
    assert (tmp_path / "best_batch.keras").exists()
    assert best_batch.best == pytest.approx(min(batch_losses), rel=1e-6)
    assert json.loads(callbacks.best_value_path(tmp_path / "best_batch.keras").read_text())["monitor"] == "loss"
    assert not list(tmp_path.glob("*ckpt*best.json")), "no best-value file without save_best_only"
    assert callbacks.best_value_path(template).name == "ckpt-epoch-val_accuracy.keras.best.json"
    fresh = small_model(seed=1)
    fresh.optimizer.build(fresh.trainable_variables)  # else the optimizer state in the file is skipped
    fresh.load_weights(tmp_path / "best.weights.h5")
    best_epoch = int(np.argmax(history.history["val_accuracy"])) + 1  # the first of equal values, like the callback
    assert iterations(fresh) == best_epoch * STEPS  # the optimizer state came along, from the best epoch
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        callbacks.SafeModelCheckpoint(tmp_path / "best.h5", save_weights_only=True)


def test_a_restart_does_not_replace_a_better_model(tmp_path: Path, digits) -> None:
    path = tmp_path / "best.keras"

    def checkpoint(**kwargs) -> callbacks.SafeModelCheckpoint:
        return callbacks.SafeModelCheckpoint(path, monitor="val_accuracy", mode="max", save_best_only=True, **kwargs)

    trained = small_model()
    first = fit(trained, digits, 3, [checkpoint()])
    best = max(first.history["val_accuracy"])
    saved = path.read_bytes()
    record = json.loads(callbacks.best_value_path(path).read_text())
    assert record["best"] == pytest.approx(best, rel=1e-6)

    # "Restart": a new process would have a new model and a new callback; only files remain.
    # A model that cannot learn (learning rate 0) scores ~10%, far below the stored best.
    restarted = small_model(learning_rate=0.0, seed=3)
    again = checkpoint()
    second = fit(restarted, digits, 2, [again])
    assert max(second.history["val_accuracy"]) < best
    assert path.read_bytes() == saved, "a worse epoch replaced the best model"
    assert json.loads(callbacks.best_value_path(path).read_text()) == record
    assert again.best == pytest.approx(best, rel=1e-6)

    # A better model after the restart still replaces it.
    better = checkpoint()
    better.best_value_file.write_text(json.dumps({**record, "best": 0.0}))
    fit(small_model(learning_rate=0.0, seed=3), digits, 1, [better])
    assert path.read_bytes() != saved


def test_initial_value_threshold_is_a_bar(tmp_path: Path, digits) -> None:
    checkpoint = callbacks.SafeModelCheckpoint(tmp_path / "best.keras", monitor="val_loss", save_best_only=True,
                                               initial_value_threshold=0.0)
    fit(small_model(), digits, 1, [checkpoint])
    assert not (tmp_path / "best.keras").exists()


def test_missing_metric_warns_and_saves_nothing(tmp_path: Path, digits) -> None:
    checkpoint = callbacks.SafeModelCheckpoint(tmp_path / "best.keras", monitor="val_accuracy",
                                               save_best_only=True)
    with pytest.warns(callbacks.MissingMetricWarning, match=r"val_accuracy.*accuracy, loss.*validation data") as seen:
        fit(small_model(), digits, 2, [checkpoint], validation=False)
    assert len([w for w in seen if w.category is callbacks.MissingMetricWarning]) == 1, "once per fit"
    assert not (tmp_path / "best.keras").exists()
    old_name = callbacks.SafeModelCheckpoint(tmp_path / "old.keras", monitor="val_acc", mode="max",
                                             save_best_only=True)
    with pytest.warns(callbacks.MissingMetricWarning, match="monitor='val_accuracy'"):
        fit(small_model(), digits, 1, [old_name])
    assert not (tmp_path / "old.keras").exists()


def test_the_save_decision_alone() -> None:
    def lower(value: float, best: float | None) -> bool:  # mode "min"
        return best is None or value < best

    decide = callbacks.save_decision
    assert decide({}, "val_loss", False, None, lower) == (True, callbacks.EVERY_EPOCH, None)
    assert decide({"val_loss": 0.4}, "val_loss", True, 0.5, lower) == (True, callbacks.IMPROVED, 0.4)
    assert decide({"val_loss": np.float32(0.25)}, "val_loss", True, None, lower) == (True, callbacks.IMPROVED, 0.25)
    assert decide({"val_loss": 0.6}, "val_loss", True, 0.5, lower) == (False, callbacks.NOT_IMPROVED, 0.6)
    assert decide({"loss": 0.1}, "val_loss", True, 0.5, lower) == (False, callbacks.MISSING, None)
    for bad in (float("nan"), np.ones(2), "high"):
        assert decide({"val_loss": bad}, "val_loss", True, 0.5, lower) == (False, callbacks.NOT_A_NUMBER, None)


def test_a_failed_save_keeps_the_old_file(tmp_path: Path) -> None:
    destination = tmp_path / "model.keras"
    destination.write_bytes(b"the old, complete file")

    def half_write(path: Path) -> None:
        path.write_bytes(b"half of a new fi")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        callbacks.replace_atomically(destination, half_write)
    assert destination.read_bytes() == b"the old, complete file"
    assert leftovers(tmp_path) == []
    callbacks.write_json_atomically(tmp_path / "state.json", {"epoch": 3})
    assert json.loads((tmp_path / "state.json").read_text()) == {"epoch": 3}


def test_temporary_files_of_killed_runs_are_removed(tmp_path: Path, digits) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    dead_pid = int(finished.stdout)
    stale = tmp_path / f".partial-{dead_pid}-best.keras"
    stale.write_bytes(b"half")
    mine = callbacks.partial_path(tmp_path / "other.keras")  # this process is alive: kept
    mine.write_bytes(b"in progress")
    fit(small_model(), digits, 1, [callbacks.SafeModelCheckpoint(tmp_path / "best.keras")])
    assert not stale.exists() and mine.exists()
    assert (tmp_path / "best.keras").exists()


class Interrupted(RuntimeError):
    pass


class StopAt(keras.callbacks.Callback):
    """Raises at the start of an epoch: an interruption inside this process."""

    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.stop_epoch = epoch

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        if epoch == self.stop_epoch:
            raise Interrupted


def iterations(model: keras.Model) -> int:
    return int(keras.ops.convert_to_numpy(model.optimizer.iterations))


def test_backup_resumes_with_optimizer_state_and_forgets_the_start_epoch(tmp_path: Path, digits) -> None:
    backup_dir = tmp_path / "backup"
    first = small_model()
    with pytest.raises(Interrupted):
        fit(first, digits, 4, [callbacks.SafeBackupAndRestore(backup_dir), StopAt(2)])
    state = json.loads((backup_dir / "state.json").read_text())
    assert state["epoch"] == 2 and state["iterations"] == 2 * STEPS
    assert sorted(p.name for p in backup_dir.iterdir()) == ["state.json", "weights-000002.weights.h5"]

    resumed = small_model(seed=5)
    backup = callbacks.SafeBackupAndRestore(backup_dir)
    history = fit(resumed, digits, 4, [backup])
    assert history.epoch == [2, 3]
    assert backup.restored_state is not None and backup.restored_state["epoch"] == 2
    assert iterations(resumed) == 4 * STEPS  # as many steps as an uninterrupted run
    assert not backup_dir.exists(), "the backup is deleted when training completes"
    # The same model object trains from epoch 1 again (Keras' callback would keep epoch 3).
    assert fit(resumed, digits, 1, []).epoch == [0]


def test_backup_ignores_what_a_kill_left_behind(tmp_path: Path, digits) -> None:
    backup_dir = tmp_path / "backup"
    model = small_model()
    fit(model, digits, 1, [callbacks.SafeBackupAndRestore(backup_dir, delete_checkpoint=False)])
    committed = backup_dir / "weights-000001.weights.h5"
    # A kill after the next weights file was complete but before state.json was committed,
    # and another one in the middle of writing:
    fit(model, digits, 1, [])
    model.save_weights(backup_dir / "weights-000002.weights.h5")
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    partial = backup_dir / f".partial-{int(finished.stdout)}-weights-000003.weights.h5"
    partial.write_bytes(committed.read_bytes()[:1000])

    fresh = small_model(seed=7)
    backup = callbacks.SafeBackupAndRestore(backup_dir)
    backup.set_model(fresh)
    backup.on_train_begin()
    assert keras_internals.initial_epoch(fresh) == 1 and iterations(fresh) == STEPS
    assert not partial.exists()

    (backup_dir / "state.json").write_text(json.dumps({"epoch": 1, "weights": "weights-000009.weights.h5"}))
    with pytest.raises(FileNotFoundError, match="weights-000009"):
        backup.on_train_begin()
    (backup_dir / "state.json").write_text("{not json")
    with pytest.raises(ValueError, match="start training from scratch"):
        backup.on_train_begin()


def test_unbuilt_models_are_refused_like_keras(tmp_path: Path) -> None:
    model = keras.Sequential([keras.layers.Dense(2)])
    backup = callbacks.SafeBackupAndRestore(tmp_path)
    backup.set_model(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="must be built"):
            backup.on_train_begin()
