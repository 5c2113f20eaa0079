"""SafeModelCheckpoint when it cannot write: a full disk, a read-only folder, a file size limit.

What the callback promises (issue 15): training goes on and ``fit`` returns its History, the last
complete checkpoint stays in place, the temporary copy is removed, one warning names the path, the
free space and the size needed, saving resumes when a later save works, and
``on_write_error="raise"`` stops with an error that says the same.

Real faults where the machine allows them:

* a 1 MiB tmpfs, filled with a ballast file or remounted read-only between two epochs (needs
  root: skipped with the reason otherwise);
* ``RLIMIT_FSIZE`` (``ulimit -f``) lowered for one save, with ``SIGXFSZ`` ignored so the write
  fails with ``EFBIG`` instead of killing the process: any user on Linux or macOS.

Faults no machine makes on demand (the best-value record failing alone, every save failing) are
monkeypatched. The model is tiny (a ~20 KB ``.keras``) and trains on 48 digits for 2-3 epochs.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import callbacks, keras_internals

BATCH = 16
STEPS = 3  # 48 digits in batches of 16


@pytest.fixture(scope="module")
def digits(fast_digits: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return fast_digits["x_train"][:48], fast_digits["y_train"][:48]


def tiny_model() -> keras.Model:
    """170 weights: a ~20 KB .keras file, so a 1 MiB tmpfs holds it and a ballast file crowds it out."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.AveragePooling2D(7),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    # No XLA: compiling would take longer than these few steps of training.
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", jit_compile=False)
    return model


def fit(model: keras.Model, digits, epochs: int, cbs: list) -> keras.callbacks.History:
    x, y = digits
    return model.fit(x, y, batch_size=BATCH, epochs=epochs, callbacks=cbs, verbose=0)


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(callbacks.PARTIAL_PREFIX)]


def iterations(model: keras.Model) -> int:
    return int(keras.ops.convert_to_numpy(model.optimizer.iterations))


def saved_iterations(path: Path) -> int:
    """Training steps of the model in a checkpoint: which epoch the file holds."""
    if path.name.endswith(".weights.h5"):
        model = tiny_model()
        model.optimizer.build(model.trainable_variables)
        model.load_weights(path)
        return iterations(model)
    return iterations(keras.models.load_model(path))


def require_hdf5_in_memory(name: str) -> None:
    """Fail cleanly, before the fault, if HDF5 files would be written by h5py straight to disk.

    h5py writing into a file that runs out of room (a full disk, ``ulimit -f``) segfaults in
    ``File.close`` (h5py 3.14): without this check a regression would kill the whole test run.
    """
    if not name.endswith(".h5"):
        return
    model = tiny_model()
    # What SafeModelCheckpoint and save_atomically build HDF5 files with (a built model: tiny_model is).
    in_memory = keras_internals.weights_h5_bytes if name.endswith(".weights.h5") else keras_internals.legacy_h5_bytes
    if in_memory(model) is None:
        pytest.fail(f"course_utils.keras_internals cannot build {name} in memory with this Keras "
                    f"({keras.__version__}): a write that does not fit would crash the process (h5py segfault)")


def messages(caught) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, callbacks.CheckpointWriteWarning)]


class AtEpochEnd(keras.callbacks.Callback):
    """Runs ``actions[epoch]()`` at the end of that epoch.

    Placed before the checkpoint in the callback list it acts just before the save, placed after
    it just after: between two saves, without touching the training.
    """

    def __init__(self, actions: dict[int, Callable[[], object]]) -> None:
        super().__init__()
        self.actions = actions

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if epoch in self.actions:
            self.actions[epoch]()


class Score(keras.callbacks.Callback):
    """Logs ``score`` = epoch number (1, 2, 3...): a monitored value that improves every epoch, always."""

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        logs["score"] = float(epoch + 1)


# --------------------------------------------------------------------------------------------
# Real faults: a tiny tmpfs (root only)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs mounted for this test; skipped where mounting is not allowed (not root, not Linux)."""
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("a tmpfs needs Linux and mount(8); the file-size-limit tests cover the same behaviour")
    mountpoint = tmp_path / "tmpfs"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", os.fspath(mountpoint)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = (mounted.stderr.strip().splitlines() or [f"exit status {mounted.returncode}"])[0]
        pytest.skip(f"cannot mount a 1 MiB tmpfs (needs root): {reason}; "
                    "the file-size-limit and fake-error tests cover the same behaviour")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", os.fspath(mountpoint)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", os.fspath(mountpoint)], capture_output=True)


def remount(mountpoint: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", os.fspath(mountpoint)], check=True, capture_output=True)


def fill(folder: Path, leave: int) -> None:
    """Write a ballast file so that only about ``leave`` bytes stay free in ``folder``."""
    ballast = shutil.disk_usage(folder).free - leave
    with open(folder / "ballast", "wb") as handle:
        handle.write(b"\0" * ballast)
    assert shutil.disk_usage(folder).free <= leave + 4096


@pytest.mark.parametrize("name", ["model.keras", "model.weights.h5"])
def test_a_full_disk_warns_keeps_the_last_file_and_resumes(tmpfs: Path, digits, name: str) -> None:
    require_hdf5_in_memory(name)
    path = tmpfs / name
    checkpoint = callbacks.SafeModelCheckpoint(path, save_weights_only=name.endswith(".weights.h5"))
    seen: dict[str, object] = {}

    def crowd_out() -> None:  # after epoch 1's save: room for half a checkpoint, not for a second copy
        seen["epoch 1"] = path.read_bytes()
        fill(tmpfs, leave=path.stat().st_size // 2)

    def free_space() -> None:  # after epoch 2's failed save
        seen["epoch 2"] = path.read_bytes()
        seen["partials"] = leftovers(tmpfs)
        (tmpfs / "ballast").unlink()

    model = tiny_model()
    with pytest.warns(callbacks.CheckpointWriteWarning) as caught:
        history = fit(model, digits, 3, [checkpoint, AtEpochEnd({0: crowd_out, 1: free_space})])
    assert history.epoch == [0, 1, 2] and len(history.history["loss"]) == 3
    assert seen["epoch 2"] == seen["epoch 1"], "the last complete checkpoint must stay"
    assert seen["partials"] == [], "the temporary copy must not fill the disk further"
    first = messages(caught)[0]
    for part in (os.fspath(path), "epoch 2", "No space left on device", "free", "needed", "epoch 1"):
        assert part in first, f"{part!r} missing from: {first}"
    assert saved_iterations(path) == 3 * STEPS, "saving resumes once there is room again"
    assert leftovers(tmpfs) == []


def test_a_folder_turned_read_only_warns_and_resumes(tmpfs: Path, digits) -> None:
    path = tmpfs / "model.keras"
    seen: dict[str, object] = {}

    def read_only() -> None:
        seen["epoch 1"] = path.read_bytes()
        remount(tmpfs, "ro")

    def writable() -> None:
        seen["epoch 2"] = path.read_bytes()
        remount(tmpfs, "rw")

    with pytest.warns(callbacks.CheckpointWriteWarning) as caught:
        history = fit(tiny_model(), digits, 3,
                      [callbacks.SafeModelCheckpoint(path), AtEpochEnd({0: read_only, 1: writable})])
    assert history.epoch == [0, 1, 2]
    assert seen["epoch 2"] == seen["epoch 1"]
    first = messages(caught)[0]
    assert os.fspath(path) in first and "read-only" in first and "epoch 1" in first, first
    assert saved_iterations(path) == 3 * STEPS
    assert leftovers(tmpfs) == []


# --------------------------------------------------------------------------------------------
# Real faults for any user: a file size limit (ulimit -f)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def file_size_limit() -> Iterator[tuple[Callable[[], None], Callable[[], None]]]:
    """``(limit, lift)``: limit() makes writes past 4 KB fail with EFBIG in this process, lift() undoes it."""
    resource = pytest.importorskip("resource", reason="RLIMIT_FSIZE is POSIX only")
    if not hasattr(signal, "SIGXFSZ"):
        pytest.skip("no SIGXFSZ on this system")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    small = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    # Ignored, SIGXFSZ no longer kills the process: the write returns EFBIG instead.
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (small, hard))

    def lift() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))

    try:
        yield limit, lift
    finally:
        lift()
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.parametrize("name", ["model.keras", "model.weights.h5"])
def test_a_file_size_limit_warns_keeps_training_and_resumes(tmp_path: Path, digits, file_size_limit,
                                                            name: str) -> None:
    require_hdf5_in_memory(name)
    limit, lift = file_size_limit
    path = tmp_path / name
    checkpoint = callbacks.SafeModelCheckpoint(path, save_weights_only=name.endswith(".weights.h5"))
    seen: dict[str, object] = {}

    def remember_and_lift() -> None:
        lift()
        seen["epoch 2"] = saved_iterations(path)
        seen["partials"] = leftovers(tmp_path)

    # The limit is on only while epoch 2 is saved: before the checkpoint, lifted right after it.
    with pytest.warns(callbacks.CheckpointWriteWarning) as caught:
        history = fit(tiny_model(), digits, 3,
                      [AtEpochEnd({1: limit}), checkpoint, AtEpochEnd({1: remember_and_lift})])
    assert history.epoch == [0, 1, 2]
    assert seen == {"epoch 2": STEPS, "partials": []}, "epoch 1's file stays, the partial is removed"
    first = messages(caught)[0]
    assert os.fspath(path) in first and "epoch 2" in first and "size limit" in first, first
    assert saved_iterations(path) == 3 * STEPS


@pytest.mark.parametrize("name", ["model.weights.h5", "legacy.h5"])
def test_hdf5_files_that_do_not_fit_fail_with_an_oserror_not_a_crash(tmp_path: Path, file_size_limit,
                                                                     name: str) -> None:
    # h5py writing straight into a file that hits the limit segfaults in File.close (h5py 3.14):
    # the kernel would die with all it trained. save_atomically builds HDF5 files in memory.
    require_hdf5_in_memory(name)
    limit, lift = file_size_limit
    model = tiny_model()
    model.optimizer.build(model.trainable_variables)
    path = tmp_path / name
    path.write_bytes(b"the old, complete file")
    limit()
    try:
        with pytest.raises(OSError) as raised:
            callbacks.save_atomically(model, path)
    finally:
        lift()
    assert raised.value.errno == errno.EFBIG
    assert path.read_bytes() == b"the old, complete file" and leftovers(tmp_path) == []
    callbacks.save_atomically(model, path)  # without the limit: a file Keras loads
    if name.endswith(".weights.h5"):
        assert saved_iterations(path) == 0
    else:
        np.testing.assert_array_equal(keras.models.load_model(path, compile=False).get_weights()[0],
                                      model.get_weights()[0])


# --------------------------------------------------------------------------------------------
# Faults made by monkeypatching
# --------------------------------------------------------------------------------------------


def disk_full_save(calls: list[int], fail_from: int = 1) -> Callable[..., None]:
    """A ``Model.save`` that writes half a file and fails with ENOSPC from its ``fail_from``-th call on."""
    real_save = keras.Model.save

    def save(model: keras.Model, filepath, *args, **kwargs) -> None:
        calls.append(1)
        if len(calls) < fail_from:
            return real_save(model, filepath, *args, **kwargs)
        Path(filepath).write_bytes(b"PK\x03\x04 half a checkpoint")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return save


def test_one_warning_per_fit_and_a_summary_not_one_per_save(tmp_path: Path, digits, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(keras.Model, "save", disk_full_save(calls))
    path = tmp_path / "every_batch.keras"
    with pytest.warns(callbacks.CheckpointWriteWarning) as caught:
        history = fit(tiny_model(), digits, 2, [callbacks.SafeModelCheckpoint(path, save_freq=1)])
    assert history.epoch == [0, 1]
    assert len(calls) == 2 * STEPS, "every save is tried"
    found = messages(caught)
    assert len(found) == 2, found  # the first failure, in full; a summary when training ends
    assert os.fspath(path) in found[0] and "free" in found[0] and "needed" in found[0]
    assert f"{2 * STEPS} of {2 * STEPS} saves" in found[1] and "nothing was saved" in found[1].lower(), found[1]
    assert not path.exists() and leftovers(tmp_path) == []


def test_a_failed_best_value_record_keeps_model_and_record_together(tmp_path: Path, digits, monkeypatch) -> None:
    path = tmp_path / "best.keras"
    checkpoint = callbacks.SafeModelCheckpoint(path, monitor="score", mode="max", save_best_only=True)
    real_write_json = callbacks.write_json_atomically

    def write_json(json_path, record, fsync=True):
        if record["epoch"] != 2:
            return real_write_json(json_path, record, fsync=fsync)

        def half_then_full(partial: Path) -> None:
            partial.write_text('{"monitor": "sc')
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        return callbacks.replace_atomically(json_path, half_then_full, fsync=fsync)

    monkeypatch.setattr(callbacks, "write_json_atomically", write_json)
    seen: dict[str, object] = {}

    def remember() -> None:
        seen["model"] = saved_iterations(path)
        seen["record"] = checkpoint.read_best()["epoch"]
        seen["partials"] = leftovers(tmp_path)

    with pytest.warns(callbacks.CheckpointWriteWarning) as caught:
        history = fit(tiny_model(), digits, 3, [Score(), checkpoint, AtEpochEnd({1: remember})])
    assert history.epoch == [0, 1, 2]
    assert seen == {"model": STEPS, "record": 1, "partials": []}, "model and record both stay at epoch 1"
    first = messages(caught)[0]
    assert os.fspath(checkpoint.best_value_file) in first and os.fspath(path) in first, first
    # Epoch 3 beats the stored best (epoch 1), so it is saved with its record.
    assert checkpoint.read_best()["epoch"] == 3 and saved_iterations(path) == 3 * STEPS
    assert checkpoint.best == 3.0 and checkpoint.best_epoch == 3


def test_raise_mode_names_the_path_and_the_free_space(tmp_path: Path, digits, monkeypatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(keras.Model, "save", disk_full_save(calls, fail_from=2))
    path = tmp_path / "model.keras"
    model = tiny_model()
    with pytest.raises(callbacks.CheckpointWriteError) as raised:
        fit(model, digits, 3, [callbacks.SafeModelCheckpoint(path, on_write_error="raise")])
    error = raised.value
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC
    message = str(error)
    for part in (os.fspath(path), "epoch 2", "No space left on device", "free", "needed", "model.history"):
        assert part in message, f"{part!r} missing from: {message}"
    assert len(model.history.history["loss"]) == 1, "the epochs before the error stay reachable"
    assert saved_iterations(path) == STEPS and leftovers(tmp_path) == []
    with pytest.raises(ValueError, match=r"on_write_error.*'warn'.*'raise'"):
        callbacks.SafeModelCheckpoint(path, on_write_error="ignore")
