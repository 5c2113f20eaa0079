"""Checks for exercise 10.1, A longer budget."""

import math
import numbers

from otter.test_files import test_case

from course_utils.language import tr

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
           failure_message=tr(
               "Walk through `ranked` from the top and keep each setting not yet in the list "
               "(a dict of filters, dropout and learning_rate) until you have three.",
               "从 `ranked` 的最上面开始往下看，把尚未在列表中的每个设置"
               "（由 filters、dropout 和 learning_rate 组成的字典）加进去，直到有三个。",
           ))
def test_the_three_candidates(candidates, ranked):
    assert candidates is not ... and candidates is not None, tr(
        "`candidates` is still `...`: set it to the three best distinct settings of `ranked`.",
        "`candidates` 仍是 `...`：请把它设为 `ranked` 中最好的三个互不相同的设置。",
    )
    assert isinstance(candidates, list | tuple), tr(
        f"`candidates` is a {type(candidates).__name__}; expected a list of dicts.",
        f"`candidates` 是 {type(candidates).__name__}；应为字典的列表。",
    )
    expected = _best_distinct(ranked)
    assert len(candidates) == len(expected), tr(
        f"`candidates` has {len(candidates)} settings; expected {len(expected)}.",
        f"`candidates` 有 {len(candidates)} 个设置；应为 {len(expected)} 个。",
    )
    for position, (got, want) in enumerate(zip(candidates, expected, strict=True)):
        assert isinstance(got, dict) and all(key in got for key in KEYS), tr(
            f"candidates[{position}] is {got!r}; expected a dict with the keys {', '.join(KEYS)}.",
            f"candidates[{position}] 是 {got!r}；应为以 {', '.join(KEYS)} 为键的字典。",
        )
        assert _same_setting(got, want), tr(
            f"candidates[{position}] is {_short(got)}, but the best distinct setting number {position + 1} of "
            f"`ranked` is {_short(want)}.",
            f"candidates[{position}] 是 {_short(got)}，但 `ranked` 中第 {position + 1} 好的互不相同的设置"
            f"是 {_short(want)}。",
        )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Train each candidate like `score`: set_random_seed(0), build_model(hp), "
               "training.fit_fast(..., x_fit, y_fit, epochs=config.epochs(6, fast=3), "
               "validation_data=(x_val, y_val), verbose=0, seed=0), and keep what it returns.",
               "像 `score` 那样训练每个候选：set_random_seed(0)，build_model(hp)，"
               "training.fit_fast(..., x_fit, y_fit, epochs=config.epochs(6, fast=3), "
               "validation_data=(x_val, y_val), verbose=0, seed=0)，并保存其返回值。",
           ))
def test_the_longer_trainings(long_histories, candidates, ranked):
    assert long_histories is not ... and long_histories is not None, tr(
        "`long_histories` is still `...`: set it to the three History objects that training.fit_fast returned.",
        "`long_histories` 仍是 `...`：请把它设为 training.fit_fast 返回的三个 History 对象。",
    )
    assert isinstance(long_histories, list | tuple), tr(
        f"`long_histories` is a {type(long_histories).__name__}; expected a list of three History objects.",
        f"`long_histories` 是 {type(long_histories).__name__}；应为三个 History 对象组成的列表。",
    )
    assert isinstance(candidates, list | tuple) and len(long_histories) == len(candidates), tr(
        f"`long_histories` has {len(long_histories)} entries; expected one per candidate.",
        f"`long_histories` 有 {len(long_histories)} 项；应为每个候选一项。",
    )
    epochs = set()
    for position, (history, setting) in enumerate(zip(long_histories, candidates, strict=True)):
        logs = getattr(history, "history", None)
        assert isinstance(logs, dict), tr(
            f"long_histories[{position}] is a {type(history).__name__}; expected the History that fit_fast returns.",
            f"long_histories[{position}] 是 {type(history).__name__}；应为 fit_fast 返回的 History。",
        )
        assert "val_accuracy" in logs, tr(
            f"long_histories[{position}] has no val_accuracy: pass validation_data=(x_val, y_val) to fit_fast.",
            f"long_histories[{position}] 中没有 val_accuracy：请给 fit_fast 传入 validation_data=(x_val, y_val)。",
        )
        epochs.add(len(logs["val_accuracy"]))
        model = history.model
        filters = model.get_layer("conv1").filters
        assert filters == int(setting["filters"]), tr(
            f"long_histories[{position}] trained a model with {filters} filters; candidates[{position}] has "
            f"{setting['filters']}: build each model with build_model(candidate).",
            f"long_histories[{position}] 训练的模型有 {filters} 个卷积核；candidates[{position}] 是 "
            f"{setting['filters']}：请用 build_model(candidate) 构建每个模型。",
        )
        learning_rate = float(model.optimizer.learning_rate)
        assert math.isclose(learning_rate, float(setting["learning_rate"]), rel_tol=1e-4), tr(
            f"long_histories[{position}] trained with learning rate {learning_rate:.3g}; candidates[{position}] "
            f"has {float(setting['learning_rate']):.3g}.",
            f"long_histories[{position}] 训练时的学习率是 {learning_rate:.3g}；candidates[{position}] "
            f"是 {float(setting['learning_rate']):.3g}。",
        )
    assert len(epochs) == 1, tr(
        f"the trainings ran for {sorted(epochs)} epochs; give every candidate the same budget.",
        f"这些训练分别跑了 {sorted(epochs)} 轮；请给每个候选相同的训练预算。",
    )
    budget = epochs.pop()
    search_budget = max(int(row["epochs"]) for row in ranked)
    assert budget > search_budget, tr(
        f"each candidate trained {budget} epochs, no more than the searches' {search_budget}: "
        "use config.epochs(6, fast=3).",
        f"每个候选训练了 {budget} 轮，并不多于搜索时的 {search_budget} 轮："
        "请使用 config.epochs(6, fast=3)。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Take max(history.history['val_accuracy']) of each History, in the order of "
               "`candidates`, and the index of the largest as the winner.",
               "按 `candidates` 的顺序取每个 History 的 max(history.history['val_accuracy'])，"
               "最大者的下标就是胜出者。",
           ))
def test_the_scores_and_the_winner(long_scores, long_winner, long_histories):
    assert long_scores is not ... and long_scores is not None, tr(
        "`long_scores` is still `...`: set it to the best validation accuracy of each candidate.",
        "`long_scores` 仍是 `...`：请把它设为每个候选的最佳验证准确率。",
    )
    assert long_winner is not ... and long_winner is not None, tr(
        "`long_winner` is still `...`: set it to the index (0, 1 or 2) of the best candidate.",
        "`long_winner` 仍是 `...`：请把它设为最佳候选的下标（0、1 或 2）。",
    )
    assert isinstance(long_histories, list | tuple), tr(
        "set `long_histories` first: the scores are read from it.",
        "请先设置 `long_histories`：分数是从它读出的。",
    )
    expected = [max(history.history["val_accuracy"]) for history in long_histories]
    assert len(long_scores) == len(expected), tr(
        f"`long_scores` has {len(long_scores)} values; expected {len(expected)}.",
        f"`long_scores` 有 {len(long_scores)} 个值；应为 {len(expected)} 个。",
    )
    for position, (got, want) in enumerate(zip(long_scores, expected, strict=True)):
        assert math.isclose(float(got), float(want), abs_tol=1e-6), tr(
            f"long_scores[{position}] is {float(got):.4f}, but the best val_accuracy of long_histories[{position}] "
            f"is {float(want):.4f}.",
            f"long_scores[{position}] 是 {float(got):.4f}，但 long_histories[{position}] 的最佳 val_accuracy "
            f"是 {float(want):.4f}。",
        )
    best = max(expected)
    assert isinstance(long_winner, numbers.Integral) and not isinstance(long_winner, bool) \
        and 0 <= long_winner < len(expected), tr(
            f"`long_winner` is {long_winner!r}; expected an index from 0 to {len(expected) - 1}.",
            f"`long_winner` 是 {long_winner!r}；应为 0 到 {len(expected) - 1} 之间的下标。",
        )
    assert math.isclose(float(expected[long_winner]), float(best), abs_tol=1e-9), tr(
        f"`long_winner` is {long_winner}, whose score is {float(expected[long_winner]):.4f}; the best score is "
        f"{float(best):.4f} (index {expected.index(best)}).",
        f"`long_winner` 是 {long_winner}，其分数是 {float(expected[long_winner]):.4f}；最佳分数是 "
        f"{float(best):.4f}（下标 {expected.index(best)}）。",
    )
