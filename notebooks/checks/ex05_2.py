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

OK_FORMAT = False

name = "ex05_2"

#: Two short "epochs" the check times with the student's callback: the second one is the slow one.
PAUSES = (0.001, 0.1)
REPORT = re.compile(r"slowest epoch:\s*(\d+)\s*\(\s*([0-9.]+)\s*s\s*\)")


def _timer_class(EpochTimer):  # capitalised like the answer's class
    assert EpochTimer is not ... and EpochTimer is not None, (
        "`EpochTimer` is still `...`: replace that line by your class EpochTimer(keras.callbacks.Callback)."
    )
    assert inspect.isclass(EpochTimer) and issubclass(EpochTimer, keras.callbacks.Callback), (
        f"`EpochTimer` is {EpochTimer!r}; expected a class derived from keras.callbacks.Callback."
    )
    return EpochTimer


@test_case(points=1, hidden=False,
           failure_message="on_train_begin sets self.seconds = []; on_epoch_begin keeps time.perf_counter(); "
                           "on_epoch_end appends time.perf_counter() minus that start; on_train_end prints "
                           "f'slowest epoch: {number} ({seconds:.2f} s)' with the epoch counted from 1.")
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
    assert isinstance(seconds, list | tuple | np.ndarray), (
        f"after two epochs, the timer's `seconds` is {seconds!r}; expected a list with one duration per epoch."
    )
    assert len(seconds) == 2, (
        f"after two epochs of {PAUSES[0]} s and {PAUSES[1]} s the timer holds {len(seconds)} durations: "
        f"{list(seconds)}; expected two. Start the list in on_train_begin, append in on_epoch_end."
    )
    timed = [round(float(s), 4) for s in seconds]
    assert 0 < seconds[0] < seconds[1] and 0.9 * PAUSES[1] <= seconds[1] < 60, (
        f"two epochs of about {PAUSES[0]} s and {PAUSES[1]} s were timed as {timed} s: store "
        "time.perf_counter() in on_epoch_begin, and in on_epoch_end append time.perf_counter() minus it."
    )
    match = REPORT.search(printed.getvalue())
    assert match, (
        f"on_train_end printed {printed.getvalue().strip()!r}; expected a line like 'slowest epoch: 2 (0.10 s)'."
    )
    assert int(match.group(1)) == 2, (
        f"on_train_end printed {match.group(0)!r} after a slow second epoch: expected 'slowest epoch: 2 (...)', "
        "the epoch counted from 1."
    )
    timer.on_train_begin({})
    assert len(timer.seconds) == 0, (
        "a second training with the same EpochTimer starts with the old durations: set self.seconds = [] in "
        "on_train_begin, not only in __init__."
    )


@test_case(points=1, hidden=False,
           failure_message="Create one EpochTimer(), pass it in the callbacks of a fresh model's fit with "
                           "epochs=config.epochs(5, fast=3), and keep it as epoch_timer; timed_history is what "
                           "that fit returns.")
def test_the_timed_run(epoch_timer, timed_history, EpochTimer):
    assert epoch_timer is not ... and epoch_timer is not None, (
        "`epoch_timer` is still `...`: set it to the EpochTimer() you passed to fit."
    )
    assert timed_history is not ... and timed_history is not None, (
        "`timed_history` is still `...`: set it to the History that fit returned."
    )
    timer_class = _timer_class(EpochTimer)
    assert isinstance(epoch_timer, timer_class), (
        f"`epoch_timer` is a {type(epoch_timer).__name__}; expected an instance of your EpochTimer "
        "(run the class cell again, then create the instance and train)."
    )
    assert isinstance(timed_history, keras.callbacks.History), (
        f"`timed_history` is a {type(timed_history).__name__}; expected the History that model.fit returns."
    )
    epochs = len(timed_history.epoch)
    assert epochs >= 2, f"`timed_history` has {epochs} epoch(s); train for config.epochs(5, fast=3)."
    seconds = list(getattr(epoch_timer, "seconds", []))
    assert len(seconds) == epochs, (
        f"`epoch_timer` holds {len(seconds)} durations for a run of {epochs} epochs: pass that timer to that fit."
    )
    assert all(isinstance(s, numbers.Real) and s > 0 for s in seconds), (
        f"`epoch_timer.seconds` is {seconds}; expected a positive number of seconds per epoch."
    )


@test_case(points=1, hidden=False,
           failure_message="The slowest epoch is int(np.argmax(epoch_timer.seconds)) + 1, counted from 1.")
def test_the_slowest_epoch(slowest_epoch, epoch_timer):
    assert slowest_epoch is not ... and slowest_epoch is not None, (
        "`slowest_epoch` is still `...`: set it to the slowest epoch of your run, counted from 1."
    )
    assert isinstance(slowest_epoch, numbers.Integral), (
        f"`slowest_epoch` is a {type(slowest_epoch).__name__}; expected an int."
    )
    seconds = list(getattr(epoch_timer, "seconds", None) or [])
    assert seconds, "`epoch_timer` has no durations: check `epoch_timer` first."
    expected = int(np.argmax(seconds)) + 1
    assert slowest_epoch != expected - 1, (
        f"`slowest_epoch` is {slowest_epoch}, counted from 0: the slowest is epoch {expected} counted from 1."
    )
    assert slowest_epoch == expected, (
        f"`slowest_epoch` is {slowest_epoch}; `epoch_timer.seconds` = {np.round(seconds, 3).tolist()} is largest "
        f"in epoch {expected} (counted from 1)."
    )
