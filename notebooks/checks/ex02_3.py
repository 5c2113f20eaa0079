"""Checks for exercise 02.3, A deeper look at the 5×5 filters."""

import warnings

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex02_3"

#: models.build_cnn_5x5(): (layer name, output shape, parameters), the input layer left out.
EXPECTED_LAYERS = [
    ("conv1", (None, 28, 28, 16), 416),
    ("pool1", (None, 14, 14, 16), 0),
    ("conv2", (None, 14, 14, 32), 12_832),
    ("pool2", (None, 7, 7, 32), 0),
    ("flatten", (None, 1568), 0),
    ("dense", (None, 128), 200_832),
    ("predictions", (None, 10), 1_290),
]
CHANCE = 0.1  # ten digits


def _is_set(value):
    return value is not ... and value is not None


def _layers(model):
    return [(layer.name, tuple(layer.output.shape), layer.count_params())
            for layer in model.layers if type(layer).__name__ != "InputLayer"]


@test_case(points=1, hidden=False,
           failure_message="Start from inputs = keras.Input(shape=(28, 28, 1), name=\"image\"), call each layer of "
                           "section 5 on the previous tensor, and finish with keras.Model(inputs, outputs).")
def test_the_functional_model(cnn_5x5_functional):
    assert _is_set(cnn_5x5_functional), "`cnn_5x5_functional` is still `...`: build the model."
    assert hasattr(cnn_5x5_functional, "layers"), (
        f"`cnn_5x5_functional` is a {type(cnn_5x5_functional).__name__}; expected a Keras model."
    )
    kinds = [cls.__name__ for cls in type(cnn_5x5_functional).__mro__]
    assert "Sequential" not in kinds, (
        "`cnn_5x5_functional` is a keras.Sequential: write it with the Functional API (keras.Input, layer calls, "
        "keras.Model(inputs, outputs))."
    )
    seen = _layers(cnn_5x5_functional)
    for expected, layer in zip(EXPECTED_LAYERS, seen, strict=False):
        assert layer == expected, f"layer {layer} of `cnn_5x5_functional` differs from cnn_5x5's {expected}."
    assert len(seen) == len(EXPECTED_LAYERS), (
        f"`cnn_5x5_functional` has {len(seen)} layers besides its input; cnn_5x5 has {len(EXPECTED_LAYERS)}."
    )


@test_case(points=1, hidden=False,
           failure_message="Compile with optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\", "
                           "metrics=[\"accuracy\"], then history_5x5 = cnn_5x5_functional.fit(..., "
                           "validation_split=0.1) as in section 8.")
def test_the_training(cnn_5x5_functional, history_5x5):
    assert _is_set(history_5x5), "`history_5x5` is still `...`: set it to what cnn_5x5_functional.fit(...) returns."
    assert _is_set(cnn_5x5_functional), "`cnn_5x5_functional` is still `...`: build and train it first."
    assert hasattr(history_5x5, "history"), (
        f"`history_5x5` is a {type(history_5x5).__name__}; expected the History object that fit returns."
    )
    assert history_5x5.model is cnn_5x5_functional, (
        "`history_5x5` belongs to another model: train cnn_5x5_functional itself."
    )
    logs = history_5x5.history
    assert "val_accuracy" in logs, (
        f"`history_5x5` records {sorted(logs)}: no validation accuracy. Pass validation_split=0.1 and "
        "metrics=[\"accuracy\"]."
    )
    final = float(logs["val_accuracy"][-1])
    assert final > 2 * CHANCE, (
        f"validation accuracy after training is {final:.3f}, not clearly better than guessing ({CHANCE:.1f}). "
        "Train on x_train, y_train as in section 8."
    )
    biases = np.asarray(cnn_5x5_functional.get_layer("conv1").get_weights()[1])
    assert np.any(biases != 0), "conv1's biases are all still 0: the model has not been trained."


@test_case(points=1, hidden=False,
           failure_message="extractor_5x5 = keras.Model(inputs=cnn_5x5_functional.inputs, "
                           "outputs=cnn_5x5_functional.get_layer(\"conv1\").output); then "
                           "extractor_5x5.predict(digit, verbose=0).")
def test_the_extractor(cnn_5x5_functional, extractor_5x5, conv1_maps_5x5, x_train):
    assert _is_set(extractor_5x5), "`extractor_5x5` is still `...`: build the feature extractor."
    assert _is_set(conv1_maps_5x5), "`conv1_maps_5x5` is still `...`: set it to the extractor's output for `digit`."
    assert _is_set(cnn_5x5_functional), "`cnn_5x5_functional` is still `...`: build it first."
    assert hasattr(extractor_5x5, "get_layer"), (
        f"`extractor_5x5` is a {type(extractor_5x5).__name__}; expected a keras.Model."
    )
    try:
        shared = extractor_5x5.get_layer("conv1") is cnn_5x5_functional.get_layer("conv1")
    except ValueError:
        shared = False
    assert shared, (
        "`extractor_5x5` has no layer conv1 shared with cnn_5x5_functional: build it from the trained model's "
        "inputs and its conv1 output, not from a new model."
    )
    assert x_train is not None, "`x_train` is not defined: run the lesson's cells above the exercises first."
    with warnings.catch_warnings():  # Keras warns when a model built from a list of inputs gets one array
        warnings.simplefilter("ignore")
        expected = extractor_5x5(x_train[:1])
    if isinstance(expected, list | tuple):
        expected = expected[0]
    expected = np.asarray(expected, dtype="float32")
    maps = np.asarray(conv1_maps_5x5[0] if isinstance(conv1_maps_5x5, list | tuple) else conv1_maps_5x5,
                      dtype="float32")
    assert maps.shape == (1, 28, 28, 16), (
        f"`conv1_maps_5x5` has shape {maps.shape}; expected (1, 28, 28, 16): 16 maps of 28×28 for one digit."
    )
    assert np.allclose(maps, expected, rtol=1e-2, atol=1e-3), (
        f"`conv1_maps_5x5` differs from extractor_5x5's output for digit = x_train[:1] by up to "
        f"{np.abs(maps - expected).max():.4f}: compute it after training, for that digit."
    )
