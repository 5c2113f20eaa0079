"""Checks for exercise 11.1, Which layers to reuse?"""

import math

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex11_1"


def _layer(model, layer_name):
    """The layer called ``layer_name`` anywhere inside ``model`` (the base is a model inside the model)."""
    for layer in getattr(model, "layers", []):
        if layer.name == layer_name:
            return layer
        found = _layer(layer, layer_name)
        if found is not None:
            return found
    return None


def _pretrained(base_path):
    from course_utils import transfer

    base = transfer.build_conv_base()
    base.load_weights(base_path)
    return base


def _dict_of_counts(value, label, label_counts, kind=float):
    assert value is not ... and value is not None, tr(
        f"`{label}` is still `...`: set it to a dict {{count: ...}}.",
        f"`{label}` 仍是 `...`：请把它设为字典 {{count: ...}}。",
    )
    assert isinstance(value, dict), tr(
        f"`{label}` is a {type(value).__name__}; expected a dict {{count: ...}}.",
        f"`{label}` 是 {type(value).__name__}；应为字典 {{count: ...}}。",
    )
    assert sorted(value) == sorted(label_counts), tr(
        f"`{label}` has the keys {sorted(value)}; expected every count of label_counts, {list(label_counts)}.",
        f"`{label}` 的键是 {sorted(value)}；应为 label_counts 中的每个数量，{list(label_counts)}。",
    )
    for count, item in value.items():
        if kind is float:
            assert isinstance(item, float | int | np.floating) and 0.0 <= float(item) <= 1.0, tr(
                f"{label}[{count}] is {item!r}; expected an accuracy between 0 and 1.",
                f"{label}[{count}] 是 {item!r}；应为 0 到 1 之间的准确率。",
            )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "On pretrained_base(), set layer.trainable = (layer.name == 'conv3') for every layer, "
               "then new_classifier(base, ...) and train_for_steps(..., head_steps, learning_rate=1e-3).",
               "在 pretrained_base() 上，对每一层设置 layer.trainable = (layer.name == 'conv3')，"
               "然后 new_classifier(base, ...) 和 train_for_steps(..., head_steps, learning_rate=1e-3)。",
           ))
def test_only_conv3_and_the_head_learned(partly_frozen_model, base_path):
    assert partly_frozen_model is not ... and partly_frozen_model is not None, tr(
        "`partly_frozen_model` is still `...`: set it to the last partly frozen model you trained.",
        "`partly_frozen_model` 仍是 `...`：请把它设为你最后训练的那个部分冻结的模型。",
    )
    assert hasattr(partly_frozen_model, "layers"), tr(
        f"`partly_frozen_model` is a {type(partly_frozen_model).__name__}; expected a Keras model.",
        f"`partly_frozen_model` 是 {type(partly_frozen_model).__name__}；应为 Keras 模型。",
    )
    layers_by_name = {layer_name: _layer(partly_frozen_model, layer_name)
                      for layer_name in ("conv1", "conv2", "conv3", "bn1", "bn2", "bn3")}
    missing = [layer_name for layer_name, layer in layers_by_name.items() if layer is None]
    assert not missing, tr(
        f"`partly_frozen_model` has no layers {missing}: build it from pretrained_base().",
        f"`partly_frozen_model` 中没有层 {missing}：请从 pretrained_base() 构建它。",
    )
    flags = {layer_name: layer.trainable for layer_name, layer in layers_by_name.items()}
    expected = {"conv1": False, "conv2": False, "conv3": True, "bn1": False, "bn2": False, "bn3": False}
    wrong = {layer_name: flag for layer_name, flag in flags.items() if flag != expected[layer_name]}
    assert not wrong, tr(
        f"trainable flags {flags}; expected {expected}: conv3 learns, conv1 and conv2 keep their pretrained "
        "weights, and every BatchNorm layer stays frozen.",
        f"trainable 标志是 {flags}；应为 {expected}：conv3 参与学习，conv1 和 conv2 保留预训练的"
        "权重，每个 BatchNorm 层都保持冻结。",
    )
    pretrained = _pretrained(base_path)
    for layer_name in ("conv1", "conv2"):
        now, before = layers_by_name[layer_name].get_weights(), pretrained.get_layer(layer_name).get_weights()
        assert all(np.array_equal(a, b) for a, b in zip(now, before, strict=True)), tr(
            f"{layer_name}'s kernel is not the pretrained one: start from pretrained_base() and freeze {layer_name}.",
            f"{layer_name} 的卷积核不是预训练的那个：请从 pretrained_base() 开始并冻结 {layer_name}。",
        )
    for layer_name in ("bn1", "bn2", "bn3"):
        now, before = layers_by_name[layer_name].get_weights(), pretrained.get_layer(layer_name).get_weights()
        assert all(np.array_equal(a, b) for a, b in zip(now, before, strict=True)), tr(
            f"{layer_name}'s weights or statistics changed: set trainable = False on every BatchNorm layer.",
            f"{layer_name} 的权重或统计量变了：请在每个 BatchNorm 层上设置 trainable = False。",
        )
    conv3, conv3_before = layers_by_name["conv3"].get_weights()[0], pretrained.get_layer("conv3").get_weights()[0]
    assert not np.array_equal(conv3, conv3_before), tr(
        "conv3's kernel is still the pretrained one: train the model after setting conv3.trainable = True.",
        "conv3 的卷积核仍是预训练的那个：请在设置 conv3.trainable = True 之后训练模型。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "One test accuracy per count of label_counts, on data.subsample(x_target, y_target, "
               "count, seed=0); the frozen results are row['samples']['frozen'][0] of curve.",
               "对 label_counts 中的每个数量给出一个测试准确率，在 data.subsample(x_target, y_target, "
               "count, seed=0) 上；冻结时的结果是 curve 中的 row['samples']['frozen'][0]。",
           ))
def test_the_comparison_with_the_frozen_base(partly_frozen_accuracy, frozen_accuracy, conv3_helps, curve,
                                             label_counts):
    _dict_of_counts(partly_frozen_accuracy, "partly_frozen_accuracy", label_counts)
    _dict_of_counts(frozen_accuracy, "frozen_accuracy", label_counts)
    _dict_of_counts(conv3_helps, "conv3_helps", label_counts, kind=bool)
    for row in curve:
        count, expected = row["labels"], row["samples"]["frozen"][0]
        assert math.isclose(float(frozen_accuracy[count]), float(expected), abs_tol=1e-9), tr(
            f"frozen_accuracy[{count}] is {float(frozen_accuracy[count]):.4f}; the curve's first sample at "
            f"{count} labels gave {float(expected):.4f} (row['samples']['frozen'][0]).",
            f"frozen_accuracy[{count}] 是 {float(frozen_accuracy[count]):.4f}；曲线在 {count} 个标签处的"
            f"第一个样本给出 {float(expected):.4f}（row['samples']['frozen'][0]）。",
        )
    for count in label_counts:
        helps = bool(partly_frozen_accuracy[count] > frozen_accuracy[count])
        assert isinstance(conv3_helps[count], bool | np.bool_) and bool(conv3_helps[count]) == helps, tr(
            f"conv3_helps[{count}] is {conv3_helps[count]!r}, but {float(partly_frozen_accuracy[count]):.4f} "
            f"(conv3 trained) vs {float(frozen_accuracy[count]):.4f} (frozen) says {helps}.",
            f"conv3_helps[{count}] 是 {conv3_helps[count]!r}，但 {float(partly_frozen_accuracy[count]):.4f}"
            f"（训练 conv3）对 {float(frozen_accuracy[count]):.4f}（冻结）说明应为 {helps}。",
        )
