"""Checks for exercise 06.2, The best checkpoint is not a resume point."""

import numbers

import keras
import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex06_2"


def _history(best_only_history):
    assert best_only_history is not ... and best_only_history is not None, tr(
        "`best_only_history` is still `...`: set it to the History that fit returned.",
        "`best_only_history` 仍是 `...`：请把它设为 fit 返回的 History。",
    )
    assert isinstance(best_only_history, keras.callbacks.History), tr(
        f"`best_only_history` is a {type(best_only_history).__name__}; expected the History that model.fit returns.",
        f"`best_only_history` 是 {type(best_only_history).__name__}；应为 model.fit 返回的 History。",
    )
    assert "val_loss" in best_only_history.history, tr(
        "`best_only_history` has no val_loss: pass validation_data=(x_val, y_val) to fit.",
        "`best_only_history` 中没有 val_loss：请给 fit 传入 validation_data=(x_val, y_val)。",
    )
    steps = best_only_history.params.get("steps")
    assert isinstance(steps, int) and steps > 0, tr(
        f"`best_only_history.params` is {best_only_history.params}, without a number of steps per epoch: "
        "fit on the arrays x_fit, y_fit with batch_size=64.",
        f"`best_only_history.params` 是 {best_only_history.params}，其中没有每轮的步数："
        "请以 batch_size=64 在数组 x_fit、y_fit 上训练。",
    )
    return best_only_history, steps


def _int(value, variable):
    assert value is not ... and value is not None, tr(
        f"`{variable}` is still `...`: set it to an int.",
        f"`{variable}` 仍是 `...`：请把它设为一个 int。",
    )
    assert isinstance(value, numbers.Integral), tr(
        f"`{variable}` is a {type(value).__name__}; expected an int (int(optimizer.iterations)).",
        f"`{variable}` 是 {type(value).__name__}；应为 int（int(optimizer.iterations)）。",
    )
    return int(value)


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Fit a fresh model for best_only_epochs epochs; steps_trained is "
               "int(model.optimizer.iterations) of that model after fit.",
               "训练一个新模型 best_only_epochs 轮；steps_trained 是该模型 fit 之后的 "
               "int(model.optimizer.iterations)。",
           ))
def test_the_run(best_only_history, steps_trained):
    history, steps = _history(best_only_history)
    trained = _int(steps_trained, "steps_trained")
    epochs = len(history.epoch)
    assert epochs >= 2, tr(
        f"`best_only_history` has {epochs} epoch(s); train for config.epochs(4, fast=3).",
        f"`best_only_history` 有 {epochs} 轮；请训练 config.epochs(4, fast=3) 轮。",
    )
    assert trained == epochs * steps, tr(
        f"`steps_trained` is {trained}; {epochs} epochs of {steps} steps make {epochs * steps}. Use the trained "
        "model's optimizer, and a fresh model (one that trained before keeps counting).",
        f"`steps_trained` 是 {trained}；{epochs} 轮、每轮 {steps} 步共 {epochs * steps} 步。请使用训练过的"
        "模型的优化器，并使用一个新模型（训练过的模型会继续计数）。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Load the best-only file, loaded = keras.models.load_model(best_only_dir / 'best.keras'), "
               "and read int(loaded.optimizer.iterations): the file keeps the optimizer state too.",
               "加载只保存最佳值的文件：loaded = keras.models.load_model(best_only_dir / 'best.keras')，"
               "并读取 int(loaded.optimizer.iterations)：该文件也保存了优化器状态。",
           ))
def test_the_step_counter_in_the_file(steps_in_best_file, steps_trained, best_only_history):
    in_file = _int(steps_in_best_file, "steps_in_best_file")
    history, steps = _history(best_only_history)
    best_epoch = int(np.argmin(history.history["val_loss"])) + 1
    expected = best_epoch * steps
    assert not (in_file != expected and in_file == steps_trained), tr(
        f"`steps_in_best_file` is {in_file}, the steps of the model in memory: load best.keras with "
        "keras.models.load_model and read the loaded model's optimizer.",
        f"`steps_in_best_file` 是 {in_file}，这是内存中模型的步数：请用 keras.models.load_model "
        "加载 best.keras，并读取加载后模型的优化器。",
    )
    assert in_file == expected, tr(
        f"`steps_in_best_file` is {in_file}; val_loss was lowest in epoch {best_epoch}, so best.keras holds the "
        f"model after {best_epoch} × {steps} = {expected} steps. Empty best_only_dir before the run (an older "
        "best.keras and its .best.json may be in the way).",
        f"`steps_in_best_file` 是 {in_file}；val_loss 在第 {best_epoch} 轮最低，所以 best.keras 保存的是"
        f"经过 {best_epoch} × {steps} = {expected} 步之后的模型。请在运行前清空 best_only_dir（更早的 "
        "best.keras 及其 .best.json 可能碍事）。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "A model that made N optimizer steps at S steps per epoch has completed N // S epochs; "
               "S is best_only_history.params['steps'].",
               "一个以每轮 S 步走了 N 个优化器步的模型完成了 N // S 轮；"
               "S 是 best_only_history.params['steps']。",
           ))
def test_the_epochs_in_the_file(epochs_in_best_file, steps_in_best_file, best_only_history):
    epochs = _int(epochs_in_best_file, "epochs_in_best_file")
    in_file = _int(steps_in_best_file, "steps_in_best_file")
    history, steps = _history(best_only_history)
    assert epochs == in_file // steps, tr(
        f"`epochs_in_best_file` is {epochs}; {in_file} steps at {steps} per epoch are {in_file // steps} epochs.",
        f"`epochs_in_best_file` 是 {epochs}；{in_file} 步、每轮 {steps} 步，即 {in_file // steps} 轮。",
    )
    best_epoch = int(np.argmin(history.history["val_loss"])) + 1
    assert epochs == best_epoch, tr(
        f"`epochs_in_best_file` is {epochs}; the best val_loss was in epoch {best_epoch} (counted from 1), the "
        "epoch the best-only file keeps.",
        f"`epochs_in_best_file` 是 {epochs}；最佳 val_loss 在第 {best_epoch} 轮（从 1 数起），这正是"
        "只保存最佳值的文件所保留的轮次。",
    )
