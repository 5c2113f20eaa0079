"""Checks for the capstone's exercise 6, Export to LiteRT, and run it.

The .tflite file is run here by LiteRT's interpreter (ai_edge_litert, through export.LiteRTModel) on
the first 100 test digits, loaded here, and compared with the Keras model in model_path.
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "capstone_6"

DIGITS = 100  # the first 100 test digits, as the question says
#: The least share of digits on which LiteRT and Keras must predict the same: a float32 file agrees on all;
#: a mixed-precision model's float32 file can differ where two digits are almost equally likely.
MIN_AGREEMENT = 0.9
#: How far the reported agreement may be from the one measured here.
AGREEMENT_TOLERANCE = 0.03


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it as the question says."


@lru_cache(maxsize=1)
def first_test_digits():
    from course_utils import data

    _, (images, labels) = data.load_mnist(source="bundled", verbose=False)
    return data.prepare(images[:DIGITS]), labels[:DIGITS]


@lru_cache(maxsize=2)
def litert_probabilities(path, modified):
    from course_utils import export

    images, _ = first_test_digits()
    return export.LiteRTModel(path).predict(images)


@lru_cache(maxsize=2)
def keras_probabilities(path, modified):
    import keras

    images, _ = first_test_digits()
    return keras.models.load_model(path).predict(images, verbose=0)


def run_the_file(tflite_path, run_dir):
    """Check ``tflite_path`` and return the file's probabilities for the first test digits."""
    require(tflite_path=tflite_path)
    assert isinstance(tflite_path, str | os.PathLike), (
        f"`tflite_path` is a {type(tflite_path).__name__}, expected a path (run_dir / ...)")
    path = Path(tflite_path).resolve()
    assert path.name.endswith(".tflite"), f"`tflite_path` is {path.name!r}, expected a name ending in .tflite"
    assert run_dir is not None, "`run_dir` is not defined: run the notebook's first code cell"
    assert path.is_relative_to(Path(run_dir).resolve()), (
        f"`tflite_path` is {path}, outside run_dir ({run_dir}): put every file of the capstone in run_dir")
    assert path.is_file() and path.stat().st_size > 0, f"{path} does not exist or is empty: convert the model to it"
    try:
        return litert_probabilities(str(path), path.stat().st_mtime_ns)
    except Exception as error:
        raise AssertionError(f"LiteRT's Interpreter cannot run {path.name}: {type(error).__name__}: {error}") from None


def keras_digits(model_path):
    assert model_path is not None and model_path is not ... and Path(model_path).is_file(), (
        "`model_path` (exercise 5) names no file: the LiteRT file is compared with the Keras model saved there")
    path = Path(model_path).resolve()
    return keras_probabilities(str(path), path.stat().st_mtime_ns).argmax(axis=1)


@test_case(points=1, hidden=False,
           failure_message="export.to_litert(reloaded_model, tflite_path) with tflite_path = run_dir / "
                           "'digits_cnn.tflite' (notebook 12).")
def test_the_litert_file_runs(tflite_path, run_dir):
    probabilities = run_the_file(tflite_path, run_dir)
    assert probabilities.shape == (DIGITS, 10), (
        f"the LiteRT file gives {probabilities.shape} for {DIGITS} digits, expected ({DIGITS}, 10)")
    sums = probabilities.sum(axis=1)
    assert np.all(np.isfinite(probabilities)) and np.allclose(sums, 1, atol=2e-2), (
        f"the LiteRT file's outputs sum to {sums.min():.3f}-{sums.max():.3f} per digit, expected probabilities")


@test_case(points=1, hidden=False,
           failure_message="Convert the model you saved in exercise 5 (reloaded_model), as it is: the file must "
                           "predict what the Keras model predicts.")
def test_litert_predicts_what_keras_predicts(tflite_path, model_path, run_dir):
    litert = run_the_file(tflite_path, run_dir).argmax(axis=1)
    keras_predicted = keras_digits(model_path)
    agreement = float(np.mean(litert == keras_predicted))
    assert agreement >= MIN_AGREEMENT, (
        f"the LiteRT file and the Keras model in {Path(model_path).name} predict the same digit for "
        f"{agreement:.0%} of the first {DIGITS} test digits; at least {MIN_AGREEMENT:.0%} expected")


@test_case(points=1, hidden=False,
           failure_message="Run the file on x_test[:100] (Interpreter: set_tensor, invoke, get_tensor; or "
                           "export.LiteRTModel(tflite_path).predict) and compare its argmax with reloaded_model's.")
def test_the_reported_litert_results_are_the_files(litert_digits, litert_agreement, tflite_path, model_path, run_dir):
    require(litert_digits=litert_digits, litert_agreement=litert_agreement)
    reported = np.asarray(litert_digits)
    assert reported.shape == (DIGITS,) and reported.dtype.kind in "iu", (
        f"`litert_digits` is {reported.dtype} {reported.shape}, expected {DIGITS} integer digits (the argmax of each "
        "row of probabilities)")
    litert = run_the_file(tflite_path, run_dir).argmax(axis=1)
    matches = int(np.sum(reported == litert))
    assert matches >= DIGITS - 2, (
        f"`litert_digits` matches what {Path(tflite_path).name} predicts for x_test[:{DIGITS}] on {matches} of "
        f"{DIGITS} digits: run the file itself on the first {DIGITS} test digits")
    assert np.ndim(litert_agreement) == 0 and np.issubdtype(np.asarray(litert_agreement).dtype, np.number) and (
        0 <= float(litert_agreement) <= 1), (
        f"`litert_agreement` is {litert_agreement!r}, expected a share between 0 and 1")
    measured = float(np.mean(litert == keras_digits(model_path)))
    assert abs(float(litert_agreement) - measured) <= AGREEMENT_TOLERANCE, (
        f"`litert_agreement` is {float(litert_agreement):.2f}, but the file and the Keras model agree on "
        f"{measured:.2f} of the first {DIGITS} test digits")
