"""``course.py`` loaded as a module, for the tests of the launcher and the browser test."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

COURSE_SCRIPT = Path(__file__).resolve().parent.parent / "course.py"


def load_course(name: str = "course_launcher") -> ModuleType:
    """Execute course.py under ``name`` (it is a script, not a package module) and return it."""
    spec = importlib.util.spec_from_file_location(name, COURSE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
