"""Reference solutions to the exercises of notebook 03, Compiling (teacher's material).

Each block replaces the answer cell of the same id and runs after all the lesson's cells.
"""

# %% ex03_1
momentum_runs = {
    0.0: optimizer_runs["SGD(learning_rate=0.01)"],
    0.9: optimizer_runs["SGD(learning_rate=0.01, momentum=0.9)"],
}
for momentum in (0.5, 0.99):
    model = models.build_cnn_3x3()
    model.set_weights(initial_weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=momentum),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    momentum_runs[momentum] = model.fit(x_fit, y_fit, validation_data=(x_val, y_val),
                                        epochs=config.epochs(5, fast=1), batch_size=64, verbose=0)
momentum_runs = dict(sorted(momentum_runs.items()))
compare_runs({f"momentum {momentum}": history for momentum, history in momentum_runs.items()},
             title="SGD(learning_rate=0.01) with four momenta")

final_accuracy = {momentum: history.history["val_accuracy"][-1] for momentum, history in momentum_runs.items()}
best_momentum = max(final_accuracy, key=final_accuracy.get)
effective_learning_rates = {momentum: 0.01 / (1 - momentum) for momentum in momentum_runs}
for momentum, history in momentum_runs.items():
    print(f"momentum {momentum:<4}  effective learning rate {effective_learning_rates[momentum]:<5.3g}  "
          f"validation accuracy by epoch {np.round(history.history['val_accuracy'], 3).tolist()}")
print("best after the last epoch:", best_momentum)

# %% ex03_2
label_forms = {
    "sparse_categorical_crossentropy": y_fit,
    "categorical_crossentropy": data.one_hot(y_fit),
}
label_form_runs = {}
for loss, labels_given in label_forms.items():
    model = models.build_cnn_3x3()
    model.set_weights(initial_weights)
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    label_form_runs[loss] = model.fit(x_fit, labels_given, epochs=config.epochs(3, fast=1), batch_size=64,
                                      shuffle=False, verbose=0)
sparse_history = label_form_runs["sparse_categorical_crossentropy"]
one_hot_history = label_form_runs["categorical_crossentropy"]

largest_loss_difference = float(np.abs(np.array(sparse_history.history["loss"])
                                       - np.array(one_hot_history.history["loss"])).max())
print("sparse loss by epoch: ", np.round(sparse_history.history["loss"], 6).tolist())
print("one-hot loss by epoch:", np.round(one_hot_history.history["loss"], 6).tolist())
print(f"largest difference: {largest_loss_difference:.2g}")

# %% ex03_3
logits_cnn = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1), name="image"),
        keras.layers.Conv2D(32, kernel_size=3, activation="relu", name="conv1"),
        keras.layers.MaxPooling2D(pool_size=2, name="pool1"),
        keras.layers.Conv2D(64, kernel_size=3, activation="relu", name="conv2"),
        keras.layers.MaxPooling2D(pool_size=2, name="pool2"),
        keras.layers.Conv2D(64, kernel_size=3, activation="relu", name="conv3"),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(64, activation="relu", name="dense"),
        keras.layers.Dense(10, name="logits"),  # no activation: raw scores
    ],
    name="cnn_3x3_logits_from_scratch",
)
logits_cnn.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                   metrics=["accuracy"])
logits_cnn.fit(x_fit, y_fit, epochs=config.epochs(3, fast=1), batch_size=64, verbose=0)

val_logits = logits_cnn.predict(x_val, verbose=0)
val_probabilities = np.asarray(keras.activations.softmax(val_logits))
val_predicted = val_logits.argmax(axis=1)
print("rows sum to 1:", bool(np.allclose(val_probabilities.sum(axis=1), 1.0, atol=1e-5)))
print("same argmax before and after softmax:", bool(np.array_equal(val_probabilities.argmax(axis=1), val_predicted)))
print(f"validation accuracy: {np.mean(val_predicted == y_val):.3f}")
