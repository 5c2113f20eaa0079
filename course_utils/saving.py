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
traceback from ``h5py``, ``zipfile``, ``json`` or TensorFlow.

Damage the formats can and cannot notice: a ``.keras`` zip stores a CRC-32 of every part, a
checkpoint and a SavedModel's variables a CRC-32C of every variable (and a SavedModel a
fingerprint of its graph), and these helpers check them. HDF5 (``.h5``, ``.weights.h5``) stores
no checksum of the data: a changed byte inside the weights loads without an error.
:func:`describe` says which (``FileDescription.checksums``) and :func:`load_any` warns once per
session (:class:`NoChecksumWarning`) after loading an HDF5 file.
"""

from __future__ import annotations

import difflib
import errno
import io
import json
import os
import re
import shutil
import stat
import sys
import time
import warnings
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
#: The largest ``config.json`` or ``metadata.json`` accepted inside a ``.keras`` file (32 MiB).
#: The config of a big model is under 1 MB (EfficientNetB7, 816 layers: 0.76 MB), so this leaves
#: forty times that, and refuses a "zip bomb" before it is inflated into memory.
MAX_JSON_BYTES = 32 * 2**20
#: Keras stores the parts of a ``.keras`` file uncompressed, so weights are as big inside as on
#: disk (gigabytes are legitimate). A part above ZIP_BOMB_FLOOR_BYTES (64 MiB) that inflates to
#: more than ZIP_MAX_EXPANSION times its stored size is refused: even a file recompressed by hand
#: shrinks float weights by a few percent, while a zip bomb inflates a thousandfold.
ZIP_BOMB_FLOOR_BYTES = 64 * 2**20
ZIP_MAX_EXPANSION = 100
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
    """A model file or folder cannot be loaded; the message says which, what is wrong, and the fix.

    ``path`` is the :class:`~pathlib.Path` concerned, or ``None`` when the value passed was no
    path at all (``None``, a number, an empty string); the message then starts with its ``repr``.
    """

    def __init__(self, path: object, problem: str, fix: str) -> None:
        usable = isinstance(path, str | os.PathLike) and os.fspath(path) not in ("", b"") and "\0" not in str(path)
        self.path: Path | None = Path(path) if usable else None  # type: ignore[arg-type]
        self.problem = problem
        self.fix = fix
        shown = os.fspath(path) if usable else repr(path)  # type: ignore[arg-type]
        super().__init__(f"{shown}: {problem}\nFix: {fix}")


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
_SAVE_AGAIN = "save the model again, or copy or download the file again and compare its size with the original."
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _as_path(value: object) -> Path:
    """``value`` as a :class:`Path`, or a :class:`ModelFileError` for what cannot name a local model.

    ``Path()`` would turn ``""`` into the current folder, ``"https://host/m.keras"`` into the
    path ``https:/host/m.keras`` and ``None`` into a TypeError; each gets its own message here.
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    if not isinstance(value, str):
        kind = type(value).__name__
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        hint = (" A None often comes from a variable that was never set or a function that returns nothing "
                "(e.g. the result of print)." if value is None else "")
        raise ModelFileError(value, f"this is {article} {kind}, not a path: a model file or folder is named by a str "
                             "or a pathlib.Path.",
                             "pass the path, e.g. load_any('model.keras') or load_any(Path('outputs') / 'model.keras')."
                             + hint)
    if not value.strip():
        raise ModelFileError(value, "the path is empty; Python would read it as the current folder, which is not a "
                             "model.", "pass the name of the file or folder, e.g. 'model.keras' or 'model_savedmodel'.")
    if "\0" in value:
        raise ModelFileError(value, "the path contains a NUL character (\\x00), which no file name can hold.",
                             "build the path from the real name, e.g. Path('outputs') / 'model.keras'.")
    if _URL.match(value):
        scheme = value.split(":", 1)[0].lower()
        name = value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "model.keras"
        fix = (f"download it first, then pass the local path: path = keras.utils.get_file({name!r}, origin={value!r}); "
               "load_any(path)." if scheme in ("http", "https", "ftp") else
               f"copy it to this computer first, e.g. tf.io.gfile.copy({value!r}, {name!r}), then pass the local path.")
        raise ModelFileError(value, "this is a web address, not a file on this computer; models are loaded from "
                             "local files and folders.", fix)
    return Path(value)


def _first_bytes(path: Path, count: int = 64) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(count)
    except OSError as error:  # e.g. no permission to read it
        raise ModelFileError(path, f"this file cannot be read: {error.strerror or error}.",
                             "check that you may read it (ls -l shows its permissions), or copy it somewhere "
                             "you can.") from None


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


def _cut_in_signature(path: Path, head: bytes) -> ModelFileError | None:
    """A file shorter than its format's signature, whose bytes are the signature's start: cut short."""
    for magic, what in ((HDF5_MAGIC, "an HDF5 file (.h5)"), (ZIP_MAGIC, "a zip archive (.keras)")):
        if len(head) < len(magic) and magic.startswith(head):
            return ModelFileError(
                path, f"this file is only {len(head)} bytes long: it starts like {what} but is cut short (truncated), "
                "e.g. an interrupted save, copy or download.", _SAVE_AGAIN)
    return None


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
            # A legacy model file keeps its weights in model_weights and its architecture in the
            # model_config attribute; without that attribute it is a damaged model file, not weights.
            has_config = "model_config" in handle.attrs or "model_weights" in handle
            has_weights = "layers" in handle or "layer_names" in handle.attrs
    except Exception as error:  # h5py raises OSError, and KeyError or RuntimeError for garbled headers
        size = path.stat().st_size
        reason = ("it ends early (truncated)" if "truncated" in str(error) else
                  f"it is only {size} bytes long, too short for a Keras file: it is cut short (truncated)"
                  if size < 800 else f"h5py cannot read it ({_first_line(error)})")
        raise ModelFileError(path, f"this HDF5 file is damaged: {reason}, e.g. an interrupted save, copy or download.",
                             _SAVE_AGAIN) from None
    if has_config:
        return "h5"
    if has_weights:
        return "weights"
    raise ModelFileError(path, "this HDF5 file holds neither a Keras model nor Keras weights.",
                         "check that this is the file you meant (h5py.File(path).keys() lists what is inside).")


def _json_type(value: object) -> str:
    return {dict: "object", list: "list", str: "string", bool: "true/false", type(None): "null"}.get(
        type(value), "number")


def _layer_list(config: dict[str, Any]) -> Any:
    """The ``layers`` entry of a model config (its ``config`` itself for an old Sequential), or None."""
    inner = config.get("config")
    return inner if isinstance(inner, list) else inner.get("layers") if isinstance(inner, dict) else None


def _config_problem(config: object) -> str | None:
    """What keeps ``config`` from being a Keras model config (``None`` if nothing does).

    A model config is a JSON object with ``class_name`` and ``config``; a Sequential or
    functional model lists its layers in ``config["layers"]``, each with a ``class_name`` (in
    files of Keras 2.2 and older a Sequential's ``config`` is that list itself, which Keras 3
    still loads). A subclassed model may keep its layers in its code, so a missing list is
    accepted for those.
    """
    if not isinstance(config, dict):
        return (f"holds a JSON {_json_type(config)}, not a Keras model config (a JSON object with 'class_name' "
                "and 'config')")
    missing = [key for key in ("class_name", "config") if key not in config]
    if missing:
        keys = ", ".join(repr(key) for key in list(config)[:5]) or "none"
        return (f"is JSON but not a Keras model config: it has no {' and no '.join(repr(key) for key in missing)} "
                f"(its keys: {keys})")
    if not isinstance(config["class_name"], str) or not isinstance(config["config"], dict | list):
        return "is JSON but not a Keras model config: its 'class_name' is not a text or its 'config' not an object"
    layers = _layer_list(config)
    if layers is None:
        if config["class_name"] in ("Sequential", "Functional"):
            return f"describes a {config['class_name']} model without its 'layers' list"
        return None
    if not isinstance(layers, list):
        return f"has a 'layers' entry that is a JSON {_json_type(layers)}, not a list"
    for number, layer in enumerate(layers):
        if not isinstance(layer, dict) or not isinstance(layer.get("class_name"), str):
            return f"is damaged: layer {number} of its 'layers' list has no 'class_name'"
    return None


def _parse_json(path: Path, raw: bytes | str, where: str, fix: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError for bytes that are no UTF-8
        raise ModelFileError(path, f"{where} is not valid JSON ({error}): the file is damaged or was edited by hand.",
                             fix) from None


def _refuse_zip_bomb(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a part whose declared size is absurd, from the zip's directory alone, before inflating anything.

    zipfile never returns more than a part's declared size, so checking the declared sizes bounds
    the memory that reading the parts later (testzip, Keras) can take.
    """
    fix = ("do not use this file: get the model again from a source you trust, or save it again with "
           "model.save('model.keras').")
    for info in infos:
        inflated, stored = info.file_size, max(info.compress_size, 1)
        sizes = f"would inflate to {inflated / 1e6:,.0f} MB from {stored / 1e6:,.1f} MB stored"
        if info.filename in ("config.json", "metadata.json") and inflated > MAX_JSON_BYTES:
            raise ModelFileError(path, f"{info.filename} inside it {sizes}; a Keras config takes at most a few MB "
                                 f"(the limit here is {MAX_JSON_BYTES // 2**20} MiB), so this is a damaged file or a "
                                 "zip bomb made to exhaust memory. Nothing was inflated.", fix)
        if inflated > ZIP_BOMB_FLOOR_BYTES and inflated > ZIP_MAX_EXPANSION * stored:
            raise ModelFileError(path, f"{info.filename} inside it {sizes} ({inflated / stored:,.0f} times); Keras "
                                 "stores the parts of a .keras file uncompressed, so this is a zip bomb made to "
                                 f"exhaust memory or disk (refused above {ZIP_BOMB_FLOOR_BYTES // 2**20} MiB and "
                                 f"{ZIP_MAX_EXPANSION} times). Nothing was inflated.", fix)


def _identify_zip(path: Path) -> None:
    """Raise unless ``path`` is a complete, undamaged ``.keras`` zip whose JSON parts make sense."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ModelFileError(
            path, "this .keras file (a zip archive) is incomplete: its end is missing (truncated), e.g. an "
            "interrupted save, copy or download.", _SAVE_AGAIN,
        ) from None
    with archive:
        _refuse_zip_bomb(path, archive.infolist())
        try:
            damaged = archive.testzip()  # recomputes every part's CRC-32
        except Exception as error:  # unknown compression, "encrypted" flag, zlib errors: a flipped header byte
            raise ModelFileError(path, f"this .keras file is damaged: a header inside it is garbled "
                                 f"({_first_line(error)}).",
                                 "save the model again, or copy or download the file again.") from None
        if damaged is not None:
            raise ModelFileError(path, f"this .keras file is damaged: {damaged} inside it fails its checksum.",
                                 "save the model again, or copy or download the file again.")
        names = archive.namelist()
        if "config.json" not in names:
            shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
            raise ModelFileError(path, f"this zip archive is not a Keras model: it has no config.json (it holds "
                                 f"{shown}).", "pass the .keras file written by model.save('model.keras').")
        again = "save the model again with model.save('model.keras'), or get the original file again."
        config = _parse_json(path, archive.read("config.json"), "config.json inside it", again)
        problem = _config_problem(config)
        if problem is not None:
            raise ModelFileError(path, f"config.json inside it {problem}: the file was edited or not written by "
                                 "model.save.", again)
        if "metadata.json" in names:
            # Keras itself ignores metadata.json, so the model may be intact: say how to keep it.
            keep = ("keras.models.load_model(path) does not read metadata.json: load the model with it and save "
                    "it again with model.save('model.keras').")
            metadata = _parse_json(path, archive.read("metadata.json"), "metadata.json inside it", keep)
            if not isinstance(metadata, dict):
                raise ModelFileError(path, f"metadata.json inside it holds a JSON {_json_type(metadata)}, not the "
                                     "object model.save writes: the file is damaged or was edited by hand.", keep)
        weights = [name for name in ("model.weights.h5", "model.weights.npz") if name in names]
        if not weights:
            raise ModelFileError(
                path, "this .keras file has no weights: model.weights.h5 is missing (it holds "
                f"{', '.join(names[:4])}), e.g. a file edited by hand.",
                "save the model again with model.save('model.keras'). The architecture is still there: "
                "keras.models.model_from_json(zipfile.ZipFile(path).read('config.json').decode()) rebuilds it "
                "with new weights.")
        if weights[0] == "model.weights.h5":
            with archive.open("model.weights.h5") as inner:
                head = inner.read(len(HDF5_MAGIC))
            if head != HDF5_MAGIC:
                raise ModelFileError(path, "model.weights.h5 inside it is not an HDF5 file (its first bytes are "
                                     f"{head.hex(' ') or 'missing'}): the weights are lost.", again)


def _missing(path: Path) -> ModelFileError:
    if path.suffix == ".ckpt":
        return ModelFileError(
            path, "'.ckpt' files were written by Keras 2's save_weights('model.ckpt'); Keras 3 never writes them "
            "and this one does not exist.",
            "save weights with model.save_weights('model.weights.h5'), a whole model with model.save('model.keras'), "
            "or a TensorFlow checkpoint with tf.train.Checkpoint(model=model).save(prefix) and load its folder.",
        )
    hint = ""
    try:
        others = sorted(p.name for p in path.parent.iterdir() if p.name != path.name) if path.parent.is_dir() else []
    except OSError:  # a folder we may not list: no suggestion
        others = []
    close = difflib.get_close_matches(path.name, others, n=3, cutoff=0.6)
    if close:
        hint = " Did you mean " + " or ".join(repr(name) for name in close) + "?"
    return ModelFileError(path, "there is no such file or folder." + hint,
                          "check the name and the folder; a relative path starts from the notebook's folder "
                          "(os.getcwd()).")


def _stat(path: Path) -> os.stat_result | None:
    """``path.stat()`` following links; ``None`` if nothing is there; a clear error for links that lead nowhere."""
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ModelFileError(path, f"this is a symbolic link to {os.readlink(path)!r}, which does not exist.",
                                 "pass the real file's path, or point the link at it (ln -sf REAL LINK).") from None
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ModelFileError(path, "this is a symbolic link that leads back to itself (a loop of links), so no "
                                 "file is behind it.", "pass the real file's path, or replace the link "
                                 "(os.readlink(path) shows where it points).") from None
        if error.errno == errno.ENOTDIR:
            return None  # a part of the path is a file: nothing is there
        raise ModelFileError(path, f"the system cannot look at this path: {error.strerror or error}.",
                             "check the name, and that you may read the folders on the way (ls -l).") from None


def _not_a_file(path: Path, mode: int) -> ModelFileError:
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a character device (like /dev/zero or /dev/null)"
            if stat.S_ISCHR(mode) else "a block device (a disk)" if stat.S_ISBLK(mode) else "a socket"
            if stat.S_ISSOCK(mode) else "a special file")
    return ModelFileError(path, f"this is {what}, not a regular file; it was not opened, since reading it could wait "
                          "forever or never end.",
                          "pass the model file itself, e.g. 'model.keras'; to send a model through a pipe, save it "
                          "to a file first.")


def _identify_folder(path: Path) -> str:
    if (path / "saved_model.pb").is_file():
        return "savedmodel"
    if _checkpoint_prefix(path) is not None:
        return "checkpoint"
    try:
        contents = sorted(p.name for p in path.iterdir())
    except OSError as error:
        raise ModelFileError(path, f"this folder cannot be listed: {error.strerror or error}.",
                             "check that you may read it (ls -ld shows its permissions).") from None
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
    For a ``.keras`` zip it also checks the declared sizes (a zip bomb is refused before anything
    is inflated), every part's CRC-32, and that ``config.json`` is a Keras model config. Special
    files (FIFOs, devices) are never opened.
    """
    path = _as_path(path)
    info = _stat(path)
    if info is None:
        if _checkpoint_prefix(path) is not None:
            return "checkpoint"
        raise _missing(path)
    if stat.S_ISDIR(info.st_mode):
        return _identify_folder(path)
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file(path, info.st_mode)
    if path.name.endswith(".index") and _checkpoint_prefix(path) is not None:
        return "checkpoint"
    if info.st_size == 0:
        raise ModelFileError(path, "this file is empty (0 bytes): saving was interrupted or the disk was full.",
                             "save the model again and check that the file is not 0 bytes.")
    head = _first_bytes(path)
    cut = _cut_in_signature(path, head)
    if cut is not None:
        raise cut
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
    try:
        proto.ParseFromString((folder / "saved_model.pb").read_bytes())
        graph = proto.meta_graphs[0]
        signatures = sorted(name for name in graph.signature_def if not name.startswith("__"))
        spec: dict[str, Any] = {"tensorflow_version": graph.meta_info_def.tensorflow_version}
        if "serving_default" in graph.signature_def:
            (name, tensor), *_ = graph.signature_def["serving_default"].inputs.items()
            spec.update(name=name, shape=tuple(d.size if d.size >= 0 else None for d in tensor.tensor_shape.dim),
                        dtype=tf.dtypes.as_dtype(tensor.dtype).name)
    except Exception as error:  # protobuf's DecodeError, no graph inside, an unknown dtype
        raise ModelFileError(folder, f"its saved_model.pb is damaged: it is not a SavedModel TensorFlow can parse "
                             f"({_first_line(error)}).", _EXPORT_AGAIN) from None
    return signatures, spec


_EXPORT_AGAIN = "export the model again with model.export(folder), or copy the whole folder again."


def _first_line(error: BaseException) -> str:
    # str(KeyError("x")) is "'x'": h5py raises KeyError for some damaged headers, so take the message itself.
    text = str(error.args[0] if isinstance(error, KeyError) and error.args else error).strip()
    return text.splitlines()[0].rstrip(".") if text else type(error).__name__


def _variables_problem(prefix: str, error: Exception) -> str:
    """What TensorFlow's error about a checkpoint's files means, in words."""
    text = str(error)
    if "Checksum does not match" in text or "checksum" in text.lower():
        return ("its variables fail their checksum (CRC-32C): bytes of a .data file changed on the disk or in a "
                "copy")
    if "sstable" in text or "magic" in text:
        return f"its index file ({Path(prefix).name}.index) is damaged ({_first_line(error)})"
    missing = re.search(r"([^/\\\s;]+\.data-\d+-of-\d+)", text)
    if isinstance(error, tf.errors.NotFoundError) or "No such file" in text:
        return f"its data file {missing.group(1)} is missing" if missing else f"a file of it is missing ({text})"
    if "Read less bytes" in text or isinstance(error, tf.errors.OutOfRangeError):
        return "a data file of it is cut short (truncated), e.g. an interrupted save or copy"
    return f"TensorFlow cannot read its variables ({_first_line(error)})"


def _read_variables(path: Path, prefix: str, fix: str) -> list[str]:
    """The variable names of the checkpoint at ``prefix``, after reading each (TensorFlow checks its CRC-32C)."""
    try:
        reader = tf.train.load_checkpoint(prefix)
        names = sorted(reader.get_variable_to_shape_map())
        for name in names:
            reader.get_tensor(name)  # one at a time: memory stays at the largest variable
    except Exception as error:  # tf.errors.OpError: DataLoss, NotFound, OutOfRange
        raise ModelFileError(path, _variables_problem(prefix, error) + ".", fix) from None
    return names


def _savedmodel_fingerprint_checked(folder: Path) -> bool:
    """Compare saved_model.pb with the checksum in ``fingerprint.pb``; False if there is none to compare."""
    fingerprint = folder / "fingerprint.pb"
    if not fingerprint.is_file():
        return False  # written by TensorFlow 2.12 and later only
    try:
        from tensorflow.core.protobuf import fingerprint_pb2
        from tensorflow.python.saved_model.pywrap_saved_model import fingerprinting

        stored = fingerprint_pb2.FingerprintDef.FromString(fingerprint.read_bytes())
        fresh = fingerprint_pb2.FingerprintDef.FromString(fingerprinting.CreateFingerprintDef(os.fspath(folder)))
    except Exception:  # a private TensorFlow module that moved, or a damaged fingerprint.pb: nothing to compare
        return False
    if fresh.version.producer != stored.version.producer:
        return False  # fingerprints made another way are not comparable
    if fresh.saved_model_checksum != stored.saved_model_checksum:
        raise ModelFileError(folder, "its saved_model.pb does not match its fingerprint (the checksum in "
                             "fingerprint.pb): the graph changed after export, e.g. a damaged copy or an edit.",
                             _EXPORT_AGAIN)
    return True


def _check_savedmodel(folder: Path) -> str:
    """Check a SavedModel's graph against its fingerprint and every variable's CRC-32C; say what was checked."""
    if not (folder / "variables" / "variables.index").is_file():
        raise ModelFileError(folder, "its variables are missing (no variables/variables.index): the folder is "
                             "incomplete, e.g. saved_model.pb copied without the variables folder.", _EXPORT_AGAIN)
    fingerprint = _savedmodel_fingerprint_checked(folder)
    _read_variables(folder, os.fspath(folder / "variables" / "variables"), _EXPORT_AGAIN)
    return "CRC-32C of every variable" + (" and the graph's fingerprint" if fingerprint else "") + ", checked"


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

    Every problem raises :class:`ModelFileError` naming the path, the problem and the fix: when
    Keras or TensorFlow fails, the file is examined as :func:`describe` does, to name the damage.
    After loading an HDF5 file (``.h5``, ``.weights.h5``) a :class:`NoChecksumWarning`, once per
    session, says that HDF5 cannot show damage inside the weights.
    """
    path = _as_path(path)
    key = identify(path)
    if key == "savedmodel":
        if not allow_inference_only or model is not None:
            raise ModelFileError(
                path, "this is a SavedModel folder (written by model.export or Keras 2's model.save): it holds a "
                "TensorFlow graph for serving, not a Keras model, so keras.models.load_model cannot read it.",
                "for predictions use keras.layers.TFSMLayer(folder, call_endpoint='serve') or load_any(folder); "
                "to train again, load the .keras file saved next to it.",
            )
        # TensorFlow checks the variables' CRC-32C but not the graph's fingerprint: check it (a hash, ~20 ms).
        _savedmodel_fingerprint_checked(path)
        try:
            return load_savedmodel(path)
        except ModelFileError:
            raise
        except Exception as error:  # damaged protobuf or variables
            raise _diagnose(path, key, error) from error
    if key in ("weights", "checkpoint") and model is None:
        what = "weights" if key == "weights" else "variables (weights and optimizer state)"
        raise ModelFileError(
            path, f"this file holds only {what}, not the model's architecture, so there is nothing to build them into.",
            "build the same model in code first, e.g. model = models.build_cnn_3x3(), then "
            "load_any(path, model=model)" + (" or model.load_weights(path)." if key == "weights" else "."),
        )
    try:
        if model is not None and key == "checkpoint":
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
        raise _diagnose(path, key, error) from error
    if key in ("h5", "weights"):
        _warn_no_checksum(path)
    return loaded


def _diagnose(path: Path, key: str, error: Exception) -> ModelFileError:
    """After a failed load: the damage :func:`describe` finds in the file, else Keras' error explained.

    Only on failure, so a good file is read once and ``save_all``'s load times stay honest.
    """
    try:
        _inspect(path, key)
    except ModelFileError as found:
        return found
    except Exception:  # the examination failed too: Keras' own error says more
        pass
    return _explain_load_error(path, error)


_warned_no_checksum = False


def _warn_no_checksum(path: Path) -> None:
    """Say once per session that an HDF5 file cannot show damage: bit rot in it loads without an error."""
    global _warned_no_checksum
    if _warned_no_checksum:
        return
    _warned_no_checksum = True
    level, frame = 1, sys._getframe(0)
    while frame is not None and frame.f_code.co_filename == __file__:  # point at the caller's line
        level, frame = level + 1, frame.f_back
    warnings.warn(
        f"{os.fspath(path)}: loaded, but HDF5 files (.h5, .weights.h5) keep no checksum, so a changed byte inside "
        "the weights (bit rot on a disk, a bad copy) loads without any error. To notice damage, keep models as "
        ".keras (load_any checks the CRC-32 of every part) or compare the file's SHA-256 with the original's "
        "(hashlib.file_digest). Said once per session.", NoChecksumWarning, stacklevel=level)


def load_model(path: PathLike, **options: Any) -> keras.Model:
    """Like ``keras.models.load_model`` (whole ``.keras``/``.h5`` models only), with :class:`ModelFileError`."""
    return load_any(path, allow_inference_only=False, **options)


# --------------------------------------------------------------------------------------------
# Describing a file without loading it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileDescription:
    """What :func:`describe` found: format, who wrote it, layers, optimizer state, size, checksums.

    ``checksums`` says whether the format can show damage, and that it was checked: a ``.keras``
    file's CRC-32s, a checkpoint's or SavedModel's CRC-32Cs; ``"none: ..."`` for HDF5.
    """

    path: Path
    format: str
    written_by: str | None
    layers: int | None
    has_optimizer_state: bool | None
    size_bytes: int
    details: str = ""
    checksums: str = ""

    def as_row(self) -> dict[str, Any]:
        """The description as a row for a :class:`~course_utils.tables.Table`."""
        return {"file": self.path.name, "format": FORMATS[self.format].label, "written by": self.written_by,
                "layers": self.layers, "optimizer state": self.has_optimizer_state,
                "size (kB)": self.size_bytes / 1000, "checksums": self.checksums, "details": self.details}

    def __str__(self) -> str:
        layers = "unknown" if self.layers is None else str(self.layers)
        optimizer = {True: "yes", False: "no", None: "unknown"}[self.has_optimizer_state]
        return (f"{self.path.name}: {FORMATS[self.format].label}, written by {self.written_by or 'unknown'}, "
                f"{layers} layers, optimizer state: {optimizer}, {self.size_bytes / 1000:,.1f} kB, "
                f"checksums: {self.checksums or 'unknown'}" + (f" ({self.details})" if self.details else ""))


_KERAS_CHECKSUMS = "CRC-32 of every part, checked"
_HDF5_CHECKSUMS = "none: HDF5 stores no checksum, a changed byte inside the weights goes unnoticed"


def _layer_classes(config: dict[str, Any]) -> list[str]:
    layers = _layer_list(config) or []
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


def _model_details(config: dict[str, Any], classes: list[str]) -> str:
    inner = config.get("config")
    details = f"{config.get('class_name')} '{inner.get('name') if isinstance(inner, dict) else None}'"
    return details + ("; has a Lambda layer (needs safe_mode=False)" if "Lambda" in classes else "")


def _describe_keras(path: Path) -> tuple[str | None, int | None, bool | None, str]:
    import h5py

    # identify() has checked the sizes, the CRCs and that both JSON parts are what Keras writes.
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read("metadata.json")) if "metadata.json" in archive.namelist() else {}
        config = json.loads(archive.read("config.json"))
        optimizer_vars = None
        if "model.weights.h5" in archive.namelist():
            try:
                with archive.open("model.weights.h5") as inner, h5py.File(inner, "r") as handle:
                    optimizer_vars = _h5_optimizer_variables(handle)
            except Exception as error:  # an HDF5 signature followed by garbage
                raise ModelFileError(path, "model.weights.h5 inside it is not an HDF5 file h5py can read "
                                     f"({_first_line(error)}): the weights are damaged.",
                                     "save the model again with model.save('model.keras'), or get the original "
                                     "file again.") from None
    classes = _layer_classes(config)
    version = metadata.get("keras_version")
    return (f"Keras {version}" if version else None), (len(classes) or None), (
        None if optimizer_vars is None else optimizer_vars > 0), _model_details(config, classes)


def _describe_h5(path: Path, key: str) -> tuple[str | None, int | None, bool | None, str]:
    import h5py

    again = "save the model again with model.save('model.keras'), or get the original file again."
    try:
        with h5py.File(path, "r") as handle:
            version = handle.attrs.get("keras_version")
            version = version.decode() if isinstance(version, bytes) else version
            written_by = f"Keras {version}" if version else None
            optimizer = _h5_optimizer_variables(handle) > 0
            if key == "weights":
                layers = (len(handle["layers"]) if "layers" in handle
                          else len(handle.attrs.get("layer_names", [])) or None)
                return written_by, layers, optimizer, "weights only, no architecture"
            if "model_config" not in handle.attrs:
                raise ModelFileError(
                    path, "this legacy .h5 model file has no model_config attribute: its architecture is lost (the "
                    "file is damaged or was edited); its weights (model_weights) are still there.",
                    "build the same model in code and load the weights into it: load_any(path, model=model), "
                    "e.g. with model = models.build_cnn_3x3(); then save it with model.save('model.keras').")
            raw = handle.attrs["model_config"]
            config = _parse_json(path, raw.decode() if isinstance(raw, bytes) else raw, "its model_config attribute",
                                 again)
    except ModelFileError:
        raise
    except Exception as error:  # h5py: OSError, KeyError, RuntimeError for a damaged part of the file
        raise ModelFileError(path, f"this HDF5 file is damaged: h5py cannot read part of it ({_first_line(error)}).",
                             _SAVE_AGAIN) from None
    problem = _config_problem(config)
    if problem is not None:
        raise ModelFileError(path, f"its model_config attribute {problem}: the file was edited or not written by "
                             "model.save.", again)
    classes = _layer_classes(config)
    return written_by, len(classes) or None, optimizer, _model_details(config, classes)


def _inspect(path: Path, key: str) -> tuple[str | None, int | None, bool | None, str, str]:
    """Read a file of format ``key`` as :func:`describe` does: who wrote it, layers, optimizer, details, checksums."""
    written_by: str | None
    if key == "keras":
        return (*_describe_keras(path), _KERAS_CHECKSUMS)
    if key in ("h5", "weights"):
        return (*_describe_h5(path, key), _HDF5_CHECKSUMS)
    if key == "savedmodel":
        signatures, spec = _savedmodel_signature(path)
        checksums = _check_savedmodel(path)
        keras2 = (path / "keras_metadata.pb").is_file()
        written_by = f"TensorFlow {spec['tensorflow_version']}" + (" (Keras 2)" if keras2 else "")
        details = f"signatures {', '.join(signatures)}; input {spec.get('shape')} {spec.get('dtype')}"
        return written_by, None, False, details, checksums
    prefix = _checkpoint_prefix(path)
    if prefix is None:
        raise _missing(path)
    names = _read_variables(path, prefix, "save the checkpoint again, or copy all of its files again (the "
                            "checkpoint file, the .index file and every .data file).")
    values = [name for name in names if name.endswith("VARIABLE_VALUE")]
    optimizer = any("optimizer/" in name for name in values)
    details = f"{len(values)} variables in {Path(prefix).name}"
    return None, None, optimizer, details, "CRC-32C of every variable, checked"


def describe(path: PathLike) -> FileDescription:
    """Say what a model file or folder is, and check it, without loading it into a model.

    Reads names and headers: the ``.keras`` zip's ``metadata.json`` and ``config.json`` (after
    checking the zip's declared sizes and checksums), the ``.h5`` attributes, the SavedModel's
    ``saved_model.pb`` (against its fingerprint) and the checkpoint's variable list. The variables
    of a checkpoint or SavedModel are read once, to check their CRC-32C; no model is built.
    ``FileDescription.checksums`` says what could be checked: nothing, for HDF5.

    Raises:
        ModelFileError: for anything that is not one of the five formats, or is damaged; the
            message names the path, the problem and the fix.
    """
    path = _as_path(path)
    key = identify(path)
    written_by, layers, optimizer, details, checksums = _inspect(path, key)
    return FileDescription(path, key, written_by, layers, optimizer, folder_size(path), details, checksums)


def describe_many(paths: Iterable[PathLike]) -> Table:
    """:func:`describe` several files as one table (a damaged one raises its :class:`ModelFileError`)."""
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
                 title=f"One model, five formats ({len(labels):,} test digits)")


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
    return rows


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

_TEXT_HEADER = "# Keras weights as text (course_utils.saving.export_weights_text)."


def export_weights_text(model: keras.Model, path: PathLike, precision: int = 9) -> Path:
    """Write every variable's stable name (``variable.path``), shape and values to a text file.

    Every variable, not only the trainable ones: a model with BatchNormalization needs its moving
    mean and variance too, or it predicts differently after :func:`load_weights_text`.

    Each variable is a line ``variable <path> shape <d1>x<d2>...`` followed by its values, one
    line per row of the last axis, with ``precision`` significant digits (9 digits read back
    to exactly the same float32 numbers). :func:`read_weights_text` reads it back.
    """
    path = Path(path)
    variables = model.weights
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
    """Assign the values of a weights text file to ``model``'s variables (all of them), matched by name."""
    weights = read_weights_text(path)
    names = {variable.path for variable in model.weights}
    if names != set(weights):
        missing, extra = sorted(names - set(weights)), sorted(set(weights) - names)
        raise ModelFileError(path, f"the names do not match this model (missing {missing[:3]}, unexpected "
                             f"{extra[:3]}).", "build the model with the same code (and name) that exported it.")
    for variable in model.weights:
        if tuple(variable.shape) != weights[variable.path].shape:
            raise ModelFileError(path, f"{variable.path} has shape {weights[variable.path].shape} in the file but "
                                 f"{tuple(variable.shape)} in the model.", "build the model with the same options.")
        variable.assign(weights[variable.path])
    return model
