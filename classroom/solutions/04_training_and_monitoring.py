"""Reference solutions to the exercises of notebook 04, Training and monitoring (teacher's material).

Each block replaces the answer cell of the same id and runs after all the lesson's cells.
"""

# %% ex04_1
batch_runs, updates_per_epoch, fit_seconds, batch_test_accuracy = {}, {}, {}, {}
for batch_size in (8, 256):
    keras.utils.set_random_seed(config.seed())  # the main run's starting weights
    batch_model = models.build_cnn_3x3()
    batch_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
    fit_started = time.perf_counter()
    batch_runs[batch_size] = batch_model.fit(x_fit, y_fit, validation_data=(x_val, y_val),
                                             epochs=config.epochs(10, fast=1), batch_size=batch_size, verbose=0)
    fit_seconds[batch_size] = time.perf_counter() - fit_started
    updates_per_epoch[batch_size] = int(batch_model.optimizer.iterations) // len(batch_runs[batch_size].epoch)
    _, batch_test_accuracy[batch_size] = batch_model.evaluate(x_test, y_test, verbose=0)

main_updates = int(model.optimizer.iterations) // len(history.epoch)  # the main run, batch_size=32
print(f"{'batch size':>10} {'updates/epoch':>14} {'fit seconds':>12} {'test accuracy':>14}")
for batch_size, updates, seconds, accuracy in [
    (8, updates_per_epoch[8], fit_seconds[8], batch_test_accuracy[8]),
    (32, main_updates, training_seconds, test_accuracy),
    (256, updates_per_epoch[256], fit_seconds[256], batch_test_accuracy[256]),
]:
    print(f"{batch_size:>10} {updates:>14} {seconds:>12.1f} {accuracy:>14.2%}")

# %% ex04_2
overfit_runs = {len(x_small): overfit_history}  # the smallest size is the lesson's run
for size in config.pick(full=[1_000, 2_000], fast=[400, 800]):  # the larger sizes
    x_subset, y_subset = data.subsample(x_fit, y_fit, size)
    keras.utils.set_random_seed(config.seed())  # the lesson's starting weights
    size_model = models.build_cnn_3x3()
    size_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    overfit_runs[size] = size_model.fit(x_subset, y_subset, validation_data=(x_val, y_val), batch_size=64,
                                        epochs=config.epochs(30, fast=3), verbose=0)

final_gap = {size: size_run.history["accuracy"][-1] - size_run.history["val_accuracy"][-1]
             for size, size_run in overfit_runs.items()}
lowest_val_loss_epoch = {size: int(np.argmin(size_run.history["val_loss"])) + 1
                         for size, size_run in overfit_runs.items()}
print(f"{'digits':>6} {'train acc':>9} {'val acc':>8} {'gap':>6} {'lowest val loss':>16}")
for size, size_run in overfit_runs.items():
    print(f"{size:>6} {size_run.history['accuracy'][-1]:>9.3f} {size_run.history['val_accuracy'][-1]:>8.3f} "
          f"{final_gap[size]:>6.3f} {'epoch ' + str(lowest_val_loss_epoch[size]):>16}")

# %% ex04_3
by_label = np.argsort(y_train, kind="stable")
x_sorted, y_sorted = x_train[by_label], y_train[by_label]
mixing_rng = np.random.default_rng(config.seed())
mix = mixing_rng.permutation(len(y_sorted))


def one_epoch_with_validation_split(x, y, **fit_options):
    keras.utils.set_random_seed(config.seed())  # the same starting weights for the three runs
    split_model = models.build_cnn_3x3()
    split_model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
    return split_model.fit(x, y, validation_split=0.1, epochs=1, batch_size=64, verbose=0, **fit_options)


sorted_run = one_epoch_with_validation_split(x_sorted, y_sorted)
shuffle_true_run = one_epoch_with_validation_split(x_sorted, y_sorted, shuffle=True)
shuffled_first_run = one_epoch_with_validation_split(x_sorted[mix], y_sorted[mix])
kept_back_from = int(np.floor(len(y_sorted) * (1 - 0.1)))  # validation_split=0.1 keeps what follows
validation_digits = np.unique(y_sorted[kept_back_from:])

print("digits validation_split keeps back from the sorted arrays:", validation_digits)
for title, split_run in [("sorted", sorted_run), ("sorted, shuffle=True", shuffle_true_run),
                         ("mixed before fit", shuffled_first_run)]:
    print(f"{title:<22} val_accuracy {split_run.history['val_accuracy'][-1]:.3f}")
