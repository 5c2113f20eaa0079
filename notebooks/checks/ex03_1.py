"""Checks for exercise 03.1, How much momentum?"""

import numpy as np
from otter.test_files import test_case

OK_FORMAT = False

name = "ex03_1"

MOMENTA = (0.0, 0.5, 0.9, 0.99)
LEARNING_RATE = 0.01


def _is_set(value):
    return value is not ... and value is not None


def _runs_by_momentum(momentum_runs):
    """momentum_runs with float keys, checked to hold the four momenta."""
    assert _is_set(momentum_runs), (
        "`momentum_runs` is still `...`: set it to a dict {momentum: History} for 0.0, 0.5, 0.9 and 0.99."
    )
    assert isinstance(momentum_runs, dict), (
        f"`momentum_runs` is a {type(momentum_runs).__name__}; expected a dict {{momentum: History}}."
    )
    runs = {float(key): value for key, value in momentum_runs.items()}
    assert sorted(runs) == list(MOMENTA), (
        f"`momentum_runs` has the keys {sorted(runs)}; expected the four momenta {list(MOMENTA)}."
    )
    return runs


def _final_val_accuracy(history, momentum):
    assert hasattr(history, "history") and "val_accuracy" in history.history, (
        f"`momentum_runs[{momentum}]` is not a History with val_accuracy: keep what fit(..., "
        "validation_data=(x_val, y_val)) returns."
    )
    return float(history.history["val_accuracy"][-1])


@test_case(points=1, hidden=False,
           failure_message="For 0.5 and 0.99 copy the comparison's loop body with keras.optimizers.SGD("
                           "learning_rate=0.01, momentum=m); for 0.0 and 0.9 reuse optimizer_runs[\"SGD("
                           "learning_rate=0.01)\"] and optimizer_runs[\"SGD(learning_rate=0.01, momentum=0.9)\"].")
def test_the_four_runs(momentum_runs, optimizer_runs):
    runs = _runs_by_momentum(momentum_runs)
    budget = None
    if isinstance(optimizer_runs, dict) and "SGD(learning_rate=0.01)" in optimizer_runs:
        budget = len(optimizer_runs["SGD(learning_rate=0.01)"].epoch)
    for momentum, history in runs.items():
        _final_val_accuracy(history, momentum)
        optimizer = history.model.optimizer
        assert type(optimizer).__name__ == "SGD", (
            f"the run for momentum {momentum} trained with {type(optimizer).__name__}; expected SGD."
        )
        seen_momentum = float(getattr(optimizer, "momentum", 0.0))
        assert np.isclose(seen_momentum, momentum), (
            f"the run under the key {momentum} used momentum={seen_momentum:g}; the key and the momentum must match."
        )
        seen_rate = float(np.asarray(optimizer.learning_rate))
        assert np.isclose(seen_rate, LEARNING_RATE, rtol=1e-4), (
            f"the run for momentum {momentum} used learning_rate={seen_rate:g}; keep {LEARNING_RATE} for all four."
        )
        if budget is not None:
            assert len(history.epoch) == budget, (
                f"the run for momentum {momentum} trained {len(history.epoch)} epoch(s); the comparison trained "
                f"{budget}: give every run the same budget (epochs=config.epochs(5, fast=1))."
            )


@test_case(points=1, hidden=False,
           failure_message="Compare history.history[\"val_accuracy\"][-1] of the four runs and keep the key of the "
                           "highest, e.g. max(momentum_runs, key=...).")
def test_the_best_momentum(best_momentum, momentum_runs):
    assert _is_set(best_momentum), "`best_momentum` is still `...`: set it to one of 0.0, 0.5, 0.9, 0.99."
    runs = _runs_by_momentum(momentum_runs)
    finals = {momentum: _final_val_accuracy(history, momentum) for momentum, history in runs.items()}
    best = max(finals.values())
    winners = [momentum for momentum, value in finals.items() if value == best]
    chosen = float(best_momentum)
    assert chosen in finals, f"`best_momentum` is {best_momentum!r}; expected one of {list(MOMENTA)}."
    table = ", ".join(f"{momentum}: {value:.3f}" for momentum, value in finals.items())
    assert chosen in winners, (
        f"`best_momentum` is {chosen}, but the final validation accuracies are {table}."
    )


@test_case(points=1, hidden=False,
           failure_message="With a constant gradient the velocity adds up to 1 + m + m² + ... = 1 / (1 - m) "
                           "gradients: the step is learning_rate / (1 - m).")
def test_the_effective_learning_rates(effective_learning_rates):
    assert _is_set(effective_learning_rates), (
        "`effective_learning_rates` is still `...`: set it to {momentum: 0.01 / (1 - momentum)} for the four momenta."
    )
    assert isinstance(effective_learning_rates, dict), (
        f"`effective_learning_rates` is a {type(effective_learning_rates).__name__}; expected a dict."
    )
    rates = {float(key): float(value) for key, value in effective_learning_rates.items()}
    assert sorted(rates) == list(MOMENTA), (
        f"`effective_learning_rates` has the keys {sorted(rates)}; expected {list(MOMENTA)}."
    )
    wrong = {momentum: rate for momentum, rate in rates.items()
             if not np.isclose(rate, LEARNING_RATE / (1 - momentum), rtol=1e-6)}
    assert not wrong, (
        f"`effective_learning_rates` is off for {wrong}: momentum 0 gives {LEARNING_RATE}, momentum 0.5 gives "
        f"{LEARNING_RATE / 0.5:g}."
    )
