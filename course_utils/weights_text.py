"""A model's weights as plain text: every variable's name, shape and values, in a file any program can read.

Notebook 07, section 9: :func:`export_weights_text` writes the file, :func:`read_weights_text`
reads it back as ``{variable path: float32 array}`` and :func:`load_weights_text` puts the
numbers into a model built by the same code. Nine significant digits give back exactly the same
float32 numbers; fewer make the file smaller and the weights rounded (exercise 7.2).
A damaged or edited file raises :class:`~course_utils.model_files.ModelFileError`.
"""

from __future__ import annotations

import io
from pathlib import Path

import keras
import numpy as np

from course_utils.config import PathLike
from course_utils.language import tr
from course_utils.model_files import ModelFileError, missing_file_error

_TEXT_HEADER = "# Keras weights as text (course_utils.weights_text.export_weights_text)."


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
    lines = [
        _TEXT_HEADER,
        f"# model {model.name!r}, {len(variables)} variables, {total:,} values, {precision} significant digits.",
        "# Each block: 'variable <name> shape <d1>x<d2>...', then one line per row of the last axis.",
    ]
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
        raise missing_file_error(path)
    result: dict[str, np.ndarray] = {}
    name: str | None = None
    shape: tuple[int, ...] = ()
    values: list[float] = []
    for number, line in enumerate(io.StringIO(path.read_text(encoding="utf-8")), start=1):
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("variable "):
            if name is not None:
                result[name] = _as_array(path, name, shape, values)
            name, shape = _variable_line(path, number, line)
            values = []
        elif name is None:
            raise ModelFileError(
                path,
                tr(
                    f"line {number} has values before any 'variable' line.",
                    f"第 {number} 行在任何 'variable' 行之前就出现了数值。",
                ),
                tr(
                    "pass a file written by export_weights_text(model, path).",
                    "请传入由 export_weights_text(model, path) 写出的文件。",
                ),
            )
        else:
            values.extend(_numbers(path, number, line))
    if name is not None:
        result[name] = _as_array(path, name, shape, values)
    return result


def _export_again() -> str:
    return tr(
        "export the weights again with export_weights_text(model, path).",
        "请用 export_weights_text(model, path) 重新导出权重。",
    )


def _variable_line(path: Path, number: int, line: str) -> tuple[str, tuple[int, ...]]:
    """The name and shape on a line ``variable <name> shape <d1>x<d2>...``."""
    parts = line.split()
    if len(parts) != 4 or parts[2] != "shape":
        raise ModelFileError(
            path,
            tr(
                f"line {number} is not 'variable <name> shape <dims>'.",
                f"第 {number} 行不是 'variable <name> shape <dims>' 的格式。",
            ),
            _export_again(),
        )
    return parts[1], () if parts[3] == "()" else tuple(int(d) for d in parts[3].split("x"))


def _numbers(path: Path, number: int, line: str) -> list[float]:
    try:
        return [float(token) for token in line.split()]
    except ValueError:
        raise ModelFileError(
            path,
            tr(f"line {number} holds something that is not a number.", f"第 {number} 行含有不是数字的内容。"),
            _export_again(),
        ) from None


def _as_array(path: Path, name: str, shape: tuple[int, ...], values: list[float]) -> np.ndarray:
    """One variable's values as a float32 array of its shape; an error if the file holds too few or too many."""
    array = np.array(values, dtype=np.float32)
    if array.size != int(np.prod(shape)):
        raise ModelFileError(
            path,
            tr(
                f"variable {name} has {array.size} values, its shape {shape} needs "
                f"{int(np.prod(shape))}: the file is cut short or edited.",
                f"变量 {name} 有 {array.size} 个数值，而它的形状 {shape} 需要 "
                f"{int(np.prod(shape))} 个：文件被截断或被修改过。",
            ),
            _export_again(),
        )
    return array.reshape(shape)


def load_weights_text(model: keras.Model, path: PathLike) -> keras.Model:
    """Assign the values of a weights text file to ``model``'s variables (all of them), matched by name."""
    weights = read_weights_text(path)
    names = {variable.path for variable in model.weights}
    if names != set(weights):
        missing, extra = sorted(names - set(weights)), sorted(set(weights) - names)
        raise ModelFileError(
            path,
            tr(
                f"the names do not match this model (missing {missing[:3]}, unexpected {extra[:3]}).",
                f"变量名与这个模型不符（缺少 {missing[:3]}，多出 {extra[:3]}）。",
            ),
            tr(
                "build the model with the same code (and name) that exported it.",
                "请用导出它时的同一段代码（和同一个模型名）构建模型。",
            ),
        )
    for variable in model.weights:
        if tuple(variable.shape) != weights[variable.path].shape:
            raise ModelFileError(
                path,
                tr(
                    f"{variable.path} has shape {weights[variable.path].shape} in the file but "
                    f"{tuple(variable.shape)} in the model.",
                    f"{variable.path} 在文件中的形状是 {weights[variable.path].shape}，"
                    f"在模型中却是 {tuple(variable.shape)}。",
                ),
                tr("build the model with the same options.", "请用相同的选项构建模型。"),
            )
        variable.assign(weights[variable.path])
    return model
