"""Checks for exercise 07.3, Read the architecture from the file."""

import json
import zipfile
from pathlib import Path

from otter.test_files import test_case

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
           failure_message="Open out / 'mnist_cnn.keras' with zipfile, json.loads its config.json, and find the "
                           "layer whose ['config']['name'] is 'conv2'; its config has 'filters' and 'kernel_size'.")
def test_conv2_read_from_the_config(conv2_filters, conv2_kernel_size, conv2_parameters, model):
    for value, variable in ((conv2_filters, "conv2_filters"), (conv2_kernel_size, "conv2_kernel_size"),
                            (conv2_parameters, "conv2_parameters")):
        assert not _unset(value), f"`{variable}` is still `...`: read it from config.json."
    conv2 = model.get_layer("conv2")
    assert conv2_filters == conv2.filters, f"`conv2_filters` is {conv2_filters!r}; conv2 has {conv2.filters} filters."
    assert isinstance(conv2_kernel_size, tuple), (
        f"`conv2_kernel_size` is a {type(conv2_kernel_size).__name__}; JSON gives a list: make it a tuple, "
        "tuple(config['kernel_size']).")
    assert conv2_kernel_size == tuple(conv2.kernel_size), (
        f"`conv2_kernel_size` is {conv2_kernel_size}; conv2's kernel is {tuple(conv2.kernel_size)}.")
    expected = conv2.count_params()
    assert conv2_parameters == expected, (
        f"`conv2_parameters` is {conv2_parameters!r}, but conv2 has {expected:,} parameters: kernel height x width "
        f"x conv1's {model.get_layer('conv1').filters} filters (its input channels) x {conv2.filters} filters, "
        f"plus {conv2.filters} biases.")


@test_case(points=1, hidden=False,
           failure_message="small = models.build_cnn_3x3(filters=16); small.save(out / 'small_cnn.keras'); then "
                           "read conv2's 'filters' from that file's config.json.")
def test_the_small_model_file(small_path, small_conv2_filters):
    assert not _unset(small_path), "`small_path` is still `...`: set it to the .keras file of the small model."
    assert not _unset(small_conv2_filters), "`small_conv2_filters` is still `...`: read it from the file."
    path = Path(small_path)
    assert path.is_file() and path.suffix == ".keras", f"`small_path` is {str(path)!r}: no .keras file is there."
    assert zipfile.is_zipfile(path), (
        f"{path.name} is not a zip archive: save it with model.save(path), the path ending in .keras.")
    layers = _layers(path)
    conv1, conv2 = _layer(layers, "conv1"), _layer(layers, "conv2")
    assert conv1 is not None and conv2 is not None, (
        f"{path.name} has no layers conv1 and conv2: save a model built with models.build_cnn_3x3(filters=16).")
    assert conv1["config"]["filters"] == 16, (
        f"conv1 in {path.name} has {conv1['config']['filters']} filters, not 16: build with "
        "models.build_cnn_3x3(filters=16).")
    file_filters = conv2["config"]["filters"]
    assert small_conv2_filters == file_filters, (
        f"`small_conv2_filters` is {small_conv2_filters!r}, but conv2 in {path.name} has {file_filters} filters "
        "(build_cnn_3x3 doubles `filters` for conv2 and conv3).")


@test_case(points=1, hidden=False,
           failure_message="Count the entries of config['config']['layers'] whose 'class_name' is not 'InputLayer', "
                           "and compare with model_files.describe(small_path).layers.")
def test_the_layer_count_agrees_with_describe(small_path, small_layer_count, model_files):
    assert not _unset(small_layer_count), "`small_layer_count` is still `...`: count the layers in config.json."
    assert not _unset(small_path), "`small_path` is still `...`: set it first."
    layers = _layers(small_path)
    expected = sum(1 for layer in layers if layer["class_name"] != "InputLayer")
    assert small_layer_count == expected, (
        f"`small_layer_count` is {small_layer_count!r}; config.json lists {len(layers)} layers, {expected} of them "
        "not the InputLayer.")
    described = model_files.describe(small_path).layers
    assert described == expected, f"model_files.describe reports {described} layers, the config {expected}."
