"""The Chinese edition in a real browser: ``course.py lab --lang zh`` opens JupyterLab in Chinese on lesson 01.

JupyterLab starts with ``course.py``'s own ``lab_command``, ``lab_environment(..., "zh")`` and
``write_lab_settings`` (the display-language setting), on a copy of ``notebooks/zh/`` beside the
exercises' ``checks/`` as in the repository. The test reads JupyterLab's menu bar (Chinese from the
language pack), runs the lesson with *Run All*, saves it, and checks the saved file: every cell ran,
no unexpected error or stderr, and the helpers' messages came out in Chinese. The picture a student
sees is kept in ``outputs/browser/zh-01_data.png`` (``docs/jupyterlab-zh.png`` is a copy of one).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyterlab_browser import (
    JupyterLab,
    browser_unavailable,
    chromium_context,
    copy_notebooks,
    run_problems,
    skip_or_fail_without,
    stderr_problems,
)
from test_browser import CHINESE_MENUS, SCREENSHOTS, VIEWPORT, Lab, close, open_notebook, run_all, save

LESSON = "01_data.ipynb"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def no_chinese_font() -> str | None:
    """Why Chromium would draw Chinese as empty boxes here (Linux without a Chinese font), or None."""
    if not sys.platform.startswith("linux"):
        return None  # macOS and Windows ship Chinese fonts
    fc_list = shutil.which("fc-list")
    if fc_list is not None and subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout.strip():
        return None
    return "no font with Chinese characters for Chromium (Debian: apt-get install fonts-wqy-microhei)"


@pytest.fixture(scope="module")
def chinese_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    skip_or_fail_without(browser_unavailable() or no_chinese_font())
    work = tmp_path_factory.mktemp("browser-zh")
    notebook_dir = copy_notebooks([LESSON], work / "notebooks", edition="zh")
    server = JupyterLab(sys.executable, notebook_dir, work, SCREENSHOTS / "jupyterlab-zh.log",
                        extra_env={"COURSE_OUTPUT_DIR": str(work / "course-outputs")}, language="zh")
    try:
        server.start()
        with chromium_context(VIEWPORT, locale="zh-CN") as context:
            yield Lab(server, context, notebook_dir)
    finally:
        server.stop()


def test_chinese_jupyterlab_runs_the_chinese_lesson(chinese_lab: Lab) -> None:
    page = open_notebook(chinese_lab, LESSON)
    try:
        menus = page.locator(".lm-MenuBar-itemLabel").all_text_contents()
        assert set(CHINESE_MENUS.values()) <= set(menus), f"JupyterLab's menu bar is not in Chinese: {menus}"
        run_all(chinese_lab, page, LESSON)
        saved = save(page, chinese_lab, LESSON)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => { const s = document.querySelector("
                      "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer'); if (s) s.scrollTop = 0; }")
        page.wait_for_timeout(1000)
        page.screenshot(path=str(SCREENSHOTS / f"zh-{Path(LESSON).stem}.png"))  # the top of the lesson, as opened
    finally:
        close(chinese_lab, LESSON)
    problems = run_problems(saved) + stderr_problems(saved)
    assert not problems, "\n".join(problems)
    headings = [line for cell in saved["cells"] if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).splitlines() if line.startswith("#")]
    assert headings and all(CHINESE.search(line) for line in headings[:3]), headings[:3]
    printed = ["".join(output.get("text", "")) for cell in saved["cells"] if cell["cell_type"] == "code"
               for output in cell.get("outputs", []) if output.get("output_type") == "stream"]
    assert any(CHINESE.search(text) for text in printed), (
        "no helper message in Chinese in the lesson's printed output: the kernel did not get COURSE_LANG=zh?")
