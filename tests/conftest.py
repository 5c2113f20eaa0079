"""Fixtures shared by the test modules (the root ``conftest.py`` holds the suite's own set-up)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from course_utils import data


@pytest.fixture(scope="session")
def fast_digits() -> dict[str, np.ndarray]:
    """The bundled digits as fast mode loads them, prepared for a model, loaded once per test process.

    ``x_train`` and ``x_test`` are float32 (N, 28, 28, 1) in [0, 1], ``y_train`` and ``y_test`` the
    labels, ``raw_test`` the test images as uint8 (N, 28, 28). Every array is read-only: the modules
    share them, so a test that wants to change images changes a copy.
    """
    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", fast=True, verbose=False)
    digits = {
        "x_train": data.prepare(x_train),
        "y_train": y_train,
        "x_test": data.prepare(x_test),
        "y_test": y_test,
        "raw_test": x_test,
    }
    for array in digits.values():
        array.setflags(write=False)
    return digits


@pytest.fixture
def fresh_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a new Python session: the once-per-session NoChecksumWarning has not been said yet.

    The one place the tests touch ``saving``'s private record of it (restored after the test).
    """
    from course_utils import saving

    monkeypatch.setattr(saving, "_warned_no_checksum", False)


#: A proxy where nothing listens: a download tried under :func:`offline_keras` fails at once, with
#: "Connection refused" in the error, instead of fetching anything.
UNREACHABLE_PROXY = "http://127.0.0.1:9"
PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy", "no_proxy")  # and their upper-case spellings


@dataclass(frozen=True)
class OfflineKeras:
    """Python in a new interpreter whose Keras folder (``KERAS_HOME``) is ``home``, with no way to download."""

    home: Path

    def run(self, code: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Run ``code``; its exit status, stdout and stderr."""
        env = {name: value for name, value in os.environ.items() if name.lower() not in PROXY_VARIABLES}
        env.update(
            {
                "KERAS_HOME": str(self.home),
                "https_proxy": UNREACHABLE_PROXY,
                "http_proxy": UNREACHABLE_PROXY,
                "no_proxy": "",
            }
        )
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def offline_keras(tmp_path: Path) -> OfflineKeras:
    """A new Python with an empty Keras folder in ``tmp_path`` (Keras reads ``KERAS_HOME`` when imported).

    For tests of what Keras itself does with the files in its folder (the names it looks for, the
    hash it checks): the real ``~/.keras`` is neither read nor written, and nothing is downloaded.
    """
    home = tmp_path / "keras-home"
    home.mkdir()
    return OfflineKeras(home)
