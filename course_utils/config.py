"""The course's one switch between fast mode (tests) and full mode (students), and notebook set-up.

``COURSE_FAST=1`` is set by the test command. This module is the only place that reads it:
notebooks ask :func:`epochs`, :func:`pick` or :data:`FAST` instead of testing the variable, so
the same notebook runs in seconds under test and gives real results for a student.

Other variables, all optional:

* ``COURSE_OFFLINE=1`` never tries to download a data set (fast mode implies it).
* ``COURSE_SEED`` changes the seed :func:`setup` uses (default 42).
* ``COURSE_PRECISION`` = ``auto`` (default: what this machine runs natively, see
  ``training.choose_precision``) | ``float32`` | ``mixed_bfloat16`` | ``mixed_float16`` forces the
  precision the fast training path uses (:func:`precision`). The test command forces
  ``mixed_bfloat16`` for part of the suite, so the path a machine does not take is tested too.
* ``COURSE_OUTPUT_DIR`` chooses where notebooks write their files (default: ``outputs/`` in the
  course's folder, or next to the notebook when ``course_utils`` is installed as a package).
* ``COURSE_TRACEBACKS`` = ``short`` (default) | ``full``: whether :func:`setup` makes a notebook's
  errors show its own lines first and fold the library frames away (``course_utils.tracebacks``).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_TRUE_WORDS = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE_WORDS


#: True when ``COURSE_FAST`` is set: small data, few epochs, seconds per notebook.
FAST: bool = _flag("COURSE_FAST")


def _source_checkout() -> Path | None:
    """The course's folder when this package runs from it (editable install), else None."""
    folder = Path(__file__).resolve().parent.parent
    if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
        return folder
    return None  # an installed wheel: the folder above the package is site-packages


#: The course's source checkout (the folder holding ``pyproject.toml``, ``notebooks/`` and
#: ``course_utils/``) when the package runs from one, as with ``python3 course.py lab``; None when
#: ``course_utils`` is an installed wheel (``pip install .``, Binder, a JupyterHub image). Files the
#: package needs are package data (``data.resource_path``), never looked up from here.
REPO_ROOT: Path | None = _source_checkout()


def _output_root() -> Path:
    """``COURSE_OUTPUT_DIR`` if set; else ``outputs/`` in the checkout; else ``outputs/`` here."""
    chosen = os.environ.get("COURSE_OUTPUT_DIR", "").strip()
    if chosen:
        return Path(chosen).expanduser().resolve()
    if REPO_ROOT is not None:
        return REPO_ROOT / "outputs"
    # Jupyter starts a kernel in its notebook's folder: the outputs go next to the notebook.
    return Path.cwd() / "outputs"


#: Where notebooks write models, logs and checkpoints, fixed when the package is imported:
#: ``COURSE_OUTPUT_DIR`` when set (a relative value is taken from the current folder); else
#: ``outputs/`` in the source checkout (ignored by git); else ``outputs/`` in the current folder,
#: which is the notebook's folder when a Jupyter kernel imports the package.
OUTPUT_DIR: Path = _output_root()

DEFAULT_SEED = 42


def mode_name() -> str:
    """Return ``"fast"`` or ``"full"``."""
    return "fast" if FAST else "full"


def pick(full: T, fast: T) -> T:
    """Return ``fast`` in fast mode and ``full`` otherwise: ``pick(full=10_000, fast=500)``."""
    return fast if FAST else full


def epochs(full: int, fast: int = 1) -> int:
    """Number of epochs to train: ``full`` for students, ``fast`` (default 1) under test."""
    return pick(full, fast)


def allow_download() -> bool:
    """Whether data loaders may try the internet (never in fast mode or with ``COURSE_OFFLINE``)."""
    return not FAST and not _flag("COURSE_OFFLINE")


def seed() -> int:
    """The seed every notebook starts from (``COURSE_SEED`` or 42)."""
    value = os.environ.get("COURSE_SEED", "").strip()
    return int(value) if value else DEFAULT_SEED


#: The values ``COURSE_PRECISION`` accepts; ``auto`` lets the hardware decide.
PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")


def precision() -> str:
    """The precision asked for by ``COURSE_PRECISION``: one of :data:`PRECISIONS` (default ``auto``).

    Read at every call, so a test can change it. Anything else is an error that names the
    variable and the accepted values, instead of silently training in another precision.
    """
    raw = os.environ.get("COURSE_PRECISION", "")
    value = raw.strip().lower() or "auto"
    if value not in PRECISIONS:
        raise ValueError(
            f"COURSE_PRECISION={raw!r} is not a precision the course knows. "
            f"Set it to one of {', '.join(PRECISIONS)} (or unset it for auto)."
        )
    return value


def tracebacks_mode() -> str:
    """``"short"`` (default) or ``"full"``, from ``COURSE_TRACEBACKS``: how errors show in a notebook."""
    raw = os.environ.get("COURSE_TRACEBACKS", "")
    value = raw.strip().lower() or "short"
    if value not in ("short", "full"):
        raise ValueError(f"COURSE_TRACEBACKS={raw!r}: set it to short or full (or unset it for short).")
    return value


def output_dir(*parts: str) -> Path:
    """Return (and create) a folder under :data:`OUTPUT_DIR` for a notebook's files."""
    folder = OUTPUT_DIR.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def quiet_tensorflow() -> None:
    """Silence TensorFlow's Python-side loggers (``tensorflow`` and ``absl``) below errors, and a NumPy 2 notice.

    The C++ side is separate: its log level is set when ``course_utils`` is first imported (see
    its ``__init__``), before TensorFlow is, and what TensorFlow writes while it loads, before that
    level applies, is filtered by ``native_logs``.
    """
    import logging
    import warnings

    from absl import logging as absl_logging

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    # The same through absl's own setting: TensorFlow's SavedModel code (every model.export) saves
    # and restores *that* one, which set the logger back to WARNING and let Keras' absl warnings
    # ("Compiled the loaded model, but the compiled metrics have yet to be built") into later cells.
    absl_logging.set_verbosity(absl_logging.ERROR)
    # np.array(layer.kernel) works, but Keras 3.15's variables predate NumPy 2's copy= keyword, and
    # NumPy says so in a DeprecationWarning at the student's line: a notice for Keras, not for them.
    warnings.filterwarnings("ignore", message=r"__array__ implementation doesn't accept a copy keyword",
                            category=DeprecationWarning)


def setup(seed_value: int | None = None, deterministic: bool = True, verbose: bool = True) -> int:
    """Prepare a notebook: quiet logs, short tracebacks, seed everything, plot style, print versions and mode.

    ``keras.utils.set_random_seed`` seeds Python, NumPy and TensorFlow; op determinism makes
    repeated runs give the same numbers on the CPU (measured free of cost for this course's
    models: ``benchmarks/determinism.py``). In a Jupyter kernel, errors then show the notebook's
    own lines and the message, with library frames in a collapsed *Full traceback* below
    (``course_utils.tracebacks``; ``COURSE_TRACEBACKS=full`` or ``%xmode Verbose`` keeps IPython's
    full ones). Returns the seed used.
    """
    quiet_tensorflow()
    if tracebacks_mode() == "short":
        from course_utils import tracebacks

        tracebacks.install()
    import keras
    import numpy as np
    import tensorflow as tf

    from course_utils import plots, training

    if int(keras.__version__.split(".")[0]) < 3:
        # Another Jupyter (a hub image, a plain pip environment) may carry an old stack.
        raise RuntimeError(
            f"This course needs Keras 3; this kernel has Keras {keras.__version__}. Install the course's "
            "packages into it (pip install -r requirements.txt) and unset TF_USE_LEGACY_KERAS."
        )
    used_seed = seed() if seed_value is None else seed_value
    keras.utils.set_random_seed(used_seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    plots.set_style()
    if verbose:
        print(
            f"Python {platform.python_version()} | TensorFlow {tf.__version__} | "
            f"Keras {keras.__version__} | NumPy {np.__version__}"
        )
        detail = "small data and few epochs, for tests" if FAST else "real data sizes and epochs"
        print(f"Mode: {mode_name()} ({detail}); seed {used_seed}")
        print(training.describe_devices())
    return used_seed
