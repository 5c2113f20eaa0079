"""Reference solutions to the exercises of notebook 06, Resuming training (teacher's material).

Each block replaces the answer cell of the same id and runs after all the lesson's cells.
"""

# %% ex06_1
shutil.rmtree(backup_dir, ignore_errors=True)  # no backup from an earlier run
early_kill_events, early_kill_code = run_training(kill_in=1)
show(early_kill_events, run=1)
backup_after_early_kill = sorted(path.name for path in backup_dir.iterdir()) if backup_dir.exists() else []
print(f"run 1 killed (return code {early_kill_code}) in epoch {early_kill_events[-1]['epoch']}; "
      f"backup folder: {backup_after_early_kill}")

restart_events, restart_code = run_training()
show(restart_events, run=2)
restart_first_epoch = next(event["epoch"] for event in restart_events if event["event"] == "epoch_begin")
restart_start_iterations = next(event["iterations"] for event in restart_events if event["event"] == "start")
print(f"run 2 began with epoch {restart_first_epoch} at optimizer step {restart_start_iterations}")

# %% ex06_2
best_only_dir = out / "best_only"
shutil.rmtree(best_only_dir, ignore_errors=True)  # no best.keras and .best.json from an earlier run
best_only_epochs = config.epochs(4, fast=3)
best_only = callbacks.SafeModelCheckpoint(best_only_dir / "best.keras", monitor="val_loss", mode="min",
                                          save_best_only=True)
bad_last_epoch = keras.callbacks.LearningRateScheduler(lambda epoch, rate: 0.05 if epoch == best_only_epochs - 1
                                                       else 1e-3)

best_only_model = models.build_cnn_3x3()
best_only_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
best_only_history = best_only_model.fit(x_fit, y_fit, validation_data=(x_val, y_val), epochs=best_only_epochs,
                                        batch_size=64, callbacks=[best_only, bad_last_epoch], verbose=0)
steps_trained = int(best_only_model.optimizer.iterations)

loaded = keras.models.load_model(best_only_dir / "best.keras")
steps_in_best_file = int(loaded.optimizer.iterations)
epochs_in_best_file = steps_in_best_file // best_only_history.params["steps"]
print("val_loss per epoch:", np.round(best_only_history.history["val_loss"], 4))
print(f"trained {len(best_only_history.epoch)} epochs ({steps_trained} steps); best.keras holds "
      f"{epochs_in_best_file} epoch(s) ({steps_in_best_file} steps)")

# %% ex06_3
schedule_dir = out / "schedule_checkpoints"
shutil.rmtree(schedule_dir, ignore_errors=True)
learning_rate_schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=1e-3, decay_steps=100,
                                                                     decay_rate=0.5)


def make_train_step(step_model, step_optimizer):
    """The loop's train_step, for this model and optimizer."""

    @tf.function
    def step(x, y):
        with tf.GradientTape() as gradient_tape:
            loss = loss_fn(y, step_model(x, training=True))
        gradients = gradient_tape.gradient(loss, step_model.trainable_variables)
        step_optimizer.apply_gradients(zip(gradients, step_model.trainable_variables, strict=True))
        return loss

    return step


def train_one_epoch(step):
    for x, y in train_data:
        step(x, y)


scheduled_model = models.build_cnn_3x3()
scheduled_optimizer = keras.optimizers.Adam(learning_rate=learning_rate_schedule)
schedule_manager = tf.train.CheckpointManager(
    tf.train.Checkpoint(model=scheduled_model, optimizer=scheduled_optimizer), schedule_dir, max_to_keep=2)
scheduled_step = make_train_step(scheduled_model, scheduled_optimizer)
for _ in range(2):
    train_one_epoch(scheduled_step)
    schedule_manager.save()
steps_at_interrupt = int(scheduled_optimizer.iterations)
learning_rate_at_interrupt = float(scheduled_optimizer.learning_rate)
del scheduled_model, scheduled_optimizer, scheduled_step  # ... the interruption

restored_model = models.build_cnn_3x3()
restored_optimizer = keras.optimizers.Adam(learning_rate=learning_rate_schedule)
restored_optimizer.build(restored_model.trainable_variables)
tf.train.Checkpoint(model=restored_model, optimizer=restored_optimizer).restore(
    schedule_manager.latest_checkpoint).assert_consumed()
steps_after_restore = int(restored_optimizer.iterations)
learning_rate_after_restore = float(restored_optimizer.learning_rate)

train_one_epoch(make_train_step(restored_model, restored_optimizer))
steps_after_more_training = int(restored_optimizer.iterations)
learning_rate_after_more_training = float(restored_optimizer.learning_rate)

for when, steps, rate in [("at the interrupt", steps_at_interrupt, learning_rate_at_interrupt),
                          ("after the restore", steps_after_restore, learning_rate_after_restore),
                          ("after one more epoch", steps_after_more_training, learning_rate_after_more_training)]:
    print(f"{when:<21} step {steps:>5}, learning rate {rate:.3e}")
