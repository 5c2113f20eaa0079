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
``threads`` (TensorFlow's intra- and inter-op threads), ``no_grappler``, ``onednn`` false (sets
``TF_ENABLE_ONEDNN_OPTS=0`` before TensorFlow loads).

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
    "onednn": True, "fold": 0, "seed": 1, "clock": None,
}
#: Keys that override fields of recipes.BEST in a run by the clock.
RECIPE_KEYS = {"lr": "peak_learning_rate", "warmup": "warmup_share", "smoothing": "label_smoothing",
               "epochs": "epochs", "batch": "batch_size", "spe": "steps_per_execution"}
FOLD_SIZE = 2_000

settings = {**DEFAULTS, **json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")}
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not settings["onednn"]:
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"

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


def block(filters: int, strides: int = 1, padding: str = "same") -> list[layers.Layer]:
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
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=loss, steps_per_execution=settings["spe"],
                  jit_compile=settings["jit"])
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(len(x), seed=seed)
    dataset = dataset.batch(settings["batch"], drop_remainder=settings["drop"])
    if settings["aug"] == "pipeline":
        augment = RandomAffine(settings["rot"], settings["shift"], settings["zoom"], seed=seed)
        dataset = dataset.map(lambda images, labels: (augment(images, training=True), labels),
                              num_parallel_calls=tf.data.AUTOTUNE)
    start = time.perf_counter()
    model.fit(dataset.prefetch(tf.data.AUTOTUNE), epochs=settings["epochs"], verbose=0, callbacks=[clock])
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
    if settings["clock"] is not None:
        given = json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")
        overrides = {RECIPE_KEYS[key]: value for key, value in given.items() if key in RECIPE_KEYS}
        if "aug" in given:
            overrides["augmentation"] = recipes.Augmentation(*given["aug"])
        trained = recipes.train(x, y, recipe=dataclasses.replace(recipes.BEST, **overrides),
                                seconds=settings["clock"], seed=settings["seed"], callbacks=[clock])
        model, seconds = trained.model, trained.train_seconds
    else:
        model, seconds = train_candidate(x, y, settings["seed"], clock)
    single = model.predict(x_val, batch_size=1024, verbose=0).argmax(axis=1) == y_val
    shifted = recipes.predict_with_shifts(model, x_val).argmax(axis=1) == y_val
    common.print_result({
        "benchmark": "recipe_search",
        "settings": json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}"),
        "train_seconds": round(seconds, 2),
        "epochs": len(clock.seconds),
        "first_epoch_seconds": round(clock.seconds[0], 2),
        "later_epoch_seconds": round(float(np.median(clock.seconds[1:] or clock.seconds)), 2),
        "val_accuracy": float(single.mean()),
        "val_accuracy_tta": float(shifted.mean()),
        "matmul_gflops_after": round(common.matmul_gflops(), 1),
        "machine": common.machine(),
    })


if __name__ == "__main__":
    main()
