"""Transfer learning offline: a reusable convolutional base, trainable counts, and guarded data and weights.

Notebook 11 trains a CNN on one task (digits 0-4), then reuses its convolutional base for
another (digits 5-9, Fashion-MNIST). What the lesson needs besides plain Keras calls:

* :func:`build_conv_base` - the feature extractor, with BatchNormalization, so freezing and
  BatchNorm's inference mode can be seen at work;
* :func:`parameter_counts` and :func:`weights_unchanged` - trainable vs frozen, checked in numbers;
* :func:`fashion_mnist_or_note` - Fashion-MNIST if it is on this machine, otherwise a printed
  note on how to get it (the notebook then skips that section);
* :func:`cached_imagenet_weights` - whether ``keras.applications`` weights are already in the
  Keras cache, found without downloading anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
from keras import layers

from course_utils import config, data, models
from course_utils.language import tr

#: Where ``keras.applications`` keeps downloaded weights (``keras.utils.get_file(cache_subdir="models")``).
KERAS_MODELS_DIR = config.KERAS_HOME / "models"


def build_conv_base(
    input_shape: tuple[int, ...] = models.MNIST_SHAPE, filters: int = 32, name: str = "conv_base"
) -> keras.Sequential:
    """Three Conv-BatchNorm-ReLU blocks (32/64/64 filters), pooling after the first two, then Flatten.

    The output is a vector of 576 features per image: the part of a CNN worth reusing. It has
    no classifier; add a head for each task.
    """
    stack: list[layers.Layer] = [keras.Input(shape=input_shape, name="image")]
    for block, (width, pool) in enumerate(((filters, True), (2 * filters, True), (2 * filters, False)), start=1):
        # No bias: BatchNorm's own offset (beta) does that job.
        stack += [
            layers.Conv2D(width, 3, use_bias=False, name=f"conv{block}"),
            layers.BatchNormalization(momentum=0.9, name=f"bn{block}"),
            layers.Activation("relu", name=f"relu{block}"),
        ]
        if pool:
            stack.append(layers.MaxPooling2D(2, name=f"pool{block}"))
    stack.append(layers.Flatten(name="flatten"))
    return keras.Sequential(stack, name=name)


def parameter_counts(model: keras.Model) -> dict[str, int]:
    """Trainable, non-trainable and total parameters, as ``model.summary()`` reports them."""
    trainable = sum(int(np.prod(v.shape)) for v in model.trainable_weights)
    frozen = sum(int(np.prod(v.shape)) for v in model.non_trainable_weights)
    return {"trainable": trainable, "non-trainable": frozen, "total": trainable + frozen}


def copy_weights(model: keras.Model) -> list[np.ndarray]:
    """A copy of every weight (trainable or not, BatchNorm statistics included) to compare later."""
    return [np.array(w) for w in model.get_weights()]


def weights_unchanged(before: Sequence[np.ndarray], model: keras.Model) -> bool:
    """True when every weight of ``model`` is bit-for-bit what :func:`copy_weights` recorded."""
    now = model.get_weights()
    return len(now) == len(before) and all(np.array_equal(a, b) for a, b in zip(before, now, strict=True))


def fashion_mnist_or_note(fast: bool | None = None) -> data.Split | None:
    """Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``, or ``None`` after printing how to get it.

    The notebook's Fashion-MNIST section runs only when this returns data; on a machine without
    the data set it prints a note and the rest of the notebook goes on.
    """
    if data.fashion_mnist_location() is None:
        print(tr(
            "Note: Fashion-MNIST is not on this machine, so this section is skipped.\n"
            "To run it, get the data set once: `keras.datasets.fashion_mnist.load_data()` (needs internet),\n"
            "or on Debian/Ubuntu `sudo apt-get install dataset-fashion-mnist`; then run the notebook again.",
            "注意：本机没有 Fashion-MNIST，因此跳过本节。\n"
            "要运行本节，请先获取一次该数据集：`keras.datasets.fashion_mnist.load_data()`（需要联网），\n"
            "或在 Debian/Ubuntu 上运行 `sudo apt-get install dataset-fashion-mnist`；然后重新运行本笔记本。",
        ))
        return None
    return data.load_fashion_mnist(fast=fast)


def mobilenet_v2_weights_name(size: int = 96, alpha: float = 1.0, include_top: bool = False) -> str:
    """The file name ``keras.applications.MobileNetV2(weights="imagenet")`` downloads for these settings."""
    top = "" if include_top else "_no_top"
    return f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{size}{top}.h5"


def cached_imagenet_weights(file_name: str, folder: Path | None = None) -> Path | None:
    """The cached weights file if ``keras.applications`` would not need the internet, else ``None``.

    Only looks in the folder (``~/.keras/models`` by default); never downloads.
    """
    path = (folder or KERAS_MODELS_DIR) / file_name
    return path if path.is_file() and path.stat().st_size > 0 else None
