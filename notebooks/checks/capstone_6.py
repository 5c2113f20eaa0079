"""Checks for the capstone's exercise 6, Export to LiteRT, and run it.

The .tflite file is run here by LiteRT's interpreter (ai_edge_litert, through export.LiteRTModel) on
the first 100 test digits, loaded here, and compared with the Keras model in model_path.
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "capstone_6"

DIGITS = 100  # the first 100 test digits, as the question says
#: The least share of digits on which LiteRT and Keras must predict the same: a float32 file agrees on all;
#: a mixed-precision model's float32 file can differ where two digits are almost equally likely.
MIN_AGREEMENT = 0.9
#: How far the reported agreement may be from the one measured here.
AGREEMENT_TOLERANCE = 0.03


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, tr(
            f"`{variable}` is still `...`: set it as the question says.",
            f"`{variable}` 仍是 `...`：请按题目要求设置它。",
        )


@lru_cache(maxsize=1)
def first_test_digits():
    from course_utils import data

    _, (images, labels) = data.load_mnist(source="bundled", verbose=False)
    return data.prepare(images[:DIGITS]), labels[:DIGITS]


@lru_cache(maxsize=2)
def litert_probabilities(path, modified):
    from course_utils import export

    images, _ = first_test_digits()
    return export.LiteRTModel(path).predict(images)


@lru_cache(maxsize=2)
def keras_probabilities(path, modified):
    import keras

    images, _ = first_test_digits()
    return keras.models.load_model(path).predict(images, verbose=0)


def run_the_file(tflite_path, run_dir):
    """Check ``tflite_path`` and return the file's probabilities for the first test digits."""
    require(tflite_path=tflite_path)
    assert isinstance(tflite_path, str | os.PathLike), tr(
        f"`tflite_path` is a {type(tflite_path).__name__}, expected a path (run_dir / ...)",
        f"`tflite_path` 是 {type(tflite_path).__name__}，应为路径（run_dir / ...）",
    )
    path = Path(tflite_path).resolve()
    assert path.name.endswith(".tflite"), tr(
        f"`tflite_path` is {path.name!r}, expected a name ending in .tflite",
        f"`tflite_path` 是 {path.name!r}，文件名应以 .tflite 结尾",
    )
    assert run_dir is not None, tr(
        "`run_dir` is not defined: run the notebook's first code cell",
        "`run_dir` 尚未定义：请运行笔记本的第一个代码单元格",
    )
    assert path.is_relative_to(Path(run_dir).resolve()), tr(
        f"`tflite_path` is {path}, outside run_dir ({run_dir}): put every file of the capstone in run_dir",
        f"`tflite_path` 是 {path}，在 run_dir（{run_dir}）之外：请把综合项目的所有文件放在 run_dir 中",
    )
    assert path.is_file() and path.stat().st_size > 0, tr(
        f"{path} does not exist or is empty: convert the model to it",
        f"{path} 不存在或是空文件：请把模型转换到这个文件",
    )
    try:
        return litert_probabilities(str(path), path.stat().st_mtime_ns)
    except Exception as error:
        raise AssertionError(tr(
            f"LiteRT's Interpreter cannot run {path.name}: {type(error).__name__}: {error}",
            f"LiteRT 的 Interpreter 无法运行 {path.name}：{type(error).__name__}: {error}",
        )) from None


def keras_digits(model_path):
    assert model_path is not None and model_path is not ... and Path(model_path).is_file(), tr(
        "`model_path` (exercise 5) names no file: the LiteRT file is compared with the Keras model saved there",
        "`model_path`（练习 5）指向的文件不存在：LiteRT 文件要与保存在那里的 Keras 模型比较",
    )
    path = Path(model_path).resolve()
    return keras_probabilities(str(path), path.stat().st_mtime_ns).argmax(axis=1)


@test_case(points=1, hidden=False,
           failure_message=tr(
               "export.to_litert(reloaded_model, tflite_path) with tflite_path = run_dir / "
               "'digits_cnn.tflite' (notebook 12).",
               "export.to_litert(reloaded_model, tflite_path)，其中 tflite_path = run_dir / "
               "'digits_cnn.tflite'（笔记本 12）。",
           ))
def test_the_litert_file_runs(tflite_path, run_dir):
    probabilities = run_the_file(tflite_path, run_dir)
    assert probabilities.shape == (DIGITS, 10), tr(
        f"the LiteRT file gives {probabilities.shape} for {DIGITS} digits, expected ({DIGITS}, 10)",
        f"LiteRT 文件对 {DIGITS} 个数字给出 {probabilities.shape}，应为 ({DIGITS}, 10)",
    )
    sums = probabilities.sum(axis=1)
    assert np.all(np.isfinite(probabilities)) and np.allclose(sums, 1, atol=2e-2), tr(
        f"the LiteRT file's outputs sum to {sums.min():.3f}-{sums.max():.3f} per digit, expected probabilities",
        f"LiteRT 文件对每个数字的输出之和为 {sums.min():.3f}-{sums.max():.3f}，应为概率",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Convert the model you saved in exercise 5 (reloaded_model), as it is: the file must "
               "predict what the Keras model predicts.",
               "转换你在练习 5 中保存的模型（reloaded_model），原样转换：该文件的"
               "预测必须与 Keras 模型的预测一致。",
           ))
def test_litert_predicts_what_keras_predicts(tflite_path, model_path, run_dir):
    litert = run_the_file(tflite_path, run_dir).argmax(axis=1)
    keras_predicted = keras_digits(model_path)
    agreement = float(np.mean(litert == keras_predicted))
    assert agreement >= MIN_AGREEMENT, tr(
        f"the LiteRT file and the Keras model in {Path(model_path).name} predict the same digit for "
        f"{agreement:.0%} of the first {DIGITS} test digits; at least {MIN_AGREEMENT:.0%} expected",
        f"LiteRT 文件与 {Path(model_path).name} 中的 Keras 模型在前 {DIGITS} 个测试数字中"
        f"对 {agreement:.0%} 预测出相同的数字；应至少为 {MIN_AGREEMENT:.0%}",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Run the file on x_test[:100] (Interpreter: set_tensor, invoke, get_tensor; or "
               "export.LiteRTModel(tflite_path).predict) and compare its argmax with reloaded_model's.",
               "在 x_test[:100] 上运行该文件（Interpreter：set_tensor、invoke、get_tensor；或 "
               "export.LiteRTModel(tflite_path).predict），并把它的 argmax 与 reloaded_model 的比较。",
           ))
def test_the_reported_litert_results_are_the_files(litert_digits, litert_agreement, tflite_path, model_path, run_dir):
    require(litert_digits=litert_digits, litert_agreement=litert_agreement)
    reported = np.asarray(litert_digits)
    assert reported.shape == (DIGITS,) and reported.dtype.kind in "iu", tr(
        f"`litert_digits` is {reported.dtype} {reported.shape}, expected {DIGITS} integer digits (the argmax of each "
        "row of probabilities)",
        f"`litert_digits` 是 {reported.dtype} {reported.shape}，应为 {DIGITS} 个整数数字（每行"
        "概率的 argmax）",
    )
    litert = run_the_file(tflite_path, run_dir).argmax(axis=1)
    matches = int(np.sum(reported == litert))
    assert matches >= DIGITS - 2, tr(
        f"`litert_digits` matches what {Path(tflite_path).name} predicts for x_test[:{DIGITS}] on {matches} of "
        f"{DIGITS} digits: run the file itself on the first {DIGITS} test digits",
        f"在 {DIGITS} 个数字中，`litert_digits` 只有 {matches} 个与 {Path(tflite_path).name} 对 x_test[:{DIGITS}] 的"
        f"预测一致：请在前 {DIGITS} 个测试数字上运行该文件本身",
    )
    assert np.ndim(litert_agreement) == 0 and np.issubdtype(np.asarray(litert_agreement).dtype, np.number) and (
        0 <= float(litert_agreement) <= 1), tr(
        f"`litert_agreement` is {litert_agreement!r}, expected a share between 0 and 1",
        f"`litert_agreement` 是 {litert_agreement!r}，应为 0 到 1 之间的比例",
    )
    measured = float(np.mean(litert == keras_digits(model_path)))
    assert abs(float(litert_agreement) - measured) <= AGREEMENT_TOLERANCE, tr(
        f"`litert_agreement` is {float(litert_agreement):.2f}, but the file and the Keras model agree on "
        f"{measured:.2f} of the first {DIGITS} test digits",
        f"`litert_agreement` 是 {float(litert_agreement):.2f}，但该文件与 Keras 模型在前 {DIGITS} 个测试数字中"
        f"对 {measured:.2f} 的数字预测一致",
    )
