"""Reference solutions to the exercises of notebook 10 (teacher's material)."""

# %% ex10_1
candidates = []
for row in ranked:
    setting = {name: row[name] for name in ("filters", "dropout", "learning_rate")}
    if setting not in candidates:
        candidates.append(setting)
    if len(candidates) == 3:
        break

long_histories = []
for setting in candidates:
    keras.utils.set_random_seed(seed=0)  # as score does: the settings differ, the starting weights do not
    candidate_model = build_model(setting)
    long_histories.append(training.fit_fast(candidate_model, x_fit, y_fit, epochs=config.epochs(6, fast=3),
                                            validation_data=(x_val, y_val), verbose=0, seed=0))
long_scores = [max(history.history["val_accuracy"]) for history in long_histories]
long_winner = int(np.argmax(long_scores))

short_scores = [next(row["val_accuracy"] for row in ranked if {name: row[name] for name in setting} == setting)
                for setting in candidates]
tables.Table([{**setting, "short budget": short, "long budget": long}
              for setting, short, long in zip(candidates, short_scores, long_scores, strict=True)],
             formats={"learning_rate": ".2e", "dropout": ".1f", "short budget": ".4f", "long budget": ".4f"},
             title=f"winner after the longer training: candidate {long_winner}")

# %% ex10_2
n_candidates = config.pick(full=6, fast=3)
size_members = [train_member(f"size_{i}", seed=200 + i, x=x_fit, y=y_fit) for i in range(n_candidates)]
val_probabilities = ensembles.predict_members(size_members, x_val)  # (members, validation digits, 10)
val_curve = [measuring.accuracy(y_val, val_probabilities[:k].mean(axis=0)) for k in range(1, n_candidates + 1)]
chosen_k = next(k for k, value in enumerate(val_curve, start=1) if value >= max(val_curve) - 0.002)

# The choice is made: now, and only now, the test digits measure the chosen ensemble once.
test_probabilities = ensembles.predict_members(size_members[:chosen_k], x_test)
chosen_test_accuracy = measuring.accuracy(y_test, test_probabilities.mean(axis=0))

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, n_candidates + 1), val_curve, "o-", label="validation accuracy")
ax.axvline(chosen_k, color="tab:green", linestyle="--", label=f"chosen: {chosen_k} members")
ax.set_xticks(range(1, n_candidates + 1))
ax.set_xlabel("members averaged (the first k)")
ax.set_ylabel("validation accuracy")
ax.legend()
plt.show()
print(f"chosen on validation: {chosen_k} members; their test accuracy, measured once: {chosen_test_accuracy:.4f}")

# %% ex10_3
resume_folder = config.output_dir("10_tuning", "exercises")
first_trials = config.pick(full=3, fast=1)
first_search = kt.RandomSearch(
    build_tunable, objective="val_accuracy", max_trials=first_trials, seed=config.seed(),
    directory=resume_folder, project_name="resume", overwrite=True,
)
first_search.search(train_data, validation_data=val_data, epochs=search_epochs, shuffle=False, verbose=0)

resumed_search = kt.RandomSearch(
    build_tunable, objective="val_accuracy", max_trials=first_trials + 2, seed=config.seed(),
    directory=resume_folder, project_name="resume", overwrite=False,
)
resumed_search.search(train_data, validation_data=val_data, epochs=search_epochs, shuffle=False, verbose=0)

trials_before = len(first_search.oracle.trials)
trials_after = len(resumed_search.oracle.trials)
trials_run_on_resume = trials_after - trials_before
reload_message = f"Reloading Tuner from {resumed_search._get_tuner_fname()}"
print(f"{trials_before} trials, then {trials_after} after resuming: {trials_run_on_resume} new")
