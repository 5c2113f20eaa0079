"""Checks for exercise 02.1, Predict, then check."""

from otter.test_files import test_case

OK_FORMAT = False

name = "ex02_1"

#: The 3×3 CNN with padding="same" in every convolution: output shapes without the batch axis.
EXPECTED_SHAPES = {
    "conv1": (28, 28, 32),
    "pool1": (14, 14, 32),
    "conv2": (14, 14, 64),
    "pool2": (7, 7, 64),
    "conv3": (7, 7, 64),
    "flatten": (3136,),
}
EXPECTED_PARAMETERS = 257_162
LAYER_NAMES = ["conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "dense", "predictions"]
FILTERS = {"conv1": 32, "conv2": 64, "conv3": 64}


def _shape(value):
    shape = tuple(value)
    if shape and shape[0] is None:  # a batch axis written as None
        shape = shape[1:]
    return tuple(int(size) for size in shape)


@test_case(points=1, hidden=False,
           failure_message="Copy section 1's keras.Sequential into cnn_same and add padding=\"same\" to the three "
                           "Conv2D layers; keep the kernel sizes, filters and layer names.")
def test_the_model(cnn_same):
    assert cnn_same is not ... and cnn_same is not None, "`cnn_same` is still `...`: build the model."
    assert hasattr(cnn_same, "layers") and hasattr(cnn_same, "count_params"), (
        f"`cnn_same` is a {type(cnn_same).__name__}; expected a Keras model."
    )
    names = [layer.name for layer in cnn_same.layers if type(layer).__name__ != "InputLayer"]
    assert names == LAYER_NAMES, f"`cnn_same` has the layers {names}; expected {LAYER_NAMES}, as in `cnn`."
    for layer_name, filters in FILTERS.items():
        layer = cnn_same.get_layer(layer_name)
        assert layer.padding == "same", f"`{layer_name}` has padding={layer.padding!r}; expected \"same\"."
        assert tuple(layer.kernel_size) == (3, 3), (
            f"`{layer_name}` has kernel_size={tuple(layer.kernel_size)}; keep 3×3."
        )
        assert layer.filters == filters, f"`{layer_name}` has {layer.filters} filters; keep {filters}, as in `cnn`."
    shapes = {name: _shape(cnn_same.get_layer(name).output.shape) for name in EXPECTED_SHAPES}
    assert shapes == EXPECTED_SHAPES, f"`cnn_same`'s output shapes are {shapes}; expected {EXPECTED_SHAPES}."
    assert cnn_same.count_params() == EXPECTED_PARAMETERS, (
        f"`cnn_same` has {cnn_same.count_params():,} parameters; expected {EXPECTED_PARAMETERS:,}."
    )


@test_case(points=1, hidden=False,
           failure_message="\"same\" padding keeps height and width; a 2×2 pooling halves them (rounding down); "
                           "flatten multiplies height, width and channels.")
def test_the_predicted_shapes(predicted_shapes):
    assert predicted_shapes is not ... and predicted_shapes is not None, (
        "`predicted_shapes` is still `...`: set it to a dict from layer name to output shape, e.g. "
        "{\"conv1\": (26, 26, 32), ...} for the original model."
    )
    assert isinstance(predicted_shapes, dict), (
        f"`predicted_shapes` is a {type(predicted_shapes).__name__}; "
        "expected a dict such as {\"conv1\": (26, 26, 32), ...}."
    )
    missing = [layer_name for layer_name in EXPECTED_SHAPES if layer_name not in predicted_shapes]
    assert not missing, f"`predicted_shapes` has no entry for {missing}; give one for each of {list(EXPECTED_SHAPES)}."
    open_entries = [layer_name for layer_name in EXPECTED_SHAPES if predicted_shapes[layer_name] is ...]
    assert not open_entries, (
        f"`predicted_shapes` has no prediction yet for {open_entries}: replace each `...` with a shape, "
        "e.g. (26, 26, 32)."
    )
    wrong = []
    for layer_name, expected in EXPECTED_SHAPES.items():
        try:
            seen = _shape(predicted_shapes[layer_name])
        except (TypeError, ValueError):
            seen = predicted_shapes[layer_name]
        if seen != expected:
            wrong.append(f"{layer_name}: you predicted {seen}, it is {expected}")
    assert not wrong, "Some predicted shapes are off: " + "; ".join(wrong) + "."


@test_case(points=1, hidden=False,
           failure_message="A Conv2D has (kh·kw·input channels + 1)·filters parameters: no image size. "
                           "A Dense layer has (inputs + 1)·units, and its inputs come from flatten.")
def test_the_changed_layers(changed_layers):
    assert changed_layers is not ... and changed_layers is not None, (
        "`changed_layers` is still `...`: set it to the set of layer names whose parameter count changes."
    )
    assert not isinstance(changed_layers, str), (
        f"`changed_layers` is the string {changed_layers!r}; write a set of names, e.g. {{{changed_layers!r}}}."
    )
    seen = {str(layer_name) for layer_name in changed_layers}
    unknown = sorted(seen - set(LAYER_NAMES))
    assert not unknown, f"`changed_layers` names {unknown}, which are not layers of the model: {LAYER_NAMES}."
    convolutions = sorted(seen & set(FILTERS))
    assert not convolutions, (
        f"`changed_layers` holds {convolutions}: a convolution's parameter count does not depend on the image size."
    )
    assert seen == {"dense"}, (
        f"`changed_layers` is {seen or 'empty'}; one layer changes: the one that reads the flattened maps, "
        "which are now 7·7·64 values instead of 3·3·64."
    )
