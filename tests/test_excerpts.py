"""The excerpts the lessons print (course_utils.excerpts): each is found, and a lost marker is a clear error."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course_utils import cluster_worker, excerpts, resumable_run

ROOT = Path(__file__).resolve().parent.parent
EXCERPT_CALL = re.compile(r"excerpts\.excerpt\((\w+)\.(\w+), \"([\w-]+)\"\)")
MODULES = {"resumable_run": resumable_run, "cluster_worker": cluster_worker}


def lesson_excerpts() -> list[tuple[str, str, str, str]]:
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for module, function, name in EXCERPT_CALL.findall("".join(cell["source"])):
                found.append((path.name, module, function, name))
    return found


def test_the_lessons_use_excerpts() -> None:
    assert {(notebook, name) for notebook, _, _, name in lesson_excerpts()} >= {
        ("06_resuming_training.ipynb", "model-and-backup"), ("06_resuming_training.ipynb", "fit"),
        ("13_distributed_training.ipynb", "strategy-setup")}


@pytest.mark.parametrize("notebook, module, function, name", lesson_excerpts(), ids=lambda value: str(value))
def test_every_excerpt_a_lesson_prints_is_there(notebook: str, module: str, function: str, name: str) -> None:
    text = excerpts.excerpt(getattr(MODULES[module], function), name)
    assert text.strip(), f"{notebook}: the excerpt {name!r} is empty"
    assert "# excerpt" not in text and "# end excerpt" not in text


def test_the_excerpts_hold_the_calls_the_lessons_talk_about() -> None:
    assert "SafeBackupAndRestore(backup_dir)" in excerpts.excerpt(resumable_run.train, "model-and-backup")
    assert "model.fit(" in excerpts.excerpt(resumable_run.train, "fit")
    assert "MultiWorkerMirroredStrategy(" in excerpts.excerpt(cluster_worker.train_worker, "strategy-setup")


def without_end_marker() -> None:
    # excerpt: broken
    print("no end marker")


def test_a_lost_marker_names_the_marker_and_the_file() -> None:
    with pytest.raises(excerpts.ExcerptError) as raised:
        excerpts.excerpt(without_end_marker, "broken")
    message = str(raised.value)
    assert "'# end excerpt: broken'" in message and "found 1 and 0" in message, message
    assert "tests/test_excerpts.py" in message, message
    with pytest.raises(excerpts.ExcerptError, match="found 0 and 0"):
        excerpts.excerpt(resumable_run.train, "no-such-excerpt")
