"""The repository keeps its promises: clean notebooks, a README that lists them, lint-free code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils.config import KERNEL_NAME

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHECK_TAG = "nbval-check-output"
#: Notebooks outside the numbered lessons: the capstone (the student's own work) and the appendix.
CAPSTONE = "capstone"
APPENDIX = "keras2_to_keras3"


def test_the_lessons_are_numbered_from_01_without_a_gap_beside_the_capstone_and_the_appendix() -> None:
    numbers = sorted(int(path.name[:2]) for path in NOTEBOOKS if path.name[:2].isdigit())
    assert numbers == list(range(1, len(numbers) + 1)), f"lesson numbers {numbers}: one is missing or doubled"
    others = sorted(path.stem for path in NOTEBOOKS if not path.name[:2].isdigit())
    assert others == sorted([CAPSTONE, APPENDIX])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_named_and_committed_clean(path: Path) -> None:
    assert re.fullmatch(rf"(\d\d_[a-z0-9_]+|{CAPSTONE}|{APPENDIX})\.ipynb", path.name), (
        "notebooks are named NN_topic.ipynb (or capstone.ipynb, keras2_to_keras3.ipynb)")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    # The standard kernel, so a notebook runs in any Jupyter (JupyterHub, Binder, VS Code, plain pip).
    assert notebook["metadata"]["kernelspec"]["name"] == KERNEL_NAME
    checked = 0
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tags = cell["metadata"].get("tags", [])
        # Test markers live in cell tags, not in the code a student reads.
        assert "NBVAL" not in source, f"cell {index}: move the nbval marker into the cell's tags"
        if CHECK_TAG in tags:
            checked += 1
            assert cell["outputs"], f"cell {index} is checked by nbval but has no stored output"
            # nbval compares a cell's output only when the stored cell has an execution count.
            assert cell.get("execution_count") is not None, f"checked cell {index} lost its execution count"
            for output in cell["outputs"]:
                assert output.get("name") != "stderr", f"cell {index} stores stderr"
        else:
            assert cell.get("execution_count") is None, f"cell {index} has an execution count"
            assert not cell["outputs"], f"cell {index} stores outputs but is not tagged {CHECK_TAG}"
    if path.stem != CAPSTONE:  # the capstone is the student's work from start to end
        assert checked >= 1, "every lesson (and the appendix) checks at least one deterministic output"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_starts_with_setup_and_ends_with_exercises(path: Path) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "config.setup(" in code[0], "the first code cell calls config.setup()"
    if path.stem == CAPSTONE:  # the student's work from start to end: all of it exercises
        return
    if path.stem == APPENDIX:  # reference, not a lesson: classroom/ (release, grading) knows only the lessons
        assert not any(cell.get("id", "").startswith("exercise-") for cell in cells), "the appendix has no exercises"
        return
    headings = [i for i, cell in enumerate(cells)
                if cell["cell_type"] == "markdown" and re.search(r"^##\s*Exercises", "".join(cell["source"]), re.M)]
    assert headings, "the lesson ends with an '## Exercises' section"
    # After the heading come only the exercises (classroom/README.md): the section is the end.
    section = cells[headings[-1] + 1:]
    assert all(cell.get("id", "").startswith(("exercise", "answer-", "explain-", "check-")) for cell in section), (
        "only exercise cells (ids exercises-setup, exercise-/answer-/explain-/check-exNN_k) follow '## Exercises'")


def test_readme_names_exactly_the_notebooks_there_are() -> None:
    """Every notebook is in README.md, and every notebook README.md names is there: none lost or left out."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(rf"\b(\d\d_[a-z0-9_]+|{CAPSTONE}|{APPENDIX})\.ipynb", readme))
    there = {path.stem for path in NOTEBOOKS}
    assert not there - named, f"README.md does not list {sorted(there - named)}"
    assert not named - there, f"README.md names notebooks that are not in notebooks/: {sorted(named - there)}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 course.py test" in readme
    assert "python3 course.py lab" in readme
    assert re.search(r"^python3 course\.py test\s*$", ci, re.MULTILINE)


def test_ruff_finds_nothing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_requirements_are_pinned_and_complete() -> None:
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line]
    assert all("==" in line for line in requirements), "every requirement is pinned with =="
    names = {re.split(r"[=;\s]", line)[0].lower() for line in requirements}
    stack = {"tensorflow", "keras", "numpy", "matplotlib", "seaborn", "jupyterlab", "ipywidgets", "ipykernel",
             "nbval", "pytest"}
    assert stack <= names, f"missing from requirements.txt: {stack - names}"
    assert "tensorflow-model-optimization" not in names  # it installs a second TensorFlow and Keras 2


def test_tf_keras_is_keras_3() -> None:
    import keras
    import tensorflow as tf

    assert keras.__version__.startswith("3.")
    assert tf.keras.__version__ == keras.__version__


def test_test_command_keeps_each_notebook_whole_on_one_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_script", ROOT / "course.py")
    assert spec is not None and spec.loader is not None
    course_script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_script)

    monkeypatch.setattr(course_script.os, "cpu_count", lambda: 2)
    assert course_script.parallel_options([]) == ["-n", "2", "--dist", "loadfile", "--no-loadscope-reorder"]
    monkeypatch.setattr(course_script.os, "cpu_count", lambda: 64)
    assert course_script.parallel_options(["-k", "01_data"])[:2] == ["-n", "4"]  # capped: memory, not cores
    assert course_script.parallel_options(["-n", "0"]) == []  # the user's choice wins
    monkeypatch.setattr(course_script.os, "cpu_count", lambda: 1)
    assert course_script.parallel_options([]) == []
