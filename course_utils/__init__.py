"""Helper package for the course "Training a CNN on handwritten digits with TensorFlow/Keras".

Modules are named after what a student already knows: ``config`` (fast/full mode and set-up),
``data``, ``models``, ``plots``; later lessons add ``training``, ``callbacks``, ``evaluation``,
``saving``, ``export`` and ``widgets``. Import the module you need, e.g.
``from course_utils import data, plots``.
"""

__version__ = "0.1.0"

import os as _os

# Set before any submodule imports TensorFlow: its C++ start-up chatter (CUDA probes on a
# CPU-only laptop, oneDNN notices) is noise to a student. Errors still show.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
