"""The playground's training, without its controls: train a run, record its row, say how it went.

::

    from course_utils.playground_session import PlaygroundSession, RunSettings

    session = PlaygroundSession()                  # the bundled digits, 20% kept to validate on
    row = session.train(RunSettings(epochs=2))     # one run, synchronously: its row of the table
    print(session.status)                          # "Run 1 finished in 4.2 s: best validation accuracy ..."
    session.results()                              # every run so far, the best one starred

:mod:`course_utils.widgets` puts bounded controls, **Train** and **Stop** buttons, a progress bar,
live curves and the table around a session; this module imports no ipywidgets and needs no
browser. Whoever shows a session hears of every change through a :class:`SessionListener`.

A session trains **one run at a time**: :meth:`PlaygroundSession.train` raises
:class:`PlaygroundBusyError` at once while a run is going, :meth:`PlaygroundSession.start` (the
Train button) returns False instead. Every run starts from the session's ``seed`` (``COURSE_SEED``
or 42), so the same settings give the same run, and leaves the kernel's random state alone:
NumPy's and Python's global streams, TensorFlow's global seed and Keras' global seed generator go
on after a run as if it had not happened.

The status line, the errors and the curves' titles follow the language of the messages
(``config.language``); the rows' keys and values (``"best val accuracy"``, ``"done"``) are data a
notebook reads, the same in both editions.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from course_utils import config, data, keras_internals, models, recipes, training
from course_utils.language import tr
from course_utils.tables import Table

Arrays = tuple[np.ndarray, np.ndarray]

#: Menu label -> name understood by :func:`course_utils.models.build`.
MODEL_CHOICES: dict[str, str] = {"3×3 CNN": "cnn_3x3", "5×5 CNN": "cnn_5x5", "DNN (no convolutions)": "dnn"}

#: Menu label -> a function making the optimizer for a learning rate.
OPTIMIZERS: dict[str, Callable[[float], keras.optimizers.Optimizer]] = {
    "Adam": lambda lr: keras.optimizers.Adam(learning_rate=lr),
    "Nadam": lambda lr: keras.optimizers.Nadam(learning_rate=lr),
    "Adamax": lambda lr: keras.optimizers.Adamax(learning_rate=lr),
    "RMSprop": lambda lr: keras.optimizers.RMSprop(learning_rate=lr),
    "SGD": lambda lr: keras.optimizers.SGD(learning_rate=lr),
    "SGD + momentum": lambda lr: keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
}

BATCH_SIZES = (16, 32, 64, 128, 256, 512)
FILTER_CHOICES = (8, 16, 32, 64)
#: Learning-rate slider range, as powers of ten: 1e-5 to 1.
LEARNING_RATE_EXPONENTS = (-5.0, 0.0)
MAX_EPOCHS = 30
MAX_DROPOUT = 0.7
#: Share of the training digits the playground keeps aside to validate on.
VALIDATION_SHARE = 0.2
#: A loss above this has blown up: guessing among 10 digits gives about 2.3.
EXPLODED_LOSS = 1_000.0


class PlaygroundBusyError(RuntimeError):
    """A run was asked for while the same playground is still training one."""


# ---------------------------------------------------------------- seeds of its own

#: One playground model built at a time in the process, so their seed sources never mix.
_BUILD_LOCK = threading.Lock()


class _ThreadRandom:
    """Python's ``random`` for every thread but one, which draws from a generator of its own."""

    def __init__(self, shared: Any, private: random.Random) -> None:
        self._shared = shared
        self._private = private
        self._owner = threading.get_ident()

    def __getattr__(self, name: str) -> Any:
        source = self._private if threading.get_ident() == self._owner else self._shared
        return getattr(source, name)


@contextlib.contextmanager
def _layer_seeds(seed: int) -> Iterator[None]:
    """Layers built in this block get their seeds from ``random.Random(seed)``, not the kernel's stream.

    Keras seeds an unseeded initializer, Dropout or random layer with a number drawn from Python's
    global ``random`` (which ``keras.utils.set_random_seed`` reseeds). Seeding that stream would
    reset the student's ``random``; here only the building thread is pointed at a generator of its
    own, so a student's cell running meanwhile draws from its stream as usual. The numbers are the
    ones ``random.seed(seed)`` would give: the same starting weights as ``set_random_seed(seed)``.
    """
    with _BUILD_LOCK:
        shared = keras_internals.keras_python_random()  # Python's ``random`` module, unless replaced
        if shared is None:  # pragma: no cover - Keras moved its seed source: seed the global stream, then restore it
            state = random.getstate()
            random.seed(seed)
            try:
                yield
            finally:
                random.setstate(state)
            return
        keras_internals.set_keras_python_random(_ThreadRandom(shared, random.Random(seed)))
        try:
            yield
        finally:
            keras_internals.set_keras_python_random(shared)


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int, seed: int) -> tf.data.Dataset:
    """``epochs`` passes over ``(x, y)`` in batches, each pass in a new order drawn from ``seed`` alone.

    ``Dataset.shuffle(seed=...)`` also depends on TensorFlow's global seed, which a student's cell
    may set between two runs; these orders come from a NumPy generator of their own. Train on it
    with ``steps_per_epoch=ceil(len(x) / batch_size)``: one pass per epoch, no batch across two.

    Args:
        x: The training images.
        y: Their labels, in the same order.
        batch_size: Digits per batch; each pass's last batch holds the rest (it may be smaller).
        epochs: Passes over the data, each in its own order, one after the other in the dataset.
        seed: Seed of the NumPy generator that draws every pass's order: the same seed, the same batches.
    """
    generator = np.random.default_rng(seed)
    orders = np.stack([generator.permutation(len(x)) for _ in range(epochs)])
    images, labels = tf.constant(x), tf.constant(y)
    return (
        tf.data.Dataset.from_tensor_slices(orders)
        .flat_map(lambda order: tf.data.Dataset.from_tensor_slices(order).batch(batch_size))
        .map(lambda index: (tf.gather(images, index), tf.gather(labels, index)))
        .prefetch(tf.data.AUTOTUNE)
    )


# ---------------------------------------------------------------- what a run trains


@dataclass(frozen=True)
class RunSettings:
    """Everything one playground run depends on (what the controls show)."""

    model: str = "cnn_3x3"
    optimizer: str = "Adam"
    learning_rate: float = 1e-3
    batch_size: int = 64
    epochs: int = 3
    dropout: float = 0.0
    filters: int = 32
    augment: bool = False

    def __post_init__(self) -> None:
        low, high = (10.0**e for e in LEARNING_RATE_EXPONENTS)
        models_, optimizers = sorted(MODEL_CHOICES.values()), list(OPTIMIZERS)
        problems = []
        if self.model not in MODEL_CHOICES.values():
            problems.append(tr(f"model must be one of {models_}", f"model 必须是 {models_} 之一"))
        if self.optimizer not in OPTIMIZERS:
            problems.append(tr(f"optimizer must be one of {optimizers}", f"optimizer 必须是 {optimizers} 之一"))
        if not low <= self.learning_rate <= high:
            problems.append(tr(f"learning rate must be between {low:g} and {high:g}",
                               f"学习率必须在 {low:g} 到 {high:g} 之间"))
        if self.batch_size not in BATCH_SIZES:
            problems.append(tr(f"batch size must be one of {BATCH_SIZES}", f"批大小必须是 {BATCH_SIZES} 之一"))
        if not 1 <= self.epochs <= MAX_EPOCHS:
            problems.append(tr(f"epochs must be between 1 and {MAX_EPOCHS}",
                               f"epochs（轮数）必须在 1 到 {MAX_EPOCHS} 之间"))
        if not 0.0 <= self.dropout <= MAX_DROPOUT:
            problems.append(tr(f"dropout must be between 0 and {MAX_DROPOUT}",
                               f"dropout（随机失活比例）必须在 0 到 {MAX_DROPOUT} 之间"))
        if self.filters not in FILTER_CHOICES:
            problems.append(tr(f"filters must be one of {FILTER_CHOICES}",
                               f"filters（卷积核数）必须是 {FILTER_CHOICES} 之一"))
        if problems:
            raise ValueError(tr("; ", "；").join(problems))


def build_model(settings: RunSettings) -> keras.Model:
    """The model a run trains: a course architecture, with the augmentation layers in front if asked.

    Its random starting weights come from Keras' usual source; :meth:`PlaygroundSession.train`
    builds it inside :func:`_layer_seeds` so that they come from the session's seed.
    """
    options: dict[str, Any] = {"dropout": settings.dropout}
    if settings.model != "dnn":  # a dense network has no filters
        options["filters"] = settings.filters
    base = models.build(settings.model, **options)
    if not settings.augment:
        return base
    inputs = keras.Input(shape=models.MNIST_SHAPE, name="image")
    outputs = base(recipes.augmentation_layers()(inputs))
    return keras.Model(inputs, outputs, name=f"{base.name}_augmented")


def default_data(fast: bool | None = None) -> tuple[Arrays, Arrays]:
    """The bundled training digits, prepared, with the last 20% kept aside for validation."""
    (x, y), _ = data.load_mnist("bundled", fast=fast, verbose=False)
    fit, validation = training.split_last(data.prepare(x), y, VALIDATION_SHARE)
    return fit, validation


# ---------------------------------------------------------------- telling a view


class SessionListener:
    """What a session tells whoever shows it. Each method here does nothing: a session on its own.

    The session calls these in the thread that trains (a background thread for the Train button),
    as things change; :class:`course_utils.widgets.Playground` shows each in a widget.
    """

    def show_status(self, text: str) -> None:
        """The status line changed to ``text`` (HTML: may hold ``<b>``)."""

    def show_running(self, running: bool) -> None:
        """A run started (True) or is over and the next one may start (False)."""

    def show_progress(self, done: int, total: int) -> None:
        """``done`` of the run's ``total`` batches are trained (not told after every batch)."""

    def show_curves(self, history: Mapping[str, list[float]], title: str | None = None) -> None:
        """An epoch ended: ``history`` holds every metric of the run so far, one value per epoch."""

    def show_table(self, table: Table | None = None) -> None:
        """A run's row was added: ``table`` is :meth:`PlaygroundSession.results`."""


class RunCallback(keras.callbacks.Callback):
    """Connects ``fit`` to the session: progress, curves after each epoch, the stop flag, NaN detection."""

    def __init__(self, session: PlaygroundSession, steps_per_epoch: int, epochs: int) -> None:
        super().__init__()
        self.session = session
        self.steps_per_epoch = steps_per_epoch
        self.total = epochs * steps_per_epoch
        self.redraw_every = max(1, self.total // 200)
        self.shown = 0  # the progress last told to the listener
        self.history: dict[str, list[float]] = {}
        self.epoch = 0
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch), 1-based
        self.divergence = ""  # "NaN" or "exploded"
        self.stopped = False

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
        done = min(self.total, self.epoch * self.steps_per_epoch + batch + 1)
        if done - self.shown >= self.redraw_every or batch + 1 == self.steps_per_epoch:
            self.shown = done  # each change is a message to the browser: not every batch
            self.session._show_progress(done, self.total)
        loss = (logs or {}).get("loss")
        if loss is not None and self.diverged_at is None:
            loss = float(loss)
            if not math.isfinite(loss):
                self.divergence = "NaN"  # keras.callbacks.TerminateOnNaN stops the run
            elif loss > EXPLODED_LOSS:
                self.divergence = "exploded"
                self.model.stop_training = True
            if self.divergence:
                self.diverged_at = (self.epoch + 1, batch + 1)
        if self.session.stop_requested and not self.stopped:
            self.stopped = True
            self.model.stop_training = True  # Keras checks this after every batch

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        run, done = len(self.session.runs) + 1, epoch + 1
        title = tr(f"run {run}, after epoch {done}", f"第 {run} 次运行，第 {done} 轮之后")
        self.session.listener.show_curves(self.history, title=title)


# ---------------------------------------------------------------- the session


class PlaygroundSession:
    """Runs on one data set, one at a time, each recorded as a row; the status line says how each went.

    ``train_data`` and ``validation_data`` are ``(images, labels)``, images shaped (N, 28, 28, 1) in
    [0, 1]; by default the bundled training digits, the last 20% kept for validation (fewer in
    fast mode). ``seed`` (default ``config.seed()``) decides the starting weights, the dropout and
    augmentation draws and the order of the digits, so the same settings give the same run; the
    kernel's global random state is not used. ``listener`` hears of every change (see
    :class:`SessionListener`).
    """

    def __init__(
        self,
        train_data: Arrays | None = None,
        validation_data: Arrays | None = None,
        seed: int | None = None,
        listener: SessionListener | None = None,
    ) -> None:
        if train_data is None:
            train_data, default_validation = default_data()
            validation_data = default_validation if validation_data is None else validation_data
        if validation_data is None:
            raise ValueError(tr("Give validation data too: the table compares runs by validation accuracy.",
                                "请同时给出验证数据：表格按验证准确率比较各次运行。"))
        parts = ((tr("training", "训练"), train_data), (tr("validation", "验证"), validation_data))
        for name, (images, labels) in parts:
            if len(images) != len(labels) or not len(images):
                raise ValueError(tr(f"The {name} images and labels must be non-empty and equally many.",
                                    f"{name}图像和标签不能为空，且数量必须相同。"))
            if not np.isfinite(images).all():
                raise ValueError(tr(f"The {name} images contain NaN or infinite values.",
                                    f"{name}图像中含有 NaN 或无穷大的值。"))
        self.train_data = train_data
        self.validation_data = validation_data
        self.largest_pixel = float(np.max(train_data[0]))
        self.seed = config.seed() if seed is None else seed
        self.listener = listener or SessionListener()
        self.runs: list[dict[str, Any]] = []
        self.histories: list[dict[str, list[float]]] = []
        #: The last status message ("Training run 2...", "Run 2 finished in 3.1 s: ...").
        self.status = ""
        #: Batches trained and batches in all, of the current (or last) run, as last told to the listener.
        self.progress = (0, 0)
        self.stop_requested = False
        self._thread: threading.Thread | None = None
        # Held from the moment a run is asked for until its row and message are out: one run at a time.
        self._run_lock = threading.Lock()
        self._run_number = 0  # the run holding the lock

    # ---------------------------------------------------------------- one run at a time

    @property
    def training(self) -> bool:
        """True while a run is going on, whoever started it (:meth:`start`, :meth:`train`, a thread)."""
        return self._run_lock.locked()

    @property
    def run_number(self) -> int:
        """The number of the run going on (or of the last one asked for)."""
        return self._run_number

    def _claim(self) -> bool:
        """Take the session for a new run; False (and nothing changed) if a run is still going."""
        if not self._run_lock.acquire(blocking=False):
            return False
        self._run_number = len(self.runs) + 1
        return True

    def train(self, settings: RunSettings | Callable[[], RunSettings]) -> dict[str, Any]:
        """Train one model, synchronously; return (and record) its row.

        Args:
            settings: The run's settings, or a function giving them (read once the run has the
                session: a view passes its controls' reader).

        Returns:
            The run's row, as added to :attr:`runs`.

        Raises:
            PlaygroundBusyError: A run of this session is still going (started by the Train button,
                another thread or an earlier call). Nothing is changed; call :meth:`stop`, then
                :meth:`wait`, and train again.
            ValueError: ``settings`` gives a setting :class:`RunSettings` refuses.
        """
        if not self._claim():
            run = self._run_number
            raise PlaygroundBusyError(tr(
                f"This playground is already training run {run}, and it trains one run at a time "
                "(two would draw into the same curves and table). Press Stop or call panel.stop(), then "
                "panel.wait() until it has finished, and call panel.train() again. For scripted runs beside "
                "the student's, make a second panel: widgets.playground().",
                f"这个试验面板正在训练第 {run} 次运行，而它一次只训练一次运行（两次运行会画进同一组曲线和同一张表）。"
                "请按“停止”或调用 panel.stop()，再用 panel.wait() 等它结束，然后重新调用 panel.train()。"
                "若要在学生的运行之外用代码训练，请另建一个面板：widgets.playground()。",
            ))
        try:
            return self._train_one(settings)
        finally:
            self._release()

    def start(self, settings: RunSettings | Callable[[], RunSettings], background: bool) -> bool:
        """Start a run as the Train button does: an error ends up in the status line, not a traceback.

        Args:
            settings: As for :meth:`train`.
            background: Train in a thread of its own (so that Stop stays responsive) instead of
                in the caller's.

        Returns:
            False, and nothing changed, if a run is still going; True once the run is started
            (``background``) or over.
        """
        if not self._claim():
            return False
        if not background:
            self._train_reporting_errors(settings)
            return True
        try:
            self._thread = threading.Thread(target=self._train_reporting_errors, args=(settings,), daemon=True)
            self._thread.start()
        except BaseException:
            self._run_lock.release()  # the run never started: the next press may try again
            raise
        return True

    def stop(self) -> None:
        """Ask the current run to stop after the batch it is on."""
        self.stop_requested = True
        self._say(tr("Stopping after the current batch...", "当前批次结束后停止……"))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current run has finished, whoever started it (for scripts and tests).

        Args:
            timeout: Seconds to wait at most; ``None`` waits as long as the run takes.

        Returns:
            True if no run is going any more, False if the timeout came first.
        """
        if self._run_lock.acquire(timeout=-1 if timeout is None else timeout):
            self._run_lock.release()
        thread = self._thread
        if thread is not None:  # the Train button's thread ends right after its run
            thread.join(timeout)
        return not self.training

    def _train_reporting_errors(self, settings: RunSettings | Callable[[], RunSettings]) -> None:
        """:meth:`train` for a button: an error ends up in the status line and the session stays usable."""
        try:
            self._train_one(settings)
        except Exception as error:
            kind = type(error).__name__
            self._say(tr(f"The run failed: {kind}: {error}", f"本次运行失败：{kind}：{error}"))
        finally:
            self._release()

    def _release(self) -> None:
        """Give the session back after a run claimed by :meth:`_claim`, once its row and message are out."""
        self.listener.show_running(False)
        self._run_lock.release()

    # ---------------------------------------------------------------- training

    def _say(self, text: str) -> None:
        self.status = text
        self.listener.show_status(text)

    def _show_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)
        self.listener.show_progress(done, total)

    def _train_one(self, settings: RunSettings | Callable[[], RunSettings]) -> dict[str, Any]:
        if callable(settings):
            settings = settings()  # the controls' values now that the run has the session
        x_train, y_train = self.train_data
        steps_per_epoch = math.ceil(len(x_train) / settings.batch_size)
        self.stop_requested = False
        self._show_progress(0, settings.epochs * steps_per_epoch)
        self.listener.show_running(True)
        run = self._run_number
        self._say(tr(f"Training run {run}...", f"正在训练第 {run} 次运行……"))
        # Same start, same dropout and augmentation draws and same order for the same settings: runs
        # compare fairly. All from the session's seed, none from (or into) the kernel's global streams.
        with _layer_seeds(self.seed):
            model = build_model(settings)
        training.compile_fast(
            model,
            optimizer=OPTIMIZERS[settings.optimizer](settings.learning_rate),
            batch_size=settings.batch_size,
            steps_per_execution=1,
        )
        batches = shuffled_batches(x_train, y_train, settings.batch_size, settings.epochs, self.seed)
        validation = training.make_dataset(*self.validation_data, batch_size=settings.batch_size, shuffle=False)
        callback = RunCallback(self, steps_per_epoch, settings.epochs)
        start = time.perf_counter()
        model.fit(
            batches,
            epochs=settings.epochs,
            steps_per_epoch=steps_per_epoch,
            validation_data=validation,
            shuffle=False,
            verbose=0,
            callbacks=[keras.callbacks.TerminateOnNaN(), callback],
        )
        seconds = time.perf_counter() - start
        row = self._record(settings, callback, seconds)
        self._say(self._outcome_message(row, settings, callback))
        return row

    def _record(self, settings: RunSettings, callback: RunCallback, seconds: float) -> dict[str, Any]:
        accuracies = [a for a in callback.history.get("val_accuracy", []) if math.isfinite(a)]
        if callback.diverged_at is not None:
            result = "diverged (NaN loss)" if callback.divergence == "NaN" else "diverged (loss exploded)"
        elif callback.stopped:
            result = "stopped"
        else:
            result = "done"
        row = {
            "run": len(self.runs) + 1,
            "model": settings.model,
            "optimizer": settings.optimizer,
            "learning rate": settings.learning_rate,
            "batch size": settings.batch_size,
            "epochs": f"{len(callback.history.get('loss', []))}/{settings.epochs}",
            "dropout": settings.dropout,
            "filters": settings.filters if settings.model != "dnn" else None,
            "augment": settings.augment,
            "best val accuracy": max(accuracies) if accuracies else None,
            "seconds": seconds,
            "result": result,
        }
        self.runs.append(row)
        self.histories.append(callback.history)
        self.listener.show_table(self.results())
        return row

    def _outcome_message(self, row: dict[str, Any], settings: RunSettings, callback: RunCallback) -> str:
        if callback.diverged_at is not None:
            epoch, batch = callback.diverged_at
        run, seconds = row["run"], row["seconds"]
        if callback.diverged_at is not None:
            epoch, batch = callback.diverged_at
            if callback.divergence == "NaN":
                what = tr("the loss became NaN (not a number): the numbers inside the model grew too large for the "
                          "computer", "损失变成了 NaN（不是一个数）：模型内部的数值大到计算机无法表示")
            else:
                what = tr(f"the loss passed {EXPLODED_LOSS:,.0f} (guessing gives about 2.3): the weights are "
                          "blowing up", f"损失超过了 {EXPLODED_LOSS:,.0f}（随机猜测时约为 2.3）：权重正在爆炸")
            largest, rate, optimizer = self.largest_pixel, settings.learning_rate, settings.optimizer
            if largest > 1.0:
                advice = tr(f"The training images go up to {largest:.3g} instead of 1: scale them to "
                            "[0, 1] first (data.prepare does).",
                            f"训练图像的像素值最大到 {largest:.3g}，而不是 1：请先把它们缩放到 [0, 1]"
                            "（data.prepare 会这样做）。")
            else:
                advice = tr(f"The learning rate {rate:.1e} is too large for {optimizer}: try one 10 times smaller.",
                            f"学习率 {rate:.1e} 对 {optimizer} 来说太大了：试试小 10 倍的学习率。")
            return tr(f"<b>Run {run} diverged and was stopped</b> at epoch {epoch}, batch {batch}: {what}. {advice}",
                      f"<b>第 {run} 次运行发散，已被停止</b>，停在第 {epoch} 轮第 {batch} 批：{what}。{advice}")
        accuracy = row["best val accuracy"]
        if accuracy is not None:
            reached = tr(f"best validation accuracy {accuracy:.4f}", f"最佳验证准确率 {accuracy:.4f}")
        else:
            reached = tr("no epoch finished", "没有一轮训练完成")
        best = self._best_sentence()
        if callback.stopped:
            return tr(f"Run {run} stopped early in {seconds:.1f} s: {reached}. {best}",
                      f"第 {run} 次运行提前停止，用时 {seconds:.1f} 秒：{reached}。{best}")
        return tr(f"Run {run} finished in {seconds:.1f} s: {reached}. {best}",
                  f"第 {run} 次运行完成，用时 {seconds:.1f} 秒：{reached}。{best}")

    # ---------------------------------------------------------------- results

    def best_run(self) -> dict[str, Any] | None:
        """The row with the highest best validation accuracy (None before any run reached one)."""
        scored = [row for row in self.runs if row["best val accuracy"] is not None]
        return max(scored, key=lambda row: row["best val accuracy"]) if scored else None

    def _best_sentence(self) -> str:
        best = self.best_run()
        if best is None:
            return ""
        run, accuracy = best["run"], best["best val accuracy"]
        return tr(f"Best so far: run {run} ({accuracy:.4f}).", f"目前最佳：第 {run} 次运行（{accuracy:.4f}）。")

    def results(self) -> Table:
        """Every run so far as a table; the best run is marked with a star."""
        best = self.best_run()
        star = tr("★ best", "★ 最佳")
        rows = [{"": star if row is best else "", **row} for row in self.runs]
        formats = {"learning rate": ".1e", "best val accuracy": ".4f", "seconds": ".1f", "dropout": ".2f"}
        return Table(rows, formats=formats, title=tr("Runs so far", "目前的各次运行"), align={"epochs": "right"})
