"""Deployment formats keep the model's answers, the wrappers refuse bad input, your own digit is read like MNIST.

One small CNN is trained once for the module and converted to every format by
``compare_deployments`` (with one timing repeat). The timings are held only to what survives a
busy machine: plausible sizes, and the two orders lesson 12 draws from them, which hold by a
factor of a hundred (model.predict's fixed cost per call; LiteRT against model.predict).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image, ImageDraw

from course_utils import export, images, models

MY_DIGIT = images.EXAMPLE_DIGIT_PATH
EXACT_FORMATS = ("Keras model(x)", "SavedModel", "LiteRT float32", "LiteRT float16", "ONNX")


@pytest.fixture(scope="module")
def model(fast_digits: dict[str, np.ndarray]) -> keras.Model:
    keras.utils.set_random_seed(1)
    cnn = models.build_cnn_3x3(filters=16)
    cnn.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cnn.fit(fast_digits["x_train"], fast_digits["y_train"], batch_size=64, epochs=3, verbose=0)
    return cnn


@pytest.fixture(scope="module")
def comparison(model: keras.Model, fast_digits: dict[str, np.ndarray], tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("deployments")
    table = export.compare_deployments(model, fast_digits["x_test"], fast_digits["y_test"],
                                       representative=fast_digits["x_train"][:200], folder=folder, repeats=1)
    return table, folder


# --------------------------------------------------------------------------------------------
# Every format gives the Keras model's answers
# --------------------------------------------------------------------------------------------


def test_every_format_keeps_the_accuracy(comparison, model) -> None:
    table, _ = comparison
    assert table.column("format") == list(export.FORMATS)
    keras_accuracy = table.find("format", "Keras predict")["accuracy"]
    assert keras_accuracy > 0.85, "the model must have learned something, or agreement proves nothing"
    for row in table:
        assert abs(row["accuracy"] - keras_accuracy) <= 0.005, row["format"]
    tolerance = export.agreement_tolerance(model)  # 1e-3 for float32; more under mixed precision
    for name in EXACT_FORMATS:
        assert table.find("format", name)["max |Δ|"] <= tolerance, name
    # Quantised files do change the probabilities (a little): the column measures something.
    assert table.find("format", "LiteRT int8")["max |Δ|"] > 1e-3


def test_table_measures_sizes_times_and_speeds(comparison) -> None:
    table, folder = comparison
    sizes = {row["format"]: row["size (kB)"] for row in table}
    assert sizes["LiteRT dynamic"] < 0.35 * sizes["LiteRT float32"]
    assert sizes["LiteRT int8"] < 0.35 * sizes["LiteRT float32"]
    assert 0.4 * sizes["LiteRT float32"] < sizes["LiteRT float16"] < 0.6 * sizes["LiteRT float32"]
    assert sizes["LiteRT float32"] == pytest.approx((folder / "model_float32.tflite").stat().st_size / 1000)
    for row in table:
        # Milliseconds and images per second of a small CNN on a CPU, however busy: from 1 µs to 2 s per
        # digit alone, from 10 to a million digits a second in batches (a unit slip is a factor of 1000).
        assert 1e-3 < row["ms / image (batch 1)"] < 2000, row
        assert 10 < row["images / s (batch 256)"] < 1e6, row
        keras_row = row["format"].startswith("Keras")
        assert (row["convert (s)"] is None) == keras_row
    # Lesson 12: model.predict's fixed cost per call is nearly all of its time for one digit; at batch
    # 256 the digits share it, so it gets through many more digits a second than one at a time.
    keras_predict, int8 = table.find("format", "Keras predict"), table.find("format", "LiteRT int8")
    assert keras_predict["images / s (batch 256)"] > 1000 / keras_predict["ms / image (batch 1)"]
    # What lesson 12 prints: how many times faster LiteRT int8 is than model.predict for one digit.
    ratio = export.speed_ratio(table)
    assert ratio == pytest.approx(keras_predict["ms / image (batch 1)"] / int8["ms / image (batch 1)"])
    assert ratio > 1
    assert "LiteRT int8" in str(table) and "<table>" in table._repr_html_()


# --------------------------------------------------------------------------------------------
# The wrappers
# --------------------------------------------------------------------------------------------


def test_int8_file_takes_raw_pixels_and_the_wrapper_quantises(comparison, fast_digits) -> None:
    _, folder = comparison
    int8 = export.LiteRTModel(folder / "model_int8.tflite")
    assert int8.input_dtype == np.uint8
    scale, zero_point = int8.input_quantization
    assert scale == pytest.approx(1 / 255) and zero_point == 0
    assert int8.quantize_input(np.array([0.0, 0.2, 1.0])).tolist() == [0, 51, 255]

    # By hand: with scale 1/255 the uint8 input is the original pixel value.
    raw = fast_digits["raw_test"][:5, :, :, np.newaxis]
    interpreter = int8.interpreter
    interpreter.resize_tensor_input(int8.input_index, list(raw.shape))
    interpreter.allocate_tensors()
    interpreter.set_tensor(int8.input_index, raw)
    interpreter.invoke()
    by_hand = interpreter.get_tensor(int8.output_index)
    out_scale, out_zero = int8.output_quantization
    expected = (by_hand.astype(np.float32) - out_zero) * out_scale

    probabilities = int8.predict(fast_digits["x_test"][:5])
    assert probabilities.dtype == np.float32 and probabilities.shape == (5, 10)
    np.testing.assert_allclose(probabilities, expected)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=0.05)


def test_predict_gives_the_same_answers_for_any_batch_size(comparison, fast_digits) -> None:
    _, folder = comparison
    x = fast_digits["x_test"][:20]
    for runner in (export.LiteRTModel(folder / "model_float32.tflite"), export.OnnxModel(folder / "model.onnx")):
        whole = runner.predict(x)
        np.testing.assert_allclose(runner.predict(x, batch_size=7), whole, atol=1e-6)
        np.testing.assert_allclose(runner.predict(x[3:4]), whole[3:4], atol=1e-6)
        np.testing.assert_allclose(runner.predict(x.astype(np.float64)), whole, atol=1e-6)


def test_wrappers_refuse_bad_input_with_clear_errors(comparison, fast_digits) -> None:
    _, folder = comparison
    x = fast_digits["x_test"][:3]
    runners = [export.LiteRTModel(folder / name) for name in ("model_float32.tflite", "model_int8.tflite")]
    runners.append(export.OnnxModel(folder / "model.onnx"))
    for runner in runners:
        with pytest.raises(ValueError, match=r"without the batch axis.*np.newaxis"):
            runner.predict(x[0])
        with pytest.raises(ValueError, match="channel axis is missing"):
            runner.predict(x[..., 0])
        with pytest.raises(ValueError, match=r"expected a batch \(N, 28, 28, 1\)"):
            runner.predict(np.zeros((2, 32, 32, 1), np.float32))
        with pytest.raises(TypeError, match=r"uint8.*data.prepare"):
            runner.predict(fast_digits["raw_test"][:3, :, :, np.newaxis])
    with pytest.raises(ValueError, match="represents only"):
        runners[1].predict(x * 255)  # float pixels that were never scaled to [0, 1]
    with pytest.raises(FileNotFoundError, match="No LiteRT file"):
        export.LiteRTModel(folder / "missing.tflite")
    with pytest.raises(FileNotFoundError, match="No ONNX file"):
        export.OnnxModel(folder / "missing.onnx")


def test_converters_refuse_bad_arguments(model, fast_digits, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.tflite"):
        export.to_litert(model, tmp_path / "model.lite")
    with pytest.raises(ValueError, match="quantization must be one of"):
        export.to_litert(model, tmp_path / "model.tflite", quantization="int4")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="representative"):
        export.to_litert(model, tmp_path / "model.tflite", quantization="int8")
    with pytest.raises(TypeError, match="uint8"):
        export.representative_dataset(fast_digits["raw_test"])
    with pytest.raises(ValueError, match=r"must end in \.onnx"):
        export.to_onnx(model, tmp_path / "model.pb")
    with pytest.raises(ValueError, match="unknown formats"):
        export.compare_deployments(model, fast_digits["x_test"], fast_digits["y_test"], formats=["TensorRT"])
    with pytest.raises(ValueError, match="representative"):
        export.compare_deployments(model, fast_digits["x_test"], fast_digits["y_test"], formats=["LiteRT int8"])
    assert not list(tmp_path.iterdir()), "nothing is written when the arguments are wrong"


def test_to_onnx_writes_the_requested_opset(model, fast_digits, tmp_path: Path) -> None:
    import onnx

    path = export.to_onnx(model, tmp_path / "model.onnx", opset=13)
    opsets = {entry.domain: entry.version for entry in onnx.load(str(path)).opset_import}
    assert opsets[""] == 13
    np.testing.assert_allclose(export.OnnxModel(path).predict(fast_digits["x_test"][:8]),
                               model.predict(fast_digits["x_test"][:8], verbose=0),
                               atol=1e-5 if export.is_float32(model) else export.agreement_tolerance(model))


# --------------------------------------------------------------------------------------------
# "Predict on your own image"
# --------------------------------------------------------------------------------------------


def ink_box(pixels: np.ndarray) -> tuple[int, int]:
    rows, columns = np.nonzero(pixels > images.INK_THRESHOLD)
    return int(rows.max() - rows.min() + 1), int(columns.max() - columns.min() + 1)


def test_the_shipped_digit_is_prepared_like_mnist() -> None:
    assert MY_DIGIT.stat().st_size < 10_000
    with Image.open(MY_DIGIT) as original:
        assert original.size[0] >= 150 and original.getpixel((0, 0)) > 200  # big, dark ink on light paper
    pixels, batch = images.load_digit_image(MY_DIGIT)
    assert pixels.shape == (28, 28) and pixels.dtype == np.uint8
    assert batch.shape == (1, 28, 28, 1) and batch.dtype == np.float32
    np.testing.assert_allclose(batch[0, :, :, 0], pixels / 255.0, atol=1e-6)
    assert pixels.max() == 255 and pixels[0].max() == 0 and pixels[:, 0].max() == 0  # inverted: ink on black
    assert max(ink_box(pixels)) in (19, 20, 21)  # the 20x20 box (anti-aliasing may add a pixel)
    row, column = images.centre_of_mass(pixels)
    assert abs(row - 13.5) <= 1 and abs(column - 13.5) <= 1


def test_a_real_mnist_digit_survives_the_round_trip(fast_digits, tmp_path: Path) -> None:
    # Make a "photo" of an MNIST digit: dark on light, 8x bigger, off-centre on a larger sheet.
    original = fast_digits["raw_test"][0]
    big = Image.fromarray(255 - original).resize((224, 224), Image.Resampling.BICUBIC)
    sheet = Image.new("L", (320, 300), 255)
    sheet.paste(big, (10, 60))
    sheet.save(tmp_path / "photo.png")
    pixels, _ = images.load_digit_image(tmp_path / "photo.png")
    correlation = np.corrcoef(pixels.ravel().astype(float), original.ravel().astype(float))[0, 1]
    assert correlation > 0.9


def test_light_ink_on_dark_and_transparent_drawings_work(tmp_path: Path) -> None:
    light_on_dark = Image.new("L", (120, 160), 0)
    ImageDraw.Draw(light_on_dark).line([(60, 20), (60, 140)], fill=255, width=12)  # a "1"
    light_on_dark.save(tmp_path / "one.png")
    pixels, _ = images.load_digit_image(tmp_path / "one.png")
    height, width = ink_box(pixels)
    assert height in (19, 20, 21) and width < 8  # proportions kept: a tall, thin stroke

    transparent = Image.new("RGBA", (100, 100), (0, 0, 0, 0))  # a drawing app's transparent sheet
    ImageDraw.Draw(transparent).ellipse([20, 15, 80, 85], outline=(0, 0, 0, 255), width=10)  # a "0"
    transparent.save(tmp_path / "zero.png")
    pixels, _ = images.load_digit_image(tmp_path / "zero.png")
    assert pixels[14, 14] < 50 and pixels.max() == 255  # a ring: dark hole, bright ink


def test_own_image_errors_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="No image at"):
        images.load_digit_image(tmp_path / "missing.png")
    (tmp_path / "notes.png").write_text("this is text, not a picture")
    with pytest.raises(images.DigitImageError, match="not an image"):
        images.load_digit_image(tmp_path / "notes.png")
    Image.new("L", (50, 50), 230).save(tmp_path / "blank.png")
    with pytest.raises(images.DigitImageError, match="No ink found"):
        images.load_digit_image(tmp_path / "blank.png")
    assert issubclass(images.DigitImageError, ValueError)
