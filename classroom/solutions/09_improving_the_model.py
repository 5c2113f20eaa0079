"""Reference solutions to the exercises of notebook 09 (teacher's material)."""

# %% ex09_1
stronger = recipes.Augmentation(rotation_degrees=25, shift=0.2, zoom=0.2)


def strongly_augmented_cnn():
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    augmented = recipes.augmentation_layers(stronger)(inputs)
    return keras.Model(inputs, models.build_cnn_3x3()(augmented), name="strongly_augmented_cnn")


stronger_history = run("exercises", "stronger augmentation", strongly_augmented_cnn)
accuracy_change = (stronger_history.history["val_accuracy"][-1]
                   - histories["augmentation"].history["val_accuracy"][-1])
beyond_luck = bool(abs(accuracy_change) > luck)
print(f"change in validation accuracy: {accuracy_change:+.4f} (luck margin ±{luck:.4f})")

stronger_digits = np.asarray(recipes.augmentation_layers(stronger, seed=1)(samples, training=True), dtype=np.float32)
plots.show_digits(np.concatenate([samples, stronger_digits]), count=2 * len(samples), columns=len(samples),
                  title="top: digits; bottom: with the stronger augmentation")
plt.show()

# %% ex09_2
rates = config.pick(full=[1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0], fast=[1e-3, 1e-1])
optimizers = {"Adam": keras.optimizers.Adam, "SGD": keras.optimizers.SGD}
sweep_rows = []
for optimizer_name, make_optimizer in optimizers.items():
    for rate in rates:
        history = run("learning-rate sweep", f"{optimizer_name} at {rate:g}", models.build_cnn_3x3,
                      optimizer=make_optimizer(learning_rate=rate), epochs=config.epochs(3, fast=1))
        sweep_rows.append({"optimizer": optimizer_name, "learning rate": rate,
                           "best val accuracy": max(history.history["val_accuracy"])})

edges, best_rates = {}, {}
for optimizer_name in optimizers:
    own = [row for row in sweep_rows if row["optimizer"] == optimizer_name]
    learning = [row["learning rate"] for row in own if row["best val accuracy"] >= 0.2]
    edges[optimizer_name] = (min(learning), max(learning)) if learning else None
    best_rates[optimizer_name] = max(own, key=lambda row: row["best val accuracy"])["learning rate"]
decades_apart = float(np.log10(best_rates["SGD"] / best_rates["Adam"]))
print("learns (best val accuracy >= 0.2) from-to:", edges)
print("best rates:", best_rates, f"-> SGD's is {decades_apart:+.0f} powers of ten from Adam's")

# %% ex09_3
half_epochs = max(1, recipe_epochs // 2)
if half_epochs == best.epochs:  # fast mode: half of 1 epoch is 1, the run `best` already is
    half_run = best
else:
    half_run = recipes.train(x_fit, y_fit, epochs=half_epochs, validation_data=(x_val, y_val), seed=config.seed())
accuracy_lost = best.history.history["val_accuracy"][-1] - half_run.history.history["val_accuracy"][-1]
seconds_saved = best.train_seconds - half_run.train_seconds

recipe_runs = {"full": best, "half": half_run}
tta_probabilities = {"full": recipes.predict_with_shifts(best.model, x_val)}
tta_probabilities["half"] = (tta_probabilities["full"] if half_run is best
                             else recipes.predict_with_shifts(half_run.model, x_val))
tta_gain = {key: float((tta_probabilities[key].argmax(axis=1) == y_val).mean())
            - recipe_runs[key].history.history["val_accuracy"][-1]
            for key in recipe_runs}
print(f"{half_run.epochs} instead of {best.epochs} epochs: {accuracy_lost:+.4f} validation accuracy lost, "
      f"{seconds_saved:.0f} s saved; test-time augmentation adds {tta_gain['full']:+.4f} (full), "
      f"{tta_gain['half']:+.4f} (half)")
