"""Data augmentation layers and the course's best recipe, by epochs or by seconds; notebook 09 and the benchmarks.

*Augmentation* shows the model a slightly different version of every digit each epoch: a small
rotation, shift and zoom. The layers are part of the model and only act while training;
``predict`` and ``evaluate`` see the digits unchanged.

The *best recipe* is the course's answer to "how good can we get from the bundled 10,000 digits in
N seconds of training on a laptop CPU?". It combines what notebook 09 measures one at a time:
augmentation, BatchNormalization, Dropout, label smoothing, a warm-up-then-cosine learning-rate
schedule (a "one-cycle" shape) and Adam, and predicts with test-time augmentation
(:func:`predict_with_shifts`). ``train(..., seconds=20)`` trains it for a time budget instead of
a number of epochs (:class:`TrainingBudget`: the schedule follows the clock). It was chosen on
validation splits of the 8,000 bundled training digits; ``benchmarks/frontier.py`` measures it
on the official MNIST test set for several budgets (:func:`measured_frontier` reads what it
measured). Notebook 09 trains it both ways.

::

    from course_utils import recipes

    trained = recipes.train(x_train, y_train, validation_data=(x_val, y_val))   # the recipe's epochs
    quick = recipes.train(x_train, y_train, seconds=20)                           # 20 s of training
    probabilities = recipes.predict_with_shifts(trained.model, x_test)
    accuracy = (probabilities.argmax(axis=1) == y_test).mean()
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import layers

from course_utils import data, models, training
from course_utils.language import tr


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
    """Everything a recipe depends on: model size and layout, regularisation, schedule, batch, epochs."""

    #: What the recipe is called in tables and figures.
    name: str = "best"
    #: Filters of the three convolution blocks.
    filters: tuple[int, int, int] = (32, 64, 128)
    #: Pool right after the first (strided) convolution, so blocks 2 and 3 work on 7x7 maps (a
    #: quarter of the work of 14x14 ones); False pools after block 2 instead.
    early_pooling: bool = True
    dense_units: int = 128
    dropout: float = 0.25
    augmentation: Augmentation = Augmentation()
    epochs: int = 14
    batch_size: int = 128
    #: Highest learning rate, reached after the warm-up.
    peak_learning_rate: float = 6e-3
    #: Share of all steps spent raising the learning rate from peak/20 to the peak.
    warmup_share: float = 0.2
    #: How much BatchNormalization's running averages keep per step (Keras' default: 0.99). Lower
    #: follows the fast-changing weights of a short run, so validation is meaningful from epoch 1.
    batchnorm_momentum: float = 0.9
    #: Share of the target moved from the true class to all ten evenly (0: plain one-hot targets).
    #: The model is not pushed to be 100% sure of any training digit, which it can only be by
    #: memorising it.
    label_smoothing: float = 0.1
    #: Batches per call into TensorFlow. Keras calls batch callbacks once per call, so 1 lets
    #: :class:`TrainingBudget` look at the clock after every step (with 32 a budget could overrun by
    #: up to 32 steps); side by side, 1 and 32 trained equally fast here, within the machine's noise.
    steps_per_execution: int = 1


#: The recipe the course recommends (chosen on validation splits of the bundled training digits;
#: ``benchmarks/frontier.py`` measures it on the official test set). ``train(..., seconds=N)``
#: trains it for a time budget instead of its epochs.
BEST = Recipe()
#: The budgets, in seconds of training on two CPU cores, that ``benchmarks/frontier.py`` measures.
FRONTIER_BUDGETS: tuple[int, ...] = (10, 20, 40, 60)
#: The official-test accuracy two budgets aim at (median of three seeds).
BUDGET_GOALS: dict[int, float] = {20: 0.990, 60: 0.994}


def measured_frontier() -> dict[str, Any]:
    """What ``benchmarks/frontier.py`` measured: per budget every seed's seconds and test accuracy, the medians,
    the seed CNN's reference runs and the machine. Shipped with the package (``resources/frontier.json``)."""
    measured: dict[str, Any] = json.loads(data.resource_path("frontier.json").read_text())
    return measured


def goal_met(budget: int, seconds: float, accuracy: float) -> bool | None:
    """Whether a budget's recipe met its goal: at least the goal's accuracy in at most the budget's seconds.

    None for a budget without a goal (:data:`BUDGET_GOALS`).
    """
    if budget not in BUDGET_GOALS:
        return None
    return accuracy >= BUDGET_GOALS[budget] and seconds <= budget


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

    28x28 image -> conv with stride 2: 14x14 -> pool: 7x7 -> conv: 7x7 -> conv ("valid"): 5x5 ->
    dense -> 10 probabilities (``early_pooling=False``: the pool comes after the second conv, which
    then works on 14x14). The first convolution moves 2 pixels at a time: it halves the image like
    a pooling layer would, for a quarter of the work of a full-size convolution plus pooling.
    Pooling early again quarters the work of the next convolution, which is most of the model's.
    """
    first, second, third = recipe.filters
    stack: list[layers.Layer] = [keras.Input(shape=models.MNIST_SHAPE, name="image"),
                                 augmentation_layers(recipe.augmentation, seed=seed)]
    momentum = recipe.batchnorm_momentum
    pool = [layers.MaxPooling2D(2, name="pool")]
    stack += _conv_block(first, "block1", momentum, strides=2) + (pool if recipe.early_pooling else [])
    stack += _conv_block(second, "block2", momentum) + ([] if recipe.early_pooling else pool)
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


def rate_at(recipe: Recipe, progress: float) -> float:
    """The learning rate ``progress`` (0 to 1) of the way through a run: the schedule's shape, by share of the run.

    The same warm-up + cosine as :func:`learning_rate_schedule`, measured in shares of the run
    instead of steps, so that it can follow the clock (:class:`TrainingBudget`).
    """
    progress = min(max(progress, 0.0), 1.0)
    peak, start = recipe.peak_learning_rate, recipe.peak_learning_rate / 20
    if recipe.warmup_share > 0 and progress < recipe.warmup_share:
        return start + (peak - start) * progress / recipe.warmup_share
    after = (progress - recipe.warmup_share) / max(1e-12, 1 - recipe.warmup_share)
    return peak * 0.5 * (1 + math.cos(math.pi * after))


class TrainingBudget(keras.callbacks.Callback):
    """Train for a number of *seconds* instead of a number of epochs.

    The learning rate follows the recipe's warm-up + cosine shape over the clock (:func:`rate_at`
    of the share of the budget used so far), and training stops after the last step that fits: a
    faster computer gets through more epochs in the same time, a slower one fewer, and both end
    their schedule at the budget. The first step includes building the graph (tracing), which is
    part of the budget too. A step that starts an epoch also refills the shuffle buffer, so the
    callback keeps what those cost apart and reserves it before an epoch ends.

    Args:
        seconds: The budget.
        recipe: Whose schedule shape to follow.
        started: When the budget began (``time.perf_counter()``); None: when ``fit`` starts
            training (``on_train_begin``). :func:`train` passes the moment it calls ``fit``, so that
            the budget and ``train_seconds`` count the same time.
    """

    #: What the first new epoch is assumed to cost before one has been seen (seconds).
    FIRST_EPOCH_START_GUESS = 1.0

    def __init__(self, seconds: float, recipe: Recipe, started: float | None = None) -> None:
        super().__init__()
        if not seconds > 0:
            raise ValueError(tr(f"A training budget must be a positive number of seconds, not {seconds!r}.",
                                f"训练预算必须是正的秒数，而不是 {seconds!r}。"))
        self.seconds = float(seconds)
        self.recipe = recipe
        self.started = started
        self.steps = 0

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        if self.started is None:
            self.started = time.perf_counter()
        self.last_end = self.started
        self.longest_step = 0.0
        self.epoch_start: float | None = None  # the longest step that started an epoch, once seen
        self.model.optimizer.learning_rate.assign(rate_at(self.recipe, 0.0))

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.first_of_epoch = True

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        now = time.perf_counter()
        took, self.last_end = now - self.last_end, now
        if self.steps and self.first_of_epoch:  # not the very first step (tracing), but a later epoch's first
            self.epoch_start = max(self.epoch_start or 0.0, took)
        elif self.steps:
            self.longest_step = max(self.longest_step, took)
        self.steps += 1
        self.first_of_epoch = False
        next_step = self.longest_step
        if batch + 1 >= (self.params.get("steps") or math.inf):  # the next step starts a new epoch
            next_step = max(next_step, self.FIRST_EPOCH_START_GUESS if self.epoch_start is None else self.epoch_start)
        used = now - (self.started or now)
        if used + next_step > self.seconds:
            self.model.stop_training = True
        self.model.optimizer.learning_rate.assign(rate_at(self.recipe, used / self.seconds))


@keras.saving.register_keras_serializable(package="course_utils")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy for integer labels (0-9) with label smoothing.

    Keras' ``SparseCategoricalCrossentropy`` has no ``label_smoothing``, and
    ``CategoricalCrossentropy`` wants one-hot labels; this takes the integer labels the course uses
    everywhere, so ``evaluate(x, y)`` and the accuracy metric work as with the plain loss.
    """

    def __init__(self, label_smoothing: float = 0.1, name: str = "smoothed_sparse_crossentropy",
                 **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing

    def call(self, y_true: Any, y_pred: Any) -> Any:
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        one_hot = keras.ops.one_hot(labels, keras.ops.shape(y_pred)[-1], dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(one_hot, y_pred, label_smoothing=self.label_smoothing)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def compile_model(model: keras.Model, recipe: Recipe, steps_per_epoch: int, epochs: int | None = None,
                  by_clock: bool = False) -> keras.Model:
    """Compile with Adam on the recipe's schedule, its label smoothing and steps per execution (``compile_fast``).

    Args:
        model: The recipe's model (:func:`build_model`), compiled in place and returned.
        recipe: Whose learning rate, label smoothing, batch size and steps per execution to use.
        steps_per_epoch: Batches per epoch, to lay the schedule out over the run's steps.
        epochs: The run's epochs; None: the recipe's.
        by_clock: A plain learning rate that :class:`TrainingBudget` sets after every step, for a
            run by time instead of by epochs; False: the warm-up + cosine schedule by steps.
    """
    rate = rate_at(recipe, 0.0) if by_clock else learning_rate_schedule(recipe, steps_per_epoch, epochs)
    optimizer = keras.optimizers.Adam(learning_rate=rate)
    loss = SmoothedSparseCrossentropy(recipe.label_smoothing) if recipe.label_smoothing else \
        "sparse_categorical_crossentropy"
    return training.compile_fast(model, optimizer=optimizer, loss=loss, batch_size=recipe.batch_size,
                                 steps_per_execution=recipe.steps_per_execution)


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
    seconds: float | None = None,
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
        seconds: Train for this many seconds instead of a number of epochs (:class:`TrainingBudget`:
            the schedule follows the clock, and training stops when the time is up; ``epochs`` is
            then only an upper limit, default 1,000). None: train ``epochs`` epochs.

    Returns:
        A :class:`TrainedRecipe`: the model, its ``History``, the seconds spent in ``fit`` and the
        epochs it trained (under a time budget the last one can be partial).
    """
    by_clock = seconds is not None
    epochs = epochs or (1000 if by_clock else recipe.epochs)
    model = build_model(recipe, seed=seed)
    compile_model(model, recipe, steps_per_epoch=math.ceil(len(x) / recipe.batch_size), epochs=epochs,
                  by_clock=by_clock)
    callbacks = list(callbacks or [])
    start = time.perf_counter()
    if seconds is not None:
        callbacks.append(TrainingBudget(seconds, recipe, started=start))
    history = training.fit_fast(model, x, y, epochs=epochs, batch_size=recipe.batch_size,
                                validation_data=validation_data, verbose=verbose, seed=seed, callbacks=callbacks)
    return TrainedRecipe(model, history, time.perf_counter() - start, len(history.history.get("loss", [])))


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
