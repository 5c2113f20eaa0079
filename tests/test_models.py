"""The architectures have the documented sizes, stable layer names, and train for real."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from course_utils import data, models


@pytest.mark.parametrize(
    ("builder", "params"),
    [
        (models.build_cnn_3x3, 93_322),
        (models.build_cnn_5x5, 215_370),
        (models.build_cnn_functional, 93_322),
    ],
)
def test_parameter_counts(builder, params: int) -> None:
    assert builder().count_params() == params


def test_every_builder_maps_images_to_ten_probabilities() -> None:
    batch = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    for name in models.BUILDERS:
        probabilities = np.asarray(models.build(name)(batch))
        assert probabilities.shape == (4, 10)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    cifar = models.build_cifar_cnn()
    assert cifar.output_shape == (None, 10)
    assert any(layer.__class__.__name__ == "Dropout" for layer in cifar.layers)


def test_layer_names_are_stable_and_functional_matches_sequential() -> None:
    sequential = models.build_cnn_3x3()
    functional = models.build_cnn_functional()
    names = [layer.name for layer in sequential.layers]
    assert names == ["conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "dense", "predictions"]
    assert [layer.name for layer in functional.layers][1:] == names
    assert [v.path for v in sequential.weights][:2] == ["cnn_3x3/conv1/kernel", "cnn_3x3/conv1/bias"]


def test_options_change_the_model() -> None:
    assert models.build_cnn_3x3(filters=16).count_params() < models.build_cnn_3x3().count_params()
    assert "dropout" in [layer.name for layer in models.build_dnn(dropout=0.3).layers]
    with pytest.raises(ValueError, match="unknown model"):
        models.build("resnet")


def test_the_3x3_cnn_learns_real_digits() -> None:
    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", fast=True, verbose=False)
    # Seeded: the starting weights must not depend on which tests ran before in this worker.
    keras.utils.set_random_seed(0)
    keras.mixed_precision.set_global_policy("float32")
    model = models.build_cnn_3x3()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.prepare(x_train), y_train, epochs=3, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(data.prepare(x_test), y_test, verbose=0)
    assert accuracy > 0.8  # 1,200 digits, 3 epochs: far above the 10% of guessing
