"""What the course defines once keeps one value where a copy cannot be avoided.

``course.py`` runs before ``course_utils`` is installed (standard library only), so it keeps its
own copy of the Jupyter kernel's name (``config.KERNEL_NAME``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from course_utils import config

ROOT = Path(__file__).resolve().parent.parent


def test_the_launcher_registers_the_kernel_the_package_names() -> None:
    spec = importlib.util.spec_from_file_location("course_script_for_names", ROOT / "course.py")
    assert spec is not None and spec.loader is not None
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    assert course.KERNEL_NAME == config.KERNEL_NAME
