"""Short tracebacks in the lessons: the student's code and the message first, library frames a click away.

A Keras error raised from one line of a lesson prints 20-30 lines of Keras' and TensorFlow's own
code above the one line that says what is wrong. :func:`install` (called by ``config.setup()``
in a Jupyter kernel) gives IPython an exception handler that shows the same red error output
with only

* the frames of code the student can edit: notebook cells and their own files (every frame
  *outside* installed packages, the standard library and ``course_utils``);
* one grey line per run of hidden frames, saying how many and in which packages
  (``… 2 frames inside keras not shown``), where they were;
* the exception and its message, as always at the end (chained exceptions each get the same
  treatment, with Python's own "The above exception ..." lines between them);

followed by a collapsed *Full traceback* block (an HTML ``<details>``) holding IPython's
complete traceback, every library frame included. An error whose frames are all the
student's own looks exactly as before, without the block. The cell still fails like any error
(Jupyter's *error* output and an ``error`` reply: *Run All* stops, nbval sees it), ``%debug``
and ``%tb`` still work on the full traceback, and ``%xmode Plain`` / ``%xmode Verbose`` (any
mode but the default ``Context``) hand every traceback back to IPython. Syntax errors,
exception groups and exceptions that render themselves are always IPython's.
"""

from __future__ import annotations

import html
import os
import re
import site
import sys
import sysconfig
import types
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from course_utils.language import tr

#: The chain messages Python prints between a cause and the exception it led to.
CAUSE_MESSAGE = "The above exception was the direct cause of the following exception:"
CONTEXT_MESSAGE = "During handling of the above exception, another exception occurred:"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_GREY, _RESET = "\x1b[90m", "\x1b[0m"
_MARK = "_course_short_tracebacks"  # set on the shell while this module's handler is installed


@lru_cache(maxsize=1)
def _library_roots() -> tuple[tuple[str, str | None], ...]:
    """(folder, fixed name or None) for code that is not the student's, longest folder first."""
    import course_utils

    roots: dict[str, str | None] = {}
    folders = [*getattr(site, "getsitepackages", list)(), site.getusersitepackages()]
    paths = sysconfig.get_paths()
    folders += [paths.get(key, "") for key in ("purelib", "platlib", "stdlib", "platstdlib")]
    for folder in folders:
        if folder:
            roots[os.path.normcase(os.path.abspath(folder))] = None
    roots[os.path.normcase(os.path.dirname(os.path.abspath(course_utils.__file__)))] = "course_utils"
    return tuple(sorted(roots.items(), key=lambda item: len(item[0]), reverse=True))


def library_of(filename: str) -> str | None:
    """The package a frame's file belongs to (``"keras"``, ``"course_utils"``, ``"json"``), or None for student code.

    Student code is everything outside site-packages, the standard library and ``course_utils``:
    notebook cells (IPython names their files), scripts and modules next to the notebook.
    """
    if filename.startswith("<frozen "):  # "<frozen importlib._bootstrap>"
        return filename[len("<frozen ") : -1].split(".")[0] or "python"
    if filename.startswith("<"):  # "<string>", "<ipython-input-...>": code typed by someone
        return None
    if "__autograph_generated_file" in os.path.basename(filename):
        return "tensorflow"  # TensorFlow's rewrite of a function into a graph
    path = os.path.normcase(os.path.abspath(filename))
    for root, name in _library_roots():
        if path.startswith(root + os.sep):
            if name:
                return name
            first = path[len(root) + 1 :].split(os.sep)[0]
            return first[:-3] if first.endswith(".py") else first
    return None


def _frames(tb: types.TracebackType | None) -> list[types.TracebackType]:
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    return entries


def _rebuilt(entries: Iterable[types.TracebackType]) -> types.TracebackType | None:
    """A new traceback chain of exactly these entries (the frames themselves are shared)."""
    head = None
    for entry in reversed(list(entries)):
        head = types.TracebackType(head, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return head


def _hidden_note(libraries: list[str]) -> str:
    count = len(libraries)
    names = ", ".join(dict.fromkeys(libraries))
    unit = tr("frame", "个栈帧") if count == 1 else tr("frames", "个栈帧")
    return tr(f"{_GREY}… {count} {unit} inside {names} not shown "
              f"(library code, in the full traceback below){_RESET}\n",
              f"{_GREY}… {names} 内部的 {count} {unit}未显示"
              f"（库代码，见下方的完整回溯信息）{_RESET}\n")


def _chain(value: BaseException) -> list[tuple[BaseException, str | None]]:
    """The exception and its causes, oldest first, each with the message that leads to the next."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = value
    message = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, message))
        if current.__cause__ is not None:
            current, message = current.__cause__, CAUSE_MESSAGE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, message = current.__context__, CONTEXT_MESSAGE
        else:
            current = None
    chain.reverse()  # each message now follows the exception it belongs after, as Python prints them
    return chain


def _short_one(formatter: Any, exception: BaseException, tb: types.TracebackType | None,
               skip: int) -> tuple[list[str], int]:
    """One exception without its chain: IPython's lines for the student's frames, notes for the rest."""
    entries = _frames(tb)[skip:]
    libraries = [library_of(entry.tb_frame.f_code.co_filename) for entry in entries]
    kept = [entry for entry, library in zip(entries, libraries, strict=True) if library is None]
    saved = exception.__cause__, exception.__context__, exception.__suppress_context__
    try:
        exception.__cause__, exception.__context__, exception.__suppress_context__ = None, None, True
        lines = formatter.structured_traceback(type(exception), exception, _rebuilt(kept), tb_offset=0)
    finally:
        exception.__cause__, exception.__context__, exception.__suppress_context__ = saved
    hidden = [library for library in libraries if library is not None]
    if not hidden:
        return list(lines), 0
    # IPython gives [rule, header, one entry per frame ..., exception]; notes go where frames were cut.
    head, body, tail = list(lines[:2]), list(lines[2:-1]), [lines[-1]]
    if len(body) != len(kept):  # IPython merged or hid some frames itself: one note before the message
        return head + body + [_hidden_note(hidden)] + tail, len(hidden)
    pending: list[str] = []  # the libraries of the frames cut since the last one kept
    out, frame_index = [], 0
    for library in libraries:
        if library is None:
            if pending:
                out.append(_hidden_note(pending))
                pending = []
            out.append(body[frame_index])
            frame_index += 1
        else:
            pending.append(library)
    if pending:
        out.append(_hidden_note(pending))
    return head + out + tail, len(hidden)


def short_traceback(formatter: Any, etype: type[BaseException], value: BaseException,
                    tb: types.TracebackType | None, skip: int = 1) -> tuple[list[str], int]:
    """IPython's structured traceback of ``value`` without library frames, and how many were hidden.

    Args:
        formatter: The shell's ``InteractiveTB``, which formats the frames that are kept.
        etype: The exception's class, as IPython passes it (the lines come from ``value``).
        value: The exception; its causes and contexts are shortened the same way.
        tb: ``value``'s traceback.
        skip: Leading frames of the outermost traceback that are IPython's own (``run_code``),
            left out as IPython does.

    Returns:
        ``(lines, hidden)``: the structured traceback's lines, with a grey note where frames were
        cut, and how many library frames were hidden (0: nothing to hide).
    """
    lines: list[str] = []
    hidden = 0
    for exception, message in _chain(value):
        exception_tb = tb if exception is value else exception.__traceback__
        part, count = _short_one(formatter, exception, exception_tb, skip if exception is value else 0)
        lines += part
        hidden += count
        if message:
            lines.append(f"\n{message}\n")
    return lines, hidden


def full_traceback_html(text_lines: list[str], hidden: int) -> dict[str, str]:
    """The collapsed *Full traceback* block: a MIME bundle with HTML and a plain-text fallback."""
    text = _ANSI.sub("", "\n".join(text_lines))
    unit = tr("frame", "个栈帧") if hidden == 1 else tr("frames", "个栈帧")
    summary = tr(f"Full traceback ({hidden} more {unit} of library code)",
                 f"完整回溯信息（另有 {hidden} {unit}属于库代码）")
    return {
        "text/html": (f"<details><summary style='cursor: pointer'>{summary}</summary>"
                      f"<pre style='font-size: 85%'>{html.escape(text)}</pre></details>"),
        "text/plain": tr(f"{summary}:\n{text}", f"{summary}：\n{text}"),
    }


def _needs_ipython(etype: type[BaseException], value: BaseException, shell: Any) -> bool:
    """Cases the short form leaves to IPython: syntax errors, groups, self-rendering exceptions, other modes."""
    if issubclass(etype, SyntaxError) or hasattr(value, "_render_traceback_"):
        return True
    if getattr(shell.InteractiveTB, "mode", "Context") != "Context":
        return True
    return any(isinstance(exception, BaseExceptionGroup) for exception, _ in _chain(value))


def handler(shell: Any, etype: type[BaseException], value: BaseException, tb: types.TracebackType | None,
            tb_offset: int | None = None, display: Callable[[dict[str, str]], None] | None = None) -> None:
    """IPython custom exception handler: short error output, then the collapsed full traceback.

    Args:
        shell: The running IPython shell (``set_custom_exc`` passes it).
        etype: The exception's class.
        value: The exception.
        tb: Its traceback.
        tb_offset: Leading frames to leave out; None: the shell's ``InteractiveTB.tb_offset``.
        display: Shows the *Full traceback* bundle; None: IPython's ``display`` (tests pass a list's
            ``append``).
    """
    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # for %debug and %tb
    if sys.version_info >= (3, 12):
        sys.last_exc = value
    short = None
    if not _needs_ipython(etype, value, shell):
        try:
            skip = shell.InteractiveTB.tb_offset if tb_offset is None else tb_offset
            short = short_traceback(shell.InteractiveTB, etype, value, tb, skip=skip or 0)
        except Exception:  # never lose an error because of this module: IPython shows it instead
            short = None
    if short is None or short[1] == 0:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return
    lines, hidden = short
    full = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, lines)
    bundle = full_traceback_html(full, hidden)
    if display is None:
        from IPython.display import display as ipython_display

        ipython_display(bundle, raw=True)
    else:
        display(bundle)
    if getattr(shell, "call_pdb", False):
        shell.debugger(force=True)


def install(shell: Any = None) -> bool:
    """Show short tracebacks in this IPython kernel (``shell``: the running one); True if installed.

    Does nothing outside a Jupyter kernel (plain Python, terminal IPython, whose output cannot
    fold), and nothing when another custom handler is already installed.
    """
    if shell is None:
        from course_utils import config  # here: config.setup() imports this module

        shell = config.jupyter_shell()
        if shell is None:
            return False
    if getattr(shell, "custom_exceptions", ()) and not getattr(shell, _MARK, False):
        return False  # someone else's handler
    shell.set_custom_exc((Exception,), handler)
    setattr(shell, _MARK, True)
    return True


def uninstall(shell: Any = None) -> None:
    """Back to IPython's own tracebacks."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is not None and getattr(shell, _MARK, False):
        shell.set_custom_exc((), None)
        setattr(shell, _MARK, False)
