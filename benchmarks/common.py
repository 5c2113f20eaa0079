"""What every benchmark script shares: its options, the digits, the machine, and the JSON line it prints.

A script beside this file starts like this (importing ``common`` puts the checkout's
``course_utils`` first on ``sys.path``, so a script measures this folder's code)::

    import common  # noqa: E402  (benchmarks/, beside this script)

    parser = common.parser(__doc__)      # --help shows the script's docstring
    common.add_data_arguments(parser)    # --test-dir and --seed
    args = parser.parse_args()
    ...
    common.print_result({"benchmark": "name", ..., "machine": common.machine()})

Every script prints exactly one JSON line on standard output (tables and progress go to standard
error), so the last line of ``python benchmarks/NAME.py`` is always the result, and
:func:`machine` describes the computer the same way in every one of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np

#: The course's folder (the one holding ``benchmarks/`` and ``course_utils/``).
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Digits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------


def parser(description: str | None) -> argparse.ArgumentParser:
    """An argument parser whose ``--help`` shows ``description`` (the script's docstring) as written."""
    return argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)


def add_seed_argument(parser: argparse.ArgumentParser, default: int = 42) -> None:
    """``--seed``: the seed of the weights, the shuffling and anything else random."""
    parser.add_argument("--seed", type=int, default=default)


def add_test_dir_argument(parser: argparse.ArgumentParser, required: bool = False) -> None:
    """``--test-dir``: a folder with the official MNIST test set (default: the bundled held-out digits)."""
    if required:
        parser.add_argument("--test-dir", type=Path, required=True, help="folder with t10k-*-idx*-ubyte(.gz) files")
    else:
        parser.add_argument("--test-dir", type=Path, help="folder with t10k-*-idx*-ubyte.gz (default: bundled split)")


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--test-dir`` (the official test set; default: the bundled held-out digits) and ``--seed``."""
    add_test_dir_argument(parser)
    add_seed_argument(parser)


def add_precision_argument(parser: argparse.ArgumentParser) -> None:
    """``--precision``: a Keras dtype policy to train in instead of the one detected for this machine."""
    parser.add_argument("--precision", default=None, help="force a dtype policy (default: detected)")


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


def load_digits(test_dir: Path | None) -> tuple[Digits, str]:
    """The 8,000 bundled training digits and a test set, both ready for the CNNs, and the test set's name.

    Training is always on bundled digits; the official test set at ``test_dir`` only measures.
    """
    from course_utils import data

    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", fast=False, verbose=False)
    if test_dir:
        x_test, y_test = data.load_idx_dataset(test_dir, "t10k")
    test_set = "official MNIST test set" if test_dir else "bundled held-out 2,000"
    return ((data.prepare(x_train), y_train), (data.prepare(x_test), y_test)), test_set


# --------------------------------------------------------------------------------------------
# The machine and the result
# --------------------------------------------------------------------------------------------


def load_average() -> tuple[float, float, float] | None:
    """The 1-, 5- and 15-minute load averages; None where the system keeps none (Windows).

    On a shared machine other processes slow a benchmark down: the load says how busy it was.
    """
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def matmul_gflops(repeats: int = 8, size: int = 1024) -> float:
    """How fast this machine multiplies float32 matrices right now, in GFLOP/s (about half a second).

    A shared machine's speed changes from one minute to the next; measured just before a timed
    run, this says whether the run had the machine's usual speed or a slow spell.
    """
    import time

    matrix = np.random.default_rng(0).random((size, size), dtype=np.float32)
    matrix @ matrix  # the first product starts the BLAS threads
    start = time.perf_counter()
    for _ in range(repeats):
        matrix @ matrix
    return repeats * 2 * size**3 / (time.perf_counter() - start) / 1e9


def cpu_model() -> str:
    """The processor's name, e.g. "Intel(R) Xeon(R) CPU @ 2.20GHz" (from Linux ``/proc/cpuinfo``, else Python)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The computer a result was measured on, for the JSON line every benchmark prints.

    Cores, processor, whether the CPU has bfloat16 instructions (AVX-512 BF16, AMX or ARM BF16) and
    so the precision the course's fast training picks here, the load averages, and the versions of
    TensorFlow, Keras and NumPy. Imports TensorFlow: call it after the measurement in a script
    whose measurement runs in other processes.
    """
    # course_utils before TensorFlow, so that a script which has not loaded TensorFlow yet does not
    # print its start-up chatter here (course_utils/__init__.py holds it back).
    from course_utils import training

    hardware = training.detect_hardware()
    import keras
    import tensorflow as tf

    load = load_average()
    return {
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "cpu_model": cpu_model(),
        "bf16_cpu": hardware.cpu_has_bf16,
        "fast_path_precision": training.fast_precision(hardware),
        "load_average": None if load is None else [round(x, 1) for x in load],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def print_result(result: dict[str, Any]) -> None:
    """Print the benchmark's one JSON line on standard output."""
    print(json.dumps(result), flush=True)
