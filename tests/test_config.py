"""The fast/full switch is read in one place and behaves the same wherever it is asked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from course_utils import config


def mode_in_fresh_process(value: str | None) -> str:
    env = dict(os.environ)
    env.pop("COURSE_FAST", None)
    if value is not None:
        env["COURSE_FAST"] = value
    code = (
        "from course_utils import config; "
        "print(config.mode_name(), config.epochs(10), config.pick(full='a', fast='b'))"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "full 10 a"), ("1", "fast 1 b"), ("true", "fast 1 b"), ("0", "full 10 a"), ("", "full 10 a")],
)
def test_the_environment_variable_switches_the_mode(value: str | None, expected: str) -> None:
    assert mode_in_fresh_process(value).strip() == expected


def test_tests_run_in_fast_mode() -> None:
    assert config.FAST
    assert config.epochs(12, fast=2) == 2
    assert not config.allow_download()


def test_setup_seeds_everything(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    used = config.setup(seed_value=7)
    first = np.random.rand(3)  # noqa: NPY002 (set_random_seed seeds the legacy global generator)
    config.setup(seed_value=7)
    assert used == 7
    assert np.array_equal(first, np.random.rand(3))  # noqa: NPY002
    printed = capsys.readouterr().out
    assert "TensorFlow" in printed and "Keras 3." in printed and "Mode: fast" in printed


def test_output_dir_is_created_under_outputs() -> None:
    folder = config.output_dir("test-config")
    assert folder.is_dir() and folder.parent == config.OUTPUT_DIR


@pytest.mark.parametrize(("value", "expected"), [(None, "auto"), ("", "auto"), ("auto", "auto"),
                                                 ("float32", "float32"), (" Mixed_BFloat16 ", "mixed_bfloat16"),
                                                 ("mixed_float16", "mixed_float16")])
def test_precision_switch_accepts_the_documented_values(monkeypatch: pytest.MonkeyPatch, value: str | None,
                                                        expected: str) -> None:
    if value is None:
        monkeypatch.delenv("COURSE_PRECISION", raising=False)
    else:
        monkeypatch.setenv("COURSE_PRECISION", value)
    assert config.precision() == expected


@pytest.mark.parametrize("value", ["bf16", "float64", "1", "mixed"])
def test_a_precision_the_course_does_not_know_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COURSE_PRECISION", value)
    with pytest.raises(ValueError, match="COURSE_PRECISION") as error:
        config.precision()
    for accepted in config.PRECISIONS:
        assert accepted in str(error.value)


def test_setup_prints_the_devices_and_the_precision(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COURSE_PRECISION", "mixed_float16")
    config.setup(seed_value=1)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Devices:")]
    assert len(lines) == 1
    assert "CPU:0" in lines[0] and "mixed_float16" in lines[0] and "COURSE_PRECISION" in lines[0]
