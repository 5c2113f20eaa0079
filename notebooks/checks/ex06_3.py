"""Checks for exercise 06.3, A learning-rate schedule survives the restore."""

import math
import numbers

import keras
from otter.test_files import test_case

OK_FORMAT = False

name = "ex06_3"


def _set(value, variable, kind):
    assert value is not ... and value is not None, f"`{variable}` is still `...`: set it to {kind}."
    return value


def _steps(value, variable):
    _set(value, variable, "int(optimizer.iterations)")
    assert isinstance(value, numbers.Integral), (
        f"`{variable}` is a {type(value).__name__}; expected an int: int(optimizer.iterations)."
    )
    return int(value)


def _rate(value, variable):
    _set(value, variable, "float(optimizer.learning_rate)")
    assert isinstance(value, numbers.Real), (
        f"`{variable}` is a {type(value).__name__}; expected a float: float(optimizer.learning_rate)."
    )
    return float(value)


def _schedule(learning_rate_schedule):
    _set(learning_rate_schedule, "learning_rate_schedule",
         "keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5)")
    assert isinstance(learning_rate_schedule, keras.optimizers.schedules.LearningRateSchedule), (
        f"`learning_rate_schedule` is a {type(learning_rate_schedule).__name__}; expected "
        "keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.5)."
    )
    return lambda step: float(learning_rate_schedule(step))


def _same(a, b):
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-12)


@test_case(points=1, hidden=False,
           failure_message="Give Adam the schedule, keras.optimizers.Adam(learning_rate=learning_rate_schedule), "
                           "train 2 epochs, then read int(optimizer.iterations) and float(optimizer.learning_rate).")
def test_the_rate_at_the_interrupt(learning_rate_schedule, steps_at_interrupt, learning_rate_at_interrupt):
    rate_at = _schedule(learning_rate_schedule)
    steps = _steps(steps_at_interrupt, "steps_at_interrupt")
    rate = _rate(learning_rate_at_interrupt, "learning_rate_at_interrupt")
    assert steps > 0, "`steps_at_interrupt` is 0: train 2 epochs with the new optimizer before the interrupt."
    assert not _same(rate, rate_at(0)), (
        f"`learning_rate_at_interrupt` is {rate:.3g}, the schedule's starting value after {steps} steps: "
        "pass the schedule itself as Adam's learning_rate."
    )
    assert _same(rate, rate_at(steps)), (
        f"`learning_rate_at_interrupt` is {rate:.6g}; after {steps} steps the schedule gives {rate_at(steps):.6g}. "
        "Read both values from the same optimizer, after its 2 epochs."
    )


@test_case(points=1, hidden=False,
           failure_message="tf.train.Checkpoint(model=new_model, optimizer=new_optimizer).restore(manager."
                           "latest_checkpoint) after new_optimizer.build(new_model.trainable_variables); the "
                           "checkpoint you saved must name the optimizer too.")
def test_the_restore(steps_after_restore, learning_rate_after_restore, steps_at_interrupt,
                     learning_rate_at_interrupt, learning_rate_schedule):
    steps = _steps(steps_after_restore, "steps_after_restore")
    rate = _rate(learning_rate_after_restore, "learning_rate_after_restore")
    rate_at = _schedule(learning_rate_schedule)
    before = _steps(steps_at_interrupt, "steps_at_interrupt")
    rate_before = _rate(learning_rate_at_interrupt, "learning_rate_at_interrupt")
    assert steps != 0 or before == 0, (
        f"`steps_after_restore` is 0, not the {before} of the interrupted run: the restore did not reach the "
        "optimizer. Save and restore tf.train.Checkpoint(model=..., optimizer=...), and read the counter right "
        "after restore."
    )
    assert steps == before, (
        f"`steps_after_restore` is {steps}; the interrupted optimizer was at step {before}. Read it right after "
        "the restore, before training more."
    )
    assert _same(rate, rate_before), (
        f"`learning_rate_after_restore` is {rate:.6g}; the interrupted optimizer was at {rate_before:.6g}. "
        f"The schedule at step {steps} gives {rate_at(steps):.6g}: give the new Adam the same schedule."
    )


@test_case(points=1, hidden=False,
           failure_message="Train one more epoch with a step function for the restored model and optimizer, then "
                           "read int(optimizer.iterations) and float(optimizer.learning_rate) again.")
def test_the_rate_keeps_decaying(steps_after_more_training, learning_rate_after_more_training, steps_after_restore,
                                 learning_rate_after_restore, learning_rate_schedule):
    steps = _steps(steps_after_more_training, "steps_after_more_training")
    rate = _rate(learning_rate_after_more_training, "learning_rate_after_more_training")
    rate_at = _schedule(learning_rate_schedule)
    restored = _steps(steps_after_restore, "steps_after_restore")
    restored_rate = _rate(learning_rate_after_restore, "learning_rate_after_restore")
    assert steps > restored, (
        f"`steps_after_more_training` is {steps}, not more than the {restored} after the restore: train the "
        "restored optimizer for one more epoch (a step function built for the restored model and optimizer)."
    )
    assert _same(rate, rate_at(steps)), (
        f"`learning_rate_after_more_training` is {rate:.6g}; at step {steps} the schedule gives "
        f"{rate_at(steps):.6g}."
    )
    assert rate < restored_rate, (
        f"`learning_rate_after_more_training` ({rate:.6g}) is not below the rate after the restore "
        f"({restored_rate:.6g}): the schedule must keep decaying from where it was."
    )
