"""Checks for exercise 08.3, One flipped byte."""

from pathlib import Path

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex08_3"


def _unset(value):
    return value is None or value is ...


def _one_byte_flipped(copy, original, variable):
    assert not _unset(copy), tr(
        f"`{variable}` is still `...`: set it to the Path of your damaged copy.",
        f"`{variable}` 仍是 `...`：请把它设为你损坏的副本的 Path。",
    )
    copy = Path(copy)
    assert copy.is_file(), tr(
        f"`{variable}` is {str(copy)!r}, and there is no file there.",
        f"`{variable}` 是 {str(copy)!r}，但那里没有文件。",
    )
    damaged, intact = np.frombuffer(copy.read_bytes(), np.uint8), np.frombuffer(Path(original).read_bytes(), np.uint8)
    assert damaged.size == intact.size, tr(
        f"{copy.name} has {damaged.size:,} bytes, {Path(original).name} {intact.size:,}: copy it whole and "
        "change one byte.",
        f"{copy.name} 有 {damaged.size:,} 字节，{Path(original).name} 有 {intact.size:,} 字节：请完整复制，"
        "再改动一个字节。",
    )
    changed = np.flatnonzero(damaged != intact)
    assert changed.size == 1, tr(
        f"{copy.name} differs from {Path(original).name} in {changed.size} bytes; flip exactly one: "
        "data[len(data) // 2] ^= 0xFF.",
        f"{copy.name} 与 {Path(original).name} 有 {changed.size} 个字节不同；请恰好翻转一个字节："
        "data[len(data) // 2] ^= 0xFF。",
    )
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
           failure_message=tr(
               "Flip the middle byte of a copy of paths['keras'], then keras_error = str(error) from "
               "`except model_files.ModelFileError as error` around saving.load_any(flipped_keras).",
               "翻转 paths['keras'] 的一个副本的中间字节，然后在 saving.load_any(flipped_keras) 外面套上 "
               "`except model_files.ModelFileError as error`，令 keras_error = str(error)。",
           ))
def test_the_damaged_keras_file(flipped_keras, keras_error, paths, model_files):
    assert keras_error is not ..., tr(
        "`keras_error` is still `...`: set it to the error message, or None if it loaded.",
        "`keras_error` 仍是 `...`：请把它设为错误信息，如果加载成功则为 None。",
    )
    copy = _one_byte_flipped(flipped_keras, paths["keras"], "flipped_keras")
    expected = _problem(model_files, copy)
    if expected is None:
        assert keras_error is None, tr(
            f"{copy.name} passes load_any's checks, but `keras_error` is {keras_error!r}.",
            f"{copy.name} 通过了 load_any 的检查，但 `keras_error` 是 {keras_error!r}。",
        )
    else:
        assert isinstance(keras_error, str) and expected in keras_error, tr(
            f"`keras_error` is {keras_error!r}; load_any says: {expected!r}. Store str(error).",
            f"`keras_error` 是 {keras_error!r}；load_any 给出的是：{expected!r}。请保存 str(error)。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Flip the middle byte of a copy of paths['h5'], load it with saving.load_any, and set "
               "h5_error to str(error), or None if it loaded.",
               "翻转 paths['h5'] 的一个副本的中间字节，用 saving.load_any 加载它，并把 "
               "h5_error 设为 str(error)，如果加载成功则为 None。",
           ))
def test_the_damaged_h5_file(flipped_h5, h5_error, h5_max_difference, paths, model_files):
    assert h5_error is not ..., tr(
        "`h5_error` is still `...`: set it to the error message, or None if it loaded.",
        "`h5_error` 仍是 `...`：请把它设为错误信息，如果加载成功则为 None。",
    )
    assert h5_max_difference is not ..., tr(
        "`h5_max_difference` is still `...`: set it to the largest |difference| of the predictions, or None.",
        "`h5_max_difference` 仍是 `...`：请把它设为预测值之差的最大绝对值，或 None。",
    )
    copy = _one_byte_flipped(flipped_h5, paths["h5"], "flipped_h5")
    expected = _problem(model_files, copy)
    if expected is not None:
        assert isinstance(h5_error, str) and expected in h5_error, tr(
            f"`h5_error` is {h5_error!r}; load_any says: {expected!r}. Store str(error).",
            f"`h5_error` 是 {h5_error!r}；load_any 给出的是：{expected!r}。请保存 str(error)。",
        )
    if h5_error is None:
        assert h5_max_difference is not None and np.ndim(h5_max_difference) == 0, tr(
            f"the .h5 copy loaded, so `h5_max_difference` must be one number, not {h5_max_difference!r}: "
            "float(np.abs(damaged_model.predict(x_test) - original).max()).",
            f".h5 副本加载成功了，所以 `h5_max_difference` 必须是一个数，而不是 {h5_max_difference!r}："
            "float(np.abs(damaged_model.predict(x_test) - original).max())。",
        )
        value = float(h5_max_difference)
        assert np.isnan(value) or value >= 0.0, tr(
            f"`h5_max_difference` is {value}; an absolute difference is >= 0.",
            f"`h5_max_difference` 是 {value}；绝对差应 >= 0。",
        )
    else:
        assert h5_max_difference is None, tr(
            f"`h5_error` says the copy did not load, so `h5_max_difference` must be None, not {h5_max_difference!r}.",
            f"`h5_error` 表明副本没有加载成功，所以 `h5_max_difference` 必须是 None，而不是 {h5_max_difference!r}。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Open both .h5 files with h5py, collect every dataset with visititems, and name the one "
               "whose values (dataset[()]) differ.",
               "用 h5py 打开两个 .h5 文件，用 visititems 收集所有数据集，并给出"
               "值（dataset[()]）不同的那一个的名字。",
           ))
def test_the_array_the_byte_hit(damaged_array, h5_max_difference, flipped_h5, paths):
    assert damaged_array is not ..., tr(
        "`damaged_array` is still `...`: set it to the name of the dataset that changed, or None.",
        "`damaged_array` 仍是 `...`：请把它设为发生变化的数据集的名字，或 None。",
    )
    assert not _unset(flipped_h5), tr(
        "`flipped_h5` is still `...`: set it first.",
        "`flipped_h5` 仍是 `...`：请先设置它。",
    )
    try:
        damaged, intact = _datasets(flipped_h5), _datasets(paths["h5"])
    except OSError:
        damaged, intact = None, None
    if damaged is None:
        assert damaged_array is None, tr(
            f"h5py cannot open {Path(flipped_h5).name}, so `damaged_array` must be None.",
            f"h5py 无法打开 {Path(flipped_h5).name}，所以 `damaged_array` 必须是 None。",
        )
        return
    changed = sorted(name for name, values in intact.items()
                     if name not in damaged or np.asarray(damaged[name]).tobytes() != np.asarray(values).tobytes())
    if not changed:
        assert damaged_array is None, tr(
            f"no dataset differs between the two files; `damaged_array` is {damaged_array!r}.",
            f"两个文件之间没有不同的数据集；`damaged_array` 是 {damaged_array!r}。",
        )
        return
    assert damaged_array in changed, tr(
        f"`damaged_array` is {damaged_array!r}; the dataset whose values differ is {changed[0]!r}.",
        f"`damaged_array` 是 {damaged_array!r}；值不同的数据集是 {changed[0]!r}。",
    )
    if damaged_array.startswith("optimizer_weights") and h5_max_difference is not None:
        assert float(h5_max_difference) <= 1e-6, tr(
            f"the byte hit the optimizer state ({damaged_array}), which predict never reads, yet `h5_max_difference` "
            f"is {float(h5_max_difference):.3g}: compare the damaged model's predictions on x_test with `original`.",
            f"这个字节落在了优化器状态（{damaged_array}）中，predict 从不读取它，但 `h5_max_difference` "
            f"是 {float(h5_max_difference):.3g}：请把损坏模型在 x_test 上的预测与 `original` 比较。",
        )
