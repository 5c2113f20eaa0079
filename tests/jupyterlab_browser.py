"""Helpers of tests/test_browser.py: start JupyterLab as ``course.py lab`` does, find Chromium, read a run.

Nothing here needs a browser: the JupyterLab server, the process clean-up and the checks on a
saved notebook are plain Python, so tests/test_browser.py can test the checks without one.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from course_script import load_course

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

#: The notebooks the browser test runs by default; ``COURSE_BROWSER_NOTEBOOKS=all`` runs every lesson.
DEFAULT_NOTEBOOKS = ("01", "04", "09", "12")
SELECTION_VARIABLE = "COURSE_BROWSER_NOTEBOOKS"
#: A browser other than Debian's /usr/bin/chromium (any Chromium or Chrome build).
CHROMIUM_VARIABLE = "COURSE_CHROMIUM"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run")

#: A cell that shows an error on purpose (nbval and JupyterLab's Run All honour it too).
RAISES_TAG = "raises-exception"
#: A cell whose stderr output is part of the lesson; any other stderr output is start-up noise.
STDERR_TAG = "stderr-expected"

#: What ipywidgets shows instead of a widget while it waits for, or cannot find, the widget's model.
WIDGET_PROBLEMS = ("Error displaying widget", "Loading widget")


# --- which notebooks --------------------------------------------------------------------------------

def all_notebooks() -> list[str]:
    return sorted(path.name for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def selected_notebooks(value: str | None, available: Iterable[str]) -> list[str]:
    """The notebooks named by ``COURSE_BROWSER_NOTEBOOKS``: ``all``, or numbers/names (``01,09`` or ``09_improving``).

    Unset or empty means the defaults (01, 04, 09, 12). A name that matches no notebook is an error,
    so a typo does not quietly test nothing.
    """
    available = sorted(available)
    wanted = [part.strip() for part in (value or "").replace(" ", ",").split(",") if part.strip()]
    if not wanted:
        wanted = list(DEFAULT_NOTEBOOKS)
    if [part.lower() for part in wanted] == ["all"]:
        return available
    chosen: list[str] = []
    for part in wanted:
        matches = [name for name in available if name.startswith(part.removesuffix(".ipynb"))]
        if not matches:
            raise ValueError(f"{SELECTION_VARIABLE}: no notebook starts with {part!r} (have {', '.join(available)})")
        chosen.extend(name for name in matches if name not in chosen)
    return sorted(chosen)


# --- Chromium and Playwright --------------------------------------------------------------------------

def find_chromium(environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    chosen = environ.get(CHROMIUM_VARIABLE, "").strip()
    if chosen:
        return chosen if Path(chosen).is_file() else None
    if Path(DEBIAN_CHROMIUM).is_file():
        return DEBIAN_CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the browser tests cannot run here, in one line; None when they can."""
    environ = os.environ if environ is None else environ
    if importlib.util.find_spec("playwright") is None:
        return "Python package playwright is missing: run the tests with `python3 course.py test`"
    if find_chromium(environ) is None:
        where = environ.get(CHROMIUM_VARIABLE) or DEBIAN_CHROMIUM
        return (f"no Chromium at {where}; install it (Debian/Ubuntu: `sudo apt install chromium`) or set"
                f" {CHROMIUM_VARIABLE} to a Chromium or Chrome executable")
    return None


def on_ci(environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("CI", "").strip().lower() in ("true", "1", "yes")


# --- JupyterLab, started the way `course.py lab` starts it ------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: JupyterLab settings for the test's own settings folder: no "official Jupyter news?" toast on the
#: screenshots and no request to the internet; no autosave (the test saves once, after the run).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


class JupyterLab:
    """One JupyterLab server on 127.0.0.1 with a random token, from ``course.lab_command`` and ``lab_environment``.

    Its settings, workspaces and runtime files live in ``work_dir``, so a student's own JupyterLab
    settings neither change the test nor get changed by it. ``stop`` ends the server and every
    kernel it started, also when they do not answer.
    """

    def __init__(self, python: str, notebook_dir: Path, work_dir: Path, log_path: Path,
                 extra_env: Mapping[str, str] | None = None, language: str = "en") -> None:
        self.python = python
        self.language = language  # the edition, as ``course.py lab --lang`` takes it
        self.notebook_dir = notebook_dir
        self.work_dir = work_dir
        self.log_path = log_path
        self.extra_env = dict(extra_env or {})
        self.port = 0
        self.token = secrets.token_urlsafe(24)
        self.process: subprocess.Popen[bytes] | None = None
        self._children: dict[int, Any] = {}  # pid -> psutil.Process, for the clean-up

    # ---- start

    def command(self) -> list[str]:
        course = load_course("course_launcher_for_browser")
        extra = ["--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
                 f"--IdentityProvider.token={self.token}"]
        return course.lab_command(self.python, extra, notebook_dir=self.notebook_dir)

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        course = load_course("course_launcher_for_browser")
        base = dict(base)
        # The test suite quiets TensorFlow's C++ logging for itself (conftest.py); a student's JupyterLab
        # does not, and the browser test must see what a student sees.
        base.pop("TF_CPP_MIN_LOG_LEVEL", None)
        env = course.lab_environment(base, self.language)
        config = self.work_dir / "jupyter-config"
        env.update({
            "COURSE_FAST": "1",
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTERLAB_SETTINGS_DIR": str(config / "lab" / "user-settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.work_dir / "workspaces"),
            "JUPYTER_RUNTIME_DIR": str(self.work_dir / "runtime"),
        })
        env.update(self.extra_env)
        return env

    def write_settings(self, settings_dir: Path) -> None:
        for name, values in LAB_SETTINGS.items():
            path = settings_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        if self.language != "en":  # the display language, written as course.py lab --lang writes it
            load_course("course_launcher_for_browser").write_lab_settings(settings_dir, self.language)

    def start(self, timeout: float = 120.0) -> None:
        self.port = free_port()
        env = self.environment(os.environ)
        self.write_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if os.name == "posix":
            options["start_new_session"] = True  # its own process group: stop() ends the group
        else:
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, **options)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} before it answered on"
                                   f" port {self.port}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=5)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer on 127.0.0.1:{self.port} within {timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    # ---- use

    def url(self, path: str, **query: str) -> str:
        parameters = "&".join([*(f"{key}={value}" if value else key for key, value in query.items()),
                               f"token={self.token}"])
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}?{parameters}"

    def api(self, method: str, path: str, timeout: float = 30.0) -> Any:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # 127.0.0.1 only
            body = response.read()
        return json.loads(body) if body else None

    def session_for(self, notebook: str) -> dict[str, Any] | None:
        for session in self.api("GET", "/api/sessions") or []:
            if session.get("path", "").endswith(notebook):
                return session
        return None

    def shut_down_kernel(self, notebook: str) -> None:
        """End the notebook's kernel (closing a tab would leave it running, as in JupyterLab itself)."""
        try:
            self.remember_children()
            session = self.session_for(notebook)
            if session is not None:
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=60)
        except (OSError, urllib.error.URLError, ValueError):
            pass  # stop() ends whatever is left

    # ---- stop

    def remember_children(self) -> None:
        """Note the server's descendants (kernels run in sessions of their own), so stop() can end them too."""
        if self.process is None:
            return
        try:
            import psutil
        except ImportError:
            return
        try:
            for child in psutil.Process(self.process.pid).children(recursive=True):
                self._children.setdefault(child.pid, child)
        except psutil.Error:
            pass

    def stop(self, timeout: float = 20.0) -> None:
        """Terminate the server's process group, kill it after ``timeout``, then any kernel left behind."""
        process = self.process
        if process is None:
            return
        self.remember_children()
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM if os.name == "posix" else None)
            try:
                process.wait(timeout)  # JupyterLab shuts its kernels down on SIGTERM
            except subprocess.TimeoutExpired:
                _signal_group(process, getattr(signal, "SIGKILL", None))
                process.wait(10)
        elif os.name == "posix":
            _signal_group(process, signal.SIGKILL)  # anything left in its group
        for child in self._children.values():
            try:
                if child.is_running():
                    child.terminate()
                    child.wait(5)
            except Exception:  # psutil.NoSuchProcess, TimeoutExpired, AccessDenied
                try:
                    child.kill()
                except Exception:
                    pass
        self.process = None


def _signal_group(process: subprocess.Popen[bytes], sig: int | None) -> None:
    try:
        if os.name == "posix" and sig is not None:
            os.killpg(process.pid, sig)
        elif sig is None:
            process.terminate()
        else:
            process.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass


def skip_or_fail_without(reason: str | None) -> None:
    """Skip the browser tests for ``reason`` (no Chromium, no Chinese font), or fail under ``CI=true``."""
    import pytest

    if reason is not None:
        if on_ci():
            pytest.fail(f"{reason} (CI=true: the browser tests must run)", pytrace=False)
        pytest.skip(reason)


@contextlib.contextmanager
def chromium_context(viewport: Mapping[str, int], **options: Any) -> Iterator[Any]:
    """A Playwright browser context in headless Chromium (:func:`find_chromium`), closed afterwards whatever happens."""
    from playwright.sync_api import sync_playwright

    playwright = browser = None
    try:
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=list(CHROMIUM_ARGS),
                                             timeout=60_000)
        context = browser.new_context(viewport=dict(viewport), **options)
        context.set_default_timeout(30_000)
        yield context
    finally:
        for closing in (lambda: browser and browser.close(), lambda: playwright and playwright.stop()):
            try:
                closing()
            except Exception:
                pass


def copy_notebooks(names: Iterable[str], folder: Path, edition: str = "") -> Path:
    """Copies of the lessons to open (JupyterLab saves outputs into what it opens), with the exercises' checks/.

    ``edition`` ``"zh"``: the Chinese lessons, in ``folder/zh/`` beside ``folder/checks/`` as in the
    repository; the folder to open (``folder/zh``) is returned.
    """
    target = folder / edition if edition else folder
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy2(NOTEBOOKS / edition / name, target / name)
    shutil.copytree(NOTEBOOKS / "checks", folder / "checks", dirs_exist_ok=True)
    return target


# --- what a saved notebook says about the run -----------------------------------------------------

def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def cell_name(index: int, cell: Mapping[str, Any], total: int) -> str:
    """``cell 13/39 (`first line of code`)``: the numbering of JupyterLab's status bar."""
    first = next((line.strip() for line in _source(cell).splitlines() if line.strip()), "")
    if len(first) > 60:
        first = first[:57] + "..."
    return f"cell {index + 1}/{total} (`{first}`)"


def shorten(text: str, limit: int = 400) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def tags(cell: Mapping[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def run_problems(notebook: Mapping[str, Any]) -> list[str]:
    """Cells that did not run, or ran out of order, and errors where the lesson shows none (or misses one)."""
    cells = notebook["cells"]
    problems = []
    last_count = 0
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or not _source(cell).strip():
            continue
        name = cell_name(index, cell, len(cells))
        count = cell.get("execution_count")
        if count is None:
            problems.append(f"{name} did not run")
            continue
        if count <= last_count:
            problems.append(f"{name} ran out of order (execution count {count} after {last_count})")
        last_count = count
        errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
        if errors and RAISES_TAG not in tags(cell):
            error = errors[0]
            problems.append(f"{name} raised {error.get('ename')}: {shorten(str(error.get('evalue')), 300)}"
                            f" (a cell meant to raise is tagged {RAISES_TAG})")
        if not errors and RAISES_TAG in tags(cell):
            problems.append(f"{name} is tagged {RAISES_TAG} but showed no error")
    return problems


def stderr_problems(notebook: Mapping[str, Any]) -> list[str]:
    """Cells that wrote to stderr although the lesson does not show stderr there (tag ``stderr-expected``)."""
    cells = notebook["cells"]
    problems = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code" or STDERR_TAG in tags(cell):
            continue
        text = "".join(_text(output.get("text", "")) for output in cell.get("outputs", [])
                       if output.get("output_type") == "stream" and output.get("name") == "stderr")
        if text.strip():
            problems.append(f"{cell_name(index, cell, len(cells))} wrote to stderr:\n    "
                            + shorten(text).replace("\n", "\n    "))
    return problems


def read_notebook(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
