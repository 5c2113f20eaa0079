"""Where a notebook's exercise checks are: the ``checks/`` folder otter-grader reads.

The English lessons have it beside them (``notebooks/checks/``, and in a class's release folder);
the Chinese edition in ``notebooks/zh/`` shares the English one, since its code cells, exercises
included, are the English ones (the checks' hints speak both languages, see ``language``).
"""

from __future__ import annotations

from pathlib import Path

#: The folder name otter-grader is given, relative to the kernel's folder (the notebook's).
CHECKS = "checks"
#: Folders of a translated edition, which use the checks of the English notebooks one level up.
EDITION_FOLDERS = ("zh",)


def checks_folder(start: Path | None = None) -> str:
    """The checks folder for a notebook whose kernel runs in ``start`` (default: the current folder).

    ``checks`` beside the notebook when it exists (the English lessons, a release folder); for a
    notebook of an edition folder (``notebooks/zh/``) without one, ``../checks``. Otherwise
    ``checks``, so that otter's own error names the folder it looked for.
    """
    here = Path.cwd() if start is None else Path(start)
    if (here / CHECKS).is_dir():
        return CHECKS
    if here.name in EDITION_FOLDERS and (here.parent / CHECKS).is_dir():
        return f"../{CHECKS}"
    return CHECKS
