"""Reference solutions to the exercises of notebook 11 (teacher's material)."""

# %% ex11_1
def partly_frozen_classifier():
    partly_frozen_base = pretrained_base()
    for base_layer in partly_frozen_base.layers:
        # conv1 and conv2 keep their pretrained weights, conv3 learns, every BatchNorm stays in inference mode
        base_layer.trainable = base_layer.name == "conv3"
    return new_classifier(partly_frozen_base, "partly_frozen")


partly_frozen_accuracy, frozen_accuracy = {}, {}
for row in curve:
    count = row["labels"]
    x_sample, y_sample = data.subsample(x_target, y_target, count, seed=0)
    keras.utils.set_random_seed(seed=0)  # the curve's first sample, trained from the same start
    partly_frozen_model = partly_frozen_classifier()
    partly_frozen_accuracy[count] = train_for_steps(partly_frozen_model, x_sample, y_sample, head_steps,
                                                    learning_rate=1e-3)
    frozen_accuracy[count] = row["samples"]["frozen"][0]
conv3_helps = {count: partly_frozen_accuracy[count] > frozen_accuracy[count] for count in label_counts}

tables.Table([{"labels": count, "conv3 trained": partly_frozen_accuracy[count], "frozen": frozen_accuracy[count],
               "helps": conv3_helps[count]} for count in label_counts],
             formats={"conv3 trained": ".4f", "frozen": ".4f"}, title="test accuracy on the digits 5-9, first sample")

# %% ex11_2
def fine_tune_recomputing_statistics(x, y):
    """transfer_and_fine_tune without the BatchNorm loop; also returns the largest change of a moving mean."""
    recomputing_base = pretrained_base()
    recomputing_base.trainable = False
    classifier = new_classifier(recomputing_base, "transfer")
    train_for_steps(classifier, x, y, head_steps, learning_rate=1e-3)
    recomputing_base.trainable = True  # False -> True reaches every layer, BatchNorm included
    batchnorm = [layer for layer in recomputing_base.layers if isinstance(layer, layers.BatchNormalization)]
    means_before = [np.array(layer.moving_mean) for layer in batchnorm]
    accuracy = train_for_steps(classifier, x, y, fine_tune_steps, learning_rate=1e-4)
    shift = max(float(np.abs(np.array(layer.moving_mean) - before).max())
                for layer, before in zip(batchnorm, means_before, strict=True))
    return classifier, accuracy, shift


recomputed_accuracy, kept_accuracy, moving_mean_shift = {}, {}, {}
for row in sorted(curve, key=lambda row: -row["labels"]):  # the smallest count last: its model is kept
    count = row["labels"]
    x_sample, y_sample = data.subsample(x_target, y_target, count, seed=0)
    keras.utils.set_random_seed(seed=0)  # the curve's first sample, trained from the same start
    recomputed_model, recomputed_accuracy[count], moving_mean_shift[count] = fine_tune_recomputing_statistics(
        x_sample, y_sample)
    kept_accuracy[count] = row["samples"]["fine-tuned"][0]

tables.Table([{"labels": count, "statistics kept": kept_accuracy[count],
               "statistics recomputed": recomputed_accuracy[count],
               "largest moving-mean change": moving_mean_shift[count]} for count in label_counts],
             formats={"statistics kept": ".4f", "statistics recomputed": ".4f", "largest moving-mean change": ".3f"},
             title="fine-tuned test accuracy on the digits 5-9, first sample")

# %% ex11_3
x_sample, y_sample = data.subsample(x_target, y_target, n_labels, seed=0)  # the labelled digits of (a)
extractor = pretrained_base()
extractor.trainable = False


def fit_for_steps(classifier, x, y, steps, learning_rate):
    """What train_for_steps does, without its evaluation: only training is timed."""
    classifier.compile(keras.optimizers.Adam(learning_rate), "sparse_categorical_crossentropy", metrics=["accuracy"],
                       steps_per_execution=25)
    batches = training.make_dataset(x, y, batch_size=32, seed=0).repeat()
    classifier.fit(batches, steps_per_epoch=25, epochs=max(1, steps // 25), shuffle=False, verbose=0)


keras.utils.set_random_seed(seed=0)
started = time.perf_counter()
fit_for_steps(new_classifier(extractor, "end_to_end"), x_sample, y_sample, head_steps, learning_rate=1e-3)
seconds_end_to_end = time.perf_counter() - started

keras.utils.set_random_seed(seed=0)
started = time.perf_counter()
few_features = np.asarray(extractor.predict(x_sample, verbose=0), dtype="float32")  # once
feature_head = keras.Sequential([
    keras.Input(shape=(few_features.shape[1],), name="features"),
    layers.Dropout(0.3, name="dropout"),
    layers.Dense(5, activation="softmax", name="new_head", dtype="float32"),
], name="head_on_features")
fit_for_steps(feature_head, few_features, y_sample, head_steps, learning_rate=1e-3)
seconds_with_features = time.perf_counter() - started
speedup = seconds_end_to_end / seconds_with_features

test_features = np.asarray(extractor.predict(x_target_test, verbose=0), dtype="float32")
features_accuracy = feature_head.evaluate(test_features, y_target_test, verbose=0)[1]
print(f"head on stored features: {features_accuracy:.4f} test accuracy (frozen base in (a): {head_accuracy:.4f})")
print(f"training {seconds_end_to_end:.2f} s through the frozen base, {seconds_with_features:.2f} s on features "
      f"computed once: {speedup:.1f}x faster")
