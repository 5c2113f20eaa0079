"""Checks for exercise 09.3, Half the time budget."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex09_3"


def _unset(value):
    return value is None or value is ...


def _last_val_accuracy(run):
    return float(run.history.history["val_accuracy"][-1])


@test_case(points=1, hidden=False,
           failure_message=tr(
               "half_run = recipes.train(x_fit, y_fit, epochs=max(1, recipe_epochs // 2), "
               "validation_data=(x_val, y_val), seed=config.seed()).",
               "half_run = recipes.train(x_fit, y_fit, epochs=max(1, recipe_epochs // 2), "
               "validation_data=(x_val, y_val), seed=config.seed())。",
           ))
def test_the_half_run(half_run, best):
    assert not _unset(half_run), tr(
        "`half_run` is still `...`: set it to what recipes.train returns.",
        "`half_run` 仍是 `...`：请把它设为 recipes.train 的返回值。",
    )
    for attribute in ("model", "history", "train_seconds", "epochs"):
        assert hasattr(half_run, attribute), tr(
            f"`half_run` is a {type(half_run).__name__} without .{attribute}: keep what recipes.train returns.",
            f"`half_run` 是没有 .{attribute} 的 {type(half_run).__name__}：请保存 recipes.train 的返回值。",
        )
    expected = max(1, best.epochs // 2)
    assert half_run.epochs == expected, tr(
        f"`half_run` trained {half_run.epochs} epoch(s); half of the recipe's {best.epochs} is {expected}.",
        f"`half_run` 训练了 {half_run.epochs} 轮；配方的 {best.epochs} 轮的一半是 {expected} 轮。",
    )
    logs = half_run.history.history
    assert len(logs.get("val_accuracy", [])) == expected, tr(
        "`half_run` has no validation accuracy for every epoch: pass validation_data=(x_val, y_val).",
        "`half_run` 并非每一轮都有验证准确率：请传入 validation_data=(x_val, y_val)。",
    )
    assert half_run.model.count_params() == best.model.count_params(), tr(
        f"`half_run`'s model has {half_run.model.count_params():,} parameters, the recipe's "
        f"{best.model.count_params():,}: train recipes.BEST with recipes.train.",
        f"`half_run` 的模型有 {half_run.model.count_params():,} 个参数，配方的有 "
        f"{best.model.count_params():,} 个：请用 recipes.train 训练 recipes.BEST。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "accuracy_lost = best's last val_accuracy - half_run's; "
               "seconds_saved = best.train_seconds - half_run.train_seconds.",
               "accuracy_lost = best 最后的 val_accuracy - half_run 最后的 val_accuracy；"
               "seconds_saved = best.train_seconds - half_run.train_seconds。",
           ))
def test_what_half_costs_and_saves(accuracy_lost, seconds_saved, half_run, best):
    assert not _unset(accuracy_lost), tr(
        "`accuracy_lost` is still `...`: best's last val_accuracy minus half_run's.",
        "`accuracy_lost` 仍是 `...`：best 最后的 val_accuracy 减去 half_run 的。",
    )
    assert not _unset(seconds_saved), tr(
        "`seconds_saved` is still `...`: best.train_seconds - half_run.train_seconds.",
        "`seconds_saved` 仍是 `...`：best.train_seconds - half_run.train_seconds。",
    )
    assert not _unset(half_run), tr(
        "`half_run` is still `...`: set it first.",
        "`half_run` 仍是 `...`：请先设置它。",
    )
    expected_loss = _last_val_accuracy(best) - _last_val_accuracy(half_run)
    assert np.ndim(accuracy_lost) == 0 and abs(float(accuracy_lost) - expected_loss) <= 1e-6, tr(
        f"`accuracy_lost` is {accuracy_lost!r}; the last validation accuracies give {expected_loss:+.4f} "
        "(the full run's minus the half run's).",
        f"`accuracy_lost` 是 {accuracy_lost!r}；最后的验证准确率给出 {expected_loss:+.4f}"
        "（完整运行的减去一半运行的）。",
    )
    expected_seconds = best.train_seconds - half_run.train_seconds
    assert np.ndim(seconds_saved) == 0 and abs(float(seconds_saved) - expected_seconds) <= 1e-6, tr(
        f"`seconds_saved` is {seconds_saved!r}; best.train_seconds - half_run.train_seconds is {expected_seconds:.2f}.",
        f"`seconds_saved` 是 {seconds_saved!r}；best.train_seconds - half_run.train_seconds 是 "
        f"{expected_seconds:.2f}。",
    )


#: The check recomputes test-time augmentation on this many validation digits only (a check must be quick).
SPOT_CHECKED = 64


@test_case(points=1, hidden=False,
           failure_message=tr(
               "tta_probabilities[key] = recipes.predict_with_shifts(model, x_val); tta_gain[key] = "
               "its accuracy against y_val minus the run's last history.history['val_accuracy'].",
               "tta_probabilities[key] = recipes.predict_with_shifts(model, x_val)；tta_gain[key] = "
               "它在 y_val 上的准确率减去该次运行最后的 history.history['val_accuracy']。",
           ))
def test_the_test_time_augmentation_gains(tta_probabilities, tta_gain, half_run, best, x_val, y_val, recipes):
    assert not _unset(tta_probabilities), tr(
        "`tta_probabilities` is still `...`: set it to {'full': ..., 'half': ...} from recipes.predict_with_shifts.",
        "`tta_probabilities` 仍是 `...`：请用 recipes.predict_with_shifts 把它设为 {'full': ..., 'half': ...}。",
    )
    assert not _unset(tta_gain), tr(
        "`tta_gain` is still `...`: set it to {'full': ..., 'half': ...}.",
        "`tta_gain` 仍是 `...`：请把它设为 {'full': ..., 'half': ...}。",
    )
    assert not _unset(half_run), tr(
        "`half_run` is still `...`: set it first.",
        "`half_run` 仍是 `...`：请先设置它。",
    )
    for name, value in (("tta_probabilities", tta_probabilities), ("tta_gain", tta_gain)):
        assert isinstance(value, dict) and set(value) == {"full", "half"}, tr(
            f"`{name}` must be a dict with the keys 'full' and 'half'; it is {type(value).__name__} "
            f"{sorted(value) if isinstance(value, dict) else ''}.",
            f"`{name}` 必须是以 'full' 和 'half' 为键的字典；它是 {type(value).__name__} "
            f"{sorted(value) if isinstance(value, dict) else ''}。",
        )
    labels = np.asarray(y_val)
    spot_checked = {}  # id(model) -> predict_with_shifts on the first digits; in fast mode half_run may be best
    for key, run in (("full", best), ("half", half_run)):
        probabilities = np.asarray(tta_probabilities[key], dtype=np.float32)
        assert probabilities.shape == (len(labels), 10), tr(
            f"`tta_probabilities[{key!r}]` has shape {probabilities.shape}; expected ({len(labels)}, 10), one row "
            "of probabilities per validation digit.",
            f"`tta_probabilities[{key!r}]` 的形状是 {probabilities.shape}；应为 ({len(labels)}, 10)，每个验证数字"
            "一行概率。",
        )
        if id(run.model) not in spot_checked:
            first = x_val[:SPOT_CHECKED]  # the model called directly: no predict function to trace for this shape
            spot_checked[id(run.model)] = np.mean(
                [np.asarray(run.model(recipes.shift_images(first, down, right), training=False), dtype=np.float32)
                 for down, right in recipes.TEST_TIME_SHIFTS], axis=0)
        expected = spot_checked[id(run.model)]
        agree = int((probabilities[:SPOT_CHECKED].argmax(axis=1) == expected.argmax(axis=1)).sum())
        assert agree >= SPOT_CHECKED - 2 and np.allclose(probabilities[:SPOT_CHECKED], expected, atol=0.05), tr(
            f"`tta_probabilities[{key!r}]` is not recipes.predict_with_shifts of the {key} run's model on x_val: on "
            f"the first {SPOT_CHECKED} digits it picks the same digit {agree} times.",
            f"`tta_probabilities[{key!r}]` 不是 {key} 运行的模型在 x_val 上的 recipes.predict_with_shifts：在"
            f"前 {SPOT_CHECKED} 个数字上，它只有 {agree} 次选出了相同的数字。",
        )
        gain = float((probabilities.argmax(axis=1) == labels).mean()) - float(run.history.history["val_accuracy"][-1])
        value = tta_gain[key]
        assert np.ndim(value) == 0 and abs(float(value) - gain) <= 1e-6, tr(
            f"`tta_gain[{key!r}]` is {value!r}; the accuracy of tta_probabilities[{key!r}] minus the run's last "
            f"val_accuracy is {gain:+.4f}.",
            f"`tta_gain[{key!r}]` 是 {value!r}；tta_probabilities[{key!r}] 的准确率减去该次运行最后的 "
            f"val_accuracy 是 {gain:+.4f}。",
        )
