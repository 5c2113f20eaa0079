"""The Chinese edition is in step with the English one (tools/sync_translations.py), and the tool can tell when not."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_translations as sync  # noqa: E402

ENGLISH = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_a_chinese_edition_in_step() -> None:
    problems = [str(problem) for english in ENGLISH for problem in sync.check(english)]
    assert not problems, "Run tools/sync_translations.py, then translate what it lists:\n" + "\n".join(problems)


@pytest.mark.parametrize("english", ENGLISH, ids=[path.name for path in ENGLISH])
def test_the_chinese_prose_is_chinese(english: Path) -> None:
    """A translation that still holds English (or is empty) is no translation, whatever its hash says."""
    chinese = sync.translation_of(english)
    if not chinese.exists():
        pytest.fail(f"{chinese} is missing")
    for cell in sync.read(chinese)["cells"]:
        if cell["cell_type"] == "markdown":
            text = sync.source(cell)
            has_chinese = any("\u4e00" <= character <= "\u9fff" for character in text)
            assert has_chinese, f"{chinese.name}, cell {cell['id']}: {text[:80]!r}"


# --- the tool itself, on a small English notebook and its translation in tmp_path -----------------

def _markdown(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {"slideshow": {"slide_type": "slide"}}, "source": text}


def _code(cell_id: str, text: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "metadata": {"tags": []}, "source": text,
            "outputs": [], "execution_count": None}


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    english = {"cells": [_markdown("a", "# Title\n\nSome prose."), _code("b", "x = 1"), _markdown("c", "More prose.")],
               "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    english_path = tmp_path / "01_x.ipynb"
    sync.write(english, english_path)
    chinese = copy.deepcopy(english)
    chinese["cells"][0]["source"] = "# 标题\n\n一些文字。"
    chinese["cells"][2]["source"] = "更多文字。"
    for index in (0, 2):
        made_from = english["cells"][index]["source"]
        chinese["cells"][index]["metadata"]["translation"] = {"en_sha256": sync.english_hash(made_from)}
    chinese_path = sync.translation_of(english_path)
    sync.write(chinese, chinese_path)
    return english_path, chinese_path


def _edit(path: Path, change) -> None:
    notebook = sync.read(path)
    change(notebook)
    sync.write(notebook, path)


def test_a_translation_in_step_has_no_problem(pair) -> None:
    english_path, _ = pair
    assert sync.check(english_path) == []


def test_an_english_change_makes_the_translation_stale_until_marked_translated(pair) -> None:
    english_path, chinese_path = pair
    _edit(english_path, lambda notebook: notebook["cells"][2].update(source="More prose, changed."))
    assert [(problem.cell_id, problem.what.split(":")[0]) for problem in sync.check(english_path)] == [("c", "stale")]
    sync.write(sync.synced(sync.read(english_path), sync.read(chinese_path)), chinese_path)
    cell = sync.read(chinese_path)["cells"][2]
    assert cell["source"] == "更多文字。" and cell["metadata"]["translation"]["status"] == "stale"  # text kept, marked
    assert sync.mark_translated(chinese_path, ["c"]) == []
    assert sync.check(english_path) == []


def test_a_code_cell_that_differs_fails_and_the_sync_copies_english(pair) -> None:
    english_path, chinese_path = pair
    _edit(chinese_path, lambda notebook: notebook["cells"][1].update(source="x = 2"))
    assert [problem.cell_id for problem in sync.check(english_path)] == ["b"]
    sync.write(sync.synced(sync.read(english_path), sync.read(chinese_path)), chinese_path)
    assert sync.read(chinese_path)["cells"][1]["source"] == "x = 1"
    assert sync.check(english_path) == []


def test_new_removed_and_moved_cells_are_found_and_synced(pair) -> None:
    english_path, chinese_path = pair

    def change(notebook: dict) -> None:
        notebook["cells"].insert(1, _markdown("new", "A new paragraph."))
        notebook["cells"].pop()  # "c" removed
        notebook["cells"].append(_code("d", "y = 2"))

    _edit(english_path, change)
    found = {(problem.cell_id, problem.what.split(" ")[0]) for problem in sync.check(english_path)}
    assert found == {("new", "missing"), ("d", "missing"), ("c", "not")}
    sync.write(sync.synced(sync.read(english_path), sync.read(chinese_path)), chinese_path)
    chinese = sync.read(chinese_path)
    assert [cell["id"] for cell in chinese["cells"]] == ["a", "new", "b", "d"]
    # Only "new" is left: it holds the English text until someone translates it.
    assert [(problem.cell_id, problem.what.split(" (")[0]) for problem in sync.check(english_path)] == [
        ("new", "not translated yet")]


def test_a_missing_edition_is_a_problem(pair) -> None:
    english_path, chinese_path = pair
    chinese_path.unlink()
    assert "missing" in sync.check(english_path)[0].what


def test_the_check_command_fails_on_this_repository_when_a_translation_is_stale(tmp_path: Path, monkeypatch) -> None:
    """The command line, not only the functions: exit 1 and the cell named."""
    english_dir = tmp_path / "notebooks"
    english_dir.mkdir()
    source_english = ENGLISH[0]
    (english_dir / source_english.name).write_text(source_english.read_text(encoding="utf-8"), encoding="utf-8")
    (english_dir / "zh").mkdir()
    chinese = sync.read(sync.translation_of(source_english))
    first_markdown = next(cell for cell in chinese["cells"] if cell["cell_type"] == "markdown")
    first_markdown["metadata"]["translation"]["en_sha256"] = "0" * 64
    sync.write(chinese, english_dir / "zh" / source_english.name)
    monkeypatch.setattr(sync, "ENGLISH_DIR", english_dir)
    assert sync.main(["--check"]) == 1
    assert sync.main(["--translated", str(english_dir / "zh" / source_english.name), first_markdown["id"]]) == 0
    assert sync.main(["--check"]) == 0


def test_stored_chinese_notebooks_are_valid_json_with_the_course_layout() -> None:
    for english in ENGLISH:
        chinese = sync.translation_of(english)
        if chinese.exists():
            text = chinese.read_text(encoding="utf-8")
            assert text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n", chinese.name
