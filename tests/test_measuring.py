"""The measuring helpers: accuracy from labels or probabilities, bytes on disk, seconds per call."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from course_utils import measuring


def test_accuracy_takes_labels_or_probabilities() -> None:
    assert measuring.accuracy(np.array([1, 1]), np.array([[0.2, 0.8], [0.9, 0.1]])) == 0.5
    assert measuring.accuracy(np.array([1, 0]), np.array([1, 0])) == 1.0
    assert measuring.accuracy(np.array([[1], [0], [2]]), np.array([1, 1, 2])) == 2 / 3  # labels as a column


def test_folder_size_counts_a_file_or_every_file_below_a_folder(tmp_path: Path) -> None:
    (tmp_path / "model.tflite").write_bytes(b"x" * 10)
    saved = tmp_path / "saved_model"
    (saved / "variables").mkdir(parents=True)
    (saved / "saved_model.pb").write_bytes(b"x" * 100)
    (saved / "variables" / "variables.index").write_bytes(b"x" * 7)
    assert measuring.folder_size(tmp_path / "model.tflite") == 10
    assert measuring.folder_size(str(saved)) == 107
    assert measuring.folder_size(tmp_path) == 117


def test_median_seconds_skips_warmup_and_ignores_outliers() -> None:
    now = [0.0]
    costs = iter([5.0, 5.0] + [1.0] * 3 + [9.0] + [1.0] * 10)  # 2 slow warm-up calls, one slow repeat

    def call() -> None:
        now[0] += next(costs)

    seconds = measuring.median_seconds(call, repeats=5, warmup=2, min_time=0.5, clock=lambda: now[0])
    assert seconds == 1.0
