"""course_utils.cluster and cluster_worker: bad settings fail fast and clearly, no process is left
behind, one mirrored step equals one single-device step, and a killed worker stops the job, which
then resumes from its last finished epoch."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course_utils import cluster
from course_utils.cluster_worker import EVENT_PREFIX

#: One SGD step on 64 digits split over two replicas vs on one device: the all-reduce adds the
#: two halves' gradients in float32, so the weights may differ by float rounding only. Measured:
#: ~1e-8, for updates of ~4e-3; the mistake of not scaling the loss differs by the update itself.
STEP_TOLERANCE = 1e-6
#: Seconds the surviving worker may take to notice a killed peer. A killed process closes its
#: connections, so it is noticed in about a second; the collective timeout (20 s, not less: on a
#: busy machine one step can lag the other worker's by 5 s) covers a peer that hangs instead.
DETECT_LIMIT = 30.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if sys.platform.startswith("linux"):  # a zombie waiting for its parent is no longer running
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
        except FileNotFoundError:
            return False
    return True


def _config(workers: list[str], index: int) -> dict:
    return {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}


# ---------------------------------------------------------------------------------------------
# Settings: refused before anything starts
# ---------------------------------------------------------------------------------------------


def test_free_ports_are_distinct_local_and_free() -> None:
    ports = cluster.free_ports(3)
    assert len(set(ports)) == 3
    assert not any(cluster.port_in_use(port) for port in ports)


@pytest.mark.parametrize(("tf_config", "words"), [
    ("{not json", "not valid JSON"),
    ({"task": {"type": "worker", "index": 0}}, "no 'cluster'"),
    ({"cluster": {"worker": ["127.0.0.1:2222"]}}, "no complete 'task'"),
    ({"cluster": {"worker": ["127.0.0.1:2222"]}, "task": {"type": "worker", "index": 1}}, "out of range"),
    ({"cluster": {"worker": ["127.0.0.1:2222"]}, "task": {"type": "chief", "index": 0}}, "not a job"),
    ({"cluster": {"worker": ["10.0.0.7:2222"]}, "task": {"type": "worker", "index": 0}}, "another machine"),
    ({"cluster": {"worker": ["127.0.0.1:2222", "localhost:2222"]}, "task": {"type": "worker", "index": 0}},
     "share the address"),
    ({"cluster": {"worker": ["127.0.0.1"]}, "task": {"type": "worker", "index": 0}}, "host:port"),
])
def test_a_bad_tf_config_is_refused_with_what_to_change(tf_config, words: str) -> None:
    with pytest.raises(cluster.ClusterError, match=words):
        cluster.check_tf_config(tf_config)


def test_a_port_in_use_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((cluster.LOCALHOST, 0))
        listener.listen()
        taken = listener.getsockname()[1]
        free = cluster.free_ports(1)[0]
        workers = [f"127.0.0.1:{taken}", f"127.0.0.1:{free}"]
        with pytest.raises(cluster.ClusterError, match=f"port {taken} .* is in use"):
            cluster.check_cluster([_config(workers, 0), _config(workers, 1)])
    accepted = cluster.check_cluster([_config(workers, 0), _config(workers, 1)])  # free again: accepted
    assert [(one["cluster"]["worker"], one["task"]["index"]) for one in accepted] == [(workers, 0), (workers, 1)]


def test_a_task_without_a_process_is_refused() -> None:
    workers = [f"127.0.0.1:{port}" for port in cluster.free_ports(3)]
    with pytest.raises(cluster.ClusterError, match="worker:1, worker:2 but no process"):
        cluster.check_cluster([_config(workers, 0)])
    with pytest.raises(cluster.ClusterError, match="both task worker:0"):
        cluster.check_cluster([_config(workers, 0), _config(workers, 0), _config(workers, 2)])
    with pytest.raises(cluster.ClusterError, match="another cluster"):
        cluster.check_cluster([_config(workers, 0), _config(workers[:2], 1)])


# ---------------------------------------------------------------------------------------------
# Processes: every wait has a limit, nothing is left behind
# ---------------------------------------------------------------------------------------------


def test_a_worker_that_never_starts_fails_within_the_limit(tmp_path: Path) -> None:
    started = time.monotonic()
    with cluster.Cluster(tmp_path, time_limit=60) as job:
        sleeper = job.start("sleeper", [], command=[sys.executable, "-c", "import time; print('waiting'); "
                                                    "time.sleep(60)"])
        with pytest.raises(cluster.ClusterError, match=r"sleeper did not report 'ready' within 2 s") as error:
            job.wait_ready(timeout=2)
    assert 2 <= time.monotonic() - started < 2 + cluster.GRACE_SECONDS + 5  # it waited its 2 s, then stopped
    assert "waiting" in str(error.value)  # the end of its log is in the message
    assert not _alive(sleeper.pid)


def test_no_process_is_left_after_a_failure(tmp_path: Path) -> None:
    # The worker starts a child of its own, reports it, then fails: the child must go too.
    script = ("import subprocess, sys, json; child = subprocess.Popen([sys.executable, '-c', "
              "'import time; time.sleep(60)']); "
              f"print({EVENT_PREFIX!r} + json.dumps({{'event': 'ready', 'child': child.pid}}), flush=True); "
              "sys.exit(1)")
    with cluster.Cluster(tmp_path, time_limit=60) as job:
        worker = job.start("parent", [], command=[sys.executable, "-c", script])
        with pytest.raises(cluster.ClusterError, match="parent ended .exit code 1. before 'done'"):
            job.wait_for("parent", "done", timeout=30)
    child = worker.events("ready")[0]["child"]
    if os.name == "posix":  # process groups: the child was killed with its parent's group
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child), "the worker's own child survived the failure"
    assert not _alive(worker.pid)


def test_an_interrupted_cell_stops_the_workers(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), cluster.Cluster(tmp_path, time_limit=60) as job:
        workers = [job.start(f"w{i}", [], command=[sys.executable, "-c", "import time; time.sleep(60)"])
                   for i in range(2)]
        raise KeyboardInterrupt  # what Jupyter's interrupt raises inside the cell
    assert not any(_alive(worker.pid) for worker in workers)


def test_the_time_limit_stops_a_worker_that_runs_too_long(tmp_path: Path) -> None:
    started = time.monotonic()
    with cluster.Cluster(tmp_path, time_limit=3) as job:
        worker = job.start("slow", [], command=[sys.executable, "-c", "import time; time.sleep(60)"])
        with pytest.raises(cluster.ClusterError, match="still running after 3 s"):
            job.wait()
    assert 3 <= time.monotonic() - started < 3 + cluster.GRACE_SECONDS + 5  # the limit, then the stop
    assert not _alive(worker.pid)


# ---------------------------------------------------------------------------------------------
# TensorFlow: one step on two replicas; kill a worker and resume
# ---------------------------------------------------------------------------------------------


def test_one_step_on_two_replicas_equals_one_step_on_the_whole_batch() -> None:
    result = subprocess.run([sys.executable, "-m", "course_utils.cluster_worker", "step"], capture_output=True,
                            text=True, timeout=240, env={**os.environ, "COURSE_FAST": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith(EVENT_PREFIX))
    event = json.loads(line[len(EVENT_PREFIX):])
    scaled, unscaled = event["scaled"], event["unscaled"]
    assert scaled["replicas"] == 2
    assert scaled["max_difference"] <= STEP_TOLERANCE, scaled
    # The comparison can fail: a per-replica mean loss (not divided by the global batch) doubles the step.
    assert unscaled["max_difference"] > 100 * STEP_TOLERANCE, unscaled
    assert unscaled["max_difference"] == pytest.approx(unscaled["max_update"], rel=0.05)


def test_killing_a_worker_stops_the_job_and_a_restart_resumes(tmp_path: Path) -> None:
    args = ["train", "--out-dir", tmp_path, "--epochs", "2", "--digits", "256", "--global-batch", "64",
            "--timeout", "20"]

    def start_job(job: cluster.Cluster) -> None:
        workers = [f"127.0.0.1:{port}" for port in cluster.free_ports(2)]
        configs = cluster.check_cluster([_config(workers, 0), _config(workers, 1)])
        for index, tf_config in enumerate(configs):
            job.start(f"worker-{index}", args, env={"TF_CONFIG": json.dumps(tf_config), "COURSE_FAST": "1"})

    with cluster.Cluster(tmp_path / "logs-1", time_limit=240) as job:
        start_job(job)
        job.wait_for("worker-1", "batch", where=lambda event: event["epoch"] == 2)
        killed = job.kill("worker-1")
        codes = job.wait(timeout=DETECT_LIMIT)
        failed = job.workers["worker-0"].events("failed")
        first = list(job.workers.values())
    assert codes["worker-0"] != 0 and failed, job.workers["worker-0"].log_text()[-2000:]
    assert 0 < failed[0]["time"] - killed < DETECT_LIMIT  # its failure came after the kill, and in time
    assert [event["epoch"] for event in first[0].events("epoch_end")] == [1]
    assert not any(_alive(worker.pid) for worker in first)

    with cluster.Cluster(tmp_path / "logs-2", time_limit=240) as job:
        start_job(job)
        codes = job.wait()
        second = list(job.workers.values())
    assert codes == {"worker-0": 0, "worker-1": 0}, second[0].log_text()[-2000:]
    start = second[0].events("start")[0]
    assert start["resumed_from_epoch"] == 1 and start["step"] == 4, start  # 256 digits / 64 = 4 steps
    assert [event["epoch"] for event in second[0].events("epoch_begin")] == [2]  # not epoch 1 again
    assert second[0].events("done")[0]["saved"] == os.fspath(tmp_path / "model.keras")
    assert (tmp_path / "model.keras").is_file() and not second[1].events("done")[0]["saved"]
    assert not any(_alive(worker.pid) for worker in second)
