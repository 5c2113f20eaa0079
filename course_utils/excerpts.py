"""Show a part of the package's source in a lesson, found by markers instead of by slicing at text.

A lesson that prints the heart of a helper (notebook 06: how the resumable run builds its model
and backup; notebook 13: how a worker sets up ``MultiWorkerMirroredStrategy``) reads the lines
between two comment lines in that helper's source::

    # excerpt: strategy-setup
    ...the lines the lesson shows...
    # end excerpt: strategy-setup

Editing the code around an excerpt never breaks the lesson; removing or renaming a marker gives a
:class:`ExcerptError` that names the marker and the file (``tests/test_excerpts.py`` checks every
excerpt the lessons use).
"""

from __future__ import annotations

import inspect
import re
from typing import Any


class ExcerptError(LookupError):
    """The markers of an excerpt are missing, repeated or out of order."""


def _marker(kind: str, name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*# {kind}: {re.escape(name)}\s*$")


def excerpt(obj: Any, name: str) -> str:
    """The source lines of ``obj`` (a function, class or module) between the markers of ``name``.

    Args:
        obj: what ``inspect.getsource`` accepts.
        name: the excerpt's name, as written after ``# excerpt:`` in the source.

    Returns:
        The lines between ``# excerpt: NAME`` and ``# end excerpt: NAME``, indentation kept,
        without the marker lines and without trailing blank lines.

    Raises:
        ExcerptError: a marker is missing, repeated or the end comes first.
    """
    lines = inspect.getsource(obj).splitlines()
    where = inspect.getsourcefile(obj) or repr(obj)
    starts = [i for i, line in enumerate(lines) if _marker("excerpt", name).match(line)]
    ends = [i for i, line in enumerate(lines) if _marker("end excerpt", name).match(line)]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise ExcerptError(  # english-only: the markers are in the course's own source (developers')
            f"the excerpt {name!r} of {getattr(obj, '__qualname__', obj)!r} in {where} needs exactly one "
            f"'# excerpt: {name}' line followed by one '# end excerpt: {name}' line; found {len(starts)} and "
            f"{len(ends)}. Put the two marker comments back around the lines the lesson shows.")
    return "\n".join(lines[starts[0] + 1:ends[0]]).rstrip()
