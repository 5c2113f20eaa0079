"""Reference solutions to the exercises of notebook 08 (teacher's material)."""

# %% ex08_1
import time

start = time.perf_counter()
served_graph = tf.saved_model.load(str(paths["savedmodel"]))
seconds_saved_model_load = time.perf_counter() - start

start = time.perf_counter()
serving_layer = keras.layers.TFSMLayer(str(paths["savedmodel"]), call_endpoint="serve")
seconds_tfsmlayer = time.perf_counter() - start

served_probabilities = served_graph.serve(x_test[:5]).numpy()
max_difference = float(np.abs(served_probabilities - model.predict(x_test[:5], verbose=0)).max())
print(f"largest difference from model.predict: {max_difference:.1e}")
print(f"loading: tf.saved_model.load {seconds_saved_model_load:.2f} s, TFSMLayer {seconds_tfsmlayer:.2f} s")

# %% ex08_2
right = matrix[weakest, weakest]
predicted_as_weakest = matrix[:, weakest].sum()  # its column
really_weakest = matrix[weakest, :].sum()  # its row
weakest_precision = right / predicted_as_weakest if predicted_as_weakest else 0.0
weakest_recall = right / really_weakest if really_weakest else 0.0
weakest_f1 = (2 * weakest_precision * weakest_recall / (weakest_precision + weakest_recall)
              if weakest_precision + weakest_recall else 0.0)
mistakes = matrix[weakest].copy()
mistakes[weakest] = -1  # leave out the diagonal
weakest_taken_for = int(mistakes.argmax())
print(f"digit {weakest}: precision {right}/{predicted_as_weakest} = {weakest_precision:.3f}, "
      f"recall {right}/{really_weakest} = {weakest_recall:.3f}, F1 {weakest_f1:.3f}; "
      f"most often taken for a {weakest_taken_for} ({matrix[weakest, weakest_taken_for]} times)")

# %% ex08_3
import h5py


def flip_middle_byte(original_path, flipped_path):
    data = bytearray(original_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    flipped_path.write_bytes(bytes(data))
    return flipped_path


def datasets(path):
    found = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda name, item: found.update({name: item[()]}) if isinstance(item, h5py.Dataset)
                          else None)
    return found


flipped_keras = flip_middle_byte(paths["keras"], out / "flipped.keras")
flipped_h5 = flip_middle_byte(paths["h5"], out / "flipped.h5")

try:
    saving.load_any(flipped_keras)
    keras_error = None
except model_files.ModelFileError as error:
    keras_error = str(error)

h5_max_difference = None
try:
    damaged_model = saving.load_any(flipped_h5)
    h5_error = None
    h5_max_difference = float(np.abs(damaged_model.predict(x_test, verbose=0) - original).max())
except model_files.ModelFileError as error:
    h5_error = str(error)

intact, damaged = datasets(paths["h5"]), datasets(flipped_h5)
changed = [name for name in intact
           if np.asarray(intact[name]).tobytes() != np.asarray(damaged.get(name)).tobytes()]
damaged_array = changed[0] if changed else None
print("the .keras copy:", keras_error or "loaded")
print("the .h5 copy:", h5_error or f"loaded; predictions differ by at most {h5_max_difference:.1e}")
print("the flipped byte changed:", damaged_array)
