"""Reference solutions to the capstone (teacher's material)."""

# %% capstone_1
(x_train_all, y_train_all), (x_test, y_test) = data.load_mnist(source="bundled")
x_train_all, x_test = data.prepare(x_train_all), data.prepare(x_test)

fit_index, val_index = data.stratified_split(y_train_all, test_size=len(y_train_all) // 10)
x_train, y_train = x_train_all[fit_index], y_train_all[fit_index]
x_val, y_val = x_train_all[val_index], y_train_all[val_index]
print(f"train on {len(x_train):,}, validate on {len(x_val):,}, test on {len(x_test):,} digits")


# %% capstone_2
def build_model():
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax", dtype="float32"),
    ], name="digits_cnn")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


model = build_model()
print(f"{model.name}: {model.count_params():,} parameters, input {model.input_shape}, output {model.output_shape}")

# %% capstone_3
checkpoint_path = run_dir / "best.keras"
backup_dir = run_dir / "backup"
total_epochs = config.epochs(8, fast=2)
epochs_before_interruption = config.pick(full=3, fast=1)

checkpoint = callbacks.SafeModelCheckpoint(checkpoint_path, monitor="val_accuracy", mode="max", save_best_only=True)
backup = callbacks.SafeBackupAndRestore(backup_dir)


class PowerCut(keras.callbacks.Callback):
    """Stands in for a crash: raises at the start of an epoch, as a dead battery would stop the process."""

    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch  # counted from 0, like the epoch fit passes

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError(f"power cut at the start of epoch {epoch + 1}")


try:
    model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=total_epochs, batch_size=64,
              callbacks=[checkpoint, backup, PowerCut(at_epoch=epochs_before_interruption)], verbose=2)
except RuntimeError as error:
    print("training stopped:", error)
print("the backup holds:", (backup_dir / "state.json").read_text())

# %% capstone_4
resumed_model = build_model()  # a restarted process starts from a new model; the backup fills it
resumed_history = resumed_model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=total_epochs,
                                    batch_size=64, callbacks=[checkpoint, backup], verbose=2)

steps_per_epoch = resumed_history.params["steps"]
print("restored from the backup:", backup.restored_state)
print("the resumed run trained epochs", [epoch + 1 for epoch in resumed_history.epoch])
print(f"optimizer steps: {int(resumed_model.optimizer.iterations):,}; an uninterrupted run of {total_epochs} epochs "
      f"makes {total_epochs} x {steps_per_epoch} = {total_epochs * steps_per_epoch:,}")

# %% capstone_5
model_path = run_dir / "digits_cnn.keras"
resumed_model.save(model_path)
reloaded_model = keras.models.load_model(model_path)

test_loss, test_accuracy = reloaded_model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy {test_accuracy:.2%} on {len(x_test):,} digits (loss {test_loss:.4f})")

probabilities = reloaded_model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
matrix = evaluation.confusion_matrix(y_test, predicted, 10)
weakest_digit = int(evaluation.per_class_metrics(matrix)["f1"].argmin())
print("weakest digit:", weakest_digit)
evaluation.plot_confusion_matrix(matrix)
plt.show()
evaluation.show_misclassified(x_test, y_test, probabilities, count=10)
plt.show()
display(evaluation.most_confused_pairs(matrix, top=5))
evaluation.classification_report(y_test, predicted)

# %% capstone_6
tflite_path = run_dir / "digits_cnn.tflite"
export.to_litert(reloaded_model, tflite_path)

interpreter = Interpreter(model_path=str(tflite_path))
interpreter.allocate_tensors()
input_index = interpreter.get_input_details()[0]["index"]
output_index = interpreter.get_output_details()[0]["index"]
litert_digits = []
for image in x_test[:100]:
    interpreter.set_tensor(input_index, image[np.newaxis])  # a batch of one image
    interpreter.invoke()
    litert_digits.append(int(interpreter.get_tensor(output_index).argmax()))
litert_digits = np.array(litert_digits)

keras_digits = reloaded_model.predict(x_test[:100], verbose=0).argmax(axis=1)
litert_agreement = float(np.mean(litert_digits == keras_digits))
print(f"{tflite_path.name}: {tflite_path.stat().st_size / 1e3:,.0f} kB, "
      f"{model_path.name}: {model_path.stat().st_size / 1e3:,.0f} kB")
print(f"LiteRT and Keras predict the same digit for {litert_agreement:.0%} of the first 100 test digits")
