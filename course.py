#!/usr/bin/env python3
"""Set up the course and open it, or set it up and run every test. Needs only Python 3.10+.

    python3 course.py lab     # create .venv, install, open JupyterLab on notebooks/
    python3 course.py test    # create .venv, install, run every test (fast mode)

Set-up is done once: later runs reuse ``.venv/`` and reinstall only when ``requirements.txt``
or ``pyproject.toml`` changed. Extra arguments after ``test`` go to pytest
(``python3 course.py test -k 01_data``); after ``lab``, to JupyterLab.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".course-installed"
KERNEL_NAME = "mnist-course"
KERNEL_DISPLAY_NAME = "Python (MNIST course)"
MIN_PYTHON = (3, 10)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True, env=env)


def requirements_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def set_up() -> Path:
    """Create the virtual environment if needed and install the pinned packages and the course."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"The course needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer; this is {sys.version.split()[0]}.")
    python = venv_python()
    if not python.exists():
        print(f"Creating the course's virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = requirements_fingerprint()
    if not STAMP.exists() or STAMP.read_text() != fingerprint:
        print("Installing the pinned packages (a few minutes the first time) ...", flush=True)
        run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt")
        run(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
        # A named kernel inside .venv: notebooks ask for it, so a lesson never runs in another Python.
        run(python, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME,
            "--display-name", KERNEL_DISPLAY_NAME)
        STAMP.write_text(fingerprint)
    return python


def lab(extra: list[str]) -> None:
    python = set_up()
    env = dict(os.environ)
    env.pop("COURSE_FAST", None)  # students get full mode
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        # Containers and classroom VMs often run as root; JupyterLab refuses that unless told.
        extra = ["--allow-root", *extra]
    print("\nOpening JupyterLab on notebooks/ (stop it with Ctrl+C). Start with 01_data.ipynb.\n", flush=True)
    try:
        run(python, "-m", "jupyter", "lab", "--notebook-dir", str(ROOT / "notebooks"), *extra, env=env)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as error:
        sys.exit(f"JupyterLab stopped with exit code {error.returncode}; its messages above say why.")


def parallel_options(extra: list[str]) -> list[str]:
    """pytest-xdist options: one worker per core (at most 4), each notebook whole on one worker.

    Most of a fast-mode notebook's time is single-threaded Python (importing TensorFlow, tracing
    ``fit``), so two notebooks side by side use a 2-core machine far better than one at a time.
    ``--dist loadfile`` keeps a notebook's cells in order in one kernel. Give ``-n 0`` to run serially.
    """
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) or "xdist" in arg for arg in extra):
        return []
    workers = min(os.cpu_count() or 1, 4)
    return ["-n", str(workers), "--dist", "loadfile"] if workers > 1 else []


def test(extra: list[str]) -> None:
    python = set_up()
    env = dict(os.environ, COURSE_FAST="1")
    result = subprocess.run([str(python), "-m", "pytest", *parallel_options(extra), *extra], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"lab": lab, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
