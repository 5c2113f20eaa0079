"""Checks for exercise 12.3, Your digits."""

import numbers
from pathlib import Path

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex12_3"


def _prepared_batch(my_digit_files, images):
    return np.concatenate([images.load_digit_image(path)[1] for path in my_digit_files])


@test_case(points=1, hidden=False,
           failure_message="Save at least three pictures of digits (PNG or JPEG), list their paths in "
                           "my_digit_files and the digits you wrote in my_digit_labels.")
def test_the_pictures(my_digit_files, my_digit_labels, images):
    assert my_digit_files is not ... and my_digit_files is not None, \
        "`my_digit_files` is still `...`: set it to the list of your pictures' paths."
    assert my_digit_labels is not ... and my_digit_labels is not None, \
        "`my_digit_labels` is still `...`: set it to the digits you wrote, one per picture."
    assert isinstance(my_digit_files, list | tuple) and len(my_digit_files) >= 3, \
        f"`my_digit_files` should list at least 3 pictures; it is {my_digit_files!r}."
    missing = [str(path) for path in my_digit_files if not Path(path).is_file()]
    assert not missing, f"no picture at {missing}."
    assert isinstance(my_digit_labels, list | tuple) and len(my_digit_labels) == len(my_digit_files), \
        f"`my_digit_labels` is {my_digit_labels!r}; expected one digit per picture ({len(my_digit_files)})."
    for position, label in enumerate(my_digit_labels):
        assert isinstance(label, numbers.Integral) and not isinstance(label, bool) and 0 <= label <= 9, \
            f"my_digit_labels[{position}] is {label!r}; expected a digit from 0 to 9."
    for path in my_digit_files:
        try:
            images.load_digit_image(path)
        except (ValueError, OSError) as error:
            raise AssertionError(f"{Path(path).name} cannot be prepared: {error}") from error


@test_case(points=1, hidden=False,
           failure_message="Prepare the pictures with images.load_digit_image(path)[1], stack them with "
                           "np.concatenate, and take predict(batch).argmax(axis=1) for each format in runners.")
def test_every_format_classified_them(my_predictions, my_digit_files, runners, images):
    assert my_predictions is not ... and my_predictions is not None, \
        "`my_predictions` is still `...`: set it to {format name: [predicted digit for each picture]}."
    assert isinstance(my_predictions, dict) and sorted(my_predictions) == sorted(runners), \
        f"`my_predictions` has the keys {sorted(my_predictions) if isinstance(my_predictions, dict) else '?'}; " \
        f"expected every format of `runners`: {list(runners)}."
    assert isinstance(my_digit_files, list | tuple), "set `my_digit_files` first."
    batch = _prepared_batch(my_digit_files, images)
    for format_name, predict in runners.items():
        expected = [int(digit) for digit in np.asarray(predict(batch)).argmax(axis=1)]
        got = my_predictions[format_name]
        assert [int(digit) for digit in got] == expected, \
            f"my_predictions[{format_name!r}] is {list(got)}; that format reads your pictures as {expected}."


@test_case(points=1, hidden=False,
           failure_message="misread lists the positions i where my_predictions['Keras'][i] differs from "
                           "my_digit_labels[i], in order ([] if there are none).")
def test_the_misread_pictures(misread, my_predictions, my_digit_labels):
    assert misread is not ... and misread is not None, \
        "`misread` is still `...`: set it to the indices of the pictures the Keras format got wrong."
    assert isinstance(my_predictions, dict) and "Keras" in my_predictions, "set `my_predictions` first."
    assert isinstance(my_digit_labels, list | tuple), "set `my_digit_labels` first."
    keras_digits = [int(digit) for digit in my_predictions["Keras"]]
    expected = [i for i, (label, digit) in enumerate(zip(my_digit_labels, keras_digits, strict=True)) if digit != label]
    assert [int(i) for i in misread] == expected, \
        f"`misread` is {list(misread)}; Keras read {keras_digits} where you wrote {list(my_digit_labels)}, so the " \
        f"misread pictures are {expected}."
