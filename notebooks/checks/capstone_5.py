"""Checks for the capstone's exercise 5, Save, reload, evaluate.

The model is loaded here from the student's file and scored again on the test digits loaded here
with ``data.load_mnist(source="bundled")``; the student's numbers are compared with that.
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "capstone_5"

#: The least test accuracy a trained model must reach: a 2-epoch fast-mode model (1,080 digits) reaches
#: 0.75-0.80, a full-mode model (8 epochs on 7,200 digits) about 0.98; guessing gives 0.10.
MIN_ACCURACY = {"fast": 0.60, "full": 0.90}
#: How far the reported test accuracy may be from the one measured here (a digit or two of 300).
ACCURACY_TOLERANCE = 0.01
#: How far the F1 score of the reported weakest digit may be above the lowest (near ties).
F1_TOLERANCE = 0.05


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it as the question says.",
            f"`{variable}` 仍是 `...`：请按题目要求设置它。",
        )


@lru_cache(maxsize=1)
def held_out_digits():
    from course_utils import data

    _, (images, labels) = data.load_mnist(source="bundled", verbose=False)
    return data.prepare(images), labels


@lru_cache(maxsize=2)
def saved_model_and_predictions(path, modified):
    """The model in ``path`` (loaded here) and its probabilities for every test digit."""
    import keras

    model = keras.models.load_model(path)
    images, _ = held_out_digits()
    return model, model.predict(images, batch_size=500, verbose=0)


def saved_model(model_path, run_dir):
    """Check ``model_path`` and return ``(model, probabilities)`` for the model in it."""
    require(model_path=model_path)
    assert isinstance(model_path, str | os.PathLike), tr(
        f"`model_path` is a {type(model_path).__name__}, expected a path (run_dir / ...)",
        f"`model_path` 是 {type(model_path).__name__}，应为路径（run_dir / ...）",
    )
    path = Path(model_path).resolve()
    assert path.name.endswith(".keras"), tr(
        f"`model_path` is {path.name!r}, expected a name ending in .keras",
        f"`model_path` 是 {path.name!r}，文件名应以 .keras 结尾",
    )
    assert run_dir is not None, tr(
        "`run_dir` is not defined: run the notebook's first code cell",
        "`run_dir` 尚未定义：请运行笔记本的第一个代码单元格",
    )
    assert path.is_relative_to(Path(run_dir).resolve()), tr(
        f"`model_path` is {path}, outside run_dir ({run_dir}): put every file of the capstone in run_dir",
        f"`model_path` 是 {path}，在 run_dir（{run_dir}）之外：请把综合项目的所有文件放在 run_dir 中",
    )
    assert path.is_file(), tr(
        f"{path} does not exist: save the model there with resumed_model.save(model_path)",
        f"{path} 不存在：请用 resumed_model.save(model_path) 把模型保存在那里",
    )
    try:
        return saved_model_and_predictions(str(path), path.stat().st_mtime_ns)
    except Exception as error:
        raise AssertionError(tr(
            f"keras.models.load_model({path.name!r}) fails: {type(error).__name__}: {error}",
            f"keras.models.load_model({path.name!r}) 失败：{type(error).__name__}: {error}",
        )) from None


def accuracy_of(probabilities):
    _, labels = held_out_digits()
    return float(np.mean(probabilities.argmax(axis=1) == labels))


@test_case(points=1, hidden=False,
           failure_message=tr(
               "resumed_model.save(model_path) with model_path = run_dir / 'digits_cnn.keras', then "
               "reloaded_model = keras.models.load_model(model_path) (notebooks 07 and 08).",
               "resumed_model.save(model_path)，其中 model_path = run_dir / 'digits_cnn.keras'，然后 "
               "reloaded_model = keras.models.load_model(model_path)（笔记本 07 和 08）。",
           ))
def test_the_model_file_loads_and_is_what_was_reloaded(model_path, reloaded_model, resumed_model, checkpoint_path,
                                                       run_dir):
    import keras

    loaded, probabilities = saved_model(model_path, run_dir)
    if checkpoint_path is not None and checkpoint_path is not ...:
        assert Path(model_path).resolve() != Path(checkpoint_path).resolve(), tr(
            "`model_path` is the checkpoint file of exercise 3: save the final model to a file of its own",
            "`model_path` 是练习 3 的检查点文件：请把最终的模型保存到它自己的文件中",
        )
    require(reloaded_model=reloaded_model)
    assert isinstance(reloaded_model, keras.Model), tr(
        f"`reloaded_model` is a {type(reloaded_model).__name__}, expected the model keras.models.load_model returns",
        f"`reloaded_model` 是 {type(reloaded_model).__name__}，应为 keras.models.load_model 返回的模型",
    )
    assert reloaded_model is not resumed_model, tr(
        "`reloaded_model` is `resumed_model` itself: load it back from the file with keras.models.load_model",
        "`reloaded_model` 就是 `resumed_model` 本身：请用 keras.models.load_model 从文件重新加载它",
    )
    images, _ = held_out_digits()
    reloaded_probabilities = np.asarray(reloaded_model.predict(images[:16], verbose=0), dtype=np.float32)
    difference = float(np.abs(reloaded_probabilities - probabilities[:16]).max())
    assert difference <= 1e-3, tr(
        f"`reloaded_model` and the model in {Path(model_path).name} predict differently (probabilities up to "
        f"{difference:.2g} apart): load reloaded_model from model_path, after saving",
        f"`reloaded_model` 与 {Path(model_path).name} 中的模型预测不同（概率最多相差 "
        f"{difference:.2g}）：请在保存之后从 model_path 加载 reloaded_model",
    )


@test_case(points=2, hidden=False,
           failure_message=tr(
               "Train for all total_epochs (exercises 3 and 4) and save the trained model, resumed_model, "
               "to model_path.",
               "训练满 total_epochs 轮（练习 3 和 4），并把训练好的模型 resumed_model 保存"
               "到 model_path。",
           ))
def test_the_saved_model_classifies_the_test_digits(model_path, run_dir):
    from course_utils import config

    _, probabilities = saved_model(model_path, run_dir)
    measured = accuracy_of(probabilities)
    least = MIN_ACCURACY[config.mode_name()]
    assert measured >= least, tr(
        f"the model in {Path(model_path).name} classifies {measured:.1%} of the {len(probabilities):,} test digits "
        f"correctly; at least {least:.0%} expected in {config.mode_name()} mode",
        f"{Path(model_path).name} 中的模型对 {len(probabilities):,} 个测试数字中的 {measured:.1%} 分类正确"
        f"；在 {config.mode_name()} 模式下应至少为 {least:.0%}",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "test_loss, test_accuracy = reloaded_model.evaluate(x_test, y_test, verbose=0): evaluate "
               "returns the loss first, then the accuracy.",
               "test_loss, test_accuracy = reloaded_model.evaluate(x_test, y_test, verbose=0)：evaluate "
               "先返回损失，再返回准确率。",
           ))
def test_the_reported_test_accuracy_is_the_measured_one(test_accuracy, model_path, run_dir):
    require(test_accuracy=test_accuracy)
    assert np.ndim(test_accuracy) == 0 and np.issubdtype(np.asarray(test_accuracy).dtype, np.number), tr(
        f"`test_accuracy` is {test_accuracy!r}, expected one number between 0 and 1",
        f"`test_accuracy` 是 {test_accuracy!r}，应为 0 到 1 之间的一个数",
    )
    reported = float(test_accuracy)
    assert 0 <= reported <= 1, tr(
        f"`test_accuracy` is {reported}, expected a share between 0 and 1 (not a percentage)",
        f"`test_accuracy` 是 {reported}，应为 0 到 1 之间的比例（不是百分数）",
    )
    _, probabilities = saved_model(model_path, run_dir)
    measured = accuracy_of(probabilities)
    assert abs(reported - measured) <= ACCURACY_TOLERANCE, tr(
        f"`test_accuracy` is {reported:.4f}, but the model in {Path(model_path).name} scores {measured:.4f} on all "
        f"{len(probabilities):,} test digits: evaluate reloaded_model on x_test, y_test",
        f"`test_accuracy` 是 {reported:.4f}，但 {Path(model_path).name} 中的模型在全部 "
        f"{len(probabilities):,} 个测试数字上得分 {measured:.4f}：请在 x_test、y_test 上评估 reloaded_model",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "matrix = evaluation.confusion_matrix(y_test, predicted, 10); the F1 scores are "
               "evaluation.per_class_metrics(matrix)['f1'], and the weakest digit is their argmin.",
               "matrix = evaluation.confusion_matrix(y_test, predicted, 10)；F1 分数是 "
               "evaluation.per_class_metrics(matrix)['f1']，最弱的数字是其 argmin。",
           ))
def test_the_weakest_digit_has_the_lowest_f1(weakest_digit, model_path, run_dir):
    from course_utils import evaluation

    require(weakest_digit=weakest_digit)
    assert np.ndim(weakest_digit) == 0 and np.issubdtype(np.asarray(weakest_digit).dtype, np.integer), tr(
        f"`weakest_digit` is {weakest_digit!r}, expected one digit as an int",
        f"`weakest_digit` 是 {weakest_digit!r}，应为一个 int 类型的数字",
    )
    digit = int(weakest_digit)
    assert 0 <= digit <= 9, tr(
        f"`weakest_digit` is {digit}, expected a digit 0-9",
        f"`weakest_digit` 是 {digit}，应为 0-9 中的一个数字",
    )
    _, probabilities = saved_model(model_path, run_dir)
    _, labels = held_out_digits()
    f1 = evaluation.per_class_metrics(evaluation.confusion_matrix(labels, probabilities.argmax(axis=1), 10))["f1"]
    lowest = int(f1.argmin())
    assert f1[digit] <= f1[lowest] + F1_TOLERANCE, tr(
        f"digit {digit} has F1 {f1[digit]:.3f}; the lowest is digit {lowest}'s, {f1[lowest]:.3f}",
        f"数字 {digit} 的 F1 是 {f1[digit]:.3f}；最低的是数字 {lowest} 的 {f1[lowest]:.3f}",
    )
