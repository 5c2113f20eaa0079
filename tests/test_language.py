"""Messages in two languages: the language is chosen as documented, and every message has both.

``course_utils.language`` picks English or Chinese: ``config.language("zh")``, else ``COURSE_LANG``,
else the edition of the notebook the kernel runs (a notebook of ``notebooks/zh/``), else English.
The sources of the notebook's path are faked here one by one.

:func:`test_every_message_has_both` reads every module of ``course_utils/`` and every file of
``notebooks/checks/`` (their syntax trees; nothing is imported) and fails, listing each
``file:line``, on

* a ``tr(...)`` call that is not two string literals or f-strings, the second in Chinese (holding
  CJK characters), with the same f-string fields (``{path}`` in both);
* a message a student reads written in one language only: a bare string or f-string as the message
  of a raised exception (or of any ``...Error``/``...Exception``/``...Warning`` made), of a
  ``print(...)`` or a ``warnings.warn(...)`` in ``course_utils``, or of a check's
  ``failure_message=`` or ``assert ..., message`` in ``notebooks/checks``.

A message for the course's developers only (an assertion about the course's own invariants,
``KerasInternalsChanged``) or one with no language (names and numbers) may stay as it is: a
comment ``# english-only: <reason>`` on its line, or on the first line of its statement, says so.
"""

from __future__ import annotations

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

import pytest

from course_utils import config, language

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
CHECKS = ROOT / "notebooks" / "checks"

#: Chinese characters, and the full-width punctuation Chinese sentences use.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
#: The comment that lets a message stay in one language; a reason must follow the colon.
MARKER = re.compile(r"#\s*english-only:\s*\S")
#: Names of the classes whose calls make an exception or a warning.
EXCEPTION_NAME = re.compile(r"(Error|Exception|Warning)$")


# ---------------------------------------------------------------- choosing the language


@pytest.fixture(autouse=True)
def fresh_language(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with nothing chosen, no COURSE_LANG and the notebook's edition not yet looked for."""
    monkeypatch.setattr(language, "_chosen", None)
    monkeypatch.setattr(language, "_detected", None)
    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    yield


class FakeKernel:
    """What the language module looks at in a Jupyter kernel's IPython shell: ``kernel`` and ``user_ns``."""

    def __init__(self, **namespace: object) -> None:
        self.kernel = object()
        self.user_ns = dict(namespace)


def test_english_is_the_default_outside_a_notebook() -> None:
    assert language.current() == "en"
    assert language.tr("Train", "训练") == "Train"
    assert config.language() == "en"


@pytest.mark.parametrize("path", [
    "/home/student/course/notebooks/zh/04_cnn.ipynb",
    "notebooks/zh/04_cnn.ipynb",  # relative to the server's root folder
    r"C:\Users\student\course\notebooks\zh\04_cnn.ipynb",
])
def test_jupyter_server_names_the_notebook_in_jpy_session_name(path: str) -> None:
    environ = {"JPY_SESSION_NAME": path}
    assert language.notebook_path(environ, FakeKernel()) is not None
    assert language.notebook_language(environ, FakeKernel(), cwd=PurePath("/tmp")) == "zh"


def test_an_english_notebook_is_english_whatever_the_working_folder() -> None:
    environ = {"JPY_SESSION_NAME": "/home/student/course/notebooks/04_cnn.ipynb"}
    assert language.notebook_language(environ, FakeKernel(), cwd=PurePath("/somewhere/zh")) is None


def test_a_console_session_name_is_not_a_notebook() -> None:
    environ = {"JPY_SESSION_NAME": "console-1-3f2a"}
    assert language.notebook_path(environ, FakeKernel()) is None
    assert language.notebook_language(environ, FakeKernel(), cwd=PurePath("/course/notebooks")) is None


@pytest.mark.parametrize(("path", "expected"), [
    ("/Users/student/course/notebooks/zh/01_data.ipynb", "zh"),
    (r"c:\Users\student\course\notebooks\zh\01_data.ipynb", "zh"),
    ("/Users/student/course/notebooks/01_data.ipynb", None),
])
def test_vs_code_names_the_notebook_in_the_kernels_namespace(path: str, expected: str | None) -> None:
    kernel = FakeKernel(__vsc_ipynb_file__=path)
    assert language.notebook_language({}, kernel, cwd=PurePath("/anywhere")) == expected


def test_otherwise_a_kernels_working_folder_named_zh_is_the_chinese_edition() -> None:
    assert language.notebook_language({}, FakeKernel(), cwd=PurePath("/course/notebooks/zh")) == "zh"
    assert language.notebook_language({}, FakeKernel(), cwd=PurePath("/course/notebooks")) is None


def test_a_plain_python_process_in_a_folder_named_zh_is_not_a_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "_kernel_shell", lambda: None)
    assert language.notebook_language({}, None, cwd=PurePath("/course/notebooks/zh")) is None


def test_order_choose_then_course_lang_then_the_notebook_then_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(language, "notebook_language", lambda *args, **kwargs: "zh")
    assert language.current() == "zh"  # the notebook's edition
    assert language.tr("Train", "训练") == "训练"
    monkeypatch.setenv("COURSE_LANG", "en")
    assert language.current() == "en"  # COURSE_LANG over the notebook
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    assert config.language("english") == "en"  # choose() over COURSE_LANG
    assert config.language() == "en"
    assert language.choose(None) == "zh"  # back to COURSE_LANG
    monkeypatch.delenv("COURSE_LANG")
    monkeypatch.setattr(language, "notebook_language", lambda *args, **kwargs: None)
    language.forget_notebook()
    assert language.current() == "en"


def test_the_notebooks_edition_is_looked_for_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(language, "notebook_language", lambda *args, **kwargs: calls.append(1) or "zh")
    assert [language.current() for _ in range(3)] == ["zh"] * 3
    assert len(calls) == 1  # a later os.chdir in the notebook does not change its language


def test_a_failing_front_end_means_english(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str | None:
        raise OSError("the working folder was deleted")

    monkeypatch.setattr(language, "notebook_language", broken)
    assert language.current() == "en"


@pytest.mark.parametrize("spelling", ["zh", "ZH", " zh-CN ", "zh_CN", "zh-Hans", "chinese", "中文"])
def test_config_language_accepts_the_spellings_of_chinese(spelling: str) -> None:
    assert config.language(spelling) == "zh"
    assert config.language() == "zh"
    assert language.tr("Train", "训练") == "训练"


def test_config_language_refuses_an_unknown_language_in_both_languages() -> None:
    with pytest.raises(config.SettingError) as caught:
        config.language("fr")
    assert "language='fr' is not a language of the course" in str(caught.value)
    assert "不是本课程提供的语言" in str(caught.value)
    assert config.language() == "en"  # nothing changed


def test_a_bad_course_lang_is_a_setting_error_but_never_hides_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_LANG", "klingon")
    with pytest.raises(config.SettingError, match="COURSE_LANG='klingon'"):
        language.current()
    assert language.tr("Train", "训练") == "Train"


def test_a_kernel_started_in_a_zh_folder_by_jupyter_server_speaks_chinese(tmp_path: Path) -> None:
    """The real thing, in a new Python: JPY_SESSION_NAME names a notebook of notebooks/zh/."""
    env = {key: value for key, value in os.environ.items() if key != "COURSE_LANG"}
    env["JPY_SESSION_NAME"] = str(tmp_path / "notebooks" / "zh" / "01_data.ipynb")
    code = "from course_utils.language import tr; print(tr('digit', '数字'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            encoding="utf-8", timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "数字"


# ---------------------------------------------------------------- every message has both


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    what: str

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(ROOT)
        except ValueError:
            shown = self.path
        return f"{shown}:{self.line}: {self.what}"


def marked_lines(source: str) -> set[int]:
    """The lines that carry a ``# english-only: <reason>`` comment."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and MARKER.search(token.string):
            lines.add(token.start[0])
    return lines


def string_parts(node: ast.expr) -> list[str]:
    """The literal text of a string constant or f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [part.value for part in node.values if isinstance(part, ast.Constant) and isinstance(part.value, str)]
    return []


def fields(node: ast.expr) -> set[str]:
    """The expressions of an f-string's fields, as written (``{path}`` -> ``path``)."""
    if not isinstance(node, ast.JoinedStr):
        return set()
    found = set()
    for part in ast.walk(node):
        if isinstance(part, ast.FormattedValue):
            found.add(ast.unparse(part.value))
    return found


def is_bare_text(node: ast.expr | None) -> bool:
    """A message written in one language where it is made: a string or f-string with words in it.

    Concatenations (``+``), ``%`` formatting, ``"...".format(...)`` and either branch of a ``... if
    ... else ...`` count; a ``tr(...)`` call, a name or ``str(error)`` do not.
    """
    if node is None:
        return False
    if isinstance(node, ast.Constant | ast.JoinedStr):
        return any(re.search(r"[A-Za-z]{2}", text) for text in string_parts(node))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return is_bare_text(node.left) or is_bare_text(node.right)
    if isinstance(node, ast.IfExp):
        return is_bare_text(node.body) or is_bare_text(node.orelse)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return is_bare_text(node.func.value)
    return False


def callee_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def message_of(call: ast.Call) -> ast.expr | None:
    """An exception's or warning's message: its first argument, or its ``message=``/``msg=``."""
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in ("message", "msg")), None)


def tr_problems(call: ast.Call) -> list[str]:
    """What is wrong with one ``tr(...)`` call ([] when nothing is)."""
    if call.keywords or len(call.args) != 2:
        return [f"tr(...) takes exactly two texts, English then Chinese (it has {len(call.args)} "
                f"positional and {len(call.keywords)} keyword arguments)"]
    english, chinese = call.args
    found = []
    for name, text in (("English", english), ("Chinese", chinese)):
        if not string_parts(text) and not isinstance(text, ast.JoinedStr):
            found.append(f"tr(...)'s {name} text is not a string literal or f-string: {ast.unparse(text)[:60]}")
    if not found and not any(CJK.search(part) for part in string_parts(chinese)):
        found.append(f"tr(...)'s second text holds no Chinese: {ast.unparse(chinese)[:60]}")
    if not found and fields(english) != fields(chinese):
        found.append(f"tr(...)'s texts have different fields: English {sorted(fields(english))}, "
                     f"Chinese {sorted(fields(chinese))}")
    return found


def is_call_to(call: ast.Call, module: str, name: str) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == name and isinstance(func.value, ast.Name)
            and func.value.id == module)


def own_nodes(statement: ast.stmt) -> Iterator[ast.AST]:
    """The expressions of ``statement`` itself, not those of the statements in its body."""
    stack = list(ast.iter_child_nodes(statement))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def one_language_messages(tree: ast.Module, checks_file: bool) -> Iterator[tuple[ast.stmt, ast.expr, str]]:
    """Each (statement, message, what it is) of ``tree`` whose message is bare text."""
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt):
            continue
        if isinstance(statement, ast.Assert) and checks_file and statement.msg is not None:
            if is_bare_text(statement.msg):
                yield statement, statement.msg, "assert message"
        for call in (node for node in own_nodes(statement) if isinstance(node, ast.Call)):
            yield from call_messages(statement, call, checks_file)


def call_messages(statement: ast.stmt, call: ast.Call, checks_file: bool) -> Iterator[tuple[ast.stmt, ast.expr, str]]:
    name = callee_name(call)
    # A raised class (``raise KerasInternalsChanged(...)``); a function making the error may take the message
    # anywhere in its arguments (``raise _setting_error("COURSE_SEED", raw, ...)``): the function is scanned.
    raised = isinstance(statement, ast.Raise) and statement.exc is call and name[:1].isupper()
    if raised or EXCEPTION_NAME.search(name):
        message = message_of(call)
        if message is not None and is_bare_text(message):
            yield statement, message, f"{name}(...) message"
    if not checks_file:
        if isinstance(call.func, ast.Name) and name == "print":
            for argument in call.args:
                if is_bare_text(argument):
                    yield statement, argument, "print(...)"
        warned = message_of(call) if is_call_to(call, "warnings", "warn") else None
        if warned is not None and is_bare_text(warned):
            yield statement, warned, "warnings.warn(...) message"
    for keyword in call.keywords:
        if checks_file and keyword.arg == "failure_message" and is_bare_text(keyword.value):
            yield statement, keyword.value, "failure_message="


def message_problems(path: Path, checks_file: bool | None = None) -> list[Problem]:
    """Every message of the file at ``path`` that is not written in both languages (see the module's docstring)."""
    if checks_file is None:
        checks_file = path.parent.resolve() == CHECKS.resolve()
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    marked = marked_lines(source)
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and callee_name(node) == "tr":
            problems += [Problem(path, node.lineno, what) for what in tr_problems(node)]
    seen = set()
    for statement, message, what in one_language_messages(tree, checks_file):
        lines = set(range(statement.lineno, (message.end_lineno or message.lineno) + 1))
        if lines & marked or (message.lineno, what) in seen:
            continue
        seen.add((message.lineno, what))
        text = ast.unparse(message).replace("\n", " ")
        problems.append(Problem(path, message.lineno, f"{what} in one language: {text[:90]}"))
    return sorted(problems, key=lambda p: (str(p.path), p.line))


def scanned_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py")) + sorted(CHECKS.glob("*.py"))


def test_every_message_has_both() -> None:
    problems = [str(problem) for path in scanned_files() for problem in message_problems(path)]
    assert not problems, (
        f"{len(problems)} problems: write each message with tr(english, chinese) (two string literals or "
        "f-strings with the same fields), or mark a message for developers `# english-only: <reason>`:\n"
        + "\n".join(problems))


def test_the_scan_reads_every_module_and_check() -> None:
    files = scanned_files()
    assert PACKAGE / "language.py" in files and PACKAGE / "config.py" in files
    assert any(path.parent == CHECKS for path in files)


FAKE_MODULE = '''
from course_utils.language import tr


def check(path, size):
    if size == 0:
        raise ValueError(f"{path} is empty")                                  # line 7: one language
    if size < 0:
        raise ValueError(tr(f"{path} is broken", f"{path} 已损坏"))            # fine
    if size > 9:
        raise ValueError(tr(f"{path} is too big", "文件太大"))                 # line 11: fields differ
    if size == 5:
        raise ValueError(tr("five", "five"))                                   # line 13: no Chinese
    if size == 6:
        raise ValueError(tr("six"))                                            # line 15: one text
    if size == 7:
        raise RuntimeError("seven")  # english-only: an invariant of the course, for its developers
    if size == 8:
        print("Saved " + str(path))                                            # line 19: print
    if size == 3:
        error = TypeError(                                                     # line 21
            "three"                                                            # line 22: made, not raised
        )
        raise error
    print(f"{size:,} bytes")  # english-only: a number and a unit
    print(tr("done", "完成"), path)
'''

FAKE_CHECK = '''
from otter.test_files import test_case


@test_case(points=1, failure_message="Set x to 3.")                           # line 5
def test_x(x):
    assert x == 3, f"x is {x}"                                                 # line 7
    assert x > 0, tr(f"x is {x}", f"x 是 {x}")
'''


def test_the_scan_finds_one_language_messages_in_a_fake_module(tmp_path: Path) -> None:
    module = tmp_path / "fake_module.py"
    module.write_text(FAKE_MODULE, encoding="utf-8")
    problems = message_problems(module, checks_file=False)
    assert [problem.line for problem in problems] == [7, 11, 13, 15, 19, 22], "\n".join(map(str, problems))
    assert all(str(problem).startswith(f"{module}:") for problem in problems)
    assert "different fields" in problems[1].what and "no Chinese" in problems[2].what
    assert "exactly two texts" in problems[3].what

    check = tmp_path / "ex99_1.py"
    check.write_text(FAKE_CHECK, encoding="utf-8")
    assert [problem.line for problem in message_problems(check, checks_file=True)] == [5, 7]


def test_the_failure_lists_every_offending_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "one.py").write_text('raise ValueError("only English")\n', encoding="utf-8")
    (tmp_path / "two.py").write_text('x = 1\nwarnings.warn(f"{x} is odd")\n', encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "scanned_files", lambda: sorted(tmp_path.glob("*.py")))
    with pytest.raises(AssertionError) as caught:
        test_every_message_has_both()
    assert f"{tmp_path / 'one.py'}:1: ValueError(...) message in one language" in str(caught.value)
    assert f"{tmp_path / 'two.py'}:2: warnings.warn(...) message in one language" in str(caught.value)


# ---------------------------------------------------------------- the panel and the figures in Chinese


def test_the_playground_speaks_the_language_of_the_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from course_utils import playground_session, widgets

    digits = (np.zeros((4, 28, 28, 1), dtype="float32"), np.arange(4))
    english = widgets.Playground(digits, digits, background=False)
    monkeypatch.setattr(language, "_chosen", "zh")
    chinese = widgets.Playground(digits, digits, background=False)
    assert (english.train_button.description, chinese.train_button.description) == ("Train", "训练")
    assert (english.stop_button.description, chinese.stop_button.description) == ("Stop", "停止")
    assert chinese.status.value == "选好设置，然后按<b>训练</b>。"
    assert english.status.value == "Choose settings and press <b>Train</b>."
    assert dict(chinese.model.options)["DNN（无卷积层）"] == "dnn" and chinese.optimizer.value == "Adam"
    with pytest.raises(ValueError, match="批大小必须是 .* 之一；epochs（轮数）必须在 1 到 30 之间"):
        playground_session.RunSettings(batch_size=3, epochs=99)
    assert chinese.session.results().title == "目前的各次运行"


def test_the_figures_follow_the_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from course_utils import plots

    monkeypatch.setattr(language, "_chosen", "zh")
    figure = plots.plot_class_balance(np.arange(10), other=np.arange(10))
    ax = figure.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("每个类别的数字个数", "数字", "比例")
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["训练集", "测试集"]
    plt.close(figure)
