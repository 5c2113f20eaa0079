"""The exercise checks' hints and the helpers' messages speak the student's language (issue 20).

Every hint of notebooks/checks/ is written ``tr(english, chinese)``. otter-grader executes a check
file again at every ``grader.check(...)`` (``otter.test_files.create_test_file`` and
``ExceptionTestFile.from_file`` both ``exec`` it), so the ``failure_message`` given in the
``@test_case`` decorator is made in the language chosen when the check runs, and the assert
messages when they fail. English stays the default and stays as it was.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
from otter.execute import Checker
from otter.nbmeta_config import NBMetadataConfig
from otter.test_files import ExceptionTestFile

from classroom import exercises
from course_utils import ensembles, language, models, training

CHECKS = sorted(exercises.CHECKS_DIR.glob("*.py"))
ALL_EXERCISES = [exercise for path in exercises.lesson_notebooks() for exercise in exercises.find_exercises(path)]
#: Chinese characters or full-width punctuation (a hint made of code names still ends with "。").
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch):
    """Every test starts and ends with no language chosen and no COURSE_LANG: English."""
    monkeypatch.delenv("COURSE_LANG", raising=False)
    language.choose(None)
    yield
    language.choose(None)


def _check(exercise_id: str, namespace: dict):
    """Run a check file the way ``grader.check`` does (otter's Checker, the file executed anew)."""
    path = str(exercises.CHECKS_DIR / f"{exercise_id}.py")
    return Checker.check(path, NBMetadataConfig(), global_env=namespace)


def _skeleton_namespace(exercise: exercises.Exercise) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(exercise.answer_source, f"answer-{exercise.id}", "exec"), namespace)
    return namespace


# ---------------------------------------------------------------------------------------------
# A few hints, in both languages


def test_a_hint_and_an_assert_message_in_english_by_default() -> None:
    result = _check("ex01_1", {"means": ..., "closest_pair": ..., "closest_distance": ...})
    first = result.test_case_results[0]
    assert not first.passed
    assert first.test_case.failure_message == (
        "One mean per digit, in the order 0 to 9: "
        "np.stack([x_train_scaled[y_train == d].mean(axis=0) for d in range(10)])."
    )
    assert "AssertionError: `means` is still `...`: set it to the ten mean images." in first.message
    assert not CJK.search(result.summary())


def test_the_same_check_in_chinese() -> None:
    language.choose("zh")
    result = _check("ex01_1", {"means": ..., "closest_pair": ..., "closest_distance": ...})
    first = result.test_case_results[0]
    assert first.test_case.failure_message == (
        "每个数字一个均值，按 0 到 9 的顺序：np.stack([x_train_scaled[y_train == d].mean(axis=0) for d in range(10)])。"
    )
    assert "AssertionError: `means` 仍是 `...`：请把它设为十幅均值图像。" in first.message
    assert "每个数字一个均值" in result.summary()  # what grader.check shows a student


def test_a_wrong_answer_gets_its_computed_message_in_either_language() -> None:
    wrong = {"means": np.zeros((3, 3)), "closest_pair": ..., "closest_distance": ...}
    english = _check("ex01_1", dict(wrong)).test_case_results[0].message
    assert "`means` has shape (3, 3); expected (10, 28, 28): one 28×28 mean image per digit" in english
    language.choose("zh")
    chinese = _check("ex01_1", dict(wrong)).test_case_results[0].message
    assert "`means` 的形状是 (3, 3)；应为 (10, 28, 28)：每个数字一幅 28×28 的均值图像" in chinese


def test_the_hint_follows_a_language_chosen_after_the_first_check() -> None:
    """grader.check reads the check file each time: choosing Chinese later changes the next hint."""
    answers = {"replicas": 8, "global_batch_size": 2048}
    before = _check("ex13_2", dict(answers)).test_case_results[0]
    assert before.test_case.failure_message.startswith("Replicas are machines x GPUs per machine")
    assert "`replicas` is 8; count one replica per GPU on every machine." in before.message
    language.choose("zh")
    after = _check("ex13_2", dict(answers)).test_case_results[0]
    assert after.test_case.failure_message.startswith("副本数是机器数 x 每台机器的 GPU 数")
    assert "`replicas` 是 8；每台机器上每个 GPU 算一个副本。" in after.message
    language.choose("en")
    assert _check("ex13_2", dict(answers)).test_case_results[0].message == before.message


def test_course_lang_alone_gives_chinese_hints(monkeypatch) -> None:
    monkeypatch.setenv("COURSE_LANG", "zh-CN")
    result = _check("ex13_2", {"replicas": ..., "global_batch_size": ...})
    assert "`replicas` 仍是 `...`：请把它设为一个 int。" in result.test_case_results[0].message


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=[exercise.id for exercise in ALL_EXERCISES])
def test_an_untouched_answer_gets_chinese_hints_under_zh(exercise: exercises.Exercise) -> None:
    namespace = _skeleton_namespace(exercise)
    language.choose("zh")
    check = ExceptionTestFile.from_file(str(exercise.check_file))
    check.run(namespace)
    for case, result in zip(check.test_cases, check.test_case_results, strict=True):
        assert not result.passed
        assert CJK.search(case.failure_message or ""), f"{exercise.id}: {case.name}'s hint is not in Chinese"
        assert CJK.search(result.message or ""), f"{exercise.id}: {case.name} failed with {result.message!r}"


# ---------------------------------------------------------------------------------------------
# Every message of a check file is written in both languages


def _messages(tree: ast.AST):
    """(line, what, expression) of every hint and failure message a check file shows a student."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            yield node.lineno, "assert message", node.msg
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("failure_message", "success_message"):
                    yield node.lineno, keyword.arg, keyword.value
            if isinstance(node.func, ast.Name) and node.func.id.endswith("Error") and node.args:
                yield node.lineno, f"{node.func.id} message", node.args[0]


def _is_tr(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "tr"


def _fields(node: ast.AST) -> list[str]:
    return sorted(ast.dump(value.value) for value in ast.walk(node) if isinstance(value, ast.FormattedValue))


@pytest.mark.parametrize("path", CHECKS, ids=[path.stem for path in CHECKS])
def test_every_message_of_a_check_is_tr_english_chinese(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    one_language = [f"line {line}: {what}" for line, what, node in _messages(tree) if not _is_tr(node)]
    assert not one_language, f"{path.name}: messages not written tr(english, chinese): {one_language}"
    for node in ast.walk(tree):
        if _is_tr(node):
            assert len(node.args) == 2 and not node.keywords, f"{path.name}:{node.lineno}: tr(english, chinese)"
            english, chinese = node.args
            assert _fields(english) == _fields(chinese), f"{path.name}:{node.lineno}: the two texts' fields differ"
            if isinstance(chinese, ast.Constant) and chinese.value:
                assert CJK.search(chinese.value) or not re.search("[A-Za-z]{3}", english.value or ""), (
                    f"{path.name}:{node.lineno}: the second text of tr() is not Chinese"
                )


# ---------------------------------------------------------------------------------------------
# The helpers' messages


def test_an_ensemble_error_in_both_languages() -> None:
    with pytest.raises(ValueError, match=r"^an ensemble needs at least two members$"):
        ensembles.average_ensemble([])
    language.choose("zh")
    with pytest.raises(ValueError, match=r"^集成至少需要两个成员$"):
        ensembles.average_ensemble([])


def test_an_unknown_model_in_both_languages() -> None:
    with pytest.raises(ValueError, match=r"unknown model 'resnet'; choose one of \['cnn_3x3', 'cnn_5x5', 'dnn'\]"):
        models.build("resnet")
    language.choose("zh")
    with pytest.raises(ValueError, match=r"未知的模型 'resnet'；请从 \['cnn_3x3', 'cnn_5x5', 'dnn'\] 中选择"):
        models.build("resnet")


def test_the_precision_reason_in_both_languages(monkeypatch) -> None:
    monkeypatch.setenv("COURSE_PRECISION", "float32")
    assert training.precision_reason() == "forced by COURSE_PRECISION=float32"
    language.choose("zh")
    assert training.precision_reason() == "由 COURSE_PRECISION=float32 指定"
