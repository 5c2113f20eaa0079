"""Checks for the capstone's exercise 4, Resume after the crash.

The evidence: the epochs the resumed fit ran (its History), the optimizer's step counter of the
resumed model (it continues only if the optimizer state came back from the backup), the state the
backup callback restored, and the backup folder, which a completed run deletes.
"""

from pathlib import Path

from otter.test_files import test_case

OK_FORMAT = False

name = "capstone_4"


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it as the question says."


def counted_from_one(epochs):
    return [epoch + 1 for epoch in epochs]


@test_case(points=1, hidden=False,
           failure_message="Call fit with the same epochs=total_epochs and the same backup callback: the backup makes "
                           "fit start with the first epoch that was not completed (notebook 06).")
def test_training_continued_with_the_next_epoch(resumed_history, total_epochs, epochs_before_interruption):
    import keras

    require(resumed_history=resumed_history, total_epochs=total_epochs,
            epochs_before_interruption=epochs_before_interruption)
    assert isinstance(resumed_history, keras.callbacks.History), (
        f"`resumed_history` is a {type(resumed_history).__name__}, expected the History that fit returns")
    total, before = int(total_epochs), int(epochs_before_interruption)
    ran = list(resumed_history.epoch)
    expected = list(range(before, total))
    if ran and ran[0] == 0:
        raise AssertionError(
            f"the resumed run trained epochs {counted_from_one(ran)}: it started from epoch 1 again, so no backup was "
            "restored. Was the backup callback passed to this fit, and did exercise 3's backup still exist? (Run the "
            "notebook from the top: a completed run deletes its backup.)")
    assert ran == expected, (
        f"the resumed run trained epochs {counted_from_one(ran)} (counted from 1); expected "
        f"{counted_from_one(expected)}: the epochs after the {before} completed before the crash, up to "
        f"total_epochs={total}")
    assert resumed_history.params.get("epochs") == total, (
        f"the resumed fit was called with epochs={resumed_history.params.get('epochs')}, expected "
        f"epochs=total_epochs={total}: epochs is the number of the last epoch, not how many more to run")


@test_case(points=1, hidden=False,
           failure_message="resumed_model = build_model(), a new model, then fit with the backup callback: it restores "
                           "the weights and the optimizer state into it.")
def test_the_optimizer_state_came_back(resumed_model, resumed_history, model, total_epochs,
                                       epochs_before_interruption):
    import keras

    require(resumed_model=resumed_model, resumed_history=resumed_history, total_epochs=total_epochs,
            epochs_before_interruption=epochs_before_interruption)
    assert isinstance(resumed_model, keras.Model), (
        f"`resumed_model` is a {type(resumed_model).__name__}, expected the model build_model() returns")
    assert resumed_model is not model, (
        "`resumed_model` is the same object as `model`, the model of the crashed run, which a real crash takes away "
        "with the process: leave `model` as exercise 3 left it, and set resumed_model = build_model()")
    assert isinstance(resumed_history, keras.callbacks.History) and resumed_history.params.get("steps"), (
        "`resumed_history` is not the History of a fit (it has no steps per epoch)")
    steps = int(resumed_history.params["steps"])
    total, before = int(total_epochs), int(epochs_before_interruption)
    iterations = int(resumed_model.optimizer.iterations)
    uninterrupted = total * steps
    fresh = (total - before) * steps
    hint = ""
    if abs(iterations - fresh) <= steps // 2:
        hint = (" That is what the resumed epochs alone make: the optimizer started from step 0, so its state did "
                "not come from the backup.")
    # Within half an epoch: with mixed_float16, loss scaling skips the odd step and does not count it.
    assert abs(iterations - uninterrupted) <= steps // 2, (
        f"`resumed_model`'s optimizer is at step {iterations:,}; an uninterrupted run of {total} epochs x {steps} "
        f"steps makes {uninterrupted:,} (with exercise 3's batch_size).{hint}")


@test_case(points=1, hidden=False,
           failure_message="Pass the same `backup` callback (same backup_dir) to the resumed fit and let it finish: it "
                           "restores the backup at the start and deletes it at the end.")
def test_the_backup_was_restored_then_removed(backup, backup_dir, epochs_before_interruption):
    from course_utils import callbacks

    require(backup=backup, backup_dir=backup_dir, epochs_before_interruption=epochs_before_interruption)
    before = int(epochs_before_interruption)
    if isinstance(backup, callbacks.SafeBackupAndRestore):
        restored = backup.restored_state
        assert restored is not None, (
            "`backup` found no backup when the resumed fit started (restored_state is None): the resumed run "
            "started from scratch")
        assert int(restored["epoch"]) == before, (
            f"`backup` restored a state with {restored['epoch']} completed epoch(s), expected {before}")
    assert not Path(backup_dir).exists(), (
        f"{backup_dir} still exists: a fit that completes with the backup callback deletes its backup. Did the "
        "resumed fit use `backup` and run to the end?")
