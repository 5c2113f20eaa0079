"""Checks for exercise 02.1, Predict, then check."""

from otter.test_files import test_case

from course_utils.language import tr

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
           failure_message=tr(
               "Copy section 1's keras.Sequential into cnn_same and add padding=\"same\" to the three "
               "Conv2D layers; keep the kernel sizes, filters and layer names.",
               "把第 1 节的 keras.Sequential 复制为 cnn_same，并给三个 Conv2D 层加上 padding=\"same\"；"
               "卷积核大小、卷积核个数和层名保持不变。",
           ))
def test_the_model(cnn_same):
    assert cnn_same is not ... and cnn_same is not None, tr(
        "`cnn_same` is still `...`: build the model.",
        "`cnn_same` 仍是 `...`：请构建这个模型。",
    )
    assert hasattr(cnn_same, "layers") and hasattr(cnn_same, "count_params"), tr(
        f"`cnn_same` is a {type(cnn_same).__name__}; expected a Keras model.",
        f"`cnn_same` 是 {type(cnn_same).__name__}；应为 Keras 模型。",
    )
    names = [layer.name for layer in cnn_same.layers if type(layer).__name__ != "InputLayer"]
    assert names == LAYER_NAMES, tr(
        f"`cnn_same` has the layers {names}; expected {LAYER_NAMES}, as in `cnn`.",
        f"`cnn_same` 的层是 {names}；应为 {LAYER_NAMES}，与 `cnn` 相同。",
    )
    for layer_name, filters in FILTERS.items():
        layer = cnn_same.get_layer(layer_name)
        assert layer.padding == "same", tr(
            f"`{layer_name}` has padding={layer.padding!r}; expected \"same\".",
            f"`{layer_name}` 的 padding={layer.padding!r}；应为 \"same\"。",
        )
        assert tuple(layer.kernel_size) == (3, 3), tr(
            f"`{layer_name}` has kernel_size={tuple(layer.kernel_size)}; keep 3×3.",
            f"`{layer_name}` 的 kernel_size={tuple(layer.kernel_size)}；请保持 3×3。",
        )
        assert layer.filters == filters, tr(
            f"`{layer_name}` has {layer.filters} filters; keep {filters}, as in `cnn`.",
            f"`{layer_name}` 有 {layer.filters} 个卷积核；请保持 {filters} 个，与 `cnn` 相同。",
        )
    shapes = {name: _shape(cnn_same.get_layer(name).output.shape) for name in EXPECTED_SHAPES}
    assert shapes == EXPECTED_SHAPES, tr(
        f"`cnn_same`'s output shapes are {shapes}; expected {EXPECTED_SHAPES}.",
        f"`cnn_same` 的输出形状是 {shapes}；应为 {EXPECTED_SHAPES}。",
    )
    assert cnn_same.count_params() == EXPECTED_PARAMETERS, tr(
        f"`cnn_same` has {cnn_same.count_params():,} parameters; expected {EXPECTED_PARAMETERS:,}.",
        f"`cnn_same` 有 {cnn_same.count_params():,} 个参数；应为 {EXPECTED_PARAMETERS:,} 个。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "\"same\" padding keeps height and width; a 2×2 pooling halves them (rounding down); "
               "flatten multiplies height, width and channels.",
               "\"same\" 填充保持高度和宽度不变；2×2 池化把它们减半（向下取整）；"
               "flatten 把高度、宽度和通道数相乘。",
           ))
def test_the_predicted_shapes(predicted_shapes):
    assert predicted_shapes is not ... and predicted_shapes is not None, tr(
        "`predicted_shapes` is still `...`: set it to a dict from layer name to output shape, e.g. "
        "{\"conv1\": (26, 26, 32), ...} for the original model.",
        "`predicted_shapes` 仍是 `...`：请把它设为从层名到输出形状的字典，例如原模型的 "
        "{\"conv1\": (26, 26, 32), ...}。",
    )
    assert isinstance(predicted_shapes, dict), tr(
        f"`predicted_shapes` is a {type(predicted_shapes).__name__}; "
        "expected a dict such as {\"conv1\": (26, 26, 32), ...}.",
        f"`predicted_shapes` 是 {type(predicted_shapes).__name__}；"
        "应为形如 {\"conv1\": (26, 26, 32), ...} 的字典。",
    )
    missing = [layer_name for layer_name in EXPECTED_SHAPES if layer_name not in predicted_shapes]
    assert not missing, tr(
        f"`predicted_shapes` has no entry for {missing}; give one for each of {list(EXPECTED_SHAPES)}.",
        f"`predicted_shapes` 中没有 {missing} 的条目；请为 {list(EXPECTED_SHAPES)} 中的每一层各给一个。",
    )
    open_entries = [layer_name for layer_name in EXPECTED_SHAPES if predicted_shapes[layer_name] is ...]
    assert not open_entries, tr(
        f"`predicted_shapes` has no prediction yet for {open_entries}: replace each `...` with a shape, "
        "e.g. (26, 26, 32).",
        f"`predicted_shapes` 中 {open_entries} 还没有预测：请把每个 `...` 换成一个形状，"
        "例如 (26, 26, 32)。",
    )
    wrong = []
    for layer_name, expected in EXPECTED_SHAPES.items():
        try:
            seen = _shape(predicted_shapes[layer_name])
        except (TypeError, ValueError):
            seen = predicted_shapes[layer_name]
        if seen != expected:
            wrong.append(tr(f"{layer_name}: you predicted {seen}, it is {expected}",
                            f"{layer_name}：你预测的是 {seen}，实际是 {expected}"))
    listed = "; ".join(wrong)
    assert not wrong, tr(f"Some predicted shapes are off: {listed}.", f"有些预测的形状不对：{listed}。")


@test_case(points=1, hidden=False,
           failure_message=tr(
               "A Conv2D has (kh·kw·input channels + 1)·filters parameters: no image size. "
               "A Dense layer has (inputs + 1)·units, and its inputs come from flatten.",
               "Conv2D 的参数个数是 (kh·kw·输入通道数 + 1)·filters：与图像大小无关。"
               "Dense 层的参数个数是 (输入数 + 1)·units，其输入来自 flatten。",
           ))
def test_the_changed_layers(changed_layers):
    assert changed_layers is not ... and changed_layers is not None, tr(
        "`changed_layers` is still `...`: set it to the set of layer names whose parameter count changes.",
        "`changed_layers` 仍是 `...`：请把它设为参数个数发生变化的层名集合。",
    )
    assert not isinstance(changed_layers, str), tr(
        f"`changed_layers` is the string {changed_layers!r}; write a set of names, e.g. {{{changed_layers!r}}}.",
        f"`changed_layers` 是字符串 {changed_layers!r}；请写成名字的集合，例如 {{{changed_layers!r}}}。",
    )
    seen = {str(layer_name) for layer_name in changed_layers}
    unknown = sorted(seen - set(LAYER_NAMES))
    assert not unknown, tr(
        f"`changed_layers` names {unknown}, which are not layers of the model: {LAYER_NAMES}.",
        f"`changed_layers` 中的 {unknown} 不是模型的层：{LAYER_NAMES}。",
    )
    convolutions = sorted(seen & set(FILTERS))
    assert not convolutions, tr(
        f"`changed_layers` holds {convolutions}: a convolution's parameter count does not depend on the image size.",
        f"`changed_layers` 含有 {convolutions}：卷积层的参数个数与图像大小无关。",
    )
    assert seen == {"dense"}, tr(
        f"`changed_layers` is {seen or 'empty'}; one layer changes: the one that reads the flattened maps, "
        "which are now 7·7·64 values instead of 3·3·64.",
        f"`changed_layers` 是 {seen or 'empty'}；有一层会变：读取展平后特征图的那一层，"
        "其输入现在是 7·7·64 个值，而不是 3·3·64 个。",
    )
