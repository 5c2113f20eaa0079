"""The lessons in a real JupyterLab in a real browser: run every cell, use the playground's buttons.

JupyterLab starts through ``course.py``'s own ``lab_command`` and ``lab_environment`` (the code path
of ``python3 course.py lab``), with a random token on a free port of 127.0.0.1, in fast mode, on
copies of the notebooks (JupyterLab saves into what it opens). Headless Chromium, driven by
Playwright, opens each notebook, clears it, runs all cells from the *Run* menu and saves it; the
saved file and the page are then checked: every code cell ran, errors only in cells tagged
``raises-exception``, no ``Error displaying widget`` / ``Loading widget``, and no stderr output
except in cells tagged ``stderr-expected``. In notebook 09 the test changes a playground control,
presses **Train** and waits for the run in the table, then starts a long run and presses **Stop**.

Default notebooks: 01, 04, 09 and 12; ``COURSE_BROWSER_NOTEBOOKS=all`` (or ``01,05``) chooses
others. A screenshot of each notebook after its run goes to ``outputs/browser/NN_topic.png``, the
server's log to ``outputs/browser/jupyterlab.log``.

The browser is Debian's Chromium (``/usr/bin/chromium``, or ``COURSE_CHROMIUM``), launched by
path: Playwright's own browser download is not needed. Without it the tests skip with one line,
except under ``CI=true``, where a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jupyterlab_browser import (
    RAISES_TAG,
    ROOT,
    SELECTION_VARIABLE,
    STDERR_TAG,
    WIDGET_PROBLEMS,
    JupyterLab,
    all_notebooks,
    browser_unavailable,
    chromium_context,
    copy_notebooks,
    load_course,
    read_notebook,
    run_problems,
    selected_notebooks,
    skip_or_fail_without,
    stderr_problems,
)

SCREENSHOTS = ROOT / "outputs" / "browser"
NOTEBOOKS = selected_notebooks(os.environ.get(SELECTION_VARIABLE), all_notebooks())
PLAYGROUND_NOTEBOOK = "09_improving_the_model.ipynb"

# Bounded waits, generous for a loaded 2-core machine (fast mode: each notebook runs in 5-35 s there).
OPEN_SECONDS = 120  # the page, the notebook's cells and an idle kernel
RUN_SECONDS = 420  # Run All, one notebook
STALLED_SECONDS = 90  # no prompt changed, kernel idle: a cell's error stopped Run All
SAVE_SECONDS = 60
WIDGETS_SECONDS = 30  # "Loading widget..." to turn into widgets
TRAIN_SECONDS = 180  # one short playground run (it traces a new model first)
STOP_SECONDS = 10  # from the Stop click to "stopped early": "within a few seconds"
VIEWPORT = {"width": 1280, "height": 900}
MAX_SCREENSHOT_HEIGHT = 16_000


# --- no browser needed: the selection and the checks ------------------------------------------------

def test_selection_defaults_all_and_numbers() -> None:
    available = all_notebooks()
    assert [name[:2] for name in selected_notebooks(None, available)] == ["01", "04", "09", "12"]
    assert selected_notebooks("all", available) == available
    by_number = {name[:2]: name for name in available}
    assert selected_notebooks(" 12, 01 ", available) == [by_number["01"], by_number["12"]]
    with pytest.raises(ValueError, match="no notebook starts with '99'"):
        selected_notebooks("99", available)


def code_cell(source: str, outputs: list[dict[str, Any]], count: int | None, cell_tags: tuple[str, ...] = ()):
    return {"cell_type": "code", "source": source, "execution_count": count, "outputs": outputs,
            "metadata": {"tags": list(cell_tags)} if cell_tags else {}}


def test_the_checks_name_the_cell_and_the_text() -> None:
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad shape", "traceback": []}
    noise = {"output_type": "stream", "name": "stderr", "text": ["I0000 cuda_dnn.cc: oneDNN custom operations\n"]}
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "# 01", "metadata": {}},
        code_cell("import keras\n", [noise], 1),
        code_cell("model.fit(x)  # shown on purpose\n", [error], 2, (RAISES_TAG,)),
        code_cell("model.predict(x)\n", [error], 3),
        code_cell("warnings.warn('look')\n", [noise], 4, (STDERR_TAG,)),
        code_cell("print(1)\n", [], None),
        code_cell("expect_error()\n", [], 5, (RAISES_TAG,)),
    ]}
    assert run_problems(notebook) == [
        "cell 4/7 (`model.predict(x)`) raised ValueError: bad shape (a cell meant to raise is tagged raises-exception)",
        "cell 6/7 (`print(1)`) did not run",
        "cell 7/7 (`expect_error()`) is tagged raises-exception but showed no error",
    ]
    assert stderr_problems(notebook) == ["cell 2/7 (`import keras`) wrote to stderr:\n"
                                         "    I0000 cuda_dnn.cc: oneDNN custom operations"]


def test_jupyterlab_starts_as_course_py_lab_starts_it(tmp_path: Path) -> None:
    course = load_course()
    server = JupyterLab("/venv/bin/python", tmp_path / "notebooks", tmp_path, tmp_path / "lab.log")
    server.port = 8899
    command = server.command()
    assert command[: len(course.lab_command("/venv/bin/python", []))] == course.lab_command(
        "/venv/bin/python", [], notebook_dir=tmp_path / "notebooks")
    assert command[-5:] == ["--no-browser", "--ip=127.0.0.1", "--port=8899", "--ServerApp.port_retries=0",
                            f"--IdentityProvider.token={server.token}"]
    assert len(server.token) >= 24  # random, and long enough that no one guesses it
    assert JupyterLab("/venv/bin/python", tmp_path, tmp_path, tmp_path / "other.log").token != server.token
    env = server.environment({"COURSE_FAST": "0", "TF_CPP_MIN_LOG_LEVEL": "2", "HOME": "/home/student"})
    assert env["COURSE_FAST"] == "1" and env["JUPYTER_PREFER_ENV_PATH"] == "1" and env["HOME"] == "/home/student"
    assert "TF_CPP_MIN_LOG_LEVEL" not in env  # the kernels see what a student's kernels see
    assert env["JUPYTERLAB_SETTINGS_DIR"].startswith(str(tmp_path))


def test_missing_browser_is_one_line(tmp_path: Path) -> None:
    reason = browser_unavailable({"COURSE_CHROMIUM": str(tmp_path / "nothing-here")})
    assert reason is not None and "\n" not in reason and "COURSE_CHROMIUM" in reason


# --- the browser session: one JupyterLab, one Chromium, for the whole file -------------------------

@dataclass
class Lab:
    server: JupyterLab
    context: Any  # playwright BrowserContext
    notebook_dir: Path
    pages: dict[str, Any] = field(default_factory=dict)  # notebooks still open (09, for the playground test)
    saved: dict[str, dict[str, Any]] = field(default_factory=dict)  # notebook -> the file saved after its run


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    skip_or_fail_without(browser_unavailable())
    work = tmp_path_factory.mktemp("browser")
    notebook_dir = copy_notebooks(NOTEBOOKS, work / "notebooks")
    # The kernels write their models and logs here, not into outputs/ where nbval runs the same notebooks.
    server = JupyterLab(sys.executable, notebook_dir, work, SCREENSHOTS / "jupyterlab.log",
                        extra_env={"COURSE_OUTPUT_DIR": str(work / "course-outputs")})
    try:
        server.start()
        with chromium_context(VIEWPORT) as context:
            yield Lab(server, context, notebook_dir)
    finally:
        server.stop()


# --- driving JupyterLab ------------------------------------------------------------------------------

def open_notebook(lab: Lab, name: str) -> Any:
    """A new page with the notebook open, every cell in place and its kernel idle."""
    page = lab.context.new_page()
    lab.pages[name] = page
    cells = len(read_notebook(lab.notebook_dir / name)["cells"])
    # ?reset: a fresh workspace, so JupyterLab does not reopen (and start kernels for) earlier notebooks.
    page.goto(lab.server.url(f"lab/tree/{name}", reset=""), timeout=OPEN_SECONDS * 1000)
    page.wait_for_function(
        "n => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').length === n",
        arg=cells, timeout=OPEN_SECONDS * 1000)
    deadline = time.monotonic() + OPEN_SECONDS
    while (state := kernel_state(lab, name)) != "idle":
        if time.monotonic() > deadline:
            raise AssertionError(f"{name}: the kernel was not idle {OPEN_SECONDS} s after opening (state: {state})")
        time.sleep(0.5)
    return page


#: The menu-bar names in JupyterLab's Chinese interface (jupyterlab-language-pack-zh-CN).
CHINESE_MENUS = {"File": "文件", "Edit": "编辑", "View": "查看", "Run": "运行", "Kernel": "内核"}


def menu(page: Any, menu_name: str, command: str) -> None:
    """Click a menu-bar menu (by its English name, also in the Chinese interface), then one of its items
    (by JupyterLab's command id)."""
    names = page.locator(".lm-MenuBar-itemLabel").all_text_contents()
    if menu_name not in names and CHINESE_MENUS.get(menu_name) in names:
        menu_name = CHINESE_MENUS[menu_name]
    page.get_by_role("menuitem", name=menu_name, exact=True).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


PROMPTS_JS = """() => Array.from(document.querySelectorAll(
    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')).map(
    cell => cell.classList.contains('jp-CodeCell') ? cell.querySelector('.jp-InputPrompt').textContent.trim() : null)"""


def run_all(lab: Lab, page: Any, name: str) -> float:
    """Clear every output, run all cells from the Run menu, wait until they have run; the seconds it took.

    Done when every code cell shows an execution count. A cell that raises without the
    ``raises-exception`` tag makes the kernel skip the rest, which then never get one: that run
    counts as over once the prompts have not changed for :data:`STALLED_SECONDS` while the kernel
    said it was idle (the kernel's state alone is no proof: it reads idle for a moment between
    cells, and JupyterLab shows the cells after a ``raises-exception`` one as ``[ ]`` although they
    still run).
    """
    cells = read_notebook(lab.notebook_dir / name)["cells"]
    expected = [index for index, cell in enumerate(cells)
                if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]
    menu(page, "Edit", "editmenu:clear-all")
    start = time.monotonic()
    menu(page, "Run", "runmenu:run-all")
    prompts: list[str | None] = []
    quiet_since: float | None = None
    while time.monotonic() - start < RUN_SECONDS:
        latest = page.evaluate(PROMPTS_JS)
        numbered = [index for index, prompt in enumerate(latest) if prompt and re.fullmatch(r"\[\d+\]:", prompt)]
        if numbered == expected:
            wait_until_idle(lab, name, 30)  # the last cell's outputs
            return time.monotonic() - start
        idle = kernel_state(lab, name) == "idle"
        if latest != prompts or not idle or "[*]:" in latest or not numbered:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > STALLED_SECONDS:
            return time.monotonic() - start  # the run stopped early: the checks on the saved file say where
        prompts = latest
        time.sleep(1.0)
    running = [index for index, prompt in enumerate(prompts) if prompt == "[*]:"]
    where = f"cell {running[0] + 1}/{len(prompts)} was still running" if running else "no cell was running"
    raise AssertionError(f"{name}: Run All did not finish within {RUN_SECONDS} s; {where}")


def kernel_state(lab: Lab, name: str) -> str | None:
    session = lab.server.session_for(name) or {}
    return session.get("kernel", {}).get("execution_state")


def wait_until_idle(lab: Lab, name: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while kernel_state(lab, name) != "idle" and time.monotonic() < deadline:
        time.sleep(0.5)


def widget_problems(page: Any) -> list[str]:
    """Cells showing ipywidgets' placeholders instead of widgets, after giving them time to load."""
    script = """problems => Array.from(document.querySelectorAll(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell')).flatMap((cell, index, all) => {
            const text = cell.querySelector('.jp-OutputArea')?.textContent ?? '';
            return problems.filter(p => text.includes(p)).map(p => `cell ${index + 1}/${all.length} shows "${p}"`);
        })"""
    deadline = time.monotonic() + WIDGETS_SECONDS
    while True:
        found = page.evaluate(script, list(WIDGET_PROBLEMS))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(1.0)


def save(page: Any, lab: Lab, name: str) -> dict[str, Any]:
    """Save from the File menu; the notebook as written to disk."""
    path = lab.notebook_dir / name
    before = path.stat().st_mtime_ns
    menu(page, "File", "docmanager:save")
    deadline = time.monotonic() + SAVE_SECONDS
    while path.stat().st_mtime_ns == before:
        if time.monotonic() > deadline:
            raise AssertionError(f"{name}: File > Save Notebook wrote nothing within {SAVE_SECONDS} s")
        time.sleep(0.5)
    # Jupyter server writes in place (truncate, then write), so a read right after the mtime changes
    # can see an empty or half-written file: wait until the file parses and has stopped changing.
    while True:
        written = path.stat().st_mtime_ns
        time.sleep(0.5)
        try:
            notebook = read_notebook(path)
        except json.JSONDecodeError:
            notebook = None
        if notebook is not None and path.stat().st_mtime_ns == written:
            return notebook
        if time.monotonic() > deadline:
            raise AssertionError(f"{name}: File > Save Notebook left a file that is not a whole notebook "
                                 f"after {SAVE_SECONDS} s")


def screenshot(page: Any, name: str, suffix: str = "") -> Path:
    """The whole notebook as one picture: the page made as tall as the notebook (up to a limit), from the top."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{Path(name).stem}{suffix}.png"
    # Scroll to the top; how much of the last cell is still below the panel (not the scroll-past-end space).
    to_top = """() => {
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        const scroller = panel?.querySelector('.jp-WindowedPanel-outer');
        const cells = panel ? panel.querySelectorAll('.jp-Notebook .jp-Cell') : [];
        if (!scroller || !cells.length) return 0;
        scroller.scrollTop = 0;
        const bottom = cells[cells.length - 1].getBoundingClientRect().bottom;
        return Math.ceil(bottom + 24 - scroller.getBoundingClientRect().bottom) }"""
    try:
        for _ in range(3):  # cells measured once they are on screen can grow the notebook: fit again
            hidden = int(page.evaluate(to_top))
            size = page.viewport_size or VIEWPORT
            if hidden <= 0 or size["height"] >= MAX_SCREENSHOT_HEIGHT:
                break
            page.set_viewport_size({"width": VIEWPORT["width"],
                                    "height": min(size["height"] + hidden, MAX_SCREENSHOT_HEIGHT)})
            page.wait_for_timeout(1000)  # layout, and cells that were off screen render
        page.evaluate(to_top)
        page.screenshot(path=str(path), timeout=60_000)
    finally:
        page.set_viewport_size(VIEWPORT)
    return path


def close(lab: Lab, name: str) -> None:
    page = lab.pages.pop(name, None)
    if page is not None:
        try:
            page.close()
        except Exception:
            pass
    lab.server.shut_down_kernel(name)


# --- the tests ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NOTEBOOKS, ids=[Path(name).stem for name in NOTEBOOKS])
def test_lesson_runs_in_jupyterlab(lab: Lab, name: str) -> None:
    """Run All in the browser: every code cell runs, errors only where the lesson raises one, widgets render."""
    keep_open = name == PLAYGROUND_NOTEBOOK  # the playground test goes on in this page
    start = time.monotonic()
    page = open_notebook(lab, name)
    opened = time.monotonic() - start
    try:
        seconds = run_all(lab, page, name)
        print(f"{name}: Run All took {seconds:.1f} s")
        widgets = widget_problems(page)
        notebook = save(page, lab, name)
        lab.saved[name] = notebook
        problems = run_problems(notebook) + widgets
        assert not problems, f"{name} in JupyterLab (Run All took {seconds:.0f} s):\n  " + "\n  ".join(problems)
    finally:
        try:
            shot = screenshot(page, name)
            print(f"{name}: opened in {opened:.1f} s; whole test {time.monotonic() - start:.1f} s; screenshot {shot}")
        finally:
            if not keep_open:
                close(lab, name)


@pytest.mark.parametrize("name", NOTEBOOKS, ids=[Path(name).stem for name in NOTEBOOKS])
def test_lesson_writes_no_stderr_in_jupyterlab(lab: Lab, name: str) -> None:
    """No start-up noise or stray warnings: stderr only in cells tagged ``stderr-expected``."""
    notebook = lab.saved.get(name)
    if notebook is None:
        pytest.fail(f"{name} was not run and saved: see test_lesson_runs_in_jupyterlab[{Path(name).stem}]",
                    pytrace=False)
    problems = stderr_problems(notebook)
    assert not problems, (f"{name}: stderr in cells not tagged {STDERR_TAG} (start-up noise, or a warning the"
                          " lesson does not explain):\n  " + "\n  ".join(problems))


# --- notebook 09: the playground's buttons ---------------------------------------------------------

class Playground:
    """The first playground panel on the page (the one a student trains with), by its CSS classes.

    ``course_utils.widgets.CSS_CLASSES`` gives the panel ``course-playground`` and its widgets
    ``course-playground-train``, ``-stop``, ``-status``, ``-table``, ``-progress``, ``-learning-rate``,
    ``-epochs``, ...: a stable way in that does not depend on labels or layout.
    """

    PARTS = ("train", "stop", "status", "table", "progress", "learning-rate", "epochs")

    def __init__(self, page: Any) -> None:
        self.page = page
        self.panel = page.locator(".course-playground").first

    def missing_parts(self) -> list[str]:
        if not self.page.locator(".course-playground").count():
            return ["course-playground"]
        return [f"course-playground-{name}" for name in self.PARTS
                if not self.panel.locator(f".course-playground-{name}").count()]

    def part(self, name: str) -> Any:
        return self.panel.locator(f".course-playground-{name}").first

    @property
    def train(self) -> Any:
        return self.part("train")

    @property
    def stop(self) -> Any:
        return self.part("stop")

    def rows(self) -> list[str]:
        return [row.inner_text() for row in self.part("table").locator("table tbody tr").all()]

    def status_text(self) -> str:
        return self.part("status").inner_text()

    def progress(self) -> float:
        """The progress bar's filled share, 0-100."""
        width = self.part("progress").locator(".progress-bar").first.evaluate("bar => bar.style.width || '0%'")
        return float(str(width).rstrip("%") or 0)

    def set_slider(self, name: str, text: str) -> None:
        """Type a value into a slider's readout, as a student can, and press Enter."""
        self.part(name).locator(".widget-readout").click()
        self.page.keyboard.press("ControlOrMeta+A")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def wait_for(self, what: str, condition: Any, seconds: float) -> float:
        """Poll ``condition()`` until true; the seconds it took. Fails with the panel's status line."""
        start = time.monotonic()
        while not condition():
            if time.monotonic() - start > seconds:
                raise AssertionError(f"{PLAYGROUND_NOTEBOOK} playground: {what} did not happen within {seconds} s;"
                                     f" status: {self.status_text()!r}; table rows: {self.rows()}")
            time.sleep(0.25)
        return time.monotonic() - start


def test_playground_trains_and_stops_in_jupyterlab(lab: Lab) -> None:
    """Change a control, press Train, see the run's row; start a long run, press Stop, see it stop."""
    if PLAYGROUND_NOTEBOOK not in NOTEBOOKS:
        pytest.skip(f"{PLAYGROUND_NOTEBOOK} is not among {SELECTION_VARIABLE}")
    page = lab.pages.get(PLAYGROUND_NOTEBOOK)
    if page is None or PLAYGROUND_NOTEBOOK not in lab.saved:
        pytest.fail(f"{PLAYGROUND_NOTEBOOK} did not run in the browser: see test_lesson_runs_in_jupyterlab",
                    pytrace=False)
    panel = Playground(page)
    try:
        missing = panel.missing_parts()
        assert not missing, f"{PLAYGROUND_NOTEBOOK}: no element with the CSS class {', '.join(missing)} on the page"
        panel.train.scroll_into_view_if_needed()
        rows_before = len(panel.rows())

        # A control changed in the browser reaches the kernel: the run's row shows the new learning rate.
        panel.set_slider("learning-rate", "0.01")
        panel.train.click()
        panel.wait_for("the first run's row in the table", lambda: len(panel.rows()) == rows_before + 1,
                       TRAIN_SECONDS)
        panel.wait_for("'finished' in the status line", lambda: "finished" in panel.status_text(), 30)
        row = panel.rows()[-1]
        assert "1.0e-02" in row, f"the run did not use the learning rate set in the browser: {row!r}"
        assert panel.train.is_enabled() and not panel.stop.is_enabled()

        # A long run, stopped: Stop ends it after the current batch.
        panel.set_slider("epochs", "30")
        panel.train.click()
        panel.wait_for("the long run's training (progress bar moving)", lambda: panel.progress() > 0, TRAIN_SECONDS)
        assert panel.stop.is_enabled(), "Stop is not enabled while a run trains"
        panel.stop.click()
        seconds = panel.wait_for("'stopped early' after Stop", lambda: "stopped early" in panel.status_text(),
                                 STOP_SECONDS)
        panel.wait_for("the stopped run's row", lambda: len(panel.rows()) == rows_before + 2, STOP_SECONDS)
        row = panel.rows()[-1]
        assert "stopped" in row and "/30" in row and "30/30" not in row, f"the run did not stop early: {row!r}"
        assert panel.train.is_enabled(), "Train is not enabled again after Stop"
        print(f"playground: stopped {seconds:.1f} s after the Stop click")
        assert not widget_problems(page)
    finally:
        try:
            panel.panel.screenshot(path=str(SCREENSHOTS / f"{Path(PLAYGROUND_NOTEBOOK).stem}-playground.png"),
                                   timeout=30_000)
        except Exception:
            pass
        close(lab, PLAYGROUND_NOTEBOOK)
