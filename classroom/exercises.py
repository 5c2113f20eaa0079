"""The exercises of the lessons: where they are, their solutions, and the notebooks with them solved.

The layout is described in ``classroom/README.md``. In short: a lesson's exercise ``ex01_1`` has
the cells ``exercise-ex01_1`` (question), ``answer-ex01_1`` (skeleton) and ``check-ex01_1``
(``grader.check("ex01_1")``) in ``notebooks/01_data.ipynb``; its public checks in
``notebooks/checks/ex01_1.py``; its solution in ``classroom/solutions/01_data.py`` (block
``# %% ex01_1``); its rubric in ``classroom/rubrics/01_data.md`` (section ``## ex01_1``).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
CHECKS_DIR = NOTEBOOKS_DIR / "checks"
CLASSROOM_DIR = Path(__file__).resolve().parent
SOLUTIONS_DIR = CLASSROOM_DIR / "solutions"
RUBRICS_DIR = CLASSROOM_DIR / "rubrics"
HIDDEN_CHECKS_DIR = CLASSROOM_DIR / "hidden_checks"

#: ``ex01_1``, ``ex12_3``, ``capstone_4``.
EXERCISE_ID = re.compile(r"^(?:ex\d\d|capstone)_\d+$")
_SOLUTION_BLOCK = re.compile(r"^# %% ((?:ex\d\d|capstone)_\d+)[ \t]*$", re.MULTILINE)
_RUBRIC_SECTION = re.compile(r"^## ((?:ex\d\d|capstone)_\d+)\b.*$", re.MULTILINE)
SETUP_CELL_ID = "exercises-setup"


class ExerciseFormatError(ValueError):
    """A lesson's exercises do not follow the layout of ``classroom/README.md``."""


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lesson, as found in the notebook."""

    id: str
    notebook: Path
    title: str
    answer_source: str
    has_explanation: bool

    @property
    def check_file(self) -> Path:
        return CHECKS_DIR / f"{self.id}.py"


def lesson_notebooks() -> list[Path]:
    """The lessons and the capstone, in course order (``NN_topic.ipynb`` first, then ``capstone``)."""
    numbered = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    capstone = NOTEBOOKS_DIR / "capstone.ipynb"
    return numbered + ([capstone] if capstone.exists() else [])


def appendix_notebooks() -> list[Path]:
    """The notebooks without exercises (``keras2_to_keras3.ipynb``): students get them, graders skip them."""
    lessons = set(lesson_notebooks())
    return sorted(path for path in NOTEBOOKS_DIR.glob("*.ipynb") if path not in lessons)


def read_notebook(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_notebook(notebook: dict, path: Path) -> None:
    Path(path).write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def _cells_by_id(notebook: dict) -> dict[str, dict]:
    return {cell.get("id", ""): cell for cell in notebook["cells"]}


def find_exercises(path: Path) -> list[Exercise]:
    """The exercises of one notebook, in order, checked against the layout.

    Raises:
        ExerciseFormatError: naming the notebook, the exercise and what is missing or misplaced.
    """
    path = Path(path)
    notebook = read_notebook(path)
    cells = _cells_by_id(notebook)
    exercises = []
    for cell in notebook["cells"]:
        cell_id = cell.get("id", "")
        if not cell_id.startswith("exercise-"):
            continue
        exercise_id = cell_id.removeprefix("exercise-")
        where = f"{path.name}, exercise {exercise_id}"
        if not EXERCISE_ID.match(exercise_id):
            raise ExerciseFormatError(f"{where}: the id must look like ex01_1 or capstone_1")
        answer = cells.get(f"answer-{exercise_id}")
        check = cells.get(f"check-{exercise_id}")
        if answer is None or answer["cell_type"] != "code":
            raise ExerciseFormatError(f"{where}: no code cell with id answer-{exercise_id}")
        if check is None or source(check).strip() != f'grader.check("{exercise_id}")':
            raise ExerciseFormatError(f'{where}: no cell check-{exercise_id} holding grader.check("{exercise_id}")')
        title_match = re.search(r"^###\s+(.+)$", source(cell), re.MULTILINE)
        if title_match is None:
            raise ExerciseFormatError(f"{where}: the question cell must start with a ### heading")
        exercises.append(Exercise(
            id=exercise_id, notebook=path, title=title_match.group(1).strip(),
            answer_source=source(answer), has_explanation=f"explain-{exercise_id}" in cells,
        ))
    return exercises


def solutions_file(notebook: Path) -> Path:
    return SOLUTIONS_DIR / f"{Path(notebook).stem}.py"


def rubric_file(notebook: Path) -> Path:
    return RUBRICS_DIR / f"{Path(notebook).stem}.md"


def load_solutions(notebook: Path) -> dict[str, str]:
    """``{exercise id: solution code}`` from ``classroom/solutions/NN_topic.py``."""
    path = solutions_file(notebook)
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    parts = _SOLUTION_BLOCK.split(text)
    # parts = [preamble, id1, code1, id2, code2, ...]
    return {parts[i]: parts[i + 1].strip("\n") + "\n" for i in range(1, len(parts), 2)}


def load_rubrics(notebook: Path) -> dict[str, str]:
    """``{exercise id: rubric markdown}`` from ``classroom/rubrics/NN_topic.md``."""
    path = rubric_file(notebook)
    if not path.exists():
        return {}
    text = path.read_text(encoding="utf-8")
    matches = list(_RUBRIC_SECTION.finditer(text))
    rubrics = {}
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        rubrics[match.group(1)] = text[match.start():end].strip() + "\n"
    return rubrics


def asserting_check(exercise_id: str) -> str:
    """The source that replaces a check cell in a solved notebook: fail unless every check passed."""
    return (
        f'_checked = grader.check("{exercise_id}")\n'
        f"assert _checked.passed_all, _checked\n"
        f"_checked"
    )


def solved_notebook(path: Path) -> dict:
    """The notebook with every answer cell replaced by its solution, and every check asserting.

    Raises:
        ExerciseFormatError: when an exercise has no solution.
    """
    path = Path(path)
    notebook = copy.deepcopy(read_notebook(path))
    solutions = load_solutions(path)
    exercise_ids = [exercise.id for exercise in find_exercises(path)]
    missing = [exercise_id for exercise_id in exercise_ids if exercise_id not in solutions]
    if missing:
        raise ExerciseFormatError(f"{path.name}: no solution in {solutions_file(path).name} for {', '.join(missing)}")
    for cell in notebook["cells"]:
        cell_id = cell.get("id", "")
        if cell_id.startswith("answer-") and cell_id.removeprefix("answer-") in solutions:
            cell["source"] = solutions[cell_id.removeprefix("answer-")]
        elif cell_id.startswith("check-") and cell_id.removeprefix("check-") in exercise_ids:
            cell["source"] = asserting_check(cell_id.removeprefix("check-"))
    return notebook


def write_solved(path: Path, folder: Path) -> Path:
    """Write the solved notebook and a copy of ``checks/`` into ``folder``; return the notebook's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(path).name
    write_notebook(solved_notebook(path), target)
    if CHECKS_DIR.exists():
        shutil.copytree(CHECKS_DIR, folder / "checks", dirs_exist_ok=True)
    return target


def main(argv: list[str]) -> int:
    """``python -m classroom.exercises solve NOTEBOOK... --into FOLDER``: write solved copies."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m classroom.exercises")
    commands = parser.add_subparsers(dest="command", required=True)
    solve = commands.add_parser("solve", help="write the notebooks with their solutions filled in")
    solve.add_argument("notebooks", nargs="+", type=Path)
    solve.add_argument("--into", type=Path, default=REPO_ROOT / "outputs" / "solved")
    listing = commands.add_parser("list", help="list the exercises of every lesson")
    listing.add_argument("notebooks", nargs="*", type=Path)
    arguments = parser.parse_args(argv)
    if arguments.command == "solve":
        for notebook in arguments.notebooks:
            print(write_solved(notebook, arguments.into))
    else:
        for notebook in arguments.notebooks or lesson_notebooks():
            for exercise in find_exercises(notebook):
                print(f"{exercise.id}\t{notebook.name}\t{exercise.title}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
