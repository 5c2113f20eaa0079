"""Checks for exercise 06.3, A learning-rate schedule survives the restore."""

import math
import numbers

import keras
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex06_3"


def _set(value, variable, kind):
    assert value is not ... and value is not None, tr(
        f"`{variable}` is still `...`: set it to {kind}.",
        f"`{variable}` 仍是 `...`：请把它设为 {kind}。",
    )
    return value


def _steps(value, variable):
    _set(value, variable, "int(optimizer.iterations)")
    assert isinstance(value, numbers.Integral), tr(
        f"`{variable}` is a {type(value).__name__}; expected an int: int(optimizer.iterations).",
        f"`{variable}` 是 {type(value).__name__}；应为 int：int(optimizer.iterations)。",
    )
    return int(value)


def _rate(value, variable):
    _set(value, variable, "float(optimizer.learning_rate)")
    assert isinstance(value, numbers.Real), tr(
        f"`{variable}` is a {type(value).__name__}; expected a float: float(optimizer.learning_rate).",
        f"`{variable}` 是 {type(value).__name__}；应为 float：float(optimizer.learning_rate)。",
    )
    return float(value)


def _schedule(learning_rate_schedule):
    _set(learning_rate_schedule, "learning_rate_schedule",
         "keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5)")
    assert isinstance(learning_rate_schedule, keras.optimizers.schedules.LearningRateSchedule), tr(
        f"`learning_rate_schedule` is a {type(learning_rate_schedule).__name__}; expected "
        "keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5).",
        f"`learning_rate_schedule` 是 {type(learning_rate_schedule).__name__}；应为 "
        "keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5)。",
    )
    return lambda step: float(learning_rate_schedule(step))


def _same(a, b):
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-12)


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Give Adam the schedule, keras.optimizers.Adam(learning_rate=learning_rate_schedule), "
               "train 2 epochs, then read int(optimizer.iterations) and float(optimizer.learning_rate).",
               "把调度交给 Adam：keras.optimizers.Adam(learning_rate=learning_rate_schedule)，"
               "训练 2 轮，然后读取 int(optimizer.iterations) 和 float(optimizer.learning_rate)。",
           ))
def test_the_rate_at_the_interrupt(learning_rate_schedule, steps_at_interrupt, learning_rate_at_interrupt):
    rate_at = _schedule(learning_rate_schedule)
    steps = _steps(steps_at_interrupt, "steps_at_interrupt")
    rate = _rate(learning_rate_at_interrupt, "learning_rate_at_interrupt")
    assert steps > 0, tr(
        "`steps_at_interrupt` is 0: train 2 epochs with the new optimizer before the interrupt.",
        "`steps_at_interrupt` 是 0：中断之前请用新的优化器训练 2 轮。",
    )
    assert not _same(rate, rate_at(0)), tr(
        f"`learning_rate_at_interrupt` is {rate:.3g}, the schedule's starting value after {steps} steps: "
        "pass the schedule itself as Adam's learning_rate.",
        f"`learning_rate_at_interrupt` 是 {rate:.3g}，即走了 {steps} 步之后仍是调度的初始值："
        "请把调度本身作为 Adam 的 learning_rate 传入。",
    )
    assert _same(rate, rate_at(steps)), tr(
        f"`learning_rate_at_interrupt` is {rate:.6g}; after {steps} steps the schedule gives {rate_at(steps):.6g}. "
        "Read both values from the same optimizer, after its 2 epochs.",
        f"`learning_rate_at_interrupt` 是 {rate:.6g}；走了 {steps} 步之后，调度给出 {rate_at(steps):.6g}。"
        "请在同一个优化器训练 2 轮之后读取这两个值。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "tf.train.Checkpoint(model=new_model, optimizer=new_optimizer).restore(manager."
               "latest_checkpoint) after new_optimizer.build(new_model.trainable_variables); the "
               "checkpoint you saved must name the optimizer too.",
               "在 new_optimizer.build(new_model.trainable_variables) 之后执行 "
               "tf.train.Checkpoint(model=new_model, optimizer=new_optimizer).restore(manager."
               "latest_checkpoint)；你保存的检查点也必须包含优化器。",
           ))
def test_the_restore(steps_after_restore, learning_rate_after_restore, steps_at_interrupt,
                     learning_rate_at_interrupt, learning_rate_schedule):
    steps = _steps(steps_after_restore, "steps_after_restore")
    rate = _rate(learning_rate_after_restore, "learning_rate_after_restore")
    rate_at = _schedule(learning_rate_schedule)
    before = _steps(steps_at_interrupt, "steps_at_interrupt")
    rate_before = _rate(learning_rate_at_interrupt, "learning_rate_at_interrupt")
    assert steps != 0 or before == 0, tr(
        f"`steps_after_restore` is 0, not the {before} of the interrupted run: the restore did not reach the "
        "optimizer. Save and restore tf.train.Checkpoint(model=..., optimizer=...), and read the counter right "
        "after restore.",
        f"`steps_after_restore` 是 0，而不是被中断的运行的 {before}：恢复没有作用到"
        "优化器。请保存并恢复 tf.train.Checkpoint(model=..., optimizer=...)，并在恢复之后"
        "立即读取计数器。",
    )
    assert steps == before, tr(
        f"`steps_after_restore` is {steps}; the interrupted optimizer was at step {before}. Read it right after "
        "the restore, before training more.",
        f"`steps_after_restore` 是 {steps}；被中断的优化器在第 {before} 步。请在恢复之后、继续训练之前"
        "立即读取。",
    )
    assert _same(rate, rate_before), tr(
        f"`learning_rate_after_restore` is {rate:.6g}; the interrupted optimizer was at {rate_before:.6g}. "
        f"The schedule at step {steps} gives {rate_at(steps):.6g}: give the new Adam the same schedule.",
        f"`learning_rate_after_restore` 是 {rate:.6g}；被中断的优化器处于 {rate_before:.6g}。"
        f"第 {steps} 步时调度给出 {rate_at(steps):.6g}：请给新的 Adam 相同的调度。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Train one more epoch with a step function for the restored model and optimizer, then "
               "read int(optimizer.iterations) and float(optimizer.learning_rate) again.",
               "用为恢复后的模型和优化器构建的单步训练函数再训练一轮，然后"
               "再次读取 int(optimizer.iterations) 和 float(optimizer.learning_rate)。",
           ))
def test_the_rate_keeps_decaying(steps_after_more_training, learning_rate_after_more_training, steps_after_restore,
                                 learning_rate_after_restore, learning_rate_schedule):
    steps = _steps(steps_after_more_training, "steps_after_more_training")
    rate = _rate(learning_rate_after_more_training, "learning_rate_after_more_training")
    rate_at = _schedule(learning_rate_schedule)
    restored = _steps(steps_after_restore, "steps_after_restore")
    restored_rate = _rate(learning_rate_after_restore, "learning_rate_after_restore")
    assert steps > restored, tr(
        f"`steps_after_more_training` is {steps}, not more than the {restored} after the restore: train the "
        "restored optimizer for one more epoch (a step function built for the restored model and optimizer).",
        f"`steps_after_more_training` 是 {steps}，并不多于恢复后的 {restored}：请把恢复后的"
        "优化器再训练一轮（用为恢复后的模型和优化器构建的单步训练函数）。",
    )
    assert _same(rate, rate_at(steps)), tr(
        f"`learning_rate_after_more_training` is {rate:.6g}; at step {steps} the schedule gives "
        f"{rate_at(steps):.6g}.",
        f"`learning_rate_after_more_training` 是 {rate:.6g}；第 {steps} 步时调度给出 "
        f"{rate_at(steps):.6g}。",
    )
    assert rate < restored_rate, tr(
        f"`learning_rate_after_more_training` ({rate:.6g}) is not below the rate after the restore "
        f"({restored_rate:.6g}): the schedule must keep decaying from where it was.",
        f"`learning_rate_after_more_training`（{rate:.6g}）不低于恢复后的学习率"
        f"（{restored_rate:.6g}）：调度必须从原来的位置继续衰减。",
    )
