"""Augmentation keeps digits in place and is off at inference; the best recipe builds, schedules and trains."""

from __future__ import annotations

import time
from pathlib import Path

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


def test_rate_by_share_of_the_run_follows_the_step_schedule() -> None:
    recipe = recipes.Recipe(peak_learning_rate=4e-3, warmup_share=0.2)
    schedule = recipes.learning_rate_schedule(recipe, steps_per_epoch=10, epochs=10)
    for step in (0, 5, 10, 20, 35, 60, 90, 100):
        assert recipes.rate_at(recipe, step / 100) == pytest.approx(float(schedule(step)), rel=1e-4, abs=1e-9)
    assert recipes.rate_at(recipe, -1) == recipes.rate_at(recipe, 0) and recipes.rate_at(recipe, 2) == pytest.approx(0)


def test_training_for_seconds_stops_when_the_time_is_up_with_the_rate_at_its_end(digits: tuple) -> None:
    x, y = digits
    small = recipes.Recipe(filters=(8, 16, 32), dense_units=16, batch_size=64)
    budget = 6.0

    class FirstStep(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            self.__dict__.setdefault("ended", time.perf_counter())

    first_step = FirstStep()
    called = time.perf_counter()
    # 100 epochs would take far longer than 6 s: only the budget can stop this run in time.
    trained = recipes.train(x[:1024], y[:1024], recipe=small, seconds=budget, epochs=100, seed=0,
                            callbacks=[first_step])
    assert 1 <= trained.epochs < 100
    # The first step (tracing) always runs, however long a loaded machine makes it; after it, the budget holds.
    assert budget * 0.3 <= trained.train_seconds <= max(budget, first_step.ended - called) + 1.0
    final_rate = float(keras.ops.convert_to_numpy(trained.model.optimizer.learning_rate))
    assert final_rate < 0.15 * small.peak_learning_rate  # the cosine has (nearly) reached its end
    with pytest.raises(ValueError, match="positive number of seconds"):
        recipes.TrainingBudget(0, small)


def test_goal_met_needs_both_the_accuracy_and_the_time() -> None:
    assert recipes.goal_met(20, 19.9, 0.9900)
    assert not recipes.goal_met(20, 20.1, 0.9950)
    assert not recipes.goal_met(60, 30.0, 0.9939)
    assert recipes.goal_met(60, 60.0, 0.9940)
    assert recipes.goal_met(10, 5.0, 0.9999) is None  # a budget without a goal: neither met nor missed


def test_early_pooling_puts_the_pool_after_the_first_block() -> None:
    early = recipes.build_model(recipes.Recipe(filters=(8, 16, 32), dense_units=16, early_pooling=True), seed=0)
    late = recipes.build_model(recipes.Recipe(filters=(8, 16, 32), dense_units=16, early_pooling=False), seed=0)
    names = [layer.name for layer in early.layers]
    assert names.index("pool") == names.index("block1_relu") + 1
    assert early.get_layer("block2_conv").output.shape[1:3] == (7, 7)
    late_names = [layer.name for layer in late.layers]
    assert late_names.index("pool") == late_names.index("block2_relu") + 1
    assert late.get_layer("block2_conv").output.shape[1:3] == (14, 14)
    # Both end in 5x5 maps before the dense layer: same dense size, a quarter of block 2's work when early.
    assert early.get_layer("flatten").output.shape[1] == late.get_layer("flatten").output.shape[1] == 5 * 5 * 32


def test_smoothed_loss_takes_integer_labels_and_matches_keras_on_one_hot_ones() -> None:
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=32).astype("float32")
    labels = rng.integers(0, 10, size=32)
    ours = float(recipes.SmoothedSparseCrossentropy(0.1)(labels, probabilities))
    keras_one_hot = float(keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(np.eye(10)[labels], probabilities))
    assert ours == pytest.approx(keras_one_hot, rel=1e-5)
    plain = float(keras.losses.SparseCategoricalCrossentropy()(labels, probabilities))
    assert float(recipes.SmoothedSparseCrossentropy(0.0)(labels, probabilities)) == pytest.approx(plain, rel=1e-5)
    assert ours != pytest.approx(plain, rel=1e-3)
    # It survives serialisation, so a saved model that was compiled with it loads.
    restored = keras.losses.deserialize(keras.losses.serialize(recipes.SmoothedSparseCrossentropy(0.2)))
    assert restored.label_smoothing == 0.2


def test_the_shipped_frontier_is_complete_kept_its_budgets_and_is_what_the_docs_say() -> None:
    frontier = recipes.measured_frontier()
    assert [point["budget"] for point in frontier["recipes"]] == list(recipes.FRONTIER_BUDGETS)
    assert len(frontier["seeds"]) >= 3 and {int(b) for b in frontier["goals"]} == set(recipes.BUDGET_GOALS)
    performance = (Path(__file__).parent.parent / "docs" / "performance.md").read_text()
    for point in frontier["recipes"]:
        runs = point["runs"]
        assert [run["seed"] for run in runs] == frontier["seeds"]
        assert point["median_accuracy"] == pytest.approx(float(np.median([run["test_accuracy"] for run in runs])))
        assert point["median_seconds"] == pytest.approx(float(np.median([run["train_seconds"] for run in runs])),
                                                        abs=0.05)
        # Training by the clock kept every run's budget (one decimal, as the benchmark prints it).
        assert all(run["train_seconds"] <= point["budget"] + 0.05 for run in runs), point
        assert f"| {point['budget']} s | {point['median_accuracy']:.2%} |" in performance, point["budget"]
    assert frontier["references"], "the seed CNN's reference runs are part of the picture"
