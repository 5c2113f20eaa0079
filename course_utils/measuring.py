"""Measuring: how often a model is right, how many bytes a file takes, how long a call lasts.

What belongs here: small functions that turn predictions, a file or a call into one number and
know nothing of any one lesson, so that every lesson's module can use them without importing
another lesson's (notebook 07's ``saving`` and notebook 12's ``export`` both measure file sizes).
What a number *means* for one lesson stays with that lesson: a confusion matrix's accuracy is
``evaluation.accuracy_from_matrix``, next to the matrix.

* :func:`accuracy` - the share of correct predictions, from labels or probabilities;
* :func:`folder_size` - bytes in a file, or in every file under a folder (a SavedModel is a folder);
* :func:`median_seconds` - seconds per call: warm-up calls first, then the median of repeats.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from course_utils.config import PathLike


def accuracy(y_true: np.ndarray, predictions: np.ndarray) -> float:
    """Share of correct predictions; ``predictions`` are class labels (N,) or probabilities (N, classes)."""
    predictions = np.asarray(predictions)
    if predictions.ndim == 2:
        predictions = predictions.argmax(axis=1)
    return float(np.mean(predictions == np.asarray(y_true).ravel()))


def folder_size(path: PathLike) -> int:
    """Bytes in a file, or in all files under a folder (a SavedModel is a folder)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def median_seconds(
    function: Callable[[], object],
    repeats: int = 7,
    warmup: int = 2,
    min_time: float = 0.02,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Median seconds per call of ``function()``, after ``warmup`` calls that are not timed.

    Calls before the measurement are warm-up (first-call tracing, memory allocation), and the
    median of several repeats ignores the odd slow repeat on a busy machine. Each repeat times
    enough back-to-back calls to last ``min_time`` (so that a call of a few microseconds is not
    lost in the clock's resolution) and divides by their number; the calls that find that
    number are warm-up too.

    Args:
        function: What to time, called without arguments (``functools.partial`` binds them).
        repeats: Timed repeats; the median of their per-call times is returned.
        warmup: Untimed calls before anything else.
        min_time: Seconds each repeat lasts at least (at most 100,000 calls per repeat).
        clock: Returns the time in seconds; ``time.perf_counter`` unless a test passes a fake one.
    """
    for _ in range(warmup):
        function()
    loops = 1
    while True:  # find how many calls one repeat needs (these calls are warm-up too)
        start = clock()
        for _ in range(loops):
            function()
        elapsed = clock() - start
        if elapsed >= min_time or loops >= 100_000:
            break
        loops = min(100_000, max(loops * 2, int(loops * min_time / max(elapsed, 1e-9) * 1.2)))
    timings = []
    for _ in range(repeats):
        start = clock()
        for _ in range(loops):
            function()
        timings.append((clock() - start) / loops)
    return statistics.median(timings)
