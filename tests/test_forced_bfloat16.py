"""The unit tests of the modules that train, save and export, run once more under forced ``mixed_bfloat16``.

Machines with bfloat16 hardware (recent server CPUs, NVIDIA GPUs from Ampere on) train the
course's models in ``mixed_bfloat16``; machines without it in float32. So that every machine tests
both paths, this test runs those modules in a second pytest process with
``COURSE_PRECISION=mixed_bfloat16`` (the root ``conftest.py`` then sets that policy before every
module and test). The notebooks that train with the fast path get their own forced copies in the
same way (``NAME.ipynb[mixed_bfloat16]``, see ``conftest.py``). Emulated bfloat16 is slow on CPUs
without it, which is why only these modules run twice, and all in fast mode.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("test_training.py", "test_recipes.py", "test_widgets.py", "test_saving.py", "test_export.py",
           "test_mixed_precision.py")


def test_the_training_saving_and_export_tests_pass_under_mixed_bfloat16() -> None:
    if os.environ.get("COURSE_PRECISION"):
        pytest.skip("this pytest run already forces a precision")
    env = dict(os.environ, COURSE_PRECISION="mixed_bfloat16", COURSE_FAST="1")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "--no-header",
               "-o", "addopts=", *[f"tests/{name}" for name in MODULES]]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500)
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, f"under COURSE_PRECISION=mixed_bfloat16:\n{tail}\n{result.stderr[-2000:]}"
    # Every test of the modules ran and passed: exit status 0 also allows skipped, deselected or xfailed ones.
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed(, \d+ warnings?)? in .+", summary), f"not all passed under mixed_bfloat16:\n{tail}"
