"""Checks for exercise 06.1, Killed before the first epoch was complete."""

import numbers

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex06_1"


def _events(events, variable):
    assert events is not ... and events is not None, tr(
        f"`{variable}` is still `...`: set it to the list of events, the first value run_training returns.",
        f"`{variable}` 仍是 `...`：请把它设为事件列表，即 run_training 返回的第一个值。",
    )
    assert isinstance(events, list) and all(isinstance(event, dict) and "event" in event for event in events), tr(
        f"`{variable}` is a {type(events).__name__}; expected the list of event dictionaries that run_training "
        "returns first: events, code = run_training(...).",
        f"`{variable}` 是 {type(events).__name__}；应为 run_training 首先返回的事件字典列表："
        "events, code = run_training(...)。",
    )
    assert events, tr(
        f"`{variable}` is empty: the training process printed nothing. Run the cell again.",
        f"`{variable}` 是空的：训练进程什么也没打印。请重新运行该单元格。",
    )
    return events


def _kinds(events):
    return [event["event"] for event in events]


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Delete the backup first (shutil.rmtree(backup_dir, ignore_errors=True)), then "
               "early_kill_events, _ = run_training(kill_in=1); list backup_dir right after it.",
               "先删除备份（shutil.rmtree(backup_dir, ignore_errors=True)），然后 "
               "early_kill_events, _ = run_training(kill_in=1)；紧接着列出 backup_dir 的内容。",
           ))
def test_the_kill_in_the_first_epoch(early_kill_events, backup_after_early_kill):
    events = _events(early_kill_events, "early_kill_events")
    assert backup_after_early_kill is not ... and backup_after_early_kill is not None, tr(
        "`backup_after_early_kill` is still `...`: set it to sorted(path.name for path in backup_dir.iterdir()), "
        "or [] if backup_dir does not exist.",
        "`backup_after_early_kill` 仍是 `...`：请把它设为 sorted(path.name for path in backup_dir.iterdir())，"
        "如果 backup_dir 不存在则为 []。",
    )
    kinds = _kinds(events)
    assert "done" not in kinds, tr(
        "`early_kill_events` ends with 'done': that run was not killed. Pass kill_in=1.",
        "`early_kill_events` 以 'done' 结尾：那次运行没有被强制终止。请传入 kill_in=1。",
    )
    completed = [event["epoch"] for event in events if event["event"] == "epoch_end"]
    assert not completed, tr(
        f"`early_kill_events` has completed epochs {completed}: the kill must come in epoch 1, before any "
        "epoch is complete (kill_in=1).",
        f"`early_kill_events` 中已完成的轮次是 {completed}：强制终止必须发生在第 1 轮，在任何"
        "一轮完成之前（kill_in=1）。",
    )
    assert kinds[-1] == "batch" and events[-1].get("epoch") == 1, tr(
        f"`early_kill_events` ends with {events[-1]}; expected the 'batch' event of epoch 1, after which "
        "run_training kills the process.",
        f"`early_kill_events` 以 {events[-1]} 结尾；应为第 1 轮的 'batch' 事件，run_training 在此之后"
        "强制终止进程。",
    )
    names = sorted(str(name) for name in backup_after_early_kill)
    assert "state.json" not in names, tr(
        f"`backup_after_early_kill` is {names}: a state.json from an earlier run is in the way. Delete backup_dir "
        "before the killed run.",
        f"`backup_after_early_kill` 是 {names}：有一个更早运行留下的 state.json 碍事。请在被强制终止的运行之前"
        "删除 backup_dir。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "After the kill, call run_training() again without kill_in and keep the events it "
               "returns: the whole training, from epoch 1 up to its 'done' event.",
               "强制终止之后，不带 kill_in 再次调用 run_training()，并保存它返回的事件："
               "完整的训练，从第 1 轮直到 'done' 事件。",
           ))
def test_the_restart_trained_every_epoch(restart_events, resume_epochs):
    events = _events(restart_events, "restart_events")
    kinds = _kinds(events)
    assert kinds[0] == "start" and kinds[-1] == "done", tr(
        f"`restart_events` runs from {kinds[0]!r} to {kinds[-1]!r}; expected a complete run, from 'start' to "
        "'done': call run_training() without kill_in.",
        f"`restart_events` 从 {kinds[0]!r} 到 {kinds[-1]!r}；应为一次完整的运行，从 'start' 到 "
        "'done'：请不带 kill_in 调用 run_training()。",
    )
    assert resume_epochs is not None, tr(
        "`resume_epochs` is not defined: run the lesson's cells above first.",
        "`resume_epochs` 尚未定义：请先运行上面的单元格。",
    )
    trained = events[-1].get("epochs_run")
    expected = list(range(1, resume_epochs + 1))
    assert trained == expected, tr(
        f"the second run trained the epochs {trained}; after a kill before any complete epoch it must train all "
        f"of them, {expected}. Delete backup_dir before the killed run.",
        f"第二次运行训练了第 {trained} 轮；在任何一轮完成之前被强制终止后，它必须训练全部轮次，"
        f"即 {expected}。请在被强制终止的运行之前删除 backup_dir。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Read them from restart_events: the 'epoch' of the first event whose 'event' is "
               "'epoch_begin', and the 'iterations' of the 'start' event.",
               "从 restart_events 中读取：第一个 'event' 为 'epoch_begin' 的事件的 'epoch'，"
               "以及 'start' 事件的 'iterations'。",
           ))
def test_where_the_restart_began(restart_first_epoch, restart_start_iterations, restart_events):
    for variable, value in (("restart_first_epoch", restart_first_epoch),
                            ("restart_start_iterations", restart_start_iterations)):
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it to an int.",
            f"`{variable}` 仍是 `...`：请把它设为一个 int。",
        )
        assert isinstance(value, numbers.Integral), tr(
            f"`{variable}` is a {type(value).__name__}; expected an int.",
            f"`{variable}` 是 {type(value).__name__}；应为 int。",
        )
    events = _events(restart_events, "restart_events")
    first_epoch = next((event["epoch"] for event in events if event["event"] == "epoch_begin"), None)
    start_iterations = next((event["iterations"] for event in events if event["event"] == "start"), None)
    assert restart_first_epoch == first_epoch, tr(
        f"`restart_first_epoch` is {restart_first_epoch}; the first 'epoch_begin' event of `restart_events` "
        f"says epoch {first_epoch}.",
        f"`restart_first_epoch` 是 {restart_first_epoch}；`restart_events` 的第一个 'epoch_begin' 事件"
        f"给出的是第 {first_epoch} 轮。",
    )
    assert restart_start_iterations == start_iterations, tr(
        f"`restart_start_iterations` is {restart_start_iterations}; the 'start' event of `restart_events` says "
        f"iterations {start_iterations}.",
        f"`restart_start_iterations` 是 {restart_start_iterations}；`restart_events` 的 'start' 事件给出的 "
        f"iterations 是 {start_iterations}。",
    )
    assert (first_epoch, start_iterations) == (1, 0), tr(
        f"the second run began with epoch {first_epoch} at optimizer step {start_iterations}; with no completed "
        "epoch to restore it must start from scratch (epoch 1, step 0). Delete backup_dir before the killed run.",
        f"第二次运行从第 {first_epoch} 轮、优化器第 {start_iterations} 步开始；没有已完成的轮次可恢复时，"
        "它必须从头开始（第 1 轮，第 0 步）。请在被强制终止的运行之前删除 backup_dir。",
    )
