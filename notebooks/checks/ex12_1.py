"""Checks for exercise 12.1, Calibration size."""

import math
from pathlib import Path

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex12_1"


def _int8_row(table, label):
    assert hasattr(table, "find") and hasattr(table, "column"), tr(
        f"`{label}` is a {type(table).__name__}; expected the Table that export.compare_deployments returns.",
        f"`{label}` 是 {type(table).__name__}；应为 export.compare_deployments 返回的 Table。",
    )
    assert "LiteRT int8" in table.column("format"), tr(
        f"`{label}` has the rows {table.column('format')}; expected a 'LiteRT int8' row.",
        f"`{label}` 的行是 {table.column('format')}；应有一行 'LiteRT int8'。",
    )
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
           failure_message=tr(
               "Call export.compare_deployments(model, x_test, y_test, representative=x_train[:10], "
               "folder=out / 'calibration_10', formats=['LiteRT int8'], ...) and read its row and "
               "table's with .find('format', 'LiteRT int8').",
               "调用 export.compare_deployments(model, x_test, y_test, representative=x_train[:10], "
               "folder=out / 'calibration_10', formats=['LiteRT int8'], ...)，并用 "
               ".find('format', 'LiteRT int8') 读取它的行和 table 的行。",
           ))
def test_the_two_rows_compared(calibration_10, accuracy_change, delta_ratio, table):
    assert calibration_10 is not ... and calibration_10 is not None, tr(
        "`calibration_10` is still `...`: set it to the table export.compare_deployments returns.",
        "`calibration_10` 仍是 `...`：请把它设为 export.compare_deployments 返回的表。",
    )
    assert accuracy_change is not ... and accuracy_change is not None, tr(
        "`accuracy_change` is still `...`: set it to the accuracy with 10 images minus the one with 500.",
        "`accuracy_change` 仍是 `...`：请把它设为用 10 幅图像时的准确率减去用 500 幅时的。",
    )
    assert delta_ratio is not ... and delta_ratio is not None, tr(
        "`delta_ratio` is still `...`: set it to max |Δ| with 10 images divided by max |Δ| with 500.",
        "`delta_ratio` 仍是 `...`：请把它设为 10 幅图像时的 max |Δ| 除以 500 幅时的 max |Δ|。",
    )
    small, large = _int8_row(calibration_10, "calibration_10"), _int8_row(table, "table")
    assert len(calibration_10) == 1, tr(
        f"`calibration_10` has {len(calibration_10)} rows; pass formats=['LiteRT int8'] to measure that one only.",
        f"`calibration_10` 有 {len(calibration_10)} 行；请传入 formats=['LiteRT int8'] 只度量这一种格式。",
    )
    expected_change = small["accuracy"] - large["accuracy"]
    assert math.isclose(float(accuracy_change), expected_change, abs_tol=1e-9), tr(
        f"`accuracy_change` is {float(accuracy_change):+.4f}; {small['accuracy']:.4f} (10 images) minus "
        f"{large['accuracy']:.4f} (table's LiteRT int8) is {expected_change:+.4f}.",
        f"`accuracy_change` 是 {float(accuracy_change):+.4f}；{small['accuracy']:.4f}（10 幅图像）减去 "
        f"{large['accuracy']:.4f}（table 中的 LiteRT int8）是 {expected_change:+.4f}。",
    )
    expected_ratio = small["max |Δ|"] / large["max |Δ|"]
    assert math.isclose(float(delta_ratio), expected_ratio, rel_tol=1e-6), tr(
        f"`delta_ratio` is {float(delta_ratio):.3f}; {small['max |Δ|']:.2e} / {large['max |Δ|']:.2e} is "
        f"{expected_ratio:.3f}.",
        f"`delta_ratio` 是 {float(delta_ratio):.3f}；{small['max |Δ|']:.2e} / {large['max |Δ|']:.2e} 是 "
        f"{expected_ratio:.3f}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Give compare_deployments folder=out / 'calibration_10' and representative=x_train[:10]: "
               "the first 10 of the 500 images the lesson calibrated on.",
               "给 compare_deployments 传入 folder=out / 'calibration_10' 和 representative=x_train[:10]："
               "即本课用于校准的 500 幅图像中的前 10 幅。",
           ))
def test_the_file_was_calibrated_on_fewer_images(calibration_10, out):
    assert calibration_10 is not ... and calibration_10 is not None, tr(
        "`calibration_10` is still `...`: run export.compare_deployments first.",
        "`calibration_10` 仍是 `...`：请先运行 export.compare_deployments。",
    )
    small_path, large_path = Path(out) / "calibration_10" / "model_int8.tflite", Path(out) / "model_int8.tflite"
    assert small_path.is_file(), tr(
        f"no file {small_path.name} in {small_path.parent}: pass folder=out / 'calibration_10' to compare_deployments.",
        f"{small_path.parent} 中没有文件 {small_path.name}：请给 compare_deployments 传入 folder=out / "
        "'calibration_10'。",
    )
    small, large = _activation_scales(small_path), _activation_scales(large_path)
    common = sorted(set(small) & set(large))
    assert len(common) >= 4, tr(
        "the file in calibration_10/ has other tensors than the lesson's model_int8.tflite: convert the "
        "lesson's `model`.",
        "calibration_10/ 中的文件所含的张量与本课的 model_int8.tflite 不同：请转换"
        "本课的 `model`。",
    )
    larger = [tensor for tensor in common if small[tensor] > large[tensor] * 1.0001]
    assert not larger, tr(
        f"{len(larger)} activation ranges are wider than with the 500 images (e.g. {larger[0]!r}): the 10 images "
        "should be some of those 500, x_train[:10].",
        f"有 {len(larger)} 个激活值范围比用 500 幅图像时更宽（例如 {larger[0]!r}）：这 10 幅图像"
        "应是那 500 幅中的一部分，即 x_train[:10]。",
    )
    narrower = [tensor for tensor in common if small[tensor] < large[tensor] * 0.9999]
    assert narrower, tr(
        "every activation has the same scale as in the 500-image file: was it calibrated on x_train[:10]?",
        "每个激活值的缩放因子都与用 500 幅图像的文件相同：它是用 x_train[:10] 校准的吗？",
    )
