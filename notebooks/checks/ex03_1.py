"""Checks for exercise 03.1, How much momentum?"""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex03_1"

MOMENTA = (0.0, 0.5, 0.9, 0.99)
LEARNING_RATE = 0.01


def _is_set(value):
    return value is not ... and value is not None


def _runs_by_momentum(momentum_runs):
    """momentum_runs with float keys, checked to hold the four momenta."""
    assert _is_set(momentum_runs), tr(
        "`momentum_runs` is still `...`: set it to a dict {momentum: History} for 0.0, 0.5, 0.9 and 0.99.",
        "`momentum_runs` 仍是 `...`：请把它设为字典 {momentum: History}，包含 0.0、0.5、0.9 和 0.99。",
    )
    assert isinstance(momentum_runs, dict), tr(
        f"`momentum_runs` is a {type(momentum_runs).__name__}; expected a dict {{momentum: History}}.",
        f"`momentum_runs` 是 {type(momentum_runs).__name__}；应为字典 {{momentum: History}}。",
    )
    runs = {float(key): value for key, value in momentum_runs.items()}
    assert sorted(runs) == list(MOMENTA), tr(
        f"`momentum_runs` has the keys {sorted(runs)}; expected the four momenta {list(MOMENTA)}.",
        f"`momentum_runs` 的键是 {sorted(runs)}；应为四个动量值 {list(MOMENTA)}。",
    )
    return runs


def _final_val_accuracy(history, momentum):
    assert hasattr(history, "history") and "val_accuracy" in history.history, tr(
        f"`momentum_runs[{momentum}]` is not a History with val_accuracy: keep what fit(..., "
        "validation_data=(x_val, y_val)) returns.",
        f"`momentum_runs[{momentum}]` 不是带 val_accuracy 的 History：请保留 fit(..., "
        "validation_data=(x_val, y_val)) 的返回值。",
    )
    return float(history.history["val_accuracy"][-1])


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For 0.5 and 0.99 copy the comparison's loop body with keras.optimizers.SGD("
               "learning_rate=0.01, momentum=m); for 0.0 and 0.9 reuse optimizer_runs[\"SGD("
               "learning_rate=0.01)\"] and optimizer_runs[\"SGD(learning_rate=0.01, momentum=0.9)\"].",
               "对 0.5 和 0.99，复制对比实验的循环体并使用 keras.optimizers.SGD("
               "learning_rate=0.01, momentum=m)；对 0.0 和 0.9，直接复用 optimizer_runs[\"SGD("
               "learning_rate=0.01)\"] 和 optimizer_runs[\"SGD(learning_rate=0.01, momentum=0.9)\"]。",
           ))
def test_the_four_runs(momentum_runs, optimizer_runs):
    runs = _runs_by_momentum(momentum_runs)
    budget = None
    if isinstance(optimizer_runs, dict) and "SGD(learning_rate=0.01)" in optimizer_runs:
        budget = len(optimizer_runs["SGD(learning_rate=0.01)"].epoch)
    for momentum, history in runs.items():
        _final_val_accuracy(history, momentum)
        optimizer = history.model.optimizer
        assert type(optimizer).__name__ == "SGD", tr(
            f"the run for momentum {momentum} trained with {type(optimizer).__name__}; expected SGD.",
            f"动量 {momentum} 的那次运行用 {type(optimizer).__name__} 训练；应为 SGD。",
        )
        seen_momentum = float(getattr(optimizer, "momentum", 0.0))
        assert np.isclose(seen_momentum, momentum), tr(
            f"the run under the key {momentum} used momentum={seen_momentum:g}; the key and the momentum must match.",
            f"键 {momentum} 下的那次运行用的是 momentum={seen_momentum:g}；键与动量必须一致。",
        )
        seen_rate = float(np.asarray(optimizer.learning_rate))
        assert np.isclose(seen_rate, LEARNING_RATE, rtol=1e-4), tr(
            f"the run for momentum {momentum} used learning_rate={seen_rate:g}; keep {LEARNING_RATE} for all four.",
            f"动量 {momentum} 的那次运行用的是 learning_rate={seen_rate:g}；四次运行都请保持 {LEARNING_RATE}。",
        )
        if budget is not None:
            assert len(history.epoch) == budget, tr(
                f"the run for momentum {momentum} trained {len(history.epoch)} epoch(s); the comparison trained "
                f"{budget}: give every run the same budget (epochs=config.epochs(5, fast=1)).",
                f"动量 {momentum} 的那次运行训练了 {len(history.epoch)} 轮，而对比实验训练了 "
                f"{budget} 轮：请给每次运行相同的训练预算（epochs=config.epochs(5, fast=1)）。",
            )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Compare history.history[\"val_accuracy\"][-1] of the four runs and keep the key of the "
               "highest, e.g. max(momentum_runs, key=...).",
               "比较四次运行的 history.history[\"val_accuracy\"][-1]，取最高者的键，"
               "例如 max(momentum_runs, key=...)。",
           ))
def test_the_best_momentum(best_momentum, momentum_runs):
    assert _is_set(best_momentum), tr(
        "`best_momentum` is still `...`: set it to one of 0.0, 0.5, 0.9, 0.99.",
        "`best_momentum` 仍是 `...`：请把它设为 0.0、0.5、0.9、0.99 之一。",
    )
    runs = _runs_by_momentum(momentum_runs)
    finals = {momentum: _final_val_accuracy(history, momentum) for momentum, history in runs.items()}
    best = max(finals.values())
    winners = [momentum for momentum, value in finals.items() if value == best]
    chosen = float(best_momentum)
    assert chosen in finals, tr(
        f"`best_momentum` is {best_momentum!r}; expected one of {list(MOMENTA)}.",
        f"`best_momentum` 是 {best_momentum!r}；应为 {list(MOMENTA)} 之一。",
    )
    table = ", ".join(f"{momentum}: {value:.3f}" for momentum, value in finals.items())
    assert chosen in winners, tr(
        f"`best_momentum` is {chosen}, but the final validation accuracies are {table}.",
        f"`best_momentum` 是 {chosen}，但最终的验证准确率是 {table}。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "With a constant gradient the velocity adds up to 1 + m + m² + ... = 1 / (1 - m) "
               "gradients: the step is learning_rate / (1 - m).",
               "梯度恒定时，速度累加为 1 + m + m² + ... = 1 / (1 - m) 个梯度："
               "步长是 learning_rate / (1 - m)。",
           ))
def test_the_effective_learning_rates(effective_learning_rates):
    assert _is_set(effective_learning_rates), tr(
        "`effective_learning_rates` is still `...`: set it to {momentum: 0.01 / (1 - momentum)} for the four momenta.",
        "`effective_learning_rates` 仍是 `...`：请对四个动量值把它设为 {momentum: 0.01 / (1 - momentum)}。",
    )
    assert isinstance(effective_learning_rates, dict), tr(
        f"`effective_learning_rates` is a {type(effective_learning_rates).__name__}; expected a dict.",
        f"`effective_learning_rates` 是 {type(effective_learning_rates).__name__}；应为字典。",
    )
    rates = {float(key): float(value) for key, value in effective_learning_rates.items()}
    assert sorted(rates) == list(MOMENTA), tr(
        f"`effective_learning_rates` has the keys {sorted(rates)}; expected {list(MOMENTA)}.",
        f"`effective_learning_rates` 的键是 {sorted(rates)}；应为 {list(MOMENTA)}。",
    )
    wrong = {momentum: rate for momentum, rate in rates.items()
             if not np.isclose(rate, LEARNING_RATE / (1 - momentum), rtol=1e-6)}
    assert not wrong, tr(
        f"`effective_learning_rates` is off for {wrong}: momentum 0 gives {LEARNING_RATE}, momentum 0.5 gives "
        f"{LEARNING_RATE / 0.5:g}.",
        f"`effective_learning_rates` 在 {wrong} 处不对：动量 0 对应 {LEARNING_RATE}，动量 0.5 对应 "
        f"{LEARNING_RATE / 0.5:g}。",
    )
