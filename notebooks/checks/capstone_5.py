"""Checks for the capstone's exercise 5, Save, reload, evaluate.

The model is loaded here from the student's file and scored again on the test digits loaded here
with ``data.load_mnist(source="bundled")``; the student's numbers are compared with that.
"""

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "capstone_5"

#: The least test accuracy a trained model must reach: a 2-epoch fast-mode model (1,080 digits) reaches
#: 0.75-0.80, a full-mode model (8 epochs on 7,200 digits) about 0.98; guessing gives 0.10.
MIN_ACCURACY = {"fast": 0.60, "full": 0.90}
#: How far the reported test accuracy may be from the one measured here (a digit or two of 300).
ACCURACY_TOLERANCE = 0.01
#: How far the F1 score of the reported weakest digit may be above the lowest (near ties).
F1_TOLERANCE = 0.05


def require(**answers):
    for variable, value in answers.items():
        assert value is not ... and value is not None, f"`{variable}` is still `...`: set it as the question says."


@lru_cache(maxsize=1)
def held_out_digits():
    from course_utils import data

    _, (images, labels) = data.load_mnist(source="bundled", verbose=False)
    return data.prepare(images), labels


@lru_cache(maxsize=2)
def saved_model_and_predictions(path, modified):
    """The model in ``path`` (loaded here) and its probabilities for every test digit."""
    import keras

    model = keras.models.load_model(path)
    images, _ = held_out_digits()
    return model, model.predict(images, batch_size=500, verbose=0)


def saved_model(model_path, run_dir):
    """Check ``model_path`` and return ``(model, probabilities)`` for the model in it."""
    require(model_path=model_path)
    assert isinstance(model_path, str | os.PathLike), (
        f"`model_path` is a {type(model_path).__name__}, expected a path (run_dir / ...)")
    path = Path(model_path).resolve()
    assert path.name.endswith(".keras"), f"`model_path` is {path.name!r}, expected a name ending in .keras"
    assert run_dir is not None, "`run_dir` is not defined: run the notebook's first code cell"
    assert path.is_relative_to(Path(run_dir).resolve()), (
        f"`model_path` is {path}, outside run_dir ({run_dir}): put every file of the capstone in run_dir")
    assert path.is_file(), f"{path} does not exist: save the model there with resumed_model.save(model_path)"
    try:
        return saved_model_and_predictions(str(path), path.stat().st_mtime_ns)
    except Exception as error:
        raise AssertionError(f"keras.models.load_model({path.name!r}) fails: {type(error).__name__}: {error}") from None


def accuracy_of(probabilities):
    _, labels = held_out_digits()
    return float(np.mean(probabilities.argmax(axis=1) == labels))


@test_case(points=1, hidden=False,
           failure_message="resumed_model.save(model_path) with model_path = run_dir / 'digits_cnn.keras', then "
                           "reloaded_model = keras.models.load_model(model_path) (notebooks 07 and 08).")
def test_the_model_file_loads_and_is_what_was_reloaded(model_path, reloaded_model, resumed_model, checkpoint_path,
                                                       run_dir):
    import keras

    loaded, probabilities = saved_model(model_path, run_dir)
    if checkpoint_path is not None and checkpoint_path is not ...:
        assert Path(model_path).resolve() != Path(checkpoint_path).resolve(), (
            "`model_path` is the checkpoint file of exercise 3: save the final model to a file of its own")
    require(reloaded_model=reloaded_model)
    assert isinstance(reloaded_model, keras.Model), (
        f"`reloaded_model` is a {type(reloaded_model).__name__}, expected the model keras.models.load_model returns")
    assert reloaded_model is not resumed_model, (
        "`reloaded_model` is `resumed_model` itself: load it back from the file with keras.models.load_model")
    images, _ = held_out_digits()
    reloaded_probabilities = np.asarray(reloaded_model.predict(images[:16], verbose=0), dtype=np.float32)
    difference = float(np.abs(reloaded_probabilities - probabilities[:16]).max())
    assert difference <= 1e-3, (
        f"`reloaded_model` and the model in {Path(model_path).name} predict differently (probabilities up to "
        f"{difference:.2g} apart): load reloaded_model from model_path, after saving")


@test_case(points=2, hidden=False,
           failure_message="Train for all total_epochs (exercises 3 and 4) and save the trained model, resumed_model, "
                           "to model_path.")
def test_the_saved_model_classifies_the_test_digits(model_path, run_dir):
    from course_utils import config

    _, probabilities = saved_model(model_path, run_dir)
    measured = accuracy_of(probabilities)
    least = MIN_ACCURACY[config.mode_name()]
    assert measured >= least, (
        f"the model in {Path(model_path).name} classifies {measured:.1%} of the {len(probabilities):,} test digits "
        f"correctly; at least {least:.0%} expected in {config.mode_name()} mode")


@test_case(points=1, hidden=False,
           failure_message="test_loss, test_accuracy = reloaded_model.evaluate(x_test, y_test, verbose=0): evaluate "
                           "returns the loss first, then the accuracy.")
def test_the_reported_test_accuracy_is_the_measured_one(test_accuracy, model_path, run_dir):
    require(test_accuracy=test_accuracy)
    assert np.ndim(test_accuracy) == 0 and np.issubdtype(np.asarray(test_accuracy).dtype, np.number), (
        f"`test_accuracy` is {test_accuracy!r}, expected one number between 0 and 1")
    reported = float(test_accuracy)
    assert 0 <= reported <= 1, f"`test_accuracy` is {reported}, expected a share between 0 and 1 (not a percentage)"
    _, probabilities = saved_model(model_path, run_dir)
    measured = accuracy_of(probabilities)
    assert abs(reported - measured) <= ACCURACY_TOLERANCE, (
        f"`test_accuracy` is {reported:.4f}, but the model in {Path(model_path).name} scores {measured:.4f} on all "
        f"{len(probabilities):,} test digits: evaluate reloaded_model on x_test, y_test")


@test_case(points=1, hidden=False,
           failure_message="matrix = evaluation.confusion_matrix(y_test, predicted, 10); the F1 scores are "
                           "evaluation.per_class_metrics(matrix)['f1'], and the weakest digit is their argmin.")
def test_the_weakest_digit_has_the_lowest_f1(weakest_digit, model_path, run_dir):
    from course_utils import evaluation

    require(weakest_digit=weakest_digit)
    assert np.ndim(weakest_digit) == 0 and np.issubdtype(np.asarray(weakest_digit).dtype, np.integer), (
        f"`weakest_digit` is {weakest_digit!r}, expected one digit as an int")
    digit = int(weakest_digit)
    assert 0 <= digit <= 9, f"`weakest_digit` is {digit}, expected a digit 0-9"
    _, probabilities = saved_model(model_path, run_dir)
    _, labels = held_out_digits()
    f1 = evaluation.per_class_metrics(evaluation.confusion_matrix(labels, probabilities.argmax(axis=1), 10))["f1"]
    lowest = int(f1.argmin())
    assert f1[digit] <= f1[lowest] + F1_TOLERANCE, (
        f"digit {digit} has F1 {f1[digit]:.3f}; the lowest is digit {lowest}'s, {f1[lowest]:.3f}")
