"""Checks for exercise 13.3, Read the fault-tolerance run."""

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex13_3"


def _first(events, kind):
    return [event for event in events if event["event"] == kind]


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Look for the 'epoch_end' events in killed_events: the last one is the last finished "
               "epoch.",
               "在 killed_events 中找 'epoch_end' 事件：最后一个就是最后完成的"
               "一轮。",
           ))
def test_last_finished_epoch(last_finished_epoch, killed_events):
    assert last_finished_epoch is not ... and last_finished_epoch is not None, tr(
        "`last_finished_epoch` is still `...`: set it to an int.",
        "`last_finished_epoch` 仍是 `...`：请把它设为一个 int。",
    )
    expected = max((event["epoch"] for event in _first(killed_events, "epoch_end")), default=0)
    assert last_finished_epoch == expected, tr(
        f"`last_finished_epoch` is {last_finished_epoch!r}; not what the events say.",
        f"`last_finished_epoch` 是 {last_finished_epoch!r}；与事件记录不符。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "In restart_events, the 'start' event has the restored step and the first 'epoch_begin' "
               "the first epoch trained.",
               "在 restart_events 中，'start' 事件给出恢复的步数，第一个 'epoch_begin' "
               "给出训练的第一轮。",
           ))
def test_restart(first_epoch_after_restart, steps_restored, restart_events):
    assert first_epoch_after_restart is not ... and first_epoch_after_restart is not None, tr(
        "`first_epoch_after_restart` is still `...`: set it to an int.",
        "`first_epoch_after_restart` 仍是 `...`：请把它设为一个 int。",
    )
    assert steps_restored is not ... and steps_restored is not None, tr(
        "`steps_restored` is still `...`.",
        "`steps_restored` 仍是 `...`。",
    )
    assert first_epoch_after_restart == _first(restart_events, "epoch_begin")[0]["epoch"], tr(
        f"`first_epoch_after_restart` is {first_epoch_after_restart!r}; not what the events say.",
        f"`first_epoch_after_restart` 是 {first_epoch_after_restart!r}；与事件记录不符。",
    )
    assert steps_restored == _first(restart_events, "start")[0]["step"], tr(
        f"`steps_restored` is {steps_restored!r}; not the step of the 'start' event.",
        f"`steps_restored` 是 {steps_restored!r}；不是 'start' 事件中的步数。",
    )
