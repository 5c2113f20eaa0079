"""Reference solutions to the exercises of notebook 02, Designing a CNN (teacher's material).

Each block replaces the answer cell of the same id and runs after all the lesson's cells.
"""

# %% ex02_1
# "same" keeps 28×28 through conv1; each pooling halves it: 28 → 14 → 7.
predicted_shapes = {
    "conv1": (28, 28, 32),
    "pool1": (14, 14, 32),
    "conv2": (14, 14, 64),
    "pool2": (7, 7, 64),
    "conv3": (7, 7, 64),
    "flatten": (7 * 7 * 64,),
}
changed_layers = {"dense"}  # it reads 7·7·64 = 3,136 values instead of 3·3·64 = 576

cnn_same = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1), name="image"),
        layers.Conv2D(32, kernel_size=3, padding="same", activation="relu", name="conv1"),
        layers.MaxPooling2D(pool_size=2, name="pool1"),
        layers.Conv2D(64, kernel_size=3, padding="same", activation="relu", name="conv2"),
        layers.MaxPooling2D(pool_size=2, name="pool2"),
        layers.Conv2D(64, kernel_size=3, padding="same", activation="relu", name="conv3"),
        layers.Flatten(name="flatten"),
        layers.Dense(64, activation="relu", name="dense"),
        layers.Dense(10, activation="softmax", name="predictions"),
    ],
    name="cnn_same",
)
print_layer_table(cnn_same)
print("parameter counts that changed:",
      [name for name, _, params in layer_table(cnn_same) if params != cnn.get_layer(name).count_params()])

# %% ex02_2
cnn_gap = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1), name="image"),
        layers.Conv2D(32, kernel_size=3, activation="relu", name="conv1"),
        layers.MaxPooling2D(pool_size=2, name="pool1"),
        layers.Conv2D(64, kernel_size=3, activation="relu", name="conv2"),
        layers.MaxPooling2D(pool_size=2, name="pool2"),
        layers.Conv2D(64, kernel_size=3, activation="relu", name="conv3"),
        layers.GlobalAveragePooling2D(name="gap"),
        layers.Dense(64, activation="relu", name="dense"),
        layers.Dense(10, activation="softmax", name="predictions"),
    ],
    name="cnn_gap",
)
print_layer_table(cnn_gap)

dense_params_gap = (64 + 1) * 64  # 64 averages in, 64 units
assert dense_params_gap == cnn_gap.get_layer("dense").count_params()
dense_share_flatten = cnn.get_layer("dense").count_params() / cnn.count_params()
dense_share_gap = dense_params_gap / cnn_gap.count_params()
print(f"dense: {dense_share_flatten:.1%} of cnn's parameters, {dense_share_gap:.1%} of cnn_gap's")

# %% ex02_3
inputs = keras.Input(shape=(28, 28, 1), name="image")
x = layers.Conv2D(16, kernel_size=5, padding="same", activation="relu", name="conv1")(inputs)
x = layers.MaxPooling2D(pool_size=2, name="pool1")(x)
x = layers.Conv2D(32, kernel_size=5, padding="same", activation="relu", name="conv2")(x)
x = layers.MaxPooling2D(pool_size=2, name="pool2")(x)
x = layers.Flatten(name="flatten")(x)
x = layers.Dense(128, activation="relu", name="dense")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
cnn_5x5_functional = keras.Model(inputs=inputs, outputs=outputs, name="cnn_5x5_functional")

kernel_before = cnn_5x5_functional.get_layer("conv1").get_weights()[0]  # for the comparison below
cnn_5x5_functional.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history_5x5 = cnn_5x5_functional.fit(
    x_train, y_train, epochs=config.epochs(2, fast=1), batch_size=64, validation_split=0.1, verbose=2
)
kernel_after = cnn_5x5_functional.get_layer("conv1").get_weights()[0]
change = np.linalg.norm(kernel_after - kernel_before) / np.linalg.norm(kernel_before)
print(f"5×5 conv1 filters changed by {change:.0%} of their initial size")

extractor_5x5 = keras.Model(inputs=cnn_5x5_functional.inputs,
                            outputs=cnn_5x5_functional.get_layer("conv1").output, name="conv1_extractor_5x5")
conv1_maps_5x5 = extractor_5x5.predict(digit, verbose=0)

plots.show_filters(cnn_5x5_functional.get_layer("conv1"), title="5×5 CNN: conv1 filters after training")
plots.show_filters(cnn.get_layer("conv1"), title="3×3 CNN: conv1 filters after training")
plots.show_feature_maps(conv1_maps_5x5, title="5×5 CNN: conv1 feature maps of the same digit")
plt.show()
