"""Checks for exercise 04.2, How much data does overfitting need?"""

import math
import numbers

import keras
import numpy as np
from otter.test_files import test_case

from course_utils import config
from course_utils.language import tr

OK_FORMAT = False

name = "ex04_2"

#: The training sizes the exercise asks for, as in the question.
SIZES = config.pick(full=[500, 1_000, 2_000], fast=[200, 400, 800])


def _size_dict(value, variable, what):
    assert value is not ... and value is not None, tr(
        f"`{variable}` is still `...`: set it to a dict {{size: ...}} holding {what}, one entry per size in {SIZES}.",
        f"`{variable}` 仍是 `...`：请把它设为字典 {{size: ...}}，存放{what}，{SIZES} 中每个大小一项。",
    )
    assert isinstance(value, dict), tr(
        f"`{variable}` is a {type(value).__name__}; expected a dict keyed by the sizes {SIZES} holding {what}.",
        f"`{variable}` 是 {type(value).__name__}；应为以大小 {SIZES} 为键、存放{what}的字典。",
    )
    assert sorted(value) == SIZES, tr(
        f"`{variable}` has the keys {sorted(value)}; expected the sizes {SIZES} "
        "(config.pick(full=[500, 1_000, 2_000], fast=[200, 400, 800])).",
        f"`{variable}` 的键是 {sorted(value)}；应为大小 {SIZES}"
        "（config.pick(full=[500, 1_000, 2_000], fast=[200, 400, 800])）。",
    )
    return value


def _run(overfit_runs, size):
    run = overfit_runs.get(size) if isinstance(overfit_runs, dict) else None
    assert isinstance(run, keras.callbacks.History) and "val_loss" in run.history, tr(
        f"`overfit_runs[{size}]` is not a History with validation results: check `overfit_runs` first.",
        f"`overfit_runs[{size}]` 不是带验证结果的 History：请先检查 `overfit_runs`。",
    )
    return run


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For each size: x_part, y_part = data.subsample(x_fit, y_fit, size), then a fresh model "
               "fitted like overfit_model: validation_data=(x_val, y_val), "
               "epochs=config.epochs(30, fast=3), batch_size=64.",
               "对每个大小：x_part, y_part = data.subsample(x_fit, y_fit, size)，然后像 overfit_model 那样"
               "训练一个新模型：validation_data=(x_val, y_val)，"
               "epochs=config.epochs(30, fast=3)，batch_size=64。",
           ))
def test_the_runs(overfit_runs, overfit_history):
    _size_dict(overfit_runs, "overfit_runs", tr("the History of each run", "每次运行的 History"))
    assert overfit_history is not None, tr(
        "`overfit_history` is not defined: run the lesson's cells above the exercises first.",
        "`overfit_history` 尚未定义：请先运行本课练习之前的单元格。",
    )
    epochs = len(overfit_history.epoch)
    for size, run in overfit_runs.items():
        assert isinstance(run, keras.callbacks.History), tr(
            f"`overfit_runs[{size}]` is a {type(run).__name__}; expected the History that model.fit returns.",
            f"`overfit_runs[{size}]` 是 {type(run).__name__}；应为 model.fit 返回的 History。",
        )
        steps = math.ceil(size / 64)
        seen = run.params.get("steps")
        assert seen == steps, tr(
            f"`overfit_runs[{size}]` ran {seen} steps per epoch; {size} digits in batches of 64 give {steps}. "
            f"Train on data.subsample(x_fit, y_fit, {size}) with batch_size=64.",
            f"`overfit_runs[{size}]` 每轮走了 {seen} 步；{size} 个数字按每批 64 个应为 {steps} 步。"
            f"请以 batch_size=64 在 data.subsample(x_fit, y_fit, {size}) 上训练。",
        )
        assert len(run.epoch) == epochs, tr(
            f"`overfit_runs[{size}]` trained {len(run.epoch)} epoch(s), the lesson's overfitting run {epochs}: "
            "use epochs=config.epochs(30, fast=3).",
            f"`overfit_runs[{size}]` 训练了 {len(run.epoch)} 轮，本课的过拟合运行是 {epochs} 轮："
            "请使用 epochs=config.epochs(30, fast=3)。",
        )
        assert "val_loss" in run.history, tr(
            f"`overfit_runs[{size}]` has no val_loss: pass validation_data=(x_val, y_val).",
            f"`overfit_runs[{size}]` 没有 val_loss：请传入 validation_data=(x_val, y_val)。",
        )
        updates = int(run.model.optimizer.iterations)
        assert updates == steps * epochs, tr(
            f"the model of `overfit_runs[{size}]` has made {updates} updates, expected {steps} × {epochs} = "
            f"{steps * epochs}: build and compile a fresh model for each size.",
            f"`overfit_runs[{size}]` 的模型做了 {updates} 次更新，应为 {steps} × {epochs} = "
            f"{steps * epochs} 次：请为每个大小新建并编译一个模型。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "The gap of a run is history['accuracy'][-1] - history['val_accuracy'][-1], "
               "training minus validation, in the last epoch.",
               "一次运行的差距是 history['accuracy'][-1] - history['val_accuracy'][-1]，"
               "即最后一轮的训练准确率减验证准确率。",
           ))
def test_the_gaps(final_gap, overfit_runs):
    _size_dict(final_gap, "final_gap",
        tr("the last epoch's training minus validation accuracy", "最后一轮的训练准确率减验证准确率")
    )
    for size, gap in final_gap.items():
        assert isinstance(gap, numbers.Real), tr(
            f"`final_gap[{size}]` is a {type(gap).__name__}; expected a float.",
            f"`final_gap[{size}]` 是 {type(gap).__name__}；应为 float。",
        )
        history = _run(overfit_runs, size).history
        expected = history["accuracy"][-1] - history["val_accuracy"][-1]
        assert not (abs(expected) > 1e-6 and math.isclose(gap, -expected, abs_tol=1e-6)), tr(
            f"`final_gap[{size}]` is {gap:.4f}, validation minus training: take training minus validation.",
            f"`final_gap[{size}]` 是 {gap:.4f}，是验证减训练：请用训练减验证。",
        )
        assert math.isclose(gap, expected, abs_tol=1e-4), tr(
            f"`final_gap[{size}]` is {gap:.4f}; in the last epoch of `overfit_runs[{size}]` the training accuracy "
            f"is {history['accuracy'][-1]:.4f} and the validation accuracy {history['val_accuracy'][-1]:.4f}, "
            f"a gap of {expected:.4f}.",
            f"`final_gap[{size}]` 是 {gap:.4f}；在 `overfit_runs[{size}]` 的最后一轮，训练准确率"
            f"是 {history['accuracy'][-1]:.4f}，验证准确率是 {history['val_accuracy'][-1]:.4f}，"
            f"差距为 {expected:.4f}。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "np.argmin(history['val_loss']) is the epoch counted from 0; add 1 to count "
               "from 1, as the table and Keras' log do.",
               "np.argmin(history['val_loss']) 是从 0 数起的轮次；加 1 即从 1 数起，"
               "与表格和 Keras 的日志一致。",
           ))
def test_the_lowest_validation_loss_epochs(lowest_val_loss_epoch, overfit_runs):
    _size_dict(lowest_val_loss_epoch, "lowest_val_loss_epoch",
        tr("the epoch (from 1) of the lowest validation loss", "验证损失最低的轮次（从 1 数起）")
    )
    for size, epoch in lowest_val_loss_epoch.items():
        assert isinstance(epoch, numbers.Integral), tr(
            f"`lowest_val_loss_epoch[{size}]` is a {type(epoch).__name__}; expected an int (int(...) around argmin).",
            f"`lowest_val_loss_epoch[{size}]` 是 {type(epoch).__name__}；应为 int（用 int(...) 包住 argmin）。",
        )
        val_loss = _run(overfit_runs, size).history["val_loss"]
        expected = int(np.argmin(val_loss)) + 1
        assert epoch != expected - 1, tr(
            f"`lowest_val_loss_epoch[{size}]` is {epoch}, counted from 0: the lowest val_loss is in epoch "
            f"{expected} counted from 1.",
            f"`lowest_val_loss_epoch[{size}]` 是 {epoch}，是从 0 数起的：最低的 val_loss 出现在从 1 数起的第 "
            f"{expected} 轮。",
        )
        assert epoch == expected, tr(
            f"`lowest_val_loss_epoch[{size}]` is {epoch}; the val_loss of `overfit_runs[{size}]` is lowest in "
            f"epoch {expected} (counted from 1): {np.round(val_loss, 4).tolist()}.",
            f"`lowest_val_loss_epoch[{size}]` 是 {epoch}；`overfit_runs[{size}]` 的 val_loss 在第 "
            f"{expected} 轮（从 1 数起）最低：{np.round(val_loss, 4).tolist()}。",
        )
