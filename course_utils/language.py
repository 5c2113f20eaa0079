"""The language of the messages a student reads: English (the default) or Simplified Chinese (``zh``).

Every message the helpers show a student (clear errors, playground status, check hints, figure
labels) is written in both languages where it is made::

    raise ModelFileError(tr(f"{path} is empty: it was never written.",
                            f"{path} 是空文件：它从未被写入。"))

:func:`tr` returns the text of the current language. The language is, in this order:

1. what :func:`choose` (``config.language("zh")``) set in this session;
2. else ``COURSE_LANG`` (``en`` or ``zh``, spellings as :data:`SPELLINGS`);
3. else the edition of the notebook this kernel runs (:func:`notebook_language`): a notebook of
   ``notebooks/zh/`` speaks Chinese in any Jupyter, without a line of set-up;
4. else English.

``tests/test_language.py`` fails on any message of the package written in one language only.

This module imports nothing of the course's, so every module (``config`` too) can use it.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

#: The languages of the course: English and Simplified Chinese.
LANGUAGES = ("en", "zh")
DEFAULT = "en"

#: Spellings of the languages, compared lower-case without surrounding spaces; ``_`` counts as ``-``.
SPELLINGS = {
    "en": "en", "english": "en", "en-us": "en", "en-gb": "en",
    "zh": "zh", "chinese": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-sg": "zh", "中文": "zh",
}

#: The name of the folder that holds the Chinese edition's notebooks (``notebooks/zh/``).
EDITION_FOLDERS = {"zh": "zh"}

_chosen: str | None = None
#: What :func:`notebook_language` found, kept once found: a notebook may change its working folder later.
_detected: tuple[str | None] | None = None


def normalise(raw: str) -> str | None:
    """The language code (``"en"`` or ``"zh"``) a spelling names, or None for an unknown one."""
    return SPELLINGS.get(raw.strip().lower().replace("_", "-"))


def _unknown(raw: str, where: str) -> ValueError:
    from course_utils.config import SettingError  # here, not at the top: config itself imports this module

    # Both languages at once, the chosen one first: the language a student wanted could not be read
    # (and tr() cannot be asked: it would read COURSE_LANG again).
    accepted = "en (English, the default) or zh (简体中文); also zh-CN, zh_CN, zh-Hans"
    english = f"{where}={raw!r} is not a language of the course. Accepted: {accepted}."
    chinese = (f"{where}={raw!r} 不是本课程提供的语言。可用：en（英文，默认）或 zh（简体中文）；"
               "zh-CN、zh_CN、zh-Hans 亦可。")
    both = f"{chinese}\n{english}" if _chosen == "zh" else f"{english}\n{chinese}"
    return SettingError(both)


def environment_language() -> str | None:
    """The language ``COURSE_LANG`` names, or None when it is unset or empty.

    Raises:
        SettingError: ``COURSE_LANG`` names no language of the course (``config.setup()`` calls
            this, so a typo shows in a notebook's first cell).
    """
    raw = os.environ.get("COURSE_LANG", "")
    if not raw.strip():
        return None
    code = normalise(raw)
    if code is None:
        raise _unknown(raw, "COURSE_LANG")
    return code


def _kernel_shell() -> Any:
    """The IPython shell of the Jupyter kernel this runs in, or None (plain Python, terminal IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "kernel") else None


def notebook_path(environ: Any = None, shell: Any = None) -> PurePath | None:
    """The path of the notebook this kernel runs, where the front end tells it; None where it does not.

    * ``JPY_SESSION_NAME``: jupyter_server (JupyterLab, Notebook 7, JupyterHub, Binder) sets it in
      every kernel's environment to the notebook's path.
    * ``__vsc_ipynb_file__``: VS Code puts the notebook's path in the kernel's namespace.

    Args:
        environ: The environment to read (default ``os.environ``).
        shell: The kernel's IPython shell (default: this process's, if it is a kernel).
    """
    environ = os.environ if environ is None else environ
    session = str(environ.get("JPY_SESSION_NAME", "")).strip()
    if session.endswith(".ipynb"):  # a console's session is named otherwise
        return PureWindowsPath(session)  # reads / and \ alike: a Windows path from any front end
    shell = _kernel_shell() if shell is None else shell
    namespace = getattr(shell, "user_ns", None) or {}
    vscode = namespace.get("__vsc_ipynb_file__") if isinstance(namespace, dict) else None
    if isinstance(vscode, str) and vscode.strip():
        return PureWindowsPath(vscode.strip())
    return None


def edition_of(folder: PurePath) -> str | None:
    """The edition whose notebooks are in ``folder``: ``"zh"`` for a folder named ``zh``, else None."""
    for code, name in EDITION_FOLDERS.items():
        if folder.name == name:
            return code
    return None


def notebook_language(environ: Any = None, shell: Any = None, cwd: PurePath | None = None) -> str | None:
    """The edition of the notebook this kernel runs: ``"zh"`` for a notebook in ``notebooks/zh/``, else None.

    The notebook's path comes from the front end (:func:`notebook_path`); where none tells it
    (classic Jupyter, nbval in the tests), a kernel's working folder is its notebook's folder,
    since Jupyter starts a kernel there, so a working folder named ``zh`` counts as the Chinese
    edition. A plain Python process has no notebook: its working folder is not looked at.

    Args:
        environ: The environment to read (default ``os.environ``).
        shell: The kernel's IPython shell (default: this process's, if it is a kernel).
        cwd: The working folder (default: the current one), looked at only in a kernel.
    """
    path = notebook_path(environ, shell)
    if path is not None:
        return edition_of(path.parent)
    if shell is None:
        shell = _kernel_shell()
    if shell is None:
        return None
    return edition_of(PurePath(Path.cwd() if cwd is None else cwd))


def _notebook_language_once() -> str | None:
    """:func:`notebook_language`, found the first time it is asked and kept for the session."""
    global _detected
    if _detected is None:
        try:
            _detected = (notebook_language(),)
        except Exception:  # no front end to ask, an unreadable folder: English, as without a notebook
            _detected = (None,)
    return _detected[0]


def forget_notebook() -> None:
    """Look for the notebook's edition again at the next message (for tests)."""
    global _detected
    _detected = None


def current() -> str:
    """The language messages are shown in now: ``"en"`` or ``"zh"``.

    In this order: :func:`choose`'s, ``COURSE_LANG``, the notebook's edition, English.

    Raises:
        SettingError: ``COURSE_LANG`` names no language of the course (read each time, like the
            other ``COURSE_*`` settings).
    """
    if _chosen is not None:
        return _chosen
    code = environment_language()
    if code is not None:
        return code
    return _notebook_language_once() or DEFAULT


def choose(language: str | None) -> str:
    """Show messages in ``language`` from now on in this session; None goes back to ``COURSE_LANG`` (or the notebook's).

    Returns:
        The language now in use.

    Raises:
        SettingError: ``language`` names no language of the course.
    """
    global _chosen
    if language is None:
        _chosen = None
        return current()
    code = normalise(language)
    if code is None:
        raise _unknown(language, "language")
    _chosen = code
    return code


def tr(en: str, zh: str) -> str:
    """The message in the current language: ``en`` in English, ``zh`` in Simplified Chinese.

    Both texts are made at the call (f-strings with the same fields), so a message can never exist
    in one language only; ``tests/test_language.py`` checks every call in the package.
    """
    try:
        language = current()
    except ValueError:  # a bad COURSE_LANG must not hide the message being shown: config.setup() reports it
        language = DEFAULT
    return zh if language == "zh" else en
