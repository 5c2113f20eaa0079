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
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from course_utils import config

REPORTED_BATCH = 2  # the "batch" event comes after this many batches of every epoch


def emit(event: str, **fields: Any) -> None:
    """Print one event as a JSON line, flushed at once so a watching process sees it."""
    print(json.dumps({"event": event, **fields}), flush=True)


def train(backup_dir: Path, epochs: int, digits: int | None = None, batch_size: int = 64,
          keras_backup: bool = False) -> None:
    """Train for ``epochs`` epochs in total, resuming from ``backup_dir`` if a backup is there."""
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backup-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=config.epochs(5, fast=3))
    parser.add_argument("--digits", type=int, help="train on this many digits (default: all but the validation ones)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--keras-backup", action="store_true", help="use keras.callbacks.BackupAndRestore")
    args = parser.parse_args(argv)
    train(args.backup_dir, args.epochs, args.digits, args.batch_size, args.keras_backup)


if __name__ == "__main__":
    main()
