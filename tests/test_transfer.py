"""Transfer learning: a frozen base stays bit-for-bit unchanged, BatchNorm stays in inference mode, guards work."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from idx_files import write_fashion_folder
from keras import layers

from course_utils import data, transfer


@pytest.fixture(scope="module")
def digits(fast_digits: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    keep = fast_digits["y_train"] < 5
    return fast_digits["x_train"][keep][:256], fast_digits["y_train"][keep][:256]


def classifier(base: keras.Model, training: bool | None = None) -> keras.Model:
    """The notebook's pattern: the (pretrained) base, then a new head."""
    inputs = keras.Input(shape=(28, 28, 1))
    features = base(inputs, training=training)
    outputs = layers.Dense(5, activation="softmax", name="head")(features)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def moving_statistics(base: keras.Model) -> list[np.ndarray]:
    return [np.array(w) for w in base.weights if "moving" in w.path]


def kernels(base: keras.Model) -> list[np.ndarray]:
    return [np.array(w) for w in base.weights if "kernel" in w.path]


def test_frozen_base_weights_are_unchanged_after_training_the_head(digits: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = digits
    keras.utils.set_random_seed(0)
    base = transfer.build_conv_base(filters=8)
    base.trainable = False
    model = classifier(base)
    before = transfer.copy_weights(base)
    head_before = np.array(model.get_layer("head").kernel)
    model.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert transfer.weights_unchanged(before, base)  # kernels, BatchNorm scales and moving statistics
    assert not np.allclose(np.array(model.get_layer("head").kernel), head_before)  # the head did learn


def test_fine_tuning_with_frozen_batchnorm_keeps_its_statistics(digits: tuple[np.ndarray, np.ndarray]) -> None:
    """The notebook's fine-tuning recipe: unfreeze the base, then freeze its BatchNorm layers again."""
    x, y = digits
    keras.utils.set_random_seed(0)
    base = transfer.build_conv_base(filters=8)
    base.trainable = True
    for layer in base.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    model = classifier(base)
    batchnorm = [np.array(w) for w in base.weights if "/bn" in w.path]  # gamma, beta, moving mean/variance
    conv = kernels(base)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert not any(np.allclose(a, b) for a, b in zip(conv, kernels(base), strict=True))  # convolutions learn
    assert all(np.array_equal(a, b) for a, b in zip(batchnorm, [np.array(w) for w in base.weights if "/bn" in w.path],
                                                    strict=True))


def test_keras3_fit_overrides_training_false_on_an_unfrozen_base(digits: tuple[np.ndarray, np.ndarray]) -> None:
    """What notebook 11 shows: ``base(inputs, training=False)`` alone does not protect BatchNorm in Keras 3.

    ``fit`` calls the outer model with ``training=True``, which reaches the inner model
    (keras-team/keras#20285). If a Keras release changes this, the notebook's prose must change too.
    """
    x, y = digits
    keras.utils.set_random_seed(0)
    base = transfer.build_conv_base(filters=8)
    base.trainable = True
    model = classifier(base, training=False)
    statistics = moving_statistics(base)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert not all(np.array_equal(a, b) for a, b in zip(statistics, moving_statistics(base), strict=True))


def test_weights_unchanged_notices_a_single_change() -> None:
    base = transfer.build_conv_base(filters=4)
    before = transfer.copy_weights(base)
    assert transfer.weights_unchanged(before, base)
    bn = base.get_layer("bn2")
    bn.moving_mean.assign(bn.moving_mean + np.float32(1e-3))
    assert not transfer.weights_unchanged(before, base)


def test_parameter_counts_follow_the_trainable_flag() -> None:
    base = transfer.build_conv_base()
    counts = transfer.parameter_counts(base)
    assert counts["total"] == base.count_params()
    # Only BatchNorm's moving mean and variance (2 per channel: 32 + 64 + 64 channels) are never trained.
    assert counts["non-trainable"] == 2 * (32 + 64 + 64)
    assert base.compute_output_shape((None, 28, 28, 1)) == (None, 3 * 3 * 64)
    base.trainable = False
    frozen = transfer.parameter_counts(base)
    assert frozen == {"trainable": 0, "non-trainable": counts["total"], "total": counts["total"]}


def test_fashion_section_is_skipped_with_a_note_when_the_data_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(data, "KERAS_DATASETS_DIR", tmp_path / "keras-datasets")
    monkeypatch.setattr(data, "FASHION_DEBIAN_DIR", tmp_path / "empty")
    (tmp_path / "empty").mkdir()
    assert transfer.fashion_mnist_or_note() is None
    note = capsys.readouterr().out
    assert "skipped" in note
    assert "apt-get install dataset-fashion-mnist" in note and "fashion_mnist.load_data()" in note


def test_fashion_section_runs_when_the_data_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_fashion_folder(tmp_path / "fashion", train_count=40, test_count=20)
    monkeypatch.setattr(data, "KERAS_DATASETS_DIR", tmp_path / "keras-datasets")
    monkeypatch.setattr(data, "FASHION_DEBIAN_DIR", folder)
    loaded = transfer.fashion_mnist_or_note(fast=False)
    assert loaded is not None
    (x_train, y_train), (x_test, _) = loaded
    assert x_train.shape == (40, 28, 28) and x_test.shape == (20, 28, 28)
    assert "skipped" not in capsys.readouterr().out


def test_imagenet_weights_are_only_looked_up(tmp_path: Path) -> None:
    name = transfer.mobilenet_v2_weights_name(size=96)
    assert name == "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"
    assert transfer.cached_imagenet_weights(name, folder=tmp_path) is None
    (tmp_path / name).write_bytes(b"")
    assert transfer.cached_imagenet_weights(name, folder=tmp_path) is None  # an empty file is a failed download
    (tmp_path / name).write_bytes(b"\x89HDF")
    assert transfer.cached_imagenet_weights(name, folder=tmp_path) == tmp_path / name


#: Weights saved under the course's name in Keras' folder, then MobileNetV2(weights="imagenet"):
#: Keras loads them only if that is the name (and the folder) it downloads to; else it tries the
#: internet, which offline_keras refuses.
KERAS_LOADS_WHAT_THE_COURSE_FINDS = """
import json
import keras, numpy as np
from course_utils import transfer

name = transfer.mobilenet_v2_weights_name(size=96)
transfer.KERAS_MODELS_DIR.mkdir(parents=True, exist_ok=True)
keras.utils.set_random_seed(0)
made = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights=None)
made.save(transfer.KERAS_MODELS_DIR / name)  # legacy .h5, the format of Keras' download
found = transfer.cached_imagenet_weights(name)
loaded = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False, weights="imagenet")
same = all(np.array_equal(a, b) for a, b in zip(made.get_weights(), loaded.get_weights(), strict=True))
print(json.dumps({"found": str(found), "same": same}))
"""


def test_keras_loads_the_imagenet_weights_the_course_finds(offline_keras) -> None:
    result = offline_keras.run(KERAS_LOADS_WHAT_THE_COURSE_FINDS)
    assert result.returncode == 0, result.stderr[-3000:]  # "Connection refused": Keras looked for another file
    found = json.loads(result.stdout.strip().splitlines()[-1])
    expected = offline_keras.home / "models" / transfer.mobilenet_v2_weights_name(size=96)
    assert found == {"found": str(expected), "same": True}
