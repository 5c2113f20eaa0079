"""Checks for exercise 02.3, A deeper look at the 5×5 filters."""

import warnings

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

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
           failure_message=tr(
               "Start from inputs = keras.Input(shape=(28, 28, 1), name=\"image\"), call each layer of "
               "section 5 on the previous tensor, and finish with keras.Model(inputs, outputs).",
               "从 inputs = keras.Input(shape=(28, 28, 1), name=\"image\") 开始，依次把第 5 节的每一层"
               "作用在前一个张量上，最后用 keras.Model(inputs, outputs) 收尾。",
           ))
def test_the_functional_model(cnn_5x5_functional):
    assert _is_set(cnn_5x5_functional), tr(
        "`cnn_5x5_functional` is still `...`: build the model.",
        "`cnn_5x5_functional` 仍是 `...`：请构建这个模型。",
    )
    assert hasattr(cnn_5x5_functional, "layers"), tr(
        f"`cnn_5x5_functional` is a {type(cnn_5x5_functional).__name__}; expected a Keras model.",
        f"`cnn_5x5_functional` 是 {type(cnn_5x5_functional).__name__}；应为 Keras 模型。",
    )
    kinds = [cls.__name__ for cls in type(cnn_5x5_functional).__mro__]
    assert "Sequential" not in kinds, tr(
        "`cnn_5x5_functional` is a keras.Sequential: write it with the Functional API (keras.Input, layer calls, "
        "keras.Model(inputs, outputs)).",
        "`cnn_5x5_functional` 是 keras.Sequential：请用函数式 API 编写（keras.Input、调用各层、"
        "keras.Model(inputs, outputs)）。",
    )
    seen = _layers(cnn_5x5_functional)
    for expected, layer in zip(EXPECTED_LAYERS, seen, strict=False):
        assert layer == expected, tr(
            f"layer {layer} of `cnn_5x5_functional` differs from cnn_5x5's {expected}.",
            f"`cnn_5x5_functional` 的第 {layer} 层与 cnn_5x5 的 {expected} 不同。",
        )
    assert len(seen) == len(EXPECTED_LAYERS), tr(
        f"`cnn_5x5_functional` has {len(seen)} layers besides its input; cnn_5x5 has {len(EXPECTED_LAYERS)}.",
        f"`cnn_5x5_functional` 除输入外有 {len(seen)} 层；cnn_5x5 有 {len(EXPECTED_LAYERS)} 层。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Compile with optimizer=\"adam\", loss=\"sparse_categorical_crossentropy\", "
               "metrics=[\"accuracy\"], then history_5x5 = cnn_5x5_functional.fit(..., "
               "validation_split=0.1) as in section 8.",
               "用 optimizer=\"adam\"、loss=\"sparse_categorical_crossentropy\"、"
               "metrics=[\"accuracy\"] 编译，然后像第 8 节那样 history_5x5 = cnn_5x5_functional.fit(..., "
               "validation_split=0.1)。",
           ))
def test_the_training(cnn_5x5_functional, history_5x5):
    assert _is_set(history_5x5), tr(
        "`history_5x5` is still `...`: set it to what cnn_5x5_functional.fit(...) returns.",
        "`history_5x5` 仍是 `...`：请把它设为 cnn_5x5_functional.fit(...) 的返回值。",
    )
    assert _is_set(cnn_5x5_functional), tr(
        "`cnn_5x5_functional` is still `...`: build and train it first.",
        "`cnn_5x5_functional` 仍是 `...`：请先构建并训练它。",
    )
    assert hasattr(history_5x5, "history"), tr(
        f"`history_5x5` is a {type(history_5x5).__name__}; expected the History object that fit returns.",
        f"`history_5x5` 是 {type(history_5x5).__name__}；应为 fit 返回的 History 对象。",
    )
    assert history_5x5.model is cnn_5x5_functional, tr(
        "`history_5x5` belongs to another model: train cnn_5x5_functional itself.",
        "`history_5x5` 属于另一个模型：请训练 cnn_5x5_functional 本身。",
    )
    logs = history_5x5.history
    assert "val_accuracy" in logs, tr(
        f"`history_5x5` records {sorted(logs)}: no validation accuracy. Pass validation_split=0.1 and "
        "metrics=[\"accuracy\"].",
        f"`history_5x5` 记录了 {sorted(logs)}：没有验证准确率。请传入 validation_split=0.1 和 "
        "metrics=[\"accuracy\"]。",
    )
    final = float(logs["val_accuracy"][-1])
    assert final > 2 * CHANCE, tr(
        f"validation accuracy after training is {final:.3f}, not clearly better than guessing ({CHANCE:.1f}). "
        "Train on x_train, y_train as in section 8.",
        f"训练后的验证准确率是 {final:.3f}，并不明显好于瞎猜（{CHANCE:.1f}）。"
        "请像第 8 节那样在 x_train、y_train 上训练。",
    )
    biases = np.asarray(cnn_5x5_functional.get_layer("conv1").get_weights()[1])
    assert np.any(biases != 0), tr(
        "conv1's biases are all still 0: the model has not been trained.",
        "conv1 的偏置仍全为 0：模型还没有训练。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "extractor_5x5 = keras.Model(inputs=cnn_5x5_functional.inputs, "
               "outputs=cnn_5x5_functional.get_layer(\"conv1\").output); then "
               "extractor_5x5.predict(digit, verbose=0).",
               "extractor_5x5 = keras.Model(inputs=cnn_5x5_functional.inputs, "
               "outputs=cnn_5x5_functional.get_layer(\"conv1\").output)；然后 "
               "extractor_5x5.predict(digit, verbose=0)。",
           ))
def test_the_extractor(cnn_5x5_functional, extractor_5x5, conv1_maps_5x5, x_train):
    assert _is_set(extractor_5x5), tr(
        "`extractor_5x5` is still `...`: build the feature extractor.",
        "`extractor_5x5` 仍是 `...`：请构建特征提取器。",
    )
    assert _is_set(conv1_maps_5x5), tr(
        "`conv1_maps_5x5` is still `...`: set it to the extractor's output for `digit`.",
        "`conv1_maps_5x5` 仍是 `...`：请把它设为提取器对 `digit` 的输出。",
    )
    assert _is_set(cnn_5x5_functional), tr(
        "`cnn_5x5_functional` is still `...`: build it first.",
        "`cnn_5x5_functional` 仍是 `...`：请先构建它。",
    )
    assert hasattr(extractor_5x5, "get_layer"), tr(
        f"`extractor_5x5` is a {type(extractor_5x5).__name__}; expected a keras.Model.",
        f"`extractor_5x5` 是 {type(extractor_5x5).__name__}；应为 keras.Model。",
    )
    try:
        shared = extractor_5x5.get_layer("conv1") is cnn_5x5_functional.get_layer("conv1")
    except ValueError:
        shared = False
    assert shared, tr(
        "`extractor_5x5` has no layer conv1 shared with cnn_5x5_functional: build it from the trained model's "
        "inputs and its conv1 output, not from a new model.",
        "`extractor_5x5` 没有与 cnn_5x5_functional 共享的 conv1 层：请用训练好的模型的 "
        "inputs 和它的 conv1 输出来构建，而不是新建一个模型。",
    )
    assert x_train is not None, tr(
        "`x_train` is not defined: run the lesson's cells above the exercises first.",
        "`x_train` 尚未定义：请先运行本课练习之前的单元格。",
    )
    with warnings.catch_warnings():  # Keras warns when a model built from a list of inputs gets one array
        warnings.simplefilter("ignore")
        expected = extractor_5x5(x_train[:1])
    if isinstance(expected, list | tuple):
        expected = expected[0]
    expected = np.asarray(expected, dtype="float32")
    maps = np.asarray(conv1_maps_5x5[0] if isinstance(conv1_maps_5x5, list | tuple) else conv1_maps_5x5,
                      dtype="float32")
    assert maps.shape == (1, 28, 28, 16), tr(
        f"`conv1_maps_5x5` has shape {maps.shape}; expected (1, 28, 28, 16): 16 maps of 28×28 for one digit.",
        f"`conv1_maps_5x5` 的形状是 {maps.shape}；应为 (1, 28, 28, 16)：一个数字的 16 个 28×28 特征图。",
    )
    assert np.allclose(maps, expected, rtol=1e-2, atol=1e-3), tr(
        f"`conv1_maps_5x5` differs from extractor_5x5's output for digit = x_train[:1] by up to "
        f"{np.abs(maps - expected).max():.4f}: compute it after training, for that digit.",
        f"`conv1_maps_5x5` 与 extractor_5x5 对 digit = x_train[:1] 的输出最多相差 "
        f"{np.abs(maps - expected).max():.4f}：请在训练之后、针对这个数字计算它。",
    )
