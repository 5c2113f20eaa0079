"""The teacher's commands: the release hides the solutions and runs alone; grading survives bad notebooks.

``python3 course.py teacher release OUT`` and ``python3 course.py teacher grade SUBMISSIONS OUT``
(classroom/release.py, classroom/grade.py), run for real: otter-grader builds the autograder zips
and ``otter run`` executes every returned notebook in fast mode.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from classroom import exercises, grade, release
from course_utils.config import KERNEL_NAME

ROOT = Path(__file__).resolve().parent.parent
FIRST_LESSON = exercises.NOTEBOOKS_DIR / "01_data.ipynb"
FIRST_IDS = [exercise.id for exercise in exercises.find_exercises(FIRST_LESSON)]


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    result = subprocess.run([sys.executable, "-m", "classroom", "release", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return out


TEXT_SUFFIXES = {".ipynb", ".py", ".md", ".txt"}


def _all_text(folder: Path) -> str:
    """Every text file of the release but the course_utils copy (the package students have anyway)."""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace")
                     for path in folder.rglob("*") if path.is_file() and path.suffix in TEXT_SUFFIXES
                     and "course_utils" not in path.relative_to(folder).parts)


def test_the_student_folder_has_every_notebook_and_public_check_and_no_solution(released: Path) -> None:
    student = released / "student"
    assert exercises.appendix_notebooks(), "the appendix keras2_to_keras3.ipynb is missing"
    for path in sorted(exercises.NOTEBOOKS_DIR.glob("*.ipynb")):  # the appendix too: the lessons link to it
        assert (student / path.name).exists(), f"{path.name} is missing from the student folder"
    for path in exercises.lesson_notebooks():
        for exercise in exercises.find_exercises(path):
            assert (student / "checks" / f"{exercise.id}.py").exists()
    everything = _all_text(student)
    for path in exercises.lesson_notebooks():
        own = (student / path.name).read_text(encoding="utf-8")
        for line in release.solution_lines(path):
            assert line not in own, f"solution code of {path.name} reached the students: {line!r}"
    assert "# %% ex01_1" not in everything, "a solutions file reached the students"
    for path in exercises.lesson_notebooks():  # every answer cell is the skeleton the repository has
        released = {cell.get("id"): exercises.source(cell)
                    for cell in exercises.read_notebook(student / path.name)["cells"]}
        for exercise in exercises.find_exercises(path):
            assert released[f"answer-{exercise.id}"] == exercise.answer_source
    assert "classroom" not in {p.name for p in student.iterdir()}, "the teacher's package must not be copied"
    for check in (student / "checks").glob("*.py"):
        assert not release.has_hidden_cases(check.read_text(encoding="utf-8")), f"{check.name} has hidden cases"


def test_the_student_folder_has_the_chinese_edition_beside_the_same_checks(released: Path) -> None:
    from course_utils import exercises as checks_location

    student = released / "student"
    for path in sorted((exercises.NOTEBOOKS_DIR / "zh").glob("*.ipynb")):
        assert (student / "zh" / path.name).exists(), f"zh/{path.name} is missing from the student folder"
    for path in exercises.lesson_notebooks():
        own = (student / "zh" / path.name).read_text(encoding="utf-8")
        assert not [line for line in release.solution_lines(path) if line in own], f"zh/{path.name}: solution code"
    assert checks_location.checks_folder(student / "zh") == "../checks"  # a kernel started in zh/ finds them
    assert "zh/" in (student / "README.md").read_text(encoding="utf-8")


def test_the_teacher_folder_has_solutions_rubrics_and_an_autograder_per_notebook(released: Path) -> None:
    teacher = released / "teacher"
    for path in exercises.lesson_notebooks():
        solved = json.loads((teacher / "solutions" / path.name).read_text(encoding="utf-8"))
        sources = {cell.get("id"): exercises.source(cell) for cell in solved["cells"]}
        for exercise_id, code in exercises.load_solutions(path).items():
            assert sources[f"answer-{exercise_id}"].strip() == code.strip()
            assert sources[f"check-{exercise_id}"] == f'grader.check("{exercise_id}")'
        with zipfile.ZipFile(teacher / "autograder" / f"{path.stem}.zip") as archive:
            names = set(archive.namelist())
        expected = {f"tests/{exercise.id}.py" for exercise in exercises.find_exercises(path)}
        assert expected <= names, f"{path.stem}.zip lacks {sorted(expected - names)}"
    assert sorted(p.name for p in (teacher / "rubrics").glob("*.md")) == sorted(
        p.name for p in exercises.RUBRICS_DIR.glob("*.md"))


def test_a_second_release_into_the_same_folder_is_refused(released: Path) -> None:
    with pytest.raises(release.ReleaseError, match="already exists"):
        release.release(released)


def test_the_student_folder_runs_alone_and_its_checks_fail_untouched_with_their_hints(
        released: Path, tmp_path: Path) -> None:
    # Copied alone: no repository beside it, its own course_utils, outputs written next to it.
    alone = tmp_path / "class-copy"
    shutil.copytree(released / "student", alone)
    notebook = nbformat.read(alone / FIRST_LESSON.name, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "import course_utils, pathlib\n"
        "print('PACKAGE', pathlib.Path(course_utils.__file__).resolve())\n"
        "print('OUTPUTS', config.OUTPUT_DIR)"))
    env_before = os.environ.copy()
    os.environ.pop("COURSE_OUTPUT_DIR", None)
    try:
        NotebookClient(notebook, timeout=600, kernel_name=KERNEL_NAME,
                       resources={"metadata": {"path": str(alone)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    outputs = {cell.get("id"): "".join(output.get("text", "") + json.dumps(output.get("data", {}))
                                       for output in cell.get("outputs", []))
               for cell in notebook.cells if cell.cell_type == "code"}
    last = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
    assert f"PACKAGE {alone.resolve()}" in last, last
    assert f"OUTPUTS {alone.resolve()}" in last, last
    for exercise_id in FIRST_IDS:
        shown = outputs[f"check-{exercise_id}"]
        assert "Test case failed" in shown, f"{exercise_id}: the untouched answer did not fail its check"
        from otter.test_files import ExceptionTestFile

        for case in ExceptionTestFile.from_file(str(alone / "checks" / f"{exercise_id}.py")).test_cases:
            assert json.dumps(case.failure_message)[1:-1] in shown, f"{exercise_id}: hint not shown"


def _notebook(cells: list[str], ids: list[str] | None = None) -> dict:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "some-old-kernel", "display_name": "old", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    for cell, cell_id in zip(notebook.cells, ids or [], strict=False):
        cell.id = cell_id
    return notebook


def test_grading_a_class_with_correct_empty_crashing_endless_and_destructive_notebooks(tmp_path: Path) -> None:
    submissions = tmp_path / "handed in"
    submissions.mkdir()
    checks = [f'grader.check("{exercise_id}")' for exercise_id in FIRST_IDS]
    setup = 'import otter\ngrader = otter.Notebook(tests_dir="checks")'
    # A correct one (the lesson solved, under a name that says nothing), an untouched one in a
    # student's sub-folder, and three that misbehave, all claiming to answer lesson 01.
    exercises.write_notebook(release.solved_for_teachers(FIRST_LESSON), submissions / "alice.ipynb")
    (submissions / "bob").mkdir()
    shutil.copy2(FIRST_LESSON, submissions / "bob" / "my work (final) v2.ipynb")
    nbformat.write(nbformat.from_dict(_notebook([setup, "raise RuntimeError('oops')", *checks])),
                   submissions / "carol.ipynb")
    nbformat.write(nbformat.from_dict(_notebook([setup, "while True:\n    pass", *checks])),
                   submissions / "dave.ipynb")
    target = json.dumps(str(submissions))
    nbformat.write(nbformat.from_dict(_notebook([
        setup, f"import shutil\nshutil.rmtree({target}, ignore_errors=True)", *checks])), submissions / "eve.ipynb")
    nbformat.write(nbformat.from_dict(_notebook([setup, "hog = b'x' * (6 * 2**30)", *checks])),
                   submissions / "frank.ipynb")
    (submissions / "notes.txt").write_text("not a notebook\n")
    (submissions / "mallory.ipynb").write_text("{ this is not json")
    before = grade.fingerprint(submissions)

    out = tmp_path / "results"
    # Only dave's endless loop may reach the limit: lesson 01 solved took 53 s under load on 2 cores
    # (a 45-s limit stopped alice once, 2026-11-28), about 30 s on a quiet machine.
    results = grade.grade(submissions, out, time_limit=90, memory_limit_gib=4, log=lambda line: None)

    assert grade.fingerprint(submissions) == before, "the submissions folder changed"
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert set(rows) == {"alice", "bob", "carol", "dave", "eve", "frank", "mallory"}
    assert list(rows["alice"])[1:-1] == FIRST_IDS
    # Full marks for the solved lesson: every exercise out of the points its check file gives.
    from otter.test_files import ExceptionTestFile

    points = {exercise.id: float(sum(case.points for case in ExceptionTestFile.from_file(
        str(exercise.check_file)).test_cases)) for exercise in exercises.find_exercises(FIRST_LESSON)}
    alice = next(result for result in results if result.student == "alice")
    assert alice.possible == points, alice.problems
    assert {exercise_id: float(rows["alice"][exercise_id]) for exercise_id in FIRST_IDS} == points, rows["alice"]
    assert float(rows["alice"]["total"]) == sum(points.values()), rows["alice"]
    for student in ("bob", "carol", "dave", "eve", "frank", "mallory"):
        assert float(rows[student]["total"]) == 0, (student, rows[student])
    problems = {result.student: " ".join(result.problems) for result in results}
    assert "time limit" in problems["dave"]
    assert "memory" in problems["frank"]
    assert "put back as handed in" in problems["eve"]
    assert "not a readable notebook" in problems["mallory"]
    feedback = (out / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert all(exercise_id in feedback for exercise_id in FIRST_IDS)
    assert "Test case failed" in feedback
