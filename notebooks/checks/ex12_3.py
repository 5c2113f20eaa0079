"""Checks for exercise 12.3, Your digits."""

import numbers
from pathlib import Path

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex12_3"


def _prepared_batch(my_digit_files, images):
    return np.concatenate([images.load_digit_image(path)[1] for path in my_digit_files])


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Save at least three pictures of digits (PNG or JPEG), list their paths in "
               "my_digit_files and the digits you wrote in my_digit_labels.",
               "保存至少三张数字图片（PNG 或 JPEG），把它们的路径列在 "
               "my_digit_files 中，把你写的数字列在 my_digit_labels 中。",
           ))
def test_the_pictures(my_digit_files, my_digit_labels, images):
    assert my_digit_files is not ... and my_digit_files is not None, tr(
        "`my_digit_files` is still `...`: set it to the list of your pictures' paths.",
        "`my_digit_files` 仍是 `...`：请把它设为你的图片路径列表。",
    )
    assert my_digit_labels is not ... and my_digit_labels is not None, tr(
        "`my_digit_labels` is still `...`: set it to the digits you wrote, one per picture.",
        "`my_digit_labels` 仍是 `...`：请把它设为你写的数字，每张图片一个。",
    )
    assert isinstance(my_digit_files, list | tuple) and len(my_digit_files) >= 3, tr(
        f"`my_digit_files` should list at least 3 pictures; it is {my_digit_files!r}.",
        f"`my_digit_files` 应列出至少 3 张图片；它是 {my_digit_files!r}。",
    )
    missing = [str(path) for path in my_digit_files if not Path(path).is_file()]
    assert not missing, tr(
        f"no picture at {missing}.",
        f"{missing} 处没有图片。",
    )
    assert isinstance(my_digit_labels, list | tuple) and len(my_digit_labels) == len(my_digit_files), tr(
        f"`my_digit_labels` is {my_digit_labels!r}; expected one digit per picture ({len(my_digit_files)}).",
        f"`my_digit_labels` 是 {my_digit_labels!r}；应为每张图片一个数字（{len(my_digit_files)} 个）。",
    )
    for position, label in enumerate(my_digit_labels):
        assert isinstance(label, numbers.Integral) and not isinstance(label, bool) and 0 <= label <= 9, tr(
            f"my_digit_labels[{position}] is {label!r}; expected a digit from 0 to 9.",
            f"my_digit_labels[{position}] 是 {label!r}；应为 0 到 9 之间的数字。",
        )
    for path in my_digit_files:
        try:
            images.load_digit_image(path)
        except (ValueError, OSError) as error:
            raise AssertionError(tr(
                f"{Path(path).name} cannot be prepared: {error}",
                f"{Path(path).name} 无法预处理：{error}",
            )) from error


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Prepare the pictures with images.load_digit_image(path)[1], stack them with "
               "np.concatenate, and take predict(batch).argmax(axis=1) for each format in runners.",
               "用 images.load_digit_image(path)[1] 预处理这些图片，用 np.concatenate 把它们"
               "堆叠起来，并对 runners 中的每种格式取 predict(batch).argmax(axis=1)。",
           ))
def test_every_format_classified_them(my_predictions, my_digit_files, runners, images):
    assert my_predictions is not ... and my_predictions is not None, tr(
        "`my_predictions` is still `...`: set it to {format name: [predicted digit for each picture]}.",
        "`my_predictions` 仍是 `...`：请把它设为 {格式名: [每张图片预测的数字]}。",
    )
    assert isinstance(my_predictions, dict) and sorted(my_predictions) == sorted(runners), tr(
        f"`my_predictions` has the keys {sorted(my_predictions) if isinstance(my_predictions, dict) else '?'}; "
        f"expected every format of `runners`: {list(runners)}.",
        f"`my_predictions` 的键是 {sorted(my_predictions) if isinstance(my_predictions, dict) else '?'}；"
        f"应为 `runners` 中的每种格式：{list(runners)}。",
    )
    assert isinstance(my_digit_files, list | tuple), tr(
        "set `my_digit_files` first.",
        "请先设置 `my_digit_files`。",
    )
    batch = _prepared_batch(my_digit_files, images)
    for format_name, predict in runners.items():
        expected = [int(digit) for digit in np.asarray(predict(batch)).argmax(axis=1)]
        got = my_predictions[format_name]
        assert [int(digit) for digit in got] == expected, tr(
            f"my_predictions[{format_name!r}] is {list(got)}; that format reads your pictures as {expected}.",
            f"my_predictions[{format_name!r}] 是 {list(got)}；该格式把你的图片读作 {expected}。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "misread lists the positions i where my_predictions['Keras'][i] differs from "
               "my_digit_labels[i], in order ([] if there are none).",
               "misread 按顺序列出 my_predictions['Keras'][i] 与 my_digit_labels[i] 不同的"
               "位置 i（没有则为 []）。",
           ))
def test_the_misread_pictures(misread, my_predictions, my_digit_labels):
    assert misread is not ... and misread is not None, tr(
        "`misread` is still `...`: set it to the indices of the pictures the Keras format got wrong.",
        "`misread` 仍是 `...`：请把它设为 Keras 格式读错的图片的下标。",
    )
    assert isinstance(my_predictions, dict) and "Keras" in my_predictions, tr(
        "set `my_predictions` first.",
        "请先设置 `my_predictions`。",
    )
    assert isinstance(my_digit_labels, list | tuple), tr(
        "set `my_digit_labels` first.",
        "请先设置 `my_digit_labels`。",
    )
    keras_digits = [int(digit) for digit in my_predictions["Keras"]]
    expected = [i for i, (label, digit) in enumerate(zip(my_digit_labels, keras_digits, strict=True)) if digit != label]
    assert [int(i) for i in misread] == expected, tr(
        f"`misread` is {list(misread)}; Keras read {keras_digits} where you wrote {list(my_digit_labels)}, so the "
        f"misread pictures are {expected}.",
        f"`misread` 是 {list(misread)}；Keras 读出的是 {keras_digits}，而你写的是 {list(my_digit_labels)}，所以"
        f"读错的图片是 {expected}。",
    )
