"""Checks for exercise 09.1, Augmentation strength."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex09_1"


def _unset(value):
    return value is None or value is ...


def _all_layers(layer):
    yield layer
    for inner in getattr(layer, "layers", []):
        yield from _all_layers(inner)


def _largest(factor):
    return max(abs(float(value)) for value in factor) if isinstance(factor, (tuple, list)) else abs(float(factor))


def _strengths(model):
    """(rotation in degrees, shift, zoom) of the augmentation layers inside ``model``, None when absent."""
    found = {}
    for layer in _all_layers(model):
        config = layer.get_config()
        kind = type(layer).__name__
        if kind == "RandomRotation":
            found["rotation"] = _largest(config["factor"]) * 360
        elif kind == "RandomTranslation":
            found["shift"] = _largest(config["height_factor"])
        elif kind == "RandomZoom":
            found["zoom"] = _largest(config["height_factor"])
    return found


@test_case(points=1, hidden=False,
           failure_message=tr(
               "stronger = recipes.Augmentation(rotation_degrees=25, shift=0.2, zoom=0.2).",
               "stronger = recipes.Augmentation(rotation_degrees=25, shift=0.2, zoom=0.2)。",
           ))
def test_the_stronger_settings(stronger, recipes):
    assert not _unset(stronger), tr(
        "`stronger` is still `...`: set it to a recipes.Augmentation.",
        "`stronger` 仍是 `...`：请把它设为一个 recipes.Augmentation。",
    )
    expected = recipes.Augmentation(rotation_degrees=25, shift=0.2, zoom=0.2)
    assert stronger == expected, tr(
        f"`stronger` is {stronger!r}; expected {expected!r}.",
        f"`stronger` 是 {stronger!r}；应为 {expected!r}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Build as augmented_cnn does, with recipes.augmentation_layers(stronger) in front of "
               "models.build_cnn_3x3(), and keep the History that run(...) returns.",
               "像 augmented_cnn 那样构建，在 models.build_cnn_3x3() 前面加上 recipes.augmentation_layers(stronger)，"
               "并保存 run(...) 返回的 History。",
           ))
def test_the_stronger_run(stronger_history, histories, trained):
    assert not _unset(stronger_history), tr(
        "`stronger_history` is still `...`: set it to the History run(...) returns.",
        "`stronger_history` 仍是 `...`：请把它设为 run(...) 返回的 History。",
    )
    logs = getattr(stronger_history, "history", None)
    assert isinstance(logs, dict) and "val_accuracy" in logs, tr(
        f"`stronger_history` is a {type(stronger_history).__name__} without val_accuracy: keep what run(...) "
        "returns (a keras History; run passes the validation digits).",
        f"`stronger_history` 是没有 val_accuracy 的 {type(stronger_history).__name__}：请保存 run(...) "
        "的返回值（一个 keras History；run 会传入验证数字）。",
    )
    reference = histories["augmentation"].history["val_accuracy"]
    assert len(logs["val_accuracy"]) == len(reference), tr(
        f"the stronger run trained {len(logs['val_accuracy'])} epoch(s), section 2's {len(reference)}: "
        "keep run's default epochs so the two compare fairly.",
        f"更强增强的那次运行训练了 {len(logs['val_accuracy'])} 轮，第 2 节的是 {len(reference)} 轮："
        "请保持 run 的默认轮数，这样两者的比较才公平。",
    )
    model = stronger_history.model
    strengths = _strengths(model)
    wanted = {"rotation": 25.0, "shift": 0.2, "zoom": 0.2}
    wrong = {key: strengths.get(key) for key, value in wanted.items()
             if strengths.get(key) is None or abs(strengths[key] - value) > 1e-6}
    assert not wrong, tr(
        f"the trained model's augmentation is {strengths} (degrees, shares); expected {wanted}: put "
        "recipes.augmentation_layers(stronger) in front.",
        f"训练后模型的数据增强是 {strengths}（角度，比例）；应为 {wanted}：请在前面放上 "
        "recipes.augmentation_layers(stronger)。",
    )
    assert model.count_params() == trained["augmentation"].count_params(), tr(
        f"the trained model has {model.count_params():,} parameters, section 2's augmented CNN "
        f"{trained['augmentation'].count_params():,}: change only the augmentation, keep models.build_cnn_3x3().",
        f"训练后的模型有 {model.count_params():,} 个参数，第 2 节的数据增强 CNN 有 "
        f"{trained['augmentation'].count_params():,} 个：只改变数据增强，保留 models.build_cnn_3x3()。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "accuracy_change = stronger_history.history['val_accuracy'][-1] - "
               "histories['augmentation'].history['val_accuracy'][-1]; beyond_luck = "
               "abs(accuracy_change) > luck.",
               "accuracy_change = stronger_history.history['val_accuracy'][-1] - "
               "histories['augmentation'].history['val_accuracy'][-1]；beyond_luck = "
               "abs(accuracy_change) > luck。",
           ))
def test_the_comparison(accuracy_change, beyond_luck, stronger_history, histories, luck):
    assert not _unset(accuracy_change), tr(
        "`accuracy_change` is still `...`: stronger minus section 2's, a float.",
        "`accuracy_change` 仍是 `...`：更强的减去第 2 节的，一个 float。",
    )
    assert beyond_luck is not ..., tr(
        "`beyond_luck` is still `...`: set it to True or False.",
        "`beyond_luck` 仍是 `...`：请把它设为 True 或 False。",
    )
    assert not _unset(stronger_history), tr(
        "`stronger_history` is still `...`: set it first.",
        "`stronger_history` 仍是 `...`：请先设置它。",
    )
    expected = (stronger_history.history["val_accuracy"][-1]
                - histories["augmentation"].history["val_accuracy"][-1])
    assert np.ndim(accuracy_change) == 0 and abs(float(accuracy_change) - expected) <= 1e-6, tr(
        f"`accuracy_change` is {accuracy_change!r}; the last validation accuracies give {expected:+.4f} "
        "(stronger minus section 2's, so a drop is negative).",
        f"`accuracy_change` 是 {accuracy_change!r}；最后的验证准确率给出 {expected:+.4f}"
        "（更强的减去第 2 节的，所以下降为负数）。",
    )
    assert isinstance(beyond_luck, (bool, np.bool_)), tr(
        f"`beyond_luck` is {beyond_luck!r}; make it True or False.",
        f"`beyond_luck` 是 {beyond_luck!r}；请把它设为 True 或 False。",
    )
    where = tr("above", "超出") if abs(expected) > luck else tr("within", "未超出")
    assert bool(beyond_luck) == (abs(expected) > luck), tr(
        f"`beyond_luck` is {beyond_luck}, but |{expected:+.4f}| is {where} the luck margin {luck:.4f}.",
        f"`beyond_luck` 是 {beyond_luck}，但 |{expected:+.4f}| {where}偶然误差范围 {luck:.4f}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "stronger_digits = recipes.augmentation_layers(stronger)(samples, training=True).numpy().",
               "stronger_digits = recipes.augmentation_layers(stronger)(samples, training=True).numpy()。",
           ))
def test_the_augmented_digits(stronger_digits, samples):
    assert not _unset(stronger_digits), tr(
        "`stronger_digits` is still `...`: augment `samples` with the stronger layers.",
        "`stronger_digits` 仍是 `...`：请用更强的增强层对 `samples` 做数据增强。",
    )
    digits = np.asarray(stronger_digits, dtype=np.float32)
    assert digits.shape == samples.shape, tr(
        f"`stronger_digits` has shape {digits.shape}; expected {samples.shape}, the shape of `samples`.",
        f"`stronger_digits` 的形状是 {digits.shape}；应为 {samples.shape}，即 `samples` 的形状。",
    )
    assert np.isfinite(digits).all() and digits.min() >= -1e-3 and digits.max() <= 1.001, tr(
        f"`stronger_digits` ranges from {digits.min():.3g} to {digits.max():.3g}; augmented digits stay in [0, 1].",
        f"`stronger_digits` 的取值范围是 {digits.min():.3g} 到 {digits.max():.3g}；增强后的数字应保持在 [0, 1] 内。",
    )
    assert not np.allclose(digits, samples, atol=1e-2), tr(
        "`stronger_digits` equals `samples`: call the layers with training=True, or they pass the digits through.",
        "`stronger_digits` 等于 `samples`：请用 training=True 调用这些层，否则它们会原样输出数字。",
    )
