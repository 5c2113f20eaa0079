"""Checks for exercise 03.3, A logits model from scratch."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex03_3"

CHANCE = 0.1  # ten digits


def _is_set(value):
    return value is not ... and value is not None


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if activation is None:
        return "linear"
    return getattr(activation, "__name__", type(activation).__name__)


def _from_logits(loss):
    if isinstance(loss, str) or not hasattr(loss, "get_config"):
        return False
    return bool(loss.get_config().get("from_logits", False))


@test_case(points=1, hidden=False,
           failure_message=tr(
               "End the 3×3 layers with keras.layers.Dense(10, name=\"logits\") (no activation) and "
               "compile with loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True) before fit.",
               "3×3 各层之后以 keras.layers.Dense(10, name=\"logits\")（不带激活函数）结尾，并在 fit 之前用 "
               "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True) 编译。",
           ))
def test_the_logits_model(logits_cnn):
    assert _is_set(logits_cnn), tr(
        "`logits_cnn` is still `...`: build, compile and train the model.",
        "`logits_cnn` 仍是 `...`：请构建、编译并训练这个模型。",
    )
    assert hasattr(logits_cnn, "layers"), tr(
        f"`logits_cnn` is a {type(logits_cnn).__name__}; expected a Keras model.",
        f"`logits_cnn` 是 {type(logits_cnn).__name__}；应为 Keras 模型。",
    )
    last = logits_cnn.layers[-1]
    assert tuple(last.output.shape)[1:] == (10,), tr(
        f"the last layer `{last.name}` gives {tuple(last.output.shape)[1:]}; expected 10 scores per image.",
        f"最后一层 `{last.name}` 输出 {tuple(last.output.shape)[1:]}；应为每幅图像 10 个分数。",
    )
    activation = _activation_name(last)
    assert activation == "linear", tr(
        f"the last layer `{last.name}` applies {activation}: a logits model ends with Dense(10) and no activation.",
        f"最后一层 `{last.name}` 使用了 {activation}：输出 logits 的模型以不带激活函数的 Dense(10) 结尾。",
    )
    convolutions = [layer.name for layer in logits_cnn.layers if type(layer).__name__ == "Conv2D"]
    assert len(convolutions) == 3, tr(
        f"`logits_cnn` has {len(convolutions)} Conv2D layers; the 3×3 CNN of notebook 02 has 3.",
        f"`logits_cnn` 有 {len(convolutions)} 个 Conv2D 层；笔记本 02 的 3×3 CNN 有 3 个。",
    )
    assert getattr(logits_cnn, "optimizer", None) is not None and getattr(logits_cnn, "loss", None) is not None, tr(
        "`logits_cnn` is not compiled: compile it with the from_logits=True loss, then fit.",
        "`logits_cnn` 尚未编译：请用 from_logits=True 的损失编译它，再 fit。",
    )
    assert _from_logits(logits_cnn.loss), tr(
        f"`logits_cnn` is compiled with the loss {logits_cnn.loss!r}, which expects probabilities: use "
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True).",
        f"`logits_cnn` 编译时用的损失是 {logits_cnn.loss!r}，它期望的是概率：请使用 "
        "keras.losses.SparseCategoricalCrossentropy(from_logits=True)。",
    )
    steps = int(np.asarray(logits_cnn.optimizer.iterations))
    assert steps > 0, tr(
        "`logits_cnn` has not been trained (its optimizer made 0 steps): call fit.",
        "`logits_cnn` 还没有训练（它的优化器走了 0 步）：请调用 fit。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "val_logits = logits_cnn.predict(x_val, verbose=0): raw scores, one row of 10 per "
               "validation digit.",
               "val_logits = logits_cnn.predict(x_val, verbose=0)：原始分数，每个验证数字一行 10 个。",
           ))
def test_the_logits(val_logits, logits_cnn, x_val):
    assert _is_set(val_logits), tr(
        "`val_logits` is still `...`: set it to logits_cnn.predict(x_val, verbose=0).",
        "`val_logits` 仍是 `...`：请把它设为 logits_cnn.predict(x_val, verbose=0)。",
    )
    assert _is_set(logits_cnn), tr(
        "`logits_cnn` is still `...`: build and train it first.",
        "`logits_cnn` 仍是 `...`：请先构建并训练它。",
    )
    assert x_val is not None, tr(
        "`x_val` is not defined: run the lesson's cells above the exercises first.",
        "`x_val` 尚未定义：请先运行本课练习之前的单元格。",
    )
    logits = np.asarray(val_logits, dtype="float32")
    assert logits.shape == (len(x_val), 10), tr(
        f"`val_logits` has shape {logits.shape}; expected ({len(x_val)}, 10): 10 scores for each of x_val's digits.",
        f"`val_logits` 的形状是 {logits.shape}；应为 ({len(x_val)}, 10)：x_val 中每个数字 10 个分数。",
    )
    assert not (np.all(logits >= 0) and np.allclose(logits.sum(axis=1), 1.0, atol=1e-3)), tr(
        "`val_logits` rows are probabilities (non-negative, summing to 1): keep the raw scores of the Dense(10) "
        "layer, before any softmax.",
        "`val_logits` 的各行是概率（非负，和为 1）：请保留 Dense(10) 层的原始分数，"
        "不要经过任何 softmax。",
    )
    expected = np.asarray(logits_cnn.predict(x_val[:32], verbose=0), dtype="float32")
    assert np.allclose(logits[:32], expected, rtol=1e-2, atol=1e-2), tr(
        f"`val_logits` differs from logits_cnn.predict(x_val) by up to {np.abs(logits[:32] - expected).max():.4f}: "
        "predict again after training.",
        f"`val_logits` 与 logits_cnn.predict(x_val) 最多相差 {np.abs(logits[:32] - expected).max():.4f}："
        "请在训练之后重新预测。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "val_probabilities = np.asarray(keras.activations.softmax(val_logits)) and "
               "val_predicted = val_logits.argmax(axis=1).",
               "val_probabilities = np.asarray(keras.activations.softmax(val_logits))，"
               "val_predicted = val_logits.argmax(axis=1)。",
           ))
def test_the_probabilities_and_classes(val_probabilities, val_predicted, val_logits, y_val):
    assert _is_set(val_probabilities), tr(
        "`val_probabilities` is still `...`: set it to keras.activations.softmax(val_logits), as a NumPy array.",
        "`val_probabilities` 仍是 `...`：请把它设为 keras.activations.softmax(val_logits)（NumPy 数组）。",
    )
    assert _is_set(val_predicted), tr(
        "`val_predicted` is still `...`: set it to the predicted digit of each image.",
        "`val_predicted` 仍是 `...`：请把它设为每幅图像预测的数字。",
    )
    assert _is_set(val_logits), tr(
        "`val_logits` is still `...`: set it first.",
        "`val_logits` 仍是 `...`：请先设置它。",
    )
    logits = np.asarray(val_logits, dtype="float64")
    probabilities = np.asarray(val_probabilities, dtype="float64")
    assert probabilities.shape == logits.shape, tr(
        f"`val_probabilities` has shape {probabilities.shape}; expected {logits.shape}, like val_logits.",
        f"`val_probabilities` 的形状是 {probabilities.shape}；应为 {logits.shape}，与 val_logits 相同。",
    )
    sums = probabilities.sum(axis=1)
    assert np.allclose(sums, 1.0, atol=1e-3), tr(
        f"the rows of `val_probabilities` sum to values from {sums.min():.4f} to {sums.max():.4f}; "
        "softmax rows sum to 1.",
        f"`val_probabilities` 各行之和在 {sums.min():.4f} 到 {sums.max():.4f} 之间；"
        "softmax 的每行之和为 1。",
    )
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected = shifted / shifted.sum(axis=1, keepdims=True)
    assert np.allclose(probabilities, expected, atol=1e-3), tr(
        f"`val_probabilities` differs from softmax(val_logits) by up to {np.abs(probabilities - expected).max():.4f}: "
        "apply keras.activations.softmax once, to val_logits.",
        f"`val_probabilities` 与 softmax(val_logits) 最多相差 {np.abs(probabilities - expected).max():.4f}："
        "请对 val_logits 只做一次 keras.activations.softmax。",
    )
    predicted = np.asarray(val_predicted)
    assert predicted.shape == (len(logits),), tr(
        f"`val_predicted` has shape {predicted.shape}; expected ({len(logits)},): one digit per image.",
        f"`val_predicted` 的形状是 {predicted.shape}；应为 ({len(logits)},)：每幅图像一个数字。",
    )
    disagree = int((predicted != logits.argmax(axis=1)).sum())
    assert disagree == 0, tr(
        f"`val_predicted` differs from val_logits.argmax(axis=1) for {disagree} image(s).",
        f"`val_predicted` 有 {disagree} 幅图像与 val_logits.argmax(axis=1) 不一致。",
    )
    assert y_val is not None, tr(
        "`y_val` is not defined: run the lesson's cells above the exercises first.",
        "`y_val` 尚未定义：请先运行本课练习之前的单元格。",
    )
    accuracy = float((predicted == np.asarray(y_val)).mean())
    assert accuracy > 2 * CHANCE, tr(
        f"`val_predicted` is right for {accuracy:.1%} of the validation digits, not clearly better than guessing "
        f"({CHANCE:.0%}): train logits_cnn on x_fit, y_fit before predicting.",
        f"`val_predicted` 对 {accuracy:.1%} 的验证数字预测正确，并不明显好于瞎猜"
        f"（{CHANCE:.0%}）：请先在 x_fit、y_fit 上训练 logits_cnn，再预测。",
    )
