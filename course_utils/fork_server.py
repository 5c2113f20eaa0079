"""Start training processes quickly so that a test can kill them: a fork server, or fresh processes.

:mod:`course_utils.kill_harness` kills a training process dozens of times. Starting Python and
importing TensorFlow takes several seconds per process, so on Linux a **fork server** imports
TensorFlow once and then copies itself with ``os.fork`` for every training process: a new
process is ready in about a second. Elsewhere (and with ``use_fork=False``) every process is a
fresh ``python -m ...`` command.

Forking is only safe because the server imports TensorFlow but never *runs* it: TensorFlow
starts its thread pools (threads named ``tf_Compute``, ``tf_graph_runner``, ...) with its first
operation, and a forked copy of a process keeps only the thread that called ``fork``. Threads
that held a lock at that moment are gone in the copy, the lock stays held, and the child can hang
for ever. :func:`check_safe_to_fork` turns that rule into an error, checked before every fork.

The server speaks JSON lines: it reads ``{"cmd": "spawn", "log": ..., **arguments}``,
``{"cmd": "reap", "pid": ...}`` and ``{"cmd": "quit"}`` on stdin and answers
``{"event": "ready" | "spawned" | "reaped", ...}`` on stdout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from course_utils.language import tr

# TensorFlow names the threads of its runtime "tf_" + the pool's name (tensorflow/core/platform/threadpool.cc).
TENSORFLOW_THREAD_PREFIX = "tf_"


def thread_names() -> list[str]:
    """The names of this process's threads as the OS knows them ([] where ``/proc`` does not exist)."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return []
    names = []
    for task in tasks.iterdir():
        try:
            names.append((task / "comm").read_text().strip())
        except OSError:  # the thread ended meanwhile
            continue
    return names


def check_safe_to_fork(names: Iterable[str] | None = None) -> None:
    """Raise ``RuntimeError`` if TensorFlow's runtime already runs in this process.

    The sign is a thread named ``tf_...``: TensorFlow's runtime starts its thread pools with the
    first operation, not at import. Without ``/proc`` (macOS) there are no names to check.

    Args:
        names: thread names to check; by default this process's (:func:`thread_names`).

    Raises:
        RuntimeError: a thread of TensorFlow's runtime exists, so a forked child could hang.
    """
    names = thread_names() if names is None else list(names)
    running = sorted({name for name in names if name.startswith(TENSORFLOW_THREAD_PREFIX)})
    if running:
        raise RuntimeError(tr(
            f"the fork server cannot fork: TensorFlow's runtime already runs in it (threads {', '.join(running)}). "
            "A forked child keeps only the forking thread, and a lock held by one of the others stays locked "
            "for ever. Importing TensorFlow or Keras in the server is fine; building a model or running any "
            "TensorFlow operation is not: do that in the child function, after the fork.",
            f"fork 服务器无法 fork：TensorFlow 的运行时已经在其中运行（线程 {', '.join(running)}）。"
            "fork 出的子进程只保留执行 fork 的那个线程，其他线程持有的锁会永远处于锁定状态。"
            "在服务器中导入 TensorFlow 或 Keras 没有问题；构建模型或运行任何 TensorFlow 操作则不行："
            "请在 fork 之后、在子进程函数中做这些事。"
        ))


def child_environment() -> dict[str, str]:
    """The environment of every started process: quiet, CPU only, this checkout importable."""
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["CUDA_VISIBLE_DEVICES"] = "-1"  # CPU only: saves the GPU probe in every child
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "") if env.get("PYTHONPATH") else root
    return env


def serve(child: Callable[[dict[str, Any], int], None]) -> None:
    """Run the fork server on stdin/stdout: fork and call ``child(arguments, server_pid)`` per spawn.

    Import what the children need (TensorFlow, Keras, data as NumPy arrays) *before* calling
    this, and run nothing of TensorFlow: :func:`check_safe_to_fork` runs before every fork. A
    child's stdout goes to ``os.devnull`` and its stderr to the spawn command's ``log`` file; it
    exits with code 0, or 1 if ``child`` raised.
    """
    reply = sys.stdout

    def say(**message: Any) -> None:
        reply.write(json.dumps(message) + "\n")
        reply.flush()

    say(event="ready", pid=os.getpid())
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "spawn":
            check_safe_to_fork()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the child
                code = 0
                try:
                    with open(os.devnull, "wb") as null, open(command["log"], "ab") as log:
                        os.dup2(null.fileno(), 1)
                        os.dup2(log.fileno(), 2)
                    arguments = {key: value for key, value in command.items() if key not in ("cmd", "log")}
                    child(arguments, os.getppid())
                except BaseException:
                    code = 1
                finally:
                    os._exit(code)
            say(event="spawned", pid=pid)
        elif command["cmd"] == "reap":
            _, status = os.waitpid(command["pid"], 0)
            say(
                event="reaped",
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                exit=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            )
        elif command["cmd"] == "quit":
            break


class Launcher:
    """Starts and kills one child process at a time: forked by a fork server, or a fresh process.

    Args:
        server_command: the command line that runs :func:`serve` (used with ``use_fork``).
        child_command: the command line of a fresh child (without ``use_fork``); :meth:`start`
            appends its arguments as ``--name value``.
        server_log: where the fork server's stderr goes.
        use_fork: fork the children from one server (Linux), or start a fresh process for each.
    """

    def __init__(self, server_command: list[str], child_command: list[str], server_log: Path, use_fork: bool) -> None:
        self.child_command, self.use_fork, self.server_log = child_command, use_fork, server_log
        self.name = "fork" if use_fork else "spawn"
        self._child: subprocess.Popen[bytes] | None = None
        self._server: subprocess.Popen[str] | None = None
        self._forked_pid: int | None = None  # a forked child not yet reaped
        self._server_log = open(server_log, "wb")  # closed in close()
        if use_fork:
            self._server = subprocess.Popen(
                server_command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._server_log,
                text=True,
                env=child_environment(),
            )
            self._expect("ready")

    def _expect(self, event: str) -> dict[str, Any]:
        assert self._server is not None and self._server.stdout is not None
        line = self._server.stdout.readline()
        if not line:
            self._server_log.flush()
            raise RuntimeError(tr("the fork server died:\n", "fork 服务器已终止：\n")
                               + self.server_log.read_text(errors="replace")[-3000:])
        message = json.loads(line)
        if message.get("event") != event:
            raise RuntimeError(tr(f"expected {event!r} from the fork server, got {message}",
                                  f"本应从 fork 服务器收到 {event!r}，实际收到 {message}"))
        return message

    def _send(self, **command: Any) -> None:
        assert self._server is not None and self._server.stdin is not None
        self._server.stdin.write(json.dumps(command) + "\n")
        self._server.stdin.flush()

    def start(self, log: Path, **arguments: Any) -> int:
        """Start a child with ``arguments`` (JSON values), its stderr appended to ``log``; return its pid."""
        if self.use_fork:
            self._send(cmd="spawn", log=os.fspath(log), **arguments)
            self._forked_pid = int(self._expect("spawned")["pid"])
            return self._forked_pid
        options = [item for name, value in arguments.items() for item in (f"--{name}", str(value))]
        with open(log, "ab") as log_file:
            self._child = subprocess.Popen(
                self.child_command + options,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
                env=child_environment(),
            )
        return self._child.pid

    def kill(self, pid: int) -> bool:
        """Kill the child and wait for it; True if it was still running when killed."""
        if self.use_fork:
            os.kill(pid, signal.SIGKILL)
            self._send(cmd="reap", pid=pid)
            self._forked_pid = None
            return self._expect("reaped")["signal"] == signal.SIGKILL
        assert self._child is not None
        still_running = self._child.poll() is None
        self._child.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
        self._child.wait()
        return still_running

    def close(self) -> None:
        """End a child left running (by an error) and the fork server."""
        if self._forked_pid is not None:  # left running by an error: end it before the server
            try:
                self.kill(self._forked_pid)
            except (OSError, RuntimeError):
                pass
        if self._child is not None and self._child.poll() is None:
            self._child.kill()
            self._child.wait()
        if self._server is not None:
            try:
                self._send(cmd="quit")
                self._server.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self._server.kill()
                self._server.wait()
        self._server_log.close()
