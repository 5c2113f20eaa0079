"""Checkpoint callbacks that survive a crash: a kill during a save never leaves a broken file.

Keras 3's ``ModelCheckpoint`` and ``BackupAndRestore`` write straight into the destination
file, so a process killed while saving leaves a half-written file where the previous good one
was (``benchmarks/checkpoint_kills.py`` counts how often). The classes here take the same
arguments and write every file the safe way:

1. write to a temporary file in the same folder (``.partial-<pid>-<name>``),
2. flush it to disk (``fsync``),
3. move it over the destination with ``os.replace``, which is atomic: a reader (or a resumed
   run) sees either the old complete file or the new complete file, never a mix.

* :class:`SafeModelCheckpoint` is ``keras.callbacks.ModelCheckpoint`` with atomic writes. With
  ``save_best_only=True`` it also remembers the best value in a small JSON file next to the
  checkpoint, so a restarted run does not replace a better model with a worse one, and it warns
  (:class:`MissingMetricWarning`) instead of saving every epoch when the monitored metric is
  missing.
* :class:`SafeBackupAndRestore` is ``keras.callbacks.BackupAndRestore`` whose weights and
  training state are committed together: a kill at any moment leaves a state that resumes.
* :func:`save_atomically` does the same for a hand-written training loop.

When a checkpoint cannot be written (a full disk, a folder that turned read-only, a file size
limit), :class:`SafeModelCheckpoint` keeps training and keeps the last complete file: it warns
once with :class:`CheckpointWriteWarning` (the path, the free space, the size needed) and sums up
when training ends, or raises :class:`CheckpointWriteError` with ``on_write_error="raise"``.

The private Keras hooks these classes need (how a checkpoint names its file, what counts as an
improvement, where ``fit()`` starts) are reached through :mod:`course_utils.keras_internals`.
"""

from __future__ import annotations

import errno
import json
import math
import os
import re
import shutil
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import keras

from course_utils import keras_internals
from course_utils.config import PathLike
from course_utils.language import tr

#: Temporary files start with this, followed by the writing process' id and the final name.
PARTIAL_PREFIX = ".partial-"
_PARTIAL_PATTERN = re.compile(rf"^{re.escape(PARTIAL_PREFIX)}(\d+)-")
_PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


class MissingMetricWarning(UserWarning):
    """The metric a callback monitors is not in the logs, e.g. ``val_accuracy`` without validation data."""


class CheckpointWriteWarning(UserWarning):
    """A checkpoint could not be written (disk full, read-only folder...); training goes on, the last file stays."""


class CheckpointWriteError(OSError):
    """A checkpoint could not be written and the callback was asked to stop (``on_write_error="raise"``).

    An ``OSError`` with the ``errno`` of the failed write (``errno.ENOSPC`` for a full disk), so code
    that catches ``OSError`` still does; the message names the path, the free space and the fix.
    """


# --------------------------------------------------------------------------------------------
# Atomic writes
# --------------------------------------------------------------------------------------------


def _fsync_file(path: PathLike) -> None:
    # "r+b": Windows needs write access to flush a file.
    with open(path, "r+b") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: PathLike) -> None:
    """Make a rename durable on power loss (POSIX only; Windows cannot open a folder)."""
    if os.name == "nt":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def partial_path(filepath: PathLike) -> Path:
    """The temporary name this process writes ``filepath`` under before moving it into place.

    It keeps the final name's ending (``.keras``, ``.weights.h5``), which Keras checks.
    """
    path = Path(filepath).absolute()
    return path.with_name(f"{PARTIAL_PREFIX}{os.getpid()}-{path.name}")


def replace_atomically(
    filepath: PathLike,
    write: Callable[[Path], object],
    before_replace: Callable[[], object] | None = None,
    fsync: bool = True,
) -> Path:
    """Call ``write(temporary_path)``, then move the finished file to ``filepath`` in one step.

    ``before_replace`` runs after the file is complete and before it is moved into place. On any
    error (also Ctrl-C) the temporary file is removed and the destination is left untouched.
    Returns the destination path.
    """
    destination = Path(filepath).absolute()
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(destination)
    try:
        write(partial)
        if fsync:
            _fsync_file(partial)
        if before_replace is not None:
            before_replace()
        os.replace(partial, destination)
    except BaseException:
        try:
            partial.unlink()
        except OSError:
            pass
        raise
    if fsync:
        _fsync_folder(destination.parent)
    return destination


def _hdf5_image(model: keras.Model, weights_only: bool) -> bytes | None:
    """The ``.weights.h5`` (or legacy ``.h5`` model) file of ``model``, built in memory.

    Why: HDF5 writing straight into a file that runs out of room (a full disk, ``ulimit -f``) can
    crash the whole process with a segmentation fault in ``h5py.File.close`` (h5py 3.14) instead
    of raising, which kills a notebook's kernel with everything trained. Built in memory, the only
    write to disk is Python's, which fails with a plain ``OSError``. Keras' ``.keras`` format
    already builds its weights in memory the same way.

    Returns None if this Keras version lacks the (internal) functions used
    (:func:`~course_utils.keras_internals.weights_h5_bytes`,
    :func:`~course_utils.keras_internals.legacy_h5_bytes`), or the model is not built: the caller
    then lets Keras write the file, with Keras' own errors.
    """
    if not model.built:
        return None
    return keras_internals.weights_h5_bytes(model) if weights_only else keras_internals.legacy_h5_bytes(model)


def _write_model(model: keras.Model, path: PathLike, weights_only: bool) -> None:
    """``model.save_weights(path)`` or ``model.save(path)``; HDF5 files built in memory first (see above)."""
    name = os.fspath(path)
    hdf5 = name.endswith(".weights.h5") if weights_only else name.endswith((".h5", ".hdf5"))
    image = _hdf5_image(model, weights_only) if hdf5 else None
    if image is not None:
        with open(path, "wb") as handle:
            handle.write(image)
    elif weights_only:
        model.save_weights(path, overwrite=True)
    else:
        model.save(path, overwrite=True)


def save_atomically(model: keras.Model, filepath: PathLike, weights_only: bool | None = None,
                    fsync: bool = True) -> Path:
    """``model.save(filepath)`` (or ``model.save_weights`` for ``.weights.h5``), crash-safe.

    Use it in a hand-written training loop where no callback saves for you. ``weights_only``
    defaults to whether the name ends in ``.weights.h5``. If the file cannot be written (a full
    disk, a read-only folder), the ``OSError`` propagates, ``filepath`` keeps its old content and
    the temporary file is removed.
    """
    if weights_only is None:
        weights_only = str(filepath).endswith(".weights.h5")
    return replace_atomically(filepath, lambda path: _write_model(model, path, weights_only), fsync=fsync)


def write_json_atomically(path: PathLike, record: Mapping[str, Any], fsync: bool = True) -> Path:
    """Write a small JSON file so that readers see the old or the new content, never half."""

    def write(partial: Path) -> None:
        partial.write_text(json.dumps(dict(record), indent=1) + "\n", encoding="utf-8")

    return replace_atomically(path, write, fsync=fsync)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name == "nt":
        # os.kill on Windows would terminate the process: never probe, keep the file.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_partials(folder: PathLike) -> list[Path]:
    """Delete temporary files left in ``folder`` by processes that were killed while saving.

    Files of processes that are still running are kept (they may be saving right now).
    Returns the removed paths.
    """
    folder = Path(folder)
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in folder.iterdir():
        match = _PARTIAL_PATTERN.match(path.name)
        if match and not _process_alive(int(match.group(1))):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


# --------------------------------------------------------------------------------------------
# SafeModelCheckpoint
# --------------------------------------------------------------------------------------------


def best_value_path(filepath: PathLike) -> Path:
    """Where :class:`SafeModelCheckpoint` records the best value for a checkpoint ``filepath``.

    Placeholders become their names, so ``ckpt-{epoch:02d}-{val_accuracy:.4f}.keras`` gives
    ``ckpt-epoch-val_accuracy.keras.best.json`` (no ``:`` or braces, which some systems refuse).
    """
    return Path(_PLACEHOLDER.sub(lambda m: m.group(1), os.fspath(filepath)) + ".best.json")


def _as_float(value: Any) -> float | None:
    """A scalar metric value as a float, or None for arrays and non-numbers."""
    try:
        array = keras.ops.convert_to_numpy(value)
    except Exception:
        return None
    if getattr(array, "ndim", 0) != 0:
        return None
    try:
        return float(array)
    except (TypeError, ValueError):
        return None


#: Why :func:`save_decision` saves an epoch or not.
EVERY_EPOCH, IMPROVED, NOT_IMPROVED, MISSING, NOT_A_NUMBER = (
    "every epoch", "improved", "not improved", "missing", "not a number")


class SaveDecision(NamedTuple):
    """Whether :class:`SafeModelCheckpoint` saves an epoch, why, and the monitored value (a float, or None)."""

    save: bool
    reason: str
    value: float | None


def save_decision(logs: Mapping[str, Any], monitor: str, save_best_only: bool, best: float | None,
                  improves: Callable[[float, float | None], bool]) -> SaveDecision:
    """Whether to save this epoch: always, or with ``save_best_only`` when ``logs[monitor]`` beats ``best``.

    Nothing is printed or written. A missing monitored value, or one that is not a number (NaN,
    an array), never saves, unlike Keras' ``ModelCheckpoint``, which then saves every epoch.

    Args:
        logs: The epoch's logs, as Keras passes them to ``on_epoch_end``.
        monitor: The key of the monitored value in ``logs``, e.g. ``"val_accuracy"``.
        save_best_only: False: every epoch saves, whatever ``logs`` holds. True: only an
            improvement on ``best`` saves.
        best: The best value so far; None when there is none yet.
        improves: ``improves(value, best)``, the callback's comparison (its mode and ``min_delta``).

    Returns:
        A :class:`SaveDecision`: ``save``, the ``reason`` (:data:`EVERY_EPOCH`, :data:`IMPROVED`,
        :data:`NOT_IMPROVED`, :data:`MISSING` or :data:`NOT_A_NUMBER`) and the monitored
        ``value`` as a float (None for every epoch, missing and not-a-number).
    """
    if not save_best_only:
        return SaveDecision(True, EVERY_EPOCH, None)
    raw = logs.get(monitor)
    if raw is None:
        return SaveDecision(False, MISSING, None)
    value = _as_float(raw)
    if value is None or math.isnan(value):
        return SaveDecision(False, NOT_A_NUMBER, None)
    if improves(value, best):
        return SaveDecision(True, IMPROVED, value)
    return SaveDecision(False, NOT_IMPROVED, value)


def _size_text(nbytes: int | None) -> str:
    if nbytes is None:
        return tr("unknown", "未知")
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return tr(f"{nbytes} bytes", f"{nbytes} 字节")


def _free_space(folder: Path) -> int | None:
    """Free bytes on the disk holding ``folder`` (or its nearest existing parent), None if unknown."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            try:
                return shutil.disk_usage(candidate).free
            except OSError:
                return None
    return None


def _no_permission(folder: Path) -> tuple[str, str]:
    return (
        tr(f"you may not write in {folder}", f"你没有在 {folder} 中写入的权限"),
        tr(
            "Fix the folder's permissions or pass a filepath in a folder you can write to.",
            "请修正这个文件夹的权限，或传入一个位于你能写入的文件夹中的 filepath。",
        ),
    )


#: Why a write failed and what to do, by errno: ``(reason, fix)`` for the folder, in the current language.
_WRITE_FAULTS: dict[int, Callable[[Path], tuple[str, str]]] = {
    errno.ENOSPC: lambda folder: (
        tr("the disk is full", "磁盘已满"),
        tr(
            "Free space on that disk (delete old checkpoints or outputs) or pass a filepath on another disk.",
            "请释放那块磁盘的空间（删除旧的检查点或输出），或传入另一块磁盘上的 filepath。",
        ),
    ),
    errno.EDQUOT: lambda folder: (
        tr("your disk quota is used up", "你的磁盘配额已用完"),
        tr(
            "Free space in your quota or pass a filepath on another disk.",
            "请在你的配额内释放空间，或传入另一块磁盘上的 filepath。",
        ),
    ),
    errno.EROFS: lambda folder: (
        tr(f"{folder} is read-only", f"{folder} 是只读的"),
        tr(
            "Make it writable again (remount it) or pass a filepath in a writable folder.",
            "请让它重新可写（重新挂载），或传入一个位于可写文件夹中的 filepath。",
        ),
    ),
    errno.EACCES: _no_permission,
    errno.EPERM: _no_permission,
    errno.EFBIG: lambda folder: (
        tr(
            "the file is larger than this process may write (file size limit, `ulimit -f`)",
            "文件超过了这个进程允许写入的大小（文件大小限制，`ulimit -f`）",
        ),
        tr(
            "Start Python after `ulimit -f unlimited`, or save smaller files (save_weights_only=True).",
            "请在 `ulimit -f unlimited` 之后启动 Python，或保存更小的文件（save_weights_only=True）。",
        ),
    ),
}


class SafeModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """``keras.callbacks.ModelCheckpoint`` that never leaves a half-written checkpoint.

    Same arguments and behaviour (``monitor``, ``mode``, ``save_best_only``, ``save_weights_only``,
    ``save_freq``, ``initial_value_threshold``, filepath templates such as
    ``"ckpt-{epoch:02d}-{val_accuracy:.4f}.keras"``), with these differences:

    * Every save is written to a temporary file in the same folder and moved into place with
      ``os.replace``: the destination is always the old complete file or the new complete one.
      Temporary files of killed runs are removed when training starts.
    * With ``save_best_only=True`` the best value is stored next to the checkpoint
      (:func:`best_value_path`, or ``best_value_file``) and read back when training starts, so
      a resumed run only saves when it beats the best of *all* runs. ``initial_value_threshold``
      still works; the better of it and the stored value is the bar. The record is written just
      before the model file is moved into place, so it never claims less than the file holds.
    * If ``save_best_only=True`` and the monitored metric is missing (``val_accuracy`` without
      validation data, or the old name ``val_acc``), it warns once per ``fit`` with
      :class:`MissingMetricWarning`, naming the metrics that exist, and saves nothing
      (Keras warns and saves every epoch).
    * ``save_best_only=True`` with an integer ``save_freq`` (every N batches) works; Keras 3.15
      raises ``TypeError: 'NoneType' object is not callable`` at the second save.
    * A save that cannot be written (a full disk, a folder turned read-only, a file size limit)
      does not stop ``fit``: the last complete checkpoint (and its best-value record) stays, the
      temporary copy is removed, and the first failure of a ``fit`` warns with
      :class:`CheckpointWriteWarning`, naming the path, the reason, the free space and about how
      much is needed (a complete second copy, written before the old file is replaced). Later
      failures are only counted, and a summary warning when training ends says how many saves
      failed and which file is the last complete one. Every later save tries again, so saving
      resumes once there is room. With ``save_best_only=True`` the bar stays at the value that
      was written: a later epoch that beats the file's model is saved. ``fit`` returns its
      History as usual. Keras' callback stops ``fit`` with ``OSError: [Errno 28] No space left on
      device`` (no path), losing the History.

    Args:
        filepath: Where to save, as for Keras (``.keras``, ``.weights.h5`` with
            ``save_weights_only=True``, placeholders such as ``{epoch:02d}``).
        monitor, verbose, save_best_only, save_weights_only, mode, save_freq,
            initial_value_threshold: As for ``keras.callbacks.ModelCheckpoint``.
        best_value_file: Where to keep the best value with ``save_best_only=True``; defaults to
            :func:`best_value_path` of ``filepath``.
        on_write_error: ``"warn"`` (default): warn, keep training, keep the last complete file.
            ``"raise"``: stop ``fit`` with :class:`CheckpointWriteError` (the epochs trained so far
            stay in ``model.history.history``).

    Raises:
        ValueError: ``on_write_error`` is not ``"warn"`` or ``"raise"`` (and Keras' own checks).
        CheckpointWriteError: During ``fit``, with ``on_write_error="raise"``, when a save fails.
    """

    WRITE_ERROR_MODES = ("warn", "raise")
    best: float | None  # set by Keras' ModelCheckpoint.__init__ (untyped), raised by runs and stored records

    def __init__(
        self,
        filepath: PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
        best_value_file: PathLike | None = None,
        on_write_error: str = "warn",
    ) -> None:
        if on_write_error not in self.WRITE_ERROR_MODES:
            raise ValueError(
                tr(
                    f"on_write_error must be 'warn' or 'raise', not {on_write_error!r}. 'warn' keeps "
                    "training when a checkpoint cannot be written; 'raise' stops fit().",
                    f"on_write_error 必须是 'warn' 或 'raise'，而不是 {on_write_error!r}。'warn' 在检查点无法写入时"
                    "继续训练；'raise' 会停止 fit()。",
                )
            )
        super().__init__(
            filepath,
            monitor=monitor,
            verbose=verbose,
            save_best_only=save_best_only,
            save_weights_only=save_weights_only,
            mode=mode,
            save_freq=save_freq,
            initial_value_threshold=initial_value_threshold,
        )
        self.best_value_file = Path(best_value_file) if best_value_file else best_value_path(self.filepath)
        self.best_epoch: int | None = None  # 1-based epoch of the best save, once known
        self._stored_record: dict[str, Any] | None = None
        self._warned_missing = False
        self.on_write_error = on_write_error
        self._reset_write_record()

    def _reset_write_record(self) -> None:
        self._saves_tried = 0
        self._failed_epochs: list[int] = []  # 1-based epoch of each failed save (repeats with save_freq=N)
        self._last_saved: tuple[Path, int, int] | None = None  # (path, 1-based epoch, bytes) of this fit

    # -- start of training: clean up, read the remembered best ------------------------------
    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        self._warned_missing = False
        self._reset_write_record()
        folder = Path(self.filepath).absolute().parent
        if "{" not in str(folder):
            remove_stale_partials(folder)
        self._stored_record = self.read_best() if self.save_best_only else None
        if self._stored_record is not None:
            self.best_epoch = self._stored_record.get("epoch")

    def read_best(self) -> dict[str, Any] | None:
        """The stored best-value record for this checkpoint, or None if there is none (yet)."""
        try:
            record = json.loads(self.best_value_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            warnings.warn(
                tr(
                    f"{self.best_value_file} cannot be read ({error}); starting without a stored best value.",
                    f"{self.best_value_file} 无法读取（{error}）；本次训练不参考已保存的最佳值。",
                ),
                stacklevel=2,
            )
            return None
        if record.get("monitor") != self.monitor or not isinstance(record.get("best"), int | float):
            warnings.warn(
                tr(
                    f"{self.best_value_file} records {record.get('monitor')!r}, not {self.monitor!r}; ignoring it.",
                    f"{self.best_value_file} 记录的是 {record.get('monitor')!r}，不是 {self.monitor!r}；忽略它。",
                ),
                stacklevel=2,
            )
            return None
        return record

    def _direction(self) -> str:
        return keras_internals.monitor_direction(self)

    def _merge_stored_best(self) -> None:
        """Raise the bar to the stored best once the direction (min/max) is known."""
        record, self._stored_record = self._stored_record, None
        if record is None or record.get("mode") not in (None, self._direction()):
            return
        stored = float(record["best"])
        if self.best is None or keras_internals.is_better(self, stored, self.best):
            self.best = stored

    # -- saving -----------------------------------------------------------------------------
    def _save_model(self, epoch: int, batch: int | None, logs: Mapping[str, Any] | None) -> None:
        # Keras calls this from on_epoch_end and on_train_batch_end (keras_internals.OVERRIDDEN_HOOKS).
        logs = dict(logs or {})
        keras_internals.ensure_monitor_op(self)
        self._merge_stored_best()
        filepath = keras_internals.checkpoint_file_path(self, epoch, batch, logs)
        decision = save_decision(logs, self.monitor, self.save_best_only, self.best,
                                 lambda value, best: keras_internals.is_improvement(self, value, best))
        self._announce(decision, epoch, logs, filepath)
        if decision.save:
            self._write_checkpoint(epoch, filepath, decision.value)

    def _announce(self, decision: SaveDecision, epoch: int, logs: Mapping[str, Any], filepath: str) -> None:
        """Say what :func:`save_decision` decided: Keras' messages with ``verbose``, a warning for a bad metric."""
        if decision.reason == MISSING:
            self._warn_missing(logs)
        elif decision.reason == NOT_A_NUMBER:
            # stacklevel: the warning points at Keras' on_epoch_end, like _warn_missing's.
            value = logs.get(self.monitor)
            warnings.warn(
                tr(
                    f"SafeModelCheckpoint: {self.monitor} is {value!r}, not a number; nothing saved.",
                    f"SafeModelCheckpoint：{self.monitor} 的值是 {value!r}，不是数字；没有保存。",
                ),
                MissingMetricWarning,
                stacklevel=3,
            )
        elif self.verbose > 0:
            best_text = "None" if self.best is None else f"{self.best:.5f}"
            number = epoch + 1
            if decision.reason == EVERY_EPOCH:
                print(
                    tr(
                        f"\nEpoch {number}: saving model to {filepath}",
                        f"\n第 {number} 轮：正在把模型保存到 {filepath}",
                    )
                )
            elif decision.reason == IMPROVED:
                print(
                    tr(
                        f"\nEpoch {number}: {self.monitor} improved from {best_text} to "
                        f"{decision.value:.5f}, saving model to {filepath}",
                        f"\n第 {number} 轮：{self.monitor} 从 {best_text} 改进到 "
                        f"{decision.value:.5f}，正在把模型保存到 {filepath}",
                    )
                )
            else:
                print(
                    tr(
                        f"\nEpoch {number}: {self.monitor} did not improve from {best_text}",
                        f"\n第 {number} 轮：{self.monitor} 相比 {best_text} 没有改进",
                    )
                )

    def _write_checkpoint(self, epoch: int, filepath: str, current: float | None) -> None:
        """Write the checkpoint the safe way (temporary file, then ``os.replace``); ``current``: the new best, if any.

        The best-value record is written just before the checkpoint is moved into place. A write
        that fails with an ``OSError`` leaves the old file (and record): :meth:`_write_failed`
        warns, or raises with ``on_write_error="raise"``.
        """
        writing = Path(filepath)  # the file being written: the checkpoint, or its best-value record

        def record_best() -> None:
            nonlocal writing
            if current is not None:
                writing = self.best_value_file
                write_json_atomically(
                    self.best_value_file,
                    {"monitor": self.monitor, "mode": self._direction(), "best": current, "epoch": epoch + 1,
                     "filepath": os.fspath(Path(filepath).absolute())},
                )
                writing = Path(filepath)

        def write(path: Path) -> None:
            _write_model(self.model, path, self.save_weights_only)

        if Path(filepath).is_dir():
            raise OSError(
                tr(
                    f"Please specify a non-directory filepath for ModelCheckpoint. Filepath used is an "
                    f"existing directory: {filepath}",
                    "请为 ModelCheckpoint 指定一个不是文件夹的 filepath。"
                    f"所用的 filepath 是一个已存在的文件夹：{filepath}",
                )
            )
        self._saves_tried += 1
        try:
            destination = replace_atomically(filepath, write, before_replace=record_best)
        except OSError as error:
            # The old file (and record) are untouched and the temporary copy is gone
            # (replace_atomically): report, and go on training unless asked to stop.
            self._write_failed(error, epoch, Path(filepath), writing)
            return
        try:
            size = destination.stat().st_size
        except OSError:
            size = 0
        self._last_saved = (destination, epoch + 1, size)
        if current is not None:
            self.best = current
            self.best_epoch = epoch + 1
        if self.verbose > 0:
            print(
                tr(
                    f"\nEpoch {epoch + 1}: finished saving model to {filepath}",
                    f"\n第 {epoch + 1} 轮：模型已保存到 {filepath}",
                )
            )

    # -- a save that cannot be written ------------------------------------------------------
    def _needed_size(self, filepath: Path) -> tuple[int | None, str]:
        """About how many bytes a save needs, and "about" or "at least" (in the current language) for how sure."""
        about = tr("about", "约")
        if self._last_saved is not None:
            return self._last_saved[2], about
        try:
            return filepath.stat().st_size, about
        except OSError:
            pass
        try:  # Nothing written yet: the variables' bytes are a lower bound.
            variables = list(self.model.weights)
            if self.model.optimizer is not None:
                variables += list(self.model.optimizer.variables)
            total = sum(math.prod(v.shape) * keras.ops.convert_to_numpy(v).itemsize for v in variables)
        except Exception:
            return None, about
        return int(total), tr("at least", "至少")

    def _last_good_text(self, filepath: Path) -> str:
        """Which complete checkpoint there is after a failed save of ``filepath``."""
        record = tr(" (with its best-value record)", "（连同它的最佳值记录）") if self.save_best_only else ""
        if self._last_saved is not None:
            path, epoch, _ = self._last_saved
            if path == filepath.absolute():
                return tr(
                    f"{filepath}{record} still holds epoch {epoch}, the last complete save",
                    f"{filepath}{record}仍然保存着第 {epoch} 轮，即最后一次完整的保存",
                )
            return tr(
                f"the last complete checkpoint is {path} (epoch {epoch})",
                f"最后一个完整的检查点是 {path}（第 {epoch} 轮）",
            )
        if filepath.exists():
            return tr(
                f"{filepath}{record} keeps what an earlier run saved",
                f"{filepath}{record}保留着之前某次运行保存的内容",
            )
        return tr("nothing has been saved in this run yet", "本次运行还没有保存任何内容")

    def _write_failed(self, error: OSError, epoch: int, filepath: Path, writing: Path) -> None:
        self._failed_epochs.append(epoch + 1)
        folder = writing.absolute().parent
        if error.errno in _WRITE_FAULTS:
            fault, fix = _WRITE_FAULTS[error.errno](folder)
            detail = os.strerror(error.errno)
            reason = tr(f"{fault} ({detail})", f"{fault}（{detail}）")
        else:  # The error's own text: it may name the file or the cause (e.g. a name too long).
            detail = reason = str(error)[:300]
            fix = tr(f"Check that {folder} can be written.", f"请检查 {folder} 是否可写。")
        what = (
            f"{filepath}"
            if writing == filepath
            else tr(
                f"{filepath} (its best-value record {writing} failed)",
                f"{filepath}（它的最佳值记录 {writing} 写入失败）",
            )
        )
        needed, how_sure = self._needed_size(filepath)
        free, needed_text = _size_text(_free_space(folder)), _size_text(needed)
        message = tr(
            f"SafeModelCheckpoint could not save epoch {epoch + 1} to {what}: {reason}. "
            f"{free} free in {folder}, {how_sure} {needed_text} needed "
            f"(a complete new copy is written before the old file is replaced). ",
            f"SafeModelCheckpoint 无法把第 {epoch + 1} 轮保存到 {what}：{reason}。"
            f"{folder} 中还有 {free} 可用空间，{how_sure}需要 {needed_text}"
            f"（在替换旧文件之前，会先写出一份完整的新副本）。",
        )
        left = partial_path(writing)
        if left.exists():
            message += tr(
                f"The temporary file {left} could not be removed: delete it. ",
                f"临时文件 {left} 无法删除：请手动删除它。",
            )
        if self.on_write_error == "raise":
            last_good = self._last_good_text(filepath)
            message += tr(
                f"Training stopped; {last_good}. The epochs trained before are in "
                f"model.history.history. {fix} Or pass on_write_error='warn' to keep training.",
                f"训练已停止；{last_good}。之前训练的各轮在 model.history.history 中。"
                f"{fix}或者传入 on_write_error='warn' 以继续训练。",
            )
            raised = CheckpointWriteError(message)
            raised.errno = error.errno
            raise raised from error
        if self.verbose > 0:
            print(
                tr(
                    f"\nEpoch {epoch + 1}: could not save model to {filepath} ({detail})",
                    f"\n第 {epoch + 1} 轮：无法把模型保存到 {filepath}（{detail}）",
                )
            )
        if len(self._failed_epochs) == 1:
            last_good = self._last_good_text(filepath)
            message += tr(
                f"Training goes on; {last_good}. {fix} The next save tries again; "
                "further failures are summed up when training ends.",
                f"训练继续；{last_good}。{fix}下一次保存时会再试；之后的失败会在训练结束时汇总报告。",
            )
            warnings.warn(message, CheckpointWriteWarning, stacklevel=2)

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        super().on_train_end(logs)
        if not self._failed_epochs:
            return
        failed = len(self._failed_epochs)
        epochs = sorted(set(self._failed_epochs))
        shown = ", ".join(map(str, epochs[:10])) + (", ..." if len(epochs) > 10 else "")
        if self._last_saved is None:
            last = tr("Nothing was saved in this run", "本次运行没有保存任何内容")
        else:
            path, epoch, _ = self._last_saved
            last = tr(
                f"The last complete checkpoint is {path} (epoch {epoch})",
                f"最后一个完整的检查点是 {path}（第 {epoch} 轮）",
            )
        which = tr(f"epochs {shown}", f"第 {shown} 轮") if len(epochs) > 1 else tr(f"epoch {shown}", f"第 {shown} 轮")
        warnings.warn(
            tr(
                f"SafeModelCheckpoint: {failed} of {self._saves_tried} saves to {self.filepath} failed in this run "
                f"({which}). {last}. The History returned by fit() has every epoch.",
                f"SafeModelCheckpoint：本次运行中保存到 {self.filepath} 的 {self._saves_tried} 次保存里有 {failed} 次"
                f"失败（{which}）。{last}。fit() 返回的 History 包含每一轮。",
            ),
            CheckpointWriteWarning,
            stacklevel=2,
        )

    def _warn_missing(self, logs: Mapping[str, Any]) -> None:
        if self._warned_missing:
            return
        self._warned_missing = True
        available = ", ".join(sorted(logs)) or tr("none", "无")
        hint = tr("Monitor one of those.", "请监视其中之一。")
        if self.monitor.startswith("val_") and not any(key.startswith("val_") for key in logs):
            hint = tr(
                "Pass validation data to fit() (validation_data=... or validation_split=...).",
                "请给 fit() 传入验证数据（validation_data=... 或 validation_split=...）。",
            )
        if self.monitor.removeprefix("val_") == "acc":
            hint = tr(
                "Keras 3 calls it 'accuracy': use monitor='val_accuracy'.",
                "Keras 3 把它叫作 'accuracy'：请用 monitor='val_accuracy'。",
            )
        warnings.warn(
            tr(
                f"SafeModelCheckpoint monitors '{self.monitor}', which is not in the logs (available: {available}). "
                f"Nothing is saved. {hint}",
                f"SafeModelCheckpoint 监视的是 '{self.monitor}'，但日志中没有它（可用的有：{available}）。"
                f"不会保存任何内容。{hint}",
            ),
            MissingMetricWarning,
            stacklevel=4,
        )


# --------------------------------------------------------------------------------------------
# SafeBackupAndRestore
# --------------------------------------------------------------------------------------------


class SafeBackupAndRestore(keras.callbacks.BackupAndRestore):
    """``keras.callbacks.BackupAndRestore`` whose backup is always complete and consistent.

    Each backup writes the weights (with the optimizer state) to a new file
    ``weights-NNNNNN.weights.h5`` atomically, then commits ``state.json`` (epoch, batch, which
    weights file, optimizer iterations) atomically, and only then deletes the older weights
    file. ``state.json`` is the single commit point: a kill at any moment leaves either the
    previous state or the new one, each with the weights that belong to it. Keras' own callback
    writes weights and metadata in place one after the other, so a kill can leave weights that
    do not load, or weights one epoch ahead of the recorded epoch.

    Arguments are Keras' (``backup_dir``, ``save_freq``, ``delete_checkpoint``);
    ``double_checkpoint`` is not needed. Like Keras, a resumed ``fit`` starts at the first
    epoch that was not completed. Unlike Keras, the model forgets the restored start epoch when
    training ends, so a later ``fit`` on the same model starts at epoch 1 again.
    """

    STATE_FILE = "state.json"
    WEIGHTS_PATTERN = re.compile(r"^weights-(\d{6})\.weights\.h5$")

    def __init__(self, backup_dir: PathLike, save_freq: str | int = "epoch", delete_checkpoint: bool = True) -> None:
        super().__init__(os.fspath(backup_dir), save_freq=save_freq, double_checkpoint=False,
                         delete_checkpoint=delete_checkpoint)
        self.state_path = Path(self.backup_dir) / self.STATE_FILE
        self._serial = 0
        #: The state restored at the start of the last ``fit`` (None for a fresh start).
        self.restored_state: dict[str, Any] | None = None

    def read_state(self) -> dict[str, Any] | None:
        """The committed training state (``epoch`` = completed epochs), or None if there is none."""
        try:
            text = self.state_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            state = json.loads(text)
            int(state["epoch"])
            str(state["weights"])
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                tr(
                    f"{self.state_path} is not a backup state written by SafeBackupAndRestore "
                    f"({error}). Delete {self.backup_dir} to start training from scratch.",
                    f"{self.state_path} 不是 SafeBackupAndRestore 写出的备份状态（{error}）。"
                    f"删除 {self.backup_dir} 即可从头开始训练。",
                )
            ) from error
        return state

    def on_train_begin(self, logs: Mapping[str, Any] | None = None) -> None:
        remove_stale_partials(self.backup_dir)
        self._load_model()

    def _load_model(self) -> None:
        if not self.model.built:
            raise ValueError(
                tr(
                    "To use the BackupAndRestore callback, your model must be built before you call `fit()`. "
                    f"Model {self.model} is unbuilt. You can build it beforehand by calling it on a batch of data.",
                    "要使用 BackupAndRestore 回调，必须在调用 `fit()` 之前构建模型。"
                    f"模型 {self.model} 还没有构建。你可以先用一批数据调用它来构建它。",
                )
            )
        state = self.read_state()
        self.restored_state = state
        if state is None:
            self._serial = 0
            keras_internals.set_initial_epoch(self.model, None)  # a fresh start, whatever an earlier restore set
            return
        weights = Path(self.backup_dir) / state["weights"]
        if not weights.is_file():
            raise FileNotFoundError(
                tr(
                    f"{self.state_path} names {weights.name}, which is missing. "
                    f"Delete {self.backup_dir} to start training from scratch.",
                    f"{self.state_path} 指向的 {weights.name} 缺失。删除 {self.backup_dir} 即可从头开始训练。",
                )
            )
        optimizer = self.model.optimizer
        if optimizer is not None and not optimizer.built:
            # Without its variables the optimizer state in the file would be skipped.
            optimizer.build(self.model.trainable_variables)
        self.model.load_weights(weights)
        self._serial = int(state.get("serial", 0))
        # The same private hook Keras' BackupAndRestore uses to make fit() start at this epoch.
        keras_internals.set_initial_epoch(self.model, int(state["epoch"]))

    def _save_model(self) -> None:
        # Keras calls this from on_epoch_end and on_train_batch_end (keras_internals.OVERRIDDEN_HOOKS).
        folder = Path(self.backup_dir)
        serial = self._serial + 1
        name = f"weights-{serial:06d}.weights.h5"
        save_atomically(self.model, folder / name, weights_only=True)
        epoch, batch = keras_internals.backup_position(self)
        state: dict[str, Any] = {"epoch": epoch, "batch": batch, "weights": name, "serial": serial}
        if self.model.optimizer is not None:
            state["iterations"] = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        write_json_atomically(self.state_path, state)
        self._serial = serial
        for path in folder.iterdir():
            if self.WEIGHTS_PATTERN.match(path.name) and path.name != name:
                try:
                    path.unlink()
                except OSError:
                    pass

    def on_train_end(self, logs: Mapping[str, Any] | None = None) -> None:
        super().on_train_end(logs)
        keras_internals.set_initial_epoch(self.model, None)
