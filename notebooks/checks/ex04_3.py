"""Checks for exercise 04.3, The validation_split trap."""

import math

import keras
import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex04_3"


def _split_at(y_train):
    assert y_train is not None, tr(
        "`y_train` is not defined: run the lesson's cells above the exercises first.",
        "`y_train` 尚未定义：请先运行本课练习之前的单元格。",
    )
    return int(np.floor(len(y_train) * (1 - 0.1)))  # how Keras cuts the arrays


def _one_epoch_run(run, variable, y_train):
    assert run is not ... and run is not None, tr(
        f"`{variable}` is still `...`: set it to the History that model.fit returns.",
        f"`{variable}` 仍是 `...`：请把它设为 model.fit 返回的 History。",
    )
    assert isinstance(run, keras.callbacks.History), tr(
        f"`{variable}` is a {type(run).__name__}; expected the History that model.fit returns.",
        f"`{variable}` 是 {type(run).__name__}；应为 model.fit 返回的 History。",
    )
    split_at = _split_at(y_train)
    steps = math.ceil(split_at / 64)
    assert "val_accuracy" in run.history, tr(
        f"`{variable}` has no val_accuracy: pass validation_split=0.1 to fit.",
        f"`{variable}` 没有 val_accuracy：请给 fit 传入 validation_split=0.1。",
    )
    assert len(run.epoch) == 1, tr(
        f"`{variable}` trained {len(run.epoch)} epochs; train for one (epochs=1).",
        f"`{variable}` 训练了 {len(run.epoch)} 轮；请只训练一轮（epochs=1）。",
    )
    assert run.params.get("steps") == steps, tr(
        f"`{variable}` ran {run.params.get('steps')} steps; all {len(y_train):,} training digits with "
        f"validation_split=0.1 leave {split_at:,} to train on, {steps} batches of 64. Fit on all the "
        "sorted digits (mixed or not) with validation_split=0.1 and batch_size=64.",
        f"`{variable}` 走了 {run.params.get('steps')} 步；全部 {len(y_train):,} 个训练数字在 "
        f"validation_split=0.1 下留出 {split_at:,} 个用于训练，即 {steps} 个 64 的批次。请在全部"
        "排好序的数字（打乱与否均可）上以 validation_split=0.1 和 batch_size=64 训练。",
    )
    updates = int(run.model.optimizer.iterations)
    assert updates == steps, tr(
        f"the model of `{variable}` has made {updates} updates, not the {steps} of one epoch: build and compile "
        "a fresh model for each run.",
        f"`{variable}` 的模型做了 {updates} 次更新，而不是一轮的 {steps} 次：请为每次运行"
        "新建并编译一个模型。",
    )
    return float(run.history["val_accuracy"][-1])


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Keras keeps back the last 10% of the arrays, before any shuffling: "
               "np.unique(y_sorted[split_at:]) with split_at = int(np.floor(len(y_sorted) * 0.9)).",
               "Keras 在任何打乱之前留出数组的最后 10%："
               "np.unique(y_sorted[split_at:])，其中 split_at = int(np.floor(len(y_sorted) * 0.9))。",
           ))
def test_the_validation_digits(validation_digits, y_train):
    assert validation_digits is not ... and validation_digits is not None, tr(
        "`validation_digits` is still `...`: set it to the distinct labels in the validation part, "
        "e.g. np.array([3, 4]).",
        "`validation_digits` 仍是 `...`：请把它设为验证部分中互不相同的标签，"
        "例如 np.array([3, 4])。",
    )
    split_at = _split_at(y_train)
    expected = np.unique(np.sort(y_train)[split_at:])
    seen = np.asarray(validation_digits).ravel()
    assert np.array_equal(np.unique(seen), seen), tr(
        f"`validation_digits` is {seen.tolist()}; expected the distinct labels, sorted, once each (np.unique).",
        f"`validation_digits` 是 {seen.tolist()}；应为互不相同的标签，排好序，每个只出现一次（np.unique）。",
    )
    assert np.array_equal(seen, expected), tr(
        f"`validation_digits` is {seen.tolist()}; the last {len(y_train) - split_at} labels of the sorted "
        f"arrays are the digits {expected.tolist()}.",
        f"`validation_digits` 是 {seen.tolist()}；排好序的数组的最后 {len(y_train) - split_at} 个标签"
        f"是数字 {expected.tolist()}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Sort first (order = np.argsort(y_train, kind='stable'); x_train[order], y_train[order]), "
               "then fit fresh models with validation_split=0.1, once plain and once with shuffle=True.",
               "先排序（order = np.argsort(y_train, kind='stable')；x_train[order]、y_train[order]），"
               "再以 validation_split=0.1 训练新模型，一次不加选项，一次加 shuffle=True。",
           ))
def test_the_sorted_runs(sorted_run, shuffle_true_run, y_train):
    for variable, run in (("sorted_run", sorted_run), ("shuffle_true_run", shuffle_true_run)):
        accuracy = _one_epoch_run(run, variable, y_train)
        assert accuracy < 0.3, tr(
            f"`{variable}` reached val_accuracy {accuracy:.3f}; on label-sorted arrays the validation part holds "
            "only the last digits, which the model hardly saw in training, so it should score near 0. "
            "Did you fit on the sorted arrays?",
            f"`{variable}` 的 val_accuracy 达到 {accuracy:.3f}；在按标签排序的数组上，验证部分只含"
            "最后几个数字，模型在训练中几乎没见过它们，所以得分应接近 0。"
            "你是在排好序的数组上训练的吗？",
        )
    assert sorted_run.model is not shuffle_true_run.model, tr(
        "`sorted_run` and `shuffle_true_run` trained the same model object: build a fresh one for each run.",
        "`sorted_run` 和 `shuffle_true_run` 训练的是同一个模型对象：请为每次运行新建一个。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Mix the sorted arrays before fit: mix = np.random.default_rng(config.seed())"
               ".permutation(len(y_sorted)), then fit(x_sorted[mix], y_sorted[mix], "
               "validation_split=0.1, ...).",
               "在 fit 之前把排好序的数组打乱：mix = np.random.default_rng(config.seed())"
               ".permutation(len(y_sorted))，然后 fit(x_sorted[mix], y_sorted[mix], "
               "validation_split=0.1, ...)。",
           ))
def test_the_run_shuffled_first(shuffled_first_run, sorted_run, y_train):
    accuracy = _one_epoch_run(shuffled_first_run, "shuffled_first_run", y_train)
    baseline = _one_epoch_run(sorted_run, "sorted_run", y_train)
    assert accuracy > baseline + 0.2, tr(
        f"`shuffled_first_run` reached val_accuracy {accuracy:.3f}, hardly more than `sorted_run` ({baseline:.3f}). "
        "Once the arrays are mixed, the validation part holds every digit and the model has seen them all.",
        f"`shuffled_first_run` 的 val_accuracy 达到 {accuracy:.3f}，几乎不比 `sorted_run`（{baseline:.3f}）高。"
        "数组一旦打乱，验证部分就包含所有数字，而且模型都见过它们。",
    )
