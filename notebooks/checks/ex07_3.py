"""Checks for exercise 07.3, Read the architecture from the file."""

import json
import zipfile
from pathlib import Path

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex07_3"


def _unset(value):
    return value is None or value is ...


def _layers(path):
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("config.json"))["config"]["layers"]


def _layer(layers, layer_name):
    return next((layer for layer in layers if layer["config"].get("name") == layer_name), None)


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Open out / 'mnist_cnn.keras' with zipfile, json.loads its config.json, and find the "
               "layer whose ['config']['name'] is 'conv2'; its config has 'filters' and 'kernel_size'.",
               "用 zipfile 打开 out / 'mnist_cnn.keras'，用 json.loads 读取其中的 config.json，找到"
               "['config']['name'] 为 'conv2' 的层；它的 config 中有 'filters' 和 'kernel_size'。",
           ))
def test_conv2_read_from_the_config(conv2_filters, conv2_kernel_size, conv2_parameters, model):
    for value, variable in ((conv2_filters, "conv2_filters"), (conv2_kernel_size, "conv2_kernel_size"),
                            (conv2_parameters, "conv2_parameters")):
        assert not _unset(value), tr(
            f"`{variable}` is still `...`: read it from config.json.",
            f"`{variable}` 仍是 `...`：请从 config.json 中读取它。",
        )
    conv2 = model.get_layer("conv2")
    assert conv2_filters == conv2.filters, tr(
        f"`conv2_filters` is {conv2_filters!r}; conv2 has {conv2.filters} filters.",
        f"`conv2_filters` 是 {conv2_filters!r}；conv2 有 {conv2.filters} 个卷积核。",
    )
    assert isinstance(conv2_kernel_size, tuple), tr(
        f"`conv2_kernel_size` is a {type(conv2_kernel_size).__name__}; JSON gives a list: make it a tuple, "
        "tuple(config['kernel_size']).",
        f"`conv2_kernel_size` 是 {type(conv2_kernel_size).__name__}；JSON 给出的是列表：请把它转为元组，"
        "tuple(config['kernel_size'])。",
    )
    assert conv2_kernel_size == tuple(conv2.kernel_size), tr(
        f"`conv2_kernel_size` is {conv2_kernel_size}; conv2's kernel is {tuple(conv2.kernel_size)}.",
        f"`conv2_kernel_size` 是 {conv2_kernel_size}；conv2 的卷积核是 {tuple(conv2.kernel_size)}。",
    )
    expected = conv2.count_params()
    assert conv2_parameters == expected, tr(
        f"`conv2_parameters` is {conv2_parameters!r}, but conv2 has {expected:,} parameters: kernel height x width "
        f"x conv1's {model.get_layer('conv1').filters} filters (its input channels) x {conv2.filters} filters, "
        f"plus {conv2.filters} biases.",
        f"`conv2_parameters` 是 {conv2_parameters!r}，但 conv2 有 {expected:,} 个参数：卷积核高 x 宽 "
        f"x conv1 的 {model.get_layer('conv1').filters} 个卷积核（即它的输入通道数）x {conv2.filters} 个卷积核，"
        f"再加 {conv2.filters} 个偏置。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "small = models.build_cnn_3x3(filters=16); small.save(out / 'small_cnn.keras'); then "
               "read conv2's 'filters' from that file's config.json.",
               "small = models.build_cnn_3x3(filters=16)；small.save(out / 'small_cnn.keras')；然后"
               "从该文件的 config.json 中读取 conv2 的 'filters'。",
           ))
def test_the_small_model_file(small_path, small_conv2_filters):
    assert not _unset(small_path), tr(
        "`small_path` is still `...`: set it to the .keras file of the small model.",
        "`small_path` 仍是 `...`：请把它设为小模型的 .keras 文件。",
    )
    assert not _unset(small_conv2_filters), tr(
        "`small_conv2_filters` is still `...`: read it from the file.",
        "`small_conv2_filters` 仍是 `...`：请从文件中读取它。",
    )
    path = Path(small_path)
    assert path.is_file() and path.suffix == ".keras", tr(
        f"`small_path` is {str(path)!r}: no .keras file is there.",
        f"`small_path` 是 {str(path)!r}：那里没有 .keras 文件。",
    )
    assert zipfile.is_zipfile(path), tr(
        f"{path.name} is not a zip archive: save it with model.save(path), the path ending in .keras.",
        f"{path.name} 不是 zip 归档：请用 model.save(path) 保存，路径以 .keras 结尾。",
    )
    layers = _layers(path)
    conv1, conv2 = _layer(layers, "conv1"), _layer(layers, "conv2")
    assert conv1 is not None and conv2 is not None, tr(
        f"{path.name} has no layers conv1 and conv2: save a model built with models.build_cnn_3x3(filters=16).",
        f"{path.name} 中没有 conv1 和 conv2 层：请保存用 models.build_cnn_3x3(filters=16) 构建的模型。",
    )
    assert conv1["config"]["filters"] == 16, tr(
        f"conv1 in {path.name} has {conv1['config']['filters']} filters, not 16: build with "
        "models.build_cnn_3x3(filters=16).",
        f"{path.name} 中的 conv1 有 {conv1['config']['filters']} 个卷积核，而不是 16 个：请用 "
        "models.build_cnn_3x3(filters=16) 构建。",
    )
    file_filters = conv2["config"]["filters"]
    assert small_conv2_filters == file_filters, tr(
        f"`small_conv2_filters` is {small_conv2_filters!r}, but conv2 in {path.name} has {file_filters} filters "
        "(build_cnn_3x3 doubles `filters` for conv2 and conv3).",
        f"`small_conv2_filters` 是 {small_conv2_filters!r}，但 {path.name} 中的 conv2 有 {file_filters} 个卷积核"
        "（build_cnn_3x3 对 conv2 和 conv3 把 `filters` 加倍）。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Count the entries of config['config']['layers'] whose 'class_name' is not 'InputLayer', "
               "and compare with model_files.describe(small_path).layers.",
               "数一数 config['config']['layers'] 中 'class_name' 不是 'InputLayer' 的条目，"
               "并与 model_files.describe(small_path).layers 比较。",
           ))
def test_the_layer_count_agrees_with_describe(small_path, small_layer_count, model_files):
    assert not _unset(small_layer_count), tr(
        "`small_layer_count` is still `...`: count the layers in config.json.",
        "`small_layer_count` 仍是 `...`：请数一数 config.json 中的层。",
    )
    assert not _unset(small_path), tr(
        "`small_path` is still `...`: set it first.",
        "`small_path` 仍是 `...`：请先设置它。",
    )
    layers = _layers(small_path)
    expected = sum(1 for layer in layers if layer["class_name"] != "InputLayer")
    assert small_layer_count == expected, tr(
        f"`small_layer_count` is {small_layer_count!r}; config.json lists {len(layers)} layers, {expected} of them "
        "not the InputLayer.",
        f"`small_layer_count` 是 {small_layer_count!r}；config.json 列出了 {len(layers)} 层，其中 {expected} 层"
        "不是 InputLayer。",
    )
    described = model_files.describe(small_path).layers
    assert described == expected, tr(
        f"model_files.describe reports {described} layers, the config {expected}.",
        f"model_files.describe 报告 {described} 层，而 config 中是 {expected} 层。",
    )
