"""``python3 course.py teacher grade SUBMISSIONS/ OUT/``: grade a folder of returned notebooks.

Every notebook is graded by otter-grader's ``otter run`` (the lesson's autograder zip, built by
``classroom.release.build_autograder``) in a process of its own, in fast mode, in a temporary copy,
with a time limit and a memory limit. What this module adds around ``otter run`` is what a batch
of real submissions needs: finding each student's notebooks whatever their names, telling which
lesson a notebook is, stopping a notebook that never ends or eats the memory, keeping the
submissions folder exactly as it was, and one CSV and one feedback file per student.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from classroom import exercises, release

# The kit runs from the course's repository (course.py teacher puts it on PYTHONPATH), where the
# package is importable: the kernel's name has one definition.
from course_utils.config import KERNEL_NAME

DEFAULT_TIME_LIMIT_SECONDS = 900.0
DEFAULT_MEMORY_LIMIT_GIB = 6.0
_CHECK_CALL = re.compile(r"""grader\.check\(\s*["']((?:ex\d\d|capstone)_\d+)["']\s*\)""")


@dataclass
class Result:
    """The grade of one notebook."""

    student: str
    notebook: str
    lesson: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    possible: dict[str, float] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


# --- finding the submissions ----------------------------------------------------------------------

def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """``(student, notebook)`` pairs: ``NAME.ipynb`` at the top is NAME's; ``NAME/**.ipynb`` are NAME's."""
    found = []
    for entry in sorted(Path(folder).iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found.append((entry.stem, entry))
        elif entry.is_dir():
            for notebook in sorted(entry.rglob("*.ipynb")):
                if ".ipynb_checkpoints" not in notebook.parts:
                    found.append((entry.name, notebook))
    return found


def exercise_ids_by_lesson() -> dict[Path, list[str]]:
    return {path: [exercise.id for exercise in exercises.find_exercises(path)] for path in exercises.lesson_notebooks()}


def identify_lesson(notebook: dict, lessons: dict[Path, list[str]]) -> Path | None:
    """The lesson whose exercises the notebook answers (by its check calls and answer cells), or None."""
    seen = set()
    for cell in notebook.get("cells", []):
        cell_id = str(cell.get("id", ""))
        if cell_id.startswith(("answer-", "check-")):
            seen.add(cell_id.split("-", 1)[1])
        if cell.get("cell_type") == "code":
            seen.update(_CHECK_CALL.findall(exercises.source(cell)))
    best, overlap = None, 0
    for path, ids in lessons.items():
        common = len(seen & set(ids))
        if common > overlap:
            best, overlap = path, common
    return best


# --- keeping the submissions folder as it was -----------------------------------------------------

def fingerprint(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``folder``."""
    prints = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            prints[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return prints


def restore(folder: Path, pristine: Path, expected: dict[str, str]) -> list[str]:
    """Put ``folder`` back as ``pristine`` if it differs from ``expected``; return what had changed."""
    if not folder.exists():
        shutil.copytree(pristine, folder)
        return ["the whole submissions folder was deleted"]
    now = fingerprint(folder)
    changed = sorted(name for name in set(now) | set(expected) if now.get(name) != expected.get(name))
    if changed:
        for name in changed:
            target = folder / name
            if name in expected:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(pristine / name, target)
            elif target.exists():
                target.unlink()
    return changed


# --- running one notebook under limits ------------------------------------------------------------

def _tree_memory_bytes(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def _kill_group(process: subprocess.Popen) -> None:
    import psutil

    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        children = []
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for child in children:  # a kernel that left the group (setsid) is killed too
        try:
            child.kill()
        except psutil.Error:
            pass
    process.wait()


def run_limited(command: list[str], cwd: Path, env: dict[str, str], log: Path,
                time_limit: float, memory_limit_bytes: int) -> str | None:
    """Run ``command``; return None, or why it was stopped (time or memory limit, exit code)."""
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        started = time.monotonic()
        while process.poll() is None:
            if time.monotonic() - started > time_limit:
                _kill_group(process)
                return f"stopped after the time limit of {time_limit:.0f} s (does a loop never end?)"
            used = _tree_memory_bytes(process.pid)
            if used > memory_limit_bytes:
                _kill_group(process)
                return (f"stopped: it used {used / 2**30:.1f} GiB of memory, more than the limit of "
                        f"{memory_limit_bytes / 2**30:.1f} GiB")
            time.sleep(0.25)
    return None if process.returncode == 0 else f"the grader exited with code {process.returncode}"


def _prepared_copy(notebook: dict, target: Path) -> None:
    """The student's notebook, as it will be run: the course's kernel, whatever theirs was called."""
    notebook.setdefault("metadata", {})["kernelspec"] = {
        "name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    exercises.write_notebook(notebook, target)


def grade_one(student: str, path: Path, lessons: dict[Path, list[str]], autograders: Callable[[Path], Path],
              workdir: Path, time_limit: float, memory_limit_bytes: int) -> Result:
    result = Result(student=student, notebook=path.name)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(notebook, dict) or "cells" not in notebook:
            raise ValueError("no cells")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        result.problems.append(f"{path.name} is not a readable notebook ({error}); nothing was run")
        return result
    lesson = identify_lesson(notebook, lessons)
    if lesson is None:
        result.problems.append(f"{path.name} answers none of the course's exercises (no grader.check calls found)")
        return result
    result.lesson = lesson.stem
    for exercise_id in lessons[lesson]:
        result.scores[exercise_id] = 0.0
    workdir.mkdir(parents=True)
    submission = workdir / "submission.ipynb"
    _prepared_copy(notebook, submission)
    results_dir = workdir / "results"
    results_dir.mkdir()
    env = dict(os.environ, COURSE_FAST="1", COURSE_OUTPUT_DIR=str(workdir / "outputs"), MPLBACKEND="Agg")
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograders(lesson)),
               "-o", str(results_dir), str(submission)]
    started = time.monotonic()
    stopped = run_limited(command, workdir, env, workdir / "otter.log", time_limit, memory_limit_bytes)
    result.seconds = time.monotonic() - started
    results_file = results_dir / "results.json"
    if stopped:
        result.problems.append(stopped)
    if not results_file.exists():
        if not stopped:
            tail = (workdir / "otter.log").read_text(errors="replace")[-600:]
            result.problems.append(f"otter run wrote no results; the end of its log:\n{tail}")
        return result
    for test in json.loads(results_file.read_text(encoding="utf-8")).get("tests", []):
        name = test.get("name")
        if name in result.scores:
            result.scores[name] = float(test.get("score") or 0.0)
            result.possible[name] = float(test.get("max_score") or 0.0)
            result.feedback[name] = test.get("output", "")
    return result


# --- the whole batch ------------------------------------------------------------------------------

def write_grades(results: list[Result], lessons: dict[Path, list[str]], out: Path) -> Path:
    """``out/grades.csv``: a row per student, a column per exercise of the lessons handed in, and the total."""
    handed_in = {result.lesson for result in results if result.lesson}
    columns = [exercise_id for path, ids in lessons.items() if path.stem in handed_in for exercise_id in ids]
    by_student: dict[str, dict[str, float]] = {}
    for result in results:
        row = by_student.setdefault(result.student, {})
        for exercise_id, score in result.scores.items():
            row[exercise_id] = max(score, row.get(exercise_id, 0.0))
    path = out / "grades.csv"
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["student", *columns, "total"])
        for student in sorted(by_student):
            row = by_student[student]
            writer.writerow([student, *(_number(row.get(column, 0.0)) for column in columns),
                             _number(sum(row.values()))])
    return path


def _number(value: float) -> str:
    return f"{value:g}"


def write_feedback(results: list[Result], out: Path) -> None:
    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    by_student: dict[str, list[Result]] = {}
    for result in results:
        by_student.setdefault(result.student, []).append(result)
    for student, own in by_student.items():
        lines = [f"# Feedback for {student}", ""]
        for result in own:
            lines += [f"## {result.notebook}" + (f" (lesson {result.lesson})" if result.lesson else ""), ""]
            lines += [f"**Problem:** {problem}" for problem in result.problems]
            if result.problems:
                lines.append("")
            for exercise_id, score in result.scores.items():
                possible = result.possible.get(exercise_id)
                out_of = f" / {possible:g}" if possible else ""
                lines += [f"### {exercise_id}: {score:g}{out_of}", ""]
                if exercise_id in result.feedback:
                    lines += ["```", result.feedback[exercise_id].strip(), "```", ""]
        (folder / f"{student}.md").write_text("\n".join(lines), encoding="utf-8")


def grade(submissions: Path, out: Path, time_limit: float = DEFAULT_TIME_LIMIT_SECONDS,
          memory_limit_gib: float = DEFAULT_MEMORY_LIMIT_GIB, log: Callable[[str], None] = print) -> list[Result]:
    """Grade every notebook under ``submissions``; write ``out/grades.csv`` and ``out/feedback/``.

    Args:
        submissions: the returned notebooks: ``NAME.ipynb`` files, or ``NAME/`` folders of notebooks.
        out: where the grades, the feedback and the autograder zips go (created if missing).
        time_limit: seconds one notebook may run, checks included.
        memory_limit_gib: memory one notebook (its kernel and grader together) may use.
        log: where progress lines go.

    Returns:
        One :class:`Result` per notebook.
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder of returned notebooks")
    if out == submissions or submissions in out.parents:
        raise ValueError(f"write the results outside the submissions folder, not to {out}")
    out.mkdir(parents=True, exist_ok=True)
    lessons = exercise_ids_by_lesson()
    built: dict[Path, Path] = {}

    def autograder(lesson: Path) -> Path:
        if lesson not in built:
            built[lesson] = release.build_autograder(lesson, release.autograder_path(out / "autograder", lesson))
        return built[lesson]

    expected = fingerprint(submissions)
    results = []
    # The untouched copy and the runs live in separate temporary folders: a notebook that deletes
    # everything above its own folder cannot reach the copy the submissions are restored from.
    with tempfile.TemporaryDirectory(prefix="course-submissions-") as kept, \
            tempfile.TemporaryDirectory(prefix="course-grading-") as scratch:
        pristine = Path(kept) / "pristine"
        shutil.copytree(submissions, pristine)
        for number, (student, path) in enumerate(find_submissions(pristine), start=1):
            log(f"[{number}] {student}: {path.relative_to(pristine)}")
            workdir = Path(scratch) / f"{number:04d}"
            result = grade_one(student, path, lessons, autograder, workdir, time_limit,
                               int(memory_limit_gib * 2**30))
            changed = restore(submissions, pristine, expected)
            if changed:
                result.problems.append(f"it changed files in the submissions folder ({', '.join(changed[:5])}); "
                                       "they were put back as handed in")
            total = sum(result.scores.values())
            log(f"    {result.lesson or '?'}: {total:g} points in {result.seconds:.0f} s"
                + "".join(f"\n    problem: {problem.splitlines()[0]}" for problem in result.problems))
            results.append(result)
    write_grades(results, lessons, out)
    write_feedback(results, out)
    log(f"Wrote {out / 'grades.csv'} and {len(results)} feedback entries in {out / 'feedback'}")
    return results
