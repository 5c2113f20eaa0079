"""Saving a trained model in every format Keras 3 offers, reloading any of them, and clear errors.

The five formats (notebook 07 shows each call; notebook 08 reloads them):

==============  =========================================  ========================================
format          save with                                  reload with
==============  =========================================  ========================================
``.keras``      ``model.save("m.keras")``                  ``keras.models.load_model("m.keras")``
legacy ``.h5``  ``model.save("m.h5")``                     ``keras.models.load_model("m.h5")``
SavedModel      ``model.export("m_savedmodel")``           ``keras.layers.TFSMLayer(folder, "serve")``
weights only    ``model.save_weights("m.weights.h5")``     build the model in code, ``load_weights``
checkpoint      ``tf.train.Checkpoint(model=model).save``  build the model in code, ``restore``
==============  =========================================  ========================================

:func:`load_any` reloads all of them; :func:`save_all` saves one model in every format and
measures them side by side. Before Keras reads a file, :func:`load_any` looks at it with
:func:`course_utils.model_files.identify`, so anything wrong with a file raises
:class:`~course_utils.model_files.ModelFileError`, whose message names the path, what is wrong
and how to fix it, instead of Keras' "File not found" for a file that exists, or a traceback
from ``h5py``, ``zipfile``, ``json`` or TensorFlow. :mod:`course_utils.model_files` also says
what a file is without loading it (``describe``); :mod:`course_utils.weights_text` writes the
weights as text and reads them back.

Damage the formats can and cannot notice: a ``.keras`` zip, a checkpoint and a SavedModel carry
checksums, and :func:`load_any` checks them. HDF5 (``.h5``, ``.weights.h5``) stores no checksum
of the data: a changed byte inside the weights loads without an error, so :func:`load_any`
warns once per session (:class:`NoChecksumWarning`) after loading an HDF5 file.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from course_utils import keras_internals
from course_utils.config import PathLike
from course_utils.language import tr
from course_utils.measuring import accuracy, folder_size
from course_utils.model_files import (
    CHECKPOINT,
    FORMATS,
    H5,
    KERAS,
    SAVEDMODEL,
    WEIGHTS,
    ModelFileError,
    as_path,
    checkpoint_prefix,
    diagnose_load_error,
    identify,
    missing_file_error,
    savedmodel_fingerprint_checked,
    savedmodel_signature,
)
from course_utils.tables import Table

#: Where each format puts the model in a folder written by :func:`save_every_format`.
FILE_NAMES = {
    KERAS: "model.keras",
    H5: "model.h5",
    SAVEDMODEL: "model_savedmodel",
    WEIGHTS: "model.weights.h5",
    CHECKPOINT: "model_checkpoint",
}


class NoChecksumWarning(UserWarning):
    """An HDF5 model file was loaded: HDF5 keeps no checksum, so damage inside it goes unnoticed."""


# --------------------------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------------------------


def save_checkpoint(model: keras.Model, folder: PathLike) -> Path:
    """Write a ``tf.train.Checkpoint`` of the model (and its optimizer) into ``folder``; return the folder.

    The folder gets ``ckpt-1.index``, ``ckpt-1.data-00000-of-00001`` and a ``checkpoint`` file
    naming the latest one (what ``tf.train.latest_checkpoint(folder)`` reads).
    """
    folder = Path(folder)
    parts: dict[str, Any] = {"model": model}
    if getattr(model, "optimizer", None) is not None:
        parts["optimizer"] = model.optimizer
    tf.train.Checkpoint(**parts).save(os.fspath(folder / "ckpt"))
    return folder


def repair_compile_config(model: keras.Model) -> bool:
    """Put the optimizer back into the model's compile config after a legacy ``.h5`` save; True if it was missing.

    Keras 3.15's ``model.save("m.h5")`` removes the optimizer from the *live* model's compile
    config (fixed upstream in keras-team/keras pull request 23475). A ``.keras`` file saved
    afterwards then reloads with the default RMSprop optimizer and no optimizer state.
    """
    config = keras_internals.compile_config(model)
    if config is None or getattr(model, "optimizer", None) is None or "optimizer" in config:
        return False
    keras_internals.set_compile_config_entry(model, "optimizer", model.optimizer)
    return True


def save_format(model: keras.Model, path: PathLike, key: str) -> Path:
    """Save ``model`` at ``path`` in one format: a key of ``model_files.FORMATS`` (``"keras"``, ``"h5"``, ...)."""
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path)  # export and checkpoints add to an existing folder; start clean
    if key == KERAS:
        model.save(path)
    elif key == H5:
        model.save(path)
        repair_compile_config(model)
    elif key == SAVEDMODEL:
        model.export(path, verbose=False)
    elif key == WEIGHTS:
        model.save_weights(path)
    elif key == CHECKPOINT:
        save_checkpoint(model, path)
    else:
        raise ValueError(
            tr(
                f"unknown format {key!r}; choose one of {sorted(FORMATS)}",
                f"未知的格式 {key!r}；请从 {sorted(FORMATS)} 中选择一个",
            )
        )
    return path


def save_every_format(model: keras.Model, folder: PathLike) -> dict[str, Path]:
    """Save ``model`` in all five formats under ``folder`` (names in :data:`FILE_NAMES`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {key: save_format(model, folder / FILE_NAMES[key], key) for key in FORMATS}


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_savedmodel(folder: PathLike) -> keras.Model:
    """A SavedModel folder as a Keras model for inference (``predict``), through ``keras.layers.TFSMLayer``."""
    folder = Path(folder)
    signatures, spec = savedmodel_signature(folder)
    if "shape" not in spec:
        raise ModelFileError(
            folder,
            tr(
                f"this SavedModel has no serving_default signature (it has {signatures}).",
                f"这个 SavedModel 没有 serving_default 签名（它有 {signatures}）。",
            ),
            tr(
                "load it with tf.saved_model.load(folder) and call one of its functions.",
                "请用 tf.saved_model.load(folder) 加载它，再调用它的某个函数。",
            ),
        )
    endpoint = "serve" if "serve" in signatures else "serving_default"
    inputs = keras.Input(shape=spec["shape"][1:], dtype=spec["dtype"], name=spec["name"])
    # The graph takes the dtype it was exported with: a mixed-precision global policy must not
    # make Keras cast the input to 16 bits on the way in, so the layer keeps the file's dtype.
    outputs = keras.layers.TFSMLayer(os.fspath(folder), call_endpoint=endpoint, name="savedmodel",
                                     dtype=spec["dtype"])(inputs)
    if isinstance(outputs, dict):  # serving_default returns {"output_0": tensor}
        outputs = next(iter(outputs.values()))
    return keras.Model(inputs, outputs, name="savedmodel_inference")


def _build_optimizer(model: keras.Model) -> None:
    """Create a compiled model's optimizer variables, so saved optimizer state has somewhere to go."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)


def _does_not_fit(error: Exception) -> str:
    """The problem of a checkpoint whose variables do not fit the model: TensorFlow's first line, quoted."""
    first = str(error).splitlines()[0]
    return tr(f"the checkpoint does not fit this model: {first}", f"这个检查点与这个模型不符：{first}")


def restore_checkpoint(model: keras.Model, path: PathLike) -> keras.Model:
    """Restore a ``tf.train.Checkpoint`` (folder or prefix) into ``model``: weights, and optimizer state if compiled."""
    path = Path(path)
    prefix = checkpoint_prefix(path)
    if prefix is None:
        raise missing_file_error(path)
    _build_optimizer(model)
    fix = tr(
        "build (and compile) the model with the same code that saved the checkpoint.",
        "请用保存这个检查点时的同一段代码构建（并编译）模型。",
    )
    try:
        status = tf.train.Checkpoint(model=model).restore(prefix)
    except ValueError as error:  # a variable of another shape
        raise ModelFileError(path, _does_not_fit(error), fix) from None
    try:
        status.assert_existing_objects_matched()
    except AssertionError as error:
        status.expect_partial()
        raise ModelFileError(path, _does_not_fit(error), fix) from None
    return model


def load_any(
    path: PathLike,
    model: keras.Model | None = None,
    *,
    compile: bool = True,
    safe_mode: bool = True,
    custom_objects: dict[str, Any] | None = None,
    allow_inference_only: bool = True,
) -> keras.Model:
    """Load any of the five formats and return a Keras model.

    * ``.keras`` and legacy ``.h5``: ``keras.models.load_model``; with ``model``, only the
      weights go into that model.
    * SavedModel folder: an inference-only model (``predict`` works, ``fit`` does not).
    * ``.weights.h5`` and checkpoints hold no architecture: pass ``model``.

    Every problem raises :class:`ModelFileError` naming the path, the problem and the fix: when
    Keras or TensorFlow fails, the file is examined as ``model_files.describe`` does, to name the damage.
    After loading an HDF5 file (``.h5``, ``.weights.h5``) a :class:`NoChecksumWarning`, once per
    session, says that HDF5 cannot show damage inside the weights.

    Args:
        path: The file (``.keras``, ``.h5``, ``.weights.h5``), or the folder (or prefix) of a
            checkpoint, or a SavedModel folder; ``model_files.identify`` tells the format.
        model: A model to load the weights into, built (and compiled, to restore a checkpoint's
            optimizer state) by the code that saved them; needed for ``.weights.h5`` and
            checkpoints, refused with a SavedModel. None: build the model from the file.
        compile: Passed on to ``keras.models.load_model`` (``.keras``, ``.h5`` without ``model``):
            False loads without the optimizer, loss and metrics.
        safe_mode: Passed on the same way: True refuses ``Lambda`` layers saved as Python code,
            which could run anything when loaded.
        custom_objects: Passed on the same way: your own layers, losses or metrics by name.
        allow_inference_only: False refuses a SavedModel folder, as ``keras.models.load_model`` does.

    Returns:
        The model: ``model`` itself when given, else a new one.
    """
    path = as_path(path)
    key = identify(path)
    if key == SAVEDMODEL:
        if not allow_inference_only or model is not None:
            raise ModelFileError(
                path,
                tr(
                    "this is a SavedModel folder (written by model.export or Keras 2's model.save): it holds a "
                    "TensorFlow graph for serving, not a Keras model, so keras.models.load_model cannot read it.",
                    "这是一个 SavedModel 文件夹（由 model.export 或 Keras 2 的 model.save 写出）：它存放的是用于部署的 "
                    "TensorFlow 计算图，不是 Keras 模型，所以 keras.models.load_model 无法读取它。",
                ),
                tr(
                    "for predictions use keras.layers.TFSMLayer(folder, call_endpoint='serve') or load_any(folder); "
                    "to train again, load the .keras file saved next to it.",
                    "要做预测，请用 keras.layers.TFSMLayer(folder, call_endpoint='serve') 或 load_any(folder)；"
                    "要继续训练，请加载保存在它旁边的 .keras 文件。",
                ),
            )
        return _load_checked_savedmodel(path)
    if key in (WEIGHTS, CHECKPOINT) and model is None:
        weights_only = key == WEIGHTS
        ending = (
            tr(" or model.load_weights(path).", " 或 model.load_weights(path)。") if weights_only else tr(".", "。")
        )
        what = (
            tr("weights", "权重")
            if weights_only
            else tr("variables (weights and optimizer state)", "变量（权重和优化器状态）")
        )
        raise ModelFileError(
            path,
            tr(
                f"this file holds only {what}, not the model's architecture, so there is nothing to build them into.",
                f"这个文件只存放{what}，不含模型的架构，因此没有可以装入它们的模型。",
            ),
            tr(
                f"build the same model in code first, e.g. model = models.build_cnn_3x3(), then "
                f"load_any(path, model=model){ending}",
                f"请先用代码构建同样的模型，例如 model = models.build_cnn_3x3()，然后 "
                f"load_any(path, model=model){ending}",
            ),
        )
    try:
        if model is not None and key == CHECKPOINT:
            loaded = restore_checkpoint(model, path)
        elif model is not None:
            _build_optimizer(model)
            model.load_weights(path)
            loaded = model
        else:
            loaded = keras.models.load_model(path, custom_objects=custom_objects, compile=compile,
                                             safe_mode=safe_mode)
    except ModelFileError:
        raise
    except Exception as error:  # Keras, h5py, zipfile and TensorFlow errors all become one clear error
        raise diagnose_load_error(path, key, error) from error
    if key in (H5, WEIGHTS):
        _warn_no_checksum(path)
    return loaded


def _load_checked_savedmodel(path: Path) -> keras.Model:
    """:func:`load_savedmodel` after checking the graph's fingerprint; damage raises ``ModelFileError``."""
    # TensorFlow checks the variables' CRC-32C but not the graph's fingerprint: check it (a hash, ~20 ms).
    savedmodel_fingerprint_checked(path)
    try:
        return load_savedmodel(path)
    except ModelFileError:
        raise
    except Exception as error:  # damaged protobuf or variables
        raise diagnose_load_error(path, SAVEDMODEL, error) from error


_warned_no_checksum = False


def _warn_no_checksum(path: Path) -> None:
    """Say once per session that an HDF5 file cannot show damage: bit rot in it loads without an error."""
    global _warned_no_checksum
    if _warned_no_checksum:
        return
    _warned_no_checksum = True
    level = 1
    frame: FrameType | None = sys._getframe(0)
    while frame is not None and frame.f_code.co_filename == __file__:  # point at the caller's line
        level, frame = level + 1, frame.f_back
    warnings.warn(
        tr(
            f"{os.fspath(path)}: loaded, but HDF5 files (.h5, .weights.h5) keep no checksum, so a changed byte inside "
            "the weights (bit rot on a disk, a bad copy) loads without any error. To notice damage, keep models as "
            ".keras (load_any checks the CRC-32 of every part) or compare the file's SHA-256 with the original's "
            "(hashlib.file_digest). Said once per session.",
            f"{os.fspath(path)}：已加载，但 HDF5 文件（.h5、.weights.h5）不保存校验和，所以权重中某个字节被改变"
            "（磁盘上的位衰减、复制出错）时加载也不会报错。要发现损坏，请把模型保存为 .keras"
            "（load_any 会检查每个部分的 CRC-32），或把文件的 SHA-256 哈希值与原文件的比较"
            "（hashlib.file_digest）。每次会话只提示一次。",
        ),
        NoChecksumWarning,
        stacklevel=level,
    )


def load_model(path: PathLike, **options: Any) -> keras.Model:
    """Like ``keras.models.load_model`` (whole ``.keras``/``.h5`` models only), with :class:`ModelFileError`."""
    return load_any(path, allow_inference_only=False, **options)


# --------------------------------------------------------------------------------------------
# Every format side by side
# --------------------------------------------------------------------------------------------


def _fresh_copy(model: keras.Model) -> keras.Model:
    """Same architecture and compile settings, new weights: what 'the model's code' gives you."""
    fresh = keras.models.clone_model(model)
    compile_config = model.get_compile_config() if model.compiled else None
    if compile_config:
        fresh.compile_from_config(compile_config)
    return fresh


def _training_status(original: keras.Model, reloaded: keras.Model, x: np.ndarray, y: np.ndarray) -> str:
    """Try one training step on the reloaded model and say whether (and how) training continues."""
    optimizer = getattr(reloaded, "optimizer", None)
    if not getattr(reloaded, "compiled", False) or optimizer is None:
        return tr("no: inference only", "不能：仅用于推理")
    original_steps = int(original.optimizer.iterations) if original.optimizer is not None else 0
    kept = original_steps > 0 and int(optimizer.iterations) == original_steps
    try:
        reloaded.train_on_batch(x, y)
    except Exception:
        return tr(
            "no: fit fails (reload with compile=False, then compile)",
            "不能：fit 失败（用 compile=False 重新加载，再编译）",
        )
    if kept:
        return tr("yes, optimizer state kept", "能，优化器状态保留")
    return tr("yes, but the optimizer restarts", "能，但优化器从头开始")


def save_all(
    model: keras.Model,
    folder: PathLike,
    x_test: np.ndarray,
    y_test: np.ndarray,
    rebuild: Callable[[], keras.Model] | None = None,
    batch_size: int = 256,
    load_repeats: int = 3,
) -> Table:
    """Save ``model`` in every format under ``folder``, reload each, and measure them side by side.

    Per format: size on disk, save and load seconds, the largest absolute difference between
    the reloaded model's predictions on ``x_test`` and the original's, test accuracy after
    reloading, whether training can continue (one real training step is attempted), whether
    the model's code is needed, and what the format is for. ``rebuild`` returns a fresh model
    of the same architecture for the weights-only formats (default: ``keras.models.clone_model``
    compiled like ``model``). Load time is the fastest of ``load_repeats`` loads, so a busy
    machine disturbs it less.

    Args:
        model: The trained, compiled model to save.
        folder: Where the files go (made if missing; files of an earlier call are overwritten).
        x_test: Test images the original and every reloaded model predict; the first 32 also
            make the one training step.
        y_test: Their labels (0-9).
        rebuild: Returns a fresh model of the same architecture (see above); None: the default.
        batch_size: Images per batch of every ``predict``.
        load_repeats: How many times each file is loaded (at least once); the fastest counts.

    Returns:
        A :class:`~course_utils.tables.Table`, one row per format, with the columns above.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rebuild = rebuild or (lambda: _fresh_copy(model))
    reference = model.predict(x_test, batch_size=batch_size, verbose=0)
    labels = np.asarray(y_test).ravel()
    global _warned_no_checksum
    warned_before = _warned_no_checksum
    _warned_no_checksum = True  # files this function has just written need no bit-rot warning
    try:
        rows = _save_and_reload_every_format(model, folder, x_test, y_test, reference, rebuild, batch_size,
                                             load_repeats)
    finally:
        _warned_no_checksum = warned_before
    return Table(rows, formats={"size (kB)": ",.1f", "save (s)": ".2f", "load (s)": ".2f", "max |Δ|": ".1e",
                                "accuracy": ".4f"},
                 title=tr(f"One model, five formats ({len(labels):,} test digits)",
                          f"一个模型，五种格式（{len(labels):,} 个测试数字）"))


def _save_and_reload_every_format(model: keras.Model, folder: Path, x_test: np.ndarray, y_test: np.ndarray,
                                  reference: np.ndarray, rebuild: Callable[[], keras.Model], batch_size: int,
                                  load_repeats: int) -> list[dict[str, Any]]:
    labels = np.asarray(y_test).ravel()
    rows = []
    for key, fmt in FORMATS.items():
        path = folder / FILE_NAMES[key]
        start = time.perf_counter()
        save_format(model, path, key)
        save_seconds = time.perf_counter() - start
        load_seconds = float("inf")
        for _ in range(max(1, load_repeats)):
            target = rebuild() if key in (WEIGHTS, CHECKPOINT) else None
            start = time.perf_counter()
            reloaded = load_any(path, model=target)
            load_seconds = min(load_seconds, time.perf_counter() - start)
        predictions = reloaded.predict(x_test, batch_size=batch_size, verbose=0)
        rows.append({
            "format": fmt.label,
            "file": path.name,
            "size (kB)": folder_size(path) / 1000,
            "save (s)": save_seconds,
            "load (s)": load_seconds,
            "max |Δ|": float(np.max(np.abs(predictions - reference))),
            "accuracy": accuracy(labels, predictions),
            "continue training": _training_status(model, reloaded, x_test[:32], y_test[:32]),
            "needs model code": fmt.needs_code,
            "use for": fmt.use_for,
        })
    return rows


def plot_comparison(table: Table) -> Figure:
    """Bar charts of size on disk and load time per format, from :func:`save_all`'s table."""
    import matplotlib.pyplot as plt

    from course_utils import plots

    plots.use_cjk_font()  # after the usual font: Chinese labels get their characters, English ones look as before
    fig, (size_ax, load_ax) = plt.subplots(1, 2, figsize=(11, 3.2))
    names = table.column("format")
    positions = np.arange(len(names))
    size_ax.barh(positions, table.column("size (kB)"), color="tab:blue")
    load_ax.barh(positions, table.column("load (s)"), color="tab:orange")
    labels = (tr("size on disk (kB)", "磁盘上的大小（kB）"), tr("load time (s)", "加载时间（秒）"))
    for ax, label in zip((size_ax, load_ax), labels, strict=True):
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        ax.set_xlabel(label)
    load_ax.set_yticklabels([])
    fig.tight_layout()
    return fig


