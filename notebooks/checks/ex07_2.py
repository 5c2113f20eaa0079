"""Checks for exercise 07.2, How many digits do the weights need?"""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex07_2"


def _unset(value):
    return value is None or value is ...


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Export with weights_text.export_weights_text(model, path, precision=3), then "
               "weights_text.load_weights_text(models.build_cnn_3x3(), path).",
               "用 weights_text.export_weights_text(model, path, precision=3) 导出，然后 "
               "weights_text.load_weights_text(models.build_cnn_3x3(), path)。",
           ))
def test_the_three_digit_model_has_rounded_weights(three_digit_model, model):
    assert not _unset(three_digit_model), tr(
        "`three_digit_model` is still `...`: set it to the fresh model that got the 3-digit weights.",
        "`three_digit_model` 仍是 `...`：请把它设为载入了 3 位有效数字权重的新模型。",
    )
    assert hasattr(three_digit_model, "trainable_variables"), tr(
        f"`three_digit_model` is a {type(three_digit_model).__name__}, not a Keras model.",
        f"`three_digit_model` 是 {type(three_digit_model).__name__}，不是 Keras 模型。",
    )
    assert three_digit_model is not model, tr(
        "`three_digit_model` is the lesson's `model` itself: load the text file into models.build_cnn_3x3().",
        "`three_digit_model` 就是本课的 `model` 本身：请把文本文件加载到 models.build_cnn_3x3() 中。",
    )
    originals = {variable.path: variable.numpy() for variable in model.trainable_variables}
    loaded = {variable.path: variable.numpy() for variable in three_digit_model.trainable_variables}
    assert set(loaded) == set(originals), tr(
        f"`three_digit_model` has the variables {sorted(loaded)[:3]}..., `model` has {sorted(originals)[:3]}...: "
        "build it with models.build_cnn_3x3() (same code, same name).",
        f"`three_digit_model` 的变量是 {sorted(loaded)[:3]}...，`model` 的是 {sorted(originals)[:3]}...："
        "请用 models.build_cnn_3x3() 构建它（同样的代码，同样的名字）。",
    )
    changed = total = 0
    for path, original in originals.items():
        rounded = loaded[path]
        assert rounded.shape == original.shape, tr(
            f"{path} has shape {rounded.shape}, the original {original.shape}.",
            f"{path} 的形状是 {rounded.shape}，原始的是 {original.shape}。",
        )
        error = np.abs(rounded - original)
        worst = float(np.max(error / np.maximum(np.abs(original), 1e-30)))
        assert np.all(error <= 5.001e-3 * np.abs(original) + 1e-30), tr(
            f"{path} differs from the original by up to {worst:.1%} of a weight; 3 significant digits change a "
            "weight by at most 0.5%: export with precision=3 from the trained `model`.",
            f"{path} 与原始权重最多相差一个权重的 {worst:.1%}；3 位有效数字对一个权重的改变"
            "最多为 0.5%：请用 precision=3 从训练好的 `model` 导出。",
        )
        changed += int(np.count_nonzero(rounded != original))
        total += original.size
    assert changed > total // 2, tr(
        f"only {changed:,} of {total:,} weights differ from the original: these are not 3-digit weights "
        "(precision=9 gives them back exactly). Export with precision=3.",
        f"{total:,} 个权重中只有 {changed:,} 个与原始不同：这不是 3 位有效数字的权重"
        "（precision=9 会原样还原它们）。请用 precision=3 导出。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For digits in (3, 2, 1): export, load into a fresh build_cnn_3x3(), compile, and "
               "store model.evaluate(x_test, y_test)[1] in accuracy_by_digits[digits].",
               "对 (3, 2, 1) 中的每个位数：导出，加载到一个新的 build_cnn_3x3() 中，编译，并把 "
               "model.evaluate(x_test, y_test)[1] 存入 accuracy_by_digits[digits]。",
           ))
def test_the_accuracies(accuracy_by_digits, three_digit_model, x_test, y_test):
    assert not _unset(accuracy_by_digits), tr(
        "`accuracy_by_digits` is still `...`: set it to a dict like {3: 0.98, 2: 0.97, 1: 0.5}.",
        "`accuracy_by_digits` 仍是 `...`：请把它设为类似 {3: 0.98, 2: 0.97, 1: 0.5} 的字典。",
    )
    assert isinstance(accuracy_by_digits, dict), tr(
        f"`accuracy_by_digits` is a {type(accuracy_by_digits).__name__}; make it a dict {{digits: accuracy}}.",
        f"`accuracy_by_digits` 是 {type(accuracy_by_digits).__name__}；请把它设为字典 {{digits: accuracy}}。",
    )
    assert set(accuracy_by_digits) == {1, 2, 3}, tr(
        f"`accuracy_by_digits` has the keys {sorted(accuracy_by_digits, key=str)}; it needs exactly 3, 2 and 1 "
        "(ints: the number of significant digits).",
        f"`accuracy_by_digits` 的键是 {sorted(accuracy_by_digits, key=str)}；它必须恰好是 3、2 和 1"
        "（int：有效数字的位数）。",
    )
    for digits, accuracy in accuracy_by_digits.items():
        assert np.ndim(accuracy) == 0 and 0.0 <= float(accuracy) <= 1.0, tr(
            f"`accuracy_by_digits[{digits}]` is {accuracy!r}; an accuracy is one number between 0 and 1 "
            "(evaluate returns [loss, accuracy]: take the second).",
            f"`accuracy_by_digits[{digits}]` 是 {accuracy!r}；准确率是 0 到 1 之间的一个数"
            "（evaluate 返回 [loss, accuracy]：取第二个）。",
        )
    assert not _unset(three_digit_model), tr(
        "`three_digit_model` is still `...`: set it too.",
        "`three_digit_model` 仍是 `...`：也请设置它。",
    )
    predicted = np.asarray(three_digit_model.predict(x_test, verbose=0)).argmax(axis=1)
    expected = float((predicted == np.asarray(y_test)).mean())
    assert abs(float(accuracy_by_digits[3]) - expected) <= 1.5 / len(y_test), tr(
        f"`accuracy_by_digits[3]` is {float(accuracy_by_digits[3]):.4f}, but `three_digit_model` gets "
        f"{expected:.4f} on x_test: evaluate the 3-digit model on the whole x_test, y_test.",
        f"`accuracy_by_digits[3]` 是 {float(accuracy_by_digits[3]):.4f}，但 `three_digit_model` 在 x_test 上得到 "
        f"{expected:.4f}：请在整个 x_test、y_test 上评估 3 位有效数字的模型。",
    )
