"""Reference solutions to the exercises of notebook 07 (teacher's material)."""

# %% ex07_1
h5_without_optimizer = out / "mnist_cnn_no_optimizer.h5"
model.save(h5_without_optimizer, include_optimizer=False)
with_optimizer_bytes = (out / "mnist_cnn.h5").stat().st_size
without_optimizer_bytes = h5_without_optimizer.stat().st_size
size_ratio = with_optimizer_bytes / without_optimizer_bytes

adam_numbers = sum(int(np.prod(v.shape)) for v in adam_arrays)
predicted_ratio = (model.count_params() + adam_numbers) / model.count_params()
print(f"with the optimizer {with_optimizer_bytes / 1000:,.0f} kB, without {without_optimizer_bytes / 1000:,.0f} kB: "
      f"ratio {size_ratio:.2f}, predicted {predicted_ratio:.2f}")

# %% ex07_2
accuracy_by_digits = {}
for digits in (3, 2, 1):
    rounded_path = weights_text.export_weights_text(model, out / f"weights_{digits}_digits.txt", precision=digits)
    rounded_model = weights_text.load_weights_text(models.build_cnn_3x3(), rounded_path)
    rounded_model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    accuracy_by_digits[digits] = rounded_model.evaluate(x_test, y_test, verbose=0)[1]
    if digits == 3:
        three_digit_model = rounded_model
    print(f"{digits} significant digit(s): test accuracy {accuracy_by_digits[digits]:.4f} "
          f"(original {test_accuracy:.4f}), {rounded_path.stat().st_size / 1000:,.0f} kB of text")

# %% ex07_3
def layer_configs(keras_file):
    with zipfile.ZipFile(keras_file) as archive:
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
    return {layer["config"]["name"]: layer for layer in layers}


trained_layers = layer_configs(out / "mnist_cnn.keras")
conv2 = trained_layers["conv2"]["config"]
conv2_filters = conv2["filters"]
conv2_kernel_size = tuple(conv2["kernel_size"])
input_channels = trained_layers["conv1"]["config"]["filters"]
conv2_parameters = conv2_kernel_size[0] * conv2_kernel_size[1] * input_channels * conv2_filters + conv2_filters

small_path = out / "small_cnn.keras"
models.build_cnn_3x3(filters=16).save(small_path)
small_layers = layer_configs(small_path)
small_conv2_filters = small_layers["conv2"]["config"]["filters"]
small_layer_count = sum(1 for layer in small_layers.values() if layer["class_name"] != "InputLayer")
print(f"conv2: {conv2_filters} filters of {conv2_kernel_size}, {conv2_parameters:,} parameters; "
      f"small model: conv2 has {small_conv2_filters} filters, {small_layer_count} layers "
      f"(model_files.describe: {model_files.describe(small_path).layers})")
