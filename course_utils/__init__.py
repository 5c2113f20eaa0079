"""Helper package for the course "Training a CNN on handwritten digits with TensorFlow/Keras".

Modules are named after what a student already knows: ``config`` (fast/full mode and set-up),
``data``, ``models``, ``plots``, ``training``, ``callbacks``, ``evaluation``, ``tables``,
``saving``, ``export`` and ``images``, ``widgets``, ``recipes``, ``ensembles``, ``transfer``.
Import the module you need, e.g. ``from course_utils import data, plots``.
"""

__version__ = "0.1.0"

import os as _os
from pathlib import Path as _Path

# Set before any submodule imports TensorFlow. On a machine with no NVIDIA driver, TensorFlow's
# C++ "errors" are CUDA probes and a spurious threadpool complaint at every fit: red noise to a
# student, so level 3 hides them (Python exceptions still raise). With a GPU driver, level 2
# keeps real C++ errors visible. Set TF_CPP_MIN_LOG_LEVEL yourself to override either.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2" if _Path("/proc/driver/nvidia").exists() else "3")
