"""Keep the Chinese edition (``notebooks/zh/``) in step with the English notebooks.

    python tools/sync_translations.py                   # copy code cells over, mark what needs translating
    python tools/sync_translations.py --check           # change nothing; exit 1 listing every problem
    python tools/sync_translations.py --translated notebooks/zh/01_data.ipynb CELL_ID ...
                                                        # after updating those cells' Chinese text
    python tools/sync_translations.py --changes notebooks/zh/01_data.ipynb
                                                        # what changed in English since each stale cell was translated

The rule: a Chinese notebook has the English notebook's cells, in its order, with its ids and cell
types. **Code cells** are the English ones (source and metadata; the outputs are the edition's own,
written by ``tools/refresh_notebooks.py``, since the helpers speak Chinese there). **Markdown cells**
hold the translation, the English cell's metadata, and ``metadata["translation"]["en_sha256"]``: the
SHA-256 of the English source the translation was made from. When the English text changes, the
hash no longer matches and the cell is *stale* until someone updates the Chinese text and runs
``--translated``.

Syncing copies every code cell from English, adds cells new in English (a new markdown cell holds the
English text, marked ``"status": "untranslated"``), drops cells English no longer has, puts cells
in English order and marks each stale cell ``"status": "stale"``. It never changes a translation's
text. ``--check`` (run by ``tests/test_translations.py``) fails on a missing notebook, a missing,
extra, misplaced, stale or untranslated cell, and on any code cell that differs from English.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENGLISH_DIR = ROOT / "notebooks"
EDITION = "zh"
KEY = "translation"


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def english_hash(text: str) -> str:
    """The hash a translation records of the English text it was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(notebook: dict, path: Path) -> None:
    """As the course stores notebooks: one-space indent, UTF-8 text, a final newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def english_notebooks(english_dir: Path | None = None) -> list[Path]:
    return sorted((ENGLISH_DIR if english_dir is None else english_dir).glob("*.ipynb"))


def translation_of(english: Path) -> Path:
    return english.parent / EDITION / english.name


def english_of(chinese: Path) -> Path:
    return chinese.parent.parent / chinese.name


@dataclass(frozen=True)
class Problem:
    """One thing that keeps a Chinese notebook from being in step with its English one."""

    notebook: Path
    cell_id: str | None
    what: str

    def __str__(self) -> str:
        where = self.notebook.as_posix() if self.cell_id is None else f"{self.notebook.as_posix()}, cell {self.cell_id}"
        return f"{where}: {self.what}"


def _relative(path: Path) -> Path:
    try:
        return path.resolve().relative_to(ROOT)
    except ValueError:
        return path


def _metadata_without_translation(cell: dict) -> dict:
    return {key: value for key, value in cell.get("metadata", {}).items() if key != KEY}


def cell_problems(english_cell: dict, chinese_cell: dict) -> list[str]:
    """What is wrong with one Chinese cell, given the English cell with the same id."""
    if english_cell["cell_type"] != chinese_cell["cell_type"]:
        return [f"is a {chinese_cell['cell_type']} cell; in English it is a {english_cell['cell_type']} cell"]
    if english_cell["cell_type"] != "markdown":
        problems = []
        if source(english_cell) != source(chinese_cell):
            problems.append("code differs from English (code cells are the English ones: run the sync)")
        if english_cell.get("metadata", {}) != chinese_cell.get("metadata", {}):
            problems.append("metadata (tags, slide type) differs from English: run the sync")
        return problems
    record = chinese_cell.get("metadata", {}).get(KEY) or {}
    problems = []
    if record.get("status") == "untranslated" or not record.get("en_sha256"):
        problems.append("not translated yet (it holds the English text)")
    elif record["en_sha256"] != english_hash(source(english_cell)):
        problems.append("stale: the English text changed since it was translated "
                        "(update the Chinese, then run --translated with this cell's id)")
    if _metadata_without_translation(english_cell) != _metadata_without_translation(chinese_cell):
        problems.append("metadata (tags, slide type) differs from English: run the sync")
    return problems


def check(english_path: Path) -> list[Problem]:
    """Every problem of the Chinese edition of one English notebook (none: in step)."""
    chinese_path = translation_of(english_path)
    shown = _relative(chinese_path)
    if not chinese_path.exists():
        return [Problem(shown, None, f"missing: {_relative(english_path).as_posix()} has no Chinese edition")]
    english, chinese = read(english_path), read(chinese_path)
    english_cells = {cell["id"]: cell for cell in english["cells"]}
    chinese_ids = [cell["id"] for cell in chinese["cells"]]
    problems = [Problem(shown, cell_id, "missing (new in English): run the sync")
                for cell_id in english_cells if cell_id not in chinese_ids]
    problems += [Problem(shown, cell_id, "not in English any more: run the sync")
                 for cell_id in chinese_ids if cell_id not in english_cells]
    shared = [cell_id for cell_id in chinese_ids if cell_id in english_cells]
    if shared != [cell_id for cell_id in english_cells if cell_id in shared]:
        problems.append(Problem(shown, None, "cells are not in the English order: run the sync"))
    for cell in chinese["cells"]:
        if cell["id"] in english_cells:
            problems += [Problem(shown, cell["id"], what) for what in cell_problems(english_cells[cell["id"]], cell)]
    return problems


def synced(english: dict, chinese: dict | None) -> dict:
    """The Chinese notebook brought in step with the English one (translations' text untouched)."""
    previous = {cell["id"]: cell for cell in (chinese or {"cells": []})["cells"]}
    cells = []
    for english_cell in english["cells"]:
        old = previous.get(english_cell["id"])
        if english_cell["cell_type"] != "markdown":
            cell = copy.deepcopy(english_cell)
            if old is not None and old["cell_type"] == english_cell["cell_type"]:
                cell["outputs"] = old.get("outputs", [])  # the edition's own outputs
                cell["execution_count"] = old.get("execution_count")
            cells.append(cell)
            continue
        if old is None or old["cell_type"] != "markdown":
            cell = copy.deepcopy(english_cell)
            cell["metadata"][KEY] = {"en_sha256": None, "status": "untranslated"}
            cells.append(cell)
            continue
        cell = copy.deepcopy(old)
        record = dict(cell.get("metadata", {}).get(KEY) or {})
        cell["metadata"] = _metadata_without_translation(english_cell)
        if record.get("en_sha256") and record["en_sha256"] != english_hash(source(english_cell)):
            record["status"] = "stale"
        cell["metadata"][KEY] = record or {"en_sha256": None, "status": "untranslated"}
        cells.append(cell)
    result = copy.deepcopy(chinese) if chinese is not None else copy.deepcopy(english)
    result["cells"] = cells
    result["metadata"] = copy.deepcopy(english["metadata"])
    return result


def mark_translated(chinese_path: Path, cell_ids: Iterable[str]) -> list[str]:
    """Record that these cells now translate the current English text; return the ids not found."""
    english = {cell["id"]: cell for cell in read(english_of(chinese_path))["cells"]}
    chinese = read(chinese_path)
    wanted, done = set(cell_ids), set()
    for cell in chinese["cells"]:
        if cell["id"] in wanted and cell["cell_type"] == "markdown" and cell["id"] in english:
            cell["metadata"][KEY] = {"en_sha256": english_hash(source(english[cell["id"]]))}
            done.add(cell["id"])
    write(chinese, chinese_path)
    return sorted(wanted - done)


def english_text_when_translated(english_path: Path, cell_id: str, recorded_hash: str) -> str | None:
    """The English text a stale translation was made from, found in git history (None if not found)."""
    relative = _relative(english_path).as_posix()
    log = subprocess.run(["git", "log", "--format=%H", "--", relative], cwd=ROOT, capture_output=True, text=True)
    for commit in log.stdout.split():
        shown = subprocess.run(["git", "show", f"{commit}:{relative}"], cwd=ROOT, capture_output=True, text=True)
        if shown.returncode != 0:
            continue
        for cell in json.loads(shown.stdout)["cells"]:
            if cell.get("id") == cell_id and english_hash(source(cell)) == recorded_hash:
                return source(cell)
    return None


def show_changes(chinese_path: Path) -> None:
    import difflib

    english_path = english_of(chinese_path)
    english = {cell["id"]: cell for cell in read(english_path)["cells"]}
    for cell in read(chinese_path)["cells"]:
        record = cell.get("metadata", {}).get(KEY) or {}
        if cell["cell_type"] != "markdown" or not record.get("en_sha256") or cell["id"] not in english:
            continue
        now = source(english[cell["id"]])
        if record["en_sha256"] == english_hash(now):
            continue
        before = english_text_when_translated(english_path, cell["id"], record["en_sha256"])
        print(f"--- cell {cell['id']}")
        if before is None:
            print("(the English text it was translated from is not in git history; the English text now:)\n" + now)
        else:
            print("".join(difflib.unified_diff(before.splitlines(True), now.splitlines(True), "then", "now")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 listing every problem")
    parser.add_argument("--translated", nargs="+", metavar=("NOTEBOOK", "CELL_ID"),
                        help="mark these cells of a Chinese notebook as translating the current English")
    parser.add_argument("--changes", type=Path, metavar="NOTEBOOK", help="show what changed in English for stale cells")
    arguments = parser.parse_args(argv)
    if arguments.changes:
        show_changes(arguments.changes)
        return 0
    if arguments.translated:
        path, *cell_ids = arguments.translated
        not_found = mark_translated(Path(path), cell_ids)
        if not_found:
            print(f"no such markdown cell in {path}: {', '.join(not_found)}", file=sys.stderr)
            return 1
        return 0
    problems: list[Problem] = []
    for english_path in english_notebooks():
        if not arguments.check:
            chinese_path = translation_of(english_path)
            before = read(chinese_path) if chinese_path.exists() else None
            after = synced(read(english_path), before)
            if after != before:
                write(after, chinese_path)
                print(f"synced {_relative(chinese_path).as_posix()}")
        problems += check(english_path)
    for problem in problems:
        print(problem)
    if arguments.check:
        print(f"{len(problems)} problem(s)" if problems else "The Chinese edition is in step with the English.")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
