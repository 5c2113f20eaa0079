"""Set the lessons' slide metadata from their headings, so they can be presented as slides.

    python tools/slides.py                            # write the metadata into every lesson
    python tools/slides.py notebooks/01_data.ipynb    # one lesson
    python tools/slides.py --check                    # exit 1 when a lesson's metadata is not the rule's

The rule, read from each cell's first line (leading blank lines ignored):

* a markdown cell starting with ``# `` or ``## `` starts a **slide**: the lesson's title and each
  numbered section;
* a markdown cell starting with ``### `` starts a **subslide** (reveal.js shows it below its slide:
  the down arrow, or the space bar);
* every other cell is ``-``: it continues the slide above it. That includes the ``# helper code:``
  cells and the set-up cell: their output (a figure, a table, the devices line) is what the slide
  is there for, and in RISE a presenter runs the cells live, so a hidden cell would be a cell the
  class never sees run. Nothing is ``skip``, ``fragment`` or ``notes``.

Cell tags do not change the slide type. ``nbval-skip``, ``nbval-check-output``,
``raises-exception`` and ``stderr-expected`` tell the tests what to expect from a cell; they say
nothing about whether a class should see it (a cell that shows an error on purpose is part of the
lesson). The metadata is ``cell.metadata["slideshow"] = {"slide_type": ...}``, read by JupyterLab's
*Property Inspector*, the jupyterlab-rise extension and ``jupyter nbconvert --to slides``; nothing
else in a notebook is touched, and a notebook already right is not rewritten.

A ``## `` heading that is not on a cell's first line does not start a slide; the tool lists such
headings (split the cell in two so that the heading opens its own cell).
Run it inside the course's environment (``.venv/bin/python tools/slides.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

SLIDE, SUBSLIDE, CONTINUE = "slide", "subslide", "-"


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def slide_type(cell: dict) -> str:
    """The slide type the rule gives one cell (a dict as in the .ipynb JSON, or an nbformat node)."""
    if cell.get("cell_type") != "markdown":
        return CONTINUE
    lines = _source(cell).lstrip("\n").splitlines()
    first = lines[0] if lines else ""
    if re.match(r"#{1,2} ", first):
        return SLIDE
    if first.startswith("### "):
        return SUBSLIDE
    return CONTINUE


def expected_types(notebook: dict) -> list[str]:
    return [slide_type(cell) for cell in notebook["cells"]]


def actual_type(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


def mismatches(notebook: dict) -> list[tuple[int, str | None, str]]:
    """(cell index, slide type in the file, slide type the rule gives) for every cell that differs."""
    return [(index, actual_type(cell), wanted)
            for index, (cell, wanted) in enumerate(zip(notebook["cells"], expected_types(notebook), strict=True))
            if actual_type(cell) != wanted]


def buried_headings(notebook: dict) -> list[tuple[int, str]]:
    """``#``/``##`` headings inside a markdown cell but not on its first line: they start no slide."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "markdown":
            continue
        fenced = False
        for number, line in enumerate(_source(cell).lstrip("\n").splitlines()):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif number and not fenced and re.match(r"#{1,2} ", line):
                found.append((index, line.strip()))
    return found


def apply(notebook: dict) -> int:
    """Set every cell's slide type by the rule, in place; return how many cells changed."""
    changed = 0
    for cell, wanted in zip(notebook["cells"], expected_types(notebook), strict=True):
        if actual_type(cell) != wanted:
            metadata = cell.setdefault("metadata", {})
            slideshow = metadata.get("slideshow")
            metadata["slideshow"] = {**(slideshow if isinstance(slideshow, dict) else {}), "slide_type": wanted}
            changed += 1
    return changed


def slide_count(notebook: dict) -> tuple[int, int]:
    """(slides, subslides) the metadata asks for; cells before the first slide make a slide of their own."""
    types = [actual_type(cell) for cell in notebook["cells"]]
    slides = types.count(SLIDE) + (1 if types and types[0] != SLIDE else 0)
    return slides, types.count(SUBSLIDE)


def lesson_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def write_notebook(path: Path, notebook: dict) -> None:
    # The layout nbformat (and so JupyterLab and tools/refresh_notebooks.py) writes: one-space indent,
    # sorted keys, a final newline. A run's diff then shows only the metadata that changed.
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every lesson in notebooks/)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook differs")
    args = parser.parse_args(argv)

    wrong = 0
    for path in args.paths or lesson_paths():
        notebook = json.loads(path.read_text(encoding="utf-8"))
        buried = buried_headings(notebook)
        if buried:
            cells = ", ".join(str(index) for index, _ in buried)
            print(f"{path.name}: {len(buried)} heading(s) not on a cell's first line start no slide (cells {cells})",
                  file=sys.stderr)
        if args.check:
            differences = mismatches(notebook)
            if differences:
                wrong += 1
                shown = ", ".join(f"cell {i}: {have!r} should be {want!r}" for i, have, want in differences[:5])
                more = f" (and {len(differences) - 5} more)" if len(differences) > 5 else ""
                print(f"{path}: {len(differences)} cells' slide type is not the rule's: {shown}{more}",
                      file=sys.stderr)
            continue
        changed = apply(notebook)
        if changed:
            write_notebook(path, notebook)
        slides, subslides = slide_count(notebook)
        print(f"{path.name}: {changed} cells changed; {slides} slides, {subslides} subslides", file=sys.stderr)
    if args.check:
        if wrong:
            print(f"{wrong} notebook(s) need `python tools/slides.py`", file=sys.stderr)
            return 1
        print("slide metadata: every notebook follows the rule", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
