"""Time every lesson as a student runs it, and write the times into docs/teaching.md.

    python tools/time_lessons.py                      # all twelve lessons, full mode (20-40 minutes)
    python tools/time_lessons.py --lessons 01 04      # a subset; the other lessons' entries are kept
    python tools/time_lessons.py --fast --lessons 01  # fast mode (COURSE_FAST=1), for a quick try
    python tools/time_lessons.py --write-docs         # only fill docs/teaching.md from the JSON
    python tools/time_lessons.py --lessons 09 --write-docs   # time, then fill

Each lesson runs top to bottom, one at a time, in a fresh ``python3`` kernel started by nbclient,
from a copy in a temporary folder (with ``checks/`` beside it, as the exercises need), so the
notebook file is never modified. Full mode is what a student gets: ``COURSE_FAST`` unset,
``COURSE_OFFLINE=1`` (nothing is downloaded, so the bundled 10,000 digits are used unless full
MNIST is already in the Keras cache), ``COURSE_OUTPUT_DIR`` a temporary folder shared by the
lessons of one run, in lesson order, as a student's ``outputs/`` is (notebook 08 reuses the model
notebook 07 saved when 07 ran earlier in the same run, as in a class).

The seconds include starting the kernel and importing TensorFlow, as a student's *Run All* does.
The machine may be shared: the JSON records the load average before and after every lesson and
its mean and maximum while the lesson ran (sampled every 2 s), and the CPU seconds the lesson's
kernel used, so a slow time on a busy machine can be told from a slow lesson. A lesson that fails
is recorded with its error, and the run goes on with the next lesson.

``docs/lesson_times.json`` keeps one entry per mode and lesson. ``--write-docs`` fills every
marked region of ``docs/teaching.md`` from the full-mode entries:

* ``<!-- lesson-times -->`` ... ``<!-- /lesson-times -->``: the table of all lessons;
* ``<!-- estimate-rule -->`` ... ``<!-- /estimate-rule -->``: the session estimate's rule and totals;
* ``<!-- time:NN -->`` ... ``<!-- /time:NN -->``: one lesson's time, inline;
* ``<!-- sections:NN -->`` ... ``<!-- /sections:NN -->``: one lesson's time per ``## `` section.

so no time in docs/teaching.md is typed by hand.
Run it inside the course's environment (``.venv/bin/python tools/time_lessons.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from importlib import metadata
from pathlib import Path

from course_utils import config  # no TensorFlow: the kernel's name and Keras' folder

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
JSON_PATH = ROOT / "docs" / "lesson_times.json"
TEACHING_PATH = ROOT / "docs" / "teaching.md"
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
LOAD_SAMPLE_SECONDS = 2.0
#: Words of lesson text (markdown, and code read along) a class gets through per minute; see docs/teaching.md.
READING_WORDS_PER_MINUTE = 100
#: Lines of code a class reads (and relates to the text) per minute.
CODE_LINES_PER_MINUTE = 10
#: Minutes a class spends on one exercise, its own training runs included.
MINUTES_PER_EXERCISE = 12
HOW = (f"Each lesson top to bottom, one at a time, in a fresh {config.KERNEL_NAME} kernel (nbclient), "
       "from a temporary copy; COURSE_OFFLINE=1, COURSE_OUTPUT_DIR a temporary folder shared by the lessons of "
       "one run in lesson order; seconds include the kernel's start. Load averages from os.getloadavg(): before, "
       "after, and the 1-minute value sampled every 2 s during the lesson; kernel_cpu_seconds: user + system CPU "
       "time of the kernel and the processes it started, read every 2 s.")


# --------------------------------------------------------------------------------------------------
# the machine


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    try:
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    try:
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("flags", "Features"):
                return set(value.split())
    except OSError:
        pass
    return set()


def machine_info() -> dict:
    """What the times depend on. The precision is read later from what the lessons print."""
    flags = cpu_flags()
    keras_datasets = config.KERAS_HOME / "datasets"
    versions = {}
    for package in ("tensorflow", "keras", "numpy", "nbclient"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "avx512_bf16": "avx512_bf16" in flags,
        "amx_bf16": "amx_bf16" in flags,
        "gpu": shutil.which("nvidia-smi") is not None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "course_precision_env": os.environ.get("COURSE_PRECISION") or "auto (unset)",
        # What the lessons train on offline (course_utils/data.py looks in the same places, without
        # importing TensorFlow here): full MNIST only from Keras' cache, else the bundled 10,000 digits.
        "full_mnist_cached": (keras_datasets / "mnist.npz").is_file(),
        "fashion_mnist_installed": any((folder / name).is_dir() for folder, name in
                                       ((keras_datasets, "fashion-mnist"),
                                        (Path("/usr/share/datasets"), "fashion-mnist"))),
    }


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


class LoadSampler:
    """Samples the 1-minute load average, and the CPU time of the lesson's kernel, while a lesson runs.

    The kernel is a child of this process (nbclient starts it); its CPU seconds (user + system, with
    the processes it started, such as notebook 06's training scripts) are read every few seconds,
    so the last reading is at most that much before the lesson's end.
    """

    def __init__(self, every: float = LOAD_SAMPLE_SECONDS) -> None:
        self.every = every
        self.samples: list[float] = []
        self.cpu_seconds: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read_cpu(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        try:
            for process in psutil.Process().children(recursive=True):
                try:
                    times = process.cpu_times()
                    self.cpu_seconds[process.pid] = times.user + times.system
                except psutil.Error:
                    pass
        except psutil.Error:
            pass

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])
            self._read_cpu()

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        if not self.samples:
            return {"mean_1min": None, "max_1min": None, "samples": 0}
        return {"mean_1min": round(sum(self.samples) / len(self.samples), 2),
                "max_1min": round(max(self.samples), 2), "samples": len(self.samples)}

    def kernel_cpu_seconds(self) -> float | None:
        return round(sum(self.cpu_seconds.values()), 1) if self.cpu_seconds else None


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


# --------------------------------------------------------------------------------------------------
# the lessons


def lesson_paths() -> dict[str, Path]:
    return {path.name[:2]: path for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}


def headings_in(cell: dict) -> list[str]:
    """The ``# `` and ``## `` headings of a markdown cell, wherever they are in it (not in code blocks)."""
    if cell.get("cell_type") != "markdown":
        return []
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    found, fenced = [], False
    for line in source.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,2} ", line):
            found.append(line.lstrip("#").strip())
    return found


def _seconds_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    try:
        begin = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        finish = dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (finish - begin).total_seconds()


def section_times(notebook) -> list[dict]:
    """Seconds per ``#``/``##`` section, from the execution timestamps nbclient records per cell."""
    sections: list[dict] = []
    current = {"heading": "(before the first heading)", "seconds": 0.0, "code_cells": 0}
    for cell in notebook.cells:
        for heading in headings_in(cell):
            if current["code_cells"] or current["heading"] != "(before the first heading)":
                sections.append(current)
            current = {"heading": heading, "seconds": 0.0, "code_cells": 0}
        if cell.cell_type != "code":
            continue
        timing = cell.metadata.get("execution", {})
        seconds = _seconds_between(timing.get("iopub.status.busy") or timing.get("shell.execute_request"),
                                   timing.get("shell.execute_reply"))
        current["code_cells"] += 1
        current["seconds"] += seconds or 0.0
    sections.append(current)
    for section in sections:
        section["seconds"] = round(section["seconds"], 1)
    return sections


def printed_precision(notebook) -> str | None:
    """The device line ``config.setup()`` prints in the first cell (``Devices: ... | fast-path precision: ...``)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            for line in text.splitlines():
                if "fast-path precision:" in line:
                    return line.strip()
    return None


def first_error(notebook, exception: BaseException) -> dict:
    """Where and why a lesson stopped: the cell, its first line, the exception's name and message."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and "raises-exception" not in cell.metadata.get("tags", []):
                first_line = cell.source.splitlines()[0][:120] if cell.source else ""
                return {"cell_index": index, "cell_first_line": first_line,
                        "ename": output.get("ename"), "evalue": str(output.get("evalue"))[:2000]}
    return {"cell_index": None, "cell_first_line": None, "ename": type(exception).__name__,
            "evalue": "".join(traceback.format_exception_only(type(exception), exception)).strip()[-2000:]}


def run_lesson(path: Path, workdir: Path, timeout: int) -> dict:
    """Execute one lesson from a copy in ``workdir``; return its entry for the JSON."""
    import nbformat
    from nbclient import NotebookClient

    copy_dir = workdir / "notebooks"
    copy_dir.mkdir(parents=True, exist_ok=True)
    if (NOTEBOOKS / "checks").is_dir():
        shutil.copytree(NOTEBOOKS / "checks", copy_dir / "checks", dirs_exist_ok=True)
    source = path.read_bytes()
    copy = copy_dir / path.name
    copy.write_bytes(source)
    notebook = nbformat.reads(source.decode("utf-8"), as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name=config.KERNEL_NAME, record_timing=True,
                            resources={"metadata": {"path": str(copy_dir)}})
    entry: dict = {
        "notebook": path.name,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "notebook_sha256": hashlib.sha256(source).hexdigest()[:16],
        "notebook_changed_since_commit": bool(git("status", "--porcelain", "--", str(path.relative_to(ROOT)))),
        "load_before": load_average(),
    }
    start = time.perf_counter()
    error: BaseException | None = None
    with LoadSampler() as sampler:
        try:
            client.execute()
        except Exception as exc:  # a failed lesson is a result, and the next lesson still runs
            error = exc
    # While a lesson runs, nbclient's own SIGINT/SIGTERM handler replaces ours: it shuts the kernel
    # down, and the cell then fails. It leaves this attribute behind when it did (nbclient 0.10-0.11).
    if getattr(client, "_async_cleanup_kernel_future", None) is not None:
        STOP.set()
    if STOP.is_set():
        # Ctrl-C or SIGTERM: nbclient interrupts the kernel and reports the cell as failed; that is not
        # the lesson's failure, so nothing is recorded for it and the run ends here.
        raise KeyboardInterrupt
    entry["seconds"] = round(time.perf_counter() - start, 1)
    entry["load_after"] = load_average()
    entry["load_during"] = sampler.summary()
    # CPU seconds the kernel (and what it started) used: on a busy machine the wall-clock seconds grow,
    # these much less, so the two together show how much the sharing cost.
    entry["kernel_cpu_seconds"] = sampler.kernel_cpu_seconds()
    entry["status"] = "ok" if error is None else "failed"
    if error is not None:
        entry["error"] = first_error(notebook, error)
    entry["precision_line"] = printed_precision(notebook)
    entry["sections"] = section_times(notebook)
    return entry


#: Set by Ctrl-C or SIGTERM: the lesson running is abandoned, the lessons measured so far are kept.
STOP = threading.Event()


def _stop(signum: int, frame: object) -> None:
    STOP.set()
    signal.default_int_handler(signum, frame)


def read_json(path: Path = JSON_PATH) -> dict:
    if path.is_file():
        return json.loads(path.read_text())
    return {}


def same_machine(a: dict, b: dict) -> bool:
    keys = ("cpu_model", "cores", "avx512_bf16", "amx_bf16", "gpu")
    return all(a.get(key) == b.get(key) for key in keys)


def time_lessons(codes: list[str], fast: bool, timeout: int, json_path: Path) -> dict:
    paths = lesson_paths()
    unknown = [code for code in codes if code not in paths]
    if unknown:
        raise SystemExit(f"no lesson {', '.join(unknown)}; the lessons are {', '.join(paths)}")
    mode = "fast" if fast else "full"
    if fast:
        os.environ["COURSE_FAST"] = "1"
    else:
        os.environ.pop("COURSE_FAST", None)
    os.environ["COURSE_OFFLINE"] = "1"

    machine = machine_info()
    results = read_json(json_path)
    if results.get("machine") and not same_machine(results["machine"], machine):
        print("docs/lesson_times.json was measured on another machine: its entries are replaced.",
              file=sys.stderr)
        results = {}
    results["machine"] = machine
    results["how"] = HOW
    by_mode = results.setdefault("modes", {}).setdefault(mode, {})

    with tempfile.TemporaryDirectory(prefix="time_lessons_") as temporary:
        workdir = Path(temporary)
        os.environ["COURSE_OUTPUT_DIR"] = str(workdir / "outputs")
        run = {"started": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "lessons": codes,
               "commit": git("rev-parse", "--short", "HEAD"), "output_dir": "one temporary folder for the run"}
        for code in codes:
            # Again for every lesson: when nbclient removes its handlers after a lesson, it resets these.
            signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGTERM, _stop)
            print(f"{time.strftime('%H:%M:%S')} {paths[code].name} ({mode} mode), load {load_average()} ...",
                  file=sys.stderr, flush=True)
            try:
                entry = run_lesson(paths[code], workdir, timeout)
            except KeyboardInterrupt:
                print(f"stopped during {paths[code].name}: nothing recorded for it; the lessons before it are in "
                      f"{json_path}", file=sys.stderr, flush=True)
                raise SystemExit(130) from None
            entry["ran_after_in_same_output_dir"] = [c for c in codes[: codes.index(code)]]
            by_mode[code] = entry
            status = "ok" if entry["status"] == "ok" else f"FAILED: {entry['error']['ename']}: " \
                                                            f"{entry['error']['evalue'][:300]}"
            print(f"{time.strftime('%H:%M:%S')}   {entry['seconds']:.1f} s, load before {entry['load_before'][0]}, "
                  f"during {entry['load_during']['mean_1min']} (max {entry['load_during']['max_1min']}), "
                  f"after {entry['load_after'][0]}: {status}", file=sys.stderr, flush=True)
            precision = entry.get("precision_line")
            if precision:
                results["machine"]["precision_path"] = precision.split("fast-path precision:", 1)[1].strip()
            # Written after every lesson, so an interrupted run keeps what it measured.
            results.setdefault("runs", {})[mode] = run
            write_json(results, json_path)
    return results


def write_json(results: dict, path: Path = JSON_PATH) -> None:
    # Lessons in order in the file; the dictionaries in memory stay the ones the caller fills.
    ordered = {**results, "modes": {mode: dict(sorted(lessons.items()))
                                    for mode, lessons in results.get("modes", {}).items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ordered, indent=1, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------------
# docs/teaching.md


def lesson_text_stats(path: Path) -> dict:
    """What a class reads and does in a lesson, counted from the notebook.

    ``words``: words of markdown before ``## Exercises``; ``code_lines``: non-blank lines of code
    before it; ``exercises``: the ``grader.check(...)`` cells after it, or, in a lesson whose
    exercises are not in that form, the numbered items of the section's markdown.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    words = code_lines = checks = numbered = 0
    in_exercises = False
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        before, marker, after = (source.partition("## Exercises") if cell["cell_type"] == "markdown"
                                 else (source, "", ""))
        if not in_exercises:
            if cell["cell_type"] == "markdown":
                words += len(before.split())
            elif cell["cell_type"] == "code":
                code_lines += sum(1 for line in source.splitlines() if line.strip())
            if marker:
                in_exercises = True
                numbered += len(re.findall(r"^\d+\. ", after, re.M))
            continue
        if cell["cell_type"] == "code":
            checks += len(re.findall(r"grader\.check\(", source))
        elif cell["cell_type"] == "markdown":
            numbered += len(re.findall(r"^\d+\. ", source, re.M)) if not checks else 0
    return {"words": words, "code_lines": code_lines, "exercises": checks or numbered}


def session_minutes(stats: dict, entry: dict | None) -> dict:
    """The estimate docs/teaching.md explains: reading + running (measured) + exercises, in minutes."""
    reading = stats["words"] / READING_WORDS_PER_MINUTE + stats["code_lines"] / CODE_LINES_PER_MINUTE
    running = entry["seconds"] / 60 if entry and entry["status"] == "ok" else None
    exercises = stats["exercises"] * MINUTES_PER_EXERCISE
    total = None if running is None else reading + running + exercises
    return {"reading": reading, "running": running, "exercises": exercises, "total": total}


def format_seconds(seconds: float) -> str:
    if seconds < 100:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def describe_time(entry: dict | None) -> str:
    if entry is None:
        return "not measured yet"
    if entry["status"] != "ok":
        return f"**failed** after {format_seconds(entry['seconds'])} ({entry['error']['ename']})"
    return format_seconds(entry["seconds"])


def describe_load(entry: dict | None) -> str:
    if entry is None:
        return "–"
    during = entry["load_during"]["mean_1min"]
    during_text = f"{during:.1f}" if during is not None else "–"
    return f"{entry['load_before'][0]:.1f} / {during_text} / {entry['load_after'][0]:.1f}"


def data_text(machine: dict) -> str:
    if "full_mnist_cached" not in machine:
        return "offline"
    digits = ("full MNIST from the Keras cache" if machine["full_mnist_cached"]
              else "offline, so on the 10,000 bundled digits")
    fashion = ("Fashion-MNIST installed" if machine.get("fashion_mnist_installed")
               else "no Fashion-MNIST, so lesson 11 skipped that section")
    return f"{digits}; {fashion}"


def describe_run(entry: dict | None) -> str:
    text = describe_time(entry)
    if entry and entry.get("kernel_cpu_seconds"):
        text += f" (kernel CPU {format_seconds(entry['kernel_cpu_seconds'])})"
    return text


def times_table(results: dict) -> str:
    full = results.get("modes", {}).get("full", {})
    machine = results.get("machine", {})
    lines = [
        "| lesson | full-mode run (Run All) | load average before / during / after | reading: words, lines of code "
        "| exercises | estimated session: reading + run + exercises |",
        "|---|---|---|---|---|---|",
    ]
    total = 0.0
    all_ok = True
    for code, path in lesson_paths().items():
        entry = full.get(code)
        stats = lesson_text_stats(path)
        estimate = session_minutes(stats, entry)
        if entry is None or entry["status"] != "ok":
            all_ok = False
        else:
            total += entry["seconds"]
        session = "–" if estimate["total"] is None else (
            f"{estimate['reading']:.0f} + {estimate['running']:.0f} + {estimate['exercises']:.0f} "
            f"= **{estimate['total']:.0f} min**")
        lines.append(f"| [{path.stem}](../notebooks/{path.name}) | {describe_run(entry)} | {describe_load(entry)} "
                     f"| {stats['words']:,}, {stats['code_lines']:,} | {stats['exercises']} | {session} |")
    lines.append(f"| **all twelve** | **{format_seconds(total)}**{'' if all_ok else ' (the lessons that ran)'} "
                 "| | | | |")
    bf16 = "with" if machine.get("avx512_bf16") else "without"
    precision = machine.get("precision_path", "not printed")
    dates = sorted({entry["date"][:10] for entry in full.values()})
    when = " to ".join(dict.fromkeys([dates[0], dates[-1]])) if dates else "–"
    cores = machine.get("cores", "?")
    lines += [
        "",
        f"Measured {when} on {machine.get('cpu_model', '?')}, "
        f"{cores} cores, {bf16} AVX-512 BF16, no GPU; precision path: {precision}; "
        f"TensorFlow {machine.get('versions', {}).get('tensorflow')}, Python {machine.get('python')}; "
        f"{data_text(machine)}. The load average counts the processes that want a core "
        f"(1-minute average): on {cores} cores, anything above {cores} means the lesson shared the cores with "
        "other work and ran slower than it would alone. Written by `tools/time_lessons.py --write-docs` from "
        "`docs/lesson_times.json`; the words, lines and exercises are counted in the notebooks at that moment.",
    ]
    return "\n".join(lines)


def estimate_rule(results: dict) -> str:
    """The session estimate's rule, with its constants, and what it gives for the lessons measured."""
    full = results.get("modes", {}).get("full", {})
    totals = {}
    for code, path in lesson_paths().items():
        total = session_minutes(lesson_text_stats(path), full.get(code))["total"]
        if total is not None:
            totals[code] = total
    lines = [
        f"* **reading**: the lesson's text before `## Exercises` at {READING_WORDS_PER_MINUTE} words a minute "
        "(careful reading of technical prose, about half the speed of everyday reading), plus its code at "
        f"{CODE_LINES_PER_MINUTE} lines a minute (reading a line and relating it to the text);",
        "* **running**: the measured full-mode *Run All*, counted in full because most of it is training the "
        "class waits for (on a quiet laptop it is shorter: see the load column);",
        f"* **exercises**: {MINUTES_PER_EXERCISE} minutes per exercise, its own training runs included.",
    ]
    if totals:
        ordered = sorted(totals.items(), key=lambda item: item[1])
        lines += ["", f"With the times above: from {ordered[0][1]:.0f} minutes (lesson {ordered[0][0]}) to "
                      f"{ordered[-1][1]:.0f} minutes (lesson {ordered[-1][0]}); "
                      + ", ".join(f"{code}: {minutes:.0f}" for code, minutes in sorted(totals.items())) + "."]
    return "\n".join(lines)


def section_text_stats(path: Path) -> list[dict]:
    """Words of markdown and lines of code per ``#``/``##`` section of a lesson, in order."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    sections = [{"heading": "(before the first heading)", "words": 0, "code_lines": 0}]
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            sections[-1]["code_lines"] += sum(1 for line in source.splitlines() if line.strip())
            continue
        if cell["cell_type"] != "markdown":
            continue
        # Split the cell's text at its headings: the words before a heading belong to the section above.
        parts = re.split(r"^(#{1,2} .*)$", source, flags=re.M)
        sections[-1]["words"] += len(parts[0].split())
        for heading, text in zip(parts[1::2], parts[2::2], strict=True):
            sections.append({"heading": heading.lstrip("#").strip(), "words": len(heading.split()) - 1,
                             "code_lines": 0})
            sections[-1]["words"] += len(text.split())
    return [section for section in sections if section["words"] or section["code_lines"]]


def sections_table(results: dict, code: str) -> str:
    entry = results.get("modes", {}).get("full", {}).get(code)
    path = lesson_paths().get(code)
    if entry is None or path is None:
        return "(not measured yet: run `tools/time_lessons.py --lessons " + code + "`)"
    measured = {section["heading"]: section["seconds"] for section in entry["sections"]}
    lines = ["| section | words, lines of code | run (full mode) | estimate: reading + run |", "|---|---|---|---|"]
    for section in section_text_stats(path):
        seconds = measured.get(section["heading"])
        reading = (section["words"] / READING_WORDS_PER_MINUTE
                   + section["code_lines"] / CODE_LINES_PER_MINUTE)
        run = "not measured" if seconds is None else format_seconds(seconds)
        estimate = "–" if seconds is None else f"{reading + seconds / 60:.0f} min"
        lines.append(f"| {section['heading']} | {section['words']:,}, {section['code_lines']} | {run} | {estimate} |")
    lines.append(f"| whole notebook, with the kernel's start | | {format_seconds(entry['seconds'])} | |")
    return "\n".join(lines)


def fill_markers(text: str, results: dict) -> str:
    full = results.get("modes", {}).get("full", {})

    def block(name: str, body: str, inline: bool) -> None:
        nonlocal text
        pattern = re.compile(rf"(<!-- {re.escape(name)} -->)(.*?)(<!-- /{re.escape(name)} -->)", re.S)
        joiner = "" if inline else "\n"
        text = pattern.sub(lambda m: f"{m.group(1)}{joiner}{body}{joiner}{m.group(3)}", text)

    block("lesson-times", times_table(results), inline=False)
    block("estimate-rule", estimate_rule(results), inline=False)
    for code in lesson_paths():
        block(f"time:{code}", describe_time(full.get(code)), inline=True)
        block(f"sections:{code}", sections_table(results, code), inline=False)
    return text


def write_docs(json_path: Path = JSON_PATH, teaching: Path = TEACHING_PATH) -> None:
    results = read_json(json_path)
    if not results:
        raise SystemExit(f"{json_path} does not exist yet: time the lessons first")
    before = teaching.read_text()
    after = fill_markers(before, results)
    if "<!-- lesson-times -->" not in before:
        print(f"{teaching} has no <!-- lesson-times --> marker", file=sys.stderr)
    teaching.write_text(after)
    print(f"{'updated' if after != before else 'unchanged'}: {teaching.relative_to(ROOT)}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", nargs="+", metavar="NN", help="lessons to time, by number (default: all)")
    parser.add_argument("--fast", action="store_true", help="fast mode (COURSE_FAST=1) instead of full mode")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell (default 3600)")
    parser.add_argument("--json", type=Path, default=JSON_PATH, help="where the times are kept")
    parser.add_argument("--write-docs", action="store_true",
                        help="fill docs/teaching.md's markers from the JSON (alone: without timing anything)")
    args = parser.parse_args()

    timing_asked = args.lessons is not None or args.fast or not args.write_docs
    if timing_asked:
        codes = [code.zfill(2) for code in args.lessons] if args.lessons else list(lesson_paths())
        time_lessons(codes, fast=args.fast, timeout=args.timeout, json_path=args.json)
    if args.write_docs:
        write_docs(args.json)


if __name__ == "__main__":
    main()
