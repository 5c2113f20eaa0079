"""The fork server refuses to fork once TensorFlow's runtime runs in it (no TensorFlow needed here).

A forked child keeps only the thread that called ``fork``; TensorFlow's runtime threads (named
``tf_...``) would be missing in it with their locks still held. The tests give plain Python
processes a thread named like TensorFlow's instead of starting TensorFlow.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from course_utils import fork_server

LINUX_FORK = pytest.mark.skipif(
    not (hasattr(os, "fork") and Path("/proc/self/task").is_dir()), reason="the fork server runs on Linux only"
)

# A fork server, as a plain Python program: with a thread named like TensorFlow's if asked to,
# and a child that writes its arguments into the file named by the argument "out".
SERVER = textwrap.dedent(
    """
    import json, os, sys, threading
    from course_utils import fork_server

    if sys.argv[1] == "with-tf-thread":
        started, stop = threading.Event(), threading.Event()
        def idle():
            with open(f"/proc/self/task/{threading.get_native_id()}/comm", "w") as comm:
                comm.write("tf_Compute")  # as TensorFlow names its runtime's threads
            started.set()
            stop.wait()
        threading.Thread(target=idle, daemon=True).start()
        started.wait()

    def child(arguments, server_pid):
        with open(arguments["out"] + ".partial", "w") as out:
            json.dump({"arguments": arguments, "server_pid": server_pid}, out)
        os.replace(arguments["out"] + ".partial", arguments["out"])

    fork_server.serve(child)
    """
)


def test_tensorflow_threads_forbid_a_fork() -> None:
    with pytest.raises(RuntimeError, match="TensorFlow's runtime already runs in it") as error:
        fork_server.check_safe_to_fork(["python", "tf_graph_runner", "tf_Compute", "tf_Compute"])
    message = str(error.value)
    assert "tf_Compute, tf_graph_runner" in message  # the threads found, each once
    assert "after the fork" in message  # and the fix


def test_other_threads_allow_a_fork() -> None:
    fork_server.check_safe_to_fork(["python", "python", "OpenBLAS", "pt_main_thread"])


@LINUX_FORK
def test_this_process_threads_are_read() -> None:
    assert len(fork_server.thread_names()) == len(os.listdir("/proc/self/task"))


def launcher(tmp_path: Path, mode: str) -> fork_server.Launcher:
    return fork_server.Launcher([sys.executable, "-c", SERVER, mode], [], tmp_path / "server.stderr", use_fork=True)


@LINUX_FORK
def test_the_server_forks_a_child_with_its_arguments(tmp_path: Path) -> None:
    server = launcher(tmp_path, "plain")
    try:
        pid = server.start(tmp_path / "child.stderr", out=os.fspath(tmp_path / "out.json"), seed=3)
        deadline = time.monotonic() + 30
        while not (tmp_path / "out.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill(pid)  # the child has ended or is ending: this only reaps it
    finally:
        server.close()
    written = json.loads((tmp_path / "out.json").read_text())
    assert written["arguments"] == {"out": os.fspath(tmp_path / "out.json"), "seed": 3}  # no "cmd", no "log"
    assert written["server_pid"] != pid


@LINUX_FORK
def test_the_server_dies_with_the_reason_instead_of_forking_beside_tensorflow(tmp_path: Path) -> None:
    server = launcher(tmp_path, "with-tf-thread")
    try:
        with pytest.raises(RuntimeError, match="the fork server died") as error:
            server.start(tmp_path / "child.stderr", out=os.fspath(tmp_path / "out.json"))
    finally:
        server.close()
    assert "TensorFlow's runtime already runs in it (threads tf_Compute)" in str(error.value)
    assert not (tmp_path / "out.json").exists(), "no child ran"
