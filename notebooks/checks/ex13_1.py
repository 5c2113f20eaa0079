"""Checks for exercise 13.1, A chief and two workers."""

from otter.test_files import test_case

from course_utils.language import tr

OK_FORMAT = False

name = "ex13_1"


@test_case(points=1, hidden=False,
           failure_message=tr(
               "Make a list of three dicts {'cluster': {'chief': [...], 'worker': [...]}, 'task': {...}}, "
               "chief first, and try cluster.check_cluster(chief_and_workers, ports_free=False).",
               "建一个由三个字典 {'cluster': {'chief': [...], 'worker': [...]}, 'task': {...}} 组成的列表，"
               "主节点在前，并试试 cluster.check_cluster(chief_and_workers, ports_free=False)。",
           ))
def test_the_cluster_is_accepted(chief_and_workers):
    from course_utils import cluster

    assert chief_and_workers is not ... and chief_and_workers is not None, tr(
        "`chief_and_workers` is still `...`: set it to a list of three TF_CONFIG dicts.",
        "`chief_and_workers` 仍是 `...`：请把它设为由三个 TF_CONFIG 字典组成的列表。",
    )
    assert isinstance(chief_and_workers, list) and len(chief_and_workers) == 3, tr(
        f"`chief_and_workers` should be a list of 3 dicts, not {type(chief_and_workers).__name__}.",
        f"`chief_and_workers` 应为由 3 个字典组成的列表，而不是 {type(chief_and_workers).__name__}。",
    )
    try:
        cluster.check_cluster(chief_and_workers, ports_free=False)
    except cluster.ClusterError as error:
        raise AssertionError(tr(
            f"check_cluster refuses it: {error}",
            f"check_cluster 拒绝了它：{error}",
        )) from None


@test_case(points=1, hidden=False,
           failure_message=tr(
               "The cluster has a 'chief' job with one address and a 'worker' job with two; the tasks "
               "are chief 0, worker 0, worker 1, in that order.",
               "集群有一个 'chief' 作业（一个地址）和一个 'worker' 作业（两个地址）；任务"
               "依次是 chief 0、worker 0、worker 1。",
           ))
def test_one_chief_two_workers(chief_and_workers):
    assert isinstance(chief_and_workers, list) and len(chief_and_workers) == 3, tr(
        "`chief_and_workers` is not yet a list of three dicts.",
        "`chief_and_workers` 还不是由三个字典组成的列表。",
    )
    jobs = chief_and_workers[0].get("cluster", {})
    assert sorted(jobs) == ["chief", "worker"], tr(
        f"the cluster's jobs are {sorted(jobs)}; expected chief and worker.",
        f"集群的作业是 {sorted(jobs)}；应为 chief 和 worker。",
    )
    assert len(jobs["chief"]) == 1 and len(jobs["worker"]) == 2, tr(
        f"expected 1 chief and 2 workers, found {len(jobs['chief'])} and {len(jobs['worker'])}.",
        f"应为 1 个主节点和 2 个工作节点，实际是 {len(jobs['chief'])} 个和 {len(jobs['worker'])} 个。",
    )
    tasks = [(one["task"]["type"], one["task"]["index"]) for one in chief_and_workers]
    assert tasks == [("chief", 0), ("worker", 0), ("worker", 1)], tr(
        f"the tasks are {tasks}, in the wrong order.",
        f"任务是 {tasks}，顺序不对。",
    )
