"""Checks for the capstone's exercise 3, Train with a checkpoint and a backup, and crash.

What the interrupted run left on disk is the evidence: the backup folder (which a run that
completes deletes) with its record of completed epochs, and the checkpoint file, loaded here.
"""

import json
import os
from pathlib import Path

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "capstone_3"


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it as the question says.",
            f"`{variable}` 仍是 `...`：请按题目要求设置它。",
        )


def path_in_run_dir(variable, value, run_dir, suffix=None):
    """``value`` as a Path, after checking its type, its ending and that it lies inside ``run_dir``."""
    assert isinstance(value, str | os.PathLike), tr(
        f"`{variable}` is a {type(value).__name__}, expected a path (run_dir / ...)",
        f"`{variable}` 是 {type(value).__name__}，应为路径（run_dir / ...）",
    )
    path = Path(value)
    if suffix is not None:
        assert path.name.endswith(suffix), tr(
            f"`{variable}` is {path.name!r}, expected a name ending in {suffix}",
            f"`{variable}` 是 {path.name!r}，文件名应以 {suffix} 结尾",
        )
    assert run_dir is not None, tr(
        "`run_dir` is not defined: run the notebook's first code cell",
        "`run_dir` 尚未定义：请运行笔记本的第一个代码单元格",
    )
    assert path.resolve().is_relative_to(Path(run_dir).resolve()), tr(
        f"`{variable}` is {path}, outside run_dir ({run_dir}): put every file of the capstone in run_dir",
        f"`{variable}` 是 {path}，在 run_dir（{run_dir}）之外：请把综合项目的所有文件放在 run_dir 中",
    )
    return path


def backup_state(folder):
    """The record of a backup: SafeBackupAndRestore's state.json or Keras' training_metadata.json (or None).

    Both hold ``epoch``, the number of completed epochs; state.json also the optimizer's ``iterations``.
    """
    for record in ("state.json", "training_metadata.json"):
        if (folder / record).is_file():
            return json.loads((folder / record).read_text(encoding="utf-8"))
    return None


def whole_number(variable, value):
    assert isinstance(value, int) or type(value).__name__.startswith(("int", "uint")), tr(
        f"`{variable}` is {value!r}, expected a whole number",
        f"`{variable}` 是 {value!r}，应为一个整数",
    )
    return int(value)


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Raise an exception (RuntimeError) in on_epoch_begin when epoch == "
               "epochs_before_interruption, and pass the backup callback to fit (notebook 06).",
               "当 epoch == epochs_before_interruption 时在 on_epoch_begin 中抛出异常（RuntimeError），"
               "并把备份回调传给 fit（笔记本 06）。",
           ))
def test_the_crash_left_a_backup_of_the_completed_epochs(backup_dir, run_dir, total_epochs,
                                                         epochs_before_interruption):
    require(backup_dir=backup_dir, total_epochs=total_epochs, epochs_before_interruption=epochs_before_interruption)
    total = whole_number("total_epochs", total_epochs)
    before = whole_number("epochs_before_interruption", epochs_before_interruption)
    assert 1 <= before < total, tr(
        f"epochs_before_interruption is {before} and total_epochs {total}: the crash must come after at least one "
        "completed epoch and before the last one",
        f"epochs_before_interruption 是 {before}，total_epochs 是 {total}：崩溃必须发生在至少完成一轮"
        "之后、最后一轮之前",
    )
    folder = path_in_run_dir("backup_dir", backup_dir, run_dir)
    assert folder.is_dir(), tr(
        f"{folder} does not exist. Either the backup callback was not in fit's callbacks, or fit ended normally: "
        "a backup is deleted when training completes, so the crash must raise an exception (not stop training)",
        f"{folder} 不存在。要么备份回调不在 fit 的 callbacks 中，要么 fit 正常结束了："
        "训练完成时备份会被删除，所以崩溃必须是抛出异常（而不是停止训练）",
    )
    state = backup_state(folder)
    contents = sorted(path.name for path in folder.iterdir())
    assert state is not None, tr(
        f"{folder} holds {contents} but no backup state (state.json)",
        f"{folder} 中有 {contents}，但没有备份状态（state.json）",
    )
    completed = int(state["epoch"])
    assert completed == before, tr(
        f"the backup records {completed} completed epoch(s), but epochs_before_interruption is {before}: raise at "
        f"the start of epoch {before + 1}, where on_epoch_begin receives epoch={before} (counted from 0)",
        f"备份记录了 {completed} 个已完成的轮次，但 epochs_before_interruption 是 {before}：请在"
        f"第 {before + 1} 轮开始时抛出异常，此时 on_epoch_begin 收到 epoch={before}（从 0 数起）",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               'callbacks.SafeModelCheckpoint(checkpoint_path, monitor="val_accuracy", mode="max", '
               "save_best_only=True) in fit's callbacks, with validation_data=(x_val, y_val).",
               "在 fit 的 callbacks 中使用 callbacks.SafeModelCheckpoint(checkpoint_path, monitor=\"val_accuracy\", "
               "mode=\"max\", "
               "save_best_only=True)，并传入 validation_data=(x_val, y_val)。",
           ))
def test_the_checkpoint_holds_a_model_of_the_interrupted_run(checkpoint_path, backup_dir, run_dir):
    import keras

    require(checkpoint_path=checkpoint_path)
    path = path_in_run_dir("checkpoint_path", checkpoint_path, run_dir, suffix=".keras")
    assert path.is_file(), tr(
        f"{path} does not exist: the checkpoint saves at the end of an epoch when val_accuracy improves, so it "
        "needs validation data and at least one completed epoch",
        f"{path} 不存在：检查点在某一轮结束且 val_accuracy 提升时保存，所以它"
        "需要验证数据和至少一个已完成的轮次",
    )
    try:
        loaded = keras.models.load_model(path)
    except Exception as error:
        raise AssertionError(tr(
            f"keras.models.load_model({path.name!r}) fails: {type(error).__name__}: {error}",
            f"keras.models.load_model({path.name!r}) 失败：{type(error).__name__}: {error}",
        )) from None
    assert tuple(loaded.output_shape) == (None, 10), tr(
        f"{path.name} holds a model with output {loaded.output_shape}, expected (None, 10)",
        f"{path.name} 中模型的输出是 {loaded.output_shape}，应为 (None, 10)",
    )
    steps = int(loaded.optimizer.iterations) if loaded.optimizer is not None else 0
    assert steps > 0, tr(
        f"{path.name} holds a model that was never trained (its optimizer is at step {steps})",
        f"{path.name} 中的模型从未训练过（它的优化器处于第 {steps} 步）",
    )
    state = backup_state(Path(backup_dir)) if isinstance(backup_dir, str | os.PathLike) else None
    if state is not None and "iterations" in state:  # the run so far made this many optimizer steps
        assert steps <= int(state["iterations"]), tr(
            f"{path.name} holds a model trained for {steps:,} optimizer steps, but the interrupted run made only "
            f"{int(state['iterations']):,} before the crash: the checkpoint must come from this run (run the "
            "notebook from the top)",
            f"{path.name} 中的模型训练了 {steps:,} 个优化器步，但被中断的运行在崩溃前只走了 "
            f"{int(state['iterations']):,} 步：检查点必须来自这次运行（请从头运行"
            "笔记本）",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Keep the two callbacks in `checkpoint` (SafeModelCheckpoint on val_accuracy, best only) "
               "and `backup` (SafeBackupAndRestore(backup_dir)): exercise 4 uses them again.",
               "把两个回调保存在 `checkpoint`（监视 val_accuracy、只保存最佳值的 SafeModelCheckpoint）"
               "和 `backup`（SafeBackupAndRestore(backup_dir)）中：练习 4 会再次用到它们。",
           ))
def test_the_two_callbacks_watch_the_right_files(checkpoint, backup, checkpoint_path, backup_dir):
    import keras

    require(checkpoint=checkpoint, backup=backup, checkpoint_path=checkpoint_path, backup_dir=backup_dir)
    assert isinstance(checkpoint, keras.callbacks.ModelCheckpoint), tr(
        f"`checkpoint` is a {type(checkpoint).__name__}, expected callbacks.SafeModelCheckpoint (or Keras' "
        "ModelCheckpoint)",
        f"`checkpoint` 是 {type(checkpoint).__name__}，应为 callbacks.SafeModelCheckpoint（或 Keras 的 "
        "ModelCheckpoint）",
    )
    assert Path(checkpoint.filepath).resolve() == Path(checkpoint_path).resolve(), tr(
        f"`checkpoint` writes {checkpoint.filepath}, but checkpoint_path is {checkpoint_path}",
        f"`checkpoint` 写入 {checkpoint.filepath}，但 checkpoint_path 是 {checkpoint_path}",
    )
    assert checkpoint.monitor == "val_accuracy" and checkpoint.save_best_only, tr(
        f"`checkpoint` monitors {checkpoint.monitor!r} with save_best_only={checkpoint.save_best_only}; expected "
        "the best model by 'val_accuracy' (save_best_only=True)",
        f"`checkpoint` 监视 {checkpoint.monitor!r}，save_best_only={checkpoint.save_best_only}；应为"
        "按 'val_accuracy' 保存最佳模型（save_best_only=True）",
    )
    assert isinstance(backup, keras.callbacks.BackupAndRestore), tr(
        f"`backup` is a {type(backup).__name__}, expected callbacks.SafeBackupAndRestore (or Keras' BackupAndRestore)",
        f"`backup` 是 {type(backup).__name__}，应为 callbacks.SafeBackupAndRestore（或 Keras 的 BackupAndRestore）",
    )
    assert Path(backup.backup_dir).resolve() == Path(backup_dir).resolve(), tr(
        f"`backup` writes to {backup.backup_dir}, but backup_dir is {backup_dir}",
        f"`backup` 写入 {backup.backup_dir}，但 backup_dir 是 {backup_dir}",
    )
