"""Model files: what a file is, and what is wrong with it, without loading it into a model.

The five formats and their keys (named once, as the constants ``KERAS``, ``H5``, ``SAVEDMODEL``,
``WEIGHTS`` and ``CHECKPOINT``; :data:`FORMATS` describes each, notebook 07 saves them):

================  =======================  ==================================================
key               format                   recognised by
================  =======================  ==================================================
``"keras"``       ``.keras``               a zip archive with ``config.json`` and the weights
``"h5"``          legacy ``.h5``           an HDF5 file with a ``model_config`` attribute
``"savedmodel"``  SavedModel (export)      a folder with ``saved_model.pb``
``"weights"``     ``.weights.h5``          an HDF5 file with layers but no ``model_config``
``"checkpoint"``  ``tf.train.Checkpoint``  a folder or prefix with ``*.index`` files
================  =======================  ==================================================

:func:`identify` names a file's format from its name, its first bytes and its container, and
raises :class:`ModelFileError` for anything else (a typo, an empty or cut file, a renamed file, a
web page saved as a model): the message names the path, what is wrong and how to fix it.
:func:`describe` (:func:`describe_many` for several) says who wrote a file, its layers, whether
optimizer state is inside and which checksums could be checked, without building the model.
:mod:`course_utils.saving` calls :func:`identify` before Keras reads a file.

Damage the formats can and cannot notice: a ``.keras`` zip stores a CRC-32 of every part, a
checkpoint and a SavedModel's variables a CRC-32C of every variable (and a SavedModel a
fingerprint of its graph), and these helpers check them. HDF5 (``.h5``, ``.weights.h5``) stores
no checksum of the data: a changed byte inside the weights loads without an error
(``FileDescription.checksums`` says which).

The checks are tables read top to bottom (:data:`_IDENTIFY` for a path, :data:`_LOAD_ERRORS`
for Keras' error when loading fails): each row is a check, and the first row that applies gives
the format, or the problem and its fix. A new case is a new row, in the place where it must be
checked.
"""

from __future__ import annotations

import difflib
import errno
import functools
import json
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import tensorflow as tf

from course_utils.config import PathLike
from course_utils.language import tr
from course_utils.measuring import folder_size
from course_utils.tables import Table

#: The format keys: :func:`identify` returns one, :data:`FORMATS` describes each.
KERAS = "keras"
H5 = "h5"
SAVEDMODEL = "savedmodel"
WEIGHTS = "weights"
CHECKPOINT = "checkpoint"

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


@dataclass(frozen=True)
class Format:
    """What a student needs to know about one format: name, whether the model's code is needed, its use.

    ``texts`` gives ``(label, needs_code, use_for)`` in the current language (:mod:`course_utils.language`),
    read each time, since the language can change after import.
    """

    key: str
    texts: Callable[[], tuple[str, str, str]]

    @property
    def label(self) -> str:
        return self.texts()[0]

    @property
    def needs_code(self) -> str:
        return self.texts()[1]

    @property
    def use_for(self) -> str:
        return self.texts()[2]


def _no_custom_layers() -> str:
    return tr("no (only for custom layers)", "不需要（自定义层除外）")


def _build_first() -> str:
    return tr("yes: build the model first", "需要：先构建模型")


FORMATS: dict[str, Format] = {
    KERAS: Format(
        KERAS,
        lambda: (
            ".keras",
            _no_custom_layers(),
            tr("sharing and resuming: the default Keras 3 format", "分享与断点续训：Keras 3 的默认格式"),
        ),
    ),
    H5: Format(
        H5,
        lambda: (
            tr("legacy .h5", "旧版 .h5"),
            _no_custom_layers(),
            tr("old tools and tutorials that expect HDF5", "需要 HDF5 的旧工具和旧教程"),
        ),
    ),
    SAVEDMODEL: Format(
        SAVEDMODEL,
        lambda: (
            tr("SavedModel (export)", "SavedModel（导出）"),
            tr("no, not even Keras", "不需要，连 Keras 也不需要"),
            tr(
                "serving: TF Serving, TFLite converter, other languages",
                "部署：TF Serving、TFLite 转换器、其他编程语言",
            ),
        ),
    ),
    WEIGHTS: Format(
        WEIGHTS,
        lambda: (
            ".weights.h5",
            _build_first(),
            tr("moving weights into a model you build in code", "把权重放进你用代码构建的模型"),
        ),
    ),
    CHECKPOINT: Format(
        CHECKPOINT,
        lambda: (
            "tf.train.Checkpoint",
            _build_first(),
            tr("resuming long runs, low-level TensorFlow code", "长时间训练的断点续训、底层 TensorFlow 代码"),
        ),
    ),
}


class ModelFileError(ValueError):
    """A model file or folder cannot be loaded; the message says which, what is wrong, and the fix.

    ``path`` is the :class:`~pathlib.Path` concerned, or ``None`` when the value passed was no
    path at all (``None``, a number, an empty string); the message then starts with its ``repr``.
    """

    def __init__(self, path: object, problem: str, fix: str) -> None:
        self.path: Path | None = None
        shown = repr(path)
        if isinstance(path, str | os.PathLike) and os.fspath(path) not in ("", b"") and "\0" not in str(path):
            self.path, shown = Path(path), os.fspath(path)
        self.problem = problem
        self.fix = fix
        # The path is followed by ": " in Chinese too, as compilers' Chinese messages do ("a.c:3: 错误：..."):
        # code that cuts the path off at the first ": " works in both languages.
        super().__init__(tr(f"{shown}: {problem}\nFix: {fix}", f"{shown}: {problem}\n解决办法：{fix}"))


# --------------------------------------------------------------------------------------------
# Tables of checks
# --------------------------------------------------------------------------------------------

Seen = TypeVar("Seen")


@dataclass(frozen=True)
class _Row(Generic[Seen]):
    """One row of a table of checks: when ``check`` holds for what was seen, this row gives the answer.

    The answer is ``answer`` when there is one: a format key, or a function that looks deeper and
    returns a key (or raises). Otherwise it is a :class:`ModelFileError` with ``problem`` and
    ``fix``: functions that write the text from what was seen, in the current language (a table is
    made at import, the language can change later, so the texts are made when the error is).
    """

    check: Callable[[Seen], bool]
    problem: str | Callable[[Seen], str] = ""
    fix: str | Callable[[Seen], str] = ""
    answer: str | Callable[[Seen], str] | None = None

    def text(self, value: str | Callable[[Seen], str], seen: Seen) -> str:
        return value if isinstance(value, str) else value(seen)

    def error(self, path: object, seen: Seen) -> ModelFileError:
        """The row's problem and fix as the error for ``path``."""
        return ModelFileError(path, self.text(self.problem, seen), self.text(self.fix, seen))


def _first_row(rows: Sequence[_Row[Seen]], seen: Seen) -> _Row[Seen]:
    """The first row whose check holds: the order of a table is the order of its checks."""
    return next(row for row in rows if row.check(seen))


def _always(seen: object) -> bool:
    """The check of a table's last row: when nothing before applied."""
    return True


@dataclass(frozen=True)
class _Failure:
    """An error Keras or TensorFlow raised while reading a file, as the rows that explain it see it."""

    error: Exception
    prefix: str = ""  # a checkpoint's prefix, for errors about its files

    @property
    def text(self) -> str:
        return str(self.error)


# --------------------------------------------------------------------------------------------
# Recognising a file
# --------------------------------------------------------------------------------------------


def _accepted() -> str:
    return tr(
        "a .keras file, a legacy .h5 file, a SavedModel folder (model.export), a .weights.h5 file or "
        "a tf.train.Checkpoint folder",
        ".keras 文件、旧版 .h5 文件、SavedModel 文件夹（model.export）、.weights.h5 文件或 tf.train.Checkpoint 文件夹",
    )


def _save_again() -> str:
    return tr(
        "save the model again, or copy or download the file again and compare its size with the original.",
        "请重新保存模型，或重新复制、下载这个文件，并把它的大小与原文件比较。",
    )


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def as_path(value: object) -> Path:
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
        article = tr("an", "一个") if kind[:1].lower() in "aeiou" else tr("a", "一个")
        hint = (
            tr(
                " A None often comes from a variable that was never set or a function that returns nothing "
                "(e.g. the result of print).",
                "None 常常来自一个从未赋值的变量，或一个什么也不返回的函数（例如 print 的结果）。",
            )
            if value is None
            else ""
        )
        raise ModelFileError(
            value,
            tr(
                f"this is {article} {kind}, not a path: a model file or folder is named by a str or a pathlib.Path.",
                f"这是{article} {kind}，不是路径：模型文件或文件夹要用 str 或 pathlib.Path 来指定。",
            ),
            tr(
                "pass the path, e.g. load_any('model.keras') or load_any(Path('outputs') / 'model.keras').",
                "请传入路径，例如 load_any('model.keras') 或 load_any(Path('outputs') / 'model.keras')。",
            )
            + hint,
        )
    if not value.strip():
        raise ModelFileError(
            value,
            tr(
                "the path is empty; Python would read it as the current folder, which is not a model.",
                "路径是空的；Python 会把它当作当前文件夹，而当前文件夹不是模型。",
            ),
            tr(
                "pass the name of the file or folder, e.g. 'model.keras' or 'model_savedmodel'.",
                "请传入文件或文件夹的名字，例如 'model.keras' 或 'model_savedmodel'。",
            ),
        )
    if "\0" in value:
        raise ModelFileError(
            value,
            tr(
                "the path contains a NUL character (\\x00), which no file name can hold.",
                "路径中含有 NUL 字符（\\x00），任何文件名都不能包含它。",
            ),
            tr(
                "build the path from the real name, e.g. Path('outputs') / 'model.keras'.",
                "请用真实的名字构造路径，例如 Path('outputs') / 'model.keras'。",
            ),
        )
    if _URL.match(value):
        scheme = value.split(":", 1)[0].lower()
        name = value.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "model.keras"
        fix = (
            tr(
                f"download it first, then pass the local path: path = keras.utils.get_file({name!r}, "
                f"origin={value!r}); load_any(path).",
                f"请先下载它，再传入本地路径：path = keras.utils.get_file({name!r}, origin={value!r}); "
                "load_any(path)。",
            )
            if scheme in ("http", "https", "ftp")
            else tr(
                f"copy it to this computer first, e.g. tf.io.gfile.copy({value!r}, {name!r}), then pass the "
                "local path.",
                f"请先把它复制到这台计算机上，例如 tf.io.gfile.copy({value!r}, {name!r})，再传入本地路径。",
            )
        )
        raise ModelFileError(
            value,
            tr(
                "this is a web address, not a file on this computer; models are loaded from local files and folders.",
                "这是一个网址，不是这台计算机上的文件；模型只能从本地的文件和文件夹加载。",
            ),
            fix,
        )
    return Path(value)


def _first_bytes(path: Path, count: int = 64) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(count)
    except OSError as error:  # e.g. no permission to read it
        raise ModelFileError(
            path,
            tr(
                f"this file cannot be read: {error.strerror or error}.",
                f"这个文件无法读取：{error.strerror or error}。",
            ),
            tr(
                "check that you may read it (ls -l shows its permissions), or copy it somewhere you can.",
                "请确认你有权限读取它（ls -l 会显示它的权限），或把它复制到你能读取的地方。",
            ),
        ) from None


def _looks_like_text(head: bytes) -> str | None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return " ".join(text.split())[:40]
    return None


def _not_a_model(head: bytes, expected: str) -> str:
    """The problem with a file whose first bytes are not those of the format its name promises."""
    text = _looks_like_text(head)
    if text is not None:
        return tr(
            f"this is not a Keras model file: it holds text, not a model (it starts with {text!r}), e.g. a web "
            "page saved instead of the file.",
            f"这不是 Keras 模型文件：它存放的是文本，不是模型（开头是 {text!r}），例如保存下来的是网页而不是文件本身。",
        )
    return tr(
        f"this is not a Keras model file: its first bytes ({head[:8].hex(' ')}) are not those of {expected}.",
        f"这不是 Keras 模型文件：它开头的字节（{head[:8].hex(' ')}）不是{expected}的开头。",
    )


def _get_it_again(seen: object = None) -> str:
    return tr(
        "download or copy the real file again, or save the model again with model.save('model.keras').",
        "请重新下载或复制真正的文件，或用 model.save('model.keras') 重新保存模型。",
    )


def _cut_short(head: bytes, magic: bytes) -> bool:
    """A file shorter than its format's signature, whose bytes are the signature's start: cut short."""
    return len(head) < len(magic) and magic.startswith(head)


def _cut_problem(head: bytes, what: str) -> str:
    return tr(
        f"this file is only {len(head)} bytes long: it starts like {what} but is cut short (truncated), "
        "e.g. an interrupted save, copy or download.",
        f"这个文件只有 {len(head)} 字节长：它的开头像{what}，但被截断了，例如保存、复制或下载被中断。",
    )


def checkpoint_prefix(path: Path) -> str | None:
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
    """:data:`H5` (a whole model) or :data:`WEIGHTS` for a readable HDF5 file; errors otherwise."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            # A legacy model file keeps its weights in model_weights and its architecture in the
            # model_config attribute; without that attribute it is a damaged model file, not weights.
            has_config = "model_config" in handle.attrs or "model_weights" in handle
            has_weights = "layers" in handle or "layer_names" in handle.attrs
    except Exception as error:  # h5py raises OSError, and KeyError or RuntimeError for garbled headers
        size = path.stat().st_size
        reason = (
            tr("it ends early (truncated)", "它提前结束了（被截断）")
            if "truncated" in str(error)
            else tr(
                f"it is only {size} bytes long, too short for a Keras file: it is cut short (truncated)",
                f"它只有 {size} 字节长，对 Keras 文件来说太短：它被截断了",
            )
            if size < 800
            else tr(f"h5py cannot read it ({_first_line(error)})", f"h5py 无法读取它（{_first_line(error)}）")
        )
        raise ModelFileError(
            path,
            tr(
                f"this HDF5 file is damaged: {reason}, e.g. an interrupted save, copy or download.",
                f"这个 HDF5 文件已损坏：{reason}，例如保存、复制或下载被中断。",
            ),
            _save_again(),
        ) from None
    if has_config:
        return H5
    if has_weights:
        return WEIGHTS
    raise ModelFileError(
        path,
        tr(
            "this HDF5 file holds neither a Keras model nor Keras weights.",
            "这个 HDF5 文件里既没有 Keras 模型，也没有 Keras 权重。",
        ),
        tr(
            "check that this is the file you meant (h5py.File(path).keys() lists what is inside).",
            "请确认这就是你要的文件（h5py.File(path).keys() 会列出其中的内容）。",
        ),
    )


def _json_type(value: object) -> str:
    """The JSON type of ``value`` in words, in the current language."""
    words = {
        dict: tr("object", "对象"),
        list: tr("list", "列表"),
        str: tr("string", "字符串"),
        bool: "true/false",
        type(None): "null",
    }
    return words.get(type(value), tr("number", "数字"))


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
        return tr(
            f"holds a JSON {_json_type(config)}, not a Keras model config (a JSON object with 'class_name' "
            "and 'config')",
            f"存放的是 JSON {_json_type(config)}，不是 Keras 模型配置（含有 'class_name' 和 'config' 的 JSON 对象）",
        )
    missing = [key for key in ("class_name", "config") if key not in config]
    if missing:
        keys = ", ".join(repr(key) for key in list(config)[:5]) or tr("none", "无")
        absent = tr(" and no ", "，也没有 ").join(repr(key) for key in missing)
        return tr(
            f"is JSON but not a Keras model config: it has no {absent} (its keys: {keys})",
            f"是 JSON，但不是 Keras 模型配置：它没有 {absent}（它的键：{keys}）",
        )
    if not isinstance(config["class_name"], str) or not isinstance(config["config"], dict | list):
        return tr(
            "is JSON but not a Keras model config: its 'class_name' is not a text or its 'config' not an object",
            "是 JSON，但不是 Keras 模型配置：它的 'class_name' 不是文本，或它的 'config' 不是对象",
        )
    layers = _layer_list(config)
    if layers is None:
        if config["class_name"] in ("Sequential", "Functional"):
            return tr(
                f"describes a {config['class_name']} model without its 'layers' list",
                f"描述了一个 {config['class_name']} 模型，却没有它的 'layers' 列表",
            )
        return None
    if not isinstance(layers, list):
        return tr(
            f"has a 'layers' entry that is a JSON {_json_type(layers)}, not a list",
            f"的 'layers' 项是 JSON {_json_type(layers)}，不是列表",
        )
    for number, layer in enumerate(layers):
        if not isinstance(layer, dict) or not isinstance(layer.get("class_name"), str):
            return tr(
                f"is damaged: layer {number} of its 'layers' list has no 'class_name'",
                f"已损坏：它的 'layers' 列表中第 {number} 层没有 'class_name'",
            )
    return None


def _parse_json(path: Path, raw: bytes | str, where: str, fix: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError as error:  # JSONDecodeError, and UnicodeDecodeError for bytes that are no UTF-8
        raise ModelFileError(
            path,
            tr(
                f"{where} is not valid JSON ({error}): the file is damaged or was edited by hand.",
                f"{where}不是有效的 JSON（{error}）：文件已损坏或被手工修改过。",
            ),
            fix,
        ) from None


def _refuse_zip_bomb(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a part whose declared size is absurd, from the zip's directory alone, before inflating anything.

    zipfile never returns more than a part's declared size, so checking the declared sizes bounds
    the memory that reading the parts later (testzip, Keras) can take.
    """
    fix = tr(
        "do not use this file: get the model again from a source you trust, or save it again with "
        "model.save('model.keras').",
        "不要使用这个文件：从你信任的来源重新获取模型，或用 model.save('model.keras') 重新保存。",
    )
    for info in infos:
        inflated, stored = info.file_size, max(info.compress_size, 1)
        sizes = tr(
            f"would inflate to {inflated / 1e6:,.0f} MB from {stored / 1e6:,.1f} MB stored",
            f"会从存储的 {stored / 1e6:,.1f} MB 解压成 {inflated / 1e6:,.0f} MB",
        )
        if info.filename in ("config.json", "metadata.json") and inflated > MAX_JSON_BYTES:
            raise ModelFileError(
                path,
                tr(
                    f"{info.filename} inside it {sizes}; a Keras config takes at most a few MB "
                    f"(the limit here is {MAX_JSON_BYTES // 2**20} MiB), so this is a damaged file or a "
                    "zip bomb made to exhaust memory. Nothing was inflated.",
                    f"其中的 {info.filename} {sizes}；Keras 的配置最多只有几 MB"
                    f"（这里的上限是 {MAX_JSON_BYTES // 2**20} MiB），所以这是一个损坏的文件，或是为耗尽内存而制作的"
                    " zip 炸弹。没有解压任何内容。",
                ),
                fix,
            )
        if inflated > ZIP_BOMB_FLOOR_BYTES and inflated > ZIP_MAX_EXPANSION * stored:
            raise ModelFileError(
                path,
                tr(
                    f"{info.filename} inside it {sizes} ({inflated / stored:,.0f} times); Keras "
                    "stores the parts of a .keras file uncompressed, so this is a zip bomb made to "
                    f"exhaust memory or disk (refused above {ZIP_BOMB_FLOOR_BYTES // 2**20} MiB and "
                    f"{ZIP_MAX_EXPANSION} times). Nothing was inflated.",
                    f"其中的 {info.filename} {sizes}（{inflated / stored:,.0f} 倍）；Keras "
                    "不压缩 .keras 文件的各个部分，所以这是为耗尽内存或磁盘而制作的 zip 炸弹"
                    f"（超过 {ZIP_BOMB_FLOOR_BYTES // 2**20} MiB 且超过 {ZIP_MAX_EXPANSION} 倍即拒绝）。"
                    "没有解压任何内容。",
                ),
                fix,
            )


def _identify_zip(path: Path) -> str:
    """:data:`KERAS` for a complete, undamaged ``.keras`` zip whose JSON parts make sense; errors otherwise."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise ModelFileError(
            path,
            tr(
                "this .keras file (a zip archive) is incomplete: its end is missing (truncated), e.g. an "
                "interrupted save, copy or download.",
                "这个 .keras 文件（zip 压缩包）不完整：它的结尾缺失（被截断），例如保存、复制或下载被中断。",
            ),
            _save_again(),
        ) from None
    with archive:
        _check_zip_parts(path, archive)
        names = archive.namelist()
        _check_keras_json(path, archive, names)
        _check_keras_weights(path, archive, names)
    return KERAS


def _check_zip_parts(path: Path, archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb from the declared sizes, then recompute every part's CRC-32."""
    _refuse_zip_bomb(path, archive.infolist())
    try:
        damaged = archive.testzip()  # recomputes every part's CRC-32
    except Exception as error:  # unknown compression, "encrypted" flag, zlib errors: a flipped header byte
        raise ModelFileError(
            path,
            tr(
                f"this .keras file is damaged: a header inside it is garbled ({_first_line(error)}).",
                f"这个 .keras 文件已损坏：其中的一个文件头是乱码（{_first_line(error)}）。",
            ),
            _copy_again(),
        ) from None
    if damaged is not None:
        raise ModelFileError(
            path,
            tr(
                f"this .keras file is damaged: {damaged} inside it fails its checksum.",
                f"这个 .keras 文件已损坏：其中的 {damaged} 没有通过校验和检查。",
            ),
            _copy_again(),
        )


def _copy_again() -> str:
    return tr("save the model again, or copy or download the file again.", "请重新保存模型，或重新复制、下载这个文件。")


def _keras_again() -> str:
    return tr(
        "save the model again with model.save('model.keras'), or get the original file again.",
        "请用 model.save('model.keras') 重新保存模型，或重新获取原始文件。",
    )


def _check_keras_json(path: Path, archive: zipfile.ZipFile, names: list[str]) -> None:
    """``config.json`` is there and is a Keras model config; ``metadata.json``, if there, is a JSON object."""
    if "config.json" not in names:
        shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
        raise ModelFileError(
            path,
            tr(
                f"this zip archive is not a Keras model: it has no config.json (it holds {shown}).",
                f"这个 zip 压缩包不是 Keras 模型：它没有 config.json（其中有 {shown}）。",
            ),
            tr(
                "pass the .keras file written by model.save('model.keras').",
                "请传入由 model.save('model.keras') 写出的 .keras 文件。",
            ),
        )
    config = _parse_json(
        path, archive.read("config.json"), tr("config.json inside it", "其中的 config.json "), _keras_again()
    )
    problem = _config_problem(config)
    if problem is not None:
        raise ModelFileError(
            path,
            tr(
                f"config.json inside it {problem}: the file was edited or not written by model.save.",
                f"其中的 config.json {problem}：文件被修改过，或不是由 model.save 写出的。",
            ),
            _keras_again(),
        )
    if "metadata.json" in names:
        # Keras itself ignores metadata.json, so the model may be intact: say how to keep it.
        keep = tr(
            "keras.models.load_model(path) does not read metadata.json: load the model with it and save "
            "it again with model.save('model.keras').",
            "keras.models.load_model(path) 不读取 metadata.json：请用它加载模型，再用 "
            "model.save('model.keras') 重新保存。",
        )
        metadata = _parse_json(
            path, archive.read("metadata.json"), tr("metadata.json inside it", "其中的 metadata.json "), keep
        )
        if not isinstance(metadata, dict):
            raise ModelFileError(
                path,
                tr(
                    f"metadata.json inside it holds a JSON {_json_type(metadata)}, not the "
                    "object model.save writes: the file is damaged or was edited by hand.",
                    f"其中的 metadata.json 存放的是 JSON {_json_type(metadata)}，不是 model.save 写出的"
                    "对象：文件已损坏或被手工修改过。",
                ),
                keep,
            )


def _check_keras_weights(path: Path, archive: zipfile.ZipFile, names: list[str]) -> None:
    """The weights are there, and ``model.weights.h5`` starts like an HDF5 file."""
    weights = [name for name in ("model.weights.h5", "model.weights.npz") if name in names]
    if not weights:
        raise ModelFileError(
            path,
            tr(
                "this .keras file has no weights: model.weights.h5 is missing (it holds "
                f"{', '.join(names[:4])}), e.g. a file edited by hand.",
                "这个 .keras 文件没有权重：缺少 model.weights.h5（其中有 "
                f"{', '.join(names[:4])}），例如文件被手工修改过。",
            ),
            tr(
                "save the model again with model.save('model.keras'). The architecture is still there: "
                "keras.models.model_from_json(zipfile.ZipFile(path).read('config.json').decode()) rebuilds it "
                "with new weights.",
                "请用 model.save('model.keras') 重新保存模型。架构还在："
                "keras.models.model_from_json(zipfile.ZipFile(path).read('config.json').decode()) 可以重建它，"
                "但权重是新的。",
            ),
        )
    if weights[0] == "model.weights.h5":
        with archive.open("model.weights.h5") as inner:
            head = inner.read(len(HDF5_MAGIC))
        if head != HDF5_MAGIC:
            first = head.hex(" ") or tr("missing", "缺失")
            raise ModelFileError(
                path,
                tr(
                    f"model.weights.h5 inside it is not an HDF5 file (its first bytes are {first}): the weights are "
                    "lost.",
                    f"其中的 model.weights.h5 不是 HDF5 文件（它开头的字节：{first}）：权重已丢失。",
                ),
                _keras_again(),
            )


def _did_you_mean(path: Path) -> str:
    """`` Did you mean 'x'?`` for names close to ``path``'s in its folder, or nothing."""
    try:
        others = sorted(p.name for p in path.parent.iterdir() if p.name != path.name) if path.parent.is_dir() else []
    except OSError:  # a folder we may not list: no suggestion
        others = []
    close = difflib.get_close_matches(path.name, others, n=3, cutoff=0.6)
    if not close:
        return ""
    names = tr(" or ", " 或 ").join(repr(name) for name in close)
    return tr(f" Did you mean {names}?", f"你要找的是不是 {names}？")


#: Nothing is at the path: why, and what to do.
_NOTHING_THERE: tuple[_Row[Path], ...] = (
    _Row(
        lambda path: path.suffix == ".ckpt",
        problem=lambda path: tr(
            "'.ckpt' files were written by Keras 2's save_weights('model.ckpt'); Keras 3 never writes them and "
            "this one does not exist.",
            "'.ckpt' 文件是 Keras 2 的 save_weights('model.ckpt') 写出的；Keras 3 从不写这种文件，而且这个文件不存在。",
        ),
        fix=lambda path: tr(
            "save weights with model.save_weights('model.weights.h5'), a whole model with "
            "model.save('model.keras'), or a TensorFlow checkpoint with tf.train.Checkpoint(model=model).save(prefix) "
            "and load its folder.",
            "保存权重用 model.save_weights('model.weights.h5')，保存整个模型用 model.save('model.keras')，"
            "保存 TensorFlow 检查点用 tf.train.Checkpoint(model=model).save(prefix)，然后加载它的文件夹。",
        ),
    ),
    _Row(
        _always,
        problem=lambda path: tr("there is no such file or folder.", "没有这个文件或文件夹。") + _did_you_mean(path),
        fix=lambda path: tr(
            "check the name and the folder; a relative path starts from the notebook's folder (os.getcwd()).",
            "请检查名字和文件夹；相对路径从笔记本所在的文件夹（os.getcwd()）算起。",
        ),
    ),
)


def missing_file_error(path: Path) -> ModelFileError:
    """The error for a path with nothing behind it (for :func:`identify` and the loaders alike)."""
    return _first_row(_NOTHING_THERE, path).error(path, path)


def _stat(path: Path) -> os.stat_result | None:
    """``path.stat()`` following links; ``None`` if nothing is there; a clear error for links that lead nowhere."""
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ModelFileError(
                path,
                tr(
                    f"this is a symbolic link to {os.readlink(path)!r}, which does not exist.",
                    f"这是指向 {os.readlink(path)!r} 的符号链接，而该目标不存在。",
                ),
                tr(
                    "pass the real file's path, or point the link at it (ln -sf REAL LINK).",
                    "请传入真实文件的路径，或让链接指向它（ln -sf REAL LINK）。",
                ),
            ) from None
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ModelFileError(
                path,
                tr(
                    "this is a symbolic link that leads back to itself (a loop of links), so no file is behind it.",
                    "这是一个指回自身的符号链接（链接形成了循环），所以它背后没有文件。",
                ),
                tr(
                    "pass the real file's path, or replace the link (os.readlink(path) shows where it points).",
                    "请传入真实文件的路径，或替换这个链接（os.readlink(path) 会显示它指向哪里）。",
                ),
            ) from None
        if error.errno == errno.ENOTDIR:
            return None  # a part of the path is a file: nothing is there
        raise ModelFileError(
            path,
            tr(
                f"the system cannot look at this path: {error.strerror or error}.",
                f"系统无法查看这个路径：{error.strerror or error}。",
            ),
            tr(
                "check the name, and that you may read the folders on the way (ls -l).",
                "请检查名字，并确认你有权限读取路径上的各个文件夹（ls -l）。",
            ),
        ) from None


_SPECIAL_FILES: tuple[tuple[Callable[[int], bool], Callable[[], str]], ...] = (
    (stat.S_ISFIFO, lambda: tr("a named pipe (FIFO)", "命名管道（FIFO）")),
    (
        stat.S_ISCHR,
        lambda: tr("a character device (like /dev/zero or /dev/null)", "字符设备（如 /dev/zero 或 /dev/null）"),
    ),
    (stat.S_ISBLK, lambda: tr("a block device (a disk)", "块设备（磁盘）")),
    (stat.S_ISSOCK, lambda: tr("a socket", "套接字")),
)


def _special_file(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is, from its ``st_mode``."""
    return next((what() for test, what in _SPECIAL_FILES if test(mode)), tr("a special file", "特殊文件"))


def _identify_folder(path: Path) -> str:
    if (path / "saved_model.pb").is_file():
        return SAVEDMODEL
    if checkpoint_prefix(path) is not None:
        return CHECKPOINT
    try:
        contents = sorted(p.name for p in path.iterdir())
    except OSError as error:
        raise ModelFileError(
            path,
            tr(
                f"this folder cannot be listed: {error.strerror or error}.",
                f"无法列出这个文件夹的内容：{error.strerror or error}。",
            ),
            tr(
                "check that you may read it (ls -ld shows its permissions).",
                "请确认你有权限读取它（ls -ld 会显示它的权限）。",
            ),
        ) from None
    listed = ", ".join(contents[:4]) + (" ..." if len(contents) > 4 else "")
    holds = tr("is empty", "是空的") if not contents else tr(f"holds {listed}", f"里面有 {listed}")
    raise ModelFileError(
        path,
        tr(
            f"this folder is neither a SavedModel (no saved_model.pb) nor a TensorFlow checkpoint; it {holds}. "
            "Keras 2's model.save('folder') wrote a SavedModel folder; Keras 3 refuses a name without extension.",
            f"这个文件夹既不是 SavedModel（没有 saved_model.pb），也不是 TensorFlow 检查点；它{holds}。"
            "Keras 2 的 model.save('folder') 会写出 SavedModel 文件夹；Keras 3 拒绝没有扩展名的名字。",
        ),
        tr(
            "pass the model file itself: a .keras or .h5 file, or a folder written by model.export(). To save, use "
            f"model.save('{path.name}.keras') or model.export('{path.name}').",
            "请传入模型文件本身：.keras 或 .h5 文件，或由 model.export() 写出的文件夹。保存时请用 "
            f"model.save('{path.name}.keras') 或 model.export('{path.name}')。",
        ),
    )


class _Seen:
    """What :func:`identify` has seen of a path; each fact is looked up once, when a check first needs it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name.lower()
        self.suffix = path.suffix.lower()
        self.info = _stat(path)  # None: nothing is there

    @property
    def mode(self) -> int:
        return self.info.st_mode if self.info is not None else 0

    @property
    def size(self) -> int:
        return self.info.st_size if self.info is not None else 0

    @functools.cached_property
    def checkpoint_prefix(self) -> str | None:
        return checkpoint_prefix(self.path)

    @functools.cached_property
    def head(self) -> bytes:
        """The first bytes of the file, read when a check first needs them (never for a FIFO or a device)."""
        return _first_bytes(self.path)

    @functools.cached_property
    def h5_kind(self) -> str:
        return _identify_h5(self.path)

    def named(self, *endings: str) -> bool:
        return self.name.endswith(endings)


_H5_NAMES = (".h5", ".hdf5")


def _other_tool(seen: object = None) -> str:
    return tr(
        "use the tool named above, or pass a .keras/.h5 file or SavedModel folder.",
        "请使用上面提到的工具，或传入 .keras/.h5 文件或 SavedModel 文件夹。",
    )


def _keras_named_hdf5(seen: _Seen) -> str:
    kind = tr("weights only", "仅权重") if seen.h5_kind == WEIGHTS else tr("a legacy .h5 model", "旧版 .h5 模型")
    return tr(
        f"this is an HDF5 file ({kind}) under a "
        ".keras name; a .keras file is a zip archive, so Keras reports 'File not found'.",
        f"这是一个用了 .keras 名字的 HDF5 文件（{kind}）；.keras 文件是 zip 压缩包，所以 Keras 报告 'File not found'。",
    )


def _rename_to(new_name: str) -> str:
    return tr(f"rename it to {new_name!r} and load that.", f"请把它重命名为 {new_name!r}，再加载它。")


def _hdf5_new_name(seen: _Seen) -> str:
    return _rename_to(seen.path.with_suffix(".weights.h5" if seen.h5_kind == WEIGHTS else ".h5").name)


def _nothing_there(seen: _Seen) -> str:
    """A deeper look at a path with nothing behind it: always an error (a typo, or Keras 2's ``.ckpt`` name)."""
    raise missing_file_error(seen.path)


def _not_a_name_keras_loads(seen: _Seen, container: str | None = None) -> str:
    """The problem with a file whose name Keras does not load; ``container``: what its signature says it is."""
    name = seen.path.suffix or seen.path.name
    if container is None:
        return tr(f"'{name}' is not a name Keras loads.", f"'{name}' 不是 Keras 能加载的文件名。")
    return tr(
        f"'{name}' is not a name Keras loads (the file is {container}).",
        f"'{name}' 不是 Keras 能加载的文件名（这个文件是{container}）。",
    )


#: What :func:`identify` checks, in order: the first row that applies gives the format, or the
#: problem and its fix. Nothing is read before it is needed: the first bytes only for a regular
#: file that is not empty, the inside of a zip or HDF5 file only when its name and signature agree.
_IDENTIFY: tuple[_Row[_Seen], ...] = (
    # Nothing there: a checkpoint's prefix names files that start with it, else a typo.
    _Row(lambda seen: seen.info is None and seen.checkpoint_prefix is not None, answer=CHECKPOINT),
    _Row(lambda seen: seen.info is None, answer=_nothing_there),
    _Row(lambda seen: stat.S_ISDIR(seen.mode), answer=lambda seen: _identify_folder(seen.path)),
    _Row(
        lambda seen: not stat.S_ISREG(seen.mode),
        problem=lambda seen: tr(
            f"this is {_special_file(seen.mode)}, not a regular file; it was not opened, since "
            "reading it could wait forever or never end.",
            f"这是{_special_file(seen.mode)}，不是普通文件；它没有被打开，因为读取它可能会永远等待或永不结束。",
        ),
        fix=lambda seen: tr(
            "pass the model file itself, e.g. 'model.keras'; to send a model through a pipe, save it to a file first.",
            "请传入模型文件本身，例如 'model.keras'；要通过管道传送模型，请先把它保存为文件。",
        ),
    ),
    _Row(lambda seen: seen.path.name.endswith(".index") and seen.checkpoint_prefix is not None, answer=CHECKPOINT),
    _Row(
        lambda seen: seen.size == 0,
        problem=lambda seen: tr(
            "this file is empty (0 bytes): saving was interrupted or the disk was full.",
            "这个文件是空的（0 字节）：保存被中断了，或者磁盘已满。",
        ),
        fix=lambda seen: tr(
            "save the model again and check that the file is not 0 bytes.",
            "请重新保存模型，并检查文件不是 0 字节。",
        ),
    ),
    # Shorter than a signature whose start it is: cut short.
    _Row(
        lambda seen: _cut_short(seen.head, HDF5_MAGIC),
        problem=lambda seen: _cut_problem(seen.head, tr("an HDF5 file (.h5)", " HDF5 文件（.h5）")),
        fix=lambda seen: _save_again(),
    ),
    _Row(
        lambda seen: _cut_short(seen.head, ZIP_MAGIC),
        problem=lambda seen: _cut_problem(seen.head, tr("a zip archive (.keras)", " zip 压缩包（.keras）")),
        fix=lambda seen: _save_again(),
    ),
    # A .keras name: a zip archive.
    _Row(
        lambda seen: seen.named(".keras") and seen.head.startswith(HDF5_MAGIC),
        problem=_keras_named_hdf5,
        fix=_hdf5_new_name,
    ),
    _Row(
        lambda seen: seen.named(".keras") and not seen.head.startswith(ZIP_MAGIC),
        problem=lambda seen: _not_a_model(seen.head, tr("a .keras zip archive (PK)", " .keras zip 压缩包（PK）")),
        fix=_get_it_again,
    ),
    _Row(lambda seen: seen.named(".keras"), answer=lambda seen: _identify_zip(seen.path)),
    # An .h5 name: an HDF5 file, a whole model or weights only.
    _Row(
        lambda seen: seen.named(*_H5_NAMES) and seen.head.startswith(ZIP_MAGIC),
        problem=lambda seen: tr(
            "this is a .keras file (a zip archive) under an .h5 name; h5py reports 'file signature not found'.",
            "这是一个用了 .h5 名字的 .keras 文件（zip 压缩包）；h5py 报告 'file signature not found'。",
        ),
        fix=lambda seen: _rename_to(seen.path.with_suffix(".keras").name),
    ),
    _Row(
        lambda seen: seen.named(*_H5_NAMES) and not seen.head.startswith(HDF5_MAGIC),
        problem=lambda seen: _not_a_model(seen.head, tr("an HDF5 file", " HDF5 文件")),
        fix=_get_it_again,
    ),
    _Row(lambda seen: seen.named(*_H5_NAMES), answer=lambda seen: seen.h5_kind),
    # Names of other files and tools.
    _Row(
        lambda seen: seen.named(".ckpt"),
        problem=lambda seen: tr(
            "'.ckpt' is a TensorFlow 1 / Keras 2 checkpoint name, and this file is not a checkpoint (a checkpoint "
            "is a .index file plus .data files).",
            "'.ckpt' 是 TensorFlow 1 / Keras 2 的检查点名字，而这个文件不是检查点（检查点是一个 .index 文件"
            "加上若干 .data 文件）。",
        ),
        fix=lambda seen: tr(
            "save weights with model.save_weights('model.weights.h5') or a whole model with model.save('model.keras').",
            "保存权重用 model.save_weights('model.weights.h5')，保存整个模型用 model.save('model.keras')。",
        ),
    ),
    _Row(
        lambda seen: seen.name == "saved_model.pb",
        problem=lambda seen: tr("this is one file of a SavedModel.", "这是 SavedModel 中的一个文件。"),
        fix=lambda seen: tr(
            f"pass its folder: {os.fspath(seen.path.parent)!r}.", f"请传入它的文件夹：{os.fspath(seen.path.parent)!r}。"
        ),
    ),
    _Row(
        lambda seen: seen.suffix == ".tflite",
        problem=lambda seen: tr(
            "this is a LiteRT (TFLite) model: run it with ai_edge_litert's Interpreter (notebook 12), not a Keras "
            "model.",
            "这是 LiteRT（TFLite）模型：请用 ai_edge_litert 的 Interpreter 运行它（笔记本 12），它不是 Keras 模型。",
        ),
        fix=_other_tool,
    ),
    _Row(
        lambda seen: seen.suffix == ".onnx",
        problem=lambda seen: tr(
            "this is an ONNX model: run it with onnxruntime.InferenceSession (notebook 12), not a Keras model.",
            "这是 ONNX 模型：请用 onnxruntime.InferenceSession 运行它（笔记本 12），它不是 Keras 模型。",
        ),
        fix=_other_tool,
    ),
    _Row(
        lambda seen: seen.suffix == ".txt",
        problem=lambda seen: tr(
            "this is text: weights exported by export_weights_text are read with read_weights_text, not a Keras model.",
            "这是文本：由 export_weights_text 导出的权重要用 read_weights_text 读取，它不是 Keras 模型。",
        ),
        fix=_other_tool,
    ),
    # Any other name: say what the file is, if its signature tells.
    _Row(
        lambda seen: seen.head.startswith(ZIP_MAGIC),
        problem=lambda seen: _not_a_name_keras_loads(seen, tr("a zip archive", " zip 压缩包")),
        fix=lambda seen: tr("rename it to end in '.keras'.", "请把它重命名为以 '.keras' 结尾。"),
    ),
    _Row(
        lambda seen: seen.head.startswith(HDF5_MAGIC),
        problem=lambda seen: _not_a_name_keras_loads(seen, tr("an HDF5 file", " HDF5 文件")),
        fix=lambda seen: tr("rename it to end in '.h5'.", "请把它重命名为以 '.h5' 结尾。"),
    ),
    _Row(
        _always,
        problem=lambda seen: _not_a_name_keras_loads(seen),
        fix=lambda seen: tr(f"pass {_accepted()}.", f"请传入 {_accepted()}。"),
    ),
)


def identify(path: PathLike) -> str:
    """The format key of a model file or folder (see :data:`FORMATS`), or a :class:`ModelFileError`.

    Looks at the name, the first bytes and the container, never at the weights: a complete zip
    with ``config.json`` is a ``.keras`` file, HDF5 with a model config is ``.h5`` (without one,
    weights), a folder with ``saved_model.pb`` is a SavedModel, ``*.index`` files are a checkpoint.
    For a ``.keras`` zip it also checks the declared sizes (a zip bomb is refused before anything
    is inflated), every part's CRC-32, and that ``config.json`` is a Keras model config. Special
    files (FIFOs, devices) are never opened. The checks, in order, are the rows of :data:`_IDENTIFY`.
    """
    seen = _Seen(as_path(path))
    row = _first_row(_IDENTIFY, seen)
    if row.answer is None:
        raise row.error(seen.path, seen)
    return row.text(row.answer, seen)


# --------------------------------------------------------------------------------------------
# Checksums of SavedModels and checkpoints
# --------------------------------------------------------------------------------------------


def savedmodel_signature(folder: Path) -> tuple[list[str], dict[str, Any]]:
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
            spec.update(
                name=name,
                shape=tuple(d.size if d.size >= 0 else None for d in tensor.tensor_shape.dim),
                dtype=tf.dtypes.as_dtype(tensor.dtype).name,
            )
    except Exception as error:  # protobuf's DecodeError, no graph inside, an unknown dtype
        raise ModelFileError(
            folder,
            tr(
                f"its saved_model.pb is damaged: it is not a SavedModel TensorFlow can parse ({_first_line(error)}).",
                f"它的 saved_model.pb 已损坏：它不是 TensorFlow 能解析的 SavedModel（{_first_line(error)}）。",
            ),
            _export_again(),
        ) from None
    return signatures, spec


def _export_again() -> str:
    return tr(
        "export the model again with model.export(folder), or copy the whole folder again.",
        "请用 model.export(folder) 重新导出模型，或重新复制整个文件夹。",
    )


def _first_line(error: BaseException) -> str:
    # str(KeyError("x")) is "'x'": h5py raises KeyError for some damaged headers, so take the message itself.
    text = str(error.args[0] if isinstance(error, KeyError) and error.args else error).strip()
    return text.splitlines()[0].rstrip(".") if text else type(error).__name__


def _missing_data_file(failure: _Failure) -> str:
    missing = re.search(r"([^/\\\s;]+\.data-\d+-of-\d+)", failure.text)
    if missing:
        return tr(f"its data file {missing.group(1)} is missing", f"它的数据文件 {missing.group(1)} 缺失")
    return tr(f"a file of it is missing ({failure.text})", f"它的一个文件缺失（{failure.text}）")


#: What TensorFlow's error about a checkpoint's files means, in order (the caller gives the fix).
_VARIABLE_ERRORS: tuple[_Row[_Failure], ...] = (
    _Row(
        lambda failure: "Checksum does not match" in failure.text or "checksum" in failure.text.lower(),
        problem=lambda failure: tr(
            "its variables fail their checksum (CRC-32C): bytes of a .data file changed on the disk or in a copy",
            "它的变量没有通过校验和（CRC-32C）检查：某个 .data 文件的字节在磁盘上或复制时被改变了",
        ),
    ),
    _Row(
        lambda failure: "sstable" in failure.text or "magic" in failure.text,
        problem=lambda failure: tr(
            f"its index file ({Path(failure.prefix).name}.index) is damaged ({_first_line(failure.error)})",
            f"它的索引文件（{Path(failure.prefix).name}.index）已损坏（{_first_line(failure.error)}）",
        ),
    ),
    _Row(
        lambda failure: isinstance(failure.error, tf.errors.NotFoundError) or "No such file" in failure.text,
        problem=_missing_data_file,
    ),
    _Row(
        lambda failure: "Read less bytes" in failure.text or isinstance(failure.error, tf.errors.OutOfRangeError),
        problem=lambda failure: tr(
            "a data file of it is cut short (truncated), e.g. an interrupted save or copy",
            "它的一个数据文件被截断了，例如保存或复制被中断",
        ),
    ),
    _Row(
        _always,
        problem=lambda failure: tr(
            f"TensorFlow cannot read its variables ({_first_line(failure.error)})",
            f"TensorFlow 无法读取它的变量（{_first_line(failure.error)}）",
        ),
    ),
)


def _variables_problem(prefix: str, error: Exception) -> str:
    """What TensorFlow's error about a checkpoint's files means, in words."""
    failure = _Failure(error, prefix)
    row = _first_row(_VARIABLE_ERRORS, failure)
    return row.text(row.problem, failure)


def _read_variables(path: Path, prefix: str, fix: str) -> list[str]:
    """The variable names of the checkpoint at ``prefix``, after reading each (TensorFlow checks its CRC-32C)."""
    try:
        reader = tf.train.load_checkpoint(prefix)
        names = sorted(reader.get_variable_to_shape_map())
        for name in names:
            reader.get_tensor(name)  # one at a time: memory stays at the largest variable
    except Exception as error:  # tf.errors.OpError: DataLoss, NotFound, OutOfRange
        problem = _variables_problem(prefix, error)
        raise ModelFileError(path, tr(f"{problem}.", f"{problem}。"), fix) from None
    return names


def savedmodel_fingerprint_checked(folder: Path) -> bool:
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
        raise ModelFileError(
            folder,
            tr(
                "its saved_model.pb does not match its fingerprint (the checksum in "
                "fingerprint.pb): the graph changed after export, e.g. a damaged copy or an edit.",
                "它的 saved_model.pb 与它的指纹（fingerprint.pb 中的校验和）不符："
                "计算图在导出之后被改变了，例如复制损坏或被修改过。",
            ),
            _export_again(),
        )
    return True


def _check_savedmodel(folder: Path) -> str:
    """Check a SavedModel's graph against its fingerprint and every variable's CRC-32C; say what was checked."""
    if not (folder / "variables" / "variables.index").is_file():
        raise ModelFileError(
            folder,
            tr(
                "its variables are missing (no variables/variables.index): the folder is "
                "incomplete, e.g. saved_model.pb copied without the variables folder.",
                "它的变量缺失（没有 variables/variables.index）：文件夹不完整，"
                "例如只复制了 saved_model.pb 而没有复制 variables 文件夹。",
            ),
            _export_again(),
        )
    fingerprint = savedmodel_fingerprint_checked(folder)
    _read_variables(folder, os.fspath(folder / "variables" / "variables"), _export_again())
    if fingerprint:
        return tr(
            "CRC-32C of every variable and the graph's fingerprint, checked",
            "已检查每个变量的 CRC-32C 和计算图的指纹",
        )
    return tr("CRC-32C of every variable, checked", "已检查每个变量的 CRC-32C")


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
        return {
            "file": self.path.name,
            "format": FORMATS[self.format].label,
            "written by": self.written_by,
            "layers": self.layers,
            "optimizer state": self.has_optimizer_state,
            "size (kB)": self.size_bytes / 1000,
            "checksums": self.checksums,
            "details": self.details,
        }

    def __str__(self) -> str:
        unknown = tr("unknown", "未知")
        layers = unknown if self.layers is None else str(self.layers)
        optimizer = {True: tr("yes", "有"), False: tr("no", "没有"), None: unknown}[self.has_optimizer_state]
        label, size = FORMATS[self.format].label, f"{self.size_bytes / 1000:,.1f}"
        written_by, checksums = self.written_by or unknown, self.checksums or unknown
        return tr(
            f"{self.path.name}: {label}, written by {written_by}, {layers} layers, optimizer state: {optimizer}, "
            f"{size} kB, checksums: {checksums}",
            f"{self.path.name}：{label}，由 {written_by} 写出，{layers} 层，优化器状态：{optimizer}，"
            f"{size} kB，校验和：{checksums}",
        ) + (tr(f" ({self.details})", f"（{self.details}）") if self.details else "")


def _keras_checksums() -> str:
    return tr("CRC-32 of every part, checked", "已检查每个部分的 CRC-32")


def _hdf5_checksums() -> str:
    return tr(
        "none: HDF5 stores no checksum, a changed byte inside the weights goes unnoticed",
        "无：HDF5 不存储校验和，权重中某个字节被改变也不会被发现",
    )


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
    if "Lambda" not in classes:
        return details
    return details + tr("; has a Lambda layer (needs safe_mode=False)", "；含有 Lambda 层（需要 safe_mode=False）")


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
                raise ModelFileError(
                    path,
                    tr(
                        "model.weights.h5 inside it is not an HDF5 file h5py can read "
                        f"({_first_line(error)}): the weights are damaged.",
                        f"其中的 model.weights.h5 不是 h5py 能读取的 HDF5 文件（{_first_line(error)}）：权重已损坏。",
                    ),
                    _keras_again(),
                ) from None
    classes = _layer_classes(config)
    version = metadata.get("keras_version")
    return (
        (f"Keras {version}" if version else None),
        (len(classes) or None),
        (None if optimizer_vars is None else optimizer_vars > 0),
        _model_details(config, classes),
    )


def _describe_h5(path: Path, key: str) -> tuple[str | None, int | None, bool | None, str]:
    import h5py

    again = _keras_again()
    try:
        with h5py.File(path, "r") as handle:
            version = handle.attrs.get("keras_version")
            version = version.decode() if isinstance(version, bytes) else version
            written_by = f"Keras {version}" if version else None
            optimizer = _h5_optimizer_variables(handle) > 0
            if key == WEIGHTS:
                layers = (
                    len(handle["layers"]) if "layers" in handle else len(handle.attrs.get("layer_names", [])) or None
                )
                return written_by, layers, optimizer, tr("weights only, no architecture", "仅权重，没有架构")
            if "model_config" not in handle.attrs:
                raise ModelFileError(
                    path,
                    tr(
                        "this legacy .h5 model file has no model_config attribute: its architecture is lost (the "
                        "file is damaged or was edited); its weights (model_weights) are still there.",
                        "这个旧版 .h5 模型文件没有 model_config 属性：它的架构丢失了（文件已损坏或被修改过）；"
                        "它的权重（model_weights）还在。",
                    ),
                    tr(
                        "build the same model in code and load the weights into it: load_any(path, model=model), "
                        "e.g. with model = models.build_cnn_3x3(); then save it with model.save('model.keras').",
                        "请用代码构建同样的模型，再把权重加载进去：load_any(path, model=model)，"
                        "例如先 model = models.build_cnn_3x3()；然后用 model.save('model.keras') 保存它。",
                    ),
                )
            raw = handle.attrs["model_config"]
            config = _parse_json(
                path,
                raw.decode() if isinstance(raw, bytes) else raw,
                tr("its model_config attribute", "它的 model_config 属性"),
                again,
            )
    except ModelFileError:
        raise
    except Exception as error:  # h5py: OSError, KeyError, RuntimeError for a damaged part of the file
        raise ModelFileError(
            path,
            tr(
                f"this HDF5 file is damaged: h5py cannot read part of it ({_first_line(error)}).",
                f"这个 HDF5 文件已损坏：h5py 无法读取它的一部分（{_first_line(error)}）。",
            ),
            _save_again(),
        ) from None
    problem = _config_problem(config)
    if problem is not None:
        raise ModelFileError(
            path,
            tr(
                f"its model_config attribute {problem}: the file was edited or not written by model.save.",
                f"它的 model_config 属性{problem}：文件被修改过，或不是由 model.save 写出的。",
            ),
            again,
        )
    classes = _layer_classes(config)
    return written_by, len(classes) or None, optimizer, _model_details(config, classes)


def _inspect(path: Path, key: str) -> tuple[str | None, int | None, bool | None, str, str]:
    """Read a file of format ``key`` as :func:`describe` does: who wrote it, layers, optimizer, details, checksums."""
    written_by: str | None
    if key == KERAS:
        return (*_describe_keras(path), _keras_checksums())
    if key in (H5, WEIGHTS):
        return (*_describe_h5(path, key), _hdf5_checksums())
    if key == SAVEDMODEL:
        signatures, spec = savedmodel_signature(path)
        checksums = _check_savedmodel(path)
        keras2 = (path / "keras_metadata.pb").is_file()
        written_by = f"TensorFlow {spec['tensorflow_version']}" + (" (Keras 2)" if keras2 else "")
        listed, shape, dtype = ", ".join(signatures), spec.get("shape"), spec.get("dtype")
        details = tr(f"signatures {listed}; input {shape} {dtype}", f"签名 {listed}；输入 {shape} {dtype}")
        return written_by, None, False, details, checksums
    prefix = checkpoint_prefix(path)
    if prefix is None:
        raise missing_file_error(path)
    names = _read_variables(
        path,
        prefix,
        tr(
            "save the checkpoint again, or copy all of its files again (the "
            "checkpoint file, the .index file and every .data file).",
            "请重新保存检查点，或重新复制它的所有文件（checkpoint 文件、.index 文件和每个 .data 文件）。",
        ),
    )
    values = [name for name in names if name.endswith("VARIABLE_VALUE")]
    optimizer = any("optimizer/" in name for name in values)
    details = tr(f"{len(values)} variables in {Path(prefix).name}", f"{Path(prefix).name} 中有 {len(values)} 个变量")
    return None, None, optimizer, details, tr("CRC-32C of every variable, checked", "已检查每个变量的 CRC-32C")


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
    path = as_path(path)
    key = identify(path)
    written_by, layers, optimizer, details, checksums = _inspect(path, key)
    return FileDescription(path, key, written_by, layers, optimizer, folder_size(path), details, checksums)


def describe_many(paths: Iterable[PathLike]) -> Table:
    """:func:`describe` several files as one table (a damaged one raises its :class:`ModelFileError`)."""
    return Table([describe(path).as_row() for path in paths], formats={"size (kB)": ",.1f"})


# --------------------------------------------------------------------------------------------
# Why a load failed
# --------------------------------------------------------------------------------------------


def _shape_detail(text: str) -> str:
    layer = re.search(r"object <\w+ name=(\w+)", text)
    shapes = re.search(r"variable\.shape=(\([^)]*\)), Received: value\.shape=(\([^)]*\))", text)
    if not shapes:
        return text.splitlines()[0].rstrip(".")
    name = layer.group(1) if layer else "?"
    return tr(
        f"layer {name} has a variable of shape {shapes.group(1)} but the file holds {shapes.group(2)}",
        f"层 {name} 有一个形状为 {shapes.group(1)} 的变量，但文件中存的是 {shapes.group(2)}",
    )


_UNKNOWN_CLASS = ("Could not locate", "Unknown layer", "custom_objects")


def _keras_error_line(failure: _Failure) -> str:
    """The first line of Keras' own message (or its type's name): quoted as it is, in English."""
    return failure.text.splitlines()[0] if failure.text else type(failure.error).__name__


#: Keras' errors while loading a file that :func:`identify` accepted, in order: why, and what to do.
_LOAD_ERRORS: tuple[_Row[_Failure], ...] = (
    _Row(
        lambda failure: "Lambda" in failure.text and "safe_mode" in failure.text,
        problem=lambda failure: tr(
            "the model contains a Lambda layer, i.e. Python code stored in the file. Loading it runs that code, "
            "and a file from someone else could run anything on your computer, so safe mode refuses it.",
            "这个模型含有 Lambda 层，也就是存放在文件中的 Python 代码。加载它就会运行这段代码，"
            "而别人给的文件可能在你的计算机上运行任何东西，所以安全模式拒绝加载它。",
        ),
        fix=lambda failure: tr(
            "load it only if you trust where the file comes from: load_any(path, safe_mode=False) or "
            "keras.models.load_model(path, safe_mode=False). Better: replace the Lambda with a named custom layer.",
            "只有在你信任文件来源时才加载它：load_any(path, safe_mode=False) 或 "
            "keras.models.load_model(path, safe_mode=False)。更好的做法：用一个有名字的自定义层替换 Lambda。",
        ),
    ),
    _Row(
        lambda failure: any(words in failure.text for words in _UNKNOWN_CLASS),
        problem=lambda failure: tr(
            f"the model uses a class Keras does not know ({failure.text.splitlines()[0]}).",
            f"这个模型用到了 Keras 不认识的类（{failure.text.splitlines()[0]}）。",
        ),
        fix=lambda failure: tr(
            "import the Python code that defines it (decorated with @keras.saving.register_keras_serializable()) "
            "or pass custom_objects={...}.",
            "请导入定义它的 Python 代码（用 @keras.saving.register_keras_serializable() 装饰），"
            "或传入 custom_objects={...}。",
        ),
    ),
    _Row(
        lambda failure: (
            "shape" in failure.text or "could not be loaded" in failure.text or "mismatch" in failure.text.lower()
        ),
        problem=lambda failure: tr(
            f"the saved weights do not fit this model: {_shape_detail(failure.text)}.",
            f"保存的权重与这个模型不符：{_shape_detail(failure.text)}。",
        ),
        fix=lambda failure: tr(
            "build the model with exactly the code and options that saved the weights.",
            "请用保存这些权重时完全相同的代码和选项构建模型。",
        ),
    ),
    _Row(
        _always,
        problem=lambda failure: tr(
            f"Keras could not load it: {_keras_error_line(failure)}", f"Keras 无法加载它：{_keras_error_line(failure)}"
        ),
        fix=lambda failure: tr(
            "save the model again with model.save('model.keras'), or see the error above.",
            "请用 model.save('model.keras') 重新保存模型，或查看上面的错误信息。",
        ),
    ),
)


def _explain_load_error(path: Path, error: Exception) -> ModelFileError:
    """Turn Keras' message into one that says why and what to do (the rows of :data:`_LOAD_ERRORS`)."""
    failure = _Failure(error)
    return _first_row(_LOAD_ERRORS, failure).error(path, failure)


def diagnose_load_error(path: Path, key: str, error: Exception) -> ModelFileError:
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
