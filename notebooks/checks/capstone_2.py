"""Checks for the capstone's exercise 2, A CNN, built and compiled."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "capstone_2"


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it as the question says.",
            f"`{variable}` 仍是 `...`：请按题目要求设置它。",
        )


def all_layers(model):
    """Every layer of ``model``, nested models included."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found.extend(all_layers(layer))
    return found


@test_case(points=1, hidden=False,
           failure_message=tr(
               "def build_model(): build the layers, compile, `return model`; then model = build_model().",
               "def build_model()：构建各层，编译，`return model`；然后 model = build_model()。",
           ))
def test_build_model_makes_a_new_compiled_model_each_call(build_model, model):
    import keras

    assert callable(build_model), tr(
        f"`build_model` is a {type(build_model).__name__}, expected a function",
        f"`build_model` 是 {type(build_model).__name__}，应为函数",
    )
    first = build_model()
    assert isinstance(first, keras.Model), tr(
        f"build_model() returned {type(first).__name__}, expected a Keras model: end the function with `return model`",
        f"build_model() 返回了 {type(first).__name__}，应为 Keras 模型：请以 `return model` 结束该函数",
    )
    assert build_model() is not first, tr(
        "build_model() returned the same model twice: create the layers inside the function, so that every call "
        "builds a new model (exercise 4 needs one)",
        "build_model() 两次返回了同一个模型：请在函数内部创建各层，这样每次调用"
        "都会构建一个新模型（练习 4 需要这样一个模型）",
    )
    assert first.compiled, tr(
        "build_model() returns a model that is not compiled: call model.compile(...) inside it",
        "build_model() 返回的模型没有编译：请在函数内部调用 model.compile(...)",
    )
    require(model=model)
    assert isinstance(model, keras.Model), tr(
        f"`model` is a {type(model).__name__}, expected the model build_model() returns",
        f"`model` 是 {type(model).__name__}，应为 build_model() 返回的模型",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Start with keras.Input(shape=(28, 28, 1)), use Conv2D layers, and end with "
               'Dense(10, activation="softmax", dtype="float32") (notebook 02).',
               "以 keras.Input(shape=(28, 28, 1)) 开始，使用 Conv2D 层，并以 "
               "Dense(10, activation=\"softmax\", dtype=\"float32\") 结束（笔记本 02）。",
           ))
def test_a_cnn_from_digits_to_ten_probabilities(model):
    import keras

    require(model=model)
    assert isinstance(model, keras.Model), tr(
        f"`model` is a {type(model).__name__}, expected a Keras model",
        f"`model` 是 {type(model).__name__}，应为 Keras 模型",
    )
    assert model.built, tr(
        "`model` is not built: start it with keras.Input(shape=(28, 28, 1))",
        "`model` 尚未构建：请以 keras.Input(shape=(28, 28, 1)) 开始",
    )
    assert tuple(model.input_shape) == (None, 28, 28, 1), tr(
        f"`model` takes input {tuple(model.input_shape)}, expected (None, 28, 28, 1): keras.Input(shape=(28, 28, 1))",
        f"`model` 的输入是 {tuple(model.input_shape)}，应为 (None, 28, 28, 1)：keras.Input(shape=(28, 28, 1))",
    )
    assert tuple(model.output_shape) == (None, 10), tr(
        f"`model` gives output {tuple(model.output_shape)}, expected (None, 10): one probability per digit",
        f"`model` 的输出是 {tuple(model.output_shape)}，应为 (None, 10)：每个数字一个概率",
    )
    convolutions = [layer for layer in all_layers(model) if isinstance(layer, keras.layers.Conv2D)]
    assert convolutions, tr(
        "`model` has no Conv2D layer: a CNN starts with convolutions (notebook 02)",
        "`model` 中没有 Conv2D 层：CNN 以卷积开始（笔记本 02）",
    )
    probabilities = np.asarray(model(np.zeros((2, 28, 28, 1), np.float32), training=False), dtype=np.float32)
    sums = probabilities.sum(axis=1)
    assert np.allclose(sums, 1, atol=1e-2) and probabilities.min() >= 0, tr(
        f"the outputs of `model` sum to {sums.round(3).tolist()} per image, expected probabilities that sum to 1: "
        'a softmax output layer, Dense(10, activation="softmax")',
        f"`model` 对每幅图像的输出之和是 {sums.round(3).tolist()}，应为和为 1 的概率："
        "输出层用 softmax，即 Dense(10, activation=\"softmax\")",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               'Compile with loss="sparse_categorical_crossentropy" (integer labels) and '
               'metrics=["accuracy"] (notebook 03).',
               "用 loss=\"sparse_categorical_crossentropy\"（整数标签）和 "
               "metrics=[\"accuracy\"] 编译（笔记本 03）。",
           ))
def test_compiled_for_integer_labels_with_accuracy(model):
    import keras

    from course_utils import data

    require(model=model)
    assert isinstance(model, keras.Model) and model.compiled, tr(
        "`model` is not compiled: call model.compile(...)",
        "`model` 尚未编译：请调用 model.compile(...)",
    )
    (images, labels), _ = data.load_mnist(source="bundled", fast=True, verbose=False)
    images, labels = data.prepare(images[:64]), labels[:64]
    try:  # the compiled loss and metrics on 64 digits, eagerly (evaluate would trace a function first)
        probabilities = model(images, training=False)
        loss = float(model.compute_loss(x=images, y=labels, y_pred=probabilities, training=False))
        results = model.compute_metrics(images, labels, probabilities, sample_weight=None)
    except Exception as error:  # a loss for one-hot labels fails on integer labels
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise AssertionError(
            tr(
                f"the compiled loss fails on integer labels with {type(error).__name__}: {first_line[:200]}. The "
                "labels "
                "are integers 0-9, so the loss is 'sparse_categorical_crossentropy' (notebook 03)",
                f"编译时指定的损失在整数标签上出错，错误为 {type(error).__name__}：{first_line[:200]}。标签"
                "是 0-9 的整数，所以损失应为 'sparse_categorical_crossentropy'（笔记本 03）",
            )) from None
    finally:
        model.reset_metrics()
    assert "accuracy" in results, tr(
        f"`model` reports {sorted(results)}, expected 'accuracy' among them: metrics=['accuracy'] (exercise 3's "
        "checkpoint watches 'val_accuracy')",
        f"`model` 报告的是 {sorted(results)}，其中应有 'accuracy'：metrics=['accuracy']（练习 3 的"
        "检查点监视 'val_accuracy'）",
    )
    assert np.isfinite(loss), tr(
        f"the loss on 64 digits is {loss}, expected a finite number",
        f"64 个数字上的损失是 {loss}，应为一个有限的数",
    )
