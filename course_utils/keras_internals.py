"""Every private Keras hook the course relies on, in one place, each one named for what it does.

Keras keeps some of what the course needs behind private names (a leading ``_`` or the
``keras.src`` package): where ``fit()`` starts after a restore, how a checkpoint names its file,
where Keras draws its seeds. Private names may change in any Keras release without notice, so the
rest of ``course_utils`` reaches them only through the functions below, and
``tests/test_keras_internals.py`` checks that each one still exists and still does what the course
relies on. After a Keras upgrade, run that test: a failure names the hook that changed, and this
file is the only one to update.

All of them were checked against Keras 3.15.1 with TensorFlow 2.21 (:data:`CHECKED_WITH_KERAS`).

Methods that course classes *override* and Keras itself calls are listed in
:data:`OVERRIDDEN_HOOKS`: their names must stay as Keras spells them, so they cannot be wrapped
here; the contract test checks that Keras still calls them.

A getter whose private attribute is gone raises :class:`KerasInternalsChanged` (an
``AttributeError``, as the plain attribute access did) whose message says what to update.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import keras

#: The Keras version every hook here was last checked against (``tests/test_keras_internals.py``).
CHECKED_WITH_KERAS = "3.15.1"

#: Private methods that course classes override and that Keras calls, with who overrides them.
OVERRIDDEN_HOOKS: dict[str, str] = {
    "keras.callbacks.ModelCheckpoint._save_model(epoch, batch, logs)": (
        "called by on_epoch_end and on_train_batch_end with keywords; overridden by "
        "callbacks.SafeModelCheckpoint and the kill harness' announcing subclasses"
    ),
    "keras.callbacks.BackupAndRestore._save_model()": (
        "called by on_epoch_end and on_train_batch_end after they set _current_epoch and "
        "_last_batch_seen; overridden by callbacks.SafeBackupAndRestore and the kill harness"
    ),
}


class KerasInternalsChanged(AttributeError):
    """A private Keras hook the course relies on is gone: ``course_utils/keras_internals.py`` needs updating."""


def _get(owner: Any, name: str, what: str) -> Any:
    """``getattr(owner, name)``, or an error naming the hook and the file to update."""
    try:
        return getattr(owner, name)
    except AttributeError as error:
        raise KerasInternalsChanged(  # english-only: for the course's developers (a Keras upgrade broke a hook)
            f"Keras {keras.__version__} has no {name} on {type(owner).__name__} ({what}); the course was "
            f"checked with Keras {CHECKED_WITH_KERAS}. Update course_utils/keras_internals.py and run "
            "tests/test_keras_internals.py."
        ) from error


# --------------------------------------------------------------------------------------------
# Where fit() starts: Model._initial_epoch
# --------------------------------------------------------------------------------------------


def initial_epoch(model: keras.Model) -> int | None:
    """The epoch the next ``fit()`` starts at, as set by a restore; None when nothing set it.

    ``fit()`` uses ``model._initial_epoch or initial_epoch`` (Keras 3.15.1), and
    ``keras.callbacks.BackupAndRestore`` sets it when it restores a backup.
    """
    return _get(model, "_initial_epoch", "the epoch fit() starts at after BackupAndRestore")


def set_initial_epoch(model: keras.Model, epoch: int | None) -> None:
    """Make the next ``fit()`` start at ``epoch`` (0-based), as ``BackupAndRestore`` does; None forgets it."""
    model._initial_epoch = epoch


# --------------------------------------------------------------------------------------------
# The live compile settings: Model._compile_config
# --------------------------------------------------------------------------------------------


def compile_config(model: keras.Model) -> dict[str, Any] | None:
    """The live dict of ``compile()`` arguments (objects, not serialized), or None before ``compile()``.

    ``model.get_compile_config()`` returns a serialized *copy* of it; a change to this dict is
    what the next ``model.save()`` stores (Keras 3.15.1: ``model._compile_config.config``).
    """
    config = getattr(model, "_compile_config", None)
    return None if config is None else config.config


def set_compile_config_entry(model: keras.Model, key: str, value: Any) -> None:
    """Set one ``compile()`` argument in the live settings, e.g. ``"optimizer"`` after a legacy ``.h5`` save."""
    config = compile_config(model)
    if config is None:
        raise KerasInternalsChanged(  # english-only: for the course's developers (a Keras upgrade broke a hook)
            f"{model.name} has no compile settings to change (not compiled, or Keras {keras.__version__} "
            "moved Model._compile_config): compile it first, or update course_utils/keras_internals.py."
        )
    config[key] = value


# --------------------------------------------------------------------------------------------
# ModelCheckpoint: file names, the monitored direction, what counts as better
# --------------------------------------------------------------------------------------------


def checkpoint_file_path(
    callback: keras.callbacks.ModelCheckpoint, epoch: int, batch: int | None, logs: Mapping[str, Any]
) -> str:
    """The file ``callback`` saves to now: its template filled with ``epoch + 1``, ``batch + 1`` and ``logs``.

    ``epoch`` and ``batch`` are 0-based as Keras passes them; a missing placeholder raises
    ``KeyError`` naming the template (``ModelCheckpoint._get_file_path``).
    """
    return _get(callback, "_get_file_path", "how a checkpoint fills its filepath template")(epoch, batch, logs)


def ensure_monitor_op(callback: keras.callbacks.ModelCheckpoint) -> None:
    """Decide whether the monitored value should go up or down, if Keras has not yet.

    Keras decides it at the first ``on_epoch_end`` (``_set_monitor_op``), once the model's
    metrics exist; ``mode="auto"`` looks at the metric's direction.
    """
    if _get(callback, "monitor_op", "the comparison of monitored values") is None:
        _get(callback, "_set_monitor_op", "choosing min or max for the monitored value")()


def monitor_direction(callback: keras.callbacks.ModelCheckpoint) -> str:
    """``"max"`` when ``callback`` keeps the highest monitored value, ``"min"`` for the lowest.

    Call :func:`ensure_monitor_op` first: before it, the direction is undecided (reads ``"min"``).
    """
    return "max" if _get(callback, "monitor_op", "the comparison of monitored values") is keras.ops.greater else "min"


def is_better(callback: keras.callbacks.ModelCheckpoint, value: float, reference: float) -> bool:
    """Whether ``value`` beats ``reference`` in the monitored direction (no ``min_delta``)."""
    return bool(_get(callback, "monitor_op", "the comparison of monitored values")(value, reference))


def is_improvement(callback: keras.callbacks.ModelCheckpoint, value: float, best: float | None) -> bool:
    """Whether ``value`` improves on ``best`` (True when there is no best yet), as Keras decides a save.

    Keras 3.15.1 ``MonitorCallback._is_improvement``: ``monitor_op(value - min_delta, best)``.
    """
    return bool(_get(callback, "_is_improvement", "what counts as an improvement")(value, best))


# --------------------------------------------------------------------------------------------
# BackupAndRestore: how far training got
# --------------------------------------------------------------------------------------------


def backup_position(callback: keras.callbacks.BackupAndRestore) -> tuple[int, int]:
    """``(epoch, batch)`` to record in a backup: completed epochs, and the last batch seen in the current one.

    Keras sets both just before it calls ``_save_model()`` (``_current_epoch``,
    ``_last_batch_seen``); its own backup records them as ``"epoch"`` and ``"batch"``.
    """
    epoch = _get(callback, "_current_epoch", "the epoch count a backup records")
    batch = _get(callback, "_last_batch_seen", "the batch a backup records")
    return epoch, batch


# --------------------------------------------------------------------------------------------
# HDF5 files built in memory: keras.src.saving.saving_lib, keras.src.legacy.saving
# --------------------------------------------------------------------------------------------


def weights_h5_bytes(model: keras.Model) -> bytes | None:
    """The bytes ``model.save_weights("x.weights.h5")`` writes, built in memory; None if this Keras lacks the hooks.

    Uses ``keras.src.saving.saving_lib.H5IOStore`` (opened on a ``BytesIO`` with ``mode="w"``,
    then ``close()``) and ``saving_lib._save_state``, as ``saving_lib.save_weights_only`` does.
    The model must be built.
    """
    try:
        import h5py  # noqa: F401  (H5IOStore needs it; without it Keras writes the file itself)
        from keras.src.saving import saving_lib

        store_class, save_state = saving_lib.H5IOStore, saving_lib._save_state
    except (ImportError, AttributeError):
        return None
    buffer = io.BytesIO()
    store = store_class(buffer, mode="w")
    try:
        save_state(model, weights_store=store, assets_store=None, inner_path="", visited_saveables=set())
    finally:
        store.close()
    return buffer.getvalue()


def legacy_h5_bytes(model: keras.Model) -> bytes | None:
    """The bytes ``model.save("m.h5")`` writes (legacy HDF5 model), built in memory; None if this Keras lacks the hook.

    Uses ``keras.src.legacy.saving.legacy_h5_format.save_model_to_hdf5`` on an ``h5py.File``
    opened on a ``BytesIO``, with the optimizer. The model must be built.
    """
    try:
        import h5py
        from keras.src.legacy.saving import legacy_h5_format

        save_hdf5 = legacy_h5_format.save_model_to_hdf5
    except (ImportError, AttributeError):
        return None
    buffer = io.BytesIO()
    with h5py.File(buffer, mode="w") as handle:
        save_hdf5(model, handle, include_optimizer=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Where Keras draws its seeds: keras.src.random.seed_generator.python_random
# --------------------------------------------------------------------------------------------


def _seed_module() -> Any:
    try:
        from keras.src.random import seed_generator
    except ImportError:
        return None
    return seed_generator


def keras_python_random() -> Any:
    """What Keras draws the seed of an unseeded initializer, Dropout or random layer from; None if unknown.

    Python's ``random`` module unless replaced (Keras 3.15.1:
    ``keras.src.random.seed_generator.python_random``, used by ``make_default_seed``).
    """
    return getattr(_seed_module(), "python_random", None)


def set_keras_python_random(source: Any) -> None:
    """Make Keras draw its default seeds from ``source`` (anything with ``randint``); see :func:`keras_python_random`.

    Raises:
        KerasInternalsChanged: This Keras has no ``python_random`` to replace.
    """
    module = _seed_module()
    if getattr(module, "python_random", None) is None:
        raise KerasInternalsChanged(  # english-only: for the course's developers (a Keras upgrade broke a hook)
            f"Keras {keras.__version__} no longer draws seeds from keras.src.random.seed_generator.python_random: "
            "update course_utils/keras_internals.py (check keras_python_random() first)."
        )
    module.python_random = source


# --------------------------------------------------------------------------------------------
# Every layer of a model: Layer._flatten_layers
# --------------------------------------------------------------------------------------------


def flatten_layers(model: keras.Layer) -> list[keras.Layer]:
    """``model`` itself, then every layer inside it, nested models' layers too, each once.

    ``model.layers`` lists only the top level (Keras 3.15.1 ``Layer._flatten_layers()``).
    """
    return list(_get(model, "_flatten_layers", "every layer of a model, nested ones too")())
