"""The language of the messages a student reads: English (the default) or Simplified Chinese (``zh``).

Every message the helpers show a student (clear errors, playground status, check hints, figure
labels) is written in both languages where it is made::

    raise ModelFileError(tr(f"{path} is empty: it was never written.",
                            f"{path} 是空文件：它从未被写入。"))

:func:`tr` returns the text of the current language. The language is, in this order: what
:func:`choose` (``config.language("zh")``) set in this session; else ``COURSE_LANG``; else English.
``tests/test_language.py`` fails on any message of the package written in one language only.

This module imports nothing of the course's, so every module (``config`` too) can use it.
"""

from __future__ import annotations

import os

#: The languages of the course: English and Simplified Chinese.
LANGUAGES = ("en", "zh")
DEFAULT = "en"

#: Spellings of the languages, compared lower-case without surrounding spaces; ``_`` counts as ``-``.
SPELLINGS = {
    "en": "en", "english": "en", "en-us": "en", "en-gb": "en",
    "zh": "zh", "chinese": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh-sg": "zh", "中文": "zh",
}

_chosen: str | None = None


def normalise(raw: str) -> str | None:
    """The language code (``"en"`` or ``"zh"``) a spelling names, or None for an unknown one."""
    return SPELLINGS.get(raw.strip().lower().replace("_", "-"))


def _unknown(raw: str, where: str) -> ValueError:
    from course_utils.config import SettingError  # here, not at the top: config itself imports this module

    accepted = "en (English, the default) or zh (简体中文); also zh-CN, zh_CN, zh-Hans"
    return SettingError(
        f"{where}={raw!r} is not a language of the course. Accepted: {accepted}.\n"
        f"{where}={raw!r} 不是本课程提供的语言。可用：en（英文，默认）或 zh（简体中文）；"
        "zh-CN、zh_CN、zh-Hans 亦可。"
    )


def current() -> str:
    """The language messages are shown in now: ``"en"`` or ``"zh"``.

    Raises:
        SettingError: ``COURSE_LANG`` names no language of the course (read each time, like the
            other ``COURSE_*`` settings).
    """
    if _chosen is not None:
        return _chosen
    raw = os.environ.get("COURSE_LANG", "")
    if not raw.strip():
        return DEFAULT
    code = normalise(raw)
    if code is None:
        raise _unknown(raw, "COURSE_LANG")
    return code


def choose(language: str | None) -> str:
    """Show messages in ``language`` from now on in this session; None goes back to ``COURSE_LANG``.

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
