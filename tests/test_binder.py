"""Binder / repo2docker finds what it needs in binder/, and nothing makes it ignore requirements.txt."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")  # TensorFlow 2.21's wheels, as in requirements.txt


def test_binder_folder_holds_the_configuration() -> None:
    # With a binder/ folder, repo2docker reads only the files in it.
    requirement_lines = [line.split("#")[0].strip() for line in (BINDER / "requirements.txt").read_text().splitlines()]
    assert [line for line in requirement_lines if line] == ["-r ../requirements.txt"]
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), "repo2docker reads one line, python-x.y"
    assert runtime.removeprefix("python-") in SUPPORTED_PYTHONS
    post_build = BINDER / "postBuild"
    assert post_build.read_text().startswith("#!/bin/bash\n")
    assert "pip install --no-cache-dir --no-deps ." in post_build.read_text()
    if os.name == "posix":
        assert os.access(post_build, os.X_OK), "repo2docker runs postBuild as a program"


def test_no_conda_environment_file() -> None:
    # An environment.yml would switch repo2docker to conda, which ignores the requirements files.
    for folder in (ROOT, BINDER, ROOT / ".binder"):
        assert not (folder / "environment.yml").exists()
        assert not (folder / "environment.yaml").exists()
