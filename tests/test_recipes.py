"""Augmentation keeps digits in place and is off at inference; the best recipe builds, schedules and trains."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import recipes


@pytest.fixture(scope="module")
def digits(fast_digits: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    return fast_digits["x_train"], fast_digits["y_train"]


def test_augmentation_keeps_shape_changes_digits_and_is_off_at_inference(digits: tuple) -> None:
    x = digits[0][:16]
    augment = recipes.augmentation_layers(seed=3)
    # Off means "unchanged" up to the rounding of the layers' compute dtype: none under float32,
    # bfloat16's under mixed_bfloat16 (notebook 09 shows it). Compare with x as the layers hold it.
    as_computed = np.asarray(keras.ops.cast(keras.ops.cast(x, augment.compute_dtype), "float32"))
    if augment.compute_dtype == "float32":
        assert np.array_equal(as_computed, x)
    else:
        assert not np.array_equal(as_computed, x)
    trained_on = np.asarray(augment(x, training=True), dtype=np.float32)
    assert trained_on.shape == x.shape
    assert not np.array_equal(trained_on, as_computed)
    assert np.array_equal(np.asarray(augment(x, training=False), dtype=np.float32), as_computed)
    # Called on its own the layer augments by default; inside a model, predict and evaluate switch it off.
    assert not np.array_equal(np.asarray(augment(x), dtype=np.float32), as_computed)
    wrapped = keras.Sequential([keras.Input(shape=(28, 28, 1)), augment])
    assert np.array_equal(np.asarray(wrapped.predict(x, verbose=0), dtype=np.float32), as_computed)


def test_augmentation_keeps_every_image_in_its_place(digits: tuple) -> None:
    # 16 copies of one digit, with blank images at known positions: a blank stays blank wherever it
    # is moved, so if the batch were reordered the blanks would show up elsewhere.
    x = np.repeat(digits[0][:1], 16, axis=0)
    blanks = [3, 7, 12]
    x[blanks] = 0.0
    out = recipes.augmentation_layers(seed=5)(x, training=True).numpy()
    ink = out.reshape(16, -1).sum(axis=1)
    assert np.flatnonzero(ink == 0).tolist() == blanks
    # Each image gets its own random transform, and a small one: the ink is roughly kept.
    kept = [i for i in range(16) if i not in blanks]
    assert len({out[i].tobytes() for i in kept}) == len(kept)
    assert np.all(np.abs(ink[kept] / x[0].sum() - 1) < 0.4)


def test_no_flips_and_black_borders() -> None:
    augment = recipes.augmentation_layers()
    assert not any(isinstance(layer, layers.RandomFlip) for layer in augment.layers)
    assert {layer.get_config()["fill_mode"] for layer in augment.layers} == {"constant"}
    # Shifting a white image uncovers a border, which must be black (0), not reflected ink.
    white = np.ones((4, 28, 28, 1), np.float32)
    shifted = recipes.augmentation_layers(recipes.Augmentation(rotation_degrees=0, shift=0.3, zoom=0), seed=1)(
        white, training=True).numpy()
    assert shifted.min() == 0.0


def test_best_model_predicts_the_same_twice(digits: tuple) -> None:
    model = recipes.build_model(seed=0)
    assert model.output_shape == (None, 10)
    assert model.layers[0].name == "augmentation"
    x = digits[0][:32]
    first, second = model.predict(x, verbose=0), model.predict(x, verbose=0)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(first.sum(axis=1), 1.0, rtol=1e-5)


def test_schedule_warms_up_to_the_peak_then_falls_to_zero() -> None:
    recipe = recipes.Recipe(epochs=10, peak_learning_rate=4e-3, warmup_share=0.2)
    schedule = recipes.learning_rate_schedule(recipe, steps_per_epoch=10)
    rates = np.array([float(schedule(step)) for step in range(101)])
    peak_step = int(np.argmax(rates))
    assert rates[0] == pytest.approx(4e-3 / 20)
    assert peak_step == 20 and rates[peak_step] == pytest.approx(4e-3)
    assert np.all(np.diff(rates[: peak_step + 1]) > 0) and np.all(np.diff(rates[peak_step:]) <= 0)
    assert rates[-1] == pytest.approx(0.0, abs=1e-9)
    shorter = recipes.learning_rate_schedule(recipe, steps_per_epoch=10, epochs=5)
    assert float(shorter(10)) == pytest.approx(4e-3)  # the warm-up is stretched to the run's length


class FitClock(keras.callbacks.Callback):
    """When ``fit`` began and ended (``time.perf_counter``), seen from inside it."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.began = time.perf_counter()

    def on_train_end(self, logs: dict | None = None) -> None:
        self.ended = time.perf_counter()


def test_train_runs_the_recipe(digits: tuple) -> None:
    x, y = digits
    small = recipes.Recipe(filters=(8, 16, 32), dense_units=32, epochs=3, batch_size=64)
    clock = FitClock()
    started = time.perf_counter()
    trained = recipes.train(x[:1024], y[:1024], recipe=small, validation_data=(x[1024:1280], y[1024:1280]), seed=0,
                            callbacks=[clock])
    whole_call = time.perf_counter() - started
    history = trained.history.history
    assert trained.epochs == 3 and len(history["loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    assert history["accuracy"][-1] > 0.5  # chance is 0.1
    assert "val_accuracy" in history
    # train_seconds is the training's time: at least all of fit (which it encloses), at most the whole call.
    assert clock.ended - clock.began <= trained.train_seconds <= whole_call
    assert trained.model.get_layer("block1_conv").filters == 8


def test_shift_images_moves_by_whole_pixels_and_fills_black() -> None:
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 5, 7, 0] = 1.0
    assert np.array_equal(recipes.shift_images(image, 0, 0), image)
    down = recipes.shift_images(image, 1, 0)
    assert down[0, 6, 7, 0] == 1.0 and down.sum() == 1.0
    left = recipes.shift_images(image, 0, -1)
    assert left[0, 5, 6, 0] == 1.0 and left.sum() == 1.0
    edge = np.ones((1, 28, 28, 1), np.float32)
    up = recipes.shift_images(edge, -1, 0)
    assert up[0, -1].sum() == 0 and up[0, :-1].min() == 1.0  # the uncovered bottom row is black


def test_predict_with_shifts_averages_probabilities(digits: tuple) -> None:
    model = recipes.build_model(recipes.Recipe(filters=(8, 16, 32), dense_units=16), seed=0)
    x = digits[0][:16]
    single = recipes.predict_with_shifts(model, x, shifts=((0, 0),))
    np.testing.assert_allclose(single, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    averaged = recipes.predict_with_shifts(model, x)
    assert averaged.shape == (16, 10)
    np.testing.assert_allclose(averaged.sum(axis=1), 1.0, rtol=1e-5)
    by_hand = np.mean([model.predict(recipes.shift_images(x, d, r), verbose=0) for d, r in recipes.TEST_TIME_SHIFTS],
                      axis=0)
    np.testing.assert_allclose(averaged, by_hand, rtol=1e-5, atol=1e-6)
