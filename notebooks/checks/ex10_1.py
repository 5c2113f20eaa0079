"""Checks for exercise 10.1, A longer budget."""

import math
import numbers

from otter.test_files import test_case

OK_FORMAT = False

name = "ex10_1"

KEYS = ("filters", "dropout", "learning_rate")


def _same_setting(a, b):
    return (int(a["filters"]) == int(b["filters"])
            and math.isclose(float(a["dropout"]), float(b["dropout"]), abs_tol=1e-9)
            and math.isclose(float(a["learning_rate"]), float(b["learning_rate"]), rel_tol=1e-9))


def _best_distinct(ranked, count=3):
    settings = []
    for row in ranked:
        setting = {key: row[key] for key in KEYS}
        if not any(_same_setting(setting, seen) for seen in settings):
            settings.append(setting)
        if len(settings) == count:
            break
    return settings


def _short(setting):
    return f"filters={setting['filters']}, dropout={float(setting['dropout']):.1f}, " \
           f"learning_rate={float(setting['learning_rate']):.2e}"


@test_case(points=1, hidden=False,
           failure_message="Walk through `ranked` from the top and keep each setting not yet in the list "
                           "(a dict of filters, dropout and learning_rate) until you have three.")
def test_the_three_candidates(candidates, ranked):
    assert candidates is not ... and candidates is not None, \
        "`candidates` is still `...`: set it to the three best distinct settings of `ranked`."
    assert isinstance(candidates, list | tuple), \
        f"`candidates` is a {type(candidates).__name__}; expected a list of dicts."
    expected = _best_distinct(ranked)
    assert len(candidates) == len(expected), f"`candidates` has {len(candidates)} settings; expected {len(expected)}."
    for position, (got, want) in enumerate(zip(candidates, expected, strict=True)):
        assert isinstance(got, dict) and all(key in got for key in KEYS), \
            f"candidates[{position}] is {got!r}; expected a dict with the keys {', '.join(KEYS)}."
        assert _same_setting(got, want), \
            f"candidates[{position}] is {_short(got)}, but the best distinct setting number {position + 1} of " \
            f"`ranked` is {_short(want)}."


@test_case(points=1, hidden=False,
           failure_message="Train each candidate like `score`: set_random_seed(0), build_model(hp), "
                           "training.fit_fast(..., x_fit, y_fit, epochs=config.epochs(6, fast=3), "
                           "validation_data=(x_val, y_val), verbose=0, seed=0), and keep what it returns.")
def test_the_longer_trainings(long_histories, candidates, ranked):
    assert long_histories is not ... and long_histories is not None, \
        "`long_histories` is still `...`: set it to the three History objects that training.fit_fast returned."
    assert isinstance(long_histories, list | tuple), \
        f"`long_histories` is a {type(long_histories).__name__}; expected a list of three History objects."
    assert isinstance(candidates, list | tuple) and len(long_histories) == len(candidates), \
        f"`long_histories` has {len(long_histories)} entries; expected one per candidate."
    epochs = set()
    for position, (history, setting) in enumerate(zip(long_histories, candidates, strict=True)):
        logs = getattr(history, "history", None)
        assert isinstance(logs, dict), \
            f"long_histories[{position}] is a {type(history).__name__}; expected the History that fit_fast returns."
        assert "val_accuracy" in logs, \
            f"long_histories[{position}] has no val_accuracy: pass validation_data=(x_val, y_val) to fit_fast."
        epochs.add(len(logs["val_accuracy"]))
        model = history.model
        filters = model.get_layer("conv1").filters
        assert filters == int(setting["filters"]), \
            f"long_histories[{position}] trained a model with {filters} filters; candidates[{position}] has " \
            f"{setting['filters']}: build each model with build_model(candidate)."
        learning_rate = float(model.optimizer.learning_rate)
        assert math.isclose(learning_rate, float(setting["learning_rate"]), rel_tol=1e-4), \
            f"long_histories[{position}] trained with learning rate {learning_rate:.3g}; candidates[{position}] " \
            f"has {float(setting['learning_rate']):.3g}."
    assert len(epochs) == 1, f"the trainings ran for {sorted(epochs)} epochs; give every candidate the same budget."
    budget = epochs.pop()
    search_budget = max(int(row["epochs"]) for row in ranked)
    assert budget > search_budget, \
        f"each candidate trained {budget} epochs, no more than the searches' {search_budget}: " \
        "use config.epochs(6, fast=3)."


@test_case(points=1, hidden=False,
           failure_message="Take max(history.history['val_accuracy']) of each History, in the order of "
                           "`candidates`, and the index of the largest as the winner.")
def test_the_scores_and_the_winner(long_scores, long_winner, long_histories):
    assert long_scores is not ... and long_scores is not None, \
        "`long_scores` is still `...`: set it to the best validation accuracy of each candidate."
    assert long_winner is not ... and long_winner is not None, \
        "`long_winner` is still `...`: set it to the index (0, 1 or 2) of the best candidate."
    assert isinstance(long_histories, list | tuple), "set `long_histories` first: the scores are read from it."
    expected = [max(history.history["val_accuracy"]) for history in long_histories]
    assert len(long_scores) == len(expected), f"`long_scores` has {len(long_scores)} values; expected {len(expected)}."
    for position, (got, want) in enumerate(zip(long_scores, expected, strict=True)):
        assert math.isclose(float(got), float(want), abs_tol=1e-6), \
            f"long_scores[{position}] is {float(got):.4f}, but the best val_accuracy of long_histories[{position}] " \
            f"is {float(want):.4f}."
    best = max(expected)
    assert isinstance(long_winner, numbers.Integral) and not isinstance(long_winner, bool) \
        and 0 <= long_winner < len(expected), \
        f"`long_winner` is {long_winner!r}; expected an index from 0 to {len(expected) - 1}."
    assert math.isclose(float(expected[long_winner]), float(best), abs_tol=1e-9), \
        f"`long_winner` is {long_winner}, whose score is {float(expected[long_winner]):.4f}; the best score is " \
        f"{float(best):.4f} (index {expected.index(best)})."
