"""Execute every notebook, as a student or the test suite would, and time each one.

    python benchmarks/course_runtime.py            # fast mode (COURSE_FAST=1), as the tests run
    python benchmarks/course_runtime.py --full     # full mode, as a student runs the course
    python benchmarks/course_runtime.py --full notebooks/04_training_and_monitoring.ipynb
    python benchmarks/course_runtime.py --jobs 2   # two notebooks at a time, as the test command does

Each notebook runs top to bottom in a fresh kernel of the course's environment; the executed
copies are thrown away (notebooks stay clean). Prints one JSON line: seconds per notebook, their
sum (one notebook after the other) and, with ``--jobs``, the wall-clock time of the whole run.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import common  # benchmarks/, beside this script
import nbformat
from nbclient import NotebookClient

from course_utils import config


def run_notebook(path: Path, timeout: int) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name=config.KERNEL_NAME,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main() -> None:
    parser = common.parser(__doc__)
    parser.add_argument("--full", action="store_true", help="full mode (default: fast mode)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks executed at the same time (default 1)")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()

    if args.full:
        os.environ.pop("COURSE_FAST", None)
    else:
        os.environ["COURSE_FAST"] = "1"
    lessons = sorted((common.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    paths = [path.resolve() for path in args.notebooks or lessons]
    for path in paths:
        print(f"queued {path.name}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    # Slowest first would balance better, but file order keeps the report easy to compare.
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        durations = list(pool.map(run_notebook, paths, [args.timeout] * len(paths)))
    wall_clock = time.perf_counter() - start
    seconds = {path.name: round(duration, 1) for path, duration in zip(paths, durations, strict=True)}
    common.print_result({"benchmark": "course_runtime", "mode": "full" if args.full else "fast",
                         "jobs": max(1, args.jobs), "seconds": seconds,
                         "total_seconds": round(sum(seconds.values()), 1),
                         "wall_clock_seconds": round(wall_clock, 1), "cpu_count": os.cpu_count(),
                         "machine": common.machine()})


if __name__ == "__main__":
    main()
