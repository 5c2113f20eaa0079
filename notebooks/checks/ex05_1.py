"""Checks for exercise 05.1, Best accuracy or best loss?"""

import math
import numbers
from pathlib import Path

import keras
import numpy as np
from otter.test_files import test_case

from course_utils import config, keras_internals
from course_utils.language import tr

OK_FORMAT = False

name = "ex05_1"

#: monitor -> (the answer variable holding its checkpoint, mode, the better of two values)
WATCHED = {"val_accuracy": ("long_accuracy_checkpoint", "max", max),
           "val_loss": ("long_loss_checkpoint", "min", min)}


def _long_history(long_history):
    assert long_history is not ... and long_history is not None, tr(
        "`long_history` is still `...`: set it to the History that model.fit returned.",
        "`long_history` 仍是 `...`：请把它设为 model.fit 返回的 History。",
    )
    assert isinstance(long_history, keras.callbacks.History), tr(
        f"`long_history` is a {type(long_history).__name__}; expected the History that model.fit returns.",
        f"`long_history` 是 {type(long_history).__name__}；应为 model.fit 返回的 History。",
    )
    return long_history


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Fit a fresh models.build_cnn_3x3() on x_fit, y_fit with validation_data=(x_val, y_val), "
               "epochs=config.epochs(20, fast=4) and batch_size=64; long_history is what fit returns.",
               "在 x_fit、y_fit 上训练一个新的 models.build_cnn_3x3()，参数为 validation_data=(x_val, y_val)、"
               "epochs=config.epochs(20, fast=4) 和 batch_size=64；long_history 是 fit 的返回值。",
           ))
def test_the_long_run(long_history, x_fit):
    _long_history(long_history)
    epochs = config.epochs(20, fast=4)
    assert len(long_history.epoch) == epochs, tr(
        f"`long_history` has {len(long_history.epoch)} epoch(s); expected config.epochs(20, fast=4) = {epochs}.",
        f"`long_history` 有 {len(long_history.epoch)} 轮；应为 config.epochs(20, fast=4) = {epochs}。",
    )
    missing = [key for key in WATCHED if key not in long_history.history]
    assert not missing, tr(
        f"`long_history` has no {', '.join(missing)}: pass validation_data=(x_val, y_val) to fit.",
        f"`long_history` 中没有 {', '.join(missing)}：请给 fit 传入 validation_data=(x_val, y_val)。",
    )
    assert x_fit is not None, tr(
        "`x_fit` is not defined: run the lesson's cells above the exercises first.",
        "`x_fit` 尚未定义：请先运行本课练习之前的单元格。",
    )
    steps = math.ceil(len(x_fit) / 64)
    assert long_history.params.get("steps") == steps, tr(
        f"`long_history` ran {long_history.params.get('steps')} steps per epoch; x_fit in batches of 64 gives "
        f"{steps}. Fit on x_fit, y_fit with batch_size=64.",
        f"`long_history` 每轮走了 {long_history.params.get('steps')} 步；x_fit 按每批 64 个应为 "
        f"{steps} 步。请以 batch_size=64 在 x_fit、y_fit 上训练。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Create two new keras.callbacks.ModelCheckpoint(path, monitor=..., mode=..., "
               "save_best_only=True), one on val_accuracy (mode='max'), one on val_loss (mode='min'), "
               "and pass both to this run's fit.",
               "新建两个 keras.callbacks.ModelCheckpoint(path, monitor=..., mode=..., "
               "save_best_only=True)，一个监视 val_accuracy（mode='max'），一个监视 val_loss（mode='min'），"
               "并把两者都传给这次运行的 fit。",
           ))
def test_the_two_checkpoints(long_accuracy_checkpoint, long_loss_checkpoint, long_history):
    found = {"long_accuracy_checkpoint": long_accuracy_checkpoint, "long_loss_checkpoint": long_loss_checkpoint}
    for variable, checkpoint in found.items():
        assert checkpoint is not ... and checkpoint is not None, tr(
            f"`{variable}` is still `...`: set it to the ModelCheckpoint you passed to fit.",
            f"`{variable}` 仍是 `...`：请把它设为你传给 fit 的 ModelCheckpoint。",
        )
        assert isinstance(checkpoint, keras.callbacks.ModelCheckpoint), tr(
            f"`{variable}` is a {type(checkpoint).__name__}; expected a keras.callbacks.ModelCheckpoint.",
            f"`{variable}` 是 {type(checkpoint).__name__}；应为 keras.callbacks.ModelCheckpoint。",
        )
    _long_history(long_history)
    for monitor, (variable, mode, better) in WATCHED.items():
        checkpoint = found[variable]
        assert checkpoint.monitor == monitor, tr(
            f"`{variable}` monitors {checkpoint.monitor!r}; expected monitor={monitor!r}.",
            f"`{variable}` 监视的是 {checkpoint.monitor!r}；应为 monitor={monitor!r}。",
        )
        assert checkpoint.save_best_only, tr(
            f"`{variable}` saves every epoch: pass save_best_only=True.",
            f"`{variable}` 每轮都保存：请传入 save_best_only=True。",
        )
        values = long_history.history[monitor]
        best = better(values)
        assert checkpoint.best is not None and np.isclose(checkpoint.best, best, rtol=1e-6, atol=1e-9), tr(
            f"`{variable}` remembers the best {monitor} {checkpoint.best}, but the best in `long_history` is "
            f"{best:.5f}: create new checkpoints for this run (the lesson's by_accuracy and by_loss remember "
            "their own run; a SafeModelCheckpoint remembers earlier runs in its .best.json file) and pass them "
            "to the fit that returned `long_history`.",
            f"`{variable}` 记住的最佳 {monitor} 是 {checkpoint.best}，但 `long_history` 中的最佳值是 "
            f"{best:.5f}：请为这次运行新建检查点（本课的 by_accuracy 和 by_loss 记住的是它们自己那次运行；"
            "SafeModelCheckpoint 会在其 .best.json 文件中记住以前的运行），并把它们传给"
            "返回 `long_history` 的那次 fit。",
        )
        assert Path(checkpoint.filepath).is_file(), tr(
            f"`{variable}` saves to {checkpoint.filepath}, which does not exist.",
            f"`{variable}` 保存到 {checkpoint.filepath}，但该文件不存在。",
        )
        wrong_way = tr("smaller", "小") if mode == "max" else tr("larger", "大")
        assert mode == keras_internals.monitor_direction(checkpoint), tr(
            f"`{variable}` treats a {wrong_way} {monitor} as better: pass mode={mode!r}.",
            f"`{variable}` 把更{wrong_way}的 {monitor} 当作更好：请传入 mode={mode!r}。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "The epoch a best-only checkpoint kept is where its metric is best in the history: "
               "np.argmax for val_accuracy, np.argmin for val_loss, plus 1 to count from 1.",
               "只保存最佳值的检查点所保留的轮次，就是历史记录中该指标最佳的那一轮："
               "val_accuracy 用 np.argmax，val_loss 用 np.argmin，再加 1 变为从 1 数起。",
           ))
def test_the_best_epochs(long_best_epochs, long_history):
    assert long_best_epochs is not ... and long_best_epochs is not None, tr(
        "`long_best_epochs` is still `...`: set it to {\"val_accuracy\": epoch, \"val_loss\": epoch}.",
        "`long_best_epochs` 仍是 `...`：请把它设为 {\"val_accuracy\": epoch, \"val_loss\": epoch}。",
    )
    assert isinstance(long_best_epochs, dict) and set(long_best_epochs) == set(WATCHED), tr(
        f"`long_best_epochs` is {long_best_epochs!r}; expected a dict with the keys 'val_accuracy' and 'val_loss'.",
        f"`long_best_epochs` 是 {long_best_epochs!r}；应为以 'val_accuracy' 和 'val_loss' 为键的字典。",
    )
    _long_history(long_history)
    for monitor, (_, mode, _) in WATCHED.items():
        epoch = long_best_epochs[monitor]
        values = long_history.history[monitor]
        expected = int(np.argmax(values) if mode == "max" else np.argmin(values)) + 1
        assert isinstance(epoch, numbers.Integral), tr(
            f"`long_best_epochs[{monitor!r}]` is a {type(epoch).__name__}; expected an int.",
            f"`long_best_epochs[{monitor!r}]` 是 {type(epoch).__name__}；应为 int。",
        )
        assert epoch != expected - 1, tr(
            f"`long_best_epochs[{monitor!r}]` is {epoch}, counted from 0: the checkpoint kept epoch {expected} "
            "counted from 1.",
            f"`long_best_epochs[{monitor!r}]` 是 {epoch}，是从 0 数起的：检查点保留的是从 1 数起的第 {expected} "
            "轮。",
        )
        assert epoch == expected, tr(
            f"`long_best_epochs[{monitor!r}]` is {epoch}; {monitor} is best in epoch {expected} (counted from 1): "
            f"{np.round(values, 4).tolist()}.",
            f"`long_best_epochs[{monitor!r}]` 是 {epoch}；{monitor} 在第 {expected} 轮（从 1 数起）最佳："
            f"{np.round(values, 4).tolist()}。",
        )
