"""Checks for exercise 05.3, A checkpoint that remembers the best across runs."""

import numbers

import keras
import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex05_3"

#: monitor -> (mode, the better of several values, "is a better than b")
WATCHED = {"val_accuracy": ("max", max, lambda a, b: a > b), "val_loss": ("min", min, lambda a, b: a < b)}


def _run(run, variable):
    assert run is not ... and run is not None, f"`{variable}` is still `...`: set it to the History that fit returned."
    assert isinstance(run, keras.callbacks.History), (
        f"`{variable}` is a {type(run).__name__}; expected the History that model.fit returns."
    )
    missing = [monitor for monitor in WATCHED if monitor not in run.history]
    assert not missing, f"`{variable}` has no {', '.join(missing)}: pass validation_data=(x_val, y_val) to fit."
    return run.history


def _records(records, variable):
    assert records is not ... and records is not None, (
        f"`{variable}` is still `...`: set it to {{\"val_accuracy\": record, \"val_loss\": record}}, "
        "each record from checkpoint.read_best()."
    )
    assert isinstance(records, dict) and set(records) == set(WATCHED), (
        f"`{variable}` is {records!r}; expected a dict with the keys 'val_accuracy' and 'val_loss'."
    )
    for monitor, record in records.items():
        assert isinstance(record, dict) and isinstance(record.get("best"), numbers.Real), (
            f"`{variable}[{monitor!r}]` is {record!r}; expected the dictionary read from that checkpoint's "
            ".best.json file (checkpoint.read_best()), with the keys monitor, mode, best, epoch, filepath."
        )
        assert record.get("monitor") == monitor, (
            f"`{variable}[{monitor!r}]` is the record of a checkpoint on {record.get('monitor')!r}: "
            "keep each record under the name of the metric its checkpoint monitors."
        )
    return records


@test_case(points=1, hidden=False,
           failure_message="Empty the folder first (shutil.rmtree with ignore_errors=True), then read "
                           "each checkpoint's record with checkpoint.read_best() right after the first fit.")
def test_the_first_run(first_safe_run, records_after_first):
    history = _run(first_safe_run, "first_safe_run")
    _records(records_after_first, "records_after_first")
    for monitor, (_, better, _) in WATCHED.items():
        record, values = records_after_first[monitor], history[monitor]
        best = better(values)
        assert np.isclose(record["best"], best, rtol=1e-6, atol=1e-9), (
            f"after the first run the {monitor} record holds {record['best']:.5f}, but the first run's best "
            f"{monitor} is {best:.5f}. Was the folder emptied before it, so that no older record was in the way?"
        )
        epoch = values.index(best) + 1
        assert record.get("epoch") == epoch, (
            f"the {monitor} record after the first run names epoch {record.get('epoch')}; the first run's best "
            f"{monitor} is in epoch {epoch}."
        )


@test_case(points=1, hidden=False,
           failure_message="A new SafeModelCheckpoint reads the stored best when training starts and saves only "
                           "when an epoch beats it: read both records again after the second fit.")
def test_the_records_after_the_second_run(records_after_second, records_after_first, second_safe_run):
    _records(records_after_second, "records_after_second")
    _records(records_after_first, "records_after_first")
    history = _run(second_safe_run, "second_safe_run")
    for monitor, (_, better, _) in WATCHED.items():
        before, after = records_after_first[monitor]["best"], records_after_second[monitor]["best"]
        expected = better([before, *history[monitor]])
        assert np.isclose(after, expected, rtol=1e-6, atol=1e-9), (
            f"after the second run the {monitor} record holds {after:.5f}; the best of the first run's record "
            f"({before:.5f}) and the second run's epochs ({better(history[monitor]):.5f}) is {expected:.5f}. "
            "Read the record after the second fit, with the same paths and no emptying in between."
        )


@test_case(points=1, hidden=False,
           failure_message="The second run saved into a file only if one of its epochs beat that file's record "
                           "from the first run: compare the two records (or the run's values with the first record).")
def test_what_the_second_run_saved(second_run_saved, records_after_first, second_safe_run):
    assert second_run_saved is not ... and second_run_saved is not None, (
        "`second_run_saved` is still `...`: set it to {\"val_accuracy\": bool, \"val_loss\": bool}."
    )
    assert isinstance(second_run_saved, dict) and set(second_run_saved) == set(WATCHED), (
        f"`second_run_saved` is {second_run_saved!r}; expected a dict with the keys 'val_accuracy' and 'val_loss'."
    )
    _records(records_after_first, "records_after_first")
    history = _run(second_safe_run, "second_safe_run")
    for monitor, (_, better, is_better) in WATCHED.items():
        answer = second_run_saved[monitor]
        assert isinstance(answer, bool | np.bool_), (
            f"`second_run_saved[{monitor!r}]` is {answer!r}; expected True or False."
        )
        first_best, second_best = records_after_first[monitor]["best"], better(history[monitor])
        expected = bool(is_better(second_best, first_best))
        assert bool(answer) == expected, (
            f"`second_run_saved[{monitor!r}]` is {bool(answer)}, but the second run's best {monitor} "
            f"({second_best:.5f}) {'beats' if expected else 'does not beat'} the first run's record "
            f"({first_best:.5f}), so it {'did' if expected else 'did not'} save."
        )
