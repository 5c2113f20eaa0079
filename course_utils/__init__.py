"""Helper package for the course "Training a CNN on handwritten digits with TensorFlow/Keras".

Modules are named after what a student already knows: ``config`` (fast/full mode and set-up),
``data``, ``models``, ``plots``, ``training``, ``callbacks``, ``evaluation``, ``tables``,
``saving``, ``export`` and ``images``, ``widgets``, ``recipes``, ``ensembles``, ``transfer``,
``coloured`` (coloured digits, 02) and ``cluster`` (worker processes on one machine, 13).
Import the module you need, e.g. ``from course_utils import data, plots``. Three more keep the
lessons readable: ``native_logs`` (TensorFlow's start-up chatter), ``tracebacks`` (short errors)
and ``excerpts`` (a helper's lines a lesson prints, found by markers).
"""

__version__ = "0.1.0"

import os as _os
from pathlib import Path as _Path

# Set before any submodule imports TensorFlow. On a machine with no NVIDIA driver, TensorFlow's
# C++ "errors" are CUDA probes and a spurious threadpool complaint at every fit: red noise to a
# student, so level 3 hides them (Python exceptions still raise). With a GPU driver, level 2
# keeps real C++ errors visible. Set TF_CPP_MIN_LOG_LEVEL yourself to override either.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2" if _Path("/proc/driver/nvidia").exists() else "3")

# The lines TensorFlow's C++ code writes while it loads, before that log level applies
# ("All log messages before absl::InitializeLog() ...", "Could not find cuda drivers ..."): the
# process's first `import tensorflow`, by a lesson, Keras or this package, holds them back and shows
# only what is not known chatter (see native_logs). Importing course_utils itself stays light.
from course_utils import native_logs as _native_logs  # noqa: E402

_native_logs.quiet_tensorflow_import()
