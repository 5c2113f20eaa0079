"""The type hints are checked: course_utils ships py.typed, so its hints must be true, as mypy reads them."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: A first run (no .mypy_cache/ yet, as in a fresh clone) takes about 15 s of CPU, a later one about
#: 2 s; the limit only stops a run that hangs.
TIME_LIMIT_SECONDS = 600


def test_the_package_says_it_is_typed() -> None:
    # PEP 561: without py.typed, mypy and editors ignore the hints of an installed course_utils.
    assert (ROOT / "course_utils" / "py.typed").is_file()


def test_mypy_finds_nothing() -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.fail(
            f"mypy is not installed in {sys.prefix}: it is pinned in requirements.txt, which "
            "`python3 course.py test` installs (or: python -m pip install -r requirements.txt)."
        )
    # What is checked and how strictly is pyproject.toml's [tool.mypy]. The cache goes to
    # .mypy_cache/ (git ignores it), so a second run checks only what changed.
    try:
        result = subprocess.run(
            [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"mypy did not finish in {TIME_LIMIT_SECONDS} s. Run `python -m mypy` in {ROOT} to see where it stops."
        )
    assert result.returncode == 0, result.stdout + result.stderr
    # Not vacuous: mypy read every module of the package and course.py (a config that checks
    # nothing also exits 0).
    checked = re.search(r"no issues found in (\d+) source files", result.stdout)
    modules = len(list((ROOT / "course_utils").glob("*.py"))) + 1
    assert checked and int(checked.group(1)) >= modules, result.stdout
