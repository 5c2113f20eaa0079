"""TensorFlow's and LiteRT's start-up chatter stays out of the lessons; real errors still come out."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from course_utils import native_logs

ROOT = Path(__file__).resolve().parent.parent

#: Lines measured in a lesson's first cell and in notebook 12 before the fix (TensorFlow 2.21,
#: ai-edge-litert 2.3), and the kinds of line that must always come through.
CHATTER = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795788530.953048   10738 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU "
    "will not be used.",
    "I0000 00:00:1795788530.953048   10738 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors from different computation orders. To "
    "turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
    "I0000 00:00:1795788498.610163    8784 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    "available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the appropriate "
    "compiler flags.",
    "2024-03-01 10:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on.",
    "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    "fully_quantize: 0, inference_type: 6, input_inference_type: UINT8, output_inference_type: UINT8",
]
REAL = [
    "E0000 00:00:1795788530.953048   10738 cuda_platform.cc:52] failed call to cuInit: UNKNOWN ERROR (303)",
    "W0000 00:00:1795788530.953048   10738 gpu_device.cc:2344] Cannot dlopen some GPU libraries.",
    "F0000 00:00:1795788530.953048   10738 platform_check.cc:99] The TensorFlow library was compiled to use AVX "
    "instructions, but these aren't available on your machine.",
    "Traceback (most recent call last):",
    "ERROR: something went wrong",
    "fully_quantize failed",
    "",
]
NOISE_WORDS = ("absl::InitializeLog", "cudart_stub", "oneDNN custom operations", "cpu_feature_guard",
               "XNNPACK delegate", "fully_quantize")


@pytest.mark.parametrize("line", CHATTER)
def test_known_chatter_is_noise(line: str) -> None:
    assert native_logs.is_noise(line + "\n")


@pytest.mark.parametrize("line", REAL)
def test_warnings_errors_and_unknown_lines_are_not(line: str) -> None:
    assert not native_logs.is_noise(line)


def test_without_noise_keeps_everything_else_in_order() -> None:
    text = "".join(f"{line}\n" for line in [CHATTER[0], REAL[0], CHATTER[1], REAL[1], REAL[3]])
    assert native_logs.without_noise(text) == f"{REAL[0]}\n{REAL[1]}\n{REAL[3]}\n"


def test_a_native_error_inside_the_block_still_comes_out(capfd: pytest.CaptureFixture[str]) -> None:
    with native_logs.filtered_stderr():
        os.write(2, f"{CHATTER[0]}\n{CHATTER[1]}\n".encode())  # what C++ code writes: descriptor 2 itself
        os.write(2, f"{REAL[0]}\n".encode())
        os.write(2, f"{CHATTER[-1]}\n{REAL[2]}\n".encode())
    err = capfd.readouterr().err
    assert err == f"{REAL[0]}\n{REAL[2]}\n"


def test_the_block_writes_back_when_it_raises_and_restores_the_descriptor(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError), native_logs.filtered_stderr():
        os.write(2, f"{CHATTER[0]}\n{REAL[0]}\n".encode())
        raise RuntimeError("converter failed")
    os.write(2, b"after the block\n")
    assert capfd.readouterr().err == f"{REAL[0]}\nafter the block\n"


def test_blocks_nest(capfd: pytest.CaptureFixture[str]) -> None:
    with native_logs.filtered_stderr():
        os.write(2, f"{REAL[1]}\n".encode())
        with native_logs.filtered_stderr():
            os.write(2, f"{CHATTER[1]}\n{REAL[0]}\n".encode())
        os.write(2, f"{CHATTER[0]}\n".encode())
    assert capfd.readouterr().err == f"{REAL[1]}\n{REAL[0]}\n"


def test_the_import_hook_quiets_a_module_once_and_keeps_its_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    written = f"{CHATTER[0]}\n{CHATTER[1]}\n{REAL[0]}\n".encode()
    (tmp_path / "noisy_native_module.py").write_text(f"import os\nos.write(2, {written!r})\nLOADED = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    finder = native_logs._QuietFirstImport(("noisy_native_module",))
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    monkeypatch.delitem(sys.modules, "noisy_native_module", raising=False)
    import importlib.util

    assert importlib.util.find_spec("noisy_native_module") is not None  # a mere look does not use it up
    assert finder in sys.meta_path
    import noisy_native_module

    assert noisy_native_module.LOADED
    assert type(noisy_native_module.__loader__).__name__ == "SourceFileLoader"  # the real loader, not ours
    assert finder not in sys.meta_path  # done: it removed itself
    assert capfd.readouterr().err == f"{REAL[0]}\n"


def run_python(code: str, **env_changes: str | None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def test_importing_tensorflow_after_course_utils_prints_no_chatter_and_keeps_real_errors() -> None:
    # As a student's kernel: no TF_CPP_MIN_LOG_LEVEL of its own (course_utils sets one). After the
    # import, a genuine native error line written inside a block must still reach stderr.
    fatal = f"{REAL[2]}\n".encode()
    code = textwrap.dedent(f"""
        import course_utils, tensorflow
        import os
        from course_utils import native_logs
        with native_logs.filtered_stderr():
            os.write(2, {fatal!r})
        print(tensorflow.__version__)
    """)
    quiet = run_python(code, TF_CPP_MIN_LOG_LEVEL=None)
    assert quiet.returncode == 0, quiet.stderr
    assert not [word for word in NOISE_WORDS if word in quiet.stderr], quiet.stderr
    assert REAL[2] in quiet.stderr
    # Measured without course_utils, even at the quietest log level: the chatter the test guards against.
    loud = run_python("import tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    chatter = [line for line in loud.stderr.splitlines() if native_logs.is_noise(line)]
    assert chatter, f"TensorFlow printed nothing at import here; is this test still needed?\n{loud.stderr}"


def test_notebook_12s_own_export_and_interpreter_calls_print_nothing(tmp_path: Path) -> None:
    # LiteRT prints its XNNPACK line the first time an interpreter allocates (measured here without
    # course_utils); importing course_utils.export uses it up, so a lesson's Interpreter stays quiet,
    # and so do its own int8 and ONNX exports.
    loud = run_python(textwrap.dedent("""
        from ai_edge_litert.interpreter import Interpreter
        from course_utils.native_logs import _tiny_litert_model
        Interpreter(model_content=_tiny_litert_model()).allocate_tensors()
    """))
    assert loud.returncode == 0, loud.stderr
    assert "XNNPACK delegate" in loud.stderr
    lesson = textwrap.dedent(f"""
        from course_utils import export
        import keras, numpy as np, tensorflow as tf
        from ai_edge_litert.interpreter import Interpreter

        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
        model.export({str(tmp_path / "m.tflite")!r}, format="litert", verbose=False,
                     optimizations=[tf.lite.Optimize.DEFAULT],
                     representative_dataset=lambda: ([image[np.newaxis]] for image in images),
                     target_spec={{"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]}},
                     inference_input_type=tf.uint8, inference_output_type=tf.uint8)
        interpreter = Interpreter(model_path={str(tmp_path / "m.tflite")!r})
        interpreter.allocate_tensors()
        model.export({str(tmp_path / "m.onnx")!r}, format="onnx", verbose=False)
        print("done")
    """)
    quiet = run_python(lesson, PYTHONWARNINGS="default")  # and Python warnings shown as in a notebook
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.strip().endswith("done")
    assert not [word for word in NOISE_WORDS if word in quiet.stderr], quiet.stderr
    assert "np.object" not in quiet.stderr, quiet.stderr


def test_int8_conversion_in_a_lesson_prints_no_chatter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capfd: pytest.CaptureFixture[str]) -> None:
    import keras
    from tensorflow.lite.python import lite

    from course_utils import export

    assert native_logs.litert_is_quiet()  # TensorFlow still has the step course_utils wraps
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    images = np.random.default_rng(0).random((8, 4), dtype=np.float32)
    options = export.litert_options("int8", images)
    capfd.readouterr()
    model.export(tmp_path / "quiet.tflite", format="litert", verbose=False, **options)  # as notebook 12 does
    assert "fully_quantize" not in capfd.readouterr().err
    monkeypatch.setattr(lite, "_mlir_quantize", lite._mlir_quantize.__wrapped__)  # TensorFlow as it comes
    model.export(tmp_path / "loud.tflite", format="litert", verbose=False, **options)
    assert "fully_quantize" in capfd.readouterr().err


@pytest.fixture
def python_logging_restored() -> Iterator[None]:
    """The loggers' levels, absl's verbosity and the warning filters as they were before the test.

    ``config.quiet_tensorflow`` sets them for the whole process, as it should in a notebook's
    kernel; in a pytest worker the tests that run later must still see TensorFlow's warnings.
    """
    import logging
    import warnings

    from absl import logging as absl_logging

    loggers = {name: logging.getLogger(name).level for name in ("tensorflow", "absl")}
    verbosity = absl_logging.get_verbosity()
    with warnings.catch_warnings():  # puts the filters back when it ends
        yield
    absl_logging.set_verbosity(verbosity)
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("python_logging_restored")
def test_setup_keeps_python_side_notices_out_after_an_export_too(tmp_path: Path) -> None:
    import logging
    import warnings

    import keras

    from course_utils import config

    config.quiet_tensorflow()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.export(tmp_path / "saved_model", verbose=False)  # TensorFlow saves and restores absl's verbosity
    assert logging.getLogger("absl").getEffectiveLevel() >= logging.ERROR  # notebooks 07 and 08 stay quiet
    with warnings.catch_warnings(record=True) as caught:
        warnings.filterwarnings("always", category=DeprecationWarning)  # what a notebook's own code shows
        config.quiet_tensorflow()
        np.array(model.layers[0].kernel)  # notebook 11: NumPy 2's notice about Keras' __array__
        warnings.warn("a real deprecation", DeprecationWarning, stacklevel=1)
    assert [str(warning.message) for warning in caught] == ["a real deprecation"]
