"""Checks for exercise 11.2, Keep the statistics, or not?"""

import math

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex11_2"


def _batchnorm_layers(model):
    """Every BatchNormalization layer inside ``model``, nested models included, in order."""
    found = []
    for layer in getattr(model, "layers", []):
        if type(layer).__name__ == "BatchNormalization":
            found.append(layer)
        found.extend(_batchnorm_layers(layer))
    return found


def _pretrained_means(base_path):
    from course_utils import transfer

    base = transfer.build_conv_base()
    base.load_weights(base_path)
    return [np.array(layer.moving_mean) for layer in _batchnorm_layers(base)]


def _dict_of_counts(value, label, label_counts):
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
        assert isinstance(item, float | int | np.floating) and math.isfinite(float(item)), tr(
            f"{label}[{count}] is {item!r}; expected a number.",
            f"{label}[{count}] 是 {item!r}；应为一个数。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Fine-tune as transfer_and_fine_tune does, without the loop that freezes the "
               "BatchNorm layers, and keep the model of the smallest count.",
               "像 transfer_and_fine_tune 那样微调，但去掉冻结 BatchNorm 层的那个循环，"
               "并保存最小数量时的模型。",
           ))
def test_batchnorm_recomputed_its_statistics(recomputed_model, moving_mean_shift, base_path, label_counts):
    assert recomputed_model is not ... and recomputed_model is not None, tr(
        "`recomputed_model` is still `...`: set it to the model fine-tuned on the smallest count.",
        "`recomputed_model` 仍是 `...`：请把它设为在最小数量上微调的模型。",
    )
    _dict_of_counts(moving_mean_shift, "moving_mean_shift", label_counts)
    batchnorm = _batchnorm_layers(recomputed_model)
    assert len(batchnorm) == 3, tr(
        f"`recomputed_model` has {len(batchnorm)} BatchNormalization layers; expected the base's 3 "
        "(build it from pretrained_base() with new_classifier).",
        f"`recomputed_model` 有 {len(batchnorm)} 个 BatchNormalization 层；应为卷积基的 3 个"
        "（用 new_classifier 从 pretrained_base() 构建）。",
    )
    frozen = [layer.name for layer in batchnorm if not layer.trainable]
    assert not frozen, tr(
        f"BatchNorm layers {frozen} are still frozen: after base.trainable = True, leave them trainable.",
        f"BatchNorm 层 {frozen} 仍是冻结的：在 base.trainable = True 之后，让它们保持可训练。",
    )
    means = [np.array(layer.moving_mean) for layer in batchnorm]
    pretrained = _pretrained_means(base_path)
    shift = max(float(np.abs(now - before).max()) for now, before in zip(means, pretrained, strict=True))
    assert shift > 0, tr(
        "the moving means are still the pretrained ones: fine-tune with the BatchNorm layers trainable.",
        "滑动均值仍是预训练时的值：请在 BatchNorm 层可训练的情况下微调。",
    )
    smallest = min(label_counts)
    assert math.isclose(float(moving_mean_shift[smallest]), shift, rel_tol=1e-4, abs_tol=1e-6), tr(
        f"moving_mean_shift[{smallest}] is {float(moving_mean_shift[smallest]):.4g}, but the moving means of "
        f"recomputed_model moved by up to {shift:.4g} from the pretrained ones (head training leaves them alone, "
        "so the change is all from fine-tuning).",
        f"moving_mean_shift[{smallest}] 是 {float(moving_mean_shift[smallest]):.4g}，但 recomputed_model 的"
        f"滑动均值相对预训练的值最多移动了 {shift:.4g}（训练分类头时不会改变它们，"
        "所以变化全部来自微调）。",
    )
    for count in label_counts:
        assert float(moving_mean_shift[count]) > 0, tr(
            f"moving_mean_shift[{count}] is {moving_mean_shift[count]}; with trainable BatchNorm the means move.",
            f"moving_mean_shift[{count}] 是 {moving_mean_shift[count]}；BatchNorm 可训练时，均值会移动。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "One test accuracy per count of label_counts; kept_accuracy[count] is "
               "row['samples']['fine-tuned'][0] of the curve's row for that count.",
               "对 label_counts 中的每个数量给出一个测试准确率；kept_accuracy[count] 是"
               "曲线中该数量那一行的 row['samples']['fine-tuned'][0]。",
           ))
def test_the_comparison_with_kept_statistics(recomputed_accuracy, kept_accuracy, curve, label_counts):
    _dict_of_counts(recomputed_accuracy, "recomputed_accuracy", label_counts)
    _dict_of_counts(kept_accuracy, "kept_accuracy", label_counts)
    for count, value in recomputed_accuracy.items():
        assert 0.0 <= float(value) <= 1.0, tr(
            f"recomputed_accuracy[{count}] is {value}; expected an accuracy in [0, 1].",
            f"recomputed_accuracy[{count}] 是 {value}；应为 [0, 1] 内的准确率。",
        )
    for row in curve:
        count, expected = row["labels"], row["samples"]["fine-tuned"][0]
        assert math.isclose(float(kept_accuracy[count]), float(expected), abs_tol=1e-9), tr(
            f"kept_accuracy[{count}] is {float(kept_accuracy[count]):.4f}; the curve's first sample at {count} "
            f"labels gave {float(expected):.4f} (row['samples']['fine-tuned'][0]).",
            f"kept_accuracy[{count}] 是 {float(kept_accuracy[count]):.4f}；曲线在 {count} 个标签处的第一个样本"
            f"给出 {float(expected):.4f}（row['samples']['fine-tuned'][0]）。",
        )
