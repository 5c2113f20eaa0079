"""Checks for exercise 13.3, Read the fault-tolerance run."""

from otter.test_files import test_case

OK_FORMAT = False

name = "ex13_3"


def _first(events, kind):
    return [event for event in events if event["event"] == kind]


@test_case(points=1, hidden=False,
           failure_message="Look for the 'epoch_end' events in killed_events: the last one is the last finished "
                           "epoch.")
def test_last_finished_epoch(last_finished_epoch, killed_events):
    assert last_finished_epoch is not ... and last_finished_epoch is not None, \
        "`last_finished_epoch` is still `...`: set it to an int."
    expected = max((event["epoch"] for event in _first(killed_events, "epoch_end")), default=0)
    assert last_finished_epoch == expected, \
        f"`last_finished_epoch` is {last_finished_epoch!r}; not what the events say."


@test_case(points=1, hidden=False,
           failure_message="In restart_events, the 'start' event has the restored step and the first 'epoch_begin' "
                           "the first epoch trained.")
def test_restart(first_epoch_after_restart, steps_restored, restart_events):
    assert first_epoch_after_restart is not ... and first_epoch_after_restart is not None, \
        "`first_epoch_after_restart` is still `...`: set it to an int."
    assert steps_restored is not ... and steps_restored is not None, "`steps_restored` is still `...`."
    assert first_epoch_after_restart == _first(restart_events, "epoch_begin")[0]["epoch"], \
        f"`first_epoch_after_restart` is {first_epoch_after_restart!r}; not what the events say."
    assert steps_restored == _first(restart_events, "start")[0]["step"], \
        f"`steps_restored` is {steps_restored!r}; not the step of the 'start' event."
