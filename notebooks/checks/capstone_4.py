"""Checks for the capstone's exercise 4, Resume after the crash.

The evidence: the epochs the resumed fit ran (its History), the optimizer's step counter of the
resumed model (it continues only if the optimizer state came back from the backup), the state the
backup callback restored, and the backup folder, which a completed run deletes.
"""

from pathlib import Path

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "capstone_4"


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it as the question says.",
            f"`{variable}` 仍是 `...`：请按题目要求设置它。",
        )


def counted_from_one(epochs):
    return [epoch + 1 for epoch in epochs]


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Call fit with the same epochs=total_epochs and the same backup callback: the backup makes "
               "fit start with the first epoch that was not completed (notebook 06).",
               "用同样的 epochs=total_epochs 和同一个备份回调调用 fit：备份会让 "
               "fit 从第一个未完成的轮次开始（笔记本 06）。",
           ))
def test_training_continued_with_the_next_epoch(resumed_history, total_epochs, epochs_before_interruption):
    import keras

    require(resumed_history=resumed_history, total_epochs=total_epochs,
            epochs_before_interruption=epochs_before_interruption)
    assert isinstance(resumed_history, keras.callbacks.History), tr(
        f"`resumed_history` is a {type(resumed_history).__name__}, expected the History that fit returns",
        f"`resumed_history` 是 {type(resumed_history).__name__}，应为 fit 返回的 History",
    )
    total, before = int(total_epochs), int(epochs_before_interruption)
    ran = list(resumed_history.epoch)
    expected = list(range(before, total))
    if ran and ran[0] == 0:
        raise AssertionError(
            tr(
                f"the resumed run trained epochs {counted_from_one(ran)}: it started from epoch 1 again, so no "
                "backup was "
                "restored. Was the backup callback passed to this fit, and did exercise 3's backup still exist? (Run "
                "the "
                "notebook from the top: a completed run deletes its backup.)",
                f"续训的运行训练了第 {counted_from_one(ran)} 轮：它又从第 1 轮开始了，所以没有恢复任何"
                "备份。备份回调传给这次 fit 了吗？练习 3 的备份还在吗？（请从头运行"
                "笔记本：完成的运行会删除它的备份。）",
            ))
    assert ran == expected, tr(
        f"the resumed run trained epochs {counted_from_one(ran)} (counted from 1); expected "
        f"{counted_from_one(expected)}: the epochs after the {before} completed before the crash, up to "
        f"total_epochs={total}",
        f"续训的运行训练了第 {counted_from_one(ran)} 轮（从 1 数起）；应为 "
        f"{counted_from_one(expected)}：即崩溃前完成的 {before} 轮之后的各轮，直到 "
        f"total_epochs={total}",
    )
    assert resumed_history.params.get("epochs") == total, tr(
        f"the resumed fit was called with epochs={resumed_history.params.get('epochs')}, expected "
        f"epochs=total_epochs={total}: epochs is the number of the last epoch, not how many more to run",
        f"续训的 fit 调用时用的是 epochs={resumed_history.params.get('epochs')}，应为 "
        f"epochs=total_epochs={total}：epochs 是最后一轮的编号，而不是还要再训练多少轮",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "resumed_model = build_model(), a new model, then fit with the backup callback: it restores "
               "the weights and the optimizer state into it.",
               "resumed_model = build_model()，一个新模型，然后用备份回调 fit：它会把"
               "权重和优化器状态恢复到这个模型中。",
           ))
def test_the_optimizer_state_came_back(resumed_model, resumed_history, model, total_epochs,
                                       epochs_before_interruption):
    import keras

    require(resumed_model=resumed_model, resumed_history=resumed_history, total_epochs=total_epochs,
            epochs_before_interruption=epochs_before_interruption)
    assert isinstance(resumed_model, keras.Model), tr(
        f"`resumed_model` is a {type(resumed_model).__name__}, expected the model build_model() returns",
        f"`resumed_model` 是 {type(resumed_model).__name__}，应为 build_model() 返回的模型",
    )
    assert resumed_model is not model, tr(
        "`resumed_model` is the same object as `model`, the model of the crashed run, which a real crash takes away "
        "with the process: leave `model` as exercise 3 left it, and set resumed_model = build_model()",
        "`resumed_model` 与 `model` 是同一个对象，即崩溃的那次运行的模型，而真正的崩溃会随进程"
        "一起带走它：请让 `model` 保持练习 3 结束时的样子，并设置 resumed_model = build_model()",
    )
    assert isinstance(resumed_history, keras.callbacks.History) and resumed_history.params.get("steps"), tr(
        "`resumed_history` is not the History of a fit (it has no steps per epoch)",
        "`resumed_history` 不是某次 fit 的 History（它没有每轮步数）",
    )
    steps = int(resumed_history.params["steps"])
    total, before = int(total_epochs), int(epochs_before_interruption)
    iterations = int(resumed_model.optimizer.iterations)
    uninterrupted = total * steps
    fresh = (total - before) * steps
    hint = ""
    if abs(iterations - fresh) <= steps // 2:
        hint = tr(" That is what the resumed epochs alone make: the optimizer started from step 0, so its state did "
                  "not come from the backup.",
                  "这正是续训的那几轮单独走的步数：优化器是从第 0 步开始的，所以它的状态"
                  "不是从备份恢复的。")
    # Within half an epoch: with mixed_float16, loss scaling skips the odd step and does not count it.
    assert abs(iterations - uninterrupted) <= steps // 2, tr(
        f"`resumed_model`'s optimizer is at step {iterations:,}; an uninterrupted run of {total} epochs x {steps} "
        f"steps makes {uninterrupted:,} (with exercise 3's batch_size).{hint}",
        f"`resumed_model` 的优化器处于第 {iterations:,} 步；不中断地运行 {total} 轮 x {steps} "
        f"步共 {uninterrupted:,} 步（使用练习 3 的 batch_size）。{hint}",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Pass the same `backup` callback (same backup_dir) to the resumed fit and let it finish: it "
               "restores the backup at the start and deletes it at the end.",
               "把同一个 `backup` 回调（同一个 backup_dir）传给续训的 fit，并让它运行完：它"
               "在开始时恢复备份，在结束时删除备份。",
           ))
def test_the_backup_was_restored_then_removed(backup, backup_dir, epochs_before_interruption):
    from course_utils import callbacks

    require(backup=backup, backup_dir=backup_dir, epochs_before_interruption=epochs_before_interruption)
    before = int(epochs_before_interruption)
    if isinstance(backup, callbacks.SafeBackupAndRestore):
        restored = backup.restored_state
        assert restored is not None, tr(
            "`backup` found no backup when the resumed fit started (restored_state is None): the resumed run "
            "started from scratch",
            "续训的 fit 开始时 `backup` 没有找到备份（restored_state 是 None）：续训的运行"
            "是从头开始的",
        )
        assert int(restored["epoch"]) == before, tr(
            f"`backup` restored a state with {restored['epoch']} completed epoch(s), expected {before}",
            f"`backup` 恢复的状态有 {restored['epoch']} 个已完成的轮次，应为 {before}",
        )
    assert not Path(backup_dir).exists(), tr(
        f"{backup_dir} still exists: a fit that completes with the backup callback deletes its backup. Did the "
        "resumed fit use `backup` and run to the end?",
        f"{backup_dir} 仍然存在：带备份回调且运行完成的 fit 会删除它的备份。续训的"
        "fit 用了 `backup` 并运行到结束了吗？",
    )
