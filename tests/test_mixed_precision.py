"""A model trained in mixed precision saves, reloads and exports, and every file agrees with it.

Stated tolerances (largest change of any probability against the trained Keras model):

* the four Keras/TensorFlow formats (``.keras``, legacy ``.h5``, SavedModel, ``.weights.h5``)
  keep the mixed policy and compute exactly what the model computes: ``1e-6``;
* LiteRT float32 and float16 and ONNX compute in float32 (``export.float32_copy``), so they differ
  from the bfloat16 model by bfloat16's rounding: ``export.agreement_tolerance(model)``, 5e-2;
* LiteRT dynamic and int8 quantise on top of that: ``1e-1``, and at least 97% of their answers
  (the most likely digit) must be the Keras model's.

The model is trained under ``mixed_bfloat16`` whatever the machine (emulated, and slow, on CPUs
without bfloat16), on the 1,200 fast-mode digits: the tolerances hold for any weights, but agreement between
files says little about a model that has learned nothing, so it must reach 80%.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils import export, models, saving, training

SAME_COMPUTATION = 1e-6
QUANTISED = 1e-1


@pytest.fixture(scope="module")
def digits(fast_digits: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"x_train": fast_digits["x_train"], "y_train": fast_digits["y_train"],
            "x_test": fast_digits["x_test"][:200], "y_test": fast_digits["y_test"][:200]}


@pytest.fixture(scope="module")
def mixed_model(digits: dict[str, np.ndarray]) -> keras.Model:
    keras.utils.set_random_seed(3)
    previous = keras.mixed_precision.global_policy().name
    training.use_fast_precision("mixed_bfloat16")
    try:
        model = models.build_cnn_3x3(filters=16)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    training.compile_fast(model, optimizer=keras.optimizers.Adam(3e-3), batch_size=32)
    training.fit_fast(model, digits["x_train"], digits["y_train"], epochs=3, batch_size=32, verbose=0, seed=3)
    return model


@pytest.fixture(scope="module")
def reference(mixed_model: keras.Model, digits: dict[str, np.ndarray]) -> np.ndarray:
    return mixed_model.predict(digits["x_test"], verbose=0)


def test_the_model_really_computes_in_bfloat16(mixed_model: keras.Model, digits: dict[str, np.ndarray],
                                                reference: np.ndarray) -> None:
    assert mixed_model.get_layer("conv1").compute_dtype == "bfloat16"
    assert mixed_model.get_layer("conv1").kernel.dtype == "float32"  # weights stay float32
    assert reference.dtype == np.float32  # the softmax output layer stays float32
    assert not export.is_float32(mixed_model)
    accuracy = float(np.mean(reference.argmax(axis=1) == digits["y_test"]))
    assert accuracy > 0.8, "the model must have learned something, or agreement proves little"


@pytest.mark.parametrize("key", ["keras", "h5", "savedmodel", "weights"])
def test_every_keras_format_reloads_the_mixed_model(key: str, mixed_model: keras.Model, digits: dict[str, np.ndarray],
                                                     reference: np.ndarray, tmp_path: Path) -> None:
    path = saving.save_format(mixed_model, tmp_path / saving.FILE_NAMES[key], key)
    fresh = None
    if key == "weights":
        fresh = keras.models.clone_model(mixed_model)  # the same architecture, policies included
    reloaded = saving.load_any(path, fresh)
    if key != "savedmodel":
        assert reloaded.get_layer("conv1").dtype_policy.name == "mixed_bfloat16", "the policy is saved with it"
    predictions = np.asarray(reloaded.predict(digits["x_test"], verbose=0), dtype=np.float32)
    assert np.max(np.abs(predictions - reference)) <= SAME_COMPUTATION


def test_the_float32_copy_has_the_same_weights(mixed_model: keras.Model, digits: dict[str, np.ndarray],
                                               reference: np.ndarray) -> None:
    copy = export.float32_copy(mixed_model)
    assert export.is_float32(copy) and copy is not mixed_model
    assert all(np.array_equal(a, b) for a, b in zip(copy.get_weights(), mixed_model.get_weights(), strict=True))
    change = np.max(np.abs(copy.predict(digits["x_test"], verbose=0) - reference))
    assert 0 < change <= export.agreement_tolerance(mixed_model)  # bfloat16 rounding, and only that
    assert export.float32_copy(copy) is copy  # a float32 model is returned as it is


@pytest.mark.parametrize("quantization", [None, "float16", "dynamic", "int8"])
def test_litert_files_agree_with_the_mixed_model(quantization: export.Quantization, mixed_model: keras.Model,
                                                 digits: dict[str, np.ndarray], reference: np.ndarray,
                                                 tmp_path: Path) -> None:
    path = export.to_litert(mixed_model, tmp_path / f"model_{quantization}.tflite", quantization,
                            representative=digits["x_train"][:100])
    predictions = export.LiteRTModel(path).predict(digits["x_test"])
    change = np.max(np.abs(predictions - reference))
    if quantization in (None, "float16"):
        assert change <= export.agreement_tolerance(mixed_model)
    else:
        assert change <= QUANTISED
        assert np.mean(predictions.argmax(axis=1) == reference.argmax(axis=1)) >= 0.97


def test_onnx_file_agrees_with_the_mixed_model(mixed_model: keras.Model, digits: dict[str, np.ndarray],
                                               reference: np.ndarray, tmp_path: Path) -> None:
    path = export.to_onnx(mixed_model, tmp_path / "model.onnx")
    predictions = export.OnnxModel(path).predict(digits["x_test"])
    assert np.max(np.abs(predictions - reference)) <= export.agreement_tolerance(mixed_model)


def test_mixed_float16_gets_the_tighter_tolerance() -> None:
    previous = keras.mixed_precision.global_policy().name
    try:
        for policy, expected in (("mixed_float16", 1e-2), ("mixed_bfloat16", 5e-2), ("float32", 1e-3)):
            keras.mixed_precision.set_global_policy(policy)
            assert export.agreement_tolerance(models.build_cnn_3x3(filters=4)) == expected
    finally:
        keras.mixed_precision.set_global_policy(previous)
