"""Execute notebooks in fast mode and store them clean: outputs only in checked cells.

    python tools/refresh_notebooks.py                        # every notebook
    python tools/refresh_notebooks.py notebooks/01_data.ipynb
    python tools/refresh_notebooks.py --strip-only           # just clean, no execution

Cells tagged ``nbval-check-output`` (cell metadata, so the code a student reads carries no test
marker) keep their (deterministic) output, which nbval then checks; every other cell is stored
without outputs or execution count (nbval only compares cells that have a count, so checked cells
keep theirs). Cells tagged ``raises-exception`` show an error on purpose: nbval expects it, and
JupyterLab's *Run All* goes on past it.
Run it inside the course's environment (``.venv/bin/python tools/refresh_notebooks.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat

from course_utils.config import KERNEL_NAME

ROOT = Path(__file__).resolve().parent.parent
CHECK_TAG = "nbval-check-output"
KERNELSPEC = {"name": KERNEL_NAME, "display_name": "Python 3 (ipykernel)", "language": "python"}


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop outputs (except checked cells' stdout/results), execution counts and volatile metadata."""
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        if cell.cell_type != "code":
            continue
        checked = CHECK_TAG in cell.metadata.get("tags", [])
        if not checked or not cell.outputs:
            # nbval compares only cells that were run, i.e. have a count: checked cells keep theirs.
            cell.execution_count = None
        if checked:
            kept = []
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stderr":
                    continue
                kept.append(output)
            cell.outputs = kept
        else:
            cell.outputs = []
    notebook.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    return notebook


def execute(notebook: nbformat.NotebookNode, path: Path) -> None:
    from nbclient import NotebookClient

    os.environ["COURSE_FAST"] = "1"
    client = NotebookClient(
        notebook,
        timeout=1800,
        kernel_name=KERNELSPEC["name"],
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--strip-only", action="store_true", help="clean without executing")
    args = parser.parse_args()
    paths = args.paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        clean(notebook)
        if not args.strip_only:
            print(f"executing {path.name} (fast mode) ...", file=sys.stderr, flush=True)
            execute(notebook, path)
        nbformat.write(clean(notebook), path)
        print(f"stored {path.name} clean", file=sys.stderr)


if __name__ == "__main__":
    main()
