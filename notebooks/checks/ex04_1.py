"""Checks for exercise 04.1, Batch size and the number of updates."""

import math
import numbers

import keras
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex04_1"

BATCH_SIZES = (8, 256)


def _batch_dict(value, variable, what):
    assert value is not ... and value is not None, tr(
        f"`{variable}` is still `...`: set it to a dict {{8: ..., 256: ...}} holding {what}.",
        f"`{variable}` 仍是 `...`：请把它设为字典 {{8: ..., 256: ...}}，存放{what}。",
    )
    assert isinstance(value, dict), tr(
        f"`{variable}` is a {type(value).__name__}; expected a dict with the keys 8 and 256 holding {what}.",
        f"`{variable}` 是 {type(value).__name__}；应为以 8 和 256 为键、存放{what}的字典。",
    )
    assert set(value) == set(BATCH_SIZES), tr(
        f"`{variable}` has the keys {list(value)}; expected exactly the batch sizes 8 and 256 (as ints).",
        f"`{variable}` 的键是 {list(value)}；应恰好是批大小 8 和 256（int 类型）。",
    )
    return value


def _lesson(value, variable):
    assert value is not None, tr(
        f"`{variable}` is not defined: run the lesson's cells above the exercises first.",
        f"`{variable}` 尚未定义：请先运行本课练习之前的单元格。",
    )
    return value


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Per batch size: keras.utils.set_random_seed(config.seed()), a fresh "
               "models.build_cnn_3x3() compiled like the main run, then model.fit(x_fit, y_fit, "
               "validation_data=(x_val, y_val), epochs=config.epochs(10, fast=1), batch_size=...); "
               "batch_runs[batch_size] is the History that fit returns.",
               "对每个批大小：keras.utils.set_random_seed(config.seed())，一个新的 "
               "models.build_cnn_3x3()，像主运行那样编译，然后 model.fit(x_fit, y_fit, "
               "validation_data=(x_val, y_val), epochs=config.epochs(10, fast=1), batch_size=...)；"
               "batch_runs[batch_size] 是 fit 返回的 History。",
           ))
def test_both_runs_trained(batch_runs, x_fit, history):
    _batch_dict(batch_runs, "batch_runs",
        tr("the History that each fit returned", "每次 fit 返回的 History")
    )
    x_fit, history = _lesson(x_fit, "x_fit"), _lesson(history, "history")
    for batch_size, run in batch_runs.items():
        assert isinstance(run, keras.callbacks.History), tr(
            f"`batch_runs[{batch_size}]` is a {type(run).__name__}; expected the History that model.fit returns.",
            f"`batch_runs[{batch_size}]` 是 {type(run).__name__}；应为 model.fit 返回的 History。",
        )
        steps = math.ceil(len(x_fit) / batch_size)
        seen = run.params.get("steps")
        assert seen == steps, tr(
            f"`batch_runs[{batch_size}]` ran {seen} steps per epoch; batch_size={batch_size} on the "
            f"{len(x_fit):,} digits of x_fit gives {steps}. Fit on x_fit, y_fit with batch_size={batch_size}.",
            f"`batch_runs[{batch_size}]` 每轮走了 {seen} 步；在 x_fit 的 {len(x_fit):,} 个数字上 "
            f"batch_size={batch_size} 应为 {steps} 步。请在 x_fit、y_fit 上以 batch_size={batch_size} 训练。",
        )
        assert len(run.epoch) == len(history.epoch), tr(
            f"`batch_runs[{batch_size}]` trained {len(run.epoch)} epoch(s), the main run {len(history.epoch)}: "
            "use epochs=config.epochs(10, fast=1), as the main run did.",
            f"`batch_runs[{batch_size}]` 训练了 {len(run.epoch)} 轮，主运行是 {len(history.epoch)} 轮："
            "请像主运行那样使用 epochs=config.epochs(10, fast=1)。",
        )
        assert "val_accuracy" in run.history, tr(
            f"`batch_runs[{batch_size}]` has no val_accuracy: pass validation_data=(x_val, y_val) as the main run did.",
            f"`batch_runs[{batch_size}]` 没有 val_accuracy：请像主运行那样传入 validation_data=(x_val, y_val)。",
        )
        updates = int(run.model.optimizer.iterations)
        expected = steps * len(run.epoch)
        assert updates == expected, tr(
            f"the model of `batch_runs[{batch_size}]` has made {updates} updates in all, expected "
            f"{steps} per epoch × {len(run.epoch)} = {expected}: build and compile a fresh model for each "
            "batch size (a model that trained before keeps counting).",
            f"`batch_runs[{batch_size}]` 的模型共做了 {updates} 次更新，应为每轮 "
            f"{steps} 次 × {len(run.epoch)} 轮 = {expected} 次：请为每个批大小新建并编译一个模型"
            "（训练过的模型会继续计数）。",
        )
    assert batch_runs[8].model is not batch_runs[256].model, tr(
        "`batch_runs[8]` and `batch_runs[256]` trained the same model object: build a fresh one per batch size.",
        "`batch_runs[8]` 和 `batch_runs[256]` 训练的是同一个模型对象：请为每个批大小新建一个。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "An epoch makes one update per batch, the last smaller batch included: "
               "int(model.optimizer.iterations) after fit, divided by the number of epochs.",
               "每个批次做一次更新，包括最后那个较小的批次：fit 之后的 "
               "int(model.optimizer.iterations) 除以轮数。",
           ))
def test_updates_per_epoch(updates_per_epoch, x_fit, history):
    _batch_dict(updates_per_epoch, "updates_per_epoch",
        tr("the number of weight updates in one epoch", "一轮中权重更新的次数")
    )
    x_fit, history = _lesson(x_fit, "x_fit"), _lesson(history, "history")
    for batch_size, updates in updates_per_epoch.items():
        assert isinstance(updates, numbers.Real), tr(
            f"`updates_per_epoch[{batch_size}]` is a {type(updates).__name__}; expected an int.",
            f"`updates_per_epoch[{batch_size}]` 是 {type(updates).__name__}；应为 int。",
        )
        expected = math.ceil(len(x_fit) / batch_size)
        epochs = len(history.epoch)
        assert not (epochs > 1 and updates == expected * epochs), tr(
            f"`updates_per_epoch[{batch_size}]` is {updates}, the updates of all {epochs} epochs: "
            "divide by the number of epochs.",
            f"`updates_per_epoch[{batch_size}]` 是 {updates}，这是全部 {epochs} 轮的更新次数："
            "请除以轮数。",
        )
        assert not math.isclose(updates, len(x_fit) / batch_size) or updates == expected, tr(
            f"`updates_per_epoch[{batch_size}]` is {updates} = {len(x_fit):,} / {batch_size}: the last, "
            f"smaller batch is an update too, so an epoch makes ceil({len(x_fit):,} / {batch_size}) = {expected}.",
            f"`updates_per_epoch[{batch_size}]` 是 {updates} = {len(x_fit):,} / {batch_size}：最后那个"
            f"较小的批次也是一次更新，所以每轮做 ceil({len(x_fit):,} / {batch_size}) = {expected} 次。",
        )
        assert updates == expected, tr(
            f"`updates_per_epoch[{batch_size}]` is {updates}; one epoch of batch_size={batch_size} on the "
            f"{len(x_fit):,} digits of x_fit makes {expected} updates.",
            f"`updates_per_epoch[{batch_size}]` 是 {updates}；在 x_fit 的 {len(x_fit):,} 个数字上以 "
            f"batch_size={batch_size} 训练一轮，做 {expected} 次更新。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Time the fit call: start = time.perf_counter() before it, "
               "time.perf_counter() - start after it; the accuracy is the second value of "
               "model.evaluate(x_test, y_test, verbose=0).",
               "为 fit 调用计时：调用前 start = time.perf_counter()，"
               "调用后 time.perf_counter() - start；准确率是 "
               "model.evaluate(x_test, y_test, verbose=0) 的第二个值。",
           ))
def test_times_and_test_accuracies(fit_seconds, batch_test_accuracy):
    _batch_dict(fit_seconds, "fit_seconds", tr("the seconds each fit took", "每次 fit 所用的秒数"))
    _batch_dict(batch_test_accuracy, "batch_test_accuracy",
        tr("each model's test accuracy", "每个模型的测试准确率")
    )
    for batch_size, seconds in fit_seconds.items():
        assert isinstance(seconds, numbers.Real), tr(
            f"`fit_seconds[{batch_size}]` is a {type(seconds).__name__}; expected a number of seconds (a float).",
            f"`fit_seconds[{batch_size}]` 是 {type(seconds).__name__}；应为秒数（float）。",
        )
        assert 0 < seconds < 24 * 3600, tr(
            f"`fit_seconds[{batch_size}]` is {seconds}; expected the seconds the fit call took, a positive number.",
            f"`fit_seconds[{batch_size}]` 是 {seconds}；应为 fit 调用所用的秒数，一个正数。",
        )
    for batch_size, accuracy in batch_test_accuracy.items():
        assert isinstance(accuracy, numbers.Real), tr(
            f"`batch_test_accuracy[{batch_size}]` is a {type(accuracy).__name__}: model.evaluate returns "
            "[loss, accuracy]; keep the accuracy only.",
            f"`batch_test_accuracy[{batch_size}]` 是 {type(accuracy).__name__}：model.evaluate 返回 "
            "[loss, accuracy]；只保留准确率。",
        )
        assert 0 <= accuracy <= 1, tr(
            f"`batch_test_accuracy[{batch_size}]` is {accuracy}; expected a fraction between 0 and 1, not a "
            "percentage.",
            f"`batch_test_accuracy[{batch_size}]` 是 {accuracy}；应为 0 到 1 之间的比例，而不是百分数。",
        )
