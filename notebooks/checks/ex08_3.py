"""Checks for exercise 08.3, One flipped byte."""

from pathlib import Path

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex08_3"


def _unset(value):
    return value is None or value is ...


def _one_byte_flipped(copy, original, variable):
    assert not _unset(copy), f"`{variable}` is still `...`: set it to the Path of your damaged copy."
    copy = Path(copy)
    assert copy.is_file(), f"`{variable}` is {str(copy)!r}, and there is no file there."
    damaged, intact = np.frombuffer(copy.read_bytes(), np.uint8), np.frombuffer(Path(original).read_bytes(), np.uint8)
    assert damaged.size == intact.size, (
        f"{copy.name} has {damaged.size:,} bytes, {Path(original).name} {intact.size:,}: copy it whole and "
        "change one byte.")
    changed = np.flatnonzero(damaged != intact)
    assert changed.size == 1, (
        f"{copy.name} differs from {Path(original).name} in {changed.size} bytes; flip exactly one: "
        "data[len(data) // 2] ^= 0xFF.")
    return copy


def _problem(model_files, path):
    """The first line of the message load_any's file check gives (without the path), or None."""
    try:
        model_files.identify(path)
    except model_files.ModelFileError as error:
        return str(error).split("\n")[0].split(": ", 1)[-1]
    return None


def _datasets(path):
    import h5py

    found = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda name, item: found.__setitem__(name, item[()]) if isinstance(item, h5py.Dataset)
                          else None)
    return found


@test_case(points=1, hidden=False,
           failure_message="Flip the middle byte of a copy of paths['keras'], then keras_error = str(error) from "
                           "`except model_files.ModelFileError as error` around saving.load_any(flipped_keras).")
def test_the_damaged_keras_file(flipped_keras, keras_error, paths, model_files):
    assert keras_error is not ..., "`keras_error` is still `...`: set it to the error message, or None if it loaded."
    copy = _one_byte_flipped(flipped_keras, paths["keras"], "flipped_keras")
    expected = _problem(model_files, copy)
    if expected is None:
        assert keras_error is None, f"{copy.name} passes load_any's checks, but `keras_error` is {keras_error!r}."
    else:
        assert isinstance(keras_error, str) and expected in keras_error, (
            f"`keras_error` is {keras_error!r}; load_any says: {expected!r}. Store str(error).")


@test_case(points=1, hidden=False,
           failure_message="Flip the middle byte of a copy of paths['h5'], load it with saving.load_any, and set "
                           "h5_error to str(error), or None if it loaded.")
def test_the_damaged_h5_file(flipped_h5, h5_error, h5_max_difference, paths, model_files):
    assert h5_error is not ..., "`h5_error` is still `...`: set it to the error message, or None if it loaded."
    assert h5_max_difference is not ..., (
        "`h5_max_difference` is still `...`: set it to the largest |difference| of the predictions, or None.")
    copy = _one_byte_flipped(flipped_h5, paths["h5"], "flipped_h5")
    expected = _problem(model_files, copy)
    if expected is not None:
        assert isinstance(h5_error, str) and expected in h5_error, (
            f"`h5_error` is {h5_error!r}; load_any says: {expected!r}. Store str(error).")
    if h5_error is None:
        assert h5_max_difference is not None and np.ndim(h5_max_difference) == 0, (
            f"the .h5 copy loaded, so `h5_max_difference` must be one number, not {h5_max_difference!r}: "
            "float(np.abs(damaged_model.predict(x_test) - original).max()).")
        value = float(h5_max_difference)
        assert np.isnan(value) or value >= 0.0, f"`h5_max_difference` is {value}; an absolute difference is >= 0."
    else:
        assert h5_max_difference is None, (
            f"`h5_error` says the copy did not load, so `h5_max_difference` must be None, not {h5_max_difference!r}.")


@test_case(points=1, hidden=False,
           failure_message="Open both .h5 files with h5py, collect every dataset with visititems, and name the one "
                           "whose values (dataset[()]) differ.")
def test_the_array_the_byte_hit(damaged_array, h5_max_difference, flipped_h5, paths):
    assert damaged_array is not ..., (
        "`damaged_array` is still `...`: set it to the name of the dataset that changed, or None.")
    assert not _unset(flipped_h5), "`flipped_h5` is still `...`: set it first."
    try:
        damaged, intact = _datasets(flipped_h5), _datasets(paths["h5"])
    except OSError:
        damaged, intact = None, None
    if damaged is None:
        assert damaged_array is None, f"h5py cannot open {Path(flipped_h5).name}, so `damaged_array` must be None."
        return
    changed = sorted(name for name, values in intact.items()
                     if name not in damaged or np.asarray(damaged[name]).tobytes() != np.asarray(values).tobytes())
    if not changed:
        assert damaged_array is None, f"no dataset differs between the two files; `damaged_array` is {damaged_array!r}."
        return
    assert damaged_array in changed, (
        f"`damaged_array` is {damaged_array!r}; the dataset whose values differ is {changed[0]!r}.")
    if damaged_array.startswith("optimizer_weights") and h5_max_difference is not None:
        assert float(h5_max_difference) <= 1e-6, (
            f"the byte hit the optimizer state ({damaged_array}), which predict never reads, yet `h5_max_difference` "
            f"is {float(h5_max_difference):.3g}: compare the damaged model's predictions on x_test with `original`.")
