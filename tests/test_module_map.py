"""The module map in ``course_utils/__init__.py`` is true, and long signatures are documented.

The map says, for every module, which notebooks import it and whether it is a ``python -m``
entry point; both are computed here from the notebooks and the sources, so the map cannot drift.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import course_utils

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
NOTEBOOKS = ROOT / "notebooks"
MODULES = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
LESSONS = sorted(path.stem[:2] for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SPECIAL = {"capstone": "capstone", "keras2_to_keras3": "appendix"}
#: Public functions and methods with this many parameters (self and cls not counted) explain
#: them in an ``Args:`` section, as Keras' own docstrings do.
ARGS_SECTION_FROM = 5


def map_rows() -> dict[str, tuple[set[str], bool]]:
    """module -> (the notebooks the map says import it, marked as a ``python -m`` entry point)."""
    doc = course_utils.__doc__ or ""
    rules = [index for index, line in enumerate(doc.splitlines()) if line.startswith("=====")]
    assert len(rules) == 3, "course_utils/__init__.py: the module map is a table with three '=====' rules"
    rows: dict[str, tuple[set[str], bool]] = {}
    for line in doc.splitlines()[rules[1] + 1 : rules[2]]:
        if not line[:1].strip():
            continue  # a continued description
        module, lessons, description = line[:20].strip(), line[20:44].strip(), line[44:]
        rows[module] = (expand(lessons), "(-m)" in description)
    return rows


def expand(lessons: str) -> set[str]:
    """'all capstone 02-04 12' -> the notebook numbers and names it stands for."""
    names: set[str] = set()
    for token in lessons.split():
        if token == "-":
            continue
        if token == "all":
            names.update(LESSONS)
        elif re.fullmatch(r"\d\d-\d\d", token):
            first, last = (int(part) for part in token.split("-"))
            names.update(f"{number:02d}" for number in range(first, last + 1))
        else:
            names.add(token)
    return names


def importers(module: str) -> set[str]:
    """The notebooks whose code cells import ``course_utils.<module>``."""
    pattern = re.compile(
        rf"from course_utils import [^\n]*\b{module}\b"
        rf"|from course_utils\.{module} import|import course_utils\.{module}\b"
    )
    found = set()
    for path in NOTEBOOKS.glob("*.ipynb"):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        if pattern.search(code):
            found.add(SPECIAL.get(path.stem, path.stem[:2]))
    return found


def test_the_map_lists_every_module_once() -> None:
    rows = map_rows()
    assert sorted(rows) == MODULES, (
        "course_utils/__init__.py: the module map must list exactly the modules in course_utils/; "
        f"missing {sorted(set(MODULES) - set(rows))}, not a module {sorted(set(rows) - set(MODULES))}"
    )


def test_the_expansion_of_lesson_lists() -> None:
    assert expand("02-04 12 capstone") == {"02", "03", "04", "12", "capstone"}
    assert expand("-") == set()
    assert expand("all") == set(LESSONS) and len(LESSONS) >= 13


@pytest.mark.parametrize("module", MODULES)
def test_the_map_says_which_notebooks_import_the_module(module: str) -> None:
    said, _ = map_rows().get(module, (set(), False))
    assert said == importers(module), (
        f"course_utils/__init__.py: the module map says {module} is imported by {sorted(said)}, "
        f"the notebooks that do are {sorted(importers(module))}: correct the map's row"
    )


@pytest.mark.parametrize("module", MODULES)
def test_the_map_marks_the_python_m_entry_points(module: str) -> None:
    _, marked = map_rows().get(module, (set(), False))
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    runnable = any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body)
    assert marked == runnable, (
        f"course_utils/__init__.py: {module} {'runs' if runnable else 'does not run'} as `python -m`, "
        f"so its row should {'' if runnable else 'not '}end with (-m)"
    )


def undocumented_long_signatures(source: str, where: str) -> list[str]:
    """Public functions and methods in ``source`` with many parameters and no ``Args:`` section."""
    tree = ast.parse(source)
    # Module-level functions and methods of module-level classes: nested functions are not public.
    candidates = [*tree.body, *(item for node in tree.body if isinstance(node, ast.ClassDef) for item in node.body)]
    missing = []
    for node in candidates:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name.startswith("_"):
            continue
        arguments = node.args
        names = [a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]]
        count = len([name for name in names if name not in ("self", "cls")])
        if count >= ARGS_SECTION_FROM and "Args:" not in (ast.get_docstring(node) or ""):
            missing.append(f"{where}:{node.lineno} {node.name} ({count} parameters)")
    return missing


def test_long_signatures_explain_their_arguments() -> None:
    missing = [
        problem
        for module in MODULES
        for problem in undocumented_long_signatures(
            (PACKAGE / f"{module}.py").read_text(encoding="utf-8"), f"course_utils/{module}.py"
        )
    ]
    assert not missing, (
        f"public functions with {ARGS_SECTION_FROM}+ parameters need an 'Args:' section in their docstring:\n  "
        + "\n  ".join(missing)
    )


def test_the_signature_check_counts_parameters_and_reads_the_docstring() -> None:
    source = '''
def five(a, b, c, d, *, e):
    """No sections."""

class Panel:
    def four(self, a, b, c, d):
        """Four without self."""

    def explained(self, a, b, c, d, e):
        """Five.

        Args:
            a: ...
        """

def _private(a, b, c, d, e):
    def nested(a, b, c, d, e):
        pass
'''
    assert undocumented_long_signatures(source, "x.py") == ["x.py:2 five (5 parameters)"]
