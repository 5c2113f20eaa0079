"""``python -m classroom release OUT`` and ``python -m classroom grade SUBMISSIONS OUT`` (via course.py teacher)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classroom import grade, release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 course.py teacher", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    making = commands.add_parser("release", help="write OUT/student/ (no solutions) and OUT/teacher/")
    making.add_argument("out", type=Path)
    grading = commands.add_parser("grade", help="grade a folder of returned notebooks into OUT/grades.csv")
    grading.add_argument("submissions", type=Path)
    grading.add_argument("out", type=Path)
    grading.add_argument("--time-limit", type=float, default=grade.DEFAULT_TIME_LIMIT_SECONDS,
                         help="seconds one notebook may run (default %(default)g)")
    grading.add_argument("--memory-limit", type=float, default=grade.DEFAULT_MEMORY_LIMIT_GIB,
                         help="GiB one notebook may use (default %(default)g)")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "release":
            student, teacher = release.release(arguments.out)
            print(f"Wrote {student} (for the class: no solutions, no hidden checks) and {teacher} (yours).")
        else:
            grade.grade(arguments.submissions, arguments.out, arguments.time_limit, arguments.memory_limit)
    except (release.ReleaseError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
