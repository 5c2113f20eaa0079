"""One candidate of the recipe search, on a validation fold of the bundled digits: accuracy and seconds.

    python benchmarks/recipe_search.py '{"epochs": 12}'                      # the previous recipe, fold 0
    python benchmarks/recipe_search.py '{"arch": "pooled", "filters": [32, 64, 128], "epochs": 14,
                                         "smoothing": 0.1, "spe": 1, "fold": 1}'
    python benchmarks/recipe_search.py '{"clock": 16, "fold": 0}'           # recipes.BEST for 16 s by the clock
    python benchmarks/recipe_search.py '{"clock": 16, "aug": [5, 0.05, 0.05]}'

This is the script behind the "What was tried" tables of docs/performance.md (issue 19). It never
touches the official test set: the 10,000 bundled digits are shuffled once (a fixed seed) and cut
into five folds of 2,000; a run trains on the other 8,000 and validates on fold ``fold`` (the
tables use folds 0 and 1 and report their mean).

The argument is a JSON object of settings that differ from the defaults below. With ``"clock"``
(seconds) the run trains ``course_utils.recipes.BEST`` (fields overridden by the keys of
:data:`RECIPE_KEYS`) for that long with ``recipes.train(seconds=...)``; without, it builds the
candidate here, so that layouts, augmentations and compile options the recipe does not offer can be
compared: ``arch`` ``"strided"`` (conv stride 2 -> conv -> pool -> conv, the recipe before issue 19)
or ``"pooled"`` (conv stride 2 -> pool -> conv -> conv), ``aug`` ``"layers"`` (the course's three
layers), ``"affine"`` (one random affine transform), ``"pipeline"`` (that transform in the
``tf.data`` pipeline) or ``"none"``, ``bn`` false for no BatchNormalization, ``jit``, ``spe``
(steps per execution), ``batch``, ``lr``, ``smoothing``, ``drop`` (``drop_remainder``),
``threads`` (TensorFlow's intra- and inter-op threads), ``no_grappler``, ``onednn`` false or true
(sets ``TF_ENABLE_ONEDNN_OPTS`` to 0 or 1 before TensorFlow loads; unset: TensorFlow decides, and
on the AVX2-only CPU of docs/performance.md it leaves oneDNN's own operations off), ``aug``
``"elastic"`` (the affine transform plus a smooth random displacement of up to ``elastic``
pixels, drawn on a ``grid`` x ``grid`` lattice and resized, one bilinear sampling), ``ema``
(Adam keeps an exponential moving average of the weights with this momentum and the model
predicts with it; 0: off), ``conv`` ``"matmul"`` (blocks 2 and 3 compute their convolution as one
matrix product over the nine shifted copies of the input instead of ``Conv2D``).
With ``"clock"``, ``members`` > 1 trains that many recipes for ``clock / members`` seconds each
(seeds ``seed``, ``seed + 1``, ...) and averages their test-time-augmented probabilities: an
ensemble in the same total time.

Prints one JSON line: training seconds, the first epoch's and the median later epoch's seconds,
validation accuracy single view and with test-time augmentation.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
from typing import Any

DEFAULTS: dict[str, Any] = {
    "arch": "strided", "filters": [32, 48, 96], "dense": 128, "dropout": 0.25, "bn": True, "epochs": 12,
    "batch": 128, "lr": 6e-3, "warmup": 0.2, "bn_momentum": 0.9, "aug": "layers", "rot": 10.0, "shift": 0.1,
    "zoom": 0.1, "smoothing": 0.0, "jit": False, "spe": 32, "drop": False, "threads": 0, "no_grappler": False,
    "onednn": None, "fold": 0, "seed": 1, "clock": None, "elastic": 1.5, "grid": 4, "ema": 0.0, "conv": "conv2d",
    "members": 1,
}
#: Keys that override fields of recipes.BEST in a run by the clock.
RECIPE_KEYS = {"lr": "peak_learning_rate", "warmup": "warmup_share", "smoothing": "label_smoothing",
               "epochs": "epochs", "batch": "batch_size", "spe": "steps_per_execution"}
FOLD_SIZE = 2_000

settings = {**DEFAULTS, **json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")}
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if settings["onednn"] is not None:
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if settings["onednn"] else "0"

import common  # noqa: E402  (benchmarks/, beside this script)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402

from course_utils import data, recipes  # noqa: E402

if settings["threads"]:
    tf.config.threading.set_intra_op_parallelism_threads(settings["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(settings["threads"])
if settings["no_grappler"]:
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})


class RandomAffine(layers.Layer):
    """Rotation, zoom and shift of each image in one interpolation (the course's layers do three)."""

    def __init__(self, rotation_degrees: float, shift: float, zoom: float, seed: int | None = None) -> None:
        super().__init__()
        self.rotation, self.shift, self.zoom = rotation_degrees * math.pi / 180, shift, zoom
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, images: Any, training: bool = False) -> Any:
        if not training:
            return images
        count, side = tf.shape(images)[0], 28.0

        def uniform() -> Any:
            return keras.random.uniform((count,), -1, 1, seed=self.generator)

        angle, scale = uniform() * self.rotation, 1.0 + uniform() * self.zoom
        right, down = uniform() * self.shift * side, uniform() * self.shift * side
        cos, sin, centre = tf.cos(angle) * scale, tf.sin(angle) * scale, (side - 1) / 2
        zeros = tf.zeros_like(cos)
        # Output pixel -> input pixel: rotate and scale about the centre, then shift.
        transform = tf.stack([cos, -sin, centre - cos * centre + sin * centre - right,
                              sin, cos, centre - sin * centre - cos * centre - down, zeros, zeros], axis=1)
        return keras.ops.image.affine_transform(images, transform, interpolation="bilinear", fill_mode="constant")


class RandomElastic(layers.Layer):
    """The affine transform of :class:`RandomAffine` plus a smooth random displacement of every pixel.

    The displacement (an "elastic distortion") is drawn uniformly on a coarse lattice and resized to
    28x28, so neighbouring pixels move together; both are applied in one bilinear sampling.
    """

    def __init__(self, rotation_degrees: float, shift: float, zoom: float, pixels: float, grid: int,
                 seed: int | None = None) -> None:
        super().__init__()
        self.rotation, self.shift, self.zoom = rotation_degrees * math.pi / 180, shift, zoom
        self.pixels, self.grid = pixels, grid
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, images: Any, training: bool = False) -> Any:
        if not training:
            return images
        ops, side = keras.ops, 28
        count = ops.shape(images)[0]

        def uniform(*shape: int) -> Any:
            return keras.random.uniform((count, *shape), -1, 1, seed=self.generator)

        angle, scale = uniform(1, 1) * self.rotation, 1.0 + uniform(1, 1) * self.zoom
        right, down = uniform(1, 1) * self.shift * side, uniform(1, 1) * self.shift * side
        centre = (side - 1) / 2
        offsets = ops.arange(side, dtype="float32") - centre
        rows, columns = ops.meshgrid(offsets, offsets, indexing="ij")
        cos, sin = ops.cos(angle) / scale, ops.sin(angle) / scale
        # Output pixel -> the input point it samples.
        source_row = cos * rows[None] - sin * columns[None] + centre - down
        source_column = sin * rows[None] + cos * columns[None] + centre - right
        if self.pixels:
            field = ops.image.resize(uniform(self.grid, self.grid, 2), (side, side), interpolation="bicubic")
            source_row = source_row + self.pixels * field[..., 0]
            source_column = source_column + self.pixels * field[..., 1]
        flat = ops.reshape(images, (-1,))
        first = (ops.arange(count) * side * side)[:, None, None]
        top, left = ops.floor(source_row), ops.floor(source_column)
        down_weight, right_weight = source_row - top, source_column - left
        top, left = ops.cast(top, "int32"), ops.cast(left, "int32")
        sampled = 0.0
        corners = ((0, 0, (1 - down_weight) * (1 - right_weight)), (0, 1, (1 - down_weight) * right_weight),
                   (1, 0, down_weight * (1 - right_weight)), (1, 1, down_weight * right_weight))
        for row_step, column_step, weight in corners:
            row, column = top + row_step, left + column_step
            inside = (row >= 0) & (row < side) & (column >= 0) & (column < side)
            index = first + ops.clip(row, 0, side - 1) * side + ops.clip(column, 0, side - 1)
            sampled = sampled + ops.take(flat, index) * weight * ops.cast(inside, "float32")
        return sampled[..., None]


class MatmulConv2D(layers.Layer):
    """A 3x3 convolution computed as one matrix product: the nine shifted copies of the input side by side."""

    def __init__(self, filters: int, padding: str = "same") -> None:
        super().__init__()
        self.filters, self.padding = filters, padding

    def build(self, input_shape: tuple[int, ...]) -> None:
        # Conv2D's kernel layout, (3, 3, in, out), so the weights would load into a Conv2D.
        self.kernel = self.add_weight(shape=(3, 3, input_shape[-1], self.filters), initializer="glorot_uniform")

    def call(self, images: Any) -> Any:
        ops = keras.ops
        if self.padding == "same":
            images = ops.pad(images, [[0, 0], [1, 1], [1, 1], [0, 0]])
        height, width = images.shape[1] - 2, images.shape[2] - 2
        patches = ops.concatenate([images[:, row:row + height, column:column + width, :]
                                   for row in range(3) for column in range(3)], axis=-1)
        return ops.matmul(patches, ops.reshape(self.kernel, (-1, self.filters)))


def block(filters: int, strides: int = 1, padding: str = "same") -> list[layers.Layer]:
    if settings["conv"] == "matmul" and strides == 1:
        return [MatmulConv2D(filters, padding), layers.BatchNormalization(momentum=settings["bn_momentum"]),
                layers.ReLU()]
    if not settings["bn"]:
        return [layers.Conv2D(filters, 3, strides=strides, padding=padding, activation="relu")]
    return [layers.Conv2D(filters, 3, strides=strides, padding=padding, use_bias=False),
            layers.BatchNormalization(momentum=settings["bn_momentum"]), layers.ReLU()]


def build(seed: int) -> keras.Model:
    first, second, third = settings["filters"]
    stack: list[Any] = [keras.Input((28, 28, 1))]
    if settings["aug"] == "layers":
        amounts = recipes.Augmentation(settings["rot"], settings["shift"], settings["zoom"])
        stack.append(recipes.augmentation_layers(amounts, seed=seed))
    elif settings["aug"] == "affine":
        stack.append(RandomAffine(settings["rot"], settings["shift"], settings["zoom"], seed=seed))
    elif settings["aug"] == "elastic":
        stack.append(RandomElastic(settings["rot"], settings["shift"], settings["zoom"], settings["elastic"],
                                   settings["grid"], seed=seed))
    if settings["arch"] == "strided":
        stack += block(first, strides=2) + block(second) + [layers.MaxPooling2D(2)] + block(third, padding="valid")
    else:
        stack += block(first, strides=2) + [layers.MaxPooling2D(2)] + block(second) + block(third, padding="valid")
    stack += [layers.Flatten(), layers.Dense(settings["dense"], use_bias=False),
              layers.BatchNormalization(momentum=settings["bn_momentum"]), layers.ReLU(),
              layers.Dropout(settings["dropout"], seed=seed), layers.Dense(10, activation="softmax", dtype="float32")]
    return keras.Sequential(stack)


class EpochClock(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.began = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.seconds.append(time.perf_counter() - self.began)


def train_candidate(x: np.ndarray, y: np.ndarray, seed: int, clock: EpochClock) -> tuple[keras.Model, float]:
    model = build(seed)
    total = math.ceil(len(x) / settings["batch"]) * settings["epochs"]
    warmup = int(settings["warmup"] * total)
    schedule = keras.optimizers.schedules.CosineDecay(settings["lr"] / 20, total - warmup,
                                                      warmup_target=settings["lr"], warmup_steps=warmup)
    loss: Any = "sparse_categorical_crossentropy"
    if settings["smoothing"]:
        loss = recipes.SmoothedSparseCrossentropy(settings["smoothing"])
    optimizer = keras.optimizers.Adam(schedule, use_ema=bool(settings["ema"]), ema_momentum=settings["ema"] or 0.99)
    model.compile(optimizer=optimizer, loss=loss, steps_per_execution=settings["spe"],
                  jit_compile=settings["jit"])
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(len(x), seed=seed)
    dataset = dataset.batch(settings["batch"], drop_remainder=settings["drop"])
    if settings["aug"] == "pipeline":
        augment = RandomAffine(settings["rot"], settings["shift"], settings["zoom"], seed=seed)
        dataset = dataset.map(lambda images, labels: (augment(images, training=True), labels),
                              num_parallel_calls=tf.data.AUTOTUNE)
    start = time.perf_counter()
    model.fit(dataset.prefetch(tf.data.AUTOTUNE), epochs=settings["epochs"], verbose=0, callbacks=[clock])
    if settings["ema"]:  # predict with the averaged weights
        optimizer.finalize_variable_values(model.trainable_variables)
    return model, time.perf_counter() - start


def main() -> None:
    images, labels = data.load_bundled()
    images = data.prepare(images)
    validation = np.zeros(len(images), bool)
    fold = settings["fold"]
    validation[np.random.RandomState(12345).permutation(len(images))[FOLD_SIZE * fold:FOLD_SIZE * (fold + 1)]] = True
    x, y, x_val, y_val = images[~validation], labels[~validation], images[validation], labels[validation]
    keras.utils.set_random_seed(settings["seed"])
    clock = EpochClock()
    single_view, shifted_views, seconds, member_epochs = 0.0, 0.0, 0.0, []
    if settings["clock"] is not None:
        given = json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")
        overrides = {RECIPE_KEYS[key]: value for key, value in given.items() if key in RECIPE_KEYS}
        if "aug" in given:
            overrides["augmentation"] = recipes.Augmentation(*given["aug"])
        for member in range(settings["members"]):
            member_clock = EpochClock()
            trained = recipes.train(x, y, recipe=dataclasses.replace(recipes.BEST, **overrides),
                                    seconds=settings["clock"] / settings["members"], seed=settings["seed"] + member,
                                    callbacks=[member_clock])
            clock.seconds += member_clock.seconds
            member_epochs.append(len(member_clock.seconds))
            seconds += trained.train_seconds
            single_view = single_view + trained.model.predict(x_val, batch_size=1024, verbose=0)
            shifted_views = shifted_views + recipes.predict_with_shifts(trained.model, x_val)
    else:
        model, seconds = train_candidate(x, y, settings["seed"], clock)
        single_view = model.predict(x_val, batch_size=1024, verbose=0)
        shifted_views = recipes.predict_with_shifts(model, x_val)
        member_epochs.append(len(clock.seconds))
    single = np.asarray(single_view).argmax(axis=1) == y_val
    shifted = np.asarray(shifted_views).argmax(axis=1) == y_val
    common.print_result({
        "benchmark": "recipe_search",
        "settings": json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}"),
        "train_seconds": round(seconds, 2),
        "epochs": member_epochs[0] if len(member_epochs) == 1 else member_epochs,
        "first_epoch_seconds": round(clock.seconds[0], 2),
        "later_epoch_seconds": round(float(np.median(clock.seconds[1:] or clock.seconds)), 2),
        "val_accuracy": float(single.mean()),
        "val_accuracy_tta": float(shifted.mean()),
        "matmul_gflops_after": round(common.matmul_gflops(), 1),
        "machine": common.machine(),
    })


if __name__ == "__main__":
    main()
