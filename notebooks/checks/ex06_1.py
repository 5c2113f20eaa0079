"""Checks for exercise 06.1, Killed before the first epoch was complete."""

import numbers

from otter.test_files import test_case

OK_FORMAT = False

name = "ex06_1"


def _events(events, variable):
    assert events is not ... and events is not None, (
        f"`{variable}` is still `...`: set it to the list of events, the first value run_training returns."
    )
    assert isinstance(events, list) and all(isinstance(event, dict) and "event" in event for event in events), (
        f"`{variable}` is a {type(events).__name__}; expected the list of event dictionaries that run_training "
        "returns first: events, code = run_training(...)."
    )
    assert events, f"`{variable}` is empty: the training process printed nothing. Run the cell again."
    return events


def _kinds(events):
    return [event["event"] for event in events]


@test_case(points=1, hidden=False,
           failure_message="Delete the backup first (shutil.rmtree(backup_dir, ignore_errors=True)), then "
                           "early_kill_events, _ = run_training(kill_in=1); list backup_dir right after it.")
def test_the_kill_in_the_first_epoch(early_kill_events, backup_after_early_kill):
    events = _events(early_kill_events, "early_kill_events")
    assert backup_after_early_kill is not ... and backup_after_early_kill is not None, (
        "`backup_after_early_kill` is still `...`: set it to sorted(path.name for path in backup_dir.iterdir()), "
        "or [] if backup_dir does not exist."
    )
    kinds = _kinds(events)
    assert "done" not in kinds, "`early_kill_events` ends with 'done': that run was not killed. Pass kill_in=1."
    completed = [event["epoch"] for event in events if event["event"] == "epoch_end"]
    assert not completed, (
        f"`early_kill_events` has completed epochs {completed}: the kill must come in epoch 1, before any "
        "epoch is complete (kill_in=1)."
    )
    assert kinds[-1] == "batch" and events[-1].get("epoch") == 1, (
        f"`early_kill_events` ends with {events[-1]}; expected the 'batch' event of epoch 1, after which "
        "run_training kills the process."
    )
    names = sorted(str(name) for name in backup_after_early_kill)
    assert "state.json" not in names, (
        f"`backup_after_early_kill` is {names}: a state.json from an earlier run is in the way. Delete backup_dir "
        "before the killed run."
    )


@test_case(points=1, hidden=False,
           failure_message="After the kill, call run_training() again without kill_in and keep the events it "
                           "returns: the whole training, from epoch 1 up to its 'done' event.")
def test_the_restart_trained_every_epoch(restart_events, resume_epochs):
    events = _events(restart_events, "restart_events")
    kinds = _kinds(events)
    assert kinds[0] == "start" and kinds[-1] == "done", (
        f"`restart_events` runs from {kinds[0]!r} to {kinds[-1]!r}; expected a complete run, from 'start' to "
        "'done': call run_training() without kill_in."
    )
    assert resume_epochs is not None, "`resume_epochs` is not defined: run the lesson's cells above first."
    trained = events[-1].get("epochs_run")
    expected = list(range(1, resume_epochs + 1))
    assert trained == expected, (
        f"the second run trained the epochs {trained}; after a kill before any complete epoch it must train all "
        f"of them, {expected}. Delete backup_dir before the killed run."
    )


@test_case(points=1, hidden=False,
           failure_message="Read them from restart_events: the 'epoch' of the first event whose 'event' is "
                           "'epoch_begin', and the 'iterations' of the 'start' event.")
def test_where_the_restart_began(restart_first_epoch, restart_start_iterations, restart_events):
    for variable, value in (("restart_first_epoch", restart_first_epoch),
                            ("restart_start_iterations", restart_start_iterations)):
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it to an int."
        assert isinstance(value, numbers.Integral), f"`{variable}` is a {type(value).__name__}; expected an int."
    events = _events(restart_events, "restart_events")
    first_epoch = next((event["epoch"] for event in events if event["event"] == "epoch_begin"), None)
    start_iterations = next((event["iterations"] for event in events if event["event"] == "start"), None)
    assert restart_first_epoch == first_epoch, (
        f"`restart_first_epoch` is {restart_first_epoch}; the first 'epoch_begin' event of `restart_events` "
        f"says epoch {first_epoch}."
    )
    assert restart_start_iterations == start_iterations, (
        f"`restart_start_iterations` is {restart_start_iterations}; the 'start' event of `restart_events` says "
        f"iterations {start_iterations}."
    )
    assert (first_epoch, start_iterations) == (1, 0), (
        f"the second run began with epoch {first_epoch} at optimizer step {start_iterations}; with no completed "
        "epoch to restore it must start from scratch (epoch 1, step 0). Delete backup_dir before the killed run."
    )
