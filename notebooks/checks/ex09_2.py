"""Checks for exercise 09.2, The learning rate's edges."""

import numpy as np
from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex09_2"

OPTIMIZERS = ("Adam", "SGD")
#: A run "learns" when its best validation accuracy reaches this: twice what guessing gets.
LEARNS = 0.2
KEYS = ("optimizer", "learning rate", "best val accuracy")


def _unset(value):
    return value is None or value is ...


def _rows(sweep_rows):
    assert not _unset(sweep_rows), tr(
        "`sweep_rows` is still `...`: set it to a list of one dict per run.",
        "`sweep_rows` 仍是 `...`：请把它设为每次运行一个字典的列表。",
    )
    assert isinstance(sweep_rows, (list, tuple)) and all(isinstance(row, dict) for row in sweep_rows), tr(
        f"`sweep_rows` is a {type(sweep_rows).__name__}; make it a list of dicts, one per run.",
        f"`sweep_rows` 是 {type(sweep_rows).__name__}；请把它设为字典的列表，每次运行一个。",
    )
    for row in sweep_rows:
        missing = [key for key in KEYS if key not in row]
        assert not missing, tr(
            f"a row of `sweep_rows` has no {missing}: every row needs the keys {list(KEYS)}. Row: {row}",
            f"`sweep_rows` 的某一行中没有 {missing}：每一行都需要键 {list(KEYS)}。该行：{row}",
        )
    return [row for row in sweep_rows if row["optimizer"] in OPTIMIZERS]


def _score(row):
    value = row["best val accuracy"]
    return -1.0 if value is None or not np.isfinite(value) else float(value)


def _same_rate(a, b):
    return a is not None and b is not None and np.isclose(float(a), float(b), rtol=1e-6, atol=0.0)


@test_case(points=1, hidden=False,
           failure_message=tr(
               "For each optimizer and each rate in `rates`, call run(...) and append "
               "{'optimizer': ..., 'learning rate': rate, 'best val accuracy': max(val_accuracy)}.",
               "对每个优化器和 `rates` 中的每个学习率，调用 run(...) 并追加 "
               "{'optimizer': ..., 'learning rate': rate, 'best val accuracy': max(val_accuracy)}。",
           ))
def test_the_sweep(sweep_rows):
    rows = _rows(sweep_rows)
    for optimizer in OPTIMIZERS:
        rates = sorted({float(row["learning rate"]) for row in rows if row["optimizer"] == optimizer})
        assert len(rates) >= 2, tr(
            f"`sweep_rows` has {len(rates)} learning rate(s) for {optimizer!r} (names: exactly 'Adam' and 'SGD'); "
            "sweep all of `rates`.",
            f"`sweep_rows` 中 {optimizer!r} 有 {len(rates)} 个学习率（名字恰好是 'Adam' 和 'SGD'）；"
            "请扫过 `rates` 中的全部学习率。",
        )
        assert rates[-1] / rates[0] >= 99.9, tr(
            f"{optimizer}'s rates {rates} span less than two powers of ten: sweep all of `rates`.",
            f"{optimizer} 的学习率 {rates} 跨度不到两个数量级：请扫过 `rates` 中的全部学习率。",
        )
    for row in rows:
        score = row["best val accuracy"]
        assert score is None or 0.0 <= float(score) <= 1.0 or not np.isfinite(float(score)), tr(
            f"a row's best val accuracy is {score!r}; it is the highest val_accuracy of the run, between 0 and 1.",
            f"某一行的 best val accuracy 是 {score!r}；它应是该次运行最高的 val_accuracy，在 0 到 1 之间。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Per optimizer, keep the rows whose best val accuracy is at least 0.2; the edges are "
               "the smallest and the largest of their rates (None when no row learns).",
               "对每个优化器，保留 best val accuracy 至少为 0.2 的行；边界是"
               "这些行中学习率的最小值和最大值（没有一行学得会时为 None）。",
           ))
def test_the_edges(edges, sweep_rows):
    assert not _unset(edges), tr(
        "`edges` is still `...`: set it to {'Adam': (low, high), 'SGD': (low, high) or None}.",
        "`edges` 仍是 `...`：请把它设为 {'Adam': (low, high), 'SGD': (low, high) or None}。",
    )
    rows = _rows(sweep_rows)
    assert isinstance(edges, dict) and set(edges) == set(OPTIMIZERS), tr(
        f"`edges` must be a dict with the keys 'Adam' and 'SGD'; it is {edges!r}.",
        f"`edges` 必须是以 'Adam' 和 'SGD' 为键的字典；它是 {edges!r}。",
    )
    for optimizer in OPTIMIZERS:
        learning = sorted(float(row["learning rate"]) for row in rows
                          if row["optimizer"] == optimizer and _score(row) >= LEARNS)
        expected = (learning[0], learning[-1]) if learning else None
        found = edges[optimizer]
        if expected is None:
            assert found is None, tr(
                f"no {optimizer} run reaches {LEARNS} validation accuracy, so `edges[{optimizer!r}]` must be None, "
                f"not {found!r}.",
                f"{optimizer} 没有一次运行的验证准确率达到 {LEARNS}，所以 `edges[{optimizer!r}]` 必须是 None，"
                f"而不是 {found!r}。",
            )
            continue
        assert isinstance(found, (tuple, list)) and len(found) == 2, tr(
            f"`edges[{optimizer!r}]` is {found!r}; make it a pair (smallest rate, largest rate).",
            f"`edges[{optimizer!r}]` 是 {found!r}；请把它设为一对 (最小学习率, 最大学习率)。",
        )
        assert _same_rate(found[0], expected[0]) and _same_rate(found[1], expected[1]), tr(
            f"`edges[{optimizer!r}]` is {tuple(found)}; the {optimizer} runs that reach {LEARNS} give "
            f"({expected[0]:g}, {expected[1]:g}).",
            f"`edges[{optimizer!r}]` 是 {tuple(found)}；{optimizer} 中达到 {LEARNS} 的运行给出 "
            f"({expected[0]:g}, {expected[1]:g})。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "best_rates[optimizer] is the rate of the row with the highest best val accuracy; "
               "decades_apart = np.log10(best_rates['SGD'] / best_rates['Adam']).",
               "best_rates[optimizer] 是 best val accuracy 最高的那一行的学习率；"
               "decades_apart = np.log10(best_rates['SGD'] / best_rates['Adam'])。",
           ))
def test_the_best_rates(best_rates, decades_apart, sweep_rows):
    assert not _unset(best_rates), tr(
        "`best_rates` is still `...`: set it to {'Adam': rate, 'SGD': rate}.",
        "`best_rates` 仍是 `...`：请把它设为 {'Adam': rate, 'SGD': rate}。",
    )
    assert not _unset(decades_apart), tr(
        "`decades_apart` is still `...`: np.log10 of SGD's best rate / Adam's.",
        "`decades_apart` 仍是 `...`：SGD 的最佳学习率 / Adam 的最佳学习率，再取 np.log10。",
    )
    rows = _rows(sweep_rows)
    assert isinstance(best_rates, dict) and set(best_rates) >= set(OPTIMIZERS), tr(
        f"`best_rates` must be a dict with the keys 'Adam' and 'SGD'; it is {best_rates!r}.",
        f"`best_rates` 必须是以 'Adam' 和 'SGD' 为键的字典；它是 {best_rates!r}。",
    )
    for optimizer in OPTIMIZERS:
        own = [row for row in rows if row["optimizer"] == optimizer]
        top = max(_score(row) for row in own)
        winners = [float(row["learning rate"]) for row in own if _score(row) == top]
        assert any(_same_rate(best_rates[optimizer], rate) for rate in winners), tr(
            f"`best_rates[{optimizer!r}]` is {best_rates[optimizer]!r}; {optimizer}'s highest best val accuracy, "
            f"{top:.4f}, came at {', '.join(f'{rate:g}' for rate in winners)}.",
            f"`best_rates[{optimizer!r}]` 是 {best_rates[optimizer]!r}；{optimizer} 最高的 best val accuracy "
            f"{top:.4f} 出现在 {', '.join(f'{rate:g}' for rate in winners)}。",
        )
    expected = float(np.log10(float(best_rates["SGD"]) / float(best_rates["Adam"])))
    assert np.ndim(decades_apart) == 0 and abs(float(decades_apart) - expected) <= 1e-6, tr(
        f"`decades_apart` is {decades_apart!r}; log10({float(best_rates['SGD']):g} / {float(best_rates['Adam']):g}) "
        f"is {expected:+.2f}.",
        f"`decades_apart` 是 {decades_apart!r}；log10({float(best_rates['SGD']):g} / {float(best_rates['Adam']):g}) "
        f"是 {expected:+.2f}。",
    )
