"""Checks for exercise 03.2, One-hot all the way."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex03_2"

#: Two runs of the same computation may differ by float rounding (two different TensorFlow kernels)
#: and nothing else; a different start or batch order moves the loss by far more. Accuracy moves in
#: steps of one image, so it gets a few images' worth.
AGREEMENT = {"loss": 1e-3, "accuracy": 5e-3}


def _is_set(value):
    return value is not ... and value is not None


def _loss_name(loss):
    if isinstance(loss, str):
        text = loss
    else:
        text = getattr(loss, "name", None) or getattr(loss, "__name__", "") or type(loss).__name__
    return text.lower().replace("_", "")


def _check_history(history, variable, wanted_loss):
    assert _is_set(history), tr(
        f"`{variable}` is still `...`: set it to what fit(...) returns.",
        f"`{variable}` 仍是 `...`：请把它设为 fit(...) 的返回值。",
    )
    assert hasattr(history, "history") and "loss" in history.history, tr(
        f"`{variable}` is a {type(history).__name__}; expected the History object that fit returns.",
        f"`{variable}` 是 {type(history).__name__}；应为 fit 返回的 History 对象。",
    )
    seen = _loss_name(history.model.loss)
    assert seen == wanted_loss.replace("_", ""), tr(
        f"`{variable}` was trained with the loss {history.model.loss!r}; expected \"{wanted_loss}\".",
        f"`{variable}` 训练时用的损失是 {history.model.loss!r}；应为 \"{wanted_loss}\"。",
    )
    assert "accuracy" in history.history, tr(
        f"`{variable}` records {sorted(history.history)}: compile with metrics=[\"accuracy\"].",
        f"`{variable}` 记录了 {sorted(history.history)}：请用 metrics=[\"accuracy\"] 编译。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Train each run on a new models.build_cnn_3x3() with set_weights(initial_weights): "
               "sparse_history with y_fit and \"sparse_categorical_crossentropy\", one_hot_history with "
               "data.one_hot(y_fit) and \"categorical_crossentropy\".",
               "每次运行都在新的 models.build_cnn_3x3() 上先 set_weights(initial_weights) 再训练："
               "sparse_history 用 y_fit 和 \"sparse_categorical_crossentropy\"，one_hot_history 用 "
               "data.one_hot(y_fit) 和 \"categorical_crossentropy\"。",
           ))
def test_the_two_runs(sparse_history, one_hot_history):
    _check_history(sparse_history, "sparse_history", "sparse_categorical_crossentropy")
    _check_history(one_hot_history, "one_hot_history", "categorical_crossentropy")
    assert sparse_history.model is not one_hot_history.model, tr(
        "Both histories belong to the same model object: the second run went on from the first one's weights. "
        "Build a new model for each run.",
        "两个 History 属于同一个模型对象：第二次运行是在第一次的权重上继续训练的。"
        "请为每次运行新建一个模型。",
    )
    sparse_epochs, one_hot_epochs = len(sparse_history.epoch), len(one_hot_history.epoch)
    assert sparse_epochs == one_hot_epochs, tr(
        f"sparse_history has {sparse_epochs} epoch(s), one_hot_history {one_hot_epochs}: give both the same epochs.",
        f"sparse_history 有 {sparse_epochs} 轮，one_hot_history 有 {one_hot_epochs} 轮：请让两者的轮数相同。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Both runs must start from initial_weights (model.set_weights) and see the same batches: "
               "pass shuffle=False and batch_size=64 to both fit calls.",
               "两次运行都必须从 initial_weights（model.set_weights）开始，并看到相同的批次："
               "在两次 fit 调用中都传入 shuffle=False 和 batch_size=64。",
           ))
def test_the_runs_agree(sparse_history, one_hot_history):
    assert _is_set(sparse_history) and _is_set(one_hot_history), tr(
        "`sparse_history` and `one_hot_history` must be set first.",
        "必须先设置 `sparse_history` 和 `one_hot_history`。",
    )
    for key, tolerance in AGREEMENT.items():
        sparse = np.asarray(sparse_history.history[key], dtype="float64")
        one_hot = np.asarray(one_hot_history.history[key], dtype="float64")
        if sparse.shape != one_hot.shape:
            raise AssertionError(tr(
                f"the histories have {len(sparse)} and {len(one_hot)} epochs of {key}.",
                f"两个 History 的 {key} 分别有 {len(sparse)} 轮和 {len(one_hot)} 轮。",
            ))
        gap = float(np.abs(sparse - one_hot).max())
        assert gap <= tolerance, tr(
            f"the two runs' {key} differ by up to {gap:.4f} (sparse {np.round(sparse, 4).tolist()}, "
            f"one-hot {np.round(one_hot, 4).tolist()}); the same computation from the same start would agree "
            f"to within {tolerance:g}.",
            f"两次运行的 {key} 最多相差 {gap:.4f}（sparse {np.round(sparse, 4).tolist()}，"
            f"one-hot {np.round(one_hot, 4).tolist()}）；从同一起点做同样的计算，结果应在 "
            f"{tolerance:g} 以内一致。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Subtract the two loss lists as arrays and keep the largest absolute value: "
               "np.abs(np.array(sparse_history.history[\"loss\"]) - "
               "np.array(one_hot_history.history[\"loss\"])).max().",
               "把两个损失列表作为数组相减，取绝对值的最大值："
               "np.abs(np.array(sparse_history.history[\"loss\"]) - "
               "np.array(one_hot_history.history[\"loss\"])).max()。",
           ))
def test_the_largest_loss_difference(largest_loss_difference, sparse_history, one_hot_history):
    assert _is_set(largest_loss_difference), tr(
        "`largest_loss_difference` is still `...`: set it to the largest difference of the two loss lists.",
        "`largest_loss_difference` 仍是 `...`：请把它设为两个损失列表的最大差值。",
    )
    assert _is_set(sparse_history) and _is_set(one_hot_history), tr(
        "`sparse_history` and `one_hot_history` must be set first.",
        "必须先设置 `sparse_history` 和 `one_hot_history`。",
    )
    expected = float(np.abs(np.asarray(sparse_history.history["loss"], dtype="float64")
                            - np.asarray(one_hot_history.history["loss"], dtype="float64")).max())
    value = float(largest_loss_difference)
    assert np.isclose(value, expected, rtol=1e-3, atol=1e-7), tr(
        f"`largest_loss_difference` is {value:g}; the two histories' losses differ by at most {expected:g}.",
        f"`largest_loss_difference` 是 {value:g}；两个 History 的损失最多相差 {expected:g}。",
    )
