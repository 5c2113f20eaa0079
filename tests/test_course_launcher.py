"""course.py, the launcher: which Python it runs on, what it installs, what it passes on.

Everything here uses fake interpreters, fake installers and temporary folders: nothing installs
packages or touches the real ``.venv``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from course_script import load_course

ROOT = Path(__file__).resolve().parent.parent


course = load_course()
Interpreter = course.Interpreter
CPYTHON_3_14 = Interpreter("cpython", (3, 14, 0))
posix_only = pytest.mark.skipif(os.name == "nt", reason="fake interpreters are shell scripts")


def fake_path(*names: str, folder: str = "/opt/bin"):
    """A `which` that finds exactly these commands."""
    return lambda name: f"{folder}/{name}" if name in names else None


def fake_probe(answers: dict[str, Interpreter]):
    """A probe that answers by the command's last word (its path or ``-3.12``); None when it does not run."""
    asked: list[list[str]] = []

    def probe(command: list[str]) -> Interpreter | None:
        asked.append(command)
        return answers.get(command[-1])

    probe.asked = asked  # type: ignore[attr-defined]
    return probe


def never_called(*_: object) -> None:
    raise AssertionError("a supported Python must not search for another one")


# --- choosing the Python --------------------------------------------------------------------------

@pytest.mark.parametrize("version", [(3, 11, 0), (3, 12, 4), (3, 13, 1)])
def test_a_supported_python_runs_the_course_itself(version: tuple[int, int, int]) -> None:
    choice = course.find_supported_python(
        Interpreter("cpython", version), environ={}, which=never_called, run_probe=never_called, os_name="posix"
    )
    assert choice.action == "stay"


def test_python_3_14_switches_to_python3_12_on_path() -> None:
    probe = fake_probe({"/opt/bin/python3.12": Interpreter("cpython", (3, 12, 4))})
    choice = course.find_supported_python(
        CPYTHON_3_14, environ={}, which=fake_path("python3.12"), run_probe=probe, os_name="posix"
    )
    assert choice.action == "switch"
    assert choice.command == ("/opt/bin/python3.12",)
    assert probe.asked == [["/opt/bin/python3.12"]]
    assert "\n" not in choice.message  # one line
    assert "CPython 3.14.0" in choice.message and "CPython 3.12.4" in choice.message
    assert "no wheels" in choice.message


def test_the_newest_supported_python_wins() -> None:
    probe = fake_probe({f"/opt/bin/python3.{minor}": Interpreter("cpython", (3, minor, 0)) for minor in (11, 12, 13)})
    choice = course.find_supported_python(
        CPYTHON_3_14, environ={}, which=fake_path("python3.11", "python3.12", "python3.13"), run_probe=probe,
        os_name="posix",
    )
    assert choice.command == ("/opt/bin/python3.13",)


def test_python_3_9_without_a_supported_python_stops_with_one_short_message() -> None:
    choice = course.find_supported_python(
        Interpreter("cpython", (3, 9, 18)), environ={}, which=fake_path(), run_probe=never_called, os_name="posix"
    )
    assert choice.action == "stop"
    message = choice.message
    assert "3.11, 3.12 or 3.13" in message and "CPython 3.9.18" in message
    for way in ("python.org", "brew install python@3.13", "apt install python3.12", "deadsnakes",
                "uv python install 3.13"):
        assert way in message
    assert len(message.splitlines()) <= 6  # a message, not a wall


def test_windows_asks_the_py_launcher_newest_first() -> None:
    launcher = "C:\\Windows\\py.exe"
    probe = fake_probe({"-3.12": Interpreter("cpython", (3, 12, 10))})  # py -3.13 is not installed
    choice = course.find_supported_python(
        CPYTHON_3_14, environ={}, which=lambda name: launcher if name == "py" else None, run_probe=probe,
        os_name="nt",
    )
    assert choice.command == (launcher, "-3.12")
    assert probe.asked == [[launcher, "-3.13"], [launcher, "-3.12"]]


def test_windows_without_a_supported_python_names_windows_ways() -> None:
    choice = course.find_supported_python(
        CPYTHON_3_14, environ={}, which=fake_path("py"), run_probe=fake_probe({}), os_name="nt"
    )
    assert choice.action == "stop"
    assert "py install 3.13" in choice.message and "Microsoft Store" in choice.message
    assert "brew" not in choice.message


def test_a_candidate_that_lies_about_its_version_is_skipped() -> None:
    probe = fake_probe({
        "/opt/bin/python3.13": Interpreter("cpython", (3, 10, 13)),  # e.g. a stale link or a wrapper script
        "/opt/bin/python3.11": Interpreter("cpython", (3, 11, 9)),
    })
    choice = course.find_supported_python(
        CPYTHON_3_14, environ={}, which=fake_path("python3.13", "python3.11"), run_probe=probe, os_name="posix"
    )
    assert choice.command == ("/opt/bin/python3.11",)


def test_pypy_is_not_supported_and_not_chosen() -> None:
    pypy = Interpreter("pypy", (3, 11, 13))
    assert not pypy.is_supported()
    probe = fake_probe({"/opt/bin/python3.11": pypy})
    choice = course.find_supported_python(
        pypy, environ={}, which=fake_path("python3.11"), run_probe=probe, os_name="posix"
    )
    assert choice.action == "stop"
    assert "CPython only" in choice.message


def test_a_run_that_was_already_switched_never_switches_again() -> None:
    choice = course.find_supported_python(
        CPYTHON_3_14, environ={course.SWITCHED_VARIABLE: "/opt/bin/python3.12"}, which=never_called,
        run_probe=never_called, os_name="posix",
    )
    assert choice.action == "stop"
    assert "/opt/bin/python3.12" in choice.message


def test_probe_output_is_parsed_strictly() -> None:
    assert course.parse_probe_output("cpython 3 12 4\n") == Interpreter("cpython", (3, 12, 4))
    assert course.parse_probe_output("a warning\ncpython 3 13 0\n") == Interpreter("cpython", (3, 13, 0))
    assert course.parse_probe_output("") is None
    assert course.parse_probe_output("Python 3.12.4") is None


# --- real fake interpreters: executable scripts on PATH -------------------------------------------

def write_fake_python(folder: Path, name: str, body: str) -> Path:
    script = folder / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


def honest_python(version: str) -> str:
    """A script that answers course.py's probe like that CPython; run with course.py, it reports how."""
    implementation_and_version = "cpython " + version.replace(".", " ")
    return (f'if [ "$1" = "-c" ]; then echo "{implementation_and_version}"; exit 0; fi\n'
            f'echo "ran with: $*"\necho "switched: ${course.SWITCHED_VARIABLE}"\nexit 3')


@pytest.fixture()
def fake_pythons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """python3.13 that is really 3.10, python3.12 that is 3.12.4, python3.11 that does not run (a pyenv shim)."""
    write_fake_python(tmp_path, "python3.13", 'echo "cpython 3 10 13"')
    write_fake_python(tmp_path, "python3.12", honest_python("3.12.4"))
    write_fake_python(tmp_path, "python3.11", 'echo "pyenv: python3.11: command not found" >&2\nexit 127')
    # First on PATH, so no real python3.1x of this machine can be picked instead.
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    return tmp_path


@posix_only
def test_real_probes_skip_liars_and_broken_shims(fake_pythons: Path) -> None:
    choice = course.find_supported_python(CPYTHON_3_14, environ={})
    assert choice.action == "switch"
    assert choice.command == (str(fake_pythons / "python3.12"),)
    assert course.probe_interpreter([str(fake_pythons / "python3.11")]) is None


@posix_only
def test_a_probe_that_hangs_times_out(tmp_path: Path) -> None:
    hanging = write_fake_python(tmp_path, "python3.13", "exec sleep 30")
    started = time.monotonic()
    assert course.probe_interpreter([str(hanging)], timeout=0.5) is None
    assert time.monotonic() - started < 10  # given up after its timeout, not after the 30 s sleep


@posix_only
def test_course_py_runs_itself_again_with_the_same_arguments(fake_pythons: Path) -> None:
    # In a child process: switching replaces the process (os.execve), which must not be pytest's.
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('course_launcher', {str(ROOT / 'course.py')!r})\n"
        "course = importlib.util.module_from_spec(spec); spec.loader.exec_module(course)\n"
        "current = course.Interpreter('cpython', (3, 14, 0))\n"
        "course.ensure_supported_python(['test', '-k', '01_data', '--gpu'], current)\n"
        "print('not switched')\n"
    )
    env = {key: value for key, value in os.environ.items() if key != course.SWITCHED_VARIABLE}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 3, result.stdout + result.stderr  # the fake python3.12's exit code
    lines = result.stdout.splitlines()
    assert lines[0].startswith("course.py: CPython 3.14.0 cannot run the course")
    assert f"ran with: {ROOT / 'course.py'} test -k 01_data --gpu" in lines
    assert f"switched: {fake_pythons / 'python3.12'}" in lines
    assert "not switched" not in result.stdout


# --- the virtual environment ----------------------------------------------------------------------

def test_a_venv_of_the_same_feature_version_is_kept() -> None:
    assert course.venv_problem(Interpreter("cpython", (3, 12, 8)), Interpreter("cpython", (3, 12, 4))) is None


@pytest.mark.parametrize("in_venv", [Interpreter("cpython", (3, 14, 0)), Interpreter("cpython", (3, 11, 7)),
                                     Interpreter("pypy", (3, 12, 4)), None])
def test_a_venv_of_another_python_is_recreated(in_venv: Interpreter | None) -> None:
    problem = course.venv_problem(Interpreter("cpython", (3, 12, 4)), in_venv)
    if in_venv is None:  # its Python did not answer the probe
        assert problem == "its Python does not start any more"
    else:
        assert problem == f"it was made by {in_venv}, and course.py now runs on CPython 3.12.4"


# --- what is installed ----------------------------------------------------------------------------

Plan = course.InstallPlan
Stamp = course.Stamp


@pytest.mark.parametrize(("stamp", "gpu", "plan"), [
    (None, False, Plan(requirements=True, gpu_extras=False)),
    (None, True, Plan(requirements=True, gpu_extras=True)),
    (Stamp("same", False), False, Plan(requirements=False, gpu_extras=False)),
    (Stamp("same", False), True, Plan(requirements=False, gpu_extras=True)),  # --gpu later: only the extras
    (Stamp("same", True), True, Plan(requirements=False, gpu_extras=False)),  # ... and only once
    (Stamp("same", True), False, Plan(requirements=False, gpu_extras=False)),  # no --gpu: nothing to redo
    (Stamp("old", True), False, Plan(requirements=True, gpu_extras=True)),  # new pins: CUDA packages follow
    (Stamp("old", False), False, Plan(requirements=True, gpu_extras=False)),
])
def test_install_plan(stamp: object, gpu: bool, plan: object) -> None:
    assert course.plan_install(stamp, "same", gpu) == plan


def test_tensorflow_pin_is_read_from_requirements() -> None:
    requirements = (ROOT / "requirements.txt").read_text()
    pin = course.tensorflow_pin(requirements)
    assert re.search(rf"^tensorflow=={re.escape(pin)}\s", requirements + "\n", re.MULTILINE)
    assert course.tensorflow_pin("# tensorflow==1.0\ntensorflow-io==0.1\nTensorFlow == 2.99.1  # x\n") == "2.99.1"
    with pytest.raises(ValueError):
        course.tensorflow_pin("keras==3.0.0\n")


@pytest.fixture()
def fake_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """course.py pointed at an empty .venv in tmp_path; the commands it would run are recorded, not run."""
    venv_dir = tmp_path / ".venv"
    old_kernel = venv_dir / "share" / "jupyter" / "kernels" / "mnist-course"
    old_kernel.mkdir(parents=True)
    monkeypatch.setattr(course, "VENV", venv_dir)
    monkeypatch.setattr(course, "ensure_venv", lambda current: venv_dir / "bin" / "python")
    monkeypatch.setattr(course, "pip_runs", lambda python: True)
    commands: list[list[str]] = []
    monkeypatch.setattr(course, "run", lambda *command, env=None: commands.append([str(part) for part in command]))
    return commands


def test_set_up_registers_the_standard_kernel_and_installs_gpu_extras_once(fake_venv: list[list[str]]) -> None:
    course.set_up(gpu_extras=False)
    kernel = [command for command in fake_venv if "ipykernel" in command]
    assert kernel == [[str(course.VENV / "bin" / "python"), "-m", "ipykernel", "install", "--sys-prefix",
                       "--name", course.KERNEL_NAME, "--display-name", "Python 3 (MNIST course)"]]
    assert not (course.VENV / "share" / "jupyter" / "kernels" / "mnist-course").exists()
    assert not any("and-cuda" in part for command in fake_venv for part in command)

    fake_venv.clear()
    course.set_up(gpu_extras=False)
    assert fake_venv == []  # up to date

    course.set_up(gpu_extras=True)
    pin = course.tensorflow_pin((ROOT / "requirements.txt").read_text())
    assert fake_venv == [[str(course.VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "-c", "requirements.txt", f"tensorflow[and-cuda]=={pin}"]]
    assert course.read_stamp().gpu_extras

    fake_venv.clear()
    course.set_up(gpu_extras=True)
    course.set_up(gpu_extras=False)
    assert fake_venv == []


def test_a_stamp_from_an_earlier_course_py_means_install_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(course, "VENV", tmp_path)
    (tmp_path / course.STAMP_NAME).write_text("0" * 64)  # the old format: a bare fingerprint
    assert course.read_stamp() is None
    course.write_stamp(Stamp("abc", True))
    assert course.read_stamp() == Stamp("abc", True)


# --- --gpu ----------------------------------------------------------------------------------------

def test_gpu_flag_is_taken_out_of_the_arguments() -> None:
    assert course.split_gpu_flag(["-k", "01_data", "--gpu", "-x"]) == (True, ["-k", "01_data", "-x"])
    assert course.split_gpu_flag(["--port", "8889"]) == (False, ["--port", "8889"])
    assert course.split_gpu_flag([]) == (False, [])


@pytest.mark.parametrize("machine", ["x86_64", "AMD64"])
def test_gpu_extras_are_installed_on_linux_x86_64(machine: str) -> None:
    assert course.gpu_support("Linux", machine).installable


@pytest.mark.parametrize(("system", "machine", "says"), [
    ("Windows", "AMD64", "WSL2"),
    ("Darwin", "arm64", "tensorflow-metal"),
    ("Linux", "aarch64", "Linux x86-64"),
])
def test_elsewhere_gpu_advice_is_printed_and_the_cpu_is_used(system: str, machine: str, says: str) -> None:
    support = course.gpu_support(system, machine)
    assert not support.installable
    assert says in support.advice and "Continuing on the CPU" in support.advice


@pytest.fixture()
def no_set_up(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """main() with the Python check and the set-up replaced; records set_up's gpu_extras."""
    asked: list[bool] = []
    monkeypatch.setattr(course, "ensure_supported_python", lambda arguments: None)
    monkeypatch.setattr(course, "set_up", lambda gpu_extras=False: asked.append(gpu_extras) or Path("python"))
    return asked


def test_lab_gpu_on_linux(no_set_up: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(course.platform, "system", lambda: "Linux")
    monkeypatch.setattr(course.platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("COURSE_FAST", "1")
    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(course, "run", lambda *command, env=None: started.append(([str(c) for c in command], env)))
    course.main(["lab", "--gpu", "--port", "8889"])
    command, env = started[0]
    assert no_set_up == [True]
    assert "--gpu" not in command and command[-2:] == ["--port", "8889"]
    assert env["JUPYTER_PREFER_ENV_PATH"] == "1"  # the .venv's python3 kernel before a user-level one
    assert "COURSE_FAST" not in env


def test_test_gpu_on_macos_continues_on_the_cpu(
    no_set_up: list[bool], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(course.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(course.platform, "machine", lambda: "arm64")
    started: list[list[str]] = []

    def fake_run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        started.append(command)
        assert options["env"]["COURSE_FAST"] == "1"  # type: ignore[index]
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(course.subprocess, "run", fake_run)
    with pytest.raises(SystemExit) as exit_info:
        course.main(["test", "--gpu", "-k", "01_data", "-n", "0"])
    assert exit_info.value.code == 0
    assert no_set_up == [False]
    assert started == [["python", "-m", "pytest", "-k", "01_data", "-n", "0"]]
    assert "tensorflow-metal" in capsys.readouterr().out


def test_teacher_runs_the_classroom_kit_in_the_venv(no_set_up: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[list[str], object]] = []

    def fake_run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        started.append((command, options["env"]["PYTHONPATH"].split(os.pathsep)[0]))  # type: ignore[index]
        return subprocess.CompletedProcess(command, 3)

    monkeypatch.setattr(course.subprocess, "run", fake_run)
    with pytest.raises(SystemExit) as exit_info:
        course.main(["teacher", "grade", "handed-in", "results", "--time-limit", "60"])
    assert exit_info.value.code == 3  # the kit's exit code is course.py's
    assert no_set_up == [False]
    assert started == [(["python", "-m", "classroom", "grade", "handed-in", "results", "--time-limit", "60"],
                        str(course.ROOT))]


def test_the_usage_names_the_teacher_commands() -> None:
    assert "teacher release OUT/" in course.__doc__ and "teacher grade SUBMISSIONS/ OUT/" in course.__doc__


# --- a broken .venv (issue 15): repaired, recreated, or a message that says what to move or delete --
#
# The .venv is a folder in tmp_path; its Python is a shell script that answers course.py's probe,
# logs how it was called, and plays pip and ensurepip with marker files. venv.EnvBuilder is replaced
# by a fake that clears and creates like the real one, without running ensurepip.

RUNNING = Interpreter.running()
#: The stamp set_up writes once the requirements are installed for this Python (no --gpu).
INSTALLED = Stamp(course.requirements_fingerprint(RUNNING), False)


def fake_venv_python_script(version: tuple[int, int, int] = RUNNING.version) -> str:
    """A .venv's Python: the probe's answer; ``-m pip`` works once ``has-pip`` exists in .venv, ..."""
    return (
        'venv="$(cd "$(dirname "$0")/.." && pwd)"\n'
        'echo "$*" >> "$venv/calls.log"\n'
        f'if [ "$1" = "-c" ]; then echo "cpython {version[0]} {version[1]} {version[2]}"; exit 0; fi\n'
        'if [ "$1 $2" = "-m ensurepip" ]; then\n'
        '  if [ -e "$venv/no-ensurepip" ]; then echo "No module named ensurepip" >&2; exit 1; fi\n'
        '  touch "$venv/has-pip"; exit 0\n'
        "fi\n"
        'if [ "$1 $2" = "-m pip" ]; then\n'
        '  if [ ! -e "$venv/has-pip" ]; then echo "$0: No module named pip" >&2; exit 1; fi\n'
        '  if [ "$3" = "install" ] && [ -e "$venv/pip-fails" ]; then echo "ERROR: no internet" >&2; exit 1; fi\n'
        "fi\n"
        "exit 0"
    )


def make_fake_venv(
    folder: Path,
    *,
    version: tuple[int, int, int] = RUNNING.version,
    pip: bool = True,
    ensurepip: bool = True,
    pip_fails: bool = False,
    pyvenv_cfg: bool = True,
) -> Path:
    """A virtual environment as course.py sees it (``pyvenv.cfg`` and ``bin/python``); returns its Python."""
    (folder / "bin").mkdir(parents=True, exist_ok=True)
    python = write_fake_python(folder / "bin", "python", fake_venv_python_script(version))
    if pyvenv_cfg:
        (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {course.dotted(version)}\n")
    for marker, wanted in (("has-pip", pip), ("no-ensurepip", not ensurepip), ("pip-fails", pip_fails)):
        if wanted:
            (folder / marker).touch()
    return python


class FakeEnvBuilder:
    """venv.EnvBuilder without ensurepip: clears like the real one (so a test sees what it would delete)."""

    created: list[tuple[Path, bool]] = []

    def __init__(self, *, with_pip: bool = False, clear: bool = False, **_: object) -> None:
        self.with_pip, self.clear = with_pip, clear

    def create(self, env_dir: Path) -> None:
        # As venv.EnvBuilder.ensure_directories and clear_directory do it.
        if os.path.exists(env_dir) and self.clear:
            for name in os.listdir(env_dir):
                path = os.path.join(env_dir, name)
                if os.path.islink(path) or os.path.isfile(path):
                    os.remove(path)
                else:
                    shutil.rmtree(path)
        if not os.path.exists(env_dir):
            os.makedirs(env_dir)
        make_fake_venv(Path(env_dir), pip=self.with_pip)
        self.created.append((Path(env_dir), self.with_pip))


@pytest.fixture()
def venv_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """course.py pointed at tmp_path/course/.venv (not made yet), with the fake venv.EnvBuilder."""
    folder = tmp_path / "course" / ".venv"
    folder.parent.mkdir()
    monkeypatch.setattr(course, "VENV", folder)
    monkeypatch.setattr(FakeEnvBuilder, "created", [])
    monkeypatch.setattr(course.venv, "EnvBuilder", FakeEnvBuilder)
    return folder


def calls(venv_dir: Path) -> list[str]:
    log = venv_dir / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def snapshot(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): path.read_text() for path in sorted(folder.rglob("*")) if path.is_file()}


@posix_only
def test_a_venv_without_pip_gets_pip_from_ensurepip_before_installing(
    venv_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_fake_venv(venv_dir, pip=False)  # as `uv venv` or `python -m venv --without-pip` make it
    python = course.set_up()
    assert python == venv_dir / "bin" / "python"
    log = calls(venv_dir)
    ensurepip = log.index("-m ensurepip --upgrade --default-pip")
    first_install = next(index for index, call in enumerate(log) if call.startswith("-m pip install"))
    assert ensurepip < first_install
    assert FakeEnvBuilder.created == []  # repaired, not recreated
    assert course.read_stamp() == INSTALLED
    assert "has no pip" in capsys.readouterr().out


@posix_only
def test_a_venv_whose_ensurepip_fails_is_recreated_with_pip(venv_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_fake_venv(venv_dir, pip=False, ensurepip=False)  # e.g. made by a Debian Python without python3.X-venv
    course.set_up()
    assert FakeEnvBuilder.created == [(venv_dir, True)]
    assert any(call.startswith("-m pip install") for call in calls(venv_dir))
    assert course.read_stamp() == INSTALLED
    assert "could not install pip" in capsys.readouterr().out


@posix_only
def test_a_venv_whose_python_is_a_dangling_link_is_recreated_and_says_why(
    venv_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_fake_venv(venv_dir)
    (venv_dir / "bin" / "python").unlink()
    gone = tmp_path / "uninstalled" / "python3.12"  # a Python removed, or upgraded by Homebrew/pyenv
    (venv_dir / "bin" / "python").symlink_to(gone)
    course.set_up()
    assert FakeEnvBuilder.created == [(venv_dir, True)]
    out = capsys.readouterr().out
    assert f"Recreating the course's virtual environment in {venv_dir}: its Python is a link to {gone}" in out
    assert course.read_stamp() == INSTALLED  # installed into the new one, no traceback


@posix_only
def test_a_failed_pip_install_names_the_command_and_keeps_the_venv(venv_dir: Path) -> None:
    make_fake_venv(venv_dir, pip_fails=True)  # offline, a proxy, a full disk: pip says which
    with pytest.raises(SystemExit) as exit_info:
        course.set_up()
    message = str(exit_info.value.code)
    assert f"`{venv_dir / 'bin' / 'python'} -m pip install --quiet --upgrade pip` failed with exit status 1" in message
    assert "messages above" in message and "GB free" in message and "Nothing is lost" in message
    assert course.read_stamp() is None  # so the next run installs again
    assert FakeEnvBuilder.created == [] and (venv_dir / "pyvenv.cfg").exists()


@posix_only
def test_a_file_named_venv_is_kept_and_the_message_says_what_to_move_or_delete(venv_dir: Path) -> None:
    venv_dir.write_text("/home/student/.virtualenvs/mnist\n")  # Pipenv's way to name an environment elsewhere
    with pytest.raises(SystemExit) as exit_info:
        course.ensure_venv(RUNNING)
    message = str(exit_info.value.code)
    assert f"{venv_dir} is a file" in message
    assert f"mv {venv_dir} {venv_dir.with_name('.venv-old')}" in message and f"rm {venv_dir}" in message
    assert venv_dir.read_text() == "/home/student/.virtualenvs/mnist\n"
    assert FakeEnvBuilder.created == []


@posix_only
def test_a_dangling_venv_link_is_kept_and_named(venv_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "usb-drive" / "mnist-venv"  # a drive that is not mounted
    venv_dir.symlink_to(target)
    with pytest.raises(SystemExit) as exit_info:
        course.ensure_venv(RUNNING)
    message = str(exit_info.value.code)
    assert f"{venv_dir} is a link to {target}, which does not exist" in message and f"rm {venv_dir}" in message
    assert venv_dir.is_symlink() and FakeEnvBuilder.created == []


@posix_only
@pytest.mark.parametrize(("files", "says"), [
    ({"notes.txt": "my notes"}, "it holds notes.txt"),
    ({"conda-meta/history": "==> 2025 <==", "bin/python": ""}, "conda environment"),
    ({"bin/python": "#!/bin/sh\nexit 1\n", "lib/python3.12/site-packages/keras/__init__.py": ""},
     "lost its pyvenv.cfg"),
])
def test_a_folder_that_is_not_a_venv_is_never_emptied(venv_dir: Path, files: dict[str, str], says: str) -> None:
    for name, text in files.items():
        (venv_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (venv_dir / name).write_text(text)
    before = snapshot(venv_dir)
    with pytest.raises(SystemExit) as exit_info:
        course.ensure_venv(RUNNING)
    message = str(exit_info.value.code)
    assert f"{venv_dir} is not a virtual environment: it has no pyvenv.cfg" in message and says in message
    assert f"mv {venv_dir} " in message and f"rm -rf {venv_dir}" in message
    assert snapshot(venv_dir) == before and FakeEnvBuilder.created == []


@posix_only
def test_a_course_venv_that_lost_its_pyvenv_cfg_is_recreated(
    venv_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without pyvenv.cfg its Python starts as the Python it was made from: pip would install there.
    make_fake_venv(venv_dir, pyvenv_cfg=False)
    course.write_stamp(Stamp("old", False))  # course.py made it
    course.ensure_venv(RUNNING)
    assert FakeEnvBuilder.created == [(venv_dir, True)]
    assert "pyvenv.cfg is missing" in capsys.readouterr().out


def test_an_empty_venv_folder_is_filled(venv_dir: Path) -> None:
    venv_dir.mkdir()
    course.ensure_venv(RUNNING)
    assert FakeEnvBuilder.created == [(venv_dir, True)]


@posix_only
def test_a_venv_of_another_python_version_is_recreated_in_place(
    venv_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_fake_venv(venv_dir, version=(3, 10, 13))
    course.ensure_venv(RUNNING)
    assert FakeEnvBuilder.created == [(venv_dir, True)]
    assert f"it was made by CPython 3.10.13, and course.py now runs on {RUNNING}" in capsys.readouterr().out


@pytest.fixture()
def read_only(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make a folder and what is in it read-only for os.access (chmod does not stop root, who runs CI)."""
    folders: list[Path] = []
    real_access = os.access

    def access(path: object, mode: int, **options: object) -> bool:
        denied = mode & os.W_OK and any(Path(str(path)) == f or f in Path(str(path)).parents for f in folders)
        return False if denied else real_access(path, mode, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(course.os, "access", access)
    return folders.append


@posix_only
def test_a_read_only_venv_that_needs_installing_says_how_to_get_it_back(
    venv_dir: Path, read_only: Callable[[Path], None]
) -> None:
    make_fake_venv(venv_dir)
    read_only(venv_dir)  # e.g. made by `sudo python3 course.py lab`
    with pytest.raises(SystemExit) as exit_info:
        course.set_up()
    message = str(exit_info.value.code)
    assert f"{venv_dir} is not writable by you" in message
    assert f'sudo chown -R "$(id -un)" {venv_dir}' in message and f"sudo rm -rf {venv_dir}" in message
    assert not any("install" in call for call in calls(venv_dir))


@posix_only
def test_a_read_only_venv_that_is_up_to_date_is_used(venv_dir: Path, read_only: Callable[[Path], None]) -> None:
    make_fake_venv(venv_dir)
    course.write_stamp(Stamp(course.requirements_fingerprint(RUNNING), False))
    read_only(venv_dir)  # e.g. one shared read-only in a classroom
    assert course.set_up() == venv_dir / "bin" / "python"


def test_a_read_only_course_folder_says_where_to_copy_the_course(
    venv_dir: Path, read_only: Callable[[Path], None]
) -> None:
    read_only(venv_dir.parent)
    with pytest.raises(SystemExit) as exit_info:
        course.ensure_venv(RUNNING)
    message = str(exit_info.value.code)
    assert f"course.py cannot write in {venv_dir.parent}" in message and "Copy the course" in message
    assert FakeEnvBuilder.created == []


def test_windows_messages_give_windows_commands(venv_dir: Path) -> None:
    venv_dir.mkdir()
    (venv_dir / "notes.txt").write_text("my notes")
    message = course.not_a_venv_message(["notes.txt"], os_name="nt")
    assert f'Remove-Item -Recurse -Force "{venv_dir}"' in message and f'rmdir /s /q "{venv_dir}"' in message
    assert f'move "{venv_dir}" "{venv_dir.with_name(".venv-old")}"' in message
    assert "rm -rf" not in message and "sudo" not in course.not_writable_advice(venv_dir, os_name="nt")


# --- the command line -----------------------------------------------------------------------------

@pytest.fixture()
def no_python_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(course, "ensure_supported_python", never_called)  # a typo must not switch Pythons


@pytest.mark.parametrize(("word", "suggestion"), [("bogus", None), ("tets", "test"), ("Lab", "lab"),
                                                  ("teach", "teacher")])
def test_an_unknown_command_says_so_and_exits_2(
    word: str, suggestion: str | None, no_python_switch: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        course.main([word, "-k", "01_data"])
    assert exit_info.value.code == 2  # like argparse
    err = capsys.readouterr().err
    assert err.startswith(f"course.py: unknown command '{word}'")
    assert (f"did you mean '{suggestion}'?" in err) if suggestion else ("did you mean" not in err)
    assert "The commands are lab, test and teacher." in err
    assert course.__doc__ in err  # then the usage


def test_an_option_instead_of_a_command_says_where_options_go(
    no_python_switch: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        course.main(["-k", "01_data"])
    assert exit_info.value.code == 2
    assert "options go after the command: `python3 course.py test -k`" in capsys.readouterr().err


def test_no_command_prints_the_usage_and_exits_2(no_python_switch: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        course.main([])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("course.py: no command given.") and course.__doc__ in err


@pytest.mark.parametrize("word", ["-h", "--help", "help"])
def test_help_prints_the_usage_and_succeeds(
    word: str, no_python_switch: None, capsys: pytest.CaptureFixture[str]
) -> None:
    course.main([word])  # returns: exit status 0
    assert course.__doc__ in capsys.readouterr().out


def test_gpu_before_the_command_is_accepted(no_set_up: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(course.platform, "system", lambda: "Linux")
    monkeypatch.setattr(course.platform, "machine", lambda: "x86_64")
    started: list[list[str]] = []
    monkeypatch.setattr(course.subprocess, "run", lambda command, **_: started.append(command)
                        or subprocess.CompletedProcess(command, 0))
    with pytest.raises(SystemExit) as exit_info:
        course.main(["--gpu", "test", "-k", "01_data", "-n", "0"])
    assert exit_info.value.code == 0  # pytest's exit status
    assert no_set_up == [True]
    assert started == [["python", "-m", "pytest", "-k", "01_data", "-n", "0"]]


def test_course_py_bogus_from_a_shell() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "bogus"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("course.py: unknown command 'bogus'")
    assert "python3 course.py lab" in result.stderr and result.stdout == ""


# --- course.py lab --lang zh: the Chinese edition ----------------------------------------------------

@pytest.mark.parametrize(("arguments", "language", "rest"), [
    ([], "en", []),
    (["--lang", "zh", "--port", "9"], "zh", ["--port", "9"]),
    (["--port", "9", "--lang=zh_CN"], "zh", ["--port", "9"]),
    (["--lang", "ZH-cn"], "zh", []),
    (["--lang", "en"], "en", []),
])
def test_lang_is_course_pys_own_option(arguments: list[str], language: str, rest: list[str]) -> None:
    assert course.split_lang_option(arguments) == (language, rest)


@pytest.mark.parametrize("arguments", [["--lang"], ["--lang", "fr"], ["--lang="]])
def test_a_language_the_course_lacks_is_a_usage_error_before_any_set_up(
    arguments: list[str], no_set_up: list[bool], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        course.main(["lab", *arguments])
    assert stopped.value.code == course.USAGE_ERROR
    assert no_set_up == []  # nothing installed for a typo
    assert "en" in capsys.readouterr().err and "zh" in course.split_lang_option.__doc__


def test_lab_lang_zh_opens_the_chinese_notebooks_in_a_chinese_jupyterlab(
    no_set_up: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(course, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(course, "lab_settings_dir", lambda language, venv_dir=None: tmp_path / "settings")
    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(course, "run", lambda *command, env=None: started.append(([str(c) for c in command], env)))
    course.main(["lab", "--lang", "zh"])
    command, env = started[0]
    assert command[command.index("--notebook-dir") + 1] == str(ROOT / "notebooks" / "zh")
    assert "--lang" not in command
    assert env["COURSE_LANG"] == "zh"
    settings = tmp_path / "settings" / course.TRANSLATION_SETTINGS
    assert '"locale": "zh_CN"' in settings.read_text(encoding="utf-8")
    assert "JupyterLab" in capsys.readouterr().out


def test_the_english_lab_keeps_the_students_own_jupyterlab_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    env = course.lab_environment({"PATH": "/bin"})
    assert "JUPYTERLAB_SETTINGS_DIR" not in env and "COURSE_LANG" not in env
    assert course.lab_settings_dir("en") is None and course.edition_folder("en") == ROOT / "notebooks"
    chinese = course.lab_environment({"PATH": "/bin"}, "zh", venv_dir=Path("/v"))
    assert chinese["JUPYTERLAB_SETTINGS_DIR"] == str(Path("/v/share/course/lab-settings-zh"))


def test_writing_the_language_setting_keeps_other_settings_and_survives_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / course.TRANSLATION_SETTINGS
    path.parent.mkdir(parents=True)
    path.write_text('{"locale": "en", "displayPseudoLanguage": false}', encoding="utf-8")
    course.write_lab_settings(tmp_path, "zh")
    assert json.loads(path.read_text(encoding="utf-8")) == {"locale": "zh_CN", "displayPseudoLanguage": False}
    path.write_text("// JSON5 with a comment, or half a file {", encoding="utf-8")
    course.write_lab_settings(tmp_path, "zh")
    assert json.loads(path.read_text(encoding="utf-8")) == {"locale": "zh_CN"}
