"""The architectures the lessons use, built with named layers so weight names stay stable.

Notebook 02 builds these by hand: the Keras calls are the lesson there. Later notebooks call
these builders so the lesson of the day stays in view.
"""

from __future__ import annotations

import keras
from keras import layers

from course_utils.language import tr

MNIST_SHAPE = (28, 28, 1)
CIFAR_SHAPE = (32, 32, 3)


def _classifier_head(num_classes: int) -> layers.Layer:
    # float32 output keeps the softmax numerically safe when the rest runs in mixed precision.
    return layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")


def build_cnn_3x3(
    input_shape: tuple[int, ...] = MNIST_SHAPE,
    num_classes: int = 10,
    filters: int = 32,
    dropout: float = 0.0,
    name: str = "cnn_3x3",
) -> keras.Sequential:
    """Conv(32,3x3)-Pool-Conv(64,3x3)-Pool-Conv(64,3x3)-Flatten-Dense(64)-Dense(10).

    With the defaults: 93,322 parameters.

    Args:
        input_shape: One image's shape, ``(height, width, channels)``; default MNIST's (28, 28, 1).
        num_classes: Units of the softmax output layer (float32 even under mixed precision).
        filters: Filters of the first convolution; the other two have twice as many (32 -> 32/64/64).
        dropout: Dropout rate before the output layer; 0 (default): no Dropout layer at all.
        name: The model's name (shown by ``summary()`` and in saved files).
    """
    stack: list[layers.Layer] = [
        keras.Input(shape=input_shape, name="image"),
        layers.Conv2D(filters, 3, activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(2 * filters, 3, activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Conv2D(2 * filters, 3, activation="relu", name="conv3"),
        layers.Flatten(name="flatten"),
        layers.Dense(64, activation="relu", name="dense"),
    ]
    if dropout > 0:
        stack.append(layers.Dropout(dropout, name="dropout"))
    stack.append(_classifier_head(num_classes))
    return keras.Sequential(stack, name=name)


def build_cnn_5x5(
    input_shape: tuple[int, ...] = MNIST_SHAPE,
    num_classes: int = 10,
    filters: int = 16,
    dropout: float = 0.0,
    name: str = "cnn_5x5",
) -> keras.Sequential:
    """Conv(16,5x5,same)-Pool-Conv(32,5x5,same)-Pool-Flatten-Dense(128)-Dense(10).

    "same" padding keeps 28x28 after the first convolution. With the defaults: 215,370 parameters.

    Args:
        input_shape: One image's shape, ``(height, width, channels)``; default MNIST's (28, 28, 1).
        num_classes: Units of the softmax output layer (float32 even under mixed precision).
        filters: Filters of the first convolution; the second has twice as many (16 -> 16/32).
        dropout: Dropout rate before the output layer; 0 (default): no Dropout layer at all.
        name: The model's name (shown by ``summary()`` and in saved files).
    """
    stack: list[layers.Layer] = [
        keras.Input(shape=input_shape, name="image"),
        layers.Conv2D(filters, 5, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(2, name="pool1"),
        layers.Conv2D(2 * filters, 5, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(2, name="pool2"),
        layers.Flatten(name="flatten"),
        layers.Dense(128, activation="relu", name="dense"),
    ]
    if dropout > 0:
        stack.append(layers.Dropout(dropout, name="dropout"))
    stack.append(_classifier_head(num_classes))
    return keras.Sequential(stack, name=name)


def build_dnn(
    input_shape: tuple[int, ...] = MNIST_SHAPE,
    num_classes: int = 10,
    units: int = 128,
    dropout: float = 0.0,
    name: str = "dnn",
) -> keras.Sequential:
    """A dense-only network: Flatten-Dense(units)-Dense(units/2)-Dense(10), no convolutions.

    Args:
        input_shape: One image's shape, ``(height, width, channels)``; default MNIST's (28, 28, 1).
        num_classes: Units of the softmax output layer (float32 even under mixed precision).
        units: Units of the first hidden layer; the second has half as many.
        dropout: Dropout rate before the output layer; 0 (default): no Dropout layer at all.
        name: The model's name (shown by ``summary()`` and in saved files).
    """
    stack: list[layers.Layer] = [
        keras.Input(shape=input_shape, name="image"),
        layers.Flatten(name="flatten"),
        layers.Dense(units, activation="relu", name="dense1"),
        layers.Dense(units // 2, activation="relu", name="dense2"),
    ]
    if dropout > 0:
        stack.append(layers.Dropout(dropout, name="dropout"))
    stack.append(_classifier_head(num_classes))
    return keras.Sequential(stack, name=name)


def build_cnn_functional(
    input_shape: tuple[int, ...] = MNIST_SHAPE, num_classes: int = 10, name: str = "cnn_functional"
) -> keras.Model:
    """The 3x3 CNN written with the Functional API (same layers and names as :func:`build_cnn_3x3`)."""
    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv3")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="dense")(x)
    outputs = _classifier_head(num_classes)(x)
    return keras.Model(inputs, outputs, name=name)


def build_cifar_cnn(
    input_shape: tuple[int, ...] = CIFAR_SHAPE, num_classes: int = 10, dropout: float = 0.25, name: str = "cifar_cnn"
) -> keras.Sequential:
    """A CNN for 32x32 colour images (CIFAR-10 shape) with Dropout after each block."""
    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1a"),
            layers.Conv2D(32, 3, activation="relu", name="conv1b"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Dropout(dropout, name="dropout1"),
            layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2a"),
            layers.Conv2D(64, 3, activation="relu", name="conv2b"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Dropout(dropout, name="dropout2"),
            layers.Flatten(name="flatten"),
            layers.Dense(256, activation="relu", name="dense"),
            layers.Dropout(2 * dropout, name="dropout3"),
            _classifier_head(num_classes),
        ],
        name=name,
    )


#: Builders by the names the playground and the lessons use.
BUILDERS = {
    "cnn_3x3": build_cnn_3x3,
    "cnn_5x5": build_cnn_5x5,
    "dnn": build_dnn,
}


def build(name: str, **options: object) -> keras.Model:
    """Build an architecture by name (``"cnn_3x3"``, ``"cnn_5x5"``, ``"dnn"``)."""
    if name not in BUILDERS:
        raise ValueError(tr(f"unknown model {name!r}; choose one of {sorted(BUILDERS)}",
                            f"未知的模型 {name!r}；请从 {sorted(BUILDERS)} 中选择"))
    return BUILDERS[name](**options)  # type: ignore[arg-type]
