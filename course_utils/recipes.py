"""Data augmentation layers and the course's best recipe, shared by notebook 09 and the benchmark.

*Augmentation* shows the model a slightly different version of every digit each epoch: a small
rotation, shift and zoom. The layers are part of the model and only act while training;
``predict`` and ``evaluate`` see the digits unchanged.

The *best recipe* is the course's answer to "how good can we get from the bundled 10,000 digits
on a laptop CPU?". It combines what notebook 09 measures one at a time: augmentation,
BatchNormalization, Dropout, a warm-up-then-cosine learning-rate schedule (a "one-cycle" shape)
and Adam, and predicts with test-time augmentation (:func:`predict_with_shifts`). It was chosen
on validation splits of the 8,000 bundled training digits; ``benchmarks/best_recipe.py``
measures it on the official MNIST test set. Notebook 09 trains it and prints its validation accuracy.

::

    from course_utils import recipes

    trained = recipes.train(x_train, y_train, validation_data=(x_val, y_val))
    probabilities = recipes.predict_with_shifts(trained.model, x_test)
    accuracy = (probabilities.argmax(axis=1) == y_test).mean()
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from course_utils import models, training


@dataclass(frozen=True)
class Augmentation:
    """How far the augmentation layers may rotate, shift and zoom a digit."""

    rotation_degrees: float = 10.0
    #: Largest shift, as a share of the image side (0.1 of 28 pixels is 2.8 pixels).
    shift: float = 0.1
    #: Largest zoom in or out, as a share of the image side.
    zoom: float = 0.1


def augmentation_layers(settings: Augmentation | None = None, seed: int | None = None,
                        name: str = "augmentation") -> keras.Sequential:
    """Random small rotations, shifts and zooms, active only while training.

    No flips: a mirrored 2, 3, 4, 5, 6, 7 or 9 is no longer that digit. ``fill_mode="constant"``
    fills the uncovered border with 0 (the black background) instead of Keras' default
    ``"reflect"``, which would mirror strokes in from the edge. The shift moves by whole pixels
    (``interpolation="nearest"``): a shift by a fraction of a pixel would blur every stroke, and
    the test digits are not blurred. Rotation and zoom have to interpolate.
    """
    settings = settings or Augmentation()
    return keras.Sequential(
        [
            layers.RandomRotation(settings.rotation_degrees / 360.0, fill_mode="constant", seed=seed, name="rotate"),
            layers.RandomTranslation(settings.shift, settings.shift, fill_mode="constant", interpolation="nearest",
                                     seed=seed, name="shift"),
            layers.RandomZoom(settings.zoom, fill_mode="constant", seed=seed, name="zoom"),
        ],
        name=name,
    )


@dataclass(frozen=True)
class Recipe:
    """Everything the best recipe depends on: model size, regularisation, schedule, batch, epochs."""

    #: Filters of the three convolution blocks.
    filters: tuple[int, int, int] = (32, 48, 96)
    dense_units: int = 128
    dropout: float = 0.25
    augmentation: Augmentation = Augmentation()
    epochs: int = 12
    batch_size: int = 128
    #: Highest learning rate, reached after the warm-up.
    peak_learning_rate: float = 6e-3
    #: Share of all steps spent raising the learning rate from peak/20 to the peak.
    warmup_share: float = 0.2
    #: How much BatchNormalization's running averages keep per step (Keras' default: 0.99). Lower
    #: follows the fast-changing weights of a short run, so validation is meaningful from epoch 1.
    batchnorm_momentum: float = 0.9


#: The recipe the course recommends (chosen on validation splits of the bundled training digits).
BEST = Recipe()


def _conv_block(filters: int, name: str, momentum: float, strides: int = 1,
                padding: str = "same") -> list[layers.Layer]:
    # No bias: BatchNormalization's own offset does that job.
    return [
        layers.Conv2D(filters, 3, strides=strides, padding=padding, use_bias=False, name=f"{name}_conv"),
        layers.BatchNormalization(momentum=momentum, name=f"{name}_bn"),
        layers.ReLU(name=f"{name}_relu"),
    ]


def build_model(recipe: Recipe = BEST, seed: int | None = None, name: str = "best_recipe") -> keras.Sequential:
    """Augmentation, three Conv-BatchNorm-ReLU blocks, a BatchNorm dense layer, Dropout, softmax.

    28x28 image -> conv with stride 2: 14x14 -> conv: 14x14 -> pool: 7x7 -> conv ("valid"): 5x5 ->
    dense -> 10 probabilities. The first convolution moves 2 pixels at a time: it halves the image
    like a pooling layer would, for a quarter of the work of a full-size convolution plus pooling
    (the bundled-digits budget is about a minute on two CPU cores).
    """
    first, second, third = recipe.filters
    stack: list[layers.Layer] = [keras.Input(shape=models.MNIST_SHAPE, name="image"),
                                 augmentation_layers(recipe.augmentation, seed=seed)]
    momentum = recipe.batchnorm_momentum
    stack += _conv_block(first, "block1", momentum, strides=2)
    stack += _conv_block(second, "block2", momentum) + [layers.MaxPooling2D(2, name="pool")]
    stack += _conv_block(third, "block3", momentum, padding="valid") + [layers.Flatten(name="flatten")]
    stack += [
        layers.Dense(recipe.dense_units, use_bias=False, name="dense"),
        layers.BatchNormalization(momentum=momentum, name="dense_bn"),
        layers.ReLU(name="dense_relu"),
        layers.Dropout(recipe.dropout, seed=seed, name="dropout"),
        layers.Dense(10, activation="softmax", dtype="float32", name="predictions"),
    ]
    return keras.Sequential(stack, name=name)


def learning_rate_schedule(recipe: Recipe, steps_per_epoch: int,
                           epochs: int | None = None) -> keras.optimizers.schedules.LearningRateSchedule:
    """Warm up linearly from peak/20 to the peak, then follow a cosine down to 0 (a one-cycle shape).

    Starting low lets BatchNormalization's statistics settle before large steps; ending near 0
    lets the weights settle in a good spot instead of bouncing around it.
    """
    total = max(1, steps_per_epoch * (epochs or recipe.epochs))
    warmup = int(recipe.warmup_share * total)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=recipe.peak_learning_rate / 20,
        decay_steps=total - warmup,
        warmup_target=recipe.peak_learning_rate,
        warmup_steps=warmup,
    )


def compile_model(model: keras.Model, recipe: Recipe, steps_per_epoch: int, epochs: int | None = None) -> keras.Model:
    """Compile with Adam on the recipe's schedule (``training.compile_fast``: steps per execution)."""
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate_schedule(recipe, steps_per_epoch, epochs))
    return training.compile_fast(model, optimizer=optimizer, batch_size=recipe.batch_size)


@dataclass
class TrainedRecipe:
    """What :func:`train` returns: the trained model, its ``History`` and the training time."""

    model: keras.Model
    history: keras.callbacks.History
    #: Seconds spent in ``fit`` (building the model, loading data and evaluating excluded).
    train_seconds: float
    epochs: int


def train(
    x: np.ndarray,
    y: np.ndarray,
    recipe: Recipe = BEST,
    epochs: int | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int | None = None,
    verbose: str | int = 0,
    callbacks: list[keras.callbacks.Callback] | None = None,
) -> TrainedRecipe:
    """Build, compile and train the recipe's model on prepared images ``x`` (N, 28, 28, 1) in [0, 1].

    Args:
        x: The training images, prepared (``data.prepare``).
        y: Their labels (0-9).
        recipe: What to build and how to train it; default :data:`BEST`.
        epochs: Overrides the recipe's epochs (fast mode trains 1); the learning-rate schedule is
            stretched to match. None: the recipe's.
        validation_data: ``(x_val, y_val)`` evaluated after every epoch; None: no validation.
        seed: Seed of the augmentation, Dropout and shuffling; None: the global seeds decide (those
            ``config.setup`` sets).
        verbose: Keras' ``verbose`` for ``fit``: 0 (default) silent, 1 progress bar, 2 one line per epoch.
        callbacks: Keras callbacks for ``fit``, e.g. a checkpoint.

    Returns:
        A :class:`TrainedRecipe`: the model, its ``History``, the seconds spent in ``fit`` and the epochs.
    """
    epochs = epochs or recipe.epochs
    model = build_model(recipe, seed=seed)
    compile_model(model, recipe, steps_per_epoch=math.ceil(len(x) / recipe.batch_size), epochs=epochs)
    start = time.perf_counter()
    history = training.fit_fast(model, x, y, epochs=epochs, batch_size=recipe.batch_size,
                                validation_data=validation_data, verbose=verbose, seed=seed, callbacks=callbacks)
    return TrainedRecipe(model, history, time.perf_counter() - start, epochs)


#: Test-time augmentation: the digit as it is, and moved one pixel down, up, right and left.
TEST_TIME_SHIFTS: tuple[tuple[int, int], ...] = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def shift_images(images: np.ndarray, down: int, right: int) -> np.ndarray:
    """Images (N, height, width, channels) moved by whole pixels; the uncovered border is 0 (black)."""
    height, width = images.shape[1:3]
    moved = np.zeros_like(images)
    moved[:, max(down, 0):height + min(down, 0), max(right, 0):width + min(right, 0)] = \
        images[:, max(-down, 0):height + min(-down, 0), max(-right, 0):width + min(-right, 0)]
    return moved


def predict_with_shifts(model: keras.Model, images: np.ndarray,
                        shifts: tuple[tuple[int, int], ...] = TEST_TIME_SHIFTS, batch_size: int = 1024) -> np.ndarray:
    """Test-time augmentation: average the model's probabilities over slightly shifted copies.

    Each copy is one more opinion on the same digit; a digit that sits near the border between
    two classes for one copy is usually decided by the others. Costs one ``predict`` per shift.
    """
    total = sum(model.predict(shift_images(images, down, right), batch_size=batch_size, verbose=0)
                for down, right in shifts)
    return total / len(shifts)
