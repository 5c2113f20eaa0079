"""The course's one switch between fast mode (tests) and full mode (students), and notebook set-up.

``COURSE_FAST=1`` is set by the test command. This module is the only place that reads it:
notebooks ask :func:`epochs`, :func:`pick` or :data:`FAST` instead of testing the variable, so
the same notebook runs in seconds under test and gives real results for a student.

Other variables, all optional:

* ``COURSE_OFFLINE=1`` never tries to download a data set (fast mode implies it).
* ``COURSE_SEED`` = an integer from 0 to 4294967295 (2**32 - 1, NumPy's range) changes the seed
  :func:`setup` uses (default 42).
* ``COURSE_PRECISION`` = ``auto`` (default: what this machine runs natively, see
  ``training.choose_precision``) | ``float32`` | ``mixed_bfloat16`` | ``mixed_float16`` forces the
  precision the fast training path uses (:func:`precision`). The test command forces
  ``mixed_bfloat16`` for part of the suite, so the path a machine does not take is tested too.
* ``COURSE_OUTPUT_DIR`` chooses where notebooks write their files (default: ``outputs/`` in the
  course's folder, or next to the notebook when ``course_utils`` is installed as a package).
* ``COURSE_TRACEBACKS`` = ``short`` (default) | ``full``: whether :func:`setup` makes a notebook's
  errors show its own lines first and fold the library frames away (``course_utils.tracebacks``).
* ``COURSE_LANG`` = ``en`` | ``zh`` (also ``zh-CN``, ``zh_CN``, ``zh-Hans``, ``chinese``, ``中文``)
  chooses the language of the helpers' messages, check hints and figure labels (:func:`language`).
  Unset, a notebook of ``notebooks/zh/`` speaks Chinese and every other English
  (``course_utils.language``); ``config.language("zh")`` in a notebook overrides both.

One rule for all of them: case and surrounding spaces do not matter, and empty is the same as
unset (the default). The yes/no switches (``COURSE_FAST``, ``COURSE_OFFLINE``) take
``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``. Any other value raises
:class:`SettingError` naming the variable, the value seen and the accepted values, instead of
being taken silently as "off" (``COURSE_FAST=2``) or failing later inside NumPy
(``COURSE_SEED=-1``). ``COURSE_FAST`` is read when the package is imported, so a bad value stops
the import; the others are read when they are used.
"""

from __future__ import annotations

import numbers
import os
import platform
from pathlib import Path
from typing import Any, TypeVar

from course_utils import language as _language
from course_utils.language import tr

T = TypeVar("T")

#: The spellings of the yes/no switches (compared lower-case, without surrounding spaces).
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
#: ``COURSE_SEED``'s range: what ``keras.utils.set_random_seed`` (NumPy's legacy seed) accepts.
SEED_RANGE = (0, 2**32 - 1)


class SettingError(ValueError):
    """A ``COURSE_*`` environment variable has a value the course does not accept.

    The message names the variable, the value seen, the accepted values and how to get the
    default. A ``ValueError``, so code that caught the errors of :func:`precision` before keeps
    working.
    """


def _setting_error(name: str, raw: str, accepted: str, default: str) -> SettingError:
    return SettingError(tr(
        f"{name}={raw!r} is not a value the course accepts. Accepted: {accepted}. "
        f"Or unset it for the default, {default} (`unset {name}` in the shell that starts Jupyter or the "
        "tests, then restart the kernel).",
        f"{name}={raw!r} 不是本课程接受的值。可用：{accepted}。"
        f"或取消设置，使用默认值 {default}：在启动 Jupyter 或测试的 shell 中运行 `unset {name}`，"
        "然后重启内核。",
    ))


def flag(name: str) -> bool:
    """Read a yes/no switch such as ``COURSE_OFFLINE``: False when unset or empty.

    Raises:
        SettingError: The value is none of :data:`TRUE_WORDS` or :data:`FALSE_WORDS`.
    """
    raw = os.environ.get(name, "")
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS or not value:
        return False
    on, off = ", ".join(TRUE_WORDS), ", ".join(FALSE_WORDS)
    raise _setting_error(name, raw, tr(f"{on} to turn it on; {off} to turn it off (any case)",
                                       f"{on} 表示打开；{off} 表示关闭（不区分大小写）"), tr("off", "“关闭”"))


#: True when ``COURSE_FAST`` is on: small data, few epochs, seconds per notebook.
FAST: bool = flag("COURSE_FAST")


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

#: What the helpers accept wherever they take a file or folder: a string or a ``Path``.
PathLike = str | os.PathLike[str]

#: Keras' own folder, as Keras finds it: ``$KERAS_HOME``, else ``~/.keras``. Downloaded data sets
#: are in its ``datasets/`` folder, ``keras.applications`` weights in ``models/``.
KERAS_HOME: Path = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))

#: The Jupyter kernel the notebooks name and every tool runs them on: the standard one, so they run
#: in any Jupyter. ``course.py`` registers it (it runs before this package is installed, so it keeps
#: its own copy, checked against this one by ``tests/test_shared_names.py``).
KERNEL_NAME = "python3"

DEFAULT_SEED = 42


def jupyter_shell() -> Any:
    """The IPython shell of the Jupyter kernel this code runs in; None in plain Python or terminal IPython.

    Live plots, background widgets and folded tracebacks need a kernel (a notebook's front end to
    update); terminal IPython has a shell but no kernel.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "kernel") else None


def mode_name() -> str:
    """Return ``"fast"`` or ``"full"``."""
    return "fast" if FAST else "full"


def pick(full: T, fast: T) -> T:
    """Return ``fast`` in fast mode and ``full`` otherwise: ``pick(full=10_000, fast=500)``."""
    return fast if FAST else full


def epochs(full: int, fast: int = 1) -> int:
    """Number of epochs to train: ``full`` for students, ``fast`` (default 1) under test."""
    return pick(full, fast)


def offline() -> bool:
    """Whether ``COURSE_OFFLINE`` is on (spellings as :func:`flag`; another value raises :class:`SettingError`)."""
    return flag("COURSE_OFFLINE")


def allow_download() -> bool:
    """Whether data loaders may try the internet (never in fast mode or with ``COURSE_OFFLINE``)."""
    asked_offline = offline()  # read in fast mode too: a typo then shows under test, not on a student's machine
    return not FAST and not asked_offline


def _seed_range_text() -> str:
    low, high = SEED_RANGE
    return tr(f"an integer from {low} to {high}", f"{low} 到 {high} 之间的整数")


def seed() -> int:
    """The seed every notebook starts from: ``COURSE_SEED`` (0 to 2**32 - 1), or 42 when unset or empty.

    Raises:
        SettingError: ``COURSE_SEED`` is not a whole number in that range (NumPy refuses others).
    """
    raw = os.environ.get("COURSE_SEED", "")
    value = raw.strip()
    if not value:
        return DEFAULT_SEED
    try:
        number = int(value)  # decimal digits, a sign and underscores, as Python writes integers
    except ValueError:
        number = None
    if number is None or not SEED_RANGE[0] <= number <= SEED_RANGE[1]:
        raise _setting_error("COURSE_SEED", raw, _seed_range_text(), str(DEFAULT_SEED))
    return number


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
        raise _setting_error("COURSE_PRECISION", raw, ", ".join(PRECISIONS) + tr(" (any case)", "（不区分大小写）"),
                             "auto")
    return value


#: The values ``COURSE_TRACEBACKS`` accepts.
TRACEBACK_MODES = ("short", "full")


def tracebacks_mode() -> str:
    """``"short"`` (default) or ``"full"``, from ``COURSE_TRACEBACKS``: how errors show in a notebook.

    Raises:
        SettingError: Any other value.
    """
    raw = os.environ.get("COURSE_TRACEBACKS", "")
    value = raw.strip().lower() or "short"
    if value not in TRACEBACK_MODES:
        raise _setting_error("COURSE_TRACEBACKS", raw,
                             ", ".join(TRACEBACK_MODES) + tr(" (any case)", "（不区分大小写）"), "short")
    return value


def output_dir(*parts: str) -> Path:
    """Return (and create) a folder under :data:`OUTPUT_DIR` for a notebook's files.

    Raises:
        SettingError: ``COURSE_OUTPUT_DIR`` is set and the folder cannot be created there (a file
            in the way, no permission).
    """
    folder = OUTPUT_DIR.joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raw = os.environ.get("COURSE_OUTPUT_DIR", "")
        if not raw.strip():
            raise  # the default place: no variable to blame, and the OSError names the path
        reason = error.strerror or error
        raise SettingError(tr(
            f"COURSE_OUTPUT_DIR={raw!r}: the folder {folder} cannot be created ({reason}). "
            "Accepted: a folder you can write to (created if missing). Or unset it for the default, outputs/ "
            "(`unset COURSE_OUTPUT_DIR` in the shell that starts Jupyter or the tests, then restart the kernel).",
            f"COURSE_OUTPUT_DIR={raw!r}：无法创建文件夹 {folder}（{reason}）。"
            "可用：一个你有写权限的文件夹（不存在时会自动创建）。或取消设置，使用默认位置 outputs/"
            "（在启动 Jupyter 或测试的 shell 中运行 `unset COURSE_OUTPUT_DIR`，然后重启内核）。",
        )) from error
    return folder


def language(code: str | None = None) -> str:
    """The language of the helpers' messages, check hints and figure labels: ``"en"`` or ``"zh"``.

    ``config.language("zh")`` switches this session to Chinese (``"en"`` back to English), whatever
    ``COURSE_LANG`` or the notebook's folder say; ``config.language()`` only tells the language in
    use. Spellings as ``COURSE_LANG``'s (``zh-CN``, ``zh_CN``, ``zh-Hans``, ``中文`` ...).

    Args:
        code: The language to choose; None: choose nothing, just tell.

    Returns:
        The language now in use.

    Raises:
        SettingError: ``code`` (or, without one, ``COURSE_LANG``) names no language of the course.
    """
    if code is None:
        return _language.current()
    return _language.choose(code)


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
    full ones).

    Args:
        seed_value: The seed, an integer from 0 to 2**32 - 1; default :func:`seed`
            (``COURSE_SEED``, else 42).
        deterministic: Turn on TensorFlow's op determinism.
        verbose: Print the versions, the mode, the seed and the devices.

    Returns:
        The seed used.

    Raises:
        ValueError: ``seed_value`` is out of range or not an integer (checked before anything
            changes), or a switch has a bad value (:class:`SettingError`; ``COURSE_LANG`` too).
    """
    if seed_value is not None and (
        isinstance(seed_value, bool)
        or not isinstance(seed_value, numbers.Integral)
        or not SEED_RANGE[0] <= seed_value <= SEED_RANGE[1]
    ):
        raise ValueError(tr(f"setup(seed_value={seed_value!r}): the seed must be {_seed_range_text()}.",
                            f"setup(seed_value={seed_value!r})：种子必须是 {_seed_range_text()}。"))
    _language.environment_language()  # a bad COURSE_LANG stops here, in the first cell, with the accepted values
    used_seed = seed() if seed_value is None else int(seed_value)
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
        found = keras.__version__
        raise RuntimeError(tr(
            f"This course needs Keras 3; this kernel has Keras {found}. Install the course's "
            "packages into it (pip install -r requirements.txt) and unset TF_USE_LEGACY_KERAS.",
            f"本课程需要 Keras 3，而这个内核装的是 Keras {found}。请把课程的软件包装进这个内核的环境"
            "（pip install -r requirements.txt），并取消设置 TF_USE_LEGACY_KERAS。",
        ))
    keras.utils.set_random_seed(used_seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    plots.set_style()
    if verbose:
        print(  # english-only: names and version numbers, the same in both editions
            f"Python {platform.python_version()} | TensorFlow {tf.__version__} | "
            f"Keras {keras.__version__} | NumPy {np.__version__}"
        )
        mode = mode_name()
        if FAST:
            detail = tr("small data and few epochs, for tests", "小数据、少轮数，用于测试")
        else:
            detail = tr("real data sizes and epochs", "真实的数据量和训练轮数")
        print(tr(f"Mode: {mode} ({detail}); seed {used_seed}", f"模式：{mode}（{detail}）；随机种子 {used_seed}"))
        print(training.describe_devices())
    return used_seed
