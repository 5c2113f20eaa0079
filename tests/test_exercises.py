"""The exercises follow classroom/README.md: every one has a question, a skeleton, a check with hints,
a solution and (for open parts) a rubric; untouched answers fail every check with their hint.

The solutions themselves are run by nbval: conftest.py runs every lesson with its exercises solved
(classroom.exercises.solved_notebook) and each check cell asserting that all checks passed.
"""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

import pytest

from classroom import exercises

LESSONS = [path for path in exercises.lesson_notebooks() if path.stem[:2].isdigit()]
ALL_NOTEBOOKS = exercises.lesson_notebooks()
ALL_EXERCISES = [exercise for path in ALL_NOTEBOOKS for exercise in exercises.find_exercises(path)]


def _ids(values):
    return [getattr(value, "id", getattr(value, "name", str(value))) for value in values]


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_every_lesson_has_at_least_three_exercises(path: Path) -> None:
    found = exercises.find_exercises(path)
    assert len(found) >= 3, f"{path.name} has {len(found)} exercises in the layout of classroom/README.md"
    number = path.stem[:2]
    assert [exercise.id for exercise in found] == [f"ex{number}_{k}" for k in range(1, len(found) + 1)]


def test_the_capstone_exists_with_its_checks() -> None:
    capstone = exercises.NOTEBOOKS_DIR / "capstone.ipynb"
    assert capstone.exists(), "notebooks/capstone.ipynb is missing"
    found = [exercise.id for exercise in exercises.find_exercises(capstone)]
    assert len(found) >= 4, f"the capstone has {len(found)} parts in the layout of classroom/README.md"
    assert found == [f"capstone_{k}" for k in range(1, len(found) + 1)]  # classroom/README.md's ids, in order


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_the_exercises_section_loads_the_checks_first(path: Path) -> None:
    notebook = exercises.read_notebook(path)
    ids = [cell.get("id", "") for cell in notebook["cells"]]
    assert exercises.SETUP_CELL_ID in ids, f"{path.name}: no cell with id {exercises.SETUP_CELL_ID}"
    setup = notebook["cells"][ids.index(exercises.SETUP_CELL_ID)]
    assert "otter.Notebook(tests_dir=exercises.checks_folder())" in exercises.source(setup)
    first_exercise = next(i for i, cell_id in enumerate(ids) if cell_id.startswith("exercise-"))
    assert ids.index(exercises.SETUP_CELL_ID) < first_exercise


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids(ALL_EXERCISES))
def test_every_exercise_has_a_check_file_a_solution_and_if_open_a_rubric(exercise: exercises.Exercise) -> None:
    assert exercise.check_file.exists(), f"{exercise.id}: no {exercise.check_file.relative_to(exercises.REPO_ROOT)}"
    solutions = exercises.load_solutions(exercise.notebook)
    assert exercise.id in solutions, f"{exercise.id}: no block '# %% {exercise.id}' in the solutions file"
    assert solutions[exercise.id].strip() != exercise.answer_source.strip(), "the solution is the skeleton"
    if exercise.has_explanation:
        rubrics = exercises.load_rubrics(exercise.notebook)
        assert exercise.id in rubrics, f"{exercise.id} asks for an explanation: add '## {exercise.id}' to its rubrics"


def _skeleton_namespace(exercise: exercises.Exercise) -> dict:
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(exercise.answer_source, f"answer-{exercise.id}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids(ALL_EXERCISES))
def test_the_skeleton_runs_alone_and_sets_its_answers_to_ellipsis(exercise: exercises.Exercise) -> None:
    namespace = _skeleton_namespace(exercise)
    answers = {name for name, value in namespace.items() if value is Ellipsis}
    assert answers, f"answer-{exercise.id}: the skeleton must set its answer variables to `...`"


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids(ALL_EXERCISES))
def test_an_untouched_answer_fails_every_check_with_its_hint(exercise: exercises.Exercise) -> None:
    from otter.test_files import ExceptionTestFile

    namespace = _skeleton_namespace(exercise)
    check = ExceptionTestFile.from_file(str(exercise.check_file))
    check.run(namespace)
    assert check.test_cases, f"{exercise.check_file.name} has no test case"
    for case, result in zip(check.test_cases, check.test_case_results, strict=True):
        assert not result.passed, f"{exercise.id}: test case {case.name} passes on the untouched skeleton"
        hint = case.failure_message or ""
        assert len(hint.split()) >= 4, f"{exercise.id}: test case {case.name} needs a failure_message that is a hint"
        assert "failed" not in hint.lower(), f"{exercise.id}: a hint says what to do, not that it failed"
    assert check.score == 0


@pytest.mark.parametrize("exercise", ALL_EXERCISES, ids=_ids(ALL_EXERCISES))
def test_every_assert_in_a_check_says_what_is_wrong(exercise: exercises.Exercise) -> None:
    tree = ast.parse(exercise.check_file.read_text(encoding="utf-8"))
    silent = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert) and node.msg is None]
    assert not silent, f"{exercise.check_file.name}: asserts without a message on lines {silent}"


def test_check_files_belong_to_exercises() -> None:
    known = {exercise.id for exercise in ALL_EXERCISES}
    stray = sorted(path.stem for path in exercises.CHECKS_DIR.glob("*.py") if path.stem not in known)
    assert not stray, f"check files without an exercise in any notebook: {stray}"
