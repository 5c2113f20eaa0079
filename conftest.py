"""Shared test set-up: fast mode, and nbval told to ignore output that is never deterministic."""

from __future__ import annotations

import os

import pytest

# Every test runs the course in fast mode, even when pytest is started by hand.
os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Output kinds nbval must not compare in checked cells: TensorFlow's warnings on stderr, and
# Keras' progress bars (stdout carriage returns are sanitised in nbval_sanitize.cfg).
VOLATILE_OUTPUT_KEYS = ("stderr", "application/vnd.jupyter.widget-view+json", "image/png", "text/html")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        notebook = item.parent
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            notebook.skip_compare = tuple(skip) + VOLATILE_OUTPUT_KEYS
