"""Checks for exercise 10.3, Resume on purpose."""

import numbers
import os

from otter.test_files import test_case

OK_FORMAT = False

name = "ex10_3"


def _is_tuner(value):
    return hasattr(value, "oracle") and hasattr(value, "project_dir")


@test_case(points=1, hidden=False,
           failure_message="Create the same kt.RandomSearch twice (same directory and project_name): the "
                           "first with overwrite=True, the second with overwrite=False and max_trials + 2.")
def test_two_tuners_on_one_project(first_search, resumed_search):
    assert first_search is not ... and first_search is not None, \
        "`first_search` is still `...`: set it to the first kt.RandomSearch (overwrite=True)."
    assert resumed_search is not ... and resumed_search is not None, \
        "`resumed_search` is still `...`: set it to the tuner created again with overwrite=False."
    assert _is_tuner(first_search) and _is_tuner(resumed_search), \
        f"expected two Keras Tuner tuners; got {type(first_search).__name__} and {type(resumed_search).__name__}."
    assert resumed_search is not first_search, \
        "`resumed_search` is the same object as `first_search`: create the tuner a second time."
    first_dir, resumed_dir = os.path.abspath(first_search.project_dir), os.path.abspath(resumed_search.project_dir)
    assert first_dir == resumed_dir, \
        f"the tuners use different project folders ({first_dir} and {resumed_dir}): a tuner resumes only " \
        "with the same directory and project_name."
    first_max, resumed_max = first_search.oracle.max_trials, resumed_search.oracle.max_trials
    assert resumed_max == first_max + 2, \
        f"`resumed_search` has max_trials={resumed_max}; expected two more than the first search's {first_max}."


@test_case(points=1, hidden=False,
           failure_message="Pass overwrite=False the second time (overwrite=True empties the folder) and "
                           "call search on both tuners with the same arguments.")
def test_the_second_search_reloaded_the_first(first_search, resumed_search):
    assert _is_tuner(first_search) and _is_tuner(resumed_search), \
        "set `first_search` and `resumed_search` to the two tuners first."
    old, new = first_search.oracle.trials, resumed_search.oracle.trials
    assert len(old) == first_search.oracle.max_trials, \
        f"the first search has {len(old)} trials; expected its max_trials={first_search.oracle.max_trials}: " \
        "call first_search.search(...)."
    missing = [trial_id for trial_id in old if trial_id not in new]
    assert not missing, \
        f"the resumed tuner does not know the first search's trials {missing}: it started from scratch. " \
        "Was it created with overwrite=False, in the same folder?"
    for trial_id, trial in old.items():
        assert new[trial_id].hyperparameters.values == trial.hyperparameters.values, \
            f"trial {trial_id} has other settings in the resumed tuner: it was run again, not reloaded."
    assert len(new) == resumed_search.oracle.max_trials, \
        f"the resumed tuner has {len(new)} trials; expected {resumed_search.oracle.max_trials}: call " \
        "resumed_search.search(...) with the same arguments."
    unfinished = [trial_id for trial_id, trial in new.items() if str(trial.status) != "COMPLETED"]
    assert not unfinished, f"trials {unfinished} did not complete; run the search again."


@test_case(points=1, hidden=False,
           failure_message="Count the trials with len(tuner.oracle.trials) for each tuner; copy the line "
                           "'Reloading Tuner from ...' that creating the second tuner printed.")
def test_the_counts_and_the_message(trials_before, trials_after, trials_run_on_resume, reload_message,
                                    first_search, resumed_search):
    for label, value in (("trials_before", trials_before), ("trials_after", trials_after),
                         ("trials_run_on_resume", trials_run_on_resume)):
        assert value is not ... and value is not None, f"`{label}` is still `...`: set it to a number of trials."
        assert isinstance(value, numbers.Integral) and not isinstance(value, bool), \
            f"`{label}` is {value!r}; expected a whole number."
    assert reload_message is not ... and reload_message is not None, \
        "`reload_message` is still `...`: set it to the line the second tuner printed (a str)."
    assert _is_tuner(first_search) and _is_tuner(resumed_search), "set the two tuners first."
    before, after = len(first_search.oracle.trials), len(resumed_search.oracle.trials)
    assert trials_before == before, f"`trials_before` is {trials_before}; the first tuner's oracle holds {before}."
    assert trials_after == after, f"`trials_after` is {trials_after}; the resumed tuner's oracle holds {after}."
    assert trials_run_on_resume == after - before, \
        f"`trials_run_on_resume` is {trials_run_on_resume}; the second search trained {after - before} trials " \
        f"({after} in all, {before} of them reloaded)."
    assert isinstance(reload_message, str), f"`reload_message` is a {type(reload_message).__name__}; expected a str."
    project = os.path.basename(os.path.normpath(resumed_search.project_dir))
    assert reload_message.strip().startswith("Reloading Tuner from") and project in reload_message, \
        f"`reload_message` is {reload_message!r}; expected the line 'Reloading Tuner from .../{project}/tuner0.json'."
