"""Start, watch and stop worker processes on this machine, for the distributed-training lesson (13).

A real cluster is several machines, each running the same script with its own ``TF_CONFIG``.
On one laptop the machines become processes on ``127.0.0.1``; this module is the plumbing
around them, so the lesson shows only what would be the same on a real cluster (the
``TF_CONFIG`` dicts, the strategy, the callbacks, the tuner's environment variables):

* :func:`free_ports` picks ports nobody listens on, on ``127.0.0.1`` only;
* :func:`check_tf_config` and :func:`check_cluster` refuse a bad cluster setting (a missing task,
  an index out of range, a port in use, another machine's address) with a :class:`ClusterError`
  that says what to change, before any process starts;
* :class:`Cluster` starts each process (``python -m course_utils.cluster_worker ...``, never a
  fork: the same on Linux, macOS and Windows) in a process group of its own, writes its output
  to a log file, follows the JSON events it prints, and stops every process of every group it
  started: at the end of a ``with`` block, when a time limit passes, when a wait fails, when the
  cell is interrupted, and at the latest when the Python process exits (``atexit``). The
  workers also stop themselves when their parent disappears or their own time limit passes.

Every wait has a time limit, and an error names the worker, what it was waiting for and the last
lines of the worker's log.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_utils import language, native_logs
from course_utils.cluster_worker import EVENT_PREFIX
from course_utils.language import tr

#: The only address the helpers start workers on: this machine, not reachable from the network.
LOCALHOST = "127.0.0.1"
_LOCAL_NAMES = (LOCALHOST, "localhost")
#: Seconds a process gets to end after SIGTERM before it is killed.
GRACE_SECONDS = 3.0
#: Variables the helpers set for every worker (the watchdog in :mod:`course_utils.cluster_worker`).
PARENT_VARIABLE = "COURSE_CLUSTER_PARENT"
TIME_LIMIT_VARIABLE = "COURSE_CLUSTER_TIME_LIMIT"


class ClusterError(RuntimeError):
    """A cluster setting or a worker process is wrong; the message says which and what to do."""


# --------------------------------------------------------------------------------------------
# Ports and TF_CONFIG
# --------------------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """``count`` different ports that nothing listens on at ``127.0.0.1`` now (the system picks them)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((LOCALHOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def port_in_use(port: int) -> bool:
    """Whether ``port`` on ``127.0.0.1`` is taken (something listens on it or holds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOCALHOST, port))
        except OSError:
            return True
    return False


def _split_address(address: Any, where: str) -> tuple[str, int]:
    if not isinstance(address, str) or address.count(":") != 1:
        raise ClusterError(tr(f"{where}: {address!r} is not an address 'host:port', e.g. '127.0.0.1:12345'.",
                              f"{where}：{address!r} 不是 'host:port' 形式的地址，例如 '127.0.0.1:12345'。"))
    host, port_text = address.split(":")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ClusterError(tr(f"{where}: the port in {address!r} is not a number from 1 to 65535.",
                              f"{where}：{address!r} 中的端口不是 1 到 65535 之间的数字。"))
    if host not in _LOCAL_NAMES:
        raise ClusterError(tr(
            f"{where}: {address!r} is on another machine. The course's helpers start every task on this "
            f"machine: use '{LOCALHOST}:PORT' (ports from cluster.free_ports). On a real cluster each machine "
            "starts its own task with the same TF_CONFIG cluster and its own task entry.",
            f"{where}：{address!r} 位于另一台机器上。课程的辅助代码在这台机器上启动每个任务："
            f"请使用 '{LOCALHOST}:PORT'（端口取自 cluster.free_ports）。在真实集群上，每台机器"
            "用相同的 TF_CONFIG cluster 和它自己的 task 条目启动它自己的任务。"))
    return host, int(port_text)


def _check_jobs(cluster: Mapping[str, Any]) -> None:
    """Check TF_CONFIG's ``cluster``: known jobs, each a non-empty list of addresses, no address twice."""
    seen: dict[tuple[str, int], str] = {}
    for job, addresses in cluster.items():
        if job not in ("chief", "worker", "ps", "evaluator"):
            raise ClusterError(tr(
                f"TF_CONFIG cluster job {job!r}: the jobs are 'chief', 'worker', 'ps' and 'evaluator'.",
                f"TF_CONFIG cluster 中的作业 {job!r}：作业只能是 'chief'、'worker'、'ps' 和 'evaluator'。"))
        if not isinstance(addresses, list | tuple) or not addresses:
            raise ClusterError(tr(f"TF_CONFIG cluster job {job!r} must be a non-empty list of 'host:port' addresses.",
                                  f"TF_CONFIG cluster 中的作业 {job!r} 必须是由 'host:port' 地址组成的非空列表。"))
        for index, address in enumerate(addresses):
            host, port = _split_address(address, f"TF_CONFIG cluster {job}[{index}]")
            key = (LOCALHOST if host == "localhost" else host, port)
            if key in seen:
                raise ClusterError(tr(f"TF_CONFIG: {job}[{index}] and {seen[key]} share the address {address!r}; "
                                      "every task needs a port of its own (cluster.free_ports(n)).",
                                      f"TF_CONFIG：{job}[{index}] 和 {seen[key]} 使用同一个地址 {address!r}；"
                                      "每个任务都需要自己的端口（cluster.free_ports(n)）。"))
            seen[key] = f"{job}[{index}]"


def check_tf_config(tf_config: Mapping[str, Any] | str, ports_free: bool = False) -> dict[str, Any]:
    """Check one ``TF_CONFIG`` (a dict or its JSON text) and return it as a dict.

    Args:
        tf_config: ``{"cluster": {"worker": ["127.0.0.1:PORT", ...]}, "task": {"type": "worker", "index": 0}}``.
        ports_free: Also check that the task's own port is free (before starting it).

    Raises:
        ClusterError: The JSON does not parse; ``cluster`` or ``task`` is missing; a job is not a
            non-empty list of ``host:port`` addresses on this machine; an address appears twice;
            the task's type is not a job of the cluster or its index is out of range; with
            ``ports_free``, the task's port is in use.
    """
    if isinstance(tf_config, str):
        try:
            tf_config = json.loads(tf_config)
        except json.JSONDecodeError as error:
            raise ClusterError(tr(f"TF_CONFIG is not valid JSON ({error}); build a dict and json.dumps it.",
                                  f"TF_CONFIG 不是有效的 JSON（{error}）；"
                                  "请构建一个字典，再用 json.dumps 转成文本。")) from None
    if not isinstance(tf_config, Mapping):
        raise ClusterError(tr(f"TF_CONFIG must be a dict with 'cluster' and 'task', not {type(tf_config).__name__}.",
                              f"TF_CONFIG 必须是包含 'cluster' 和 'task' 的字典，而不是 {type(tf_config).__name__}。"))
    cluster, task = tf_config.get("cluster"), tf_config.get("task")
    if not isinstance(cluster, Mapping) or not cluster:
        raise ClusterError(tr("TF_CONFIG has no 'cluster': add {'cluster': {'worker': ['127.0.0.1:PORT', ...]}}.",
                              "TF_CONFIG 中没有 'cluster'：请加上 {'cluster': {'worker': ['127.0.0.1:PORT', ...]}}。"))
    if not isinstance(task, Mapping) or "type" not in task or "index" not in task:
        raise ClusterError(tr("TF_CONFIG has no complete 'task': add {'task': {'type': 'worker', 'index': 0}}, "
                              "one index per process.",
                              "TF_CONFIG 中没有完整的 'task'：请加上 {'task': {'type': 'worker', 'index': 0}}，"
                              "每个进程一个索引。"))
    _check_jobs(cluster)
    task_type, index = task["type"], task["index"]
    if task_type not in cluster:
        raise ClusterError(tr(f"TF_CONFIG task type {task_type!r} is not a job of the cluster ({', '.join(cluster)}).",
                              f"TF_CONFIG 的任务类型 {task_type!r} 不是集群中的作业（{', '.join(cluster)}）。"))
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(cluster[task_type]):
        count = len(cluster[task_type])
        raise ClusterError(tr(f"TF_CONFIG task index {index!r} is out of range: the cluster has "
                              f"{count} {task_type} task(s), indices 0 to {count - 1}.",
                              f"TF_CONFIG 的任务索引 {index!r} 超出范围：集群中有 "
                              f"{count} 个 {task_type} 任务，索引为 0 到 {count - 1}。"))
    if ports_free:
        _, port = _split_address(cluster[task_type][index], "TF_CONFIG")
        if port_in_use(port):
            raise ClusterError(tr(f"TF_CONFIG {task_type}[{index}]: port {port} on {LOCALHOST} is in use by another "
                                  "program (or a worker still running). Pick new ports with cluster.free_ports(n).",
                                  f"TF_CONFIG {task_type}[{index}]：{LOCALHOST} 上的端口 {port} 正被另一个程序"
                                  "（或一个仍在运行的工作节点）占用。请用 cluster.free_ports(n) 选取新的端口。"))
    return dict(tf_config)


def check_cluster(tf_configs: Sequence[Mapping[str, Any] | str], ports_free: bool = True) -> list[dict[str, Any]]:
    """Check the ``TF_CONFIG`` of every process of one job: the same cluster, and each task started once.

    Raises:
        ClusterError: Any :func:`check_tf_config` error; the processes disagree on the cluster; a task
            of the cluster has no process (it would wait for it forever) or has two.
    """
    checked = [check_tf_config(one, ports_free=ports_free) for one in tf_configs]
    if not checked:
        raise ClusterError(tr("No TF_CONFIG given: one per process of the cluster.",
                              "没有给出 TF_CONFIG：集群的每个进程需要一个。"))
    cluster = checked[0]["cluster"]
    tasks: dict[tuple[str, int], int] = {}
    for number, one in enumerate(checked):
        if one["cluster"] != cluster:
            raise ClusterError(tr(f"TF_CONFIG number {number} has another cluster than number 0: every process gets "
                                  "the same 'cluster', only 'task' differs.",
                                  f"第 {number} 个 TF_CONFIG 的 cluster 与第 0 个不同：每个进程得到相同的 "
                                  "'cluster'，只有 'task' 不同。"))
        key = (one["task"]["type"], one["task"]["index"])
        if key in tasks:
            raise ClusterError(tr(f"TF_CONFIG numbers {tasks[key]} and {number} are both task {key[0]}:{key[1]}; "
                                  "give each process its own index.",
                                  f"第 {tasks[key]} 个和第 {number} 个 TF_CONFIG 都是任务 {key[0]}:{key[1]}；"
                                  "请给每个进程分配它自己的索引。"))
        tasks[key] = number
    missing = [f"{job}:{index}" for job, addresses in cluster.items() for index in range(len(addresses))
               if (job, index) not in tasks]
    if missing:
        raise ClusterError(tr(f"The cluster lists task(s) {', '.join(missing)} but no process is started for them: "
                              "the others would wait for them until the time limit. Start one process per task, "
                              "or remove the task from 'cluster'.",
                              f"集群列出了任务 {', '.join(missing)}，但没有为它们启动进程：其他进程会一直等待它们，"
                              "直到超过时间限制。请为每个任务启动一个进程，或者从 'cluster' 中删除该任务。"))
    return checked


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------

_LIVE: set[Cluster] = set()  # clusters with processes that may still run, stopped at exit
_LIVE_LOCK = threading.Lock()


def _stop_all_at_exit() -> None:
    with _LIVE_LOCK:
        clusters = list(_LIVE)
    for cluster in clusters:
        with contextlib.suppress(Exception):
            cluster.stop()


atexit.register(_stop_all_at_exit)


def _signal_group(process: subprocess.Popen[bytes], kill: bool) -> None:
    """SIGTERM (or SIGKILL) to the process and everything it started (its process group)."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
    else:  # Windows: the worker's own children end with it (the watchdog below), or are killed here
        with contextlib.suppress(OSError):
            if kill:
                subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, timeout=10)
            else:
                process.terminate()


def _group_alive(pid: int) -> bool:
    if os.name != "posix":
        return False
    try:
        os.killpg(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


@dataclass(eq=False)
class Worker:
    """One process of a :class:`Cluster`: its name, command, log file and the events it printed."""

    name: str
    command: list[str]
    log_path: Path
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)
    killed_at: float | None = None  # time.time() of a kill by :meth:`Cluster.kill`
    _log_file: Any = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.poll()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The events printed so far (every one, or those called ``name``), in order."""
        found = []
        for line in self.log_text().splitlines():
            if line.startswith(EVENT_PREFIX):
                with contextlib.suppress(json.JSONDecodeError):
                    event = json.loads(line[len(EVENT_PREFIX):])
                    if name is None or event.get("event") == name:
                        found.append(event)
        return found

    def log_lines(self) -> list[str]:
        """The log without the event lines and without TensorFlow's known start-up chatter."""
        text = native_logs.without_noise(self.log_text())
        return [line for line in text.splitlines() if line.strip() and not line.startswith(EVENT_PREFIX)]

    def tail(self, lines: int = 8) -> str:
        shown = self.log_lines()[-lines:]
        return "\n".join(f"    {line}" for line in shown) if shown else tr("    (nothing)", "    （无）")


class Cluster:
    """Worker processes on this machine, each in its own process group, all stopped at the end.

        with cluster.Cluster(out / "logs", time_limit=300) as job:
            job.start("worker-0", ["train", "--out-dir", out], env={"TF_CONFIG": json.dumps(tf_config)})
            ...
            job.wait()          # every worker ends, or ClusterError when the time limit passes

    Args:
        log_dir: Where each worker's log (``NAME.log``: its stdout and stderr) is written.
        time_limit: Seconds from the cluster's start after which every wait fails, every process is
            stopped, and the workers stop themselves.
        module: The Python module the workers run (``python -m MODULE ARGS``).
    """

    def __init__(self, log_dir: Path | str, time_limit: float = 300.0,
                 module: str = "course_utils.cluster_worker") -> None:
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.time_limit = float(time_limit)
        self.module = module
        self.workers: dict[str, Worker] = {}
        self.started = time.monotonic()

    # -- starting --------------------------------------------------------------------------

    def start(self, name: str, args: Iterable[Any], env: Mapping[str, str] | None = None,
              command: Sequence[str] | None = None) -> Worker:
        """Start ``python -m MODULE *args`` (or ``command``) with ``env`` added to this process's environment."""
        if name in self.workers and self.workers[name].returncode is None:
            raise ClusterError(tr(f"A worker called {name!r} is still running in this cluster.",
                                  f"这个集群中名为 {name!r} 的工作节点仍在运行。"))
        full_env = dict(os.environ)
        full_env.update({key: str(value) for key, value in (env or {}).items()})
        full_env.update({PARENT_VARIABLE: str(os.getpid()), TIME_LIMIT_VARIABLE: str(self.remaining()),
                         "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"})
        full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if "COURSE_LANG" not in (env or {}):  # the worker's messages in the notebook's language
            with contextlib.suppress(ValueError):  # a bad COURSE_LANG: the worker reports it itself
                full_env["COURSE_LANG"] = language.current()
        argv = list(command) if command is not None else [sys.executable, "-m", self.module, *map(str, args)]
        log_path = self.log_dir / f"{name}.log"
        log_file = open(log_path, "w", encoding="utf-8")  # closed in stop(), not by a with block
        options: dict[str, Any] = {}
        if os.name == "posix":
            options["start_new_session"] = True  # its own process group: killed as one
        else:
            options["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        try:
            process = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=full_env, **options)
        except OSError as error:
            log_file.close()
            raise ClusterError(tr(f"{name}: could not start {argv[0]} ({error}).",
                                  f"{name}：无法启动 {argv[0]}（{error}）。")) from error
        worker = Worker(name, argv, log_path, process, _log_file=log_file)
        self.workers[name] = worker
        with _LIVE_LOCK:
            _LIVE.add(self)
        return worker

    # -- watching --------------------------------------------------------------------------

    def remaining(self) -> float:
        return max(0.0, self.time_limit - (time.monotonic() - self.started))

    def _fail(self, message: str, names: Iterable[str] | None = None) -> ClusterError:
        """Stop everything; return the error to raise, with the last lines of the workers' logs."""
        self.stop()
        shown = list(names) if names is not None else list(self.workers)
        tails = "\n".join(tr(f"  {name} (exit code {self.workers[name].returncode}), last lines of its log:\n"
                             f"{self.workers[name].tail()}",
                             f"  {name}（退出码 {self.workers[name].returncode}），其日志的最后几行：\n"
                             f"{self.workers[name].tail()}") for name in shown if name in self.workers)
        return ClusterError(tr(f"{message}\nEvery process of the cluster was stopped.\n{tails}",
                               f"{message}\n集群的所有进程都已停止。\n{tails}"))

    def wait_for(self, name: str, event: str, timeout: float | None = None,
                 where: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
        """Wait until worker ``name`` prints ``event`` (matching ``where``); return the event.

        Raises:
            ClusterError: The worker ends first, or ``timeout`` (default: the cluster's remaining
                time) passes. Every process is stopped first.
        """
        worker = self.workers[name]
        limit = self.remaining() if timeout is None else min(timeout, self.remaining())
        deadline = time.monotonic() + limit
        while True:
            found = [e for e in worker.events(event) if where is None or where(e)]
            if found:
                return found[0]
            if worker.returncode is not None:
                raise self._fail(tr(f"{name} ended (exit code {worker.returncode}) before '{event}'.",
                                    f"{name} 在 '{event}' 之前就结束了（退出码 {worker.returncode}）。"), [name])
            if time.monotonic() >= deadline:
                raise self._fail(tr(f"{name} did not report '{event}' within {limit:.0f} s. A worker that never "
                                    "starts or never joins usually waits for a task of TF_CONFIG that was not started, "
                                    "or could not open its port.",
                                    f"{name} 在 {limit:.0f} 秒内没有报告 '{event}'。一个始终没有开始或始终没有加入的"
                                    "工作节点，通常是在等待 TF_CONFIG 中一个没有启动的任务，或者无法打开它的端口。"),
                                 [name])
            time.sleep(0.1)

    def wait_ready(self, timeout: float | None = None) -> dict[str, dict[str, Any]]:
        """Wait until every worker printed its ``ready`` event (it has joined the cluster)."""
        return {name: self.wait_for(name, "ready", timeout) for name in list(self.workers)}

    def wait(self, timeout: float | None = None, names: Iterable[str] | None = None) -> dict[str, int]:
        """Wait until the workers (default: all) end; return their exit codes.

        Raises:
            ClusterError: ``timeout`` (default: the cluster's remaining time) passes first; every
                process is stopped.
        """
        chosen = list(names) if names is not None else list(self.workers)
        limit = self.remaining() if timeout is None else min(timeout, self.remaining())
        deadline = time.monotonic() + limit
        while any(self.workers[name].returncode is None for name in chosen):
            if time.monotonic() >= deadline:
                running = [name for name in chosen if self.workers[name].returncode is None]
                raise self._fail(tr(f"{', '.join(running)} still running after {limit:.0f} s (the time limit).",
                                    f"{', '.join(running)} 在 {limit:.0f} 秒（时间限制）之后仍在运行。"),
                                 running)
            time.sleep(0.1)
        # Every chosen worker has ended, so wait() returns its exit code at once.
        return {name: self.workers[name].process.wait() for name in chosen}

    def ended_at(self, name: str) -> float | None:
        """``time.time()`` of the worker's last event (a worker that fails prints ``failed`` as it stops)."""
        events = self.workers[name].events()
        return events[-1]["time"] if events else None

    # -- stopping --------------------------------------------------------------------------

    def kill(self, name: str) -> float:
        """Kill worker ``name`` at once (SIGKILL to its process group; on Windows TerminateProcess).

        Returns the ``time.time()`` of the kill.
        """
        worker = self.workers[name]
        worker.killed_at = time.time()
        _signal_group(worker.process, kill=True)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(timeout=10)
        return worker.killed_at

    def stop(self) -> None:
        """Stop every process this cluster started, and what they started: SIGTERM, then SIGKILL."""
        for worker in self.workers.values():
            if worker.returncode is None:
                _signal_group(worker.process, kill=False)
        deadline = time.monotonic() + GRACE_SECONDS
        for worker in self.workers.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        for worker in self.workers.values():
            if worker.returncode is None or _group_alive(worker.pid):
                _signal_group(worker.process, kill=True)  # also children left behind by a worker that ended
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(timeout=10)
            if worker._log_file is not None and not worker._log_file.closed:
                worker._log_file.close()
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()  # also when the block raised, or the cell was interrupted (KeyboardInterrupt)

    # -- showing ---------------------------------------------------------------------------

    def show_logs(self, names: Iterable[str] | None = None, lines: int = 6) -> None:
        """Print the end of each worker's log, TensorFlow's start-up chatter left out (stdout: not red)."""
        for name in names if names is not None else self.workers:
            worker = self.workers[name]
            shown = worker.log_lines()[-lines:]
            print(tr(f"--- {name} (pid {worker.pid}, exit code {worker.returncode}): "
                     f"{len(worker.log_lines())} log lines, {len(worker.events())} events",
                     f"--- {name}（pid {worker.pid}，退出码 {worker.returncode}）："
                     f"{len(worker.log_lines())} 行日志，{len(worker.events())} 个事件"))
            for line in shown:
                print(f"    {line[:160]}")


def start_watchdog() -> None:
    """In a worker: exit when the parent that started it is gone, or when its time limit passes.

    :class:`Cluster` passes the parent's pid and the time limit in the environment; a worker
    started by hand (no variables) runs without a watchdog.
    """
    parent = os.environ.get(PARENT_VARIABLE)
    limit = os.environ.get(TIME_LIMIT_VARIABLE)
    if not parent and not limit:
        return
    deadline = time.monotonic() + float(limit) if limit else None

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if parent and os.getppid() != int(parent):
                os._exit(70)  # the notebook's kernel is gone: do not run on alone
            if deadline is not None and time.monotonic() > deadline:
                print(f"{EVENT_PREFIX}{json.dumps({'event': 'time_limit', 'time': time.time()})}", flush=True)
                os._exit(71)

    threading.Thread(target=watch, name="cluster-watchdog", daemon=True).start()
