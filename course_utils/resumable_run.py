"""A training script you can kill and start again: the second run resumes where the first stopped.

    python -m course_utils.resumable_run --backup-dir outputs/06_resuming_training/backup --epochs 4

It trains the course's 3x3 CNN on MNIST with :class:`~course_utils.callbacks.SafeBackupAndRestore`
(``--keras-backup`` uses ``keras.callbacks.BackupAndRestore``) and prints one JSON line per
event on stdout, so a notebook or a test can follow it and kill it at a chosen moment:

* ``{"event": "start", "pid": ..., "iterations": ...}`` once the backup (if any) is restored;
* ``{"event": "epoch_begin", "epoch": 3, "iterations": 40}`` (epochs count from 1);
* ``{"event": "batch", "epoch": 3, "batch": 2, ...}`` after the second batch of each epoch, a
  moment when the epoch has surely started and is far from over;
* ``{"event": "epoch_end", "epoch": 3, "iterations": 60, "loss": ..., "val_accuracy": ...}``;
* ``{"event": "done", "iterations": ..., "epochs_run": [...]}`` when ``fit`` returns.

``iterations`` is the optimizer's step counter: it continues across a restart only if the
optimizer state was restored. The last 1,000 training digits (400 in fast mode,
``COURSE_FAST=1``) are the validation data; ``--digits`` trains on fewer of the others.

:func:`run_in_new_process` starts the script, reads its events and, if asked, kills it during
an epoch: what notebook 06 and ``tests/test_kill_and_resume.py`` do with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from course_utils import config
from course_utils.language import tr

REPORTED_BATCH = 2  # the "batch" event comes after this many batches of every epoch


def emit(event: str, **fields: Any) -> None:
    """Print one event as a JSON line, flushed at once so a watching process sees it."""
    print(json.dumps({"event": event, **fields}), flush=True)


def train(backup_dir: Path, epochs: int, digits: int | None = None, batch_size: int = 64,
          keras_backup: bool = False) -> None:
    """Train for ``epochs`` epochs in total, resuming from ``backup_dir`` if a backup is there.

    Args:
        backup_dir: The backup callback's folder: restored from when a backup is there, written
            every epoch, and deleted by the callback when training completes.
        epochs: Epochs of the whole training, counting those of the run that is resumed.
        digits: Train on a stratified subset of this many digits; None: all but the validation ones.
        batch_size: Digits per training step.
        keras_backup: Use ``keras.callbacks.BackupAndRestore`` instead of
            :class:`~course_utils.callbacks.SafeBackupAndRestore`.
    """
    config.setup(verbose=False)
    import keras

    from course_utils import callbacks, data, models

    (x_train, y_train), _ = data.load_mnist(verbose=False)
    x_train = data.prepare(x_train)
    # Like the notebooks: the last training digits validate; the test digits stay unseen.
    n_val = config.pick(full=1_000, fast=400)
    x_fit, y_fit, x_val, y_val = x_train[:-n_val], y_train[:-n_val], x_train[-n_val:], y_train[-n_val:]
    if digits is not None:
        x_fit, y_fit = data.subsample(x_fit, y_fit, digits)

    # excerpt: model-and-backup
    model = models.build_cnn_3x3()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    if keras_backup:
        backup = keras.callbacks.BackupAndRestore(os.fspath(backup_dir))
    else:
        backup = callbacks.SafeBackupAndRestore(backup_dir)
    # end excerpt: model-and-backup

    def iterations() -> int:
        return int(keras.ops.convert_to_numpy(model.optimizer.iterations))

    class EventLog(keras.callbacks.Callback):
        """Prints the events; listed after the backup callback, so it sees the restored state."""

        def __init__(self) -> None:
            super().__init__()
            self.epoch = 0
            self.epochs_run: list[int] = []

        def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
            emit("start", pid=os.getpid(), iterations=iterations(), epochs=epochs)

        def on_epoch_begin(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
            self.epoch = epoch + 1
            emit("epoch_begin", epoch=self.epoch, iterations=iterations())

        def on_train_batch_end(self, batch: int, logs: Mapping[str, Any] | None = None) -> None:
            if batch + 1 == REPORTED_BATCH:
                emit("batch", epoch=self.epoch, batch=batch + 1, iterations=iterations())

        def on_epoch_end(self, epoch: int, logs: Mapping[str, Any] | None = None) -> None:
            self.epochs_run.append(epoch + 1)
            metrics = {key: round(float(value), 4) for key, value in (logs or {}).items()}
            emit("epoch_end", epoch=epoch + 1, iterations=iterations(), **metrics)

    # excerpt: fit
    log = EventLog()
    model.fit(x_fit, y_fit, batch_size=batch_size, epochs=epochs, validation_data=(x_val, y_val),
              callbacks=[backup, log], verbose=0)
    emit("done", iterations=iterations(), epochs_run=log.epochs_run)
    # end excerpt: fit


def run_in_new_process(
    backup_dir: Path,
    epochs: int,
    digits: int | None = None,
    kill_in_epoch: int | None = None,
    timeout: float = 600.0,
) -> tuple[list[dict[str, Any]], int]:
    """Run this script in a new process and collect its events; kill it during an epoch if asked.

    The process is ``python -m course_utils.resumable_run`` with the same Python. With
    ``kill_in_epoch``, it is killed (``SIGKILL``; on Windows ``TerminateProcess``) as soon as it
    reports the second batch of that epoch (counted from 1): training has surely started that
    epoch and not finished it.

    Args:
        backup_dir: the backup folder (``--backup-dir``); a backup there is resumed.
        epochs: the number of epochs of the whole training (``--epochs``).
        digits: train on this many digits (``--digits``); None: all but the validation ones.
        kill_in_epoch: kill the process during this epoch; None: let it finish.
        timeout: seconds after which a process still running is killed and ``TimeoutError`` raised.

    Returns:
        The events (one dictionary per JSON line, the last one read before a kill) and the
        process's return code (negative on POSIX when killed: ``-signal.SIGKILL``).

    Raises:
        RuntimeError: the process failed on its own (the message ends with its stderr).
        TimeoutError: it ran longer than ``timeout``.
    """
    command = [sys.executable, "-m", "course_utils.resumable_run", "--backup-dir", os.fspath(backup_dir),
               "--epochs", str(epochs)] + (["--digits", str(digits)] if digits is not None else [])
    events: list[dict[str, Any]] = []
    killed = False
    with tempfile.TemporaryFile() as stderr:  # a file, not a pipe: a full pipe would stall the process
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        watchdog = threading.Timer(timeout, stop)  # never wait for ever
        watchdog.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                event = json.loads(line)
                events.append(event)
                if event["event"] == "batch" and event["epoch"] == kill_in_epoch:
                    process.kill()  # SIGKILL on POSIX: no chance to save or clean up
                    killed = True
                    break
            process.wait()
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if timed_out.is_set():
            raise TimeoutError(tr(f"{' '.join(command)} ran longer than {timeout:.0f} s and was killed",
                                  f"{' '.join(command)} 运行超过 {timeout:.0f} 秒，已被强制终止"))
        if process.returncode != 0 and not killed:
            stderr.seek(0)
            text = stderr.read().decode(errors="replace")[-3000:]
            raise RuntimeError(tr(f"{' '.join(command)} ended with code {process.returncode}:\n{text}",
                                  f"{' '.join(command)} 以退出码 {process.returncode} 结束：\n{text}"))
    return events, process.returncode


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backup-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=config.epochs(5, fast=3))
    parser.add_argument("--digits", type=int,
                        help=tr("train on this many digits (default: all but the validation ones)",
                                "用这么多个数字训练（默认：除验证用的数字外的全部）"))
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--keras-backup", action="store_true", help=tr("use keras.callbacks.BackupAndRestore",
                                                                       "使用 keras.callbacks.BackupAndRestore"))
    args = parser.parse_args(argv)
    train(args.backup_dir, args.epochs, args.digits, args.batch_size, args.keras_backup)


if __name__ == "__main__":
    main()
