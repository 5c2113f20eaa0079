"""Checks for exercise 12.1, Calibration size."""

import math
from pathlib import Path

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex12_1"


def _int8_row(table, label):
    assert hasattr(table, "find") and hasattr(table, "column"), \
        f"`{label}` is a {type(table).__name__}; expected the Table that export.compare_deployments returns."
    assert "LiteRT int8" in table.column("format"), \
        f"`{label}` has the rows {table.column('format')}; expected a 'LiteRT int8' row."
    return table.find("format", "LiteRT int8")


def _activation_scales(path):
    """{tensor name: scale} of every int8/uint8 tensor with one scale (activations, input, output)."""
    from ai_edge_litert.interpreter import Interpreter

    scales = {}
    for tensor in Interpreter(model_path=str(path)).get_tensor_details():
        parameters = tensor["quantization_parameters"]
        if len(parameters["scales"]) == 1 and np.dtype(tensor["dtype"]).name in ("int8", "uint8"):
            scales[tensor["name"]] = float(parameters["scales"][0])
    return scales


@test_case(points=1, hidden=False,
           failure_message="Call export.compare_deployments(model, x_test, y_test, representative=x_train[:10], "
                           "folder=out / 'calibration_10', formats=['LiteRT int8'], ...) and read its row and "
                           "table's with .find('format', 'LiteRT int8').")
def test_the_two_rows_compared(calibration_10, accuracy_change, delta_ratio, table):
    assert calibration_10 is not ... and calibration_10 is not None, \
        "`calibration_10` is still `...`: set it to the table export.compare_deployments returns."
    assert accuracy_change is not ... and accuracy_change is not None, \
        "`accuracy_change` is still `...`: set it to the accuracy with 10 images minus the one with 500."
    assert delta_ratio is not ... and delta_ratio is not None, \
        "`delta_ratio` is still `...`: set it to max |Δ| with 10 images divided by max |Δ| with 500."
    small, large = _int8_row(calibration_10, "calibration_10"), _int8_row(table, "table")
    assert len(calibration_10) == 1, \
        f"`calibration_10` has {len(calibration_10)} rows; pass formats=['LiteRT int8'] to measure that one only."
    expected_change = small["accuracy"] - large["accuracy"]
    assert math.isclose(float(accuracy_change), expected_change, abs_tol=1e-9), \
        f"`accuracy_change` is {float(accuracy_change):+.4f}; {small['accuracy']:.4f} (10 images) minus " \
        f"{large['accuracy']:.4f} (table's LiteRT int8) is {expected_change:+.4f}."
    expected_ratio = small["max |Δ|"] / large["max |Δ|"]
    assert math.isclose(float(delta_ratio), expected_ratio, rel_tol=1e-6), \
        f"`delta_ratio` is {float(delta_ratio):.3f}; {small['max |Δ|']:.2e} / {large['max |Δ|']:.2e} is " \
        f"{expected_ratio:.3f}."


@test_case(points=1, hidden=False,
           failure_message="Give compare_deployments folder=out / 'calibration_10' and representative=x_train[:10]: "
                           "the first 10 of the 500 images the lesson calibrated on.")
def test_the_file_was_calibrated_on_fewer_images(calibration_10, out):
    assert calibration_10 is not ... and calibration_10 is not None, \
        "`calibration_10` is still `...`: run export.compare_deployments first."
    small_path, large_path = Path(out) / "calibration_10" / "model_int8.tflite", Path(out) / "model_int8.tflite"
    assert small_path.is_file(), \
        f"no file {small_path.name} in {small_path.parent}: pass folder=out / 'calibration_10' to compare_deployments."
    small, large = _activation_scales(small_path), _activation_scales(large_path)
    common = sorted(set(small) & set(large))
    assert len(common) >= 4, \
        "the file in calibration_10/ has other tensors than the lesson's model_int8.tflite: convert the " \
        "lesson's `model`."
    larger = [tensor for tensor in common if small[tensor] > large[tensor] * 1.0001]
    assert not larger, \
        f"{len(larger)} activation ranges are wider than with the 500 images (e.g. {larger[0]!r}): the 10 images " \
        "should be some of those 500, x_train[:10]."
    narrower = [tensor for tensor in common if small[tensor] < large[tensor] * 0.9999]
    assert narrower, \
        "every activation has the same scale as in the 500-image file: was it calibrated on x_train[:10]?"
