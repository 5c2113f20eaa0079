"""Any Jupyter: the course_utils wheel, in a fresh venv, runs notebooks copied out of the repository.

What a class on JupyterHub, Binder, VS Code or a plain ``pip install -r requirements.txt && pip
install .`` gets: ``course_utils`` is an ordinary installed package that carries the bundled digits,
the notebooks sit in some folder of their own, and they run in the standard ``python3`` kernel.

The wheel is built offline (``--no-build-isolation``: setuptools is pinned in requirements.txt) and
installed with ``--no-deps`` into a new venv. Installing the requirements there as well takes minutes
(``python -m venv`` then ``pip install -r requirements.txt`` from pip's local cache: 450 s measured on
the 2-core development machine, 2026-11-27), so the new venv reuses the packages of the venv running
this test through a ``.pth`` file instead. A ``.pth`` file lists
that folder as a plain path, and ``.pth`` files *inside* a folder listed that way are never read:
the editable install of ``course_utils`` there (an import hook started by a ``.pth`` file) stays
off, and the test checks that ``course_utils`` comes from the new venv's wheel.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterable
from pathlib import Path

# The name this process knows; the wheel in the new venv carries the same config.KERNEL_NAME.
from course_utils.config import KERNEL_NAME

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("01_data.ipynb", "08_reloading_and_evaluating.ipynb")
RESOURCES = ("mnist-10k.npz", "mnist-10k.sha256", "my_digit.png", "frontier.json")
# Notebook 08 prints paths relative to its folder: "../outputs/..." in the repository (where the
# stored output was made), "outputs/..." next to a copied notebook. Both sides read "outputs/".
RELATIVE_OUTPUTS_RULE = "\n[outputs folder relative to the notebook]\nregex: (\\.\\./)+outputs/\nreplace: outputs/\n"
RUN_TIMEOUT_SECONDS = 600


# The repository's conftest.py rule for nbval, alone: its other hooks belong to the course's own runs.
NBVAL_CONFTEST = """
def pytest_collection_modifyitems(session, config, items):
    for item in items:
        skip = getattr(item.parent, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            item.parent.skip_compare = tuple(skip) + {keys!r}
"""


def volatile_output_keys() -> tuple[str, ...]:
    """``VOLATILE_OUTPUT_KEYS`` of the repository's conftest.py: what nbval never compares."""
    for node in ast.parse((ROOT / "conftest.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "VOLATILE_OUTPUT_KEYS" for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("conftest.py no longer defines VOLATILE_OUTPUT_KEYS")


def cells_nbval_runs(paths: Iterable[Path]) -> tuple[int, int]:
    """How many code cells of these notebooks nbval runs, and how many it skips (tagged ``nbval-skip``)."""
    cells = [cell for path in paths for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if cell["cell_type"] == "code"]
    skipped = sum("nbval-skip" in cell["metadata"].get("tags", []) for cell in cells)
    return len(cells) - skipped, skipped


def run(command: list[str | Path], **options) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, **options)
    assert result.returncode == 0, f"{command}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    return result


def build_wheel(folder: Path) -> Path:
    """The wheel, built from a copy of the package's sources (no build/ or .egg-info in the checkout)."""
    source = folder / "source"
    shutil.copytree(ROOT / "course_utils", source / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    wheels = folder / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "--quiet",
         "-w", wheels, source])
    (wheel,) = wheels.glob("course_utils-*.whl")
    return wheel


def fresh_venv(folder: Path, wheel: Path) -> tuple[Path, Path]:
    """A new venv with the wheel installed; returns its Python and its site-packages."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    where = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    site_packages = Path(where.stdout.strip())
    # pip of this venv installs into the new one (`--python`); before the .pth below exists, so that pip
    # sees no other course_utils there.
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet", wheel])
    reused = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site_packages / "zz_reuse_course_venv.pth").write_text("".join(f"{path}\n" for path in reused))
    return python, site_packages


def clean_environment(venv_folder: Path, python: Path) -> dict[str, str]:
    """Like a student's: no PYTHONPATH, no pytest or course variables from this run, the venv first on PATH."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTEST_", "COURSE_", "JUPYTER_")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = str(venv_folder)
    env["COURSE_FAST"] = "1"
    env["JUPYTER_PREFER_ENV_PATH"] = "1"  # the new venv's python3 kernel before any user-level one
    return env


def test_wheel_runs_copied_notebooks_outside_the_repository(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"course_utils/resources/{name}" for name in RESOURCES} | {"course_utils/py.typed"} <= names

    venv_folder = tmp_path / "venv"
    python, site_packages = fresh_venv(venv_folder, wheel)
    env = clean_environment(venv_folder, python)

    # The notebooks, copied to a folder of their own with their exercises' checks, and a copy of
    # the tests' nbval settings.
    lesson = tmp_path / "my course"
    lesson.mkdir()
    for name in NOTEBOOKS:
        shutil.copy2(ROOT / "notebooks" / name, lesson / name)
    shutil.copytree(ROOT / "notebooks" / "checks", lesson / "checks")
    (lesson / "conftest.py").write_text(NBVAL_CONFTEST.format(keys=volatile_output_keys()))
    sanitize = lesson / "nbval_sanitize.cfg"
    sanitize.write_text((ROOT / "tests" / "nbval_sanitize.cfg").read_text() + RELATIVE_OUTPUTS_RULE)
    settings = lesson / "pytest.ini"  # instead of the repository's pyproject.toml
    settings.write_text("[pytest]\nfilterwarnings =\n    ignore::DeprecationWarning\n"
                        "    ignore:Overlapping options from comments and metadata\n")

    # What the new venv imports: the wheel's course_utils, which is not in a checkout.
    probe = ("import json, course_utils; from course_utils import config, data, images; "
             "print(json.dumps({'package': course_utils.__file__, 'repo_root': str(config.REPO_ROOT), "
             "'output_dir': str(config.OUTPUT_DIR), 'digits': str(data.BUNDLED_PATH), "
             "'example': str(images.EXAMPLE_DIGIT_PATH)}))")
    found = json.loads(run([python, "-c", probe], cwd=lesson, env=env).stdout.strip().splitlines()[-1])
    package = Path(found["package"]).resolve()
    assert package.parent == (site_packages / "course_utils").resolve(), found
    assert ROOT not in package.parents
    assert found["repo_root"] == "None"
    assert Path(found["output_dir"]) == lesson / "outputs"
    for key in ("digits", "example"):
        assert Path(found[key]).resolve().parent == (site_packages / "course_utils" / "resources").resolve()

    # The standard kernel, registered in the new venv the way `ipykernel install --sys-prefix` does it.
    run([python, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME], env=env)
    spec = run([python, "-c", "from jupyter_client.kernelspec import KernelSpecManager as M; "
                f"print(M().get_kernel_spec({KERNEL_NAME!r}).argv[0])"], cwd=lesson, env=env)
    assert Path(spec.stdout.strip()) == python

    result = subprocess.run(
        [python, "-m", "pytest", "-c", settings, "--rootdir", lesson, "-p", "no:cacheprovider", "-q",
         "--nbval-lax", "--nbval-kernel-name", KERNEL_NAME, "--nbval-sanitize-with", sanitize, *NOTEBOOKS],
        cwd=lesson, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    # nbval makes a test of every code cell: all of them ran (exit status 0 also allows skipped ones).
    ran, skipped = cells_nbval_runs(lesson / name for name in NOTEBOOKS)
    summary = result.stdout.strip().splitlines()[-1]
    expected = rf"{ran} passed" + (rf", {skipped} skipped" if skipped else "") + r"(, \d+ warnings?)? in .+"
    assert re.fullmatch(expected, summary), result.stdout[-3000:]

    # The outputs are next to the notebooks, not in the repository.
    saved = lesson / "outputs" / "08_reloading_and_evaluating"
    assert (saved / "formats" / "model.keras").is_file()
    assert (saved / "bad_files" / "cut.keras").is_file()
