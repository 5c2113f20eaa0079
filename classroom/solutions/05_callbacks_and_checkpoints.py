"""Reference solutions to the exercises of notebook 05, Callbacks and checkpoints (teacher's material).

Each block replaces the answer cell of the same id and runs after all the lesson's cells.
"""

# %% ex05_1
long_accuracy_checkpoint = keras.callbacks.ModelCheckpoint(out / "long_best_val_accuracy.keras", save_best_only=True,
                                                           monitor="val_accuracy", mode="max")
long_loss_checkpoint = keras.callbacks.ModelCheckpoint(out / "long_best_val_loss.keras", save_best_only=True,
                                                       monitor="val_loss", mode="min")
long_model = models.build_cnn_3x3()
long_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
long_history = long_model.fit(x_fit, y_fit, validation_data=(x_val, y_val), epochs=config.epochs(20, fast=4),
                              batch_size=64, callbacks=[long_accuracy_checkpoint, long_loss_checkpoint], verbose=0)

long_best_epochs = {"val_accuracy": int(np.argmax(long_history.history["val_accuracy"])) + 1,
                    "val_loss": int(np.argmin(long_history.history["val_loss"])) + 1}
print("epoch each checkpoint kept:", long_best_epochs)
for monitor, kept_epoch in long_best_epochs.items():
    plots.plot_history(long_history, mark_epoch=kept_epoch, title=f"the epoch of the best {monitor}")
    plt.show()

# %% ex05_2
import time

from keras.callbacks import Callback


class EpochTimer(Callback):
    """Record how many seconds each epoch takes; print the slowest when training ends."""

    def on_train_begin(self, logs=None):  # a new list for every training run
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):  # epoch counts from 0
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):  # the same epoch, now finished
        self.seconds.append(time.perf_counter() - self.epoch_start)

    def on_train_end(self, logs=None):
        slowest = int(np.argmax(self.seconds))
        print(f"slowest epoch: {slowest + 1} ({self.seconds[slowest]:.2f} s)")


epoch_timer = EpochTimer()  # kept, to read its durations after fit
timed_model = models.build_cnn_3x3()
timed_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
timed_history = timed_model.fit(x_fit, y_fit, validation_data=(x_val, y_val), epochs=config.epochs(5, fast=3),
                                batch_size=64, callbacks=[epoch_timer], verbose=0)
slowest_epoch = int(np.argmax(epoch_timer.seconds)) + 1
print("seconds per epoch:", np.round(epoch_timer.seconds, 2))

# %% ex05_3
safe_folder = out / "safe_twice"
shutil.rmtree(safe_folder, ignore_errors=True)


def train_with_safe_checkpoints():
    """One run as a restarted script would do it: a fresh model and new checkpoints; returns both records."""
    safe_checkpoints = {
        monitor: callbacks.SafeModelCheckpoint(safe_folder / f"best_{monitor}.keras", monitor=monitor, mode=mode,
                                               save_best_only=True)
        for monitor, mode in [("val_accuracy", "max"), ("val_loss", "min")]
    }
    run_model = models.build_cnn_3x3()
    run_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    run = run_model.fit(x_fit, y_fit, validation_data=(x_val, y_val), epochs=config.epochs(10, fast=3),
                        batch_size=64, callbacks=list(safe_checkpoints.values()), verbose=0)
    return run, {monitor: checkpoint.read_best() for monitor, checkpoint in safe_checkpoints.items()}


first_safe_run, records_after_first = train_with_safe_checkpoints()
second_safe_run, records_after_second = train_with_safe_checkpoints()
second_run_saved = {monitor: records_after_second[monitor] != records_after_first[monitor]
                    for monitor in records_after_first}

for monitor, better in [("val_accuracy", max), ("val_loss", min)]:
    before, after = records_after_first[monitor], records_after_second[monitor]
    print(f"{monitor}: record {before['best']:.4f} (epoch {before['epoch']}) after the first run; the second run's "
          f"best {better(second_safe_run.history[monitor]):.4f}; record {after['best']:.4f} after it; "
          f"second run saved: {second_run_saved[monitor]}")
