"""Where notebooks write: COURSE_OUTPUT_DIR, else the checkout's outputs/, else outputs/ next to the notebook.

Each case runs in a fresh interpreter, started in a folder outside the repository (Jupyter starts a
kernel in its notebook's folder), because ``config`` fixes ``REPO_ROOT`` and ``OUTPUT_DIR`` when it
is imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course_utils import config

ROOT = Path(__file__).resolve().parent.parent
# With an argument, the child also makes that folder with config.output_dir.
REPORT = (
    "import json, sys; from course_utils import config; "
    "made = [str(config.output_dir(name)) for name in sys.argv[1:]]; "
    "print(json.dumps({'file': config.__file__, 'repo_root': config.REPO_ROOT and str(config.REPO_ROOT), "
    "'output_dir': str(config.OUTPUT_DIR), 'made': made}))"
)


def locations(cwd: Path, output_dir: str | None = None, pythonpath: Path | None = None, make: str | None = None):
    env = {key: value for key, value in os.environ.items() if key not in ("COURSE_OUTPUT_DIR", "PYTHONPATH")}
    if output_dir is not None:
        env["COURSE_OUTPUT_DIR"] = output_dir
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    command = [sys.executable, "-c", REPORT, *([make] if make else [])]
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_a_source_checkout_writes_to_its_outputs_folder(tmp_path: Path) -> None:
    found = locations(tmp_path)  # nothing made: the checkout's outputs/ belongs to the notebooks
    assert found["repo_root"] == str(ROOT)
    assert found["output_dir"] == str(ROOT / "outputs") == str(config.OUTPUT_DIR)
    assert not (tmp_path / "outputs").exists()


def test_course_output_dir_wins_and_a_relative_value_starts_here(tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere"
    found = locations(tmp_path, output_dir=str(chosen), make="nb")
    assert found["repo_root"] == str(ROOT)  # still a checkout; the variable decides anyway
    assert found["output_dir"] == str(chosen)
    assert found["made"] == [str(chosen / "nb")] and (chosen / "nb").is_dir()
    assert locations(tmp_path, output_dir="relative")["output_dir"] == str(tmp_path / "relative")


def test_an_installed_package_writes_next_to_the_notebook(tmp_path: Path) -> None:
    # The package copied into a folder of its own, as pip puts it in site-packages: no checkout above it.
    site_packages = tmp_path / "site-packages"
    shutil.copytree(ROOT / "course_utils", site_packages / "course_utils",
                    ignore=shutil.ignore_patterns("__pycache__", "resources"))
    notebook_folder = tmp_path / "class" / "week1"
    notebook_folder.mkdir(parents=True)
    found = locations(notebook_folder, pythonpath=site_packages, make="nb")
    assert Path(found["file"]).parent == site_packages / "course_utils"
    assert found["repo_root"] is None
    assert found["output_dir"] == str(notebook_folder / "outputs")
    assert (notebook_folder / "outputs" / "nb").is_dir()
    assert locations(notebook_folder, output_dir=str(tmp_path / "mine"), pythonpath=site_packages)["output_dir"] == (
        str(tmp_path / "mine")
    )
