"""Training as fast as the machine allows: input pipeline, steps per execution, mixed precision.

Notebook 04 teaches plain ``model.fit(x, y, batch_size=64)``; from notebook 09 on the lessons
train with :func:`fit_fast`, which gives the same ``History`` with the same keys, faster:

* a ``tf.data`` pipeline (cache, shuffle each epoch, batch, prefetch) instead of NumPy slicing;
* a larger batch (256) with the learning rate scaled to match (:func:`scaled_learning_rate`);
* ``steps_per_execution`` so Keras runs several batches per call into TensorFlow;
* mixed precision **only where the hardware runs it natively** (:func:`choose_precision`):
  bfloat16 on CPUs with AVX-512 BF16 or AMX, float16/bfloat16 on recent NVIDIA GPUs. On other
  CPUs bfloat16 is emulated and slower, so float32 stays. ``COURSE_PRECISION`` (read by
  ``config.precision``) forces a policy instead, which is how the tests cover the path this
  machine would not take (:func:`fast_precision`).

``benchmarks/throughput.py`` measures the speed-up against plain fit; ``docs/performance.md``
has the numbers.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from course_utils import config
from course_utils.language import tr

DEFAULT_BATCH_SIZE = 256
DEFAULT_STEPS_PER_EXECUTION = 32
#: The batch size plain lessons use; learning rates below are tuned for it.
REFERENCE_BATCH_SIZE = 64
#: Adam's default learning rate, the one plain lessons use at batch 64.
REFERENCE_LEARNING_RATE = 1e-3

BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


@dataclass(frozen=True)
class Hardware:
    """What the precision choice depends on."""

    cpu_flags: frozenset[str]
    gpu_compute_capabilities: tuple[tuple[int, int], ...]
    machine: str

    @property
    def cpu_has_bf16(self) -> bool:
        return bool(self.cpu_flags & BF16_CPU_FLAGS) or "bf16" in self.cpu_flags


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """CPU feature flags (Linux ``/proc/cpuinfo``; macOS ``sysctl``); empty when unknown."""
    try:
        for line in cpuinfo.read_text().splitlines():
            # x86 lists "flags", ARM lists "Features" (where "bf16" means BF16 instructions).
            key, _, value = line.partition(":")
            if key.strip() in ("flags", "Features"):
                return frozenset(value.split())
    except OSError:
        pass
    if platform.system() == "Darwin":
        try:
            out = subprocess.run(["sysctl", "-n", "hw.optional.arm.FEAT_BF16"], capture_output=True, text=True,
                                 timeout=5).stdout.strip()
            return frozenset({"bf16"}) if out == "1" else frozenset()
        except (OSError, subprocess.SubprocessError):
            return frozenset()
    return frozenset()


def gpu_compute_capabilities() -> tuple[tuple[int, int], ...]:
    """Compute capability (major, minor) of every visible GPU; empty on CPU-only machines."""
    capabilities = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        capability = details.get("compute_capability")
        if capability:
            capabilities.append((int(capability[0]), int(capability[1])))
    return tuple(capabilities)


def detect_hardware() -> Hardware:
    """Read this machine's CPU flags and GPUs."""
    return Hardware(cpu_flags(), gpu_compute_capabilities(), platform.machine())


def choose_precision(hardware: Hardware | None = None) -> str:
    """The Keras dtype policy that is fastest *and* native here.

    * NVIDIA GPU with compute capability >= 8.0 (Ampere and newer): ``"mixed_bfloat16"``;
      7.x (Volta/Turing tensor cores): ``"mixed_float16"``.
    * CPU with AVX-512 BF16 or AMX (or ARM BF16): ``"mixed_bfloat16"`` (oneDNN's bf16 kernels).
    * Anything else: ``"float32"``; emulated bfloat16 would be slower than plain float32.
    """
    hardware = hardware or detect_hardware()
    if hardware.gpu_compute_capabilities:
        best = max(hardware.gpu_compute_capabilities)
        if best >= (8, 0):
            return "mixed_bfloat16"
        if best >= (7, 0):
            return "mixed_float16"
        return "float32"
    return "mixed_bfloat16" if hardware.cpu_has_bf16 else "float32"


def fast_precision(hardware: Hardware | None = None) -> str:
    """The policy the fast path trains in: ``COURSE_PRECISION`` when forced, else :func:`choose_precision`."""
    forced = config.precision()
    return choose_precision(hardware) if forced == "auto" else forced


def precision_reason(hardware: Hardware | None = None) -> str:
    """Why :func:`fast_precision` picks what it picks, in a few words for a student."""
    forced = config.precision()
    if forced != "auto":
        return tr(f"forced by COURSE_PRECISION={forced}", f"由 COURSE_PRECISION={forced} 指定")
    hardware = hardware or detect_hardware()
    if hardware.gpu_compute_capabilities:
        major, minor = max(hardware.gpu_compute_capabilities)
        return tr(f"auto: best GPU has compute capability {major}.{minor}",
                  f"自动：最好的 GPU 计算能力为 {major}.{minor}")
    if hardware.cpu_has_bf16:
        return tr("auto: this CPU has bfloat16 instructions", "自动：这颗 CPU 支持 bfloat16 指令")
    return tr("auto: no bfloat16 hardware here, so float32", "自动：本机没有支持 bfloat16 的硬件，所以用 float32")


def describe_devices() -> str:
    """One line: the devices TensorFlow sees and the precision the fast path will train in."""
    names = []
    for device in tf.config.list_physical_devices():
        kind = device.device_type
        label = device.name.split("physical_device:")[-1]
        if kind == "CPU":
            label += tr(f" ({os.cpu_count() or '?'} cores)", f"（{os.cpu_count() or '?'} 核）")
        elif kind == "GPU":
            details = tf.config.experimental.get_device_details(device)
            label += f" ({details.get('device_name', 'GPU')})"
        names.append(label)
    hardware = detect_hardware()
    listed = ", ".join(names) or tr("none", "无")
    return tr(f"Devices: {listed} | fast-path precision: {fast_precision(hardware)} ({precision_reason(hardware)})",
              f"设备：{listed} | 快速路径精度：{fast_precision(hardware)}（{precision_reason(hardware)}）")


def use_fast_precision(policy: str | None = None) -> str:
    """Set Keras' global dtype policy to :func:`fast_precision` (or ``policy``); return it.

    Call it *before* building a model: layers take the policy in force when they are created.
    The course's models keep their softmax output in float32 either way.
    """
    chosen = policy or fast_precision()
    keras.mixed_precision.set_global_policy(chosen)
    return chosen


def scaled_learning_rate(batch_size: int, base: float = REFERENCE_LEARNING_RATE,
                         reference_batch: int = REFERENCE_BATCH_SIZE) -> float:
    """Learning rate for ``batch_size`` that keeps training comparable to ``base`` at ``reference_batch``.

    Square-root scaling: a 4x larger batch takes 4x fewer steps per epoch, each with a less noisy
    gradient, so it can move 2x further per step. (Linear scaling overshoots with Adam here.)
    """
    return base * float(np.sqrt(batch_size / reference_batch))


def make_dataset(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    cache: bool = True,
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline: cache, shuffle (anew each epoch), batch, prefetch.

    Args:
        x: The images (or any inputs), one per row.
        y: Their labels, in the same order.
        batch_size: Examples per batch; the last batch of an epoch holds the rest.
        shuffle: Shuffle all examples, in a new order every epoch; False keeps their order (validation).
        seed: The shuffle's seed; None: TensorFlow's global seed decides (``config.setup`` sets it).
        cache: Keep the examples in memory after the first epoch instead of slicing them again.
    """
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    if cache:
        dataset = dataset.cache()
    if shuffle:
        dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def compile_fast(
    model: keras.Model,
    optimizer: str | keras.optimizers.Optimizer | None = None,
    loss: str | keras.losses.Loss = "sparse_categorical_crossentropy",
    metrics: Sequence[str | keras.metrics.Metric] = ("accuracy",),
    batch_size: int = DEFAULT_BATCH_SIZE,
    steps_per_execution: int = DEFAULT_STEPS_PER_EXECUTION,
    **compile_options: object,
) -> keras.Model:
    """``model.compile`` with ``steps_per_execution`` and, by default, Adam at the scaled learning rate.

    Args:
        model: The model to compile (in place; it is also returned).
        optimizer: None (default): Adam at :func:`scaled_learning_rate` of ``batch_size``; else any
            optimizer ``model.compile`` takes.
        loss: As for ``model.compile``; default for integer labels 0-9.
        metrics: As for ``model.compile``; default accuracy.
        batch_size: The batch size training will use; only sets the default optimizer's learning rate.
        steps_per_execution: Batches Keras runs per call into TensorFlow (fewer Python round trips).
        **compile_options: Passed on to ``model.compile``, e.g. ``jit_compile``.
    """
    if optimizer is None:
        optimizer = keras.optimizers.Adam(learning_rate=scaled_learning_rate(batch_size))
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics_made_now(metrics, loss),
                  steps_per_execution=steps_per_execution, **compile_options)
    if model.built and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    return model


def metrics_made_now(metrics: Sequence[str | keras.metrics.Metric],
                     loss: str | keras.losses.Loss) -> list[str | keras.metrics.Metric]:
    """``metrics`` with ``"accuracy"`` made into its metric object now, when the loss says which one it is.

    Why: Keras resolves the string ``"accuracy"`` inside the first training step, so the metric's
    variables are created while TensorFlow traces that step, and a ``tf.function`` that created
    variables is traced a second time. Made here (and with the optimizer built in
    :func:`compile_fast`), the step is traced once: about 1.5 s less before the first batch of
    every ``fit`` on a 2-core laptop (``benchmarks/first_step.py``). Same name, same values.
    """
    name = loss if isinstance(loss, str) else type(loss).__name__
    sparse = "sparse" in name.lower()
    categorical = "categorical" in name.lower() and not sparse
    made: list[str | keras.metrics.Metric] = []
    for metric in metrics:
        if metric == "accuracy" and sparse:
            made.append(keras.metrics.SparseCategoricalAccuracy(name="accuracy"))
        elif metric == "accuracy" and categorical:
            made.append(keras.metrics.CategoricalAccuracy(name="accuracy"))
        else:
            made.append(metric)
    return made


def split_last(x: np.ndarray, y: np.ndarray, fraction: float) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``((x_fit, y_fit), (x_val, y_val))``: the last ``fraction`` validates, as Keras' ``validation_split``."""
    cut = int(len(x) * (1 - fraction))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def fit_fast(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    validation_split: float = 0.0,
    callbacks: Iterable[keras.callbacks.Callback] | None = None,
    verbose: str | int = "auto",
    seed: int | None = None,
    **fit_options: object,
) -> keras.callbacks.History:
    """Train like ``model.fit(x, y, ...)`` through a ``tf.data`` pipeline; returns the ``History``.

    The model must be compiled (use :func:`compile_fast` for ``steps_per_execution`` and the
    scaled learning rate).

    Args:
        model: The compiled model to train.
        x: The training images, prepared (``data.prepare``).
        y: Their labels.
        epochs: Passes over the training data.
        batch_size: Examples per step; pass the one ``compile_fast`` scaled the learning rate for.
        validation_data: ``(x_val, y_val)`` evaluated after every epoch, in order, in batches of
            ``batch_size``; not with ``validation_split``.
        validation_split: The share of ``x`` and ``y`` to validate on, taken from the end of the
            arrays as Keras does (not shuffled first); 0: none.
        callbacks: Keras callbacks, as for ``fit``.
        verbose: As for ``fit``: ``"auto"``, 0 silent, 1 progress bar, 2 one line per epoch.
        seed: Seed of the shuffle (:func:`make_dataset`); None: TensorFlow's global seed decides.
        **fit_options: Passed on to ``model.fit``, e.g. ``initial_epoch``; ``shuffle`` is ignored,
            since the pipeline reshuffles every epoch.
    """
    if not model.compiled:
        raise ValueError(tr("Compile the model first, e.g. training.compile_fast(model) or model.compile(...).",
                            "请先编译模型，例如 training.compile_fast(model) 或 model.compile(...)。"))
    if validation_split and validation_data is not None:
        raise ValueError(tr("Give validation_data or validation_split, not both.",
                            "请给出 validation_data 或 validation_split，不要两者都给。"))
    if validation_split:
        (x, y), validation_data = split_last(x, y, validation_split)
    train = make_dataset(x, y, batch_size=batch_size, shuffle=True, seed=seed)
    validation = None
    if validation_data is not None:
        validation = make_dataset(*validation_data, batch_size=batch_size, shuffle=False)
    fit_options.pop("shuffle", None)  # the pipeline already reshuffles every epoch
    return model.fit(train, epochs=epochs, validation_data=validation, callbacks=list(callbacks or []),
                     verbose=verbose, shuffle=False, **fit_options)
