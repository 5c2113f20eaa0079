"""The fast/full switch is read in one place and behaves the same wherever it is asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_utils import config


def run_fresh(env_changes: dict[str, str | None], code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``code`` in a new Python whose environment has these switches, None = unset (COURSE_FAST is read at import)."""
    env = {key: value for key, value in os.environ.items() if key not in env_changes}
    env.update({key: value for key, value in env_changes.items() if value is not None})
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)


def mode_in_fresh_process(value: str | None) -> str:
    code = (
        "from course_utils import config; "
        "print(config.mode_name(), config.epochs(10), config.pick(full='a', fast='b'))"
    )
    result = run_fresh({"COURSE_FAST": value}, code)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


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


# --- setup(), in a new interpreter -----------------------------------------------------------------
# setup() changes the whole process: seeds, plot style, log levels, and TensorFlow's op determinism,
# which cannot be turned off again. Run in this pytest worker, it would change every later test.

SECOND_SETUP = "--- setup again"
#: setup(seed_value=7) twice, with a random draw after each; what it returned and drew, then printed.
SETUP_TWICE = f"""
import json
import numpy as np
from course_utils import config

used = config.setup(seed_value=7)
first = np.random.rand(3).tolist()  # set_random_seed seeds NumPy's legacy global generator
print({SECOND_SETUP!r})
config.setup(seed_value=7)
print(json.dumps({{"used": used, "first": first, "again": np.random.rand(3).tolist()}}))
"""


@pytest.fixture(scope="module")
def setup_run() -> tuple[dict, list[str]]:
    """What setup() returned and drew in a new Python (with COURSE_PRECISION=mixed_float16); what it printed first."""
    result = run_fresh({"COURSE_FAST": "1", "COURSE_PRECISION": "mixed_float16"}, SETUP_TWICE, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    return json.loads(lines[-1]), lines[: lines.index(SECOND_SETUP)]


def test_setup_seeds_everything(setup_run: tuple[dict, list[str]]) -> None:
    import numpy as np

    drawn, printed = setup_run
    assert drawn["used"] == 7
    assert drawn["first"] == np.random.RandomState(7).rand(3).tolist()  # NumPy's global one, seeded 7
    assert drawn["again"] == drawn["first"]  # the same seed, the same numbers
    text = "\n".join(printed)
    assert "TensorFlow" in text and "Keras 3." in text and "Mode: fast" in text and "seed 7" in text


def test_setup_prints_the_devices_and_the_precision(setup_run: tuple[dict, list[str]]) -> None:
    _, printed = setup_run
    lines = [line for line in printed if line.startswith("Devices:")]
    assert len(lines) == 1
    assert "CPU:0" in lines[0] and "mixed_float16" in lines[0] and "COURSE_PRECISION" in lines[0]


def test_output_dir_is_created_under_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "OUTPUT_DIR", tmp_path / "outputs")  # where this process writes, fixed at import
    folder = config.output_dir("test-config", "models")
    assert folder == tmp_path / "outputs" / "test-config" / "models" and folder.is_dir()
    assert config.output_dir("test-config", "models") == folder  # an existing folder is fine


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


# --- One rule for every switch: the documented values, or a SettingError naming the variable ----------------


@pytest.mark.parametrize("name", ["COURSE_FAST", "COURSE_OFFLINE"])
def test_yes_no_switches_take_the_documented_spellings_and_nothing_else(monkeypatch: pytest.MonkeyPatch,
                                                                          name: str) -> None:
    """On and off as the README lists them (any case, spaces around, empty = unset); the rest refused."""
    for value, expected in [(" YES ", True), ("On", True), ("TRUE", True), ("1", True), ("no", False),
                            ("off", False), ("False", False), ("0", False), ("  ", False), ("", False)]:
        monkeypatch.setenv(name, value)
        assert config.flag(name) is expected, value
    monkeypatch.delenv(name)
    assert config.flag(name) is False
    monkeypatch.setenv(name, "2")
    with pytest.raises(config.SettingError):
        config.flag(name)


@pytest.mark.parametrize("value", ["2", "maybe", "fast", "y"])
def test_a_fast_value_the_course_does_not_know_is_a_clear_error(value: str) -> None:
    result = run_fresh({"COURSE_FAST": value}, "from course_utils import config; print(config.mode_name())")
    assert result.returncode != 0, f"COURSE_FAST={value!r} was taken as {result.stdout.strip()!r}"
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("course_utils.config.SettingError: COURSE_FAST=")
    assert repr(value) in last_line and "1, true, yes, on" in last_line and "0, false, no, off" in last_line


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("value", ["maybe", "2", "offline"])
def test_an_offline_value_the_course_does_not_know_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str,
                                                                    fast: bool) -> None:
    """Also in fast mode, where the switch changes nothing: a typo is said at once, not on the student's machine."""
    monkeypatch.setattr(config, "FAST", fast)
    monkeypatch.setenv("COURSE_OFFLINE", value)
    with pytest.raises(config.SettingError, match=f"COURSE_OFFLINE={value!r}.*1, true, yes, on.*0, false, no, off"):
        config.allow_download()


def test_seed_takes_numpys_whole_range_and_not_one_more(monkeypatch: pytest.MonkeyPatch) -> None:
    for value, expected in [("", 42), ("  ", 42), ("7", 7), (" 0 ", 0), ("1_000", 1000), ("4294967295", 2**32 - 1)]:
        monkeypatch.setenv("COURSE_SEED", value)
        assert config.seed() == expected, value
    monkeypatch.setenv("COURSE_SEED", "4294967296")
    with pytest.raises(config.SettingError):
        config.seed()


@pytest.mark.parametrize("value", ["abc", "-1", "4294967296", "7.0", "1e3", "0x10", "seven"])
def test_a_seed_the_course_cannot_use_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COURSE_SEED", value)
    with pytest.raises(config.SettingError, match=f"COURSE_SEED={value!r}.*0 to 4294967295"):
        config.seed()


@pytest.mark.parametrize("value", [-1, 2**32, 7.5, "7"])
def test_setup_refuses_a_seed_numpy_cannot_take_before_changing_anything(value: object) -> None:
    with pytest.raises((ValueError, TypeError), match=r"seed_value=.*0 to 4294967295"):
        config.setup(seed_value=value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "value", "accepted"), [
    ("COURSE_FAST", "2", ("1", "true", "yes", "on", "0", "false", "no", "off")),
    ("COURSE_OFFLINE", "maybe", ("1", "true", "yes", "on", "0", "false", "no", "off")),
    ("COURSE_SEED", "abc", ("0 to 4294967295",)),
    ("COURSE_PRECISION", "bf16", config.PRECISIONS),
    ("COURSE_TRACEBACKS", "long", ("short", "full")),
])
def test_every_switch_fails_the_same_way(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                         accepted: tuple[str, ...]) -> None:
    """The variable, the value seen, every accepted value, and how to get the default: one error class."""
    monkeypatch.setenv(name, value)
    readers = {"COURSE_FAST": lambda: config.flag("COURSE_FAST"), "COURSE_OFFLINE": config.offline,
               "COURSE_SEED": config.seed, "COURSE_PRECISION": config.precision,
               "COURSE_TRACEBACKS": config.tracebacks_mode}
    with pytest.raises(config.SettingError) as error:
        readers[name]()
    assert isinstance(error.value, ValueError)  # what callers caught before SettingError existed
    message = str(error.value)
    assert message.startswith(f"{name}={value!r} ")
    assert all(word in message for word in accepted), message
    assert f"unset {name}" in message


def test_an_output_dir_that_is_a_file_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    monkeypatch.setenv("COURSE_OUTPUT_DIR", str(a_file))
    monkeypatch.setattr(config, "OUTPUT_DIR", a_file)
    with pytest.raises(config.SettingError, match=f"COURSE_OUTPUT_DIR={str(a_file)!r}.*folder"):
        config.output_dir("models")


@pytest.mark.parametrize("value", ["fr", "zh-TW", "yes"])
def test_setup_stops_at_a_course_lang_the_course_does_not_have(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from course_utils import language

    monkeypatch.setattr(language, "_chosen", "en")  # even when config.language() chose one in this session
    monkeypatch.setenv("COURSE_LANG", value)
    with pytest.raises(config.SettingError) as caught:
        config.setup(verbose=False)
    message = str(caught.value)
    assert f"COURSE_LANG={value!r} is not a language of the course." in message
    assert "en (English, the default) or zh" in message and "不是本课程提供的语言" in message


def test_course_lang_is_documented_with_the_other_variables() -> None:
    assert "``COURSE_LANG``" in (config.__doc__ or "")
    assert "config.language" in (config.__doc__ or "")


def test_the_messages_follow_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from course_utils import language

    monkeypatch.setenv("COURSE_SEED", "-1")
    monkeypatch.setattr(language, "_chosen", "zh")
    with pytest.raises(config.SettingError, match=r"COURSE_SEED='-1' 不是本课程接受的值。可用：0 到 4294967295"):
        config.seed()
    monkeypatch.setattr(language, "_chosen", "en")
    with pytest.raises(config.SettingError, match=r"COURSE_SEED='-1' is not a value the course accepts\. Accepted"):
        config.seed()
