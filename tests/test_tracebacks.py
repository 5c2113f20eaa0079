"""Short tracebacks: a notebook's own lines and the message, library frames folded away but kept."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from course_utils import config, tracebacks

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Shell:
    """A real IPython shell that records the error outputs and displays a Jupyter kernel would send."""

    def __init__(self) -> None:
        settings = Config()
        settings.HistoryManager.hist_file = ":memory:"
        self.shell = InteractiveShell(config=settings)
        self.errors: list[str] = []
        self.displays: list[dict[str, str]] = []
        self.shell._showtraceback = lambda etype, value, stb: self.errors.append(ANSI.sub("", "\n".join(stb)))

        def handler(shell, etype, value, tb, tb_offset=None):  # the installed one, displaying into a list
            return tracebacks.handler(shell, etype, value, tb, tb_offset, display=self.displays.append)

        self.handler = handler

    def short(self) -> None:
        self.shell.set_custom_exc((Exception,), self.handler)

    def run(self, code: str):
        self.errors.clear()
        self.displays.clear()
        return self.shell.run_cell(code, store_history=True)


@pytest.fixture
def shell() -> Iterator[Shell]:
    shell = Shell()
    shell.run("import json, keras, numpy as np")
    shell.short()
    yield shell
    shell.shell.set_custom_exc((), None)


def test_a_keras_error_shows_the_cell_line_and_the_message_with_the_rest_folded(shell: Shell) -> None:
    result = shell.run("keras.layers.Conv2D(filters=8, kernel_size=3)(np.zeros((2, 28, 28), 'float32'))")
    assert isinstance(result.error_in_exec, ValueError)  # the cell failed: Run All stops, nbval sees it
    [error] = shell.errors
    assert "----> 1 keras.layers.Conv2D(filters=8, kernel_size=3)" in error
    assert "… 2 frames inside keras not shown" in error
    assert error.rstrip().endswith("expected min_ndim=4, found ndim=3. Full shape received: (2, 28, 28)")
    assert "input_spec.py" not in error and "traceback_utils.py" not in error
    assert len(error.splitlines()) <= 10
    # The full traceback, every library frame in it, is one click away under the error.
    [full] = shell.displays
    assert full["text/html"].startswith("<details><summary")
    assert "input_spec.py" in full["text/html"] and "traceback_utils.py" in full["text/plain"]
    assert sys.last_value is result.error_in_exec  # %debug and %tb work on it


def test_an_error_in_the_cells_own_code_looks_as_before(shell: Shell) -> None:
    shell.run("def divide(a, b):\n    return a / b\n")
    shell.run("divide(1, 0)")
    [shown] = shell.errors
    assert not shell.displays  # nothing was hidden, so nothing to unfold
    ipython = shell.shell.InteractiveTB.structured_traceback(sys.last_type, sys.last_value, sys.last_traceback)
    assert shown == ANSI.sub("", "\n".join(ipython))
    assert "return a / b" in shown and "ZeroDivisionError: division by zero" in shown


def test_library_code_calling_back_into_the_notebook_keeps_both_and_marks_the_gap(shell: Shell) -> None:
    shell.run("def hook(pairs):\n    raise ValueError('my hook refuses ' + repr(pairs))\n")
    shell.run("json.loads('{\"a\": 1}', object_hook=hook)")
    [error] = shell.errors
    lines = error.splitlines()
    call = next(i for i, line in enumerate(lines) if "json.loads(" in line)
    note = next(i for i, line in enumerate(lines) if "frames inside json not shown" in line)
    hook = next(i for i, line in enumerate(lines) if "raise ValueError('my hook refuses '" in line)
    assert call < note < hook  # the notebook's call, json's frames (folded), the notebook's hook
    assert lines[-1] == "ValueError: my hook refuses {'a': 1}"


def test_chained_exceptions_are_each_shortened_in_order(shell: Shell) -> None:
    shell.run("def parse(text):\n    try:\n        return json.loads(text)\n"
              "    except json.JSONDecodeError as error:\n        raise ValueError(f'not JSON: {text!r}') from error\n")
    shell.run("parse('{')")
    [error] = shell.errors
    first = error.index("JSONDecodeError: Expecting property name")
    between = error.index(tracebacks.CAUSE_MESSAGE)
    last = error.index("ValueError: not JSON: '{'")
    assert first < between < last
    assert "frames inside json not shown" in error and "decoder.py" not in error
    assert "decoder.py" in shell.displays[0]["text/plain"]


def test_other_xmodes_and_syntax_errors_are_ipythons_own(shell: Shell) -> None:
    shell.shell.run_line_magic("xmode", "Plain")
    shell.run("json.loads('{')")
    [error] = shell.errors
    assert "decoder.py" in error and "not shown" not in error and not shell.displays
    shell.shell.run_line_magic("xmode", "Context")
    shell.run("json.loads('{')")
    assert "not shown" in shell.errors[0]
    result = shell.run("x = (")
    assert isinstance(result.error_before_exec, SyntaxError)
    assert not shell.displays


def test_library_of_names_the_package_of_a_file() -> None:
    import json

    import keras

    assert tracebacks.library_of(keras.__file__) == "keras"
    assert tracebacks.library_of(json.__file__) == "json"
    assert tracebacks.library_of(tracebacks.__file__) == "course_utils"
    assert tracebacks.library_of("<frozen importlib._bootstrap>") == "importlib"
    assert tracebacks.library_of(str(Path("/tmp/ipykernel_4242/1234567.py"))) is None  # a notebook cell
    assert tracebacks.library_of("<ipython-input-3-abc>") is None
    assert tracebacks.library_of(str(Path(__file__))) is None  # a script of the student's


def test_install_does_nothing_outside_a_jupyter_kernel() -> None:
    assert tracebacks.install() is False
    shell = InteractiveShell(config=Config({"HistoryManager": {"hist_file": ":memory:"}}))
    assert tracebacks.install(shell) is True and shell.custom_exceptions == (Exception,)
    tracebacks.uninstall(shell)
    assert shell.custom_exceptions == ()
    shell.set_custom_exc((KeyError,), lambda *args, **kwargs: None)  # someone else's handler stays
    assert tracebacks.install(shell) is False and shell.custom_exceptions == (KeyError,)


def test_the_mode_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COURSE_TRACEBACKS", raising=False)
    assert config.tracebacks_mode() == "short"
    monkeypatch.setenv("COURSE_TRACEBACKS", " Full ")
    assert config.tracebacks_mode() == "full"
    monkeypatch.setenv("COURSE_TRACEBACKS", "long")
    with pytest.raises(ValueError, match="COURSE_TRACEBACKS"):
        config.tracebacks_mode()
