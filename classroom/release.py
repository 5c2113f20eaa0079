"""``python3 course.py teacher release OUT/``: the students' folder and the teacher's folder.

``OUT/student/`` holds what a class gets: the lessons and the capstone with their exercises and
public checks, no solution and no hidden check, and a copy of ``course_utils`` so that the folder
runs on its own (copied alone to another machine, after ``pip install -r requirements.txt``).

``OUT/teacher/`` holds the solved notebooks, the rubrics, every check (public and hidden) and one
otter-grader autograder zip per notebook, for ``otter run`` / ``otter grade`` or
``python3 course.py teacher grade``.
"""

from __future__ import annotations

import ast
import copy
import shutil
import tempfile
from pathlib import Path

from classroom import exercises

STUDENT_README = """\
# {title}: the students' folder

Set up once (Python 3.11, 3.12 or 3.13):

    python3 -m venv .venv
    .venv/bin/pip install -r requirements.txt        (Windows: .venv\\Scripts\\pip ...)
    .venv/bin/jupyter lab

Then open `01_data.ipynb`. Every lesson ends with exercises; after each answer, run the check cell
below it (`grader.check("ex01_1")`): it says what is still wrong, with a hint. The checks read
their tests from `checks/`. Keep this folder together: the notebooks import `course_utils/` from it.
Hand in the notebooks as your teacher asks (file names do not matter).

中文版：`zh/` 文件夹中是同样的课程（代码相同，文字为中文，提示信息也是中文），从 `zh/01_data.ipynb`
开始。JupyterLab 的中文界面（语言包已随 requirements.txt 安装）：在 Settings → Language 菜单中选择
“中文（简体, 中国）”。
"""

TEACHER_README = """\
# The teacher's folder

| folder | what |
|---|---|
| `solutions/` | every notebook with the reference solutions in its answer cells |
| `rubrics/` | what a full answer to each open question says, and how to give partial credit |
| `checks/` | every check, public and hidden (the students' folder has the public ones) |
| `autograder/` | one otter-grader autograder zip per notebook |

Grade a folder of returned notebooks (any file names: a student is a file's stem, or the name of a
sub-folder holding their notebooks) from the course's repository:

    python3 course.py teacher grade SUBMISSIONS/ RESULTS/

It writes `RESULTS/grades.csv` (a row per student, a column per exercise, and the total) and
`RESULTS/feedback/STUDENT.md`. Each notebook runs in fast mode, in a temporary copy, with a time
and a memory limit; the submissions folder is left as it was.

The zips also work with otter-grader directly: `otter run -a autograder/01_data.zip notebook.ipynb`
grades one notebook in this environment, `otter grade` grades many in Docker.
"""


class ReleaseError(RuntimeError):
    """The release would leak a solution or a hidden check, or the output folder is not usable."""


def _clear_outputs(notebook: dict) -> dict:
    notebook = copy.deepcopy(notebook)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return notebook


def _hidden_check_file(exercise_id: str) -> Path:
    return exercises.HIDDEN_CHECKS_DIR / f"{exercise_id}.py"


def has_hidden_cases(check_source: str) -> bool:
    """True when a check file declares a test case with ``hidden=True``."""
    tree = ast.parse(check_source)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "hidden":
            if isinstance(node.value, ast.Constant) and node.value.value is True:
                return True
    return False


def full_check_source(exercise_id: str) -> str:
    """The public check file, followed by the exercise's hidden test cases if it has any."""
    text = (exercises.CHECKS_DIR / f"{exercise_id}.py").read_text(encoding="utf-8")
    hidden = _hidden_check_file(exercise_id)
    if hidden.exists():
        separator = "\n\n\n# --- hidden checks (classroom/hidden_checks) ---\n"
        text = text.rstrip("\n") + separator + hidden.read_text(encoding="utf-8")
    return text


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def solution_lines(notebook: Path) -> set[str]:
    """The lines of a notebook's solutions that give something away: none may reach the students.

    A line the students are shown anyway (in the lesson, a question, a skeleton's given code, or
    a public check, which recomputes what it compares with) is not counted; neither are comments
    and short lines (``model.summary()``). The release refuses to write a student folder holding
    any of the others, so that a mistake in the release (a solved notebook copied to the
    students) cannot reach a class.
    """
    shown = [exercises.source(cell) for cell in exercises.read_notebook(notebook)["cells"]]
    for exercise in exercises.find_exercises(notebook):
        if exercise.check_file.exists():
            shown.append(exercise.check_file.read_text(encoding="utf-8"))
    shown_text = "\n".join(shown)
    solution = set()
    for code in exercises.load_solutions(notebook).values():
        solution |= {line for line in _lines(code) if len(line) >= 25 and not line.startswith("#")}
    return {line for line in solution if line not in shown_text}


def _copy_package(target: Path) -> None:
    shutil.copytree(exercises.REPO_ROOT / "course_utils", target / "course_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _write_student_notebook(path: Path, target: Path, solutions_of: Path) -> None:
    notebook = _clear_outputs(exercises.read_notebook(path))
    text = "\n".join(exercises.source(cell) for cell in notebook["cells"])
    leaked = [line for line in solution_lines(solutions_of) if line in text]
    if leaked:
        raise ReleaseError(f"{path.name} contains solution code: {leaked[0]!r}")
    exercises.write_notebook(notebook, target)


def write_student_folder(folder: Path) -> None:
    """The lessons, the appendix and, in ``zh/``, the Chinese edition (which uses the same ``checks/``)."""
    folder.mkdir(parents=True)
    notebooks = [*exercises.lesson_notebooks(), *exercises.appendix_notebooks()]  # the lessons link to the appendix
    chinese = exercises.NOTEBOOKS_DIR / "zh"
    for path in notebooks:
        _write_student_notebook(path, folder / path.name, path)
        if (chinese / path.name).exists():
            (folder / "zh").mkdir(exist_ok=True)
            _write_student_notebook(chinese / path.name, folder / "zh" / path.name, path)
    checks = folder / "checks"
    checks.mkdir()
    for check in sorted(exercises.CHECKS_DIR.glob("*.py")):
        text = check.read_text(encoding="utf-8")
        if has_hidden_cases(text):
            raise ReleaseError(f"{check.name} has a hidden test case: move it to classroom/hidden_checks/")
        (checks / check.name).write_text(text, encoding="utf-8")
    _copy_package(folder)
    shutil.copy2(exercises.REPO_ROOT / "requirements.txt", folder / "requirements.txt")
    (folder / "README.md").write_text(STUDENT_README.format(title=_course_title()), encoding="utf-8")


def _course_title() -> str:
    first_line = (exercises.REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()[0]
    return first_line.lstrip("# ").strip() or "The course"


def solved_for_teachers(path: Path) -> dict:
    """The notebook with its solutions in the answer cells, and the check cells as the students have them."""
    notebook = exercises.solved_notebook(path)
    original = {cell.get("id"): cell for cell in exercises.read_notebook(path)["cells"]}
    for cell in notebook["cells"]:
        if cell.get("id", "").startswith("check-"):
            cell["source"] = original[cell["id"]]["source"]
    return _clear_outputs(notebook)


def build_autograder(notebook: Path, zip_path: Path) -> Path:
    """One otter-grader autograder zip with every check (public and hidden) of ``notebook``'s exercises."""
    from otter.generate import main as otter_generate

    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        tests = Path(scratch) / "tests"
        tests.mkdir()
        for exercise in exercises.find_exercises(notebook):
            (tests / f"{exercise.id}.py").write_text(full_check_source(exercise.id), encoding="utf-8")
        requirements = Path(scratch) / "requirements.txt"
        shutil.copy2(exercises.REPO_ROOT / "requirements.txt", requirements)
        otter_generate(tests_dir=str(tests), output_path=str(zip_path), requirements=str(requirements),
                       no_environment=True, no_config=True)
    return zip_path


def autograder_path(folder: Path, notebook: Path) -> Path:
    return folder / f"{Path(notebook).stem}.zip"


def write_teacher_folder(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "solutions").mkdir()
    (folder / "rubrics").mkdir()
    (folder / "checks").mkdir()
    for path in exercises.lesson_notebooks():
        exercises.write_notebook(solved_for_teachers(path), folder / "solutions" / path.name)
        rubric = exercises.rubric_file(path)
        if rubric.exists():
            shutil.copy2(rubric, folder / "rubrics" / rubric.name)
        for exercise in exercises.find_exercises(path):
            (folder / "checks" / f"{exercise.id}.py").write_text(full_check_source(exercise.id), encoding="utf-8")
        build_autograder(path, autograder_path(folder / "autograder", path))
    (folder / "README.md").write_text(TEACHER_README, encoding="utf-8")


def release(out: Path) -> tuple[Path, Path]:
    """Write ``out/student/`` and ``out/teacher/``; return both folders.

    Raises:
        ReleaseError: when ``out`` already holds a release (choose an empty folder), or when the
            student folder would contain a solution or a hidden check.
    """
    out = Path(out)
    student, teacher = out / "student", out / "teacher"
    for folder in (student, teacher):
        if folder.exists():
            raise ReleaseError(f"{folder} already exists: give an empty or new folder, or delete that one first")
    write_student_folder(student)
    write_teacher_folder(teacher)
    return student, teacher
