"""Checks for the capstone's exercise 2, A CNN, built and compiled."""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "capstone_2"


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it as the question says."


def all_layers(model):
    """Every layer of ``model``, nested models included."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(all_layers(layer))
    return found


@test_case(points=1, hidden=False,
           failure_message="def build_model(): build the layers, compile, `return model`; then model = build_model().")
def test_build_model_makes_a_new_compiled_model_each_call(build_model, model):
    import keras

    assert callable(build_model), f"`build_model` is a {type(build_model).__name__}, expected a function"
    first = build_model()
    assert isinstance(first, keras.Model), (
        f"build_model() returned {type(first).__name__}, expected a Keras model: end the function with `return model`")
    assert build_model() is not first, (
        "build_model() returned the same model twice: create the layers inside the function, so that every call "
        "builds a new model (exercise 4 needs one)")
    assert first.compiled, "build_model() returns a model that is not compiled: call model.compile(...) inside it"
    require(model=model)
    assert isinstance(model, keras.Model), (
        f"`model` is a {type(model).__name__}, expected the model build_model() returns")


@test_case(points=1, hidden=False,
           failure_message="Start with keras.Input(shape=(28, 28, 1)), use Conv2D layers, and end with "
                           'Dense(10, activation="softmax", dtype="float32") (notebook 02).')
def test_a_cnn_from_digits_to_ten_probabilities(model):
    import keras

    require(model=model)
    assert isinstance(model, keras.Model), f"`model` is a {type(model).__name__}, expected a Keras model"
    assert model.built, "`model` is not built: start it with keras.Input(shape=(28, 28, 1))"
    assert tuple(model.input_shape) == (None, 28, 28, 1), (
        f"`model` takes input {tuple(model.input_shape)}, expected (None, 28, 28, 1): keras.Input(shape=(28, 28, 1))")
    assert tuple(model.output_shape) == (None, 10), (
        f"`model` gives output {tuple(model.output_shape)}, expected (None, 10): one probability per digit")
    convolutions = [layer for layer in all_layers(model) if isinstance(layer, keras.layers.Conv2D)]
    assert convolutions, "`model` has no Conv2D layer: a CNN starts with convolutions (notebook 02)"
    probabilities = np.asarray(model(np.zeros((2, 28, 28, 1), np.float32), training=False), dtype=np.float32)
    sums = probabilities.sum(axis=1)
    assert np.allclose(sums, 1, atol=1e-2) and probabilities.min() >= 0, (
        f"the outputs of `model` sum to {sums.round(3).tolist()} per image, expected probabilities that sum to 1: "
        'a softmax output layer, Dense(10, activation="softmax")')


@test_case(points=1, hidden=False,
           failure_message='Compile with loss="sparse_categorical_crossentropy" (integer labels) and '
                           'metrics=["accuracy"] (notebook 03).')
def test_compiled_for_integer_labels_with_accuracy(model):
    import keras

    from course_utils import data

    require(model=model)
    assert isinstance(model, keras.Model) and model.compiled, "`model` is not compiled: call model.compile(...)"
    (images, labels), _ = data.load_mnist(source="bundled", fast=True, verbose=False)
    images, labels = data.prepare(images[:64]), labels[:64]
    try:  # the compiled loss and metrics on 64 digits, eagerly (evaluate would trace a function first)
        probabilities = model(images, training=False)
        loss = float(model.compute_loss(x=images, y=labels, y_pred=probabilities, training=False))
        results = model.compute_metrics(images, labels, probabilities, sample_weight=None)
    except Exception as error:  # a loss for one-hot labels fails on integer labels
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise AssertionError(
            f"the compiled loss fails on integer labels with {type(error).__name__}: {first_line[:200]}. The labels "
            "are integers 0-9, so the loss is 'sparse_categorical_crossentropy' (notebook 03)") from None
    finally:
        model.reset_metrics()
    assert "accuracy" in results, (
        f"`model` reports {sorted(results)}, expected 'accuracy' among them: metrics=['accuracy'] (exercise 3's "
        "checkpoint watches 'val_accuracy')")
    assert np.isfinite(loss), f"the loss on 64 digits is {loss}, expected a finite number"
