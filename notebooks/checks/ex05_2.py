"""Checks for exercise 05.2, A callback that times the epochs."""

import contextlib
import inspect
import io
import numbers
import re
import time

import keras
import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex05_2"

#: Two short "epochs" the check times with the student's callback: the second one is the slow one.
PAUSES = (0.001, 0.1)
REPORT = re.compile(r"slowest epoch:\s*(\d+)\s*\(\s*([0-9.]+)\s*s\s*\)")


def _timer_class(EpochTimer):  # capitalised like the answer's class
    assert EpochTimer is not ... and EpochTimer is not None, tr(
        "`EpochTimer` is still `...`: replace that line by your class EpochTimer(keras.callbacks.Callback).",
        "`EpochTimer` 仍是 `...`：请把那一行换成你的类 EpochTimer(keras.callbacks.Callback)。",
    )
    assert inspect.isclass(EpochTimer) and issubclass(EpochTimer, keras.callbacks.Callback), tr(
        f"`EpochTimer` is {EpochTimer!r}; expected a class derived from keras.callbacks.Callback.",
        f"`EpochTimer` 是 {EpochTimer!r}；应为继承自 keras.callbacks.Callback 的类。",
    )
    return EpochTimer


@test_case(points=1, hidden=False,
           failure_message=tr(
               "on_train_begin sets self.seconds = []; on_epoch_begin keeps time.perf_counter(); "
               "on_epoch_end appends time.perf_counter() minus that start; on_train_end prints "
               "f'slowest epoch: {number} ({seconds:.2f} s)' with the epoch counted from 1.",
               "on_train_begin 设置 self.seconds = []；on_epoch_begin 记下 time.perf_counter()；"
               "on_epoch_end 追加 time.perf_counter() 减去该起点的值；on_train_end 打印 "
               "f'slowest epoch: {number} ({seconds:.2f} s)'，轮次从 1 数起。",
           ))
def test_the_callback_on_two_short_epochs(EpochTimer):
    timer = _timer_class(EpochTimer)()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        timer.on_train_begin({})
        for epoch, pause in enumerate(PAUSES):  # the second epoch is the slow one
            timer.on_epoch_begin(epoch, {})
            time.sleep(pause)
            timer.on_epoch_end(epoch, {})
        timer.on_train_end({})
    seconds = getattr(timer, "seconds", None)
    assert isinstance(seconds, list | tuple | np.ndarray), tr(
        f"after two epochs, the timer's `seconds` is {seconds!r}; expected a list with one duration per epoch.",
        f"两轮之后，计时器的 `seconds` 是 {seconds!r}；应为每轮一个时长的列表。",
    )
    assert len(seconds) == 2, tr(
        f"after two epochs of {PAUSES[0]} s and {PAUSES[1]} s the timer holds {len(seconds)} durations: "
        f"{list(seconds)}; expected two. Start the list in on_train_begin, append in on_epoch_end.",
        f"经过 {PAUSES[0]} 秒和 {PAUSES[1]} 秒的两轮后，计时器存有 {len(seconds)} 个时长："
        f"{list(seconds)}；应为两个。请在 on_train_begin 中创建列表，在 on_epoch_end 中追加。",
    )
    timed = [round(float(s), 4) for s in seconds]
    assert 0 < seconds[0] < seconds[1] and 0.9 * PAUSES[1] <= seconds[1] < 60, tr(
        f"two epochs of about {PAUSES[0]} s and {PAUSES[1]} s were timed as {timed} s: store "
        "time.perf_counter() in on_epoch_begin, and in on_epoch_end append time.perf_counter() minus it.",
        f"约 {PAUSES[0]} 秒和 {PAUSES[1]} 秒的两轮被计时为 {timed} 秒：请在 on_epoch_begin 中保存 "
        "time.perf_counter()，并在 on_epoch_end 中追加 time.perf_counter() 减去它的值。",
    )
    match = REPORT.search(printed.getvalue())
    assert match, tr(
        f"on_train_end printed {printed.getvalue().strip()!r}; expected a line like 'slowest epoch: 2 (0.10 s)'.",
        f"on_train_end 打印了 {printed.getvalue().strip()!r}；应为类似 'slowest epoch: 2 (0.10 s)' 的一行。",
    )
    assert int(match.group(1)) == 2, tr(
        f"on_train_end printed {match.group(0)!r} after a slow second epoch: expected 'slowest epoch: 2 (...)', "
        "the epoch counted from 1.",
        f"第二轮较慢时，on_train_end 打印了 {match.group(0)!r}：应为 'slowest epoch: 2 (...)'，"
        "轮次从 1 数起。",
    )
    timer.on_train_begin({})
    assert len(timer.seconds) == 0, tr(
        "a second training with the same EpochTimer starts with the old durations: set self.seconds = [] in "
        "on_train_begin, not only in __init__.",
        "同一个 EpochTimer 第二次训练时带着旧的时长开始：请在 on_train_begin 中设置 self.seconds = []，"
        "而不只是在 __init__ 中。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Create one EpochTimer(), pass it in the callbacks of a fresh model's fit with "
               "epochs=config.epochs(5, fast=3), and keep it as epoch_timer; timed_history is what "
               "that fit returns.",
               "创建一个 EpochTimer()，把它放进一个新模型的 fit 的 callbacks 中，参数 "
               "epochs=config.epochs(5, fast=3)，并保存为 epoch_timer；timed_history 是"
               "那次 fit 的返回值。",
           ))
def test_the_timed_run(epoch_timer, timed_history, EpochTimer):
    assert epoch_timer is not ... and epoch_timer is not None, tr(
        "`epoch_timer` is still `...`: set it to the EpochTimer() you passed to fit.",
        "`epoch_timer` 仍是 `...`：请把它设为你传给 fit 的 EpochTimer()。",
    )
    assert timed_history is not ... and timed_history is not None, tr(
        "`timed_history` is still `...`: set it to the History that fit returned.",
        "`timed_history` 仍是 `...`：请把它设为 fit 返回的 History。",
    )
    timer_class = _timer_class(EpochTimer)
    assert isinstance(epoch_timer, timer_class), tr(
        f"`epoch_timer` is a {type(epoch_timer).__name__}; expected an instance of your EpochTimer "
        "(run the class cell again, then create the instance and train).",
        f"`epoch_timer` 是 {type(epoch_timer).__name__}；应为你的 EpochTimer 的实例"
        "（请重新运行定义类的单元格，然后创建实例并训练）。",
    )
    assert isinstance(timed_history, keras.callbacks.History), tr(
        f"`timed_history` is a {type(timed_history).__name__}; expected the History that model.fit returns.",
        f"`timed_history` 是 {type(timed_history).__name__}；应为 model.fit 返回的 History。",
    )
    epochs = len(timed_history.epoch)
    assert epochs >= 2, tr(
        f"`timed_history` has {epochs} epoch(s); train for config.epochs(5, fast=3).",
        f"`timed_history` 有 {epochs} 轮；请训练 config.epochs(5, fast=3) 轮。",
    )
    seconds = list(getattr(epoch_timer, "seconds", []))
    assert len(seconds) == epochs, tr(
        f"`epoch_timer` holds {len(seconds)} durations for a run of {epochs} epochs: pass that timer to that fit.",
        f"`epoch_timer` 存有 {len(seconds)} 个时长，而这次运行有 {epochs} 轮：请把这个计时器传给这次 fit。",
    )
    assert all(isinstance(s, numbers.Real) and s > 0 for s in seconds), tr(
        f"`epoch_timer.seconds` is {seconds}; expected a positive number of seconds per epoch.",
        f"`epoch_timer.seconds` 是 {seconds}；应为每轮一个正的秒数。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "The slowest epoch is int(np.argmax(epoch_timer.seconds)) + 1, counted from 1.",
               "最慢的一轮是 int(np.argmax(epoch_timer.seconds)) + 1，从 1 数起。",
           ))
def test_the_slowest_epoch(slowest_epoch, epoch_timer):
    assert slowest_epoch is not ... and slowest_epoch is not None, tr(
        "`slowest_epoch` is still `...`: set it to the slowest epoch of your run, counted from 1.",
        "`slowest_epoch` 仍是 `...`：请把它设为你这次运行中最慢的一轮，从 1 数起。",
    )
    assert isinstance(slowest_epoch, numbers.Integral), tr(
        f"`slowest_epoch` is a {type(slowest_epoch).__name__}; expected an int.",
        f"`slowest_epoch` 是 {type(slowest_epoch).__name__}；应为 int。",
    )
    seconds = list(getattr(epoch_timer, "seconds", None) or [])
    assert seconds, tr(
        "`epoch_timer` has no durations: check `epoch_timer` first.",
        "`epoch_timer` 中没有时长：请先检查 `epoch_timer`。",
    )
    expected = int(np.argmax(seconds)) + 1
    assert slowest_epoch != expected - 1, tr(
        f"`slowest_epoch` is {slowest_epoch}, counted from 0: the slowest is epoch {expected} counted from 1.",
        f"`slowest_epoch` 是 {slowest_epoch}，是从 0 数起的：从 1 数起最慢的是第 {expected} 轮。",
    )
    assert slowest_epoch == expected, tr(
        f"`slowest_epoch` is {slowest_epoch}; `epoch_timer.seconds` = {np.round(seconds, 3).tolist()} is largest "
        f"in epoch {expected} (counted from 1).",
        f"`slowest_epoch` 是 {slowest_epoch}；`epoch_timer.seconds` = {np.round(seconds, 3).tolist()} 在第 "
        f"{expected} 轮（从 1 数起）最大。",
    )
