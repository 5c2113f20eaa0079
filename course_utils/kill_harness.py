"""Kill a training process while it saves, again and again, and count the files that survive.

This is the evidence behind :mod:`course_utils.callbacks`. A child process trains a model
large enough for a save to take measurable time and, after every epoch, saves with four
callbacks side by side, each into its own folder:

* ``safe_checkpoint``: :class:`~course_utils.callbacks.SafeModelCheckpoint` (``save_best_only=True``)
* ``keras_checkpoint``: ``keras.callbacks.ModelCheckpoint`` (``save_best_only=True``)
* ``safe_backup``: :class:`~course_utils.callbacks.SafeBackupAndRestore`
* ``keras_backup``: ``keras.callbacks.BackupAndRestore``

Both checkpoints monitor a value that grows every epoch, so every epoch overwrites the best
file: the test is about the write, not the choice. The parent kills the child for real
(SIGKILL; ``TerminateProcess`` on Windows): most kills are aimed into one save (the targets in
turn, a random delay within how long that save takes), the rest land at a random moment.
After every kill it checks each target:

* a checkpoint must be missing (nothing saved yet) or load with ``keras.models.load_model``
  and predict finite probabilities;
* a backup must restore through its own callback into a fresh model, and the optimizer's
  iteration count must match the epoch the backup records (else the resumed run would repeat
  or skip training steps).

On Linux the children are forked from one process that imported TensorFlow once
(:mod:`course_utils.fork_server`), so a kill costs about a second rather than a TensorFlow
start-up; elsewhere every child is a fresh ``python -m course_utils.kill_harness child`` process.

    python -m course_utils.kill_harness --kills 24      # prints one JSON line
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from course_utils import fork_server
from course_utils.language import tr
from course_utils.tables import pad

TARGETS = ("safe_checkpoint", "keras_checkpoint", "safe_backup", "keras_backup")
CHECKPOINT_NAME = "best.keras"
BATCH_SIZE = 64
TRAIN_DIGITS = 64  # one step per epoch: the epoch is short, the saves dominate
STEPS_PER_EPOCH = math.ceil(TRAIN_DIGITS / BATCH_SIZE)
MAX_EPOCHS = 300  # a child left alone stops by itself
DEFAULT_UNITS = 1024  # Dense width: ~10 MB .keras files with the Adam state


# --------------------------------------------------------------------------------------------
# The child: train and save every epoch, announcing each save in an events file
# --------------------------------------------------------------------------------------------


def build_model(units: int = DEFAULT_UNITS) -> Any:
    """The compiled model the child trains (a wide dense layer makes files of several megabytes)."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((28, 28, 1), name="image"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(units, activation="relu", name="wide"),
            keras.layers.Dense(10, activation="softmax", name="predictions"),
        ],
        name="kill_test",
    )
    # Eager steps: no tf.function to trace, so a new child reaches its first save sooner.
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    return model


def training_digits() -> tuple[Any, Any]:
    """A few dozen real digits (NumPy only, so it is safe to call in the fork server)."""
    from course_utils import data

    (x_train, y_train), _ = data.load_mnist("bundled", fast=True, verbose=False)
    return data.prepare(x_train[:TRAIN_DIGITS]), y_train[:TRAIN_DIGITS]


def target_paths(folder: Path) -> dict[str, Path]:
    """Where each target writes: a checkpoint file or a backup folder."""
    return {
        "safe_checkpoint": folder / "safe_checkpoint" / CHECKPOINT_NAME,
        "keras_checkpoint": folder / "keras_checkpoint" / CHECKPOINT_NAME,
        "safe_backup": folder / "safe_backup",
        "keras_backup": folder / "keras_backup",
    }


def _child_train(
    folder: Path, events: IO[str], units: int, seed: int, digits: tuple[Any, Any], parent_pid: int | None, origin: float
) -> None:
    import keras

    from course_utils.callbacks import SafeBackupAndRestore, SafeModelCheckpoint

    def emit(event: str, **extra: Any) -> None:
        events.write(json.dumps({"event": event, "time": time.monotonic(), **extra}) + "\n")
        events.flush()

    def announced(base: type, target: str) -> type:
        class Announced(base):
            # A Keras hook kept by its private name: keras_internals.OVERRIDDEN_HOOKS lists it, and
            # tests/test_keras_internals.py checks that Keras still calls it.
            def _save_model(self, *args: Any, **kwargs: Any) -> None:
                emit("begin", target=target)
                super()._save_model(*args, **kwargs)
                emit("end", target=target)

        return Announced

    class Clock(keras.callbacks.Callback):
        """Logs a value that grows every epoch, so a best-only checkpoint saves every epoch.

        Seconds since the kill test started: small numbers, because Keras compares them as
        float32, which cannot tell apart two times since 1970 less than about two minutes apart.
        """

        def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
            emit("ready")

        def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
            if parent_pid is not None and os.getppid() != parent_pid:
                os._exit(1)  # the parent is gone: do not train on alone
            if logs is not None:
                logs["clock"] = time.time() - origin

    keras.utils.set_random_seed(seed)
    paths = target_paths(folder)
    model = build_model(units)
    callbacks = [
        Clock(),
        announced(SafeModelCheckpoint, "safe_checkpoint")(
            paths["safe_checkpoint"], monitor="clock", mode="max", save_best_only=True
        ),
        announced(keras.callbacks.ModelCheckpoint, "keras_checkpoint")(
            os.fspath(paths["keras_checkpoint"]), monitor="clock", mode="max", save_best_only=True
        ),
        announced(SafeBackupAndRestore, "safe_backup")(paths["safe_backup"]),
        announced(keras.callbacks.BackupAndRestore, "keras_backup")(os.fspath(paths["keras_backup"])),
    ]
    x, y = digits
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=MAX_EPOCHS, verbose=0, callbacks=callbacks)
    emit("finished")


def run_child(
    folder: Path,
    events_path: Path,
    units: int,
    seed: int,
    origin: float,
    digits: tuple[Any, Any] | None = None,
    parent_pid: int | None = None,
) -> None:
    """Train until killed, writing one JSON line per event to ``events_path``.

    Args:
        folder: The kill test's folder; every target writes under it (:func:`target_paths`).
        events_path: The events file, appended to: ``ready``, ``begin`` and ``end`` of every save
            (with its target), ``finished``, or ``error`` with the traceback if training fails.
        units: Width of the model's dense layer (:func:`build_model`): the file size.
        seed: Keras' random seed for this child.
        origin: ``time.time()`` when the kill test started; the monitored clock counts from it.
        digits: ``(x, y)`` to train on; None: :func:`training_digits` (a fork server passes its own).
        parent_pid: The process that must stay this child's parent; when it is gone, the child
            exits at the next epoch end. None: no such check.
    """
    with open(events_path, "a", encoding="utf-8") as events:
        try:
            _child_train(folder, events, units, seed, digits or training_digits(), parent_pid, origin)
        except BaseException:
            events.write(json.dumps({"event": "error", "traceback": traceback.format_exc()}) + "\n")
            events.flush()
            raise


def run_fork_server(folder: Path, units: int) -> None:
    """Import TensorFlow and the digits once, then fork one training child per spawn command.

    Nothing here runs a TensorFlow operation (``fork_server.serve`` checks it before every
    fork), so every forked child starts TensorFlow's runtime fresh.
    """
    import keras  # noqa: F401  (the expensive import, done once)

    import course_utils.callbacks  # noqa: F401

    digits = training_digits()

    def child(arguments: dict[str, Any], server_pid: int) -> None:
        run_child(folder, Path(arguments["events"]), units, arguments["seed"], arguments["origin"], digits, server_pid)

    fork_server.serve(child)


# --------------------------------------------------------------------------------------------
# The parent: start, kill, check
# --------------------------------------------------------------------------------------------


@dataclass
class TargetResult:
    """What the kills did to one target's files."""

    kills_during_save: int = 0  # kills that landed while this target was writing
    missing: int = 0  # checks that found nothing saved yet (allowed)
    corrupt: int = 0  # checks that found a file (or backup) that does not load / restore
    inconsistent: int = 0  # backups that restore, but with weights of another epoch than recorded
    problems: list[str] = field(default_factory=list)  # the first few error messages

    @property
    def failures(self) -> int:
        """Checks after which the target could not be used as intended."""
        return self.corrupt + self.inconsistent


@dataclass
class KillReport:
    """The counts after ``kills`` kills; ``targets`` maps each target to its :class:`TargetResult`."""

    kills: int
    seconds: float
    launcher: str
    file_megabytes: float
    save_seconds: dict[str, float]
    targets: dict[str, TargetResult]

    def as_json(self) -> str:
        """One JSON line (what ``benchmarks/checkpoint_kills.py`` prints)."""
        record = asdict(self)
        for name, result in self.targets.items():
            record["targets"][name]["failures"] = result.failures
        return json.dumps(record)

    def table(self) -> str:
        """A small text table: kills during each target's saves and broken states after them."""
        lines = [
            pad(tr("target", "目标"), 18) + pad(tr("kills in its save", "保存期间的终止"), 18, True)
            + pad(tr("broken", "损坏"), 8, True) + pad(tr("inconsistent", "不一致"), 14, True)
            + pad(tr("nothing yet", "尚未保存"), 13, True)
        ]
        for name, result in self.targets.items():
            lines.append(
                f"{name:<18}{result.kills_during_save:>18}{result.corrupt:>8}{result.inconsistent:>14}"
                f"{result.missing:>13}"
            )
        return "\n".join(lines)


class _EventTail:
    """Reads the complete new lines of a child's events file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.events: list[dict[str, Any]] = []

    def poll(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        end = chunk.rfind(b"\n") + 1
        self.offset += end
        new = [json.loads(line) for line in chunk[:end].splitlines() if line.strip()]
        self.events.extend(new)
        for event in new:
            if event["event"] == "error":
                raise RuntimeError(tr("the training child failed:\n", "训练子进程失败：\n") + event["traceback"])
        return new


def _wait_for(tail: _EventTail, wanted: Any, timeout: float) -> dict[str, Any]:
    """Poll the events until ``wanted(event)`` is true for one of them; return that event."""
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        tail.poll()
        for event in tail.events[seen:]:
            if wanted(event):
                return event
        seen = len(tail.events)
        if any(event["event"] == "finished" for event in tail.events):
            break
        time.sleep(0.002)
    raise TimeoutError(tr(f"the training child did not reach the kill point within {timeout:.0f} s",
                          f"训练子进程没有在 {timeout:.0f} 秒内到达强制终止点"))


class _Checker:
    """Checks files after a kill; loads each distinct checkpoint content only once."""

    def __init__(self, units: int) -> None:
        import numpy as np

        self.units = units
        self.probe = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
        self._verdicts: dict[str, str | None] = {}

    def checkpoint(self, path: Path) -> str | None:
        """None if ``path`` is a complete model that loads and predicts, else the problem."""
        import keras
        import numpy as np

        digest = hashlib.sha1(path.read_bytes()).hexdigest()
        if digest in self._verdicts:
            return self._verdicts[digest]
        verdict: str | None = None
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
                if bad is not None:
                    raise zipfile.BadZipFile(tr(f"bad CRC in {bad}", f"{bad} 的 CRC 校验失败"))
            model = keras.models.load_model(path)
            probabilities = np.asarray(model(self.probe, training=False))
            if probabilities.shape != (len(self.probe), 10) or not np.all(np.isfinite(probabilities)):
                raise ValueError(tr(f"predictions of shape {probabilities.shape} are not finite probabilities",
                                    f"形状为 {probabilities.shape} 的预测不是有限的概率值"))
        except Exception as error:  # any failure to load is what we count
            verdict = f"{type(error).__name__}: {str(error)[:200]}"
        self._verdicts[digest] = verdict
        return verdict

    def backup(self, folder: Path, safe: bool) -> tuple[str | None, bool]:
        """Restore ``folder`` like a resumed run would: (problem or None, consistent?)."""
        import keras
        import numpy as np

        from course_utils import keras_internals
        from course_utils.callbacks import SafeBackupAndRestore

        model = build_model(self.units)
        callback = SafeBackupAndRestore(folder) if safe else keras.callbacks.BackupAndRestore(os.fspath(folder))
        callback.set_model(model)
        try:
            callback.on_train_begin()
            np.asarray(model(self.probe, training=False))
        except Exception as error:
            return f"{type(error).__name__}: {str(error)[:200]}", False
        epoch = keras_internals.initial_epoch(model) or 0  # where fit() would start
        iterations = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
        return None, iterations == epoch * STEPS_PER_EPOCH


def _landed_in_save(events: list[dict[str, Any]]) -> set[str]:
    """Targets whose last announced save began and never ended: the kill hit that save."""
    open_saves: set[str] = set()
    for event in events:
        if event["event"] == "begin":
            open_saves.add(event["target"])
        elif event["event"] == "end":
            open_saves.discard(event["target"])
    return open_saves


def _save_durations(events: list[dict[str, Any]]) -> Iterator[tuple[str, float]]:
    started: dict[str, float] = {}
    for event in events:
        if event["event"] == "begin":
            started[event["target"]] = event["time"]
        elif event["event"] == "end" and event["target"] in started:
            yield event["target"], event["time"] - started.pop(event["target"])


def _wait_into_a_save(
    tail: _EventTail, target: str, durations: list[float], rng: random.Random, timeout: float
) -> None:
    """Wait until the child begins its first or second save of ``target``, then a random part of a save."""
    occurrence = rng.choice((1, 2))  # first or second save of this child
    typical = statistics.median(durations) if durations else 0.1
    count = 0

    def wanted(event: dict[str, Any]) -> bool:
        nonlocal count
        if event["event"] == "begin" and event["target"] == target:
            count += 1
        return count >= occurrence

    _wait_for(tail, wanted, timeout)
    # Half of the kills early in the save, half anywhere in it (or just after it).
    time.sleep(rng.uniform(0.0, typical) * rng.choice((0.5, 1.2)))


def _count_the_kill(
    events: list[dict[str, Any]], results: dict[str, TargetResult], durations: dict[str, list[float]]
) -> None:
    """Count the saves the kill landed in, and note how long the completed saves took."""
    for target in _landed_in_save(events):
        results[target].kills_during_save += 1
    for target, seconds in _save_durations(events):
        durations[target].append(seconds)


def run_kill_test(
    kills: int = 24,
    folder: Path | str | None = None,
    seed: int = 0,
    units: int = DEFAULT_UNITS,
    during_save_share: float = 0.8,
    aim_at: Sequence[str] = TARGETS,
    use_fork: bool | None = None,
    timeout: float = 120.0,
    verbose: bool = False,
) -> KillReport:
    """Kill a training child ``kills`` times and check every target's files after each kill.

    Args:
        kills: How many children to start and kill (one kill each).
        folder: Holds the files, the children's event logs and their stderr; deleted and made anew
            if it exists. None: a new temporary folder, removed afterwards.
        seed: Seeds where the kills land, and (``seed * 1000 + index``) each child's training.
        units: Width of the model's dense layer (:func:`build_model`): the larger, the longer a save.
        during_save_share: The share of the kills aimed into a save (the targets of ``aim_at`` in
            turn, a random delay within the save's typical duration); the rest land at a random
            moment within a second of the child being ready.
        aim_at: The targets the aimed kills take turns on, names from :data:`TARGETS`.
        use_fork: Fork the children from one server that imported TensorFlow once, or start a
            fresh process for each; None: fork on Linux.
        timeout: Seconds to wait for a child to reach its kill point before ``TimeoutError``.
        verbose: Print one line per kill: the saves it landed in.

    Returns:
        A :class:`KillReport`: the seconds taken, the launcher, the checkpoint's size, each target's
        mean save seconds and, per target, the kills during its saves and the states found after them.
    """
    use_fork = (sys.platform.startswith("linux") and hasattr(os, "fork")) if use_fork is None else use_fork
    temporary = folder is None
    folder = Path(tempfile.mkdtemp(prefix="kill-test-")) if folder is None else Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "events").mkdir(parents=True)
    rng = random.Random(seed)
    paths = target_paths(folder)
    results = {name: TargetResult() for name in TARGETS}
    durations: dict[str, list[float]] = {name: [] for name in TARGETS}
    checker = _Checker(units)
    started = time.monotonic()
    origin = time.time()  # the children's clock counts from here
    module = [sys.executable, "-m", "course_utils.kill_harness"]
    common = ["--folder", os.fspath(folder), "--units", str(units)]
    launcher = fork_server.Launcher(
        module + ["fork-server"] + common, module + ["child"] + common, folder / "fork_server.stderr", use_fork
    )
    aimed = 0
    try:
        for index in range(kills):
            events_path = folder / "events" / f"child-{index:03d}.jsonl"
            pid = launcher.start(
                folder / "events" / f"child-{index:03d}.stderr",
                events=os.fspath(events_path),
                seed=seed * 1000 + index,
                origin=origin,
            )
            tail = _EventTail(events_path)
            if rng.random() < during_save_share:
                target = aim_at[aimed % len(aim_at)]
                aimed += 1
                _wait_into_a_save(tail, target, durations[target], rng, timeout)
            else:
                _wait_for(tail, lambda event: event["event"] == "ready", timeout)
                time.sleep(rng.uniform(0.0, 1.0))
            if not launcher.kill(pid):
                tail.poll()
                raise RuntimeError(tr(f"child {index} ended before it was killed; see {events_path}",
                                      f"子进程 {index} 在被强制终止之前就已结束；请查看 {events_path}"))
            tail.poll()
            _count_the_kill(tail.events, results, durations)
            _check_targets(paths, results, checker)
            for target in ("safe_backup", "keras_backup"):
                # Every child starts its backups afresh, so two callbacks never restore into one model.
                shutil.rmtree(paths[target], ignore_errors=True)
            if verbose:
                landed = ", ".join(sorted(_landed_in_save(tail.events))) or tr("between saves", "在两次保存之间")
                print(tr(f"kill {index + 1:>3}/{kills}: {landed}", f"第 {index + 1:>3}/{kills} 次强制终止：{landed}"),
                      flush=True)
    finally:
        launcher.close()
    checkpoint = paths["safe_checkpoint"]
    size = checkpoint.stat().st_size / 1e6 if checkpoint.exists() else 0.0
    report = KillReport(
        kills=kills,
        seconds=round(time.monotonic() - started, 1),
        launcher=launcher.name,
        file_megabytes=round(size, 1),
        save_seconds={name: round(sum(d) / len(d), 3) if d else math.nan for name, d in durations.items()},
        targets=results,
    )
    if temporary:
        shutil.rmtree(folder, ignore_errors=True)
    return report


def _check_targets(paths: dict[str, Path], results: dict[str, TargetResult], checker: _Checker) -> None:
    _check_checkpoints(paths, results, checker)
    _check_backups(paths, results, checker)


def _check_checkpoints(paths: dict[str, Path], results: dict[str, TargetResult], checker: _Checker) -> None:
    for target in ("safe_checkpoint", "keras_checkpoint"):
        result = results[target]
        if not paths[target].exists():
            result.missing += 1
            continue
        problem = checker.checkpoint(paths[target])
        if problem is not None:
            result.corrupt += 1
            if len(result.problems) < 3:
                result.problems.append(problem)
    sidecar_problem = _sidecar_problem(paths["safe_checkpoint"])
    if sidecar_problem:
        results["safe_checkpoint"].corrupt += 1
        results["safe_checkpoint"].problems.append(sidecar_problem)


def _check_backups(paths: dict[str, Path], results: dict[str, TargetResult], checker: _Checker) -> None:
    for target, safe in (("safe_backup", True), ("keras_backup", False)):
        result = results[target]
        if not paths[target].exists() or not any(paths[target].iterdir()):
            result.missing += 1
            continue
        problem, consistent = checker.backup(paths[target], safe)
        if problem is not None:
            result.corrupt += 1
            if len(result.problems) < 3:
                result.problems.append(problem)
        elif not consistent:
            result.inconsistent += 1


def _sidecar_problem(checkpoint: Path) -> str | None:
    from course_utils.callbacks import best_value_path

    sidecar = best_value_path(checkpoint)
    if not sidecar.exists():
        return None
    try:
        float(json.loads(sidecar.read_text(encoding="utf-8"))["best"])
    except (ValueError, KeyError, TypeError) as error:
        return tr(f"best-value file unreadable: {error}", f"最佳值文件无法读取：{error}")
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("role", nargs="?", default="parent", choices=("parent", "fork-server", "child"))
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--events", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--origin", type=float, default=0.0, help=tr("(child) time the kill test started",
                                                                    "（子进程）强制终止测试开始的时间"))
    parser.add_argument("--units", type=int, default=DEFAULT_UNITS)
    parser.add_argument("--no-fork", action="store_true", help=tr("start a fresh process for every child",
                                                                  "为每个子进程启动一个全新的进程"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "fork-server":
        run_fork_server(args.folder, args.units)
    elif args.role == "child":
        run_child(args.folder, args.events, args.units, args.seed, args.origin or time.time())
    else:
        report = run_kill_test(
            args.kills,
            args.folder,
            args.seed,
            args.units,
            use_fork=False if args.no_fork else None,
            verbose=args.verbose,
        )
        print(report.as_json())


if __name__ == "__main__":
    main()
