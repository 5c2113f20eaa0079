"""What the benchmark scripts share: the data options, the digits, and a description of the machine."""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from course_utils import data

Digits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--test-dir`` (the official test set; default: the bundled held-out digits) and ``--seed``."""
    parser.add_argument("--test-dir", type=Path, help="folder with t10k-*-idx*-ubyte.gz (default: bundled split)")
    parser.add_argument("--seed", type=int, default=42)


def load_digits(test_dir: Path | None) -> tuple[Digits, str]:
    """The 8,000 bundled training digits and a test set, both ready for the CNNs, and the test set's name.

    Training is always on bundled digits; the official test set at ``test_dir`` only measures.
    """
    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", fast=False, verbose=False)
    if test_dir:
        x_test, y_test = data.load_idx_dataset(test_dir, "t10k")
    test_set = "official MNIST test set" if test_dir else "bundled held-out 2,000"
    return ((data.prepare(x_train), y_train), (data.prepare(x_test), y_test)), test_set


def machine(**extra: object) -> dict[str, object]:
    """Cores, processor and library versions, for the JSON line every benchmark prints."""
    return {"cpu_count": os.cpu_count(), "processor": platform.processor() or platform.machine(), **extra,
            "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__}
