"""Checks for exercise 02.2, A smaller head."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex02_2"

LAYER_NAMES = ["conv1", "pool1", "conv2", "pool2", "conv3", "gap", "dense", "predictions"]
CNN_PARAMETERS, CNN_DENSE = 93_322, 36_928  # the 3×3 CNN with Flatten
GAP_PARAMETERS, GAP_DENSE = 60_554, 4_160  # with GlobalAveragePooling2D


def _check_share(value, expected, variable, what):
    value = float(value)
    assert not np.isclose(value, 100 * expected, rtol=1e-3), tr(
        f"`{variable}` is {value:.2f}, which looks like a percentage: give a fraction between 0 and 1.",
        f"`{variable}` 是 {value:.2f}，看起来是百分数：请给出 0 到 1 之间的比例。",
    )
    assert np.isclose(value, expected, rtol=1e-3), tr(
        f"`{variable}` is {value:.4f}; in {what} `dense` holds {expected:.4f} of all parameters "
        "(dense's count_params() / the model's count_params()).",
        f"`{variable}` 是 {value:.4f}；在 {what} 中，`dense` 占全部参数的 {expected:.4f}"
        "（dense 的 count_params() / 模型的 count_params()）。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Copy section 1's keras.Sequential into cnn_gap and put "
               "layers.GlobalAveragePooling2D(name=\"gap\") where Flatten was.",
               "把第 1 节的 keras.Sequential 复制为 cnn_gap，并在原来 Flatten 的位置放上 "
               "layers.GlobalAveragePooling2D(name=\"gap\")。",
           ))
def test_the_model(cnn_gap):
    assert cnn_gap is not ... and cnn_gap is not None, tr(
        "`cnn_gap` is still `...`: build the model.",
        "`cnn_gap` 仍是 `...`：请构建这个模型。",
    )
    assert hasattr(cnn_gap, "layers") and hasattr(cnn_gap, "count_params"), tr(
        f"`cnn_gap` is a {type(cnn_gap).__name__}; expected a Keras model.",
        f"`cnn_gap` 是 {type(cnn_gap).__name__}；应为 Keras 模型。",
    )
    kinds = [type(layer).__name__ for layer in cnn_gap.layers]
    assert "Flatten" not in kinds, tr(
        "`cnn_gap` still has a Flatten layer: replace it, do not add to it.",
        "`cnn_gap` 仍有 Flatten 层：请替换它，而不是在它之外再加一层。",
    )
    assert "GlobalAveragePooling2D" in kinds, tr(
        "`cnn_gap` has no GlobalAveragePooling2D layer.",
        "`cnn_gap` 没有 GlobalAveragePooling2D 层。",
    )
    names = [layer.name for layer in cnn_gap.layers if type(layer).__name__ != "InputLayer"]
    assert names == LAYER_NAMES, tr(
        f"`cnn_gap` has the layers {names}; expected {LAYER_NAMES}.",
        f"`cnn_gap` 的层是 {names}；应为 {LAYER_NAMES}。",
    )
    gap_shape = tuple(cnn_gap.get_layer("gap").output.shape)[1:]
    assert gap_shape == (64,), tr(
        f"`gap` gives {gap_shape} values per image; expected (64,): one per feature map of conv3.",
        f"`gap` 对每幅图像给出 {gap_shape} 个值；应为 (64,)：conv3 的每个特征图一个值。",
    )
    assert cnn_gap.count_params() == GAP_PARAMETERS, tr(
        f"`cnn_gap` has {cnn_gap.count_params():,} parameters; expected {GAP_PARAMETERS:,}. "
        "Keep every other layer as in section 1.",
        f"`cnn_gap` 有 {cnn_gap.count_params():,} 个参数；应为 {GAP_PARAMETERS:,} 个。"
        "其余各层请与第 1 节保持一致。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "dense reads the 64 averages: (inputs + 1)·units parameters, as in section 3.",
               "dense 读取这 64 个平均值：参数个数为 (输入数 + 1)·units，与第 3 节相同。",
           ))
def test_the_dense_parameters(dense_params_gap):
    assert dense_params_gap is not ... and dense_params_gap is not None, tr(
        "`dense_params_gap` is still `...`: set it to the number of parameters of `dense` in cnn_gap.",
        "`dense_params_gap` 仍是 `...`：请把它设为 cnn_gap 中 `dense` 的参数个数。",
    )
    assert int(dense_params_gap) == GAP_DENSE, tr(
        f"`dense_params_gap` is {dense_params_gap}; `dense` in cnn_gap has {GAP_DENSE:,} parameters "
        "(cnn_gap.get_layer(\"dense\").count_params()).",
        f"`dense_params_gap` 是 {dense_params_gap}；cnn_gap 中的 `dense` 有 {GAP_DENSE:,} 个参数"
        "（cnn_gap.get_layer(\"dense\").count_params()）。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Divide dense's count_params() by the whole model's count_params(), "
               "once for cnn and once for cnn_gap.",
               "用 dense 的 count_params() 除以整个模型的 count_params()，"
               "对 cnn 和 cnn_gap 各算一次。",
           ))
def test_the_shares(dense_share_flatten, dense_share_gap):
    assert dense_share_flatten is not ... and dense_share_flatten is not None, tr(
        "`dense_share_flatten` is still `...`: set it to dense's share of all parameters in `cnn`.",
        "`dense_share_flatten` 仍是 `...`：请把它设为 `cnn` 中 dense 占全部参数的比例。",
    )
    assert dense_share_gap is not ... and dense_share_gap is not None, tr(
        "`dense_share_gap` is still `...`: set it to dense's share of all parameters in `cnn_gap`.",
        "`dense_share_gap` 仍是 `...`：请把它设为 `cnn_gap` 中 dense 占全部参数的比例。",
    )
    _check_share(dense_share_flatten, CNN_DENSE / CNN_PARAMETERS, "dense_share_flatten",
        tr("cnn (with Flatten)", "cnn（带 Flatten）")
    )
    _check_share(dense_share_gap, GAP_DENSE / GAP_PARAMETERS, "dense_share_gap", "cnn_gap")
