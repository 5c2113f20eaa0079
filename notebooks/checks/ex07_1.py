"""Checks for exercise 07.1, What the optimizer state costs."""

from pathlib import Path

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex07_1"


def _unset(value):
    return value is None or value is ...


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Save with model.save(out / 'mnist_cnn_no_optimizer.h5', include_optimizer=False) "
               "and set h5_without_optimizer to that path.",
               "用 model.save(out / 'mnist_cnn_no_optimizer.h5', include_optimizer=False) 保存，"
               "并把 h5_without_optimizer 设为该路径。",
           ))
def test_the_file_holds_the_model_without_its_optimizer(h5_without_optimizer):
    assert not _unset(h5_without_optimizer), tr(
        "`h5_without_optimizer` is still `...`: set it to the Path of the .h5 file you saved.",
        "`h5_without_optimizer` 仍是 `...`：请把它设为你保存的 .h5 文件的 Path。",
    )
    path = Path(h5_without_optimizer)
    assert path.is_file(), tr(
        f"`h5_without_optimizer` is {str(path)!r}, and there is no file there.",
        f"`h5_without_optimizer` 是 {str(path)!r}，但那里没有文件。",
    )
    assert path.suffix == ".h5", tr(
        f"`h5_without_optimizer` ends in {path.suffix!r}; the exercise compares legacy .h5 files.",
        f"`h5_without_optimizer` 以 {path.suffix!r} 结尾；本练习比较的是旧版 .h5 文件。",
    )
    import h5py

    with h5py.File(path, "r") as handle:
        has_architecture = "model_config" in handle.attrs
        groups = sorted(handle)
    assert has_architecture, tr(
        f"{path.name} has no model_config: it holds weights only (save_weights); save the whole model with model.save.",
        f"{path.name} 中没有 model_config：它只保存了权重（save_weights）；请用 model.save 保存整个模型。",
    )
    assert "optimizer_weights" not in groups, tr(
        f"{path.name} still holds the optimizer (its groups are {groups}): pass include_optimizer=False.",
        f"{path.name} 仍保存着优化器（其分组为 {groups}）：请传入 include_optimizer=False。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Divide (out / 'mnist_cnn.h5').stat().st_size by h5_without_optimizer.stat().st_size.",
               "用 (out / 'mnist_cnn.h5').stat().st_size 除以 h5_without_optimizer.stat().st_size。",
           ))
def test_the_measured_ratio(h5_without_optimizer, size_ratio, out, comparison):
    assert not _unset(size_ratio), tr(
        "`size_ratio` is still `...`: set it to the size with the optimizer / without.",
        "`size_ratio` 仍是 `...`：请把它设为带优化器的大小 / 不带优化器的大小。",
    )
    assert not _unset(h5_without_optimizer), tr(
        "`h5_without_optimizer` is still `...`: set it first.",
        "`h5_without_optimizer` 仍是 `...`：请先设置它。",
    )
    without = Path(h5_without_optimizer).stat().st_size
    with_optimizer = {}
    if out is not None and (Path(out) / "mnist_cnn.h5").is_file():
        with_optimizer["mnist_cnn.h5"] = (Path(out) / "mnist_cnn.h5").stat().st_size
    if comparison is not None:
        for row in comparison:
            if row["format"] == "legacy .h5":
                with_optimizer[tr("the table's legacy .h5", "表中的旧版 .h5")] = row["size (kB)"] * 1000
    assert with_optimizer, tr(
        "mnist_cnn.h5 is missing from `out`: run the lesson's cells (section 3) first.",
        "`out` 中缺少 mnist_cnn.h5：请先运行本课的单元格（第 3 节）。",
    )
    ratio = float(size_ratio)
    expected = {name: size / without for name, size in with_optimizer.items()}
    given = ", ".join(f"{value:.3f} ({name})" for name, value in expected.items())
    assert any(abs(ratio - value) <= 0.01 * value for value in expected.values()), tr(
        f"`size_ratio` is {ratio:.3f}, but the files give {given} for your file's {without:,} bytes. "
        "Divide the larger file's size by the smaller's.",
        f"`size_ratio` 是 {ratio:.3f}，但对你的文件的 {without:,} 字节，这些文件给出的是 {given}。"
        "请用较大文件的大小除以较小文件的大小。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Use section 1's counts: (weights + the numbers in Adam's arrays) / weights.",
               "使用第 1 节的计数：(权重数 + Adam 各数组中的数值个数) / 权重数。",
           ))
def test_the_predicted_ratio(predicted_ratio, model):
    assert not _unset(predicted_ratio), tr(
        "`predicted_ratio` is still `...`: set it to (weights + Adam's numbers) / weights.",
        "`predicted_ratio` 仍是 `...`：请把它设为 (权重数 + Adam 的数值个数) / 权重数。",
    )
    weights = model.count_params()
    adam = sum(int(v.numpy().size) for v in model.optimizer.variables if v.path.endswith(("momentum", "velocity")))
    expected = (weights + adam) / weights
    assert abs(float(predicted_ratio) - expected) <= 0.01, tr(
        f"`predicted_ratio` is {float(predicted_ratio):.3f}; section 1's counts give ({weights:,} + {adam:,}) / "
        f"{weights:,} = {expected:.3f}.",
        f"`predicted_ratio` 是 {float(predicted_ratio):.3f}；第 1 节的计数给出 ({weights:,} + {adam:,}) / "
        f"{weights:,} = {expected:.3f}。",
    )
