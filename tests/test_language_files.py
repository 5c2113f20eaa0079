"""The errors of the file, image, data, export and checkpoint helpers in English and in Chinese (issue 20).

For a representative set of what a student runs into (an empty or damaged model file, a wrong image
shape, a bad data source, a checkpoint that cannot be configured or restored), the message is
English by default and Chinese after ``language.choose("zh")``; the English text is the one the
other tests assert. The tables of checks in :mod:`course_utils.model_files` are made at import, so
one test switches the language after import, back and forth, and reads the same row each time.
"""

from __future__ import annotations

import errno
import json
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from course_utils import callbacks, data, export, images, language, model_files, saving, weights_text


@pytest.fixture(autouse=True)
def english_unless_chosen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts in English (no COURSE_LANG, nothing chosen) and leaves nothing chosen behind."""
    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.setattr(language, "_detected", None, raising=False)  # the notebook's edition, looked for anew
    language.choose(None)
    yield
    language.choose(None)


def message(action: Callable[[], object], error: type[BaseException] | tuple[type[BaseException], ...]) -> str:
    """The message of the error ``action`` raises."""
    with pytest.raises(error) as caught:
        action()
    return str(caught.value)


def in_both(
    action: Callable[[], object],
    error: type[BaseException] | tuple[type[BaseException], ...],
    english: str,
    chinese: str,
) -> tuple[str, str]:
    """Raise the error in English, then in Chinese; each holds its own text and not the other's."""
    in_english = message(action, error)
    language.choose("zh")
    in_chinese = message(action, error)
    language.choose(None)
    assert english in in_english, in_english
    assert chinese not in in_english, in_english
    assert chinese in in_chinese, in_chinese
    assert english not in in_chinese, in_chinese
    return in_english, in_chinese


# ---------------------------------------------------------------- model files


def test_an_empty_model_file(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    path.write_bytes(b"")
    english, chinese = in_both(
        lambda: model_files.identify(path),
        model_files.ModelFileError,
        "this file is empty (0 bytes): saving was interrupted or the disk was full.",
        "这个文件是空的（0 字节）：保存被中断了，或者磁盘已满。",
    )
    assert english.startswith(f"{path}: ") and "\nFix: save the model again" in english
    assert chinese.startswith(f"{path}: 这个文件") and "\n解决办法：请重新保存模型" in chinese


def test_a_keras_file_cut_short(tmp_path: Path) -> None:
    """A real zip with the parts of a .keras file, of which the end (the zip's directory) is lost."""
    whole = tmp_path / "whole.keras"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        archive.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": []}}))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(2000))
    cut = tmp_path / "cut.keras"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    in_both(
        lambda: model_files.identify(cut),
        model_files.ModelFileError,
        "this .keras file (a zip archive) is incomplete: its end is missing (truncated)",
        "这个 .keras 文件（zip 压缩包）不完整：它的结尾缺失（被截断）",
    )


def test_a_keras_zip_without_a_config(tmp_path: Path) -> None:
    path = tmp_path / "notes.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    in_both(
        lambda: model_files.describe(path),
        model_files.ModelFileError,
        "this zip archive is not a Keras model: it has no config.json (it holds notes.txt).",
        "这个 zip 压缩包不是 Keras 模型：它没有 config.json（其中有 notes.txt）。",
    )


def test_a_web_page_saved_as_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.h5"
    path.write_text("<!DOCTYPE html><html>Not Found</html>", encoding="utf-8")
    in_both(
        lambda: saving.load_any(path),
        model_files.ModelFileError,
        "this is not a Keras model file: it holds text, not a model",
        "这不是 Keras 模型文件：它存放的是文本，不是模型",
    )


def test_a_typo_in_the_name_suggests_the_file_in_both_languages(tmp_path: Path) -> None:
    (tmp_path / "model.keras").write_bytes(b"PK\x03\x04")
    in_both(
        lambda: model_files.identify(tmp_path / "modle.keras"),
        model_files.ModelFileError,
        "there is no such file or folder. Did you mean 'model.keras'?",
        "没有这个文件或文件夹。你要找的是不是 'model.keras'？",
    )


def test_not_a_path() -> None:
    in_both(
        lambda: model_files.as_path(None),
        model_files.ModelFileError,
        "this is a NoneType, not a path",
        "这是一个 NoneType，不是路径",
    )


def test_the_tables_of_checks_follow_the_language_after_import(tmp_path: Path) -> None:
    """_IDENTIFY, _LOAD_ERRORS and _VARIABLE_ERRORS were built at import; their texts are made at use."""
    lambda_error = ValueError("Requested the deserialization of a Lambda layer ... pass `safe_mode=False`")
    checksum_error = ValueError("Checksum does not match: stored 1234 vs. calculated on the restored bytes 5678")
    path = tmp_path / "model.keras"
    for chosen, lambda_text, checksum_text in [
        (None, "the model contains a Lambda layer", "its variables fail their checksum (CRC-32C)"),
        ("zh", "这个模型含有 Lambda 层", "它的变量没有通过校验和（CRC-32C）检查"),
        (None, "the model contains a Lambda layer", "its variables fail their checksum (CRC-32C)"),
        ("zh", "这个模型含有 Lambda 层", "它的变量没有通过校验和（CRC-32C）检查"),
    ]:
        language.choose(chosen)
        explained = model_files._explain_load_error(path, lambda_error)
        assert lambda_text in explained.problem and lambda_text in str(explained)
        assert "safe_mode=False" in explained.fix
        assert model_files._variables_problem(str(tmp_path / "ckpt-1"), checksum_error).startswith(checksum_text)


def test_the_formats_table_follows_the_language() -> None:
    assert model_files.FORMATS[model_files.H5].label == "legacy .h5"
    assert model_files.FORMATS[model_files.WEIGHTS].needs_code == "yes: build the model first"
    language.choose("zh")
    assert model_files.FORMATS[model_files.H5].label == "旧版 .h5"
    assert model_files.FORMATS[model_files.WEIGHTS].needs_code == "需要：先构建模型"
    assert model_files.FORMATS[model_files.KERAS].label == ".keras"  # a name from code, never translated


def test_a_weights_text_file_with_values_before_a_variable(tmp_path: Path) -> None:
    path = tmp_path / "weights.txt"
    path.write_text("# weights\n1 2 3\n", encoding="utf-8")
    in_both(
        lambda: weights_text.read_weights_text(path),
        model_files.ModelFileError,
        "line 2 has values before any 'variable' line.",
        "第 2 行在任何 'variable' 行之前就出现了数值。",
    )


def test_an_unknown_save_format(tmp_path: Path) -> None:
    in_both(
        lambda: saving.save_format(None, tmp_path / "model.bin", "pickle"),  # the model is never reached
        ValueError,
        "unknown format 'pickle'; choose one of",
        "未知的格式 'pickle'；请从",
    )


# ---------------------------------------------------------------- images


def test_a_wrong_image_shape() -> None:
    in_both(
        lambda: images.mnist_style(np.zeros((28, 28, 3), dtype=np.uint8)),
        images.DigitImageError,
        "expected a 2-D greyscale picture (height, width), got shape (28, 28, 3)",
        "需要一张二维灰度图片（高, 宽），得到的形状却是 (28, 28, 3)",
    )


def test_a_picture_too_small_and_one_without_ink() -> None:
    in_both(
        lambda: images.mnist_style(np.zeros((5, 6), dtype=np.uint8)),
        images.DigitImageError,
        "The picture is too small: 6×5 pixels, and a digit needs at least 8×8",
        "这张图片太小了：6×5 像素，而一个数字至少需要 8×8 像素",
    )
    in_both(
        lambda: images.mnist_style(np.full((40, 40), 200, dtype=np.uint8)),
        images.DigitImageError,
        "No ink found: the picture is one flat colour.",
        "没有找到笔迹：整张图片是同一种颜色。",
    )


def test_a_picture_file_too_small(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "tiny.png"
    Image.fromarray(np.full((5, 6), 255, dtype=np.uint8)).save(path)
    in_both(
        lambda: images.load_digit_image(path),
        images.DigitImageError,
        f"{path} is too small: 6×5 pixels",
        f"图片 {path} 太小了：6×5 像素",
    )


def test_an_empty_picture_file(tmp_path: Path) -> None:
    path = tmp_path / "digit.png"
    path.write_bytes(b"")
    in_both(
        lambda: images.load_digit_image(path),
        images.DigitImageError,
        f"{path} is empty (0 bytes): the copy, download or save did not finish. Copy, download or export",
        f"{path} 是空文件（0 字节）：复制、下载或保存没有完成。请重新复制、下载或导出这张图片",
    )


# ---------------------------------------------------------------- data


def test_a_bad_data_source() -> None:
    in_both(
        lambda: data.load_mnist(source="internet", verbose=False),
        ValueError,
        "source must be 'auto', 'bundled' or 'keras', not 'internet'",
        "source 必须是 'auto'、'bundled' 或 'keras'，而不是 'internet'",
    )


def test_damaged_data_files(tmp_path: Path) -> None:
    in_both(
        lambda: data.read_idx(tmp_path / "missing-idx1-ubyte.gz"),
        data.DataError,
        "missing-idx1-ubyte.gz does not exist.",
        "missing-idx1-ubyte.gz 不存在。",
    )
    english, chinese = in_both(
        lambda: data.check_digits(np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 11], np.uint8), "x"),
        data.DataError,
        "x: labels reach 11, expected 0-9. Reinstall the course_utils package",
        "x：标签最大到 11，应为 0-9。请重新安装 course_utils 包",
    )
    assert "git checkout course_utils/resources/" in chinese  # commands are never translated


def test_the_data_status_line(capsys: pytest.CaptureFixture[str]) -> None:
    data.load_mnist(source="bundled", fast=True)
    english = capsys.readouterr().out
    language.choose("zh")
    data.load_mnist(source="bundled", fast=True)
    chinese = capsys.readouterr().out
    assert "Using the bundled MNIST digits (mnist-10k.npz" in english
    assert "Fast mode: keeping 1,200 training and 300 test digits." in english
    assert "使用随课程附带的 MNIST 数字（mnist-10k.npz" in chinese
    assert "快速模式：保留 1,200 个训练数字和 300 个测试数字。" in chinese


# ---------------------------------------------------------------- export


def test_one_image_without_the_batch_axis() -> None:
    image = np.zeros((28, 28, 1), dtype=np.float32)
    in_both(
        lambda: export.check_batch_shape(image, (28, 28, 1)),
        ValueError,
        "input has shape (28, 28, 1); expected a batch (N, 28, 28, 1). This is one image without the batch axis",
        "“输入”的形状是 (28, 28, 1)；需要一个批次 (N, 28, 28, 1)。这是一张没有批次轴的图像",
    )


def test_uint8_pixels_and_a_bad_quantisation() -> None:
    in_both(
        lambda: export.check_float_images(np.zeros((2, 28, 28, 1), dtype=np.uint8), "x_test"),
        TypeError,
        "x_test has dtype uint8; the model takes float32 pixels in [0, 1].",
        "“x_test”的 dtype 是 uint8；模型接受 [0, 1] 范围内的 float32 像素。",
    )
    in_both(
        lambda: export.litert_options("int4"),
        ValueError,
        "quantization must be one of",
        "quantization 必须是",
    )


# ---------------------------------------------------------------- checkpoints


def test_a_checkpoint_callback_with_a_bad_option(tmp_path: Path) -> None:
    in_both(
        lambda: callbacks.SafeModelCheckpoint(tmp_path / "best.keras", on_write_error="ignore"),
        ValueError,
        "on_write_error must be 'warn' or 'raise', not 'ignore'.",
        "on_write_error 必须是 'warn' 或 'raise'，而不是 'ignore'。",
    )


def test_a_damaged_backup_state(tmp_path: Path) -> None:
    backup = callbacks.SafeBackupAndRestore(tmp_path / "backup")
    backup.state_path.parent.mkdir(parents=True)
    backup.state_path.write_text('{"epoch": "three"}', encoding="utf-8")
    in_both(
        backup.read_state,
        ValueError,
        "is not a backup state written by SafeBackupAndRestore",
        "不是 SafeBackupAndRestore 写出的备份状态",
    )


def test_why_a_checkpoint_could_not_be_written() -> None:
    """The table of write faults, made at import, gives each reason and fix in the language of the moment."""
    folder = Path("/mnt/usb")
    assert callbacks._WRITE_FAULTS[errno.ENOSPC](folder)[0] == "the disk is full"
    assert callbacks._WRITE_FAULTS[errno.EROFS](folder)[0] == "/mnt/usb is read-only"
    language.choose("zh")
    assert callbacks._WRITE_FAULTS[errno.ENOSPC](folder)[0] == "磁盘已满"
    reason, fix = callbacks._WRITE_FAULTS[errno.EROFS](folder)
    assert reason == "/mnt/usb 是只读的" and "filepath" in fix and "可写" in fix


# ---------------------------------------------------------------- figures


def test_the_comparison_figures_follow_the_language_without_missing_glyphs() -> None:
    import matplotlib.pyplot as plt

    from course_utils.tables import Table

    formats = Table([{"format": ".keras", "size (kB)": 1100.0, "load (s)": 0.2}])
    deployments = Table(
        [{"format": "Keras predict", "size (kB)": 1100.0, "ms / image (batch 1)": 2.0, "accuracy": 0.98}]
    )
    english = saving.plot_comparison(formats), export.plot_deployments(deployments)
    assert english[0].axes[0].get_xlabel() == "size on disk (kB)"
    assert english[1].axes[2].get_xlabel() == "test accuracy (%)"
    language.choose("zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chinese = saving.plot_comparison(formats), export.plot_deployments(deployments)
        for figure in chinese:
            figure.canvas.draw()  # Matplotlib warns "Glyph ... missing from font(s)" for a character without a font
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert chinese[0].axes[0].get_xlabel() == "磁盘上的大小（kB）"
    assert chinese[1].axes[2].get_xlabel() == "测试准确率（%）"
    for figure in (*english, *chinese):
        plt.close(figure)
