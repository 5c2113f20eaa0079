"""Keep TensorFlow's and LiteRT's start-up chatter out of the lessons, and every real error in them.

TensorFlow's C++ code writes to the process's standard error (file descriptor 2), not to Python's
``sys.stderr``; Jupyter shows whatever arrives there as a red stderr box in the running cell.
Importing TensorFlow 2.21 writes, before absl's logging starts (so ``TF_CPP_MIN_LOG_LEVEL`` cannot
hide it, abseil/abseil-cpp#1957)::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:1795788530.953048   10738 cudart_stub.cc:31] Could not find cuda drivers on your machine, ...

twice, plus ``oneDNN custom operations are on`` on some CPUs. LiteRT adds ``INFO: Created
TensorFlow Lite XNNPACK delegate for CPU.`` the first time an interpreter allocates its tensors,
and TensorFlow's quantiser prints ``fully_quantize: 0, inference_type: 6, ...`` at every full-int8
conversion.

:func:`filtered_stderr` points descriptor 2 at a temporary file for the length of a ``with``
block, then restores it and writes back every captured line that is not known noise
(:func:`is_noise`): warnings, errors, fatal messages and anything unknown come out unchanged,
only later. The package uses it at three places only, never around lesson code as a whole:

* the first ``import tensorflow`` of the process (:func:`quiet_tensorflow_import`, installed by
  ``course_utils/__init__.py``, which every lesson imports before TensorFlow);
* TensorFlow's int8 quantiser, whoever calls it (:func:`quiet_litert`, installed when
  ``course_utils.export`` is imported), so a lesson's own ``model.export(..., format="litert")``
  stays quiet too;
* one tiny LiteRT interpreter run when ``course_utils.export`` is imported, which uses up the
  XNNPACK line (LiteRT prints it once per process).

Works wherever descriptor 2 exists (Linux, macOS, Windows); where it does not (``pythonw``), the
block runs unchanged. One limit: a process that dies *inside* a block (TensorFlow aborting at
import on a CPU it was not built for) takes the held-back lines with it. In a Jupyter kernel they
are likely lost without this module too (the kernel forwards descriptor 2 from a Python thread,
which does not run while a native import holds the interpreter); ``python -c "import tensorflow"``
in a terminal shows them.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

#: Lines known to be start-up chatter. An absl INFO line (``I0000 00:00:...] ...``) is dropped
#: whatever it says: INFO is never an error. Warnings (``W...``), errors (``E...``), fatal
#: messages (``F...``) and every line not listed here are written back.
NOISE = (
    re.compile(r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"),
    re.compile(r"I\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ \]]+:\d+\] .*"),  # absl INFO: cudart_stub, oneDNN, cpu_feature_guard
    re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: I [^ \]]+:\d+\] .*"),  # the same, TensorFlow before 2.18
    re.compile(r"To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\."),
    re.compile(r"INFO: Created TensorFlow Lite XNNPACK delegate for CPU\."),
    re.compile(r"fully_quantize: \d+, inference_type: \d+, input_inference_type: \w+, output_inference_type: \w+"),
)

_lock = threading.RLock()  # one redirection at a time (descriptor 2 belongs to the whole process)
_depth = 0  # blocks open now (they nest)


def is_noise(line: str) -> bool:
    """True for a line of known start-up chatter (see :data:`NOISE`)."""
    line = line.rstrip("\r\n")
    return any(pattern.fullmatch(line) for pattern in NOISE)


def without_noise(text: str) -> str:
    """``text`` without its lines of known chatter; every other line as it was, in order."""
    return "".join(line for line in text.splitlines(keepends=True) if not is_noise(line))


def _stderr_descriptor() -> int | None:
    """2 when the process has a usable standard error descriptor, else None (``pythonw``)."""
    try:
        os.fstat(2)
    except OSError:
        return None
    return 2


def _write_back(text: str) -> None:
    """Show ``text`` where standard error goes: ``sys.stderr`` (a notebook's cell), else descriptor 2."""
    if not text:
        return
    stream = sys.stderr
    if stream is not None:
        try:
            stream.write(text)
            stream.flush()
            return
        except (OSError, ValueError):
            pass
    with contextlib.suppress(OSError):
        os.write(2, text.encode("utf-8", "replace"))


@contextlib.contextmanager
def filtered_stderr() -> Iterator[None]:
    """Capture descriptor 2 during the block; afterwards write back every line that is not noise.

    Everything the block writes to standard error (native code, and Python code too when
    ``sys.stderr`` is descriptor 2) is held back until the block ends, then shown without the
    lines :func:`is_noise` knows, also when the block raises. Nests, and serialises threads.
    """
    descriptor = _stderr_descriptor()
    if descriptor is None:
        yield
        return
    global _depth
    with _lock:
        _flush_stderr()  # what was written before the block goes where it was going
        saved = os.dup(descriptor)
        _depth += 1
        try:
            with tempfile.TemporaryFile() as capture:
                os.dup2(capture.fileno(), descriptor)
                try:
                    yield
                finally:
                    _flush_stderr()
                    os.dup2(saved, descriptor)
                    capture.seek(0)
                    kept = without_noise(capture.read().decode("utf-8", "replace"))
                    if _depth > 1:  # inside another block: into its capture, in order
                        os.write(descriptor, kept.encode("utf-8", "replace"))
                    else:
                        _write_back(kept)
        finally:
            _depth -= 1
            os.close(saved)


def _flush_stderr() -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if sys.stderr is not None:
            sys.stderr.flush()


def quietly(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` wrapped so that every call runs inside :func:`filtered_stderr`."""
    if getattr(function, "__course_quiet__", False):
        return function

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with filtered_stderr():
            return function(*args, **kwargs)

    wrapper.__course_quiet__ = True  # type: ignore[attr-defined]
    return wrapper


# --------------------------------------------------------------------------------------------
# The first import of TensorFlow
# --------------------------------------------------------------------------------------------


class _QuietLoader(importlib.abc.Loader):
    """Runs the wrapped loader's ``exec_module`` inside :func:`filtered_stderr`."""

    def __init__(self, loader: Any, finder: _QuietFirstImport, name: str) -> None:
        self.loader, self.finder, self.name = loader, finder, name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.finder.done(self.name)
        # The module keeps its real loader: importlib.resources and friends ask it for files.
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        with filtered_stderr():
            self.loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:  # get_filename, get_resource_reader, ...
        return getattr(self.loader, name)


class _QuietFirstImport(importlib.abc.MetaPathFinder):
    """A ``sys.meta_path`` entry that makes the first import of some top-level modules quiet.

    It only wraps the loader that the other finders find; it removes itself once each of its
    modules has been imported (a mere ``importlib.util.find_spec`` does not count).
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = set(names)

    def done(self, name: str) -> None:
        self.names.discard(name)
        if not self.names:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(self)

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name not in self.names:
            return None
        for finder in list(sys.meta_path):  # the other finders decide where the module is
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _QuietLoader(spec.loader, self, name)
                return spec
        return None


#: Modules whose first import prints native start-up chatter.
NOISY_IMPORTS = ("tensorflow",)


def quiet_tensorflow_import() -> None:
    """Make the process's first ``import tensorflow`` (by anyone: a lesson, Keras, the package) quiet.

    Installs a ``sys.meta_path`` entry that runs TensorFlow's import inside
    :func:`filtered_stderr` and then removes itself. Does nothing when TensorFlow is already
    imported, or the entry is already installed.
    """
    pending = tuple(name for name in NOISY_IMPORTS if name not in sys.modules)
    if not pending or any(isinstance(finder, _QuietFirstImport) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietFirstImport(pending))


# --------------------------------------------------------------------------------------------
# LiteRT
# --------------------------------------------------------------------------------------------


def _tiny_litert_model() -> bytes:
    """A valid ``.tflite`` file of one RELU on a float32[1], built in memory (300 bytes, no TensorFlow)."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema

    tensors = []
    for name in (b"x", b"y"):
        tensor = schema.TensorT()
        tensor.name, tensor.shape, tensor.type, tensor.buffer = name, [1], schema.TensorType.FLOAT32, 0
        tensors.append(tensor)
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.RELU
    code.version = 1
    operator = schema.OperatorT()
    operator.opcodeIndex, operator.inputs, operator.outputs = 0, [0], [1]
    graph = schema.SubGraphT()
    graph.tensors, graph.inputs, graph.outputs, graph.operators = tensors, [0], [1], [operator]
    model = schema.ModelT()
    model.version, model.subgraphs, model.buffers, model.operatorCodes = 3, [graph], [schema.BufferT()], [code]
    model.description = b"course_utils.native_logs warm-up"
    builder = flatbuffers.Builder(512)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


_litert_ready = False


def quiet_litert() -> None:
    """Silence LiteRT's two chatty lines for the rest of the process, in lessons' own calls too.

    * The XNNPACK line: LiteRT prints it the first time any interpreter allocates its tensors,
      then never again in the process. One tiny interpreter does that here, inside
      :func:`filtered_stderr`.
    * The ``fully_quantize: ...`` line: TensorFlow's int8 quantiser prints it at every call. The
      converter's quantisation step (``tensorflow.lite.python.lite._mlir_quantize``, what
      ``model.export(..., format="litert")`` reaches with ``representative_dataset``) is wrapped
      with :func:`quietly`; :func:`litert_is_quiet` tells whether that worked in this TensorFlow.

    Idempotent; needs TensorFlow and ``ai-edge-litert`` (a missing one is skipped).
    """
    global _litert_ready
    if _litert_ready:
        return
    _litert_ready = True
    try:
        from tensorflow.lite.python import lite
    except ImportError:
        lite = None
    if lite is not None and callable(getattr(lite, "_mlir_quantize", None)):
        lite._mlir_quantize = quietly(lite._mlir_quantize)
    try:
        from ai_edge_litert.interpreter import Interpreter

        model = _tiny_litert_model()
    except ImportError:
        return
    with filtered_stderr():
        Interpreter(model_content=model).allocate_tensors()


def litert_is_quiet() -> bool:
    """True when TensorFlow's int8 quantiser runs inside :func:`filtered_stderr` (after :func:`quiet_litert`)."""
    try:
        from tensorflow.lite.python import lite
    except ImportError:
        return False
    return bool(getattr(getattr(lite, "_mlir_quantize", None), "__course_quiet__", False))
