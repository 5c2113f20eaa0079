"""Checks for exercise 13.1, A chief and two workers."""

from otter.test_files import test_case

OK_FORMAT = False

name = "ex13_1"


@test_case(points=1, hidden=False,
           failure_message="Make a list of three dicts {'cluster': {'chief': [...], 'worker': [...]}, 'task': {...}}, "
                           "chief first, and try cluster.check_cluster(chief_and_workers, ports_free=False).")
def test_the_cluster_is_accepted(chief_and_workers):
    from course_utils import cluster

    assert chief_and_workers is not ... and chief_and_workers is not None, \
        "`chief_and_workers` is still `...`: set it to a list of three TF_CONFIG dicts."
    assert isinstance(chief_and_workers, list) and len(chief_and_workers) == 3, \
        f"`chief_and_workers` should be a list of 3 dicts, not {type(chief_and_workers).__name__}."
    try:
        cluster.check_cluster(chief_and_workers, ports_free=False)
    except cluster.ClusterError as error:
        raise AssertionError(f"check_cluster refuses it: {error}") from None


@test_case(points=1, hidden=False,
           failure_message="The cluster has a 'chief' job with one address and a 'worker' job with two; the tasks "
                           "are chief 0, worker 0, worker 1, in that order.")
def test_one_chief_two_workers(chief_and_workers):
    assert isinstance(chief_and_workers, list) and len(chief_and_workers) == 3, \
        "`chief_and_workers` is not yet a list of three dicts."
    jobs = chief_and_workers[0].get("cluster", {})
    assert sorted(jobs) == ["chief", "worker"], f"the cluster's jobs are {sorted(jobs)}; expected chief and worker."
    assert len(jobs["chief"]) == 1 and len(jobs["worker"]) == 2, \
        f"expected 1 chief and 2 workers, found {len(jobs['chief'])} and {len(jobs['worker'])}."
    tasks = [(one["task"]["type"], one["task"]["index"]) for one in chief_and_workers]
    assert tasks == [("chief", 0), ("worker", 0), ("worker", 1)], f"the tasks are {tasks}, in the wrong order."
