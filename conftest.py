"""Shared test set-up: fast mode, the forced-bfloat16 notebook runs, and what nbval must not compare."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _pytest.compat import legacy_path

# Every test runs the course in fast mode, even when pytest is started by hand.
os.environ.setdefault("COURSE_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Output kinds nbval must not compare in checked cells: TensorFlow's warnings on stderr, and
# Keras' progress bars (stdout carriage returns are sanitised in nbval_sanitize.cfg).
VOLATILE_OUTPUT_KEYS = ("stderr", "application/vnd.jupyter.widget-view+json", "image/png", "text/html")

#: The notebooks that train with the fast path (``training.use_fast_precision``). The suite runs
#: each of them a second time with ``COURSE_PRECISION=mixed_bfloat16``, whatever the CPU, so the
#: path that machines with bfloat16 hardware take is tested on machines without it too.
BF16_NOTEBOOKS = (
    "04_training_and_monitoring.ipynb",
    "09_improving_the_model.ipynb",
    "10_tuning_and_ensembles.ipynb",
    "11_transfer_learning.ipynb",
    "12_deployment.ipynb",
    "capstone.ipynb",
)
FORCED_PRECISION = "mixed_bfloat16"


#: Where this pytest process writes the solved lessons: a folder per process (and xdist worker),
#: so that two test runs side by side never overwrite each other's copies.
SOLVED_DIR = Path(__file__).resolve().parent / "outputs" / "solved" / (
    f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}")


NOTEBOOKS_DIR = Path(__file__).resolve().parent / "notebooks"
#: The Chinese edition (issue 20): the same code cells, run once more, in a kernel started in a folder
#: named ``zh`` (so the helpers speak Chinese, as they do for a student) with outputs of its own.
CHINESE_DIR = NOTEBOOKS_DIR / "zh"


def _is_lesson(file_path: Path) -> bool:
    return file_path.suffix == ".ipynb" and file_path.parent in (NOTEBOOKS_DIR, CHINESE_DIR)


class _KernelEnvironment:
    """Mixin for a notebook node: its kernel starts with ``forced`` environment variables set."""

    forced: dict[str, str] = {}

    def setup(self) -> None:
        # The kernel inherits the environment when it starts; the test process's own is restored.
        previous = {name: os.environ.get(name) for name in self.forced}
        os.environ.update(self.forced)
        try:
            super().setup()
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    """Run every lesson solved; the notebooks of :data:`BF16_NOTEBOOKS` once more, forced to bfloat16.

    The node ids stay those of the lessons (``notebooks/NAME.ipynb``, and
    ``notebooks/NAME.ipynb[mixed_bfloat16]`` for the forced copy). The Chinese edition
    (``notebooks/zh/NAME.ipynb``) runs solved too, from a folder named ``zh``, writing to
    ``outputs/zh/``; it has no forced copy: its code cells are the English ones (the translation
    test checks that), so the forced copy of the English notebook already runs that code forced.
    """
    collected = yield
    options = parent.config.option
    if not (getattr(options, "nbval", False) or getattr(options, "nbval_lax", False)) or not _is_lesson(file_path):
        return collected
    from nbval.plugin import IPyNbFile

    collected = [node for node in collected if not isinstance(node, IPyNbFile)]
    chinese = file_path.parent == CHINESE_DIR
    solved_dir = SOLVED_DIR / "zh" if chinese else SOLVED_DIR
    solved = solved_dir / file_path.name

    class SolvedNotebook(_KernelEnvironment, IPyNbFile):
        """The lesson as pytest knows it (its path, its node id), read and run from the solved copy.

        nbval runs the lesson *and* its reference solutions (classroom.exercises.solved_notebook),
        with every check cell asserting that all checks passed: a solution that no longer passes
        its checks fails the suite. The copy is written when the notebook is collected, so that a
        lesson whose exercises are unfinished fails alone, not every notebook collected with it.
        """

        forced = {"COURSE_OUTPUT_DIR": str(Path(__file__).resolve().parent / "outputs" / "zh")} if chinese else {}

        @property
        def fspath(self):  # nbval reads the notebook from fspath and starts the kernel in its folder
            return legacy_path(solved)

        def collect(self):
            from classroom.exercises import write_solved

            write_solved(file_path, solved_dir)
            return super().collect()

    collected.append(SolvedNotebook.from_parent(parent, path=file_path))
    if chinese or file_path.name not in BF16_NOTEBOOKS or os.environ.get("COURSE_PRECISION"):
        return collected  # a run that forces a precision itself needs no second copy

    class ForcedPrecisionNotebook(SolvedNotebook):
        """The same notebook in a kernel started with ``COURSE_PRECISION`` forced, writing to a folder
        of its own (the plain copy of the same notebook may be running on the other worker)."""

        forced = {"COURSE_PRECISION": FORCED_PRECISION,
                  "COURSE_OUTPUT_DIR": str(Path(__file__).resolve().parent / "outputs" / FORCED_PRECISION)}

    # A node id of its own: pytest-xdist's --dist loadfile may then run it on another worker.
    plain_nodeid = collected[-1].nodeid
    collected.append(ForcedPrecisionNotebook.from_parent(
        parent, path=file_path, name=f"{file_path.name}[{FORCED_PRECISION}]",
        nodeid=f"{plain_nodeid}[{FORCED_PRECISION}]"))
    return collected


#: Start the longest tests first (measured, seconds on 2 cores), so that no worker is left with a
#: long one at the end while the other idles: pytest-xdist hands out files in collection order.
LONGEST_FIRST = (
    "tests/test_browser.py",  # four lessons run in JupyterLab in Chromium
    "tests/test_classroom.py",  # ~150: a release, lesson 01 run alone, seven notebooks graded by otter run
    "tests/test_forced_bfloat16.py",  # ~200: the unit tests again, serially, in emulated bfloat16
    "09_improving_the_model.ipynb[",  # ~190
    "10_tuning_and_ensembles.ipynb[",  # ~125
    "04_training_and_monitoring.ipynb[",  # ~125
    "11_transfer_learning.ipynb[",  # ~95
    "13_distributed_training.ipynb[",  # ~90 (300 at load 10): nine TensorFlow processes
    "tests/test_wheel_outside_repo.py",  # ~70
    "12_deployment.ipynb[",  # ~70
    "capstone.ipynb[",  # ~60
)


def _start_rank(item: pytest.Item) -> int:
    for rank, prefix in enumerate(LONGEST_FIRST):
        if prefix in item.nodeid:
            return rank
    return len(LONGEST_FIRST)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=_start_rank)  # stable: the order within a file is kept
    for item in items:
        notebook = item.parent
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            notebook.skip_compare = tuple(skip) + VOLATILE_OUTPUT_KEYS


def _forced_policy() -> str | None:
    """The Keras policy ``COURSE_PRECISION`` forces in this test process, or None for auto."""
    value = os.environ.get("COURSE_PRECISION", "").strip().lower()
    return value if value and value != "auto" else None


@pytest.fixture(autouse=True, scope="module")
def _forced_precision_for_the_module() -> None:
    """Under a forced precision, build every module's shared models in it (module fixtures come later)."""
    if _forced_policy():
        from course_utils import training

        training.use_fast_precision()


@pytest.fixture(autouse=True)
def _forced_precision_for_each_test() -> None:
    """Tests that set a policy themselves leave it behind; each test starts from the forced one again."""
    if _forced_policy():
        from course_utils import training

        training.use_fast_precision()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import shutil

    shutil.rmtree(SOLVED_DIR, ignore_errors=True)  # this process's solved lessons; outputs/ stays tidy
