"""Checks for exercise 10.3, Resume on purpose."""

import numbers
import os

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex10_3"


def _is_tuner(value):
    return hasattr(value, "oracle") and hasattr(value, "project_dir")


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Create the same kt.RandomSearch twice (same directory and project_name): the "
               "first with overwrite=True, the second with overwrite=False and max_trials + 2.",
               "创建同一个 kt.RandomSearch 两次（相同的 directory 和 project_name）："
               "第一次用 overwrite=True，第二次用 overwrite=False 且 max_trials + 2。",
           ))
def test_two_tuners_on_one_project(first_search, resumed_search):
    assert first_search is not ... and first_search is not None, tr(
        "`first_search` is still `...`: set it to the first kt.RandomSearch (overwrite=True).",
        "`first_search` 仍是 `...`：请把它设为第一个 kt.RandomSearch（overwrite=True）。",
    )
    assert resumed_search is not ... and resumed_search is not None, tr(
        "`resumed_search` is still `...`: set it to the tuner created again with overwrite=False.",
        "`resumed_search` 仍是 `...`：请把它设为用 overwrite=False 再次创建的调参器。",
    )
    assert _is_tuner(first_search) and _is_tuner(resumed_search), tr(
        f"expected two Keras Tuner tuners; got {type(first_search).__name__} and {type(resumed_search).__name__}.",
        f"应为两个 Keras Tuner 调参器；得到的是 {type(first_search).__name__} 和 {type(resumed_search).__name__}。",
    )
    assert resumed_search is not first_search, tr(
        "`resumed_search` is the same object as `first_search`: create the tuner a second time.",
        "`resumed_search` 与 `first_search` 是同一个对象：请再创建一次调参器。",
    )
    first_dir, resumed_dir = os.path.abspath(first_search.project_dir), os.path.abspath(resumed_search.project_dir)
    assert first_dir == resumed_dir, tr(
        f"the tuners use different project folders ({first_dir} and {resumed_dir}): a tuner resumes only "
        "with the same directory and project_name.",
        f"两个调参器使用不同的项目文件夹（{first_dir} 和 {resumed_dir}）：调参器只有在"
        "directory 和 project_name 都相同时才会接着上次继续。",
    )
    first_max, resumed_max = first_search.oracle.max_trials, resumed_search.oracle.max_trials
    assert resumed_max == first_max + 2, tr(
        f"`resumed_search` has max_trials={resumed_max}; expected two more than the first search's {first_max}.",
        f"`resumed_search` 的 max_trials={resumed_max}；应比第一次搜索的 {first_max} 多两个。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Pass overwrite=False the second time (overwrite=True empties the folder) and "
               "call search on both tuners with the same arguments.",
               "第二次传入 overwrite=False（overwrite=True 会清空文件夹），并"
               "用相同的参数对两个调参器调用 search。",
           ))
def test_the_second_search_reloaded_the_first(first_search, resumed_search):
    assert _is_tuner(first_search) and _is_tuner(resumed_search), tr(
        "set `first_search` and `resumed_search` to the two tuners first.",
        "请先把 `first_search` 和 `resumed_search` 设为这两个调参器。",
    )
    old, new = first_search.oracle.trials, resumed_search.oracle.trials
    assert len(old) == first_search.oracle.max_trials, tr(
        f"the first search has {len(old)} trials; expected its max_trials={first_search.oracle.max_trials}: "
        "call first_search.search(...).",
        f"第一次搜索有 {len(old)} 次试验；应为它的 max_trials={first_search.oracle.max_trials}："
        "请调用 first_search.search(...)。",
    )
    missing = [trial_id for trial_id in old if trial_id not in new]
    assert not missing, tr(
        f"the resumed tuner does not know the first search's trials {missing}: it started from scratch. "
        "Was it created with overwrite=False, in the same folder?",
        f"接着运行的调参器不知道第一次搜索的试验 {missing}：它是从头开始的。"
        "它是用 overwrite=False 在同一个文件夹中创建的吗？",
    )
    for trial_id, trial in old.items():
        assert new[trial_id].hyperparameters.values == trial.hyperparameters.values, tr(
            f"trial {trial_id} has other settings in the resumed tuner: it was run again, not reloaded.",
            f"试验 {trial_id} 在接着运行的调参器中设置不同：它被重新运行了，而不是重新加载的。",
        )
    assert len(new) == resumed_search.oracle.max_trials, tr(
        f"the resumed tuner has {len(new)} trials; expected {resumed_search.oracle.max_trials}: call "
        "resumed_search.search(...) with the same arguments.",
        f"接着运行的调参器有 {len(new)} 次试验；应为 {resumed_search.oracle.max_trials}：请用相同的参数"
        "调用 resumed_search.search(...)。",
    )
    unfinished = [trial_id for trial_id, trial in new.items() if str(trial.status) != "COMPLETED"]
    assert not unfinished, tr(
        f"trials {unfinished} did not complete; run the search again.",
        f"试验 {unfinished} 没有完成；请再运行一次搜索。",
    )


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Count the trials with len(tuner.oracle.trials) for each tuner; copy the line "
               "'Reloading Tuner from ...' that creating the second tuner printed.",
               "对每个调参器用 len(tuner.oracle.trials) 数试验次数；复制创建第二个调参器时"
               "打印的那一行 'Reloading Tuner from ...'。",
           ))
def test_the_counts_and_the_message(trials_before, trials_after, trials_run_on_resume, reload_message,
                                    first_search, resumed_search):
    for label, value in (("trials_before", trials_before), ("trials_after", trials_after),
                         ("trials_run_on_resume", trials_run_on_resume)):
        assert value is not ... and value is not None, tr(
            f"`{label}` is still `...`: set it to a number of trials.",
            f"`{label}` 仍是 `...`：请把它设为试验次数。",
        )
        assert isinstance(value, numbers.Integral) and not isinstance(value, bool), tr(
            f"`{label}` is {value!r}; expected a whole number.",
            f"`{label}` 是 {value!r}；应为一个整数。",
        )
    assert reload_message is not ... and reload_message is not None, tr(
        "`reload_message` is still `...`: set it to the line the second tuner printed (a str).",
        "`reload_message` 仍是 `...`：请把它设为第二个调参器打印的那一行（str）。",
    )
    assert _is_tuner(first_search) and _is_tuner(resumed_search), tr(
        "set the two tuners first.",
        "请先设置这两个调参器。",
    )
    before, after = len(first_search.oracle.trials), len(resumed_search.oracle.trials)
    assert trials_before == before, tr(
        f"`trials_before` is {trials_before}; the first tuner's oracle holds {before}.",
        f"`trials_before` 是 {trials_before}；第一个调参器的 oracle 中有 {before} 次。",
    )
    assert trials_after == after, tr(
        f"`trials_after` is {trials_after}; the resumed tuner's oracle holds {after}.",
        f"`trials_after` 是 {trials_after}；接着运行的调参器的 oracle 中有 {after} 次。",
    )
    assert trials_run_on_resume == after - before, tr(
        f"`trials_run_on_resume` is {trials_run_on_resume}; the second search trained {after - before} trials "
        f"({after} in all, {before} of them reloaded).",
        f"`trials_run_on_resume` 是 {trials_run_on_resume}；第二次搜索训练了 {after - before} 次试验"
        f"（共 {after} 次，其中 {before} 次是重新加载的）。",
    )
    assert isinstance(reload_message, str), tr(
        f"`reload_message` is a {type(reload_message).__name__}; expected a str.",
        f"`reload_message` 是 {type(reload_message).__name__}；应为 str。",
    )
    project = os.path.basename(os.path.normpath(resumed_search.project_dir))
    assert reload_message.strip().startswith("Reloading Tuner from") and project in reload_message, tr(
        f"`reload_message` is {reload_message!r}; expected the line 'Reloading Tuner from .../{project}/tuner0.json'.",
        f"`reload_message` 是 {reload_message!r}；应为 'Reloading Tuner from .../{project}/tuner0.json' 这一行。",
    )
