#!/usr/bin/env python3
"""Set up the course and open it, or set it up and run every test. Needs only Python 3.11, 3.12 or 3.13.

    python3 course.py lab     # create .venv, install, open JupyterLab on notebooks/
    python3 course.py lab --lang zh   # 中文版: JupyterLab in Chinese on notebooks/zh/
    python3 course.py test    # create .venv, install, run every test (fast mode)
    python3 course.py teacher release OUT/            # the students' and the teacher's folders
    python3 course.py teacher grade SUBMISSIONS/ OUT/ # grade returned notebooks into OUT/grades.csv

Add --gpu to either (Linux x86-64 with an NVIDIA driver) to install TensorFlow's CUDA packages too.
Started by another Python (3.14, 3.10, PyPy, ...), course.py runs itself again on python3.13,
python3.12 or python3.11 from PATH (on Windows: py -3.13, py -3.12, py -3.11) when there is one.

Set-up is done once: later runs reuse ``.venv/`` and reinstall only when ``requirements.txt``
or ``pyproject.toml`` changed. Extra arguments after ``test`` go to pytest
(``python3 course.py test -k 01_data``); after ``lab``, to JupyterLab.
A ``.venv`` that cannot be used is repaired or made again; anything else named ``.venv`` (a file,
someone's folder) is left alone, and course.py says what to move or delete.
"""

# This file runs on whatever Python starts it, including ones too old for the course (it has to tell
# them what to do): standard library only, and nothing newer than Python 3.7 at run time.
from __future__ import annotations

import difflib
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, NoReturn

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP_NAME = ".course-installed"
# The standard kernel name, so the notebooks run in any Jupyter; this one lives inside .venv. The
# package's course_utils.config.KERNEL_NAME is the same (this file cannot import it: it runs before
# the package is installed; tests/test_shared_names.py checks they agree).
KERNEL_NAME = "python3"
KERNEL_DISPLAY_NAME = "Python 3 (MNIST course)"
OLD_KERNEL_NAME = "mnist-course"  # registered inside .venv by earlier versions of this file
SUPPORTED_PYTHONS = ((3, 13), (3, 12), (3, 11))  # newest first: the order course.py looks for them
SWITCHED_VARIABLE = "COURSE_SWITCHED_PYTHON"  # set when course.py runs itself again on another Python
PROBE_CODE = "import sys; print(sys.implementation.name, *sys.version_info[:3])"
PROBE_TIMEOUT_SECONDS = 15.0
VENV_PROBE_TIMEOUT_SECONDS = 60.0  # generous: a wrong "does not run" verdict costs a full reinstall
GPU_FLAG = "--gpu"
LANG_FLAG = "--lang"
#: The course's editions: language code -> (notebook folder under notebooks/, JupyterLab locale or None).
EDITIONS = {"en": ("", None), "zh": ("zh", "zh_CN")}
#: JupyterLab's own setting that chooses its display language (a language pack must be installed).
TRANSLATION_SETTINGS = Path("@jupyterlab") / "translation-extension" / "plugin.jupyterlab-settings"


# --- which Python runs the course ---------------------------------------------------------------

class Interpreter(NamedTuple):
    """A Python as course.py sees it. (A NamedTuple, not a dataclass: tests load this file by path.)"""

    implementation: str  # sys.implementation.name: "cpython", "pypy", ...
    version: tuple[int, int, int]

    @classmethod
    def running(cls) -> Interpreter:
        return cls(sys.implementation.name, (sys.version_info[0], sys.version_info[1], sys.version_info[2]))

    @property
    def feature_version(self) -> tuple[int, int]:
        """3.12 of 3.12.4: wheels with compiled code are built per feature version."""
        return self.version[0], self.version[1]

    def is_supported(self) -> bool:
        return self.implementation == "cpython" and self.feature_version in SUPPORTED_PYTHONS

    def __str__(self) -> str:
        name = {"cpython": "CPython", "pypy": "PyPy"}.get(self.implementation, self.implementation)
        return f"{name} {dotted(self.version)}"


class PythonChoice(NamedTuple):
    """What course.py does about the Python that started it."""

    action: str  # "stay": carry on here; "switch": run course.py again with `command`; "stop": exit with `message`
    command: tuple[str, ...] = ()
    message: str = ""


def parse_probe_output(output: str) -> Interpreter | None:
    lines = output.strip().splitlines()
    fields = lines[-1].split() if lines else []
    if len(fields) != 4 or not all(field.isdigit() for field in fields[1:]):
        return None
    return Interpreter(fields[0], (int(fields[1]), int(fields[2]), int(fields[3])))


def probe_interpreter(command: list[str], timeout: float = PROBE_TIMEOUT_SECONDS) -> Interpreter | None:
    """Ask a Python what it is; None when it does not start, does not answer in time or answers nonsense.

    A name on PATH proves nothing: pyenv has shims for versions that are not active, and Windows has
    Store stubs named like Pythons. stdin is closed so that nothing can wait for an answer.
    """
    try:
        result = subprocess.run(
            [*command, "-c", PROBE_CODE], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return parse_probe_output(result.stdout) if result.returncode == 0 else None


def candidate_commands(os_name: str, which: Callable[[str], str | None]) -> list[tuple[list[str], tuple[int, int]]]:
    """Commands that may start a supported Python, newest version first, each with the version it should be."""
    launcher = which("py") if os_name == "nt" else None  # the Windows launcher knows every installed Python
    candidates = []
    for version in SUPPORTED_PYTHONS:
        if launcher:
            candidates.append(([launcher, f"-{dotted(version)}"], version))
        path = which(f"python{dotted(version)}")
        if path:
            candidates.append(([path], version))
    return candidates


def why_unsupported(current: Interpreter) -> str:
    if current.implementation != "cpython":
        return "TensorFlow's wheels are built for CPython only"
    if current.feature_version > SUPPORTED_PYTHONS[0]:
        return "TensorFlow has no wheels for it yet"
    return f"the course's pinned packages need Python {dotted(SUPPORTED_PYTHONS[-1])} or newer"


def dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def either(names: list[str]) -> str:
    return f"{', '.join(names[:-1])} or {names[-1]}"


def supported_versions_text() -> str:
    return either([dotted(version) for version in reversed(SUPPORTED_PYTHONS)])


def no_supported_python_message(current: Interpreter, os_name: str) -> str:
    """One short message: which Pythons work, and the usual ways to get one."""
    newest = dotted(SUPPORTED_PYTHONS[0])
    command = "py -" if os_name == "nt" else "python"
    searched = either([f"{command}{dotted(version)}" for version in SUPPORTED_PYTHONS])
    if os_name == "nt":
        ways = [f"`py install {newest}` (Python install manager), Python {newest} from the Microsoft Store,"
                " or python.org/downloads",
                f"or `uv python install {newest}`"]
    else:
        ways = [f"macOS: python.org/downloads, or `brew install python@{newest}`",
                "Ubuntu/Debian: `sudo apt install python3.12-venv` (older releases: the deadsnakes PPA)",
                f"any system: `uv python install {newest}` (or pyenv)"]
    return (f"course.py needs CPython {supported_versions_text()}; this is {current} ({why_unsupported(current)}),"
            f" and no {searched} runs here.\nInstall one, then run the same command again:\n  "
            + "\n  ".join(ways))


def find_supported_python(
    current: Interpreter,
    *,
    environ: Mapping[str, str] | None = None,
    which: Callable[[str], str | None] = shutil.which,
    run_probe: Callable[[list[str]], Interpreter | None] = probe_interpreter,
    os_name: str = os.name,
) -> PythonChoice:
    """Decide whether the course runs on `current`, on another installed Python, or cannot run at all."""
    if current.is_supported():
        return PythonChoice("stay")
    environ = os.environ if environ is None else environ
    if environ.get(SWITCHED_VARIABLE):
        # We are the re-run, yet on an unusable Python: never search again, or we could loop forever.
        return PythonChoice("stop", message=(
            f"course.py was run again with {environ[SWITCHED_VARIABLE]}, but that is {current}"
            f" ({why_unsupported(current)}). Start course.py with Python {supported_versions_text()}."))
    for command, expected in candidate_commands(os_name, which):
        found = run_probe(command)
        if found is not None and found.is_supported() and found.feature_version == expected:
            return PythonChoice("switch", tuple(command), (
                f"course.py: {current} cannot run the course ({why_unsupported(current)});"
                f" switching to {found} ({' '.join(command)})."))
    return PythonChoice("stop", message=no_supported_python_message(current, os_name))


def run_again_with(command: tuple[str, ...], arguments: list[str]) -> NoReturn:
    """Run course.py with the same arguments on another Python, and end with its exit code."""
    argv = [*command, str(Path(__file__).resolve()), *arguments]
    env = dict(os.environ)
    env[SWITCHED_VARIABLE] = " ".join(command)
    if os.name == "posix":
        # Replace this process: Ctrl+C, signals and the exit code then belong to the new Python alone.
        try:
            os.execve(argv[0], argv, env)
        except OSError as error:
            sys.exit(f"course.py could not start {argv[0]}: {error}")
    with subprocess.Popen(argv, env=env) as process:
        while True:
            try:
                sys.exit(process.wait())
            except KeyboardInterrupt:
                continue  # Ctrl+C reached the child too; it decides how to stop (JupyterLab asks first)


def ensure_supported_python(arguments: list[str], current: Interpreter | None = None) -> None:
    """Return when this Python can run the course; otherwise run course.py on one that can, or stop."""
    choice = find_supported_python(Interpreter.running() if current is None else current)
    if choice.action == "stop":
        sys.exit(choice.message)
    if choice.action == "switch":
        print(choice.message, flush=True)
        run_again_with(choice.command, arguments)
    # A later course.py started from here (say, in JupyterLab's terminal) makes its own choice.
    os.environ.pop(SWITCHED_VARIABLE, None)


# --- the virtual environment ----------------------------------------------------------------------
#
# What course.py does with whatever it finds at .venv (issue 15: bad input gets a clear error and
# loses nothing). It deletes only what it can make again:
# - nothing there, or an empty folder: the virtual environment is made there;
# - a folder with a pyvenv.cfg is a virtual environment (made by course.py, `python -m venv`, uv or
#   virtualenv): packages only, nothing a student wrote. One that cannot be used (made by another
#   Python, its Python gone or a link to a deleted Python) is recreated; one without pip gets pip
#   from ensurepip, and is recreated if that fails;
# - a folder that lost its pyvenv.cfg but holds course.py's stamp: course.py made it, so it is
#   recreated (without pyvenv.cfg its Python runs as the Python it was made from, and pip would
#   install the course's packages into that Python);
# - anything else (a file -- Pipenv reads a .venv file naming an environment elsewhere --, a link to
#   nothing, a folder without pyvenv.cfg such as a conda environment or someone's files) may be
#   someone's work: course.py stops and says what to move away or delete, with the command;
# - a .venv, or the course folder, that this user cannot write: course.py uses it as it is when
#   nothing needs installing, and otherwise stops and says how to take it back or delete it.

def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(*command: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True, env=env)


def venv_problem(current: Interpreter, in_venv: Interpreter | None) -> str | None:
    """Why .venv must be made again for the running Python; None when it can be used as it is.

    TensorFlow, NumPy and friends are compiled for one Python feature version, so a .venv made by
    another one (or by an unsupported Python) is recreated, never installed over.
    """
    if in_venv is None:
        return "its Python does not start any more"
    if (in_venv.implementation, in_venv.feature_version) != (current.implementation, current.feature_version):
        return f"it was made by {in_venv}, and course.py now runs on {current}"
    return None


class VenvCheck(NamedTuple):
    """What course.py does with what it found at .venv (the rules above)."""

    action: str  # "use" it as it is, "create" it (nothing to lose), "recreate" it (`reason`), "stop" (`reason`)
    reason: str = ""


def quoted(path: Path, os_name: str) -> str:
    return f'"{path}"' if os_name == "nt" else shlex.quote(str(path))


def move_away_command(path: Path, os_name: str = os.name) -> str:
    """The command that renames ``path`` to a free name beside it: nothing is lost."""
    number, target = 1, path.with_name(path.name + "-old")
    while os.path.lexists(target):
        number += 1
        target = path.with_name(f"{path.name}-old{number}")
    # `move` is a command of cmd and an alias of PowerShell: one line for both.
    return f"{'move' if os_name == 'nt' else 'mv'} {quoted(path, os_name)} {quoted(target, os_name)}"


def delete_command(path: Path, folder: bool, os_name: str = os.name) -> str:
    where = quoted(path, os_name)
    if os_name != "nt":
        return f"rm -rf {where}" if folder else f"rm {where}"
    if not folder:
        return f"del {where}"  # cmd's command, and an alias in PowerShell
    # cmd's `rmdir /s /q` is an error in PowerShell, and PowerShell's Remove-Item unknown to cmd.
    return f"Remove-Item -Recurse -Force {where}   (in cmd: rmdir /s /q {where})"


def not_a_folder_message(os_name: str = os.name) -> str:
    kind = "a file" if VENV.is_file() else "not a folder"
    return (
        f"{VENV} is {kind}, but course.py keeps the course's virtual environment in a folder of that name."
        " It may be yours (Pipenv, for one, reads a .venv file that names an environment elsewhere), so"
        " course.py leaves it alone. Move it away, or delete it if you do not need it, then run the same"
        f" command again:\n  {move_away_command(VENV, os_name)}\n  {delete_command(VENV, False, os_name)}"
    )


def dangling_link_message(os_name: str = os.name) -> str:
    remove_link = f"rmdir {quoted(VENV, os_name)}" if os_name == "nt" else f"rm {quoted(VENV, os_name)}"
    return (
        f"{VENV} is a link to {os.readlink(VENV)}, which does not exist (a drive that is not mounted, or a"
        " folder that was deleted). Mount that drive, or delete the link (only the link: what it named is"
        f" gone already) and run the same command again:\n  {remove_link}"
    )


def not_a_venv_message(contents: list[str], os_name: str = os.name) -> str:
    if "conda-meta" in contents:
        what = "it looks like a conda environment"
    elif os.path.lexists(venv_python()):
        what = f"it has a {venv_python().relative_to(VENV)}: a virtual environment that lost its pyvenv.cfg?"
    else:
        what = "it holds " + ", ".join(contents[:5]) + (", ..." if len(contents) > 5 else "")
    return (
        f"{VENV} is not a virtual environment: it has no pyvenv.cfg ({what}). course.py deletes only what it"
        " made itself, and needs that name for the course's virtual environment. Move the folder away, or"
        " delete it if you do not need it, then run the same command again:\n"
        f"  {move_away_command(VENV, os_name)}\n  {delete_command(VENV, True, os_name)}"
    )


def probe_venv_interpreter(command: list[str]) -> Interpreter | None:
    return probe_interpreter(command, timeout=VENV_PROBE_TIMEOUT_SECONDS)


def check_venv(  # noqa: C901 - one early return per rule of the list above, in its order: kept together
    current: Interpreter, probe: Callable[[list[str]], Interpreter | None] | None = None, os_name: str = os.name
) -> VenvCheck:
    """Decide what to do with whatever is at VENV (the rules above this function), changing nothing.

    Args:
        current: the Python that runs course.py, the one the virtual environment must be made by.
        probe: asks a Python what it is (None when it does not start); a slow first start of a
            Python is not "broken", hence the long default timeout.
        os_name: ``os.name``, for the commands the messages give.

    Returns:
        A VenvCheck: "use", "create", "recreate" with the reason, or "stop" with the message.
    """
    if probe is None:
        probe = probe_venv_interpreter
    if not os.path.lexists(VENV):
        return VenvCheck("create")
    if VENV.is_symlink() and not VENV.exists():
        return VenvCheck("stop", dangling_link_message(os_name))
    if not VENV.is_dir():
        return VenvCheck("stop", not_a_folder_message(os_name))
    try:
        contents = sorted(entry.name for entry in os.scandir(VENV))
    except OSError as error:
        return VenvCheck("stop", f"course.py cannot read {VENV}: {error}.\n{not_writable_advice(VENV, os_name)}")
    if not contents:
        return VenvCheck("create")  # an empty folder: nothing to lose
    if not (VENV / "pyvenv.cfg").is_file():
        if STAMP_NAME in contents:
            return VenvCheck("recreate", (
                "its pyvenv.cfg is missing, so its Python would run as the Python it was made from"
                " (and pip would install the course's packages there)"))
        return VenvCheck("stop", not_a_venv_message(contents, os_name))
    python = venv_python()
    if not os.path.lexists(python):
        return VenvCheck("recreate", f"it has no {python.relative_to(VENV)}")
    if not python.exists():
        # A link to a Python that was removed: uninstalled, or upgraded by Homebrew or pyenv.
        return VenvCheck("recreate", f"its Python is a link to {os.readlink(python)}, which does not exist any more")
    problem = venv_problem(current, probe([str(python)]))
    return VenvCheck("use") if problem is None else VenvCheck("recreate", problem)


def not_writable_advice(path: Path, os_name: str = os.name) -> str:
    """How to get ``path`` (.venv or something in it) back, or to let course.py make .venv again."""
    if os_name == "nt":
        return (
            "Close the programs that use it (JupyterLab, an editor), or delete it and let course.py make it"
            f" again:\n  {delete_command(VENV, True, os_name)}"
        )
    owner = ""
    try:
        import pwd  # POSIX only

        owner = pwd.getpwuid(os.stat(path).st_uid).pw_name
    except (ImportError, KeyError, OSError):
        pass
    whose = f"It belongs to {owner} (was course.py run with sudo once?). " if owner else ""
    return (
        f"{whose}Make it yours again, or delete it and let course.py make it again:\n"
        f'  sudo chown -R "$(id -un)" {quoted(VENV, os_name)}\n  sudo {delete_command(VENV, True, os_name)}'
    )


def stop_unless_writable(paths: list[Path], os_name: str = os.name) -> None:
    """Stop with a clear message before writing, when one of ``paths`` cannot be written by this user.

    Checked only when something must be written: a read-only .venv (say, shared in a classroom)
    that is up to date is used as it is.
    """
    for path in paths:
        if not os.path.lexists(path) or os.access(path, os.W_OK):
            continue
        if path == VENV.parent:
            sys.exit(
                f"course.py cannot write in {path}, where it makes the course's virtual environment (.venv)."
                " Copy the course to a folder of yours and run it there, or ask the folder's owner to run"
                " `python3 course.py test` once there."
            )
        sys.exit(f"{path} is not writable by you, and course.py must install into {VENV}.\n"
                 + not_writable_advice(path, os_name))


def install_targets() -> list[Path]:
    """What pip and course.py write into when installing: .venv, its scripts, its site-packages, the stamp."""
    scripts = venv_python().parent
    site_packages = sorted(VENV.glob("lib/python*/site-packages")) + [VENV / "Lib" / "site-packages"]
    return [VENV, scripts, *site_packages, VENV / STAMP_NAME]


def create_venv() -> None:
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except PermissionError as error:
        sys.exit(f"Could not create {VENV}: {error}\n{not_writable_advice(Path(error.filename or VENV))}")
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(VENV, ignore_errors=True)  # half a venv would only fail later, less clearly
        sys.exit(f"Could not create {VENV}: {error}\nOn Debian/Ubuntu install python3.X-venv for this Python"
                 " (e.g. `sudo apt install python3.12-venv`); on Windows close programs using .venv first.")


def ensure_venv(current: Interpreter) -> Path:
    """The .venv's Python, after creating .venv, or recreating it when it cannot be used (see check_venv)."""
    check = check_venv(current)
    if check.action == "stop":
        sys.exit(check.reason)
    if check.action == "use":
        return venv_python()
    if check.action == "recreate":
        print(f"Recreating the course's virtual environment in {VENV}: {check.reason}.", flush=True)
    else:
        print(f"Creating the course's virtual environment in {VENV} ...", flush=True)
    stop_unless_writable([VENV if os.path.lexists(VENV) else VENV.parent])
    create_venv()
    return venv_python()


def pip_runs(python: Path) -> bool:
    try:
        result = subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True,
                                timeout=VENV_PROBE_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def ensure_pip(python: Path) -> None:
    """pip in .venv before installing: uv, and `python -m venv --without-pip`, make virtual environments without it."""
    if pip_runs(python):
        return
    print(f"{VENV} has no pip (uv and `python -m venv --without-pip` make it so); installing it with ensurepip ...",
          flush=True)
    try:
        run(python, "-m", "ensurepip", "--upgrade", "--default-pip")
        return
    except subprocess.CalledProcessError:
        pass  # e.g. Debian's Python without python3.X-venv: the messages above say so
    print(f"Recreating the course's virtual environment in {VENV}: its Python could not install pip.", flush=True)
    create_venv()


def install_failed_message(error: subprocess.CalledProcessError) -> str:
    """A failed pip is a message, not a traceback: what failed, where to read why, and that nothing is lost."""
    command = " ".join(str(part) for part in error.cmd)
    try:
        free = f"{shutil.disk_usage(VENV).free / 1e9:.1f} GB free there"
    except OSError:
        free = "check the free space"
    return (
        f"course.py: `{command}` failed with exit status {error.returncode}; its messages above say why.\n"
        f"Nothing is lost: {VENV} stays, and the next run of the same command installs what is still missing."
        f" Usual causes: no internet, a proxy (set HTTPS_PROXY), or a full disk ({free})."
    )


# --- what is installed in it ----------------------------------------------------------------------

class Stamp(NamedTuple):
    """What the last successful set-up installed: for which inputs, and whether the CUDA packages too."""

    fingerprint: str
    gpu_extras: bool


class InstallPlan(NamedTuple):
    requirements: bool  # the pins, the course package and the kernel
    gpu_extras: bool  # tensorflow[and-cuda] at the pinned version


def requirements_fingerprint(python: Interpreter) -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    digest.update(f"{python.implementation} {python.feature_version}".encode())
    return digest.hexdigest()


def read_stamp() -> Stamp | None:
    try:
        data = json.loads((VENV / STAMP_NAME).read_text())
        return Stamp(str(data["fingerprint"]), bool(data["gpu_extras"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none yet, or one written by an earlier course.py: install again


def write_stamp(stamp: Stamp) -> None:
    (VENV / STAMP_NAME).write_text(json.dumps(stamp._asdict()))


def plan_install(stamp: Stamp | None, fingerprint: str, gpu_requested: bool) -> InstallPlan:
    """What to install now. Once installed, the CUDA packages stay: when the pins change they are
    reinstalled with them (they must match TensorFlow), with or without --gpu on that run."""
    up_to_date = stamp is not None and stamp.fingerprint == fingerprint
    had_gpu_extras = stamp is not None and stamp.gpu_extras
    wants_gpu_extras = gpu_requested or had_gpu_extras
    return InstallPlan(requirements=not up_to_date, gpu_extras=wants_gpu_extras and not (up_to_date and had_gpu_extras))


def tensorflow_pin(requirements: str) -> str:
    """The version in requirements.txt's ``tensorflow==X.Y.Z`` line."""
    for line in requirements.splitlines():
        name, pinned, version = line.split("#", 1)[0].partition("==")
        if pinned and name.strip().lower() == "tensorflow":
            return version.split(";", 1)[0].strip()
    raise ValueError("requirements.txt pins no tensorflow==<version>")


def register_kernel(python: Path) -> None:
    # Inside .venv (--sys-prefix) under the standard name: the notebooks ask for "python3", and with
    # JUPYTER_PREFER_ENV_PATH=1 Jupyter takes this one before a user-level python3 kernel.
    shutil.rmtree(VENV / "share" / "jupyter" / "kernels" / OLD_KERNEL_NAME, ignore_errors=True)
    run(python, "-m", "ipykernel", "install", "--sys-prefix", "--name", KERNEL_NAME,
        "--display-name", KERNEL_DISPLAY_NAME)


def install_requirements(python: Path) -> None:
    print("Installing the pinned packages (a few minutes the first time) ...", flush=True)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt")
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    register_kernel(python)


def install_gpu_extras(python: Path) -> None:
    requirement = f"tensorflow[and-cuda]=={tensorflow_pin((ROOT / 'requirements.txt').read_text())}"
    print(f"Installing TensorFlow's CUDA packages ({requirement}; the GPU also needs an NVIDIA driver) ...",
          flush=True)
    # requirements.txt as constraints: the CUDA packages may add packages but not move a pinned one.
    run(python, "-m", "pip", "install", "--quiet", "-c", "requirements.txt", requirement)


def set_up(gpu_extras: bool = False) -> Path:
    """Create .venv if needed and install the pinned packages, the course and, if asked, the CUDA packages."""
    current = Interpreter.running()
    python = ensure_venv(current)
    fingerprint = requirements_fingerprint(current)
    stamp = read_stamp()
    plan = plan_install(stamp, fingerprint, gpu_extras)
    if not (plan.requirements or plan.gpu_extras):
        return python
    stop_unless_writable(install_targets())
    try:
        ensure_pip(python)
        if plan.requirements:
            install_requirements(python)
            write_stamp(Stamp(fingerprint, gpu_extras=False))  # the CUDA packages, if any, are not refreshed yet
        if plan.gpu_extras:
            install_gpu_extras(python)
            write_stamp(Stamp(fingerprint, gpu_extras=True))
    except subprocess.CalledProcessError as error:
        sys.exit(install_failed_message(error))
    return python


# --- --gpu ----------------------------------------------------------------------------------------

class GpuSupport(NamedTuple):
    installable: bool
    advice: str  # what to do instead, when the CUDA packages are not installed here


def gpu_support(system: str, machine: str) -> GpuSupport:
    """Whether tensorflow[and-cuda] can serve a GPU on this platform (platform.system(), platform.machine())."""
    if system == "Linux" and machine.lower() in ("x86_64", "amd64"):
        return GpuSupport(True, "")
    if system == "Windows":
        advice = ("--gpu: TensorFlow uses NVIDIA GPUs on Windows only through WSL2. Run the course inside"
                  " WSL2 (Ubuntu) with `python3 course.py lab --gpu`. Continuing on the CPU.")
    elif system == "Darwin":
        advice = ("--gpu: on macOS the course runs TensorFlow on the CPU. Apple's tensorflow-metal plugin is"
                  " separate and not supported with this course's pinned packages. Continuing on the CPU.")
    else:
        advice = (f"--gpu: TensorFlow's CUDA packages are for Linux x86-64, not {system} {machine}."
                  " Continuing on the CPU.")
    return GpuSupport(False, advice)


def split_gpu_flag(arguments: list[str]) -> tuple[bool, list[str]]:
    """--gpu is course.py's own option: take it out before the rest goes on to pytest or JupyterLab."""
    rest = [argument for argument in arguments if argument != GPU_FLAG]
    return len(rest) != len(arguments), rest


def gpu_extras_wanted(requested: bool) -> bool:
    if not requested:
        return False
    support = gpu_support(platform.system(), platform.machine())
    if not support.installable:
        print(support.advice, flush=True)
    return support.installable


# --- the two commands -----------------------------------------------------------------------------

class LanguageError(ValueError):
    """``--lang`` without a value, or with one that is not an edition of the course."""


def split_lang_option(arguments: list[str]) -> tuple[str, list[str]]:
    """Take ``--lang CODE`` / ``--lang=CODE`` out of ``arguments``: (the edition, the rest). Default ``en``.

    Raises:
        LanguageError: no value, or a value that is not one of :data:`EDITIONS` (``zh-CN``, ``zh_CN`` are ``zh``).
    """
    language, rest, index = "en", [], 0
    while index < len(arguments):
        argument = arguments[index]
        if argument == LANG_FLAG or argument.startswith(LANG_FLAG + "="):
            if argument == LANG_FLAG:
                if index + 1 >= len(arguments):
                    raise LanguageError(f"{LANG_FLAG} needs a language: {' or '.join(EDITIONS)}")
                value, index = arguments[index + 1], index + 2
            else:
                value, index = argument.split("=", 1)[1], index + 1
            code = value.strip().lower().replace("_", "-")
            code = {"zh-cn": "zh", "zh-hans": "zh", "en-us": "en"}.get(code, code)
            if code not in EDITIONS:
                raise LanguageError(f"{LANG_FLAG} {value!r}: the course's languages are {' and '.join(EDITIONS)}"
                                    " (en: English, zh: 简体中文)")
            language = code
            continue
        rest.append(argument)
        index += 1
    return language, rest


def edition_folder(language: str) -> Path:
    """The notebooks of an edition: ``notebooks/`` for English, ``notebooks/zh/`` for Chinese."""
    return ROOT / "notebooks" / EDITIONS[language][0]


def lab_settings_dir(language: str, venv_dir: Path = VENV) -> Path | None:
    """JupyterLab's user-settings folder for an edition that changes its display language, else None.

    The Chinese edition gets a folder of its own inside ``.venv`` with the translation setting, so
    that ``course.py lab --lang zh`` opens JupyterLab in Chinese without changing the language of
    the student's other JupyterLab sessions (their own settings folder is left untouched).
    """
    locale = EDITIONS[language][1]
    return None if locale is None else venv_dir / "share" / "course" / f"lab-settings-{language}"


def write_lab_settings(folder: Path, language: str) -> None:
    """Set JupyterLab's display language in ``folder``, keeping any other setting stored there."""
    path = folder / TRANSLATION_SETTINGS
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(settings, dict):
            settings = {}
    except (OSError, ValueError):
        settings = {}  # missing or damaged (JupyterLab writes JSON5 with comments): start again
    settings["locale"] = EDITIONS[language][1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


def lab_command(python: str | Path, extra: list[str], notebook_dir: Path | None = None) -> list[str]:
    """JupyterLab's command line: ``course.py lab`` runs it, and so does the browser test (tests/test_browser.py).

    ``extra`` goes on last, so an option given there wins. ``notebook_dir`` is the course's
    ``notebooks/`` unless told otherwise (the browser test opens a copy, so nothing saves into the lessons).
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        # Containers and classroom VMs often run as root; JupyterLab refuses that unless told.
        extra = ["--allow-root", *extra]
    folder = ROOT / "notebooks" if notebook_dir is None else notebook_dir
    return [str(python), "-m", "jupyter", "lab", "--notebook-dir", str(folder), *extra]


def lab_environment(base_env: Mapping[str, str], language: str = "en", venv_dir: Path = VENV) -> dict[str, str]:
    """The environment JupyterLab (and so every kernel it starts) runs in: ``base_env`` for a student.

    For the Chinese edition the kernels speak Chinese (``COURSE_LANG``) and JupyterLab reads its
    settings, display language included, from :func:`lab_settings_dir`.
    """
    env = dict(base_env)
    if language != "en":
        env["COURSE_LANG"] = language
        env["JUPYTERLAB_SETTINGS_DIR"] = str(lab_settings_dir(language, venv_dir))
    env.pop("COURSE_FAST", None)  # students get full mode (the browser test sets it again)
    # Kernels in .venv before ~/.local/share/jupyter: a user-level "python3" kernel would run another Python.
    # (Jupyter does this by itself in a venv the user owns, not in one shared in a classroom.)
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    return env


def lab(extra: list[str], gpu: bool = False) -> None:
    try:
        language, extra = split_lang_option(extra)
    except LanguageError as error:
        print(f"course.py lab: {error}.", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    python = set_up(gpu_extras_wanted(gpu))
    folder = edition_folder(language)
    settings = lab_settings_dir(language)
    if settings is not None:
        write_lab_settings(settings, language)
    if language == "zh":
        print("\n正在打开 JupyterLab（中文界面），目录 notebooks/zh/（按 Ctrl+C 停止）。"
              "从 01_data.ipynb 开始。\n", flush=True)
    else:
        print("\nOpening JupyterLab on notebooks/ (stop it with Ctrl+C). Start with 01_data.ipynb.\n", flush=True)
    try:
        run(*lab_command(python, extra, folder), env=lab_environment(os.environ, language))
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as error:
        sys.exit(f"JupyterLab stopped with exit code {error.returncode}; its messages above say why.")


def parallel_options(extra: list[str]) -> list[str]:
    """pytest-xdist options: one worker per core (at most 4), each notebook whole on one worker.

    Most of a fast-mode notebook's time is single-threaded Python (importing TensorFlow, tracing
    ``fit``), so two notebooks side by side use a 2-core machine far better than one at a time.
    ``--dist loadfile`` keeps a notebook's cells in order in one kernel. ``--no-loadscope-reorder``
    hands files out in collection order, which conftest.py sorts longest first (by default xdist
    would start the files with the most tests, and leave a long one-test file for the end).
    Give ``-n 0`` to run serially.
    """
    if any(arg.startswith(("-n", "--numprocesses", "--dist")) or "xdist" in arg for arg in extra):
        return []
    workers = min(os.cpu_count() or 1, 4)
    return ["-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"] if workers > 1 else []


def test(extra: list[str], gpu: bool = False) -> None:
    python = set_up(gpu_extras_wanted(gpu))
    env = dict(os.environ, COURSE_FAST="1")
    result = subprocess.run([str(python), "-m", "pytest", *parallel_options(extra), *extra], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def teacher(extra: list[str], gpu: bool = False) -> None:
    """The classroom kit (classroom/README.md): ``teacher release OUT`` and ``teacher grade SUBMISSIONS OUT``."""
    python = set_up(gpu_extras_wanted(gpu))
    # Run from the caller's folder, so that relative paths mean what the teacher typed; the kit
    # (classroom/, not installed) is found through PYTHONPATH.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    result = subprocess.run([str(python), "-m", "classroom", *extra], env=env)
    sys.exit(result.returncode)


COMMANDS = ("lab", "test", "teacher")
USAGE_ERROR = 2  # argparse's exit status for a command line it cannot use
HELP_OPTIONS = ("-h", "--help", "help")


def usage_error(command: str | None) -> str:
    """What is wrong with the command line, for a person: the word given, the closest command, the commands."""
    if command is None:
        problem = "no command given"
    elif command.startswith("-"):
        problem = f"unknown command '{command}' (options go after the command: `python3 course.py test {command}`)"
    else:
        close = difflib.get_close_matches(command.lower(), COMMANDS, n=1, cutoff=0.6)
        problem = f"unknown command '{command}'" + (f" (did you mean '{close[0]}'?)" if close else "")
    return f"course.py: {problem}. The commands are {', '.join(COMMANDS[:-1])} and {COMMANDS[-1]}.\n\n{__doc__}"


def main(arguments: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if arguments is None else arguments
    commands = {"lab": lab, "test": test, "teacher": teacher}
    if arguments[:1] and arguments[0] in HELP_OPTIONS:
        print(__doc__)
        return
    # --gpu is course.py's own option, accepted before the command too (`course.py --gpu lab`).
    gpu, rest = split_gpu_flag(arguments)
    if not rest or rest[0] not in commands:
        # Checked before anything else: a typo must not switch Pythons or touch .venv.
        print(usage_error(rest[0] if rest else None), file=sys.stderr)
        sys.exit(USAGE_ERROR)
    ensure_supported_python(arguments)  # may run course.py again on another Python, and then never returns
    commands[rest[0]](rest[1:], gpu=gpu)


if __name__ == "__main__":
    main()
