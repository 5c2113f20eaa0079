"""The messages of the operational helpers (cluster, workers, kill test, tables, tracebacks, colours) in both languages.

With ``language.choose("zh")`` a student reads them in Simplified Chinese; by default they are
exactly the English text they always were (other tests match on it). ``keras_internals`` stays
English: its errors are for the course's developers.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from course_utils import cluster, cluster_worker, coloured, fork_server, kill_harness, language, tables, tracebacks


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts in English (no COURSE_LANG, nothing chosen) and leaves the choice as it found it."""
    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)  # not the edition of a notebook this may run from
    language.forget_notebook()
    language.choose(None)
    yield
    language.choose(None)


def message(error: pytest.ExceptionInfo[BaseException]) -> str:
    return str(error.value.args[0]) if error.value.args else str(error.value)


# --------------------------------------------------------------------------------------------
# cluster: TF_CONFIG checks, a worker's log, the logs' summary line
# --------------------------------------------------------------------------------------------


def test_a_tf_config_without_cluster_is_refused_in_both_languages() -> None:
    with pytest.raises(cluster.ClusterError) as english:
        cluster.check_tf_config({"task": {"type": "worker", "index": 0}})
    assert message(english) == "TF_CONFIG has no 'cluster': add {'cluster': {'worker': ['127.0.0.1:PORT', ...]}}."
    language.choose("zh")
    with pytest.raises(cluster.ClusterError) as chinese:
        cluster.check_tf_config({"task": {"type": "worker", "index": 0}})
    assert message(chinese) == "TF_CONFIG 中没有 'cluster'：请加上 {'cluster': {'worker': ['127.0.0.1:PORT', ...]}}。"


def test_a_task_without_a_process_is_named_in_both_languages() -> None:
    lonely = [{"cluster": {"worker": ["127.0.0.1:20000", "127.0.0.1:20001"]}, "task": {"type": "worker", "index": 0}}]
    with pytest.raises(cluster.ClusterError) as english:
        cluster.check_cluster(lonely, ports_free=False)
    assert message(english).startswith("The cluster lists task(s) worker:1 but no process is started for them: ")
    language.choose("zh")
    with pytest.raises(cluster.ClusterError) as chinese:
        cluster.check_cluster(lonely, ports_free=False)
    assert message(chinese).startswith("集群列出了任务 worker:1，但没有为它们启动进程：")
    assert "'cluster'" in message(chinese)  # the code names stay as they are


def test_another_machines_address_keeps_its_fields_in_chinese() -> None:
    config = {"cluster": {"worker": ["10.0.0.7:2222"]}, "task": {"type": "worker", "index": 0}}
    language.choose("zh")
    with pytest.raises(cluster.ClusterError) as chinese:
        cluster.check_tf_config(config)
    text = message(chinese)
    assert text.startswith("TF_CONFIG cluster worker[0]：'10.0.0.7:2222' 位于另一台机器上。")
    assert "'127.0.0.1:PORT'" in text and "cluster.free_ports" in text


def test_an_empty_worker_log_says_nothing_in_the_current_language(tmp_path: Path) -> None:
    worker = cluster.Worker("worker-0", ["python"], tmp_path / "worker-0.log", process=None)  # type: ignore[arg-type]
    assert worker.tail() == "    (nothing)"
    language.choose("zh")
    assert worker.tail() == "    （无）"


def test_show_logs_summary_line_in_both_languages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    job = cluster.Cluster(tmp_path / "logs", time_limit=30)
    with job:
        job.start("quick", [], command=[sys.executable, "-c", "print('EVENT {\"event\": \"done\", \"time\": 0}')"])
        job.wait(timeout=30)
    job.show_logs()
    english = capsys.readouterr().out.splitlines()[0]
    pid = job.workers["quick"].pid
    assert english == f"--- quick (pid {pid}, exit code 0): 0 log lines, 1 events"
    language.choose("zh")
    job.show_logs()
    assert capsys.readouterr().out.splitlines()[0] == f"--- quick（pid {pid}，退出码 0）：0 行日志，1 个事件"


def test_a_worker_started_in_chinese_gets_the_language(tmp_path: Path) -> None:
    language.choose("zh")
    show = [sys.executable, "-c", "import os; print('LANG=' + os.environ.get('COURSE_LANG', ''))"]
    with cluster.Cluster(tmp_path / "logs", time_limit=30) as job:
        job.start("echo", [], command=show)
        job.wait(timeout=30)
    assert "LANG=zh" in job.workers["echo"].log_text()


def test_worker_command_help_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    language.choose("zh")
    with pytest.raises(SystemExit):
        cluster_worker.main(["train", "--help"])
    assert "集合通信超时，单位为秒" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# The kill test, the fork server
# --------------------------------------------------------------------------------------------


def _report() -> kill_harness.KillReport:
    return kill_harness.KillReport(kills=1, seconds=1.0, launcher="spawn", file_megabytes=1.0, save_seconds={},
                                   targets={name: kill_harness.TargetResult() for name in kill_harness.TARGETS})


def test_kill_table_header_english_unchanged_and_chinese_aligned() -> None:
    english = _report().table().splitlines()
    assert english[0] == f"{'target':<18}{'kills in its save':>18}{'broken':>8}{'inconsistent':>14}{'nothing yet':>13}"
    language.choose("zh")
    chinese = _report().table().splitlines()
    assert chinese[0].split() == ["目标", "保存期间的终止", "损坏", "不一致", "尚未保存"]
    # Chinese characters take two columns: the header ends where the rows end, as in English.
    assert tables.display_width(chinese[0]) == tables.display_width(chinese[1]) == len(english[1])


def test_fork_server_refusal_in_both_languages() -> None:
    with pytest.raises(RuntimeError, match=r"^the fork server cannot fork: TensorFlow's runtime already runs"):
        fork_server.check_safe_to_fork(["python", "tf_Compute"])
    language.choose("zh")
    with pytest.raises(RuntimeError) as chinese:
        fork_server.check_safe_to_fork(["python", "tf_Compute"])
    assert message(chinese).startswith("fork 服务器无法 fork：TensorFlow 的运行时已经在其中运行（线程 tf_Compute）。")


# --------------------------------------------------------------------------------------------
# Tables, tracebacks, coloured digits
# --------------------------------------------------------------------------------------------


def test_table_booleans_and_alignment_in_both_languages() -> None:
    rows = [{"format": ".keras", "needs code": False}, {"format": "SavedModel", "needs code": True}]
    assert str(tables.Table(rows)).splitlines()[2:] == [".keras      no", "SavedModel  yes"]
    language.choose("zh")
    text = str(tables.Table([{"格式": ".keras", "需要代码": False}]))
    header, rule, row = text.splitlines()
    assert row.split() == [".keras", "否"]
    assert tables.display_width(header) == len(rule)  # the rule is as wide as the Chinese header
    with pytest.raises(KeyError, match="没有名为 'size' 的列"):
        tables.Table(rows).column("size")


def test_hidden_frames_note_and_full_traceback_summary_in_both_languages() -> None:
    assert "… 2 frames inside keras not shown (library code, in the full traceback below)" in (
        tracebacks._hidden_note(["keras", "keras"]))
    assert tracebacks.full_traceback_html(["x"], 1)["text/plain"] == "Full traceback (1 more frame of library code):\nx"
    language.choose("zh")
    note = tracebacks._hidden_note(["keras", "keras"])
    assert "… keras 内部的 2 个栈帧未显示（库代码，见下方的完整回溯信息）" in note
    bundle = tracebacks.full_traceback_html(["x"], 3)
    assert bundle["text/plain"] == "完整回溯信息（另有 3 个栈帧属于库代码）：\nx"
    assert "<summary style='cursor: pointer'>完整回溯信息（另有 3 个栈帧属于库代码）</summary>" in bundle["text/html"]


def test_coloured_digit_errors_in_both_languages() -> None:
    with pytest.raises(ValueError, match=r"^count must be 0 or more, not -1$"):
        coloured.random_colours(-1)
    language.choose("zh")
    with pytest.raises(ValueError, match=r"^count 必须大于或等于 0，而不是 -1$"):
        coloured.random_colours(-1)
    with pytest.raises(ValueError, match=r"^size 20 小于数字的尺寸（28x28）$"):
        coloured.paint(coloured.np.zeros((1, 28, 28), dtype="uint8"), (1, 1, 1), (0, 0, 0), size=20)


def test_keras_internals_errors_stay_english_for_developers() -> None:
    source = Path(__file__).resolve().parent.parent / "course_utils" / "keras_internals.py"
    lines = source.read_text(encoding="utf-8").splitlines()
    raises = [line for line in lines if "raise KerasInternalsChanged(" in line]
    assert raises and all("# english-only:" in line for line in raises)


def test_chinese_from_the_environment_in_a_fresh_process() -> None:
    code = ("from course_utils import cluster\n"
            "try:\n    cluster.check_cluster([])\nexcept cluster.ClusterError as error:\n    print(error)\n")
    root = Path(__file__).resolve().parent.parent
    env = {"COURSE_LANG": "zh-CN", "PYTHONPATH": str(root), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8",
                          env=env, cwd=root, timeout=120)
    assert done.stdout.strip() == "没有给出 TF_CONFIG：集群的每个进程需要一个。", done.stderr
