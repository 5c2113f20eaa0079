"""Contract test of ``course_utils/keras_internals.py``: the private Keras hooks the course uses still work.

Each ``check_*`` function below exercises one hook the adapter wraps, the way the course relies
on it, and fails with a message naming the hook, what changed and the file to update. After a
Keras upgrade a failure here says what to fix before the lessons break in odd ways.

A check that cannot fail protects nothing: :data:`BREAKERS` simulates, for every check, one or
more ways Keras could change the hook (removed, renamed, behaving differently), and
``test_each_check_notices_a_change`` makes sure the check then fails with a message that names
``course_utils/keras_internals.py``. Tiny models, no real training beyond a few steps.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import h5py
import keras
import numpy as np
import pytest
from keras.src.callbacks import monitor_callback
from keras.src.legacy.saving import legacy_h5_format
from keras.src.random import seed_generator
from keras.src.saving import saving_lib

from course_utils import keras_internals

ADAPTER = "course_utils/keras_internals.py"


def changed(hook: str, what: str) -> str:
    """The failure message: which hook changed, how, and what to do."""
    return (
        f"Keras {keras.__version__} changed {hook}: {what}. Update {ADAPTER} (checked with Keras "
        f"{keras_internals.CHECKED_WITH_KERAS}) so its function does the same again, or change the course code "
        "that relies on it; then run tests/test_keras_internals.py."
    )


@contextlib.contextmanager
def relied_on(hook: str) -> Iterator[None]:
    """Turn any error while using ``hook`` (gone, renamed, other arguments) into a failure naming the adapter."""
    try:
        yield
    except AssertionError:
        raise
    except Exception as error:
        raise AssertionError(changed(hook, f"using it raised {type(error).__name__}: {error}")) from error


def tiny_model(compiled: bool = True) -> keras.Model:
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    if compiled:
        model.compile(optimizer="adam", loss="mse")
    return model


def tiny_data() -> tuple[np.ndarray, np.ndarray]:
    x = np.arange(24, dtype="float32").reshape(8, 3) / 24
    return x, x.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------------------------
# The checks, one per hook
# --------------------------------------------------------------------------------------------


def check_checkpoint_save_hook() -> None:
    """ModelCheckpoint calls ``_save_model(epoch=, batch=, logs=)``; the course overrides it."""
    hook = "ModelCheckpoint._save_model"
    assert "_save_model" in vars(keras.callbacks.ModelCheckpoint), changed(
        hook, "ModelCheckpoint no longer defines it, so an override is never called"
    )
    calls: list[tuple[int, int | None, dict[str, Any]]] = []

    class Recording(keras.callbacks.ModelCheckpoint):
        def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any] | None) -> None:
            calls.append((epoch, batch, dict(logs or {})))

    with relied_on(hook):
        model = tiny_model()
        per_epoch = Recording("never-written.keras", monitor="loss")
        per_epoch.set_model(model)
        per_epoch.on_epoch_begin(2)
        per_epoch.on_epoch_end(2, logs={"loss": 0.5})
        per_batch = Recording("never-written.keras", monitor="loss", save_freq=1)
        per_batch.set_model(model)
        per_batch.on_epoch_begin(1)
        per_batch.on_train_batch_end(0, logs={"loss": 0.25})
    assert calls == [(2, None, {"loss": 0.5}), (1, 0, {"loss": 0.25})], changed(
        hook,
        f"on_epoch_end(2) and on_train_batch_end(0) in epoch 1 called it as {calls}, not with "
        "(epoch=2, batch=None, logs) and (epoch=1, batch=0, logs)",
    )


def check_backup_save_hook() -> None:
    """BackupAndRestore sets ``_current_epoch`` and ``_last_batch_seen``, then calls ``_save_model()``."""
    hook = "BackupAndRestore._save_model and _current_epoch/_last_batch_seen (keras_internals.backup_position)"
    assert "_save_model" in vars(keras.callbacks.BackupAndRestore), changed(
        hook, "BackupAndRestore no longer defines _save_model, so an override is never called"
    )
    positions: list[tuple[int, int]] = []

    class Recording(keras.callbacks.BackupAndRestore):
        def _save_model(self) -> None:
            positions.append(keras_internals.backup_position(self))

    with relied_on(hook):
        model = tiny_model()
        per_epoch = Recording("never-written-backup")
        per_epoch.set_model(model)
        per_epoch.on_epoch_end(2)
        per_batch = Recording("never-written-backup", save_freq=2)
        per_batch.set_model(model)
        per_batch.on_train_batch_end(0)
        per_batch.on_train_batch_end(1)
    assert positions == [(3, 0), (0, 1)], changed(
        hook,
        f"after on_epoch_end(2), and after batches 0 and 1 with save_freq=2, a backup records (epoch, batch) "
        f"= {positions}, not [(3, 0), (0, 1)] (completed epochs, last batch seen)",
    )


def check_checkpoint_file_path() -> None:
    """``_get_file_path`` fills ``{epoch}`` (1-based), ``{batch}`` and logged values into the template."""
    hook = "ModelCheckpoint._get_file_path (keras_internals.checkpoint_file_path)"
    with relied_on(hook):
        per_epoch = keras.callbacks.ModelCheckpoint("ckpt-{epoch:02d}-{loss:.2f}.keras")
        per_batch = keras.callbacks.ModelCheckpoint("ckpt-{epoch}-{batch}.keras", save_freq=1)
        names = [
            keras_internals.checkpoint_file_path(per_epoch, 2, None, {"loss": 0.5}),
            keras_internals.checkpoint_file_path(per_batch, 0, 4, {}),
        ]
    assert names == ["ckpt-03-0.50.keras", "ckpt-1-5.keras"], changed(
        hook, f"epoch 2 with loss 0.5, and epoch 0 batch 4, give {names}, not ['ckpt-03-0.50.keras', 'ckpt-1-5.keras']"
    )
    try:
        keras_internals.checkpoint_file_path(per_epoch, 0, None, {})
    except KeyError as error:
        assert "ckpt-{epoch:02d}-{loss:.2f}.keras" in str(error), changed(
            hook, f"a missing placeholder's KeyError no longer names the template: {error}"
        )
    except Exception as error:
        raise AssertionError(
            changed(hook, f"a missing placeholder raised {type(error).__name__}, not KeyError")
        ) from error
    else:
        raise AssertionError(changed(hook, "a template naming a value missing from the logs no longer raises KeyError"))


def check_monitor_comparison() -> None:
    """``monitor_op``/``_set_monitor_op``/``_is_improvement``: the direction and what counts as better."""
    hook = "MonitorCallback.monitor_op, _set_monitor_op and _is_improvement (ModelCheckpoint)"
    results: dict[str, Any] = {}
    with relied_on(hook):
        model = tiny_model()
        lower = keras.callbacks.ModelCheckpoint("never-written.keras", monitor="val_loss")
        lower.set_model(model)
        results["undecided before the first epoch"] = lower.monitor_op is None
        keras_internals.ensure_monitor_op(lower)
        decided = lower.monitor_op
        keras_internals.ensure_monitor_op(lower)
        results["decided once"] = lower.monitor_op is decided
        higher = keras.callbacks.ModelCheckpoint("never-written.keras", monitor="val_accuracy", mode="max")
        higher.set_model(model)
        keras_internals.ensure_monitor_op(higher)
        results["val_loss direction"] = keras_internals.monitor_direction(lower)
        results["mode='max' direction"] = keras_internals.monitor_direction(higher)
        results["min: 0.4 improves on 0.5"] = keras_internals.is_improvement(lower, 0.4, 0.5)
        results["min: 0.6 improves on 0.5"] = keras_internals.is_improvement(lower, 0.6, 0.5)
        results["anything improves on None"] = keras_internals.is_improvement(lower, 0.6, None)
        results["max: 0.6 improves on 0.5"] = keras_internals.is_improvement(higher, 0.6, 0.5)
        results["max: 0.4 improves on 0.5"] = keras_internals.is_improvement(higher, 0.4, 0.5)
        results["min: 0.4 better than 0.5"] = keras_internals.is_better(lower, 0.4, 0.5)
        results["max: 0.4 better than 0.5"] = keras_internals.is_better(higher, 0.4, 0.5)
    expected = {
        "undecided before the first epoch": True,
        "decided once": True,
        "val_loss direction": "min",
        "mode='max' direction": "max",
        "min: 0.4 improves on 0.5": True,
        "min: 0.6 improves on 0.5": False,
        "anything improves on None": True,
        "max: 0.6 improves on 0.5": True,
        "max: 0.4 improves on 0.5": False,
        "min: 0.4 better than 0.5": True,
        "max: 0.4 better than 0.5": False,
    }
    wrong = {key: value for key, value in results.items() if value != expected[key]}
    assert not wrong, changed(hook, f"these came out differently: {wrong} (expected {expected})")


def check_initial_epoch() -> None:
    """``Model._initial_epoch``: None on a new model, set by BackupAndRestore's restore, read by ``fit()``."""
    hook = "Model._initial_epoch (keras_internals.initial_epoch, set_initial_epoch)"
    x, y = tiny_data()
    with relied_on(hook):
        model = tiny_model()
        fresh = keras_internals.initial_epoch(model)
        keras_internals.set_initial_epoch(model, 2)
        epochs_run = model.fit(x, y, epochs=3, batch_size=8, verbose=0).epoch
        with tempfile.TemporaryDirectory() as folder:
            backup = keras.callbacks.BackupAndRestore(folder, delete_checkpoint=False)
            backup.set_model(model)
            backup.on_epoch_end(1)  # a backup after 2 completed epochs
            restored = tiny_model()
            restore = keras.callbacks.BackupAndRestore(folder)
            restore.set_model(restored)
            restore.on_train_begin()
            after_restore = keras_internals.initial_epoch(restored)
    assert fresh is None, changed(hook, f"a new model starts with {fresh!r}, not None")
    assert epochs_run == [2], changed(hook, f"set to 2, fit(epochs=3) ran epochs {epochs_run}, not [2] only")
    assert after_restore == 2, changed(hook, f"BackupAndRestore's restore set it to {after_restore!r}, not 2")


def check_compile_config() -> None:
    """``Model._compile_config.config``: the live compile arguments that ``get_compile_config()`` serializes."""
    hook = "Model._compile_config (keras_internals.compile_config, set_compile_config_entry)"
    with relied_on(hook):
        before = keras_internals.compile_config(tiny_model(compiled=False))
        model = tiny_model()
        config = keras_internals.compile_config(model)
        assert config is not None, changed(hook, "a compiled model has no live compile settings")
        holds_optimizer = config.get("optimizer") is model.optimizer
        del config["optimizer"]
        dropped = "optimizer" not in model.get_compile_config()
        keras_internals.set_compile_config_entry(model, "optimizer", model.optimizer)
        serialized = model.get_compile_config().get("optimizer")
    assert before is None, changed(hook, f"a model that was never compiled has compile settings {before!r}")
    assert holds_optimizer, changed(hook, "the live settings no longer hold the optimizer object itself")
    assert dropped, changed(hook, "removing the optimizer from the live settings does not change get_compile_config()")
    assert isinstance(serialized, dict) and serialized.get("class_name") == "Adam", changed(
        hook, f"after putting the optimizer back, get_compile_config() has optimizer {serialized!r}, not Adam's config"
    )


def check_weights_h5_bytes() -> None:
    """``saving_lib.H5IOStore`` (BytesIO, ``mode="w"``, ``close()``) and ``_save_state``: a loadable ``.weights.h5``."""
    hook = "keras.src.saving.saving_lib.H5IOStore and _save_state (keras_internals.weights_h5_bytes)"
    x, y = tiny_data()
    with relied_on(hook), tempfile.TemporaryDirectory() as folder:
        model = tiny_model()
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)  # optimizer state to save
        image = keras_internals.weights_h5_bytes(model)
        assert image is not None, changed(hook, "weights_h5_bytes found no H5IOStore or _save_state")
        path = Path(folder) / "model.weights.h5"
        path.write_bytes(image)
        fresh = tiny_model()
        fresh.optimizer.build(fresh.trainable_variables)
        fresh.load_weights(path)
        same_weights = all(np.array_equal(a, b) for a, b in zip(model.get_weights(), fresh.get_weights(), strict=True))
        iterations = int(keras.ops.convert_to_numpy(fresh.optimizer.iterations))
    assert same_weights, changed(hook, "the file built in memory loads other weights than the model's")
    assert iterations == 2, changed(hook, f"the file restores optimizer iterations {iterations}, not 2")


def check_legacy_h5_bytes() -> None:
    """``legacy_h5_format.save_model_to_hdf5`` into an in-memory ``h5py.File``: a loadable ``.h5`` model."""
    hook = "keras.src.legacy.saving.legacy_h5_format.save_model_to_hdf5 (keras_internals.legacy_h5_bytes)"
    with relied_on(hook), tempfile.TemporaryDirectory() as folder:
        model = tiny_model()
        image = keras_internals.legacy_h5_bytes(model)
        assert image is not None, changed(hook, "legacy_h5_bytes found no save_model_to_hdf5")
        path = Path(folder) / "model.h5"
        path.write_bytes(image)
        loaded = keras.saving.load_model(path, compile=False)
        same_weights = all(np.array_equal(a, b) for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True))
        with h5py.File(path, "r") as handle:
            training = json.loads(handle.attrs.get("training_config", "{}"))
        optimizer = training.get("optimizer_config", {}).get("class_name")
    assert same_weights, changed(hook, "the .h5 file built in memory loads other weights than the model's")
    assert optimizer == "Adam", changed(hook, f"the .h5 file built in memory loads optimizer {optimizer}, not Adam")


class _CountingRandom:
    """Stands in for Python's ``random``: every seed Keras draws is 1234."""

    def __init__(self) -> None:
        self.calls = 0

    def randint(self, low: int, high: int) -> int:
        self.calls += 1
        return 1234


def check_python_random() -> None:
    """``seed_generator.python_random``: Python's ``random``, where unseeded initializers and layers draw seeds."""
    hook = "keras.src.random.seed_generator.python_random (keras_internals.keras_python_random)"
    counting = _CountingRandom()
    with relied_on(hook):
        source = keras_internals.keras_python_random()
        assert source is random, changed(hook, f"Keras draws its default seeds from {source!r}, not Python's random")
        keras_internals.set_keras_python_random(counting)
        try:
            initializer = keras.initializers.GlorotUniform()
            keras.layers.Dropout(0.5)
        finally:
            keras_internals.set_keras_python_random(source)
        restored = keras_internals.keras_python_random()
    assert counting.calls == 2 and initializer.seed == 1234, changed(
        hook,
        f"an unseeded initializer and a Dropout drew {counting.calls} seeds from the replacement (not 2), "
        f"initializer seed {initializer.seed!r}",
    )
    assert restored is random, changed(hook, "putting Python's random back did not take")


def check_flatten_layers() -> None:
    """``Layer._flatten_layers()``: the model, then every layer inside it, nested ones too, each once."""
    hook = "Layer._flatten_layers (keras_internals.flatten_layers)"
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="inner_dense")], name="inner")
    model = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1, name="outer_dense")], name="outer")
    with relied_on(hook):
        layers = keras_internals.flatten_layers(model)
    names = [layer.name for layer in layers]
    assert layers and layers[0] is model, changed(hook, f"the list no longer starts with the model itself: {names}")
    assert {"inner", "inner_dense", "outer_dense"} <= set(names), changed(hook, f"nested layers are missing: {names}")
    assert len({id(layer) for layer in layers}) == len(layers), changed(hook, f"a layer is listed twice: {names}")


#: Every check, by name.
CHECKS: dict[str, Callable[[], None]] = {
    name.removeprefix("check_"): function
    for name, function in dict(globals()).items()
    if name.startswith("check_") and callable(function)
}

#: Which adapter functions (and overridden hooks) each check covers.
COVERS: dict[str, set[str]] = {
    "checkpoint_save_hook": {"keras.callbacks.ModelCheckpoint._save_model(epoch, batch, logs)"},
    "backup_save_hook": {"keras.callbacks.BackupAndRestore._save_model()", "backup_position"},
    "checkpoint_file_path": {"checkpoint_file_path"},
    "monitor_comparison": {"ensure_monitor_op", "monitor_direction", "is_better", "is_improvement"},
    "initial_epoch": {"initial_epoch", "set_initial_epoch"},
    "compile_config": {"compile_config", "set_compile_config_entry"},
    "weights_h5_bytes": {"weights_h5_bytes"},
    "legacy_h5_bytes": {"legacy_h5_bytes"},
    "python_random": {"keras_python_random", "set_keras_python_random"},
    "flatten_layers": {"flatten_layers"},
}


# --------------------------------------------------------------------------------------------
# Ways Keras could change each hook: every check must notice each of them
# --------------------------------------------------------------------------------------------


def _defining(cls: type, name: str) -> type:
    """The class in ``cls``' hierarchy that defines ``name`` (where removing it removes it)."""
    return next(klass for klass in cls.__mro__ if name in vars(klass))


def _wrap_after(monkeypatch: pytest.MonkeyPatch, cls: type, name: str, after: Callable[..., None]) -> None:
    """Replace ``cls.name`` by the original followed by ``after(self)``."""
    original = getattr(cls, name)

    def wrapped(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        after(self)
        return result

    monkeypatch.setattr(cls, name, wrapped)


def _fit_ignoring_initial_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    original = keras.Model.fit

    def fit(self: keras.Model, *args: Any, **kwargs: Any) -> Any:
        self._initial_epoch = None
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)


def _restore_setting_another_name(monkeypatch: pytest.MonkeyPatch) -> None:
    def _load_model(self: keras.callbacks.BackupAndRestore) -> None:
        self.model._start_epoch = 2

    monkeypatch.setattr(keras.callbacks.BackupAndRestore, "_load_model", _load_model)


def _compile_settings_renamed(model: keras.Model) -> None:
    model._compile_settings = model._compile_config
    del model._compile_config


def _compile_settings_copied(model: keras.Model) -> None:
    snapshot = model._compile_config.serialize()
    model._compile_config = type(model._compile_config)(**model._compile_config.config)
    model.get_compile_config = lambda: snapshot


def _without_default_seeds(monkeypatch: pytest.MonkeyPatch) -> None:
    from keras.src.backend import random as backend_random

    monkeypatch.setattr(seed_generator, "make_default_seed", lambda: 42)
    monkeypatch.setattr(backend_random, "make_default_seed", lambda: 42)


Breaker = Callable[[pytest.MonkeyPatch], None]

BREAKERS: dict[str, dict[str, Breaker]] = {
    "checkpoint_save_hook": {
        "_save_model removed": lambda mp: mp.delattr(keras.callbacks.ModelCheckpoint, "_save_model"),
        "on_epoch_end saves another way": lambda mp: mp.setattr(
            keras.callbacks.ModelCheckpoint, "on_epoch_end", lambda self, epoch, logs=None: None
        ),
        "_save_model keyword renamed": lambda mp: mp.setattr(
            keras.callbacks.ModelCheckpoint,
            "on_epoch_end",
            lambda self, epoch, logs=None: self._save_model(epoch=epoch, batch_index=None, logs=logs),
        ),
    },
    "backup_save_hook": {
        "_save_model removed": lambda mp: mp.delattr(keras.callbacks.BackupAndRestore, "_save_model"),
        "_current_epoch renamed": lambda mp: mp.setattr(
            keras.callbacks.BackupAndRestore,
            "on_epoch_end",
            lambda self, epoch, logs=None: (setattr(self, "_epochs_done", epoch + 1), self._save_model()),
        ),
        "_last_batch_seen renamed": lambda mp: mp.setattr(
            keras.callbacks.BackupAndRestore, "_should_save_on_batch", lambda self, batch: True
        ),
    },
    "checkpoint_file_path": {
        "_get_file_path removed": lambda mp: mp.delattr(keras.callbacks.ModelCheckpoint, "_get_file_path"),
        "{epoch} 0-based": lambda mp: mp.setattr(
            keras.callbacks.ModelCheckpoint,
            "_get_file_path",
            lambda self, epoch, batch, logs: self.filepath.format(epoch=epoch, batch=batch, **logs),
        ),
    },
    "monitor_comparison": {
        "_set_monitor_op removed": lambda mp: mp.delattr(
            _defining(keras.callbacks.ModelCheckpoint, "_set_monitor_op"), "_set_monitor_op"
        ),
        "_is_improvement removed": lambda mp: mp.delattr(
            _defining(keras.callbacks.ModelCheckpoint, "_is_improvement"), "_is_improvement"
        ),
        "_is_improvement always true": lambda mp: mp.setattr(
            monitor_callback.MonitorCallback, "_is_improvement", lambda self, value, reference: True
        ),
        "monitor_op another function": lambda mp: _wrap_after(
            mp,
            monitor_callback.MonitorCallback,
            "_set_monitor_op",
            lambda self: setattr(self, "monitor_op", np.greater if self.monitor_op is keras.ops.greater else np.less),
        ),
    },
    "initial_epoch": {
        "fit ignores it": _fit_ignoring_initial_epoch,
        "restore sets another attribute": _restore_setting_another_name,
    },
    "compile_config": {
        "_compile_config renamed": lambda mp: _wrap_after(mp, keras.Model, "compile", _compile_settings_renamed),
        "get_compile_config reads a copy": lambda mp: _wrap_after(mp, keras.Model, "compile", _compile_settings_copied),
    },
    "weights_h5_bytes": {
        "_save_state removed": lambda mp: mp.delattr(saving_lib, "_save_state"),
        "H5IOStore removed": lambda mp: mp.delattr(saving_lib, "H5IOStore"),
        "H5IOStore.close no longer finishes the file": lambda mp: mp.setattr(
            saving_lib.H5IOStore, "close", lambda self: None
        ),
    },
    "legacy_h5_bytes": {
        "save_model_to_hdf5 removed": lambda mp: mp.delattr(legacy_h5_format, "save_model_to_hdf5"),
        "save_model_to_hdf5 writes nothing": lambda mp: mp.setattr(
            legacy_h5_format, "save_model_to_hdf5", lambda model, handle, include_optimizer=True: None
        ),
    },
    "python_random": {
        "python_random removed": lambda mp: mp.delattr(seed_generator, "python_random"),
        "a generator of Keras' own": lambda mp: mp.setattr(seed_generator, "python_random", random.Random(0)),
        "seeds drawn elsewhere": _without_default_seeds,
    },
    "flatten_layers": {
        "_flatten_layers removed": lambda mp: mp.delattr(keras.layers.Layer, "_flatten_layers"),
        "_flatten_layers not recursive": lambda mp: mp.setattr(
            keras.layers.Layer, "_flatten_layers", lambda self, include_self=True, recursive=True: [self, *self._layers]
        ),
    },
}


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_keras_still_provides_the_hook(name: str) -> None:
    CHECKS[name]()


@pytest.mark.parametrize(
    ("name", "breaker"),
    [(name, breaker) for name, breakers in sorted(BREAKERS.items()) for breaker in breakers],
    ids=lambda value: value.replace(" ", "-"),
)
def test_each_check_notices_a_change(name: str, breaker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    BREAKERS[name][breaker](monkeypatch)
    with pytest.raises(AssertionError) as failure:
        CHECKS[name]()
    message = str(failure.value)
    assert ADAPTER in message and "changed" in message, f"check_{name} failed without naming {ADAPTER}: {message}"


def test_every_hook_of_the_adapter_has_a_check_and_a_breaker() -> None:
    functions = {
        name
        for name, value in vars(keras_internals).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == keras_internals.__name__
    }
    covered = set().union(*COVERS.values())
    assert functions | set(keras_internals.OVERRIDDEN_HOOKS) == covered, (
        f"{ADAPTER} and tests/test_keras_internals.py disagree: functions or overridden hooks without a check "
        f"{sorted((functions | set(keras_internals.OVERRIDDEN_HOOKS)) - covered)}, checks of names that are gone "
        f"{sorted(covered - functions - set(keras_internals.OVERRIDDEN_HOOKS))}. Add a check_* function, a COVERS "
        "entry and a breaker."
    )
    assert set(COVERS) == set(CHECKS) == set(BREAKERS), "every check needs a COVERS entry and at least one breaker"
    assert all(BREAKERS.values())


def test_a_missing_hook_names_the_file_to_update() -> None:
    with pytest.raises(AttributeError, match=r"_initial_epoch.*course_utils/keras_internals\.py"):
        keras_internals.initial_epoch(object())
    with pytest.raises(keras_internals.KerasInternalsChanged, match=r"course_utils/keras_internals\.py"):
        keras_internals.set_compile_config_entry(tiny_model(compiled=False), "optimizer", "adam")
