"""Deployment formats for a trained Keras model: convert, run like Keras, compare, measured.

* :func:`to_litert` writes a LiteRT (TensorFlow Lite) ``.tflite`` file, optionally quantised:
  ``"dynamic"`` (int8 weights), ``"float16"`` (half-size weights) or ``"int8"`` (weights *and*
  activations in 8-bit integers, calibrated on a few hundred representative images).
* :func:`to_onnx` writes an ONNX file (``model.export(path, format="onnx")``, through tf2onnx).
* :class:`LiteRTModel` and :class:`OnnxModel` load those files and offer ``predict(x)``: give them
  the same float32 batch you give the Keras model and get the same (N, 10) probabilities back,
  whatever the file's input type and quantisation.
* :func:`compare_deployments` converts one model to every format and measures size, conversion
  time, accuracy, difference from Keras, latency at batch 1 and throughput at batch 256.

Timings use ``measuring.median_seconds``: calls before the measurement are warm-up (first-call
tracing, memory allocation), and the median of several repeats ignores the odd slow repeat
on a busy machine. ``benchmarks/deployment.py`` runs the comparison at full size.
"""

from __future__ import annotations

import functools
import shutil
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import keras
import numpy as np

from course_utils import keras_internals, measuring, native_logs
from course_utils.config import PathLike
from course_utils.language import tr
from course_utils.tables import Table

# LiteRT's "Created TensorFlow Lite XNNPACK delegate" and the int8 quantiser's "fully_quantize: ..."
# lines would land in lessons as red stderr boxes, also from a lesson's own model.export and
# Interpreter calls: used up or filtered here, once (see native_logs.quiet_litert).
native_logs.quiet_litert()
# Keras' tf2onnx patch (model.export(..., format="onnx")) probes np.object, which NumPy 2 answers
# with a FutureWarning about NumPy's future, not the student's code: that one warning, from there only.
warnings.filterwarnings("ignore", message=r"In the future `np\.object` will be defined", category=FutureWarning,
                        module=r"keras\.src\.export\.tf2onnx_lib")

Quantization = Literal["dynamic", "float16", "int8"] | None
QUANTIZATIONS = (None, "dynamic", "float16", "int8")
#: How many representative images int8 calibration uses at most.
CALIBRATION_SIZE = 500


# --------------------------------------------------------------------------------------------
# Converting
# --------------------------------------------------------------------------------------------


def _float32_layers(config: Any) -> Any:
    """``config`` with every layer's dtype policy replaced by ``"float32"`` (nested models included)."""
    if isinstance(config, list):
        return [_float32_layers(item) for item in config]
    if not isinstance(config, dict):
        return config
    rewritten = {}
    for key, value in config.items():
        is_policy = isinstance(value, dict) and "DTypePolicy" in str(value.get("class_name", ""))
        if key == "dtype" and (is_policy or value in MIXED_POLICIES):
            rewritten[key] = "float32"
        else:
            rewritten[key] = _float32_layers(value)
    return rewritten


#: Keras dtype policies that compute in 16 bits while keeping float32 weights.
MIXED_POLICIES = ("mixed_bfloat16", "mixed_float16", "bfloat16", "float16")


def is_float32(model: keras.Model) -> bool:
    """True when every layer of ``model`` (nested models too) computes in float32."""
    return all(layer.dtype_policy.compute_dtype == "float32" for layer in keras_internals.flatten_layers(model))


def float32_copy(model: keras.Model) -> keras.Model:
    """The same model with float32 layers: what LiteRT and ONNX converters need (``model`` if it is already).

    Mixed precision keeps the *weights* in float32 and only computes in 16 bits, so the copy
    gets exactly the trained weights; its predictions differ from the mixed model's only by the
    16-bit rounding that the copy no longer does. LiteRT's converter refuses bfloat16 operations
    and ONNX Runtime refuses bfloat16 convolutions, so the deployment helpers call this first.
    """
    if is_float32(model):
        return model
    previous = keras.mixed_precision.global_policy()
    try:
        keras.mixed_precision.set_global_policy("float32")  # for what the config leaves to the global policy
        copy = model.__class__.from_config(_float32_layers(model.get_config()))
    except (NotImplementedError, TypeError, ValueError) as error:
        raise ValueError(
            tr(
                f"Could not rebuild {model.name!r} with float32 layers ({error}). Rebuild it yourself after "
                "keras.mixed_precision.set_global_policy('float32') and copy the weights with "
                "copy.set_weights(model.get_weights()).",
                f"无法用 float32 层重建 {model.name!r}（{error}）。请在 "
                "keras.mixed_precision.set_global_policy('float32') 之后自己重建它，再用 "
                "copy.set_weights(model.get_weights()) 复制权重。",
            )
        ) from error
    finally:
        keras.mixed_precision.set_global_policy(previous)
    copy.set_weights(model.get_weights())
    # Exporters ask for a model that has been called once; a zero batch traces it.
    copy(np.zeros((1, *model.input_shape[1:]), dtype=np.float32), training=False)
    return copy


def agreement_tolerance(model: keras.Model) -> float:
    """The largest change of a probability that a float deployment file may show against ``model``.

    A float32 model and its LiteRT float32/float16, ONNX and SavedModel files compute the same
    arithmetic in a different order: they agree within ``1e-3``. A mixed-precision model rounds
    every layer's inputs to 16 bits, and its files compute in float32 (:func:`float32_copy`):
    they then differ by that rounding too, which grows through the layers: ``5e-2`` for bfloat16
    (8 significant bits), ``1e-2`` for float16 (11 bits). ``tests/test_export.py`` and
    ``tests/test_mixed_precision.py`` hold every format to these numbers.
    """
    compute_dtypes = {layer.dtype_policy.compute_dtype for layer in keras_internals.flatten_layers(model)}
    if "bfloat16" in compute_dtypes:
        return 5e-2
    if "float16" in compute_dtypes:
        return 1e-2
    return 1e-3


def representative_dataset(images: np.ndarray | Callable[[], Iterable[Any]],
                           limit: int = CALIBRATION_SIZE) -> Callable[[], Iterator[list[np.ndarray]]]:
    """The generator function the LiteRT converter calibrates int8 ranges with.

    ``images``: a float32 batch like the training input (N, 28, 28, 1), of which the first
    ``limit`` are used one at a time, or an already written generator function (returned as is).
    """
    if callable(images):
        return images  # type: ignore[return-value]
    array = np.asarray(images)
    if array.ndim < 2 or len(array) == 0:
        raise ValueError(
            tr(
                f"representative images must be a non-empty batch (N, ...), got shape {array.shape}",
                f"代表性图像必须是非空的批次 (N, ...)，得到的形状却是 {array.shape}",
            )
        )
    check_float_images(array, tr("representative images", "代表性图像"))
    array = array[:limit].astype(np.float32)

    def generate() -> Iterator[list[np.ndarray]]:
        for index in range(len(array)):
            yield [array[index : index + 1]]

    return generate


def litert_options(quantization: Quantization = None,
                   representative: np.ndarray | Callable[[], Iterable[Any]] | None = None) -> dict[str, Any]:
    """The converter settings for one quantisation (what ``model.export(..., format="litert")`` takes).

    ===========  ==================================================================
    None         float32 weights and arithmetic, as trained
    "dynamic"    weights stored as int8; activations quantised on the fly per call
    "float16"    weights stored as float16, computed in float32
    "int8"       weights and activations int8, uint8 input and output; needs
                 ``representative`` images to measure each activation's range
    ===========  ==================================================================
    """
    import tensorflow as tf

    if quantization not in QUANTIZATIONS:
        raise ValueError(
            tr(
                f"quantization must be one of {QUANTIZATIONS}, not {quantization!r}",
                f"quantization 必须是 {QUANTIZATIONS} 之一，而不是 {quantization!r}",
            )
        )
    if quantization is None:
        return {}
    options: dict[str, Any] = {"optimizations": [tf.lite.Optimize.DEFAULT]}
    if quantization == "float16":
        options["target_spec"] = {"supported_types": [tf.float16]}
    elif quantization == "int8":
        if representative is None:
            raise ValueError(
                tr(
                    'quantization="int8" needs representative=... : a few hundred *training* images, from which '
                    "the converter measures the range of every activation (calibrating on test images would leak "
                    "them).",
                    'quantization="int8" 需要 representative=...：几百张*训练*图像，转换器用它们测量每个激活值的范围'
                    "（用测试图像校准会泄露测试集）。",
                )
            )
        options.update(
            representative_dataset=representative_dataset(representative),
            target_spec={"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]},
            inference_input_type=tf.uint8,
            inference_output_type=tf.uint8,
        )
    return options


def to_litert(model: keras.Model, path: PathLike, quantization: Quantization = None,
              representative: np.ndarray | Callable[[], Iterable[Any]] | None = None) -> Path:
    """Convert ``model`` to a LiteRT file at ``path`` (``.tflite``); return the path.

    The lesson's call is ``model.export(path, format="litert", **litert_options(...))``: Keras
    writes a SavedModel to a temporary folder and runs TensorFlow's LiteRT converter on it. A
    mixed-precision model is converted as its :func:`float32_copy` (LiteRT has no bfloat16 kernels).
    """
    path = Path(path)
    if path.suffix != ".tflite":
        raise ValueError(
            tr(
                f"a LiteRT file must end in .tflite, got {path.name!r}",
                f"LiteRT 文件必须以 .tflite 结尾，得到的却是 {path.name!r}",
            )
        )
    options = litert_options(quantization, representative)
    path.parent.mkdir(parents=True, exist_ok=True)
    with native_logs.filtered_stderr():  # the converter's chatter (real errors raise, and are written back)
        float32_copy(model).export(path, format="litert", verbose=False, **options)
    return path


def to_onnx(model: keras.Model, path: PathLike, opset: int | None = None) -> Path:
    """Convert ``model`` to ONNX at ``path`` (``.onnx``) with ``model.export``; return the path.

    ``opset`` is the ONNX operator-set version (None: tf2onnx's default). A mixed-precision model
    is exported as its :func:`float32_copy` (ONNX Runtime has no bfloat16 convolutions).
    """
    path = Path(path)
    if path.suffix != ".onnx":
        raise ValueError(
            tr(
                f"an ONNX file must end in .onnx, got {path.name!r}",
                f"ONNX 文件必须以 .onnx 结尾，得到的却是 {path.name!r}",
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # Keras' tf2onnx patch probes np.object, which NumPy 2 answers with a FutureWarning (the
        # filter at the top of this module does the same for a lesson's own model.export).
        warnings.filterwarnings("ignore", category=FutureWarning)
        float32_copy(model).export(path, format="onnx", verbose=False, opset_version=opset)
    return path


# --------------------------------------------------------------------------------------------
# Running converted models like a Keras model
# --------------------------------------------------------------------------------------------


def check_float_images(x: np.ndarray, what: str | None = None) -> None:
    """Refuse integer pixels: the course's models take float32 in [0, 1] (``data.prepare``).

    ``what`` names the array in the message (default: "input", in the current language).
    """
    what = tr("input", "输入") if what is None else what
    if x.dtype.kind in "iub":
        raise TypeError(
            tr(
                f"{what} has dtype {x.dtype}; the model takes float32 pixels in [0, 1]. "
                "Scale uint8 images first: data.prepare(images) (or images.astype('float32') / 255).",
                f"“{what}”的 dtype 是 {x.dtype}；模型接受 [0, 1] 范围内的 float32 像素。"
                "请先缩放 uint8 图像：data.prepare(images)（或 images.astype('float32') / 255）。",
            )
        )
    if x.dtype.kind != "f":
        raise TypeError(
            tr(
                f"{what} has dtype {x.dtype}; expected float32 images",
                f"“{what}”的 dtype 是 {x.dtype}；需要 float32 图像",
            )
        )


def check_batch_shape(x: np.ndarray, expected: Sequence[int], what: str | None = None) -> None:
    """Refuse anything but a batch (N, *expected), with a hint for the usual mistakes.

    ``what`` names the array in the message (default: "input", in the current language).
    """
    what = tr("input", "输入") if what is None else what
    expected = tuple(int(n) for n in expected)
    if x.ndim == len(expected) + 1 and tuple(x.shape[1:]) == expected:
        return
    hint = ""
    if tuple(x.shape) == expected:
        hint = tr(
            " This is one image without the batch axis: use x[np.newaxis] (shape (1, ...)).",
            "这是一张没有批次轴的图像：请用 x[np.newaxis]（形状 (1, ...)）。",
        )
    elif x.ndim == len(expected) and tuple(x.shape[1:]) == expected[:-1]:
        hint = tr(
            " The channel axis is missing: use data.add_channel_axis(x) or x[..., np.newaxis].",
            "缺少通道轴：请用 data.add_channel_axis(x) 或 x[..., np.newaxis]。",
        )
    dims = ", ".join(map(str, expected))
    raise ValueError(
        tr(
            f"{what} has shape {tuple(x.shape)}; expected a batch (N, {dims}).{hint}",
            f"“{what}”的形状是 {tuple(x.shape)}；需要一个批次 (N, {dims})。{hint}",
        )
    )


class LiteRTModel:
    """A ``.tflite`` file run by LiteRT's interpreter (``ai_edge_litert``), called like Keras.

    ``predict(x)`` takes float32 images (N, 28, 28, 1) in [0, 1] and returns float32
    probabilities (N, 10). For a full-int8 file it quantises the input to the file's uint8
    scale and zero point and dequantises the output; the batch size is resized as needed.
    """

    def __init__(self, path: PathLike, num_threads: int | None = None) -> None:
        from ai_edge_litert.interpreter import Interpreter

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(tr(f"No LiteRT file at {self.path}", f"{self.path} 处没有 LiteRT 文件"))
        self.interpreter = Interpreter(model_path=str(self.path), num_threads=num_threads)
        self.interpreter.allocate_tensors()
        self.input_details = self.interpreter.get_input_details()[0]
        self.output_details = self.interpreter.get_output_details()[0]
        self.input_index = self.input_details["index"]
        self.output_index = self.output_details["index"]
        self.input_shape = tuple(int(n) for n in self.input_details["shape_signature"][1:])
        self.input_dtype = np.dtype(self.input_details["dtype"])
        self._batch = int(self.input_details["shape"][0])

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size

    @property
    def input_quantization(self) -> tuple[float, int]:
        """(scale, zero point) of the input; (0.0, 0) when the input is float."""
        scale, zero_point = self.input_details["quantization"]
        return float(scale), int(zero_point)

    @property
    def output_quantization(self) -> tuple[float, int]:
        scale, zero_point = self.output_details["quantization"]
        return float(scale), int(zero_point)

    def quantize_input(self, x: np.ndarray) -> np.ndarray:
        """Float images to the file's input type: ``q = round(x / scale) + zero_point`` for integers."""
        if self.input_dtype.kind == "f":
            return x.astype(self.input_dtype, copy=False)
        scale, zero_point = self.input_quantization
        info = np.iinfo(self.input_dtype)
        low, high = (info.min - zero_point) * scale, (info.max - zero_point) * scale
        if x.size and (x.min() < low - scale or x.max() > high + scale):
            raise ValueError(
                tr(
                    f"input values span [{x.min():.3g}, {x.max():.3g}] but this int8 model's {self.input_dtype} "
                    f"input represents only [{low:.3g}, {high:.3g}] (scale {scale:.6g}, zero point {zero_point}). "
                    "Give float pixels scaled like the training data (data.prepare).",
                    f"输入值的范围是 [{x.min():.3g}, {x.max():.3g}]，但这个 int8 模型的 {self.input_dtype} 输入"
                    f"只能表示 [{low:.3g}, {high:.3g}]（缩放因子 {scale:.6g}，零点 {zero_point}）。"
                    "请传入与训练数据同样缩放的浮点像素（data.prepare）。",
                )
            )
        quantized = np.round(x / scale) + zero_point
        return np.clip(quantized, info.min, info.max).astype(self.input_dtype)

    def dequantize_output(self, q: np.ndarray) -> np.ndarray:
        """The file's output as float32: ``(q - zero_point) * scale`` for integer outputs."""
        if q.dtype.kind == "f":
            return q.astype(np.float32, copy=False)
        scale, zero_point = self.output_quantization
        return ((q.astype(np.float32) - zero_point) * scale).astype(np.float32)

    def _run(self, batch: np.ndarray) -> np.ndarray:
        if len(batch) != self._batch:
            self.interpreter.resize_tensor_input(self.input_index, [len(batch), *self.input_shape])
            self.interpreter.allocate_tensors()
            self._batch = len(batch)
        self.interpreter.set_tensor(self.input_index, batch)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output_index)

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Probabilities for a float32 batch, ``batch_size`` images per interpreter call."""
        x = np.asarray(x)
        check_float_images(x)
        check_batch_shape(x, self.input_shape)
        if len(x) == 0:
            return np.zeros((0, *self.output_details["shape_signature"][1:]), np.float32)
        x = self.quantize_input(x)
        outputs = [self._run(x[start : start + batch_size]) for start in range(0, len(x), batch_size)]
        return self.dequantize_output(np.concatenate(outputs))

    def __repr__(self) -> str:
        return f"LiteRTModel({self.path.name!r}, input {self.input_dtype.name} {self.input_shape})"


class OnnxModel:
    """An ``.onnx`` file run by ONNX Runtime on the CPU, called like Keras: ``predict(x)``."""

    def __init__(self, path: PathLike) -> None:
        import onnxruntime

        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(tr(f"No ONNX file at {self.path}", f"{self.path} 处没有 ONNX 文件"))
        self.session = onnxruntime.InferenceSession(str(self.path), providers=["CPUExecutionProvider"])
        first = self.session.get_inputs()[0]
        self.input_name = first.name
        self.input_shape = tuple(int(n) for n in first.shape[1:])

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Probabilities for a float32 batch, ``batch_size`` images per call."""
        x = np.asarray(x)
        check_float_images(x)
        check_batch_shape(x, self.input_shape)
        x = x.astype(np.float32, copy=False)
        outputs = [
            self.session.run(None, {self.input_name: x[start : start + batch_size]})[0]
            for start in range(0, len(x), batch_size)
        ]
        return np.concatenate(outputs) if outputs else np.zeros((0, 10), np.float32)

    def __repr__(self) -> str:
        return f"OnnxModel({self.path.name!r}, input float32 {self.input_shape})"


# --------------------------------------------------------------------------------------------
# Measuring every format (the helpers that time and weigh are in measuring)
# --------------------------------------------------------------------------------------------


def in_batches(call: Callable[[np.ndarray], Any], batch_size: int = 256) -> Callable[[np.ndarray], np.ndarray]:
    """Turn a function of one batch into a ``predict(x)`` that feeds ``batch_size`` images at a time."""

    def predict(x: np.ndarray) -> np.ndarray:
        starts = range(0, len(x), batch_size)
        return np.concatenate([np.asarray(call(x[start : start + batch_size])) for start in starts])

    return predict


def _deploy(name: str, model: keras.Model, folder: Path, representative: np.ndarray | None,
            batch_size: int) -> tuple[Callable[[np.ndarray], np.ndarray], Path, float | None]:
    """Convert ``model`` for one row of the comparison: ``(predict, file or folder, conversion seconds)``."""
    if name == "Keras predict":
        return (lambda x: model.predict(x, batch_size=batch_size, verbose=0)), folder / "model.keras", None
    if name == "Keras model(x)":
        return in_batches(lambda x: model(x, training=False), batch_size), folder / "model.keras", None
    start = time.perf_counter()
    if name == "SavedModel":
        import tensorflow as tf

        path = folder / "saved_model"
        model.export(path, verbose=False)
        seconds = time.perf_counter() - start
        loaded = tf.saved_model.load(str(path))  # keep the object: its variables live as long as it does
        return in_batches(lambda x: loaded.serve(tf.constant(x, dtype=tf.float32)), batch_size), path, seconds
    if name.startswith("LiteRT"):
        kind = name.split()[1]
        quantization: Quantization = None if kind == "float32" else kind  # type: ignore[assignment]
        path = to_litert(model, folder / f"model_{kind}.tflite", quantization, representative)
        return LiteRTModel(path).predict, path, time.perf_counter() - start
    path = to_onnx(model, folder / "model.onnx")
    return OnnxModel(path).predict, path, time.perf_counter() - start


#: The rows :func:`compare_deployments` can measure, in table order.
FORMATS = (
    "Keras predict",
    "Keras model(x)",
    "SavedModel",
    "LiteRT float32",
    "LiteRT dynamic",
    "LiteRT float16",
    "LiteRT int8",
    "ONNX",
)
TABLE_FORMATS = {
    "size (kB)": ",.1f",
    "convert (s)": ".2f",
    "accuracy": ".2%",
    "max |Δ|": ".1e",
    "ms / image (batch 1)": ".3f",
    "images / s (batch 256)": ",.0f",
}


def compare_deployments(
    model: keras.Model,
    x_test: np.ndarray,
    y_test: np.ndarray,
    representative: np.ndarray | None = None,
    folder: PathLike | None = None,
    formats: Sequence[str] = FORMATS,
    repeats: int = 7,
    throughput_batch: int = 256,
) -> Table:
    """Convert ``model`` to each format and measure it; one row per format.

    Columns: file size, conversion seconds (None for the Keras rows), accuracy on
    ``(x_test, y_test)``, the largest absolute difference of any probability from
    ``model.predict``, median milliseconds per image at batch 1, and images per second at
    batch ``throughput_batch``.

    Args:
        model: The trained model; it is also saved as ``model.keras`` in ``folder`` (the Keras rows' size).
        x_test: Test images, float32 in [0, 1], a batch shaped like the model's input.
        y_test: Their labels (0-9).
        representative: A few hundred *training* images, which "LiteRT int8" calibrates on (needed
            for that format, a ``ValueError`` without them); the other formats ignore it.
        folder: Where the converted files go; None: a temporary folder, deleted afterwards.
        formats: The rows to measure, in this order: names from :data:`FORMATS` (default: all).
        repeats: Timed repeats of each speed measurement; the median counts (:func:`measuring.median_seconds`).
        throughput_batch: Images per call for the throughput column (``x_test`` repeated to fill it
            when shorter), and the batch size of ``model.predict`` and of the Keras and SavedModel rows.

    Returns:
        A :class:`~course_utils.tables.Table`, one row per format, with the columns above.
    """
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise ValueError(
            tr(
                f"unknown formats {unknown}; choose from {list(FORMATS)}",
                f"未知的格式 {unknown}；请从 {list(FORMATS)} 中选择",
            )
        )
    if "LiteRT int8" in formats and representative is None:
        raise ValueError(
            tr(
                "'LiteRT int8' needs representative=... (a few hundred training images) to calibrate.",
                "'LiteRT int8' 需要 representative=...（几百张训练图像）来校准。",
            )
        )
    x_test = np.asarray(x_test)
    check_float_images(x_test, "x_test")
    check_batch_shape(x_test, model.input_shape[1:], "x_test")
    x_test = x_test.astype(np.float32, copy=False)
    temporary = folder is None
    folder = Path(folder) if folder is not None else Path(_temporary_folder())
    folder.mkdir(parents=True, exist_ok=True)

    reference = model.predict(x_test, batch_size=throughput_batch, verbose=0)
    model.save(folder / "model.keras")
    one_image = x_test[:1]
    big_batch = np.resize(x_test, (throughput_batch, *x_test.shape[1:]))  # repeats x_test if it is short

    rows = []
    try:
        for name in formats:
            predict, path, convert_seconds = _deploy(name, model, folder, representative, throughput_batch)
            probabilities = predict(x_test)
            latency = measuring.median_seconds(functools.partial(predict, one_image), repeats=repeats)
            batch_seconds = measuring.median_seconds(functools.partial(predict, big_batch), repeats=repeats, warmup=1)
            rows.append({
                "format": name,
                "size (kB)": measuring.folder_size(path) / 1000,
                "convert (s)": convert_seconds,
                "accuracy": measuring.accuracy(y_test, probabilities),
                "max |Δ|": float(np.max(np.abs(probabilities - reference))),
                "ms / image (batch 1)": latency * 1000,
                "images / s (batch 256)": throughput_batch / batch_seconds,
            })
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    title = tr(f"Deployment formats on {len(x_test):,} test digits", f"部署格式（{len(x_test):,} 个测试数字）")
    return Table(rows, formats=TABLE_FORMATS, title=title)


def _temporary_folder() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="deployments-")


def speed_ratio(table: Table, slow: str = "Keras predict", fast: str = "LiteRT int8") -> float:
    """How many times faster ``fast`` is per image at batch 1 than ``slow`` (from a comparison table)."""
    column = "ms / image (batch 1)"
    return float(table.find("format", slow)[column] / table.find("format", fast)[column])


def _short_number(value: float) -> str:
    """1163.2 -> "1,163"; 16.14 -> "16.1"; 0.0923 -> "0.092"."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) >= 1 else f"{value:.2g}"


def plot_deployments(table: Table) -> Any:
    """Three panels from a comparison table: file size, latency at batch 1 (log scale), accuracy."""
    import matplotlib.pyplot as plt

    from course_utils import plots

    plots.use_cjk_font()  # after the usual font: Chinese labels get their characters, English ones look as before
    names = table.column("format")
    panels = [
        ("size (kB)", tr("file size (kB)", "文件大小（kB）"), False),
        ("ms / image (batch 1)", tr("ms per image at batch 1 (log)", "批大小 1 时每张图像的毫秒数（对数坐标）"), True),
        ("accuracy", tr("test accuracy (%)", "测试准确率（%）"), False),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(13, 0.45 * len(names) + 1.4), sharey=True)
    positions = np.arange(len(names))
    colours = ["tab:grey" if n.startswith(("Keras", "SavedModel")) else "tab:blue" if n.startswith("LiteRT")
               else "tab:orange" for n in names]
    for ax, (column, label, log) in zip(axes, panels, strict=True):
        values = np.array(table.column(column), dtype=float)
        if column == "accuracy":
            values = values * 100
        ax.barh(positions, values, color=colours)
        ax.set_xlabel(label)
        if log:
            ax.set_xscale("log")
        if column == "accuracy":
            spread = max(values.max() - values.min(), 0.5)
            ax.set_xlim(values.min() - 2 * spread, min(100.0, values.max() + spread))
        for y, value in zip(positions, values, strict=True):
            ax.annotate(_short_number(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center",
                        fontsize=8)
    axes[0].set_yticks(positions, names)
    axes[0].invert_yaxis()
    fig.tight_layout()
    return fig
