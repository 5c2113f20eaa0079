"""Helper package for the course "Training a CNN on handwritten digits with TensorFlow/Keras".

Modules are named after what a student already knows. Import the module you need, e.g.
``from course_utils import data, plots``.

Module map (tests/test_module_map.py checks that every module is listed here and that the
"lessons" column names exactly the notebooks that import the module; "appendix" is
keras2_to_keras3.ipynb, "-" means no notebook imports it directly):

==================  ======================  ==========================================================
module              lessons                 what belongs there
==================  ======================  ==========================================================
config              all capstone appendix   fast/full mode, COURSE_* switches, setup(), output folders,
                                            the names used everywhere (PathLike, KERAS_HOME, KERNEL_NAME)
data                all capstone appendix   loading digits: bundled, Keras' MNIST, idx files, splits
models              02-10 12 13 capstone    the CNNs the lessons build
plots               01-06 08 09 11          matplotlib pictures of digits, histories, filters
tables              02 03 09-12             the small table type lessons print and compare
training            04 09-12 capstone       fit wrappers: timing, precision, the fast input pipeline
callbacks           05 06 capstone          checkpoint and backup callbacks that survive kills
kill_harness        05                      the kill test: a training process killed mid-save (-m)
resumable_run       06                      the run lesson 06 kills and resumes (-m)
excerpts            06 13                   a helper's lines a lesson prints, found by markers
saving              07 08                   saving and reloading in every Keras format
model_files         07 08                   what a model file is and what is wrong with it
weights_text        07                      weights as a text file and back
evaluation          08 capstone             confusion matrix, per-class scores, ROC
widgets             04 09                   the ipywidgets views (the playground's controls)
recipes             09                      the improvement recipes lesson 09 compares
ensembles           10                      bootstrap samples, averaging and voting
measuring           10 12                   accuracy, folder sizes, median timings
transfer            11                      pre-trained networks and their cached weights
export              12 capstone appendix    deployment formats (LiteRT, ONNX, SavedModel) and speed
images              12                      a student's own picture of a digit, made MNIST-like
coloured            02                      coloured digits (lesson 02's channels section)
cluster             13                      worker processes on one machine (TF_CONFIG, watching)
cluster_worker      13                      one worker of lesson 13's cluster (-m)
playground_session  -                       the playground's training without widgets (widgets uses it)
fork_server         -                       forks kill-test children from a warm process (kill_harness)
keras_internals     -                       every private Keras hook the course relies on, guarded
native_logs         -                       TensorFlow's start-up chatter, held back at import
tracebacks          -                       short tracebacks in lessons (config.setup installs it)
exercises           all capstone            where the exercise checks are (checks/, shared by zh/)
language            -                       English or Chinese messages: tr(english, chinese)
==================  ======================  ==========================================================

Where code goes: a helper a lesson calls goes in the module of the lesson's topic; a helper
used by several lessons' modules goes in ``measuring`` (numbers), ``config`` (names and
switches) or ``tables``. A ``python -m`` entry point (marked "-m" above) belongs in
``course_utils`` only when a lesson or a test starts it as a process (it then ships in the
wheel); developer tools go in ``tools/``, speed and accuracy measurements in ``benchmarks/``.
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
from course_utils import native_logs as _native_logs

_native_logs.quiet_tensorflow_import()
