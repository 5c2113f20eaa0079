"""Checks for exercise 05.3, A checkpoint that remembers the best across runs."""

import numbers

import keras
import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex05_3"

#: monitor -> (mode, the better of several values, "is a better than b")
WATCHED = {"val_accuracy": ("max", max, lambda a, b: a > b), "val_loss": ("min", min, lambda a, b: a < b)}


def _run(run, variable):
    assert run is not ... and run is not None, tr(
        f"`{variable}` is still `...`: set it to the History that fit returned.",
        f"`{variable}` 仍是 `...`：请把它设为 fit 返回的 History。",
    )
    assert isinstance(run, keras.callbacks.History), tr(
        f"`{variable}` is a {type(run).__name__}; expected the History that model.fit returns.",
        f"`{variable}` 是 {type(run).__name__}；应为 model.fit 返回的 History。",
    )
    missing = [monitor for monitor in WATCHED if monitor not in run.history]
    assert not missing, tr(
        f"`{variable}` has no {', '.join(missing)}: pass validation_data=(x_val, y_val) to fit.",
        f"`{variable}` 中没有 {', '.join(missing)}：请给 fit 传入 validation_data=(x_val, y_val)。",
    )
    return run.history


def _records(records, variable):
    assert records is not ... and records is not None, tr(
        f"`{variable}` is still `...`: set it to {{\"val_accuracy\": record, \"val_loss\": record}}, "
        "each record from checkpoint.read_best().",
        f"`{variable}` 仍是 `...`：请把它设为 {{\"val_accuracy\": record, \"val_loss\": record}}，"
        "每条记录来自 checkpoint.read_best()。",
    )
    assert isinstance(records, dict) and set(records) == set(WATCHED), tr(
        f"`{variable}` is {records!r}; expected a dict with the keys 'val_accuracy' and 'val_loss'.",
        f"`{variable}` 是 {records!r}；应为以 'val_accuracy' 和 'val_loss' 为键的字典。",
    )
    for monitor, record in records.items():
        assert isinstance(record, dict) and isinstance(record.get("best"), numbers.Real), tr(
            f"`{variable}[{monitor!r}]` is {record!r}; expected the dictionary read from that checkpoint's "
            ".best.json file (checkpoint.read_best()), with the keys monitor, mode, best, epoch, filepath.",
            f"`{variable}[{monitor!r}]` 是 {record!r}；应为从该检查点的 .best.json 文件读出的字典"
            "（checkpoint.read_best()），键为 monitor、mode、best、epoch、filepath。",
        )
        assert record.get("monitor") == monitor, tr(
            f"`{variable}[{monitor!r}]` is the record of a checkpoint on {record.get('monitor')!r}: "
            "keep each record under the name of the metric its checkpoint monitors.",
            f"`{variable}[{monitor!r}]` 是监视 {record.get('monitor')!r} 的检查点的记录："
            "请把每条记录放在其检查点所监视的指标名下。",
        )
    return records


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Empty the folder first (shutil.rmtree with ignore_errors=True), then read "
               "each checkpoint's record with checkpoint.read_best() right after the first fit.",
               "先清空文件夹（shutil.rmtree，ignore_errors=True），然后在第一次 fit 之后"
               "立即用 checkpoint.read_best() 读取每个检查点的记录。",
           ))
def test_the_first_run(first_safe_run, records_after_first):
    history = _run(first_safe_run, "first_safe_run")
    _records(records_after_first, "records_after_first")
    for monitor, (_, better, _) in WATCHED.items():
        record, values = records_after_first[monitor], history[monitor]
        best = better(values)
        assert np.isclose(record["best"], best, rtol=1e-6, atol=1e-9), tr(
            f"after the first run the {monitor} record holds {record['best']:.5f}, but the first run's best "
            f"{monitor} is {best:.5f}. Was the folder emptied before it, so that no older record was in the way?",
            f"第一次运行后，{monitor} 的记录是 {record['best']:.5f}，但第一次运行中最佳的 "
            f"{monitor} 是 {best:.5f}。运行之前清空文件夹了吗？这样才不会有更早的记录碍事。",
        )
        epoch = values.index(best) + 1
        assert record.get("epoch") == epoch, tr(
            f"the {monitor} record after the first run names epoch {record.get('epoch')}; the first run's best "
            f"{monitor} is in epoch {epoch}.",
            f"第一次运行后，{monitor} 的记录指向第 {record.get('epoch')} 轮；第一次运行中最佳的 "
            f"{monitor} 在第 {epoch} 轮。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "A new SafeModelCheckpoint reads the stored best when training starts and saves only "
               "when an epoch beats it: read both records again after the second fit.",
               "新的 SafeModelCheckpoint 在训练开始时读取已存的最佳值，只有某一轮超过它时"
               "才保存：请在第二次 fit 之后再次读取两条记录。",
           ))
def test_the_records_after_the_second_run(records_after_second, records_after_first, second_safe_run):
    _records(records_after_second, "records_after_second")
    _records(records_after_first, "records_after_first")
    history = _run(second_safe_run, "second_safe_run")
    for monitor, (_, better, _) in WATCHED.items():
        before, after = records_after_first[monitor]["best"], records_after_second[monitor]["best"]
        expected = better([before, *history[monitor]])
        assert np.isclose(after, expected, rtol=1e-6, atol=1e-9), tr(
            f"after the second run the {monitor} record holds {after:.5f}; the best of the first run's record "
            f"({before:.5f}) and the second run's epochs ({better(history[monitor]):.5f}) is {expected:.5f}. "
            "Read the record after the second fit, with the same paths and no emptying in between.",
            f"第二次运行后，{monitor} 的记录是 {after:.5f}；第一次运行的记录"
            f"（{before:.5f}）与第二次运行各轮（{better(history[monitor]):.5f}）中的最佳值是 {expected:.5f}。"
            "请在第二次 fit 之后读取记录，使用相同的路径，中间不要清空。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "The second run saved into a file only if one of its epochs beat that file's record "
               "from the first run: compare the two records (or the run's values with the first record).",
               "只有当第二次运行的某一轮超过了第一次运行留在该文件中的记录时，第二次运行才会保存到该文件："
               "比较两条记录（或比较这次运行的值与第一条记录）。",
           ))
def test_what_the_second_run_saved(second_run_saved, records_after_first, second_safe_run):
    assert second_run_saved is not ... and second_run_saved is not None, tr(
        "`second_run_saved` is still `...`: set it to {\"val_accuracy\": bool, \"val_loss\": bool}.",
        "`second_run_saved` 仍是 `...`：请把它设为 {\"val_accuracy\": bool, \"val_loss\": bool}。",
    )
    assert isinstance(second_run_saved, dict) and set(second_run_saved) == set(WATCHED), tr(
        f"`second_run_saved` is {second_run_saved!r}; expected a dict with the keys 'val_accuracy' and 'val_loss'.",
        f"`second_run_saved` 是 {second_run_saved!r}；应为以 'val_accuracy' 和 'val_loss' 为键的字典。",
    )
    _records(records_after_first, "records_after_first")
    history = _run(second_safe_run, "second_safe_run")
    for monitor, (_, better, is_better) in WATCHED.items():
        answer = second_run_saved[monitor]
        assert isinstance(answer, bool | np.bool_), tr(
            f"`second_run_saved[{monitor!r}]` is {answer!r}; expected True or False.",
            f"`second_run_saved[{monitor!r}]` 是 {answer!r}；应为 True 或 False。",
        )
        first_best, second_best = records_after_first[monitor]["best"], better(history[monitor])
        expected = bool(is_better(second_best, first_best))
        beats = tr("beats", "超过了") if expected else tr("does not beat", "没有超过")
        did = tr("did", "保存了") if expected else tr("did not", "没有保存")
        assert bool(answer) == expected, tr(
            f"`second_run_saved[{monitor!r}]` is {bool(answer)}, but the second run's best {monitor} "
            f"({second_best:.5f}) {beats} the first run's record ({first_best:.5f}), so it {did} save.",
            f"`second_run_saved[{monitor!r}]` 是 {bool(answer)}，但第二次运行最佳的 {monitor}"
            f"（{second_best:.5f}）{beats}第一次运行的记录（{first_best:.5f}），所以它{did}。",
        )
