"""The programs lesson 13 runs as worker processes: ``python -m course_utils.cluster_worker COMMAND``.

Every command prints one JSON line per event on stdout, prefixed with ``EVENT`` (see
:func:`emit`), so :mod:`course_utils.cluster` can follow it while its log is written:

* ``train``: one worker of a ``MultiWorkerMirroredStrategy`` job, its cluster and its task read
  from ``TF_CONFIG``. It trains the course's 3x3 CNN in its own loop, backed up every epoch by a
  ``tf.train.CheckpointManager`` instead of ``keras.callbacks.BackupAndRestore`` (see
  keras-team/keras#20585); the chief saves the model, the other workers save to a temporary
  folder they delete.
* ``tune``: one tuner of a distributed Keras Tuner search, its role read from
  ``KERASTUNER_TUNER_ID`` / ``KERASTUNER_ORACLE_IP`` / ``KERASTUNER_ORACLE_PORT``.
* ``mirrored``: a ``MirroredStrategy`` over logical CPU devices in a fresh process (the devices
  must be split before TensorFlow initialises them), compared with one device.
* ``step``: one training step on a global batch, on two mirrored replicas and on one device; the
  largest weight difference (used by ``tests/test_cluster.py``).

The lesson prints parts of this file: between ``# excerpt:`` markers (:mod:`course_utils.excerpts`)
and whole functions with ``inspect.getsource``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from course_utils import config
from course_utils.language import tr

#: The prefix of the lines :mod:`course_utils.cluster` reads as events.
EVENT_PREFIX = "EVENT "
REPORTED_BATCH = 2  # the "batch" event comes after this many batches of each epoch


def emit(event: str, **fields: Any) -> None:
    """Print one event as a JSON line, flushed at once so the watching notebook sees it."""
    print(EVENT_PREFIX + json.dumps({"event": event, "time": time.time(), **fields}), flush=True)


def split_cpu(devices: int) -> list[str]:
    """Split the CPU into ``devices`` logical devices; must run before TensorFlow initialises its devices."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def digits(n_train: int | None, n_test: int | None) -> tuple[Any, Any, Any, Any]:
    """The course's digits: ``n_train`` training digits (all when None) and ``n_test`` test digits."""
    from course_utils import data

    (x_train, y_train), (x_test, y_test) = data.load_mnist("bundled", verbose=False)
    if n_train is not None and n_train < len(y_train):
        x_train, y_train = data.subsample(x_train, y_train, n_train)
    if n_test is not None and n_test < len(y_test):
        x_test, y_test = data.subsample(x_test, y_test, n_test)
    return data.prepare(x_train), y_train, data.prepare(x_test), y_test


def _task() -> tuple[str, int]:
    task = json.loads(os.environ["TF_CONFIG"])["task"]
    return task["type"], int(task["index"])


def _is_chief(task_type: str, task_index: int) -> bool:
    # The chief is the task named "chief", or worker 0 when the cluster has no "chief" task.
    return task_type == "chief" or (task_type == "worker" and task_index == 0)


# --------------------------------------------------------------------------------------------
# train: one worker of a MultiWorkerMirroredStrategy job
# --------------------------------------------------------------------------------------------


def train_worker(out_dir: Path, epochs: int, n_train: int | None, global_batch: int, timeout: float) -> None:
    """One worker of the job: the same program on every worker, only ``TF_CONFIG``'s task differs.

    A custom training loop, as in TensorFlow's guide for ``MultiWorkerMirroredStrategy``: Keras
    3.15's ``model.fit`` fails under this strategy (keras-team/keras#20585). The checkpoint at
    every epoch's end does what ``BackupAndRestore`` does for ``fit``: weights, optimizer state and
    the epoch reached, restored when the job starts again.

    Args:
        out_dir: The job's folder: the chief writes ``checkpoints/`` and the final ``model.keras``
            there, and every worker resumes from the chief's latest checkpoint in it.
        epochs: Epochs of the whole job; a resumed job trains only the ones still missing.
        n_train: Training digits (a stratified subset of the bundled ones); None: all of them.
        global_batch: Digits per step over all workers together (each worker gets its share);
            the learning rate is ``1e-3 * global_batch / 64``.
        timeout: Seconds a collective operation waits for the other workers before it fails; the
            worker then emits a ``failed`` event and ends with exit code 3.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from course_utils import models

    # excerpt: strategy-setup
    task_type, task_index = _task()
    chief = _is_chief(task_type, task_index)
    communication = tf.distribute.experimental.CommunicationOptions(timeout_seconds=timeout)
    strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=communication)
    emit("ready", task=f"{task_type}:{task_index}", replicas=strategy.num_replicas_in_sync)

    x_train, y_train, x_test, y_test = digits(n_train, None)
    dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    dataset = dataset.shuffle(len(x_train), seed=config.seed()).batch(global_batch, drop_remainder=True)
    options = tf.data.Options()  # each worker keeps its share of every global batch
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    distributed = strategy.experimental_distribute_dataset(dataset.with_options(options))
    steps_per_epoch = len(x_train) // global_batch

    with strategy.scope():  # variables created here are mirrored on every replica of every worker
        model = models.build_cnn_3x3()
        optimizer = keras.optimizers.Adam(1e-3 * global_batch / 64)  # learning rate scaled with the batch
        optimizer.build(model.trainable_variables)
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction="none")

    @tf.function
    def train_step(iterator: Any) -> Any:
        def replica_step(images: Any, labels: Any) -> Any:
            with tf.GradientTape() as tape:
                per_digit = loss_fn(labels, model(images, training=True))
                loss = tf.nn.compute_average_loss(per_digit, global_batch_size=global_batch)
            gradients = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))  # all-reduced
            return loss

        return strategy.reduce("SUM", strategy.run(replica_step, args=next(iterator)), axis=None)

    # The chief checkpoints where the job's files belong; the others write to a temporary folder
    # (every worker must save: saving may need all of them) and delete it.
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch)
    folder = out_dir / "checkpoints" if chief else Path(tempfile.mkdtemp(prefix=f"{task_type}-{task_index}-"))
    manager = tf.train.CheckpointManager(checkpoint, os.fspath(folder), max_to_keep=1)
    latest = tf.train.latest_checkpoint(os.fspath(out_dir / "checkpoints"))  # shared storage: the chief's
    if latest:
        checkpoint.restore(latest)
    emit("start", resumed_from_epoch=int(epoch.numpy()), step=int(optimizer.iterations.numpy()))
    # end excerpt: strategy-setup

    started = time.perf_counter()
    try:
        while int(epoch.numpy()) < epochs:
            number = int(epoch.numpy()) + 1
            emit("epoch_begin", epoch=number, step=int(optimizer.iterations.numpy()))
            iterator, total = iter(distributed), 0.0
            for batch in range(steps_per_epoch):
                total += float(train_step(iterator))
                if batch + 1 == REPORTED_BATCH:
                    emit("batch", epoch=number, batch=batch + 1)
            epoch.assign_add(1)
            manager.save(checkpoint_number=number)
            emit("epoch_end", epoch=number, step=int(optimizer.iterations.numpy()),
                 loss=round(total / steps_per_epoch, 4))
    except (tf.errors.UnavailableError, tf.errors.DeadlineExceededError, tf.errors.CancelledError,
            tf.errors.InternalError, tf.errors.FailedPreconditionError, tf.errors.AbortedError) as error:
        lines = [line.strip() for line in (error.message or str(error)).splitlines()]
        useful = [line for line in lines if line and not line.startswith(("Graph execution error", "Detected at node",
                                                                          "File ", "[[", "Additional GRPC"))]
        emit("failed", error=type(error).__name__, message=(useful[0] if useful else lines[0])[:200])
        sys.stdout.flush()
        os._exit(3)  # the collectives are aborted: this process cannot train on; start the job again
    seconds = time.perf_counter() - started
    if not chief:
        shutil.rmtree(folder, ignore_errors=True)

    saved = out_dir / "model.keras" if chief else Path(tempfile.mkdtemp(prefix="model-")) / "model.keras"
    model.save(saved)
    if not chief:
        shutil.rmtree(saved.parent, ignore_errors=True)
    predicted = np.argmax(model(x_test, training=False), axis=-1)
    emit("done", seconds=round(seconds, 2), test_accuracy=round(float(np.mean(predicted == y_test)), 4),
         chief=chief, saved=os.fspath(saved) if chief else None)


# --------------------------------------------------------------------------------------------
# tune: the chief oracle or one worker of a distributed Keras Tuner search
# --------------------------------------------------------------------------------------------


def build_tunable_model(hp: Any) -> Any:
    import keras

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(hp.Choice("filters", [8, 16, 32]), 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(hp.Int("units", 32, 128, step=32), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def make_tuner(directory: Path, max_trials: int) -> Any:
    import keras_tuner

    return keras_tuner.RandomSearch(build_tunable_model, objective="val_accuracy", max_trials=max_trials,
                                    seed=config.seed(), directory=os.fspath(directory), project_name="search")


def tune_worker(directory: Path, max_trials: int, epochs: int, n_train: int | None) -> None:
    import keras

    role = os.environ["KERASTUNER_TUNER_ID"]
    tuner = make_tuner(directory, max_trials)  # a worker's oracle asks the chief over gRPC

    class Events(keras.callbacks.Callback):
        def on_train_begin(self, logs: Any = None) -> None:
            emit("trial_begin", tuner=role)

    emit("ready", tuner=role)
    x_train, y_train, _, _ = digits(n_train, None)
    split = len(x_train) * 4 // 5
    tuner.search(x_train[:split], y_train[:split], validation_data=(x_train[split:], y_train[split:]),
                 epochs=epochs, batch_size=64, callbacks=[Events()], verbose=0)
    emit("done", tuner=role)


# --------------------------------------------------------------------------------------------
# mirrored and step: MirroredStrategy over logical CPU devices, in a fresh process
# --------------------------------------------------------------------------------------------


def one_step_difference(devices: list[str], global_batch: int = 64, scale_loss: bool = True) -> dict[str, Any]:
    """One SGD step on ``global_batch`` digits, on mirrored replicas (one per device) and on one device.

    ``scale_loss=False`` sums the replicas' mean losses instead of dividing by the global batch
    (a known mistake in hand-written loops): the replicas' gradients then add up to ``replicas``
    times the right one. Returns the largest absolute weight difference and the largest update.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    from course_utils import models

    x, y, _, _ = digits(global_batch, 1)
    x, y = x[:global_batch], y[:global_batch]
    keras.utils.set_random_seed(config.seed())
    start = models.build_cnn_3x3().get_weights()
    loss_fn = keras.losses.SparseCategoricalCrossentropy(reduction="none")

    # One device: the mean loss over the whole batch.
    single = models.build_cnn_3x3()
    single.set_weights(start)
    optimizer = keras.optimizers.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(loss_fn(y, single(x, training=True)))
    optimizer.apply_gradients(zip(tape.gradient(loss, single.trainable_variables), single.trainable_variables,
                                  strict=True))

    strategy = tf.distribute.MirroredStrategy(devices)
    with strategy.scope():
        mirrored = models.build_cnn_3x3()
        mirrored.set_weights(start)
        mirrored_optimizer = keras.optimizers.SGD(0.1)
        mirrored_optimizer.build(mirrored.trainable_variables)
    dataset = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch))

    @tf.function
    def step(batch: Any) -> None:
        def replica_step(images: Any, labels: Any) -> None:
            with tf.GradientTape() as tape:
                per_digit = loss_fn(labels, mirrored(images, training=True))
                if scale_loss:  # each replica's sum over the GLOBAL batch size
                    replica_loss = tf.nn.compute_average_loss(per_digit, global_batch_size=global_batch)
                else:
                    replica_loss = tf.reduce_mean(per_digit)
            gradients = tape.gradient(replica_loss, mirrored.trainable_variables)
            mirrored_optimizer.apply_gradients(zip(gradients, mirrored.trainable_variables, strict=True))

        strategy.run(replica_step, args=batch)

    step(next(iter(dataset)))
    after_single = single.get_weights()
    after_mirrored = mirrored.get_weights()
    difference = max(float(np.max(np.abs(a - b))) for a, b in zip(after_single, after_mirrored, strict=True))
    update = max(float(np.max(np.abs(a - b))) for a, b in zip(after_single, start, strict=True))
    return {"replicas": strategy.num_replicas_in_sync, "devices": devices, "max_difference": difference,
            "max_update": update}


def mirrored_comparison(epochs: int, n_train: int | None, global_batch: int) -> dict[str, Any]:
    """The same seed model trained on one device and with MirroredStrategy over two logical CPUs."""
    import keras
    import tensorflow as tf

    from course_utils import models

    devices = split_cpu(2)
    x_train, y_train, x_test, y_test = digits(n_train, None)
    rows = {}
    for name in ("one device", "MirroredStrategy"):
        keras.utils.set_random_seed(config.seed())
        strategy = tf.distribute.MirroredStrategy(devices) if name != "one device" else tf.distribute.get_strategy()
        with strategy.scope():
            model = models.build_cnn_3x3()
            model.compile(optimizer=keras.optimizers.Adam(1e-3 * global_batch / 64),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        started = time.perf_counter()
        model.fit(x_train, y_train, epochs=epochs, batch_size=global_batch, verbose=0)
        seconds = time.perf_counter() - started
        rows[name] = {"replicas": strategy.num_replicas_in_sync, "seconds": round(seconds, 2),
                      "test_accuracy": round(float(model.evaluate(x_test, y_test, verbose=0)[1]), 4)}
    return rows


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help=tr("one worker of a MultiWorkerMirroredStrategy job (TF_CONFIG)",
                                                 "MultiWorkerMirroredStrategy 任务中的一个工作节点（TF_CONFIG）"))
    train.add_argument("--out-dir", type=Path, required=True)
    train.add_argument("--epochs", type=int, default=config.epochs(3, fast=2))
    train.add_argument("--digits", type=int, default=None, help=tr("training digits (default: all)",
                                                                   "训练用的数字个数（默认：全部）"))
    train.add_argument("--global-batch", type=int, default=64)
    train.add_argument("--timeout", type=float, default=10.0, help=tr("collective timeout, seconds",
                                                                      "集合通信超时，单位为秒"))
    tune = commands.add_parser("tune", help=tr("one tuner of a distributed Keras Tuner search (KERASTUNER_*)",
                                               "分布式 Keras Tuner 搜索中的一个调参器（KERASTUNER_*）"))
    tune.add_argument("--directory", type=Path, required=True)
    tune.add_argument("--max-trials", type=int, default=config.pick(6, fast=2))
    tune.add_argument("--epochs", type=int, default=config.epochs(2, fast=1))
    tune.add_argument("--digits", type=int, default=None)
    mirrored = commands.add_parser("mirrored", help=tr("one device vs MirroredStrategy over two logical CPUs",
                                                       "单个设备对比两个逻辑 CPU 上的 MirroredStrategy"))
    mirrored.add_argument("--epochs", type=int, default=config.epochs(3, fast=1))
    mirrored.add_argument("--digits", type=int, default=None)
    mirrored.add_argument("--global-batch", type=int, default=64)
    commands.add_parser("step", help=tr("one step on two mirrored replicas vs one device, loss scaled and not",
                                        "两个镜像副本与单个设备上的一步训练对比，损失缩放与不缩放"))
    args = parser.parse_args(argv)

    from course_utils import cluster

    cluster.start_watchdog()  # stops this process when the notebook that started it is gone
    if args.command == "train":
        config.setup(verbose=False, deterministic=False)
        train_worker(args.out_dir, args.epochs, args.digits, args.global_batch, args.timeout)
    elif args.command == "tune":
        config.setup(verbose=False)
        tune_worker(args.directory, args.max_trials, args.epochs, args.digits)
    elif args.command == "mirrored":
        config.setup(verbose=False)
        emit("result", **mirrored_comparison(args.epochs, args.digits, args.global_batch))
    else:
        config.setup(verbose=False)
        devices = split_cpu(2)
        emit("result", scaled=one_step_difference(devices), unscaled=one_step_difference(devices, scale_loss=False))


if __name__ == "__main__":
    main()
