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

:func:`load_any` reloads all of them; :func:`describe` tells what a file is without loading
weights; :func:`save_all` saves one model in every format and measures them side by side.
Anything wrong with a file raises :class:`ModelFileError`, whose message names the path, what
is wrong and how to fix it, instead of Keras' "File not found" for a file that exists, or a
traceback from ``h5py`` or ``zipfile``.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from course_utils.ensembles import accuracy
from course_utils.export import folder_size
from course_utils.tables import Table

PathLike = str | os.PathLike[str]

ZIP_MAGIC = b"PK\x03\x04"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
#: Where each format puts the model in a folder written by :func:`save_every_format`.
FILE_NAMES = {
    "keras": "model.keras",
    "h5": "model.h5",
    "savedmodel": "model_savedmodel",
    "weights": "model.weights.h5",
    "checkpoint": "model_checkpoint",
}


@dataclass(frozen=True)
class Format:
    """What a student needs to know about one format: name, whether the model's code is needed, its use."""

    key: str
    label: str
    needs_code: str
    use_for: str


FORMATS: dict[str, Format] = {
    "keras": Format("keras", ".keras", "no (only for custom layers)",
                    "sharing and resuming: the default Keras 3 format"),
    "h5": Format("h5", "legacy .h5", "no (only for custom layers)",
                 "old tools and tutorials that expect HDF5"),
    "savedmodel": Format("savedmodel", "SavedModel (export)", "no, not even Keras",
                         "serving: TF Serving, TFLite converter, other languages"),
    "weights": Format("weights", ".weights.h5", "yes: build the model first",
                      "moving weights into a model you build in code"),
    "checkpoint": Format("checkpoint", "tf.train.Checkpoint", "yes: build the model first",
                         "resuming long runs, low-level TensorFlow code"),
}


class ModelFileError(ValueError):
    """A model file or folder cannot be loaded; the message says which, what is wrong, and the fix."""

    def __init__(self, path: PathLike, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{os.fspath(path)}: {problem}\nFix: {fix}")


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
    config = getattr(model, "_compile_config", None)
    if config is None or getattr(model, "optimizer", None) is None or "optimizer" in config.config:
        return False
    config.config["optimizer"] = model.optimizer
    return True


def save_format(model: keras.Model, path: PathLike, key: str) -> Path:
    """Save ``model`` at ``path`` in one format: a key of :data:`FORMATS` (``"keras"``, ``"h5"``, ...)."""
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path)  # export and checkpoints add to an existing folder; start clean
    if key == "keras":
        model.save(path)
    elif key == "h5":
        model.save(path)
        repair_compile_config(model)
    elif key == "savedmodel":
        model.export(path, verbose=False)
    elif key == "weights":
        model.save_weights(path)
    elif key == "checkpoint":
        save_checkpoint(model, path)
    else:
        raise ValueError(f"unknown format {key!r}; choose one of {sorted(FORMATS)}")
    return path


def save_every_format(model: keras.Model, folder: PathLike) -> dict[str, Path]:
    """Save ``model`` in all five formats under ``folder`` (names in :data:`FILE_NAMES`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {key: save_format(model, folder / FILE_NAMES[key], key) for key in FORMATS}


# --------------------------------------------------------------------------------------------
# Recognising a file
# --------------------------------------------------------------------------------------------

_ACCEPTED = (
    "a .keras file, a legacy .h5 file, a SavedModel folder (model.export), a .weights.h5 file or "
    "a tf.train.Checkpoint folder"
)


def _first_bytes(path: Path, count: int = 64) -> bytes:
    with path.open("rb") as handle:
        return handle.read(count)


def _looks_like_text(head: bytes) -> str | None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return " ".join(text.split())[:40]
    return None


def _unknown_content(path: Path, head: bytes, expected: str) -> ModelFileError:
    text = _looks_like_text(head)
    if text is not None:
        what = f"it holds text, not a model (it starts with {text!r}), e.g. a web page saved instead of the file"
    else:
        what = f"its first bytes ({head[:8].hex(' ')}) are not those of {expected}"
    return ModelFileError(
        path, f"this is not a Keras model file: {what}.",
        "download or copy the real file again, or save the model again with model.save('model.keras').",
    )


def _checkpoint_prefix(path: Path) -> str | None:
    """The prefix of a TensorFlow checkpoint at ``path`` (a folder, a prefix, or its ``.index`` file)."""
    if path.is_dir():
        latest = tf.train.latest_checkpoint(os.fspath(path))
        if latest:
            return latest
        indexes = sorted(path.glob("*.index"))
        return os.fspath(indexes[-1].with_suffix("")) if indexes else None
    if path.name.endswith(".index") and path.is_file():
        return os.fspath(path.with_suffix(""))
    if Path(os.fspath(path) + ".index").is_file():
        return os.fspath(path)
    return None


def _identify_h5(path: Path) -> str:
    """``"h5"`` (a whole model) or ``"weights"`` for a readable HDF5 file; errors otherwise."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            has_config = "model_config" in handle.attrs
            has_weights = "layers" in handle or "layer_names" in handle.attrs or "model_weights" in handle
    except OSError as error:
        reason = "it ends early (truncated)" if "truncated" in str(error) else f"h5py cannot read it ({error})"
        raise ModelFileError(
            path, f"this HDF5 file is damaged: {reason}, e.g. an interrupted save, copy or download.",
            "save the model again, or copy or download the file again and compare its size with the original.",
        ) from None
    if has_config:
        return "h5"
    if has_weights:
        return "weights"
    raise ModelFileError(path, "this HDF5 file holds neither a Keras model nor Keras weights.",
                         "check that this is the file you meant (h5py.File(path).keys() lists what is inside).")


def _identify_zip(path: Path) -> None:
    """Raise unless ``path`` is a complete ``.keras`` zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            damaged = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ModelFileError(
            path, "this .keras file (a zip archive) is incomplete: its end is missing (truncated), e.g. an "
            "interrupted save, copy or download.",
            "save the model again, or copy or download the file again and compare its size with the original.",
        ) from None
    if damaged is not None:
        raise ModelFileError(path, f"this .keras file is damaged: {damaged} inside it fails its checksum.",
                             "save the model again, or copy or download the file again.")
    if "config.json" not in names:
        shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
        raise ModelFileError(path, f"this zip archive is not a Keras model: it has no config.json (it holds {shown}).",
                             "pass the .keras file written by model.save('model.keras').")


def _missing(path: Path) -> ModelFileError:
    if path.suffix == ".ckpt":
        return ModelFileError(
            path, "'.ckpt' files were written by Keras 2's save_weights('model.ckpt'); Keras 3 never writes them "
            "and this one does not exist.",
            "save weights with model.save_weights('model.weights.h5'), a whole model with model.save('model.keras'), "
            "or a TensorFlow checkpoint with tf.train.Checkpoint(model=model).save(prefix) and load its folder.",
        )
    hint = ""
    if path.parent.is_dir():
        close = difflib.get_close_matches(path.name, sorted(p.name for p in path.parent.iterdir()), n=3, cutoff=0.6)
        if close:
            hint = " Did you mean " + " or ".join(repr(name) for name in close) + "?"
    return ModelFileError(path, "there is no such file or folder." + hint,
                          "check the name and the folder; a relative path starts from the notebook's folder "
                          "(os.getcwd()).")


def _identify_folder(path: Path) -> str:
    if (path / "saved_model.pb").is_file():
        return "savedmodel"
    if _checkpoint_prefix(path) is not None:
        return "checkpoint"
    contents = sorted(p.name for p in path.iterdir())
    holds = "is empty" if not contents else "holds " + ", ".join(contents[:4]) + (" ..." if len(contents) > 4 else "")
    raise ModelFileError(
        path, f"this folder is neither a SavedModel (no saved_model.pb) nor a TensorFlow checkpoint; it {holds}. "
        "Keras 2's model.save('folder') wrote a SavedModel folder; Keras 3 refuses a name without extension.",
        "pass the model file itself: a .keras or .h5 file, or a folder written by model.export(). To save, use "
        f"model.save('{path.name}.keras') or model.export('{path.name}').",
    )


def identify(path: PathLike) -> str:
    """The format key of a model file or folder (see :data:`FORMATS`), or a :class:`ModelFileError`.

    Looks at the name, the first bytes and the container, never at the weights: a complete zip
    with ``config.json`` is a ``.keras`` file, HDF5 with a model config is ``.h5`` (without one,
    weights), a folder with ``saved_model.pb`` is a SavedModel, ``*.index`` files are a checkpoint.
    """
    path = Path(path)
    if not path.exists():
        if _checkpoint_prefix(path) is not None:
            return "checkpoint"
        raise _missing(path)
    if path.is_dir():
        return _identify_folder(path)
    if path.name.endswith(".index") and _checkpoint_prefix(path) is not None:
        return "checkpoint"
    if path.stat().st_size == 0:
        raise ModelFileError(path, "this file is empty (0 bytes): saving was interrupted or the disk was full.",
                             "save the model again and check that the file is not 0 bytes.")
    head = _first_bytes(path)
    name = path.name.lower()
    if name.endswith(".keras"):
        if head.startswith(HDF5_MAGIC):
            kind = _identify_h5(path)
            new_name = path.with_suffix(".weights.h5" if kind == "weights" else ".h5").name
            raise ModelFileError(
                path, f"this is an HDF5 file ({'weights only' if kind == 'weights' else 'a legacy .h5 model'}) "
                "under a .keras name; a .keras file is a zip archive, so Keras reports 'File not found'.",
                f"rename it to {new_name!r} and load that.",
            )
        if not head.startswith(ZIP_MAGIC):
            raise _unknown_content(path, head, "a .keras zip archive (PK)")
        _identify_zip(path)
        return "keras"
    if name.endswith((".h5", ".hdf5")):
        if head.startswith(ZIP_MAGIC):
            raise ModelFileError(
                path, "this is a .keras file (a zip archive) under an .h5 name; h5py reports 'file signature not "
                "found'.", f"rename it to {path.with_suffix('.keras').name!r} and load that.",
            )
        if not head.startswith(HDF5_MAGIC):
            raise _unknown_content(path, head, "an HDF5 file")
        return _identify_h5(path)
    if name.endswith(".ckpt"):
        raise ModelFileError(path, "'.ckpt' is a TensorFlow 1 / Keras 2 checkpoint name, and this file is not a "
                             "checkpoint (a checkpoint is a .index file plus .data files).",
                             "save weights with model.save_weights('model.weights.h5') or a whole model with "
                             "model.save('model.keras').")
    if name == "saved_model.pb":
        raise ModelFileError(path, "this is one file of a SavedModel.", f"pass its folder: {os.fspath(path.parent)!r}.")
    other = {".tflite": "a LiteRT (TFLite) model: run it with ai_edge_litert's Interpreter (notebook 12)",
             ".onnx": "an ONNX model: run it with onnxruntime.InferenceSession (notebook 12)",
             ".txt": "text: weights exported by export_weights_text are read with read_weights_text"}
    if path.suffix.lower() in other:
        raise ModelFileError(path, f"this is {other[path.suffix.lower()]}, not a Keras model.",
                             "use the tool named above, or pass a .keras/.h5 file or SavedModel folder.")
    what = "a zip archive" if head.startswith(ZIP_MAGIC) else "an HDF5 file" if head.startswith(HDF5_MAGIC) else None
    fix = "rename it to end in '.keras'." if what == "a zip archive" else "rename it to end in '.h5'." if what else (
        f"pass {_ACCEPTED}.")
    raise ModelFileError(path, f"'{path.suffix or path.name}' is not a name Keras loads" + (
        f" (the file is {what})." if what else "."), fix)


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _explain_load_error(path: Path, error: Exception) -> ModelFileError:
    """Turn Keras' message into one that says why and what to do."""
    text = str(error)
    if "Lambda" in text and "safe_mode" in text:
        return ModelFileError(
            path, "the model contains a Lambda layer, i.e. Python code stored in the file. Loading it runs that code, "
            "and a file from someone else could run anything on your computer, so safe mode refuses it.",
            "load it only if you trust where the file comes from: load_any(path, safe_mode=False) or "
            "keras.models.load_model(path, safe_mode=False). Better: replace the Lambda with a named custom layer.",
        )
    if "Could not locate" in text or "Unknown layer" in text or "custom_objects" in text:
        return ModelFileError(path, f"the model uses a class Keras does not know ({text.splitlines()[0]}).",
                              "import the Python code that defines it (decorated with "
                              "@keras.saving.register_keras_serializable()) or pass custom_objects={...}.")
    if "shape" in text or "could not be loaded" in text or "mismatch" in text.lower():
        layer = re.search(r"object <\w+ name=(\w+)", text)
        shapes = re.search(r"variable\.shape=(\([^)]*\)), Received: value\.shape=(\([^)]*\))", text)
        detail = (f"layer {layer.group(1) if layer else '?'} has a variable of shape {shapes.group(1)} but the file "
                  f"holds {shapes.group(2)}" if shapes else text.splitlines()[0].rstrip("."))
        return ModelFileError(path, f"the saved weights do not fit this model: {detail}.",
                              "build the model with exactly the code and options that saved the weights.")
    return ModelFileError(path, f"Keras could not load it: {text.splitlines()[0] if text else type(error).__name__}",
                          "save the model again with model.save('model.keras'), or see the error above.")


def _savedmodel_signature(folder: Path) -> tuple[list[str], dict[str, Any]]:
    """Names of the SavedModel's endpoints and the input spec of ``serving_default``."""
    from tensorflow.core.protobuf import saved_model_pb2

    proto = saved_model_pb2.SavedModel()
    proto.ParseFromString((folder / "saved_model.pb").read_bytes())
    graph = proto.meta_graphs[0]
    signatures = sorted(name for name in graph.signature_def if not name.startswith("__"))
    spec: dict[str, Any] = {"tensorflow_version": graph.meta_info_def.tensorflow_version}
    if "serving_default" in graph.signature_def:
        (name, tensor), *_ = graph.signature_def["serving_default"].inputs.items()
        spec.update(name=name, shape=tuple(d.size if d.size >= 0 else None for d in tensor.tensor_shape.dim),
                    dtype=tf.dtypes.as_dtype(tensor.dtype).name)
    return signatures, spec


def load_savedmodel(folder: PathLike) -> keras.Model:
    """A SavedModel folder as a Keras model for inference (``predict``), through ``keras.layers.TFSMLayer``."""
    folder = Path(folder)
    signatures, spec = _savedmodel_signature(folder)
    if "shape" not in spec:
        raise ModelFileError(folder, f"this SavedModel has no serving_default signature (it has {signatures}).",
                             "load it with tf.saved_model.load(folder) and call one of its functions.")
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


def restore_checkpoint(model: keras.Model, path: PathLike) -> keras.Model:
    """Restore a ``tf.train.Checkpoint`` (folder or prefix) into ``model``: weights, and optimizer state if compiled."""
    path = Path(path)
    prefix = _checkpoint_prefix(path)
    if prefix is None:
        raise _missing(path)
    _build_optimizer(model)
    fix = "build (and compile) the model with the same code that saved the checkpoint."
    try:
        status = tf.train.Checkpoint(model=model).restore(prefix)
    except ValueError as error:  # a variable of another shape
        problem = f"the checkpoint does not fit this model: {str(error).splitlines()[0]}"
        raise ModelFileError(path, problem, fix) from None
    try:
        status.assert_existing_objects_matched()
    except AssertionError as error:
        status.expect_partial()
        problem = f"the checkpoint does not fit this model: {str(error).splitlines()[0]}"
        raise ModelFileError(path, problem, fix) from None
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

    * ``.keras`` and legacy ``.h5``: ``keras.models.load_model`` (``compile``, ``safe_mode`` and
      ``custom_objects`` are passed on); with ``model``, only the weights go into that model.
    * SavedModel folder: an inference-only model (``predict`` works, ``fit`` does not).
      ``allow_inference_only=False`` refuses it, as ``keras.models.load_model`` does.
    * ``.weights.h5`` and checkpoints hold no architecture: pass ``model``, built (and
      compiled, to restore a checkpoint's optimizer state) by the code that saved them.

    Every problem raises :class:`ModelFileError` naming the path, the problem and the fix.
    """
    path = Path(path)
    key = identify(path)
    if key == "savedmodel":
        if not allow_inference_only or model is not None:
            raise ModelFileError(
                path, "this is a SavedModel folder (written by model.export or Keras 2's model.save): it holds a "
                "TensorFlow graph for serving, not a Keras model, so keras.models.load_model cannot read it.",
                "for predictions use keras.layers.TFSMLayer(folder, call_endpoint='serve') or load_any(folder); "
                "to train again, load the .keras file saved next to it.",
            )
        try:
            return load_savedmodel(path)
        except ModelFileError:
            raise
        except Exception as error:  # damaged protobuf or variables
            raise _explain_load_error(path, error) from error
    if key in ("weights", "checkpoint") and model is None:
        what = "weights" if key == "weights" else "variables (weights and optimizer state)"
        raise ModelFileError(
            path, f"this file holds only {what}, not the model's architecture, so there is nothing to build them into.",
            "build the same model in code first, e.g. model = models.build_cnn_3x3(), then "
            "load_any(path, model=model)" + (" or model.load_weights(path)." if key == "weights" else "."),
        )
    try:
        if model is not None and key == "checkpoint":
            return restore_checkpoint(model, path)
        if model is not None:
            _build_optimizer(model)
            model.load_weights(path)
            return model
        return keras.models.load_model(path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    except ModelFileError:
        raise
    except Exception as error:  # Keras, h5py and zipfile errors all become one clear error
        raise _explain_load_error(path, error) from error


def load_model(path: PathLike, **options: Any) -> keras.Model:
    """Like ``keras.models.load_model`` (whole ``.keras``/``.h5`` models only), with :class:`ModelFileError`."""
    return load_any(path, allow_inference_only=False, **options)


# --------------------------------------------------------------------------------------------
# Describing a file without loading it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileDescription:
    """What :func:`describe` found: format, who wrote it, layers, optimizer state, size."""

    path: Path
    format: str
    written_by: str | None
    layers: int | None
    has_optimizer_state: bool | None
    size_bytes: int
    details: str = ""

    def as_row(self) -> dict[str, Any]:
        """The description as a row for a :class:`~course_utils.tables.Table`."""
        return {"file": self.path.name, "format": FORMATS[self.format].label, "written by": self.written_by,
                "layers": self.layers, "optimizer state": self.has_optimizer_state,
                "size (kB)": self.size_bytes / 1000, "details": self.details}

    def __str__(self) -> str:
        layers = "unknown" if self.layers is None else str(self.layers)
        optimizer = {True: "yes", False: "no", None: "unknown"}[self.has_optimizer_state]
        return (f"{self.path.name}: {FORMATS[self.format].label}, written by {self.written_by or 'unknown'}, "
                f"{layers} layers, optimizer state: {optimizer}, {self.size_bytes / 1000:,.1f} kB"
                + (f" ({self.details})" if self.details else ""))


def _layer_classes(config: dict[str, Any]) -> list[str]:
    layers = config.get("config", {}).get("layers", [])
    return [layer.get("class_name", "?") for layer in layers if layer.get("class_name") != "InputLayer"]


def _h5_optimizer_variables(group: Any) -> int:
    """How many optimizer arrays an HDF5 file (or group) holds (Keras 3 and legacy layouts)."""
    found: list[str] = []

    def collect(name: str, item: Any) -> None:
        if hasattr(item, "shape"):
            found.append(name)

    for name in ("optimizer/vars", "optimizer_weights"):
        if name in group:
            group[name].visititems(collect)
    return len(found)


def _describe_keras(path: Path) -> tuple[str | None, int | None, bool | None, str]:
    import h5py

    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read("metadata.json")) if "metadata.json" in archive.namelist() else {}
        config = json.loads(archive.read("config.json"))
        optimizer_vars = None
        if "model.weights.h5" in archive.namelist():
            with archive.open("model.weights.h5") as inner, h5py.File(inner, "r") as handle:
                optimizer_vars = _h5_optimizer_variables(handle)
    classes = _layer_classes(config)
    details = f"{config.get('class_name')} '{config.get('config', {}).get('name')}'"
    if "Lambda" in classes:
        details += "; has a Lambda layer (needs safe_mode=False)"
    version = metadata.get("keras_version")
    return (f"Keras {version}" if version else None), (len(classes) or None), (
        None if optimizer_vars is None else optimizer_vars > 0), details


def _describe_h5(path: Path, key: str) -> tuple[str | None, int | None, bool | None, str]:
    import h5py

    with h5py.File(path, "r") as handle:
        version = handle.attrs.get("keras_version")
        version = version.decode() if isinstance(version, bytes) else version
        optimizer = _h5_optimizer_variables(handle) > 0
        if key == "h5":
            config = json.loads(handle.attrs["model_config"])
            classes = _layer_classes(config)
            return f"Keras {version}" if version else None, len(classes) or None, optimizer, (
                f"{config.get('class_name')} '{config.get('config', {}).get('name')}'"
                + ("; has a Lambda layer (needs safe_mode=False)" if "Lambda" in classes else ""))
        layers = len(handle["layers"]) if "layers" in handle else len(handle.attrs.get("layer_names", [])) or None
        return (f"Keras {version}" if version else None), layers, optimizer, "weights only, no architecture"


def describe(path: PathLike) -> FileDescription:
    """Say what a model file or folder is, without loading its weights into a model.

    Reads names and headers: the ``.keras`` zip's ``metadata.json`` and ``config.json`` (after
    checking the zip's checksums), the ``.h5`` attributes, the SavedModel's ``saved_model.pb``,
    the checkpoint's variable list; no model is built and no weights are loaded into one.
    Raises :class:`ModelFileError` for anything that is not one of the five formats.
    """
    path = Path(path)
    key = identify(path)
    written_by: str | None
    if key == "keras":
        written_by, layers, optimizer, details = _describe_keras(path)
    elif key in ("h5", "weights"):
        written_by, layers, optimizer, details = _describe_h5(path, key)
    elif key == "savedmodel":
        signatures, spec = _savedmodel_signature(path)
        keras2 = (path / "keras_metadata.pb").is_file()
        written_by = f"TensorFlow {spec['tensorflow_version']}" + (" (Keras 2)" if keras2 else "")
        layers, optimizer = None, False
        details = f"signatures {', '.join(signatures)}; input {spec.get('shape')} {spec.get('dtype')}"
    else:
        prefix = _checkpoint_prefix(path)
        names = [name for name, _ in tf.train.list_variables(prefix)]
        values = [name for name in names if name.endswith("VARIABLE_VALUE")]
        written_by, layers = None, None
        optimizer = any("optimizer/" in name for name in values)
        details = f"{len(values)} variables in {Path(prefix).name}"
    return FileDescription(path, key, written_by, layers, optimizer, folder_size(path), details)


def describe_many(paths: Iterable[PathLike]) -> Table:
    """:func:`describe` several files as one table."""
    return Table([describe(path).as_row() for path in paths], formats={"size (kB)": ",.1f"})


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
        return "no: inference only"
    original_steps = int(original.optimizer.iterations) if original.optimizer is not None else 0
    kept = original_steps > 0 and int(optimizer.iterations) == original_steps
    try:
        reloaded.train_on_batch(x, y)
    except Exception:
        return "no: fit fails (reload with compile=False, then compile)"
    return "yes, optimizer state kept" if kept else "yes, but the optimizer restarts"


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
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rebuild = rebuild or (lambda: _fresh_copy(model))
    reference = model.predict(x_test, batch_size=batch_size, verbose=0)
    labels = np.asarray(y_test).ravel()
    rows = []
    for key, fmt in FORMATS.items():
        path = folder / FILE_NAMES[key]
        start = time.perf_counter()
        save_format(model, path, key)
        save_seconds = time.perf_counter() - start
        load_seconds = float("inf")
        for _ in range(max(1, load_repeats)):
            target = rebuild() if key in ("weights", "checkpoint") else None
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
    return Table(rows, formats={"size (kB)": ",.1f", "save (s)": ".2f", "load (s)": ".2f", "max |Δ|": ".1e",
                                "accuracy": ".4f"},
                 title=f"One model, five formats ({len(labels):,} test digits)")


def plot_comparison(table: Table) -> Figure:
    """Bar charts of size on disk and load time per format, from :func:`save_all`'s table."""
    import matplotlib.pyplot as plt

    fig, (size_ax, load_ax) = plt.subplots(1, 2, figsize=(11, 3.2))
    names = table.column("format")
    positions = np.arange(len(names))
    size_ax.barh(positions, table.column("size (kB)"), color="tab:blue")
    load_ax.barh(positions, table.column("load (s)"), color="tab:orange")
    for ax, label in ((size_ax, "size on disk (kB)"), (load_ax, "load time (s)")):
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
        ax.set_xlabel(label)
    load_ax.set_yticklabels([])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------
# Weights as text
# --------------------------------------------------------------------------------------------

_TEXT_HEADER = "# Keras trainable weights as text (course_utils.saving.export_weights_text)."


def export_weights_text(model: keras.Model, path: PathLike, precision: int = 9) -> Path:
    """Write every trainable variable's stable name (``variable.path``), shape and values to a text file.

    Each variable is a line ``variable <path> shape <d1>x<d2>...`` followed by its values, one
    line per row of the last axis, with ``precision`` significant digits (9 digits read back
    to exactly the same float32 numbers). :func:`read_weights_text` reads it back.
    """
    path = Path(path)
    variables = model.trainable_variables
    total = sum(int(np.prod(v.shape)) for v in variables)
    lines = [_TEXT_HEADER,
             f"# model {model.name!r}, {len(variables)} variables, {total:,} values, {precision} significant digits.",
             "# Each block: 'variable <name> shape <d1>x<d2>...', then one line per row of the last axis."]
    for variable in variables:
        values = np.asarray(variable.numpy())
        shape = "x".join(str(d) for d in values.shape) or "()"
        lines.append(f"variable {variable.path} shape {shape}")
        rows = values.reshape(-1, values.shape[-1]) if values.ndim else values.reshape(1, 1)
        lines.extend(" ".join(f"{value:.{precision}g}" for value in row) for row in rows.tolist())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_weights_text(path: PathLike) -> dict[str, np.ndarray]:
    """Read a file written by :func:`export_weights_text`: ``{variable path: float32 array}``."""
    path = Path(path)
    if not path.is_file():
        raise _missing(path)
    result: dict[str, np.ndarray] = {}
    name, shape, values = None, (), []  # type: ignore[var-annotated]

    def finish() -> None:
        if name is None:
            return
        array = np.array(values, dtype=np.float32)
        if array.size != int(np.prod(shape)):
            raise ModelFileError(path, f"variable {name} has {array.size} values, its shape {shape} needs "
                                 f"{int(np.prod(shape))}: the file is cut short or edited.",
                                 "export the weights again with export_weights_text(model, path).")
        result[name] = array.reshape(shape)

    for number, line in enumerate(io.StringIO(path.read_text(encoding="utf-8")), start=1):
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("variable "):
            finish()
            parts = line.split()
            if len(parts) != 4 or parts[2] != "shape":
                raise ModelFileError(path, f"line {number} is not 'variable <name> shape <dims>'.",
                                     "export the weights again with export_weights_text(model, path).")
            name = parts[1]
            shape = () if parts[3] == "()" else tuple(int(d) for d in parts[3].split("x"))
            values = []
            continue
        if name is None:
            raise ModelFileError(path, f"line {number} has values before any 'variable' line.",
                                 "pass a file written by export_weights_text(model, path).")
        try:
            values.extend(float(token) for token in line.split())
        except ValueError:
            raise ModelFileError(path, f"line {number} holds something that is not a number.",
                                 "export the weights again with export_weights_text(model, path).") from None
    finish()
    return result


def load_weights_text(model: keras.Model, path: PathLike) -> keras.Model:
    """Assign the values of a weights text file to ``model``'s trainable variables, matched by name."""
    weights = read_weights_text(path)
    names = {variable.path for variable in model.trainable_variables}
    if names != set(weights):
        missing, extra = sorted(names - set(weights)), sorted(set(weights) - names)
        raise ModelFileError(path, f"the names do not match this model (missing {missing[:3]}, unexpected "
                             f"{extra[:3]}).", "build the model with the same code (and name) that exported it.")
    for variable in model.trainable_variables:
        if tuple(variable.shape) != weights[variable.path].shape:
            raise ModelFileError(path, f"{variable.path} has shape {weights[variable.path].shape} in the file but "
                                 f"{tuple(variable.shape)} in the model.", "build the model with the same options.")
        variable.assign(weights[variable.path])
    return model
