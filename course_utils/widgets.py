"""The hyperparameter playground: change a setting, press **Train**, watch the curves move.

::

    from course_utils import widgets

    panel = widgets.playground()
    panel                      # shows the controls in JupyterLab

Every control is bounded (sliders stop at their ends, menus offer only valid choices), so a
setting that makes no sense cannot be entered. Each run trains a real Keras model on the bundled
digits, draws its accuracy and loss curves after every epoch, and adds a row to the table of
runs, where the best run so far is marked. **Stop** ends a run after the current batch. A run
whose loss becomes NaN ("not a number": the weights blew up) is stopped and explained in the
status line instead of ending in a traceback. The status line ends every run with "Run N
finished", "Run N stopped early" or "Run N diverged and was stopped".

The panel works without a browser too: ``panel.learning_rate.value = 3e-3`` sets a control,
``panel.train()`` runs one training synchronously and returns its row, ``panel.runs`` holds all
rows. In a notebook the Train button trains in a background thread, so the Stop button stays
responsive while the kernel trains. Each ``Playground`` has controls of its own: a notebook that
demonstrates scripted runs makes a second panel for them, so the one a student trains with
keeps its starting settings (``panel.initial_settings``).

A panel trains **one run at a time**, whatever asks for the next one (the Train button, a cell
calling ``panel.train()``, another thread): a second Train press while a run is going says so in
the status line and changes nothing else; ``panel.train()`` raises :class:`PlaygroundBusyError`
at once instead of waiting (waiting in the kernel's main thread would leave the Stop button
unanswered until the run ends). ``panel.wait()`` blocks until the current run is over.

Every run starts from the panel's ``seed`` (``COURSE_SEED`` or 42): the same settings give the
same run. The panel seeds its own generators for that and leaves the kernel's random state alone:
NumPy's and Python's global streams, TensorFlow's global seed and Keras' global seed generator go
on after a run as if it had not happened.

The main widgets carry CSS classes (:data:`CSS_CLASSES`), so browser tests and custom styles
can find them: ``course-playground``, ``course-playground-train``, ``-stop``, ``-status``,
``-table``, ``-learning-rate``, ``-epochs``, and so on.
"""

from __future__ import annotations

import base64
import contextlib
import io
import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import keras
import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from course_utils import config, data, models, plots, recipes, training
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
#: Playground attribute -> the CSS class its widget carries (``widget`` is the whole panel).
CSS_CLASSES: dict[str, str] = {
    "widget": "course-playground",
    "model": "course-playground-model",
    "optimizer": "course-playground-optimizer",
    "learning_rate": "course-playground-learning-rate",
    "batch_size": "course-playground-batch-size",
    "epochs": "course-playground-epochs",
    "dropout": "course-playground-dropout",
    "filters": "course-playground-filters",
    "augment": "course-playground-augment",
    "train_button": "course-playground-train",
    "stop_button": "course-playground-stop",
    "progress": "course-playground-progress",
    "status": "course-playground-status",
    "curves": "course-playground-curves",
    "table": "course-playground-table",
}


class PlaygroundBusyError(RuntimeError):
    """A run was asked for while the same playground is still training one."""


try:  # Keras draws the seed of every new initializer, dropout and random layer here (private module)
    from keras.src.random import seed_generator as _keras_seeds
except ImportError:  # pragma: no cover - another Keras layout: _layer_seeds falls back to save and restore
    _keras_seeds = None
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
        shared = getattr(_keras_seeds, "python_random", None)
        if shared is None:  # pragma: no cover - Keras moved its seed source: seed the global stream, then restore it
            state = random.getstate()
            random.seed(seed)
            try:
                yield
            finally:
                random.setstate(state)
            return
        _keras_seeds.python_random = _ThreadRandom(shared, random.Random(seed))
        try:
            yield
        finally:
            _keras_seeds.python_random = shared


def shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int, seed: int) -> tf.data.Dataset:
    """``epochs`` passes over ``(x, y)`` in batches, each pass in a new order drawn from ``seed`` alone.

    ``Dataset.shuffle(seed=...)`` also depends on TensorFlow's global seed, which a student's cell
    may set between two runs; these orders come from a NumPy generator of their own. Train on it
    with ``steps_per_epoch=ceil(len(x) / batch_size)``: one pass per epoch, no batch across two.
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
        problems = []
        if self.model not in MODEL_CHOICES.values():
            problems.append(f"model must be one of {sorted(MODEL_CHOICES.values())}")
        if self.optimizer not in OPTIMIZERS:
            problems.append(f"optimizer must be one of {list(OPTIMIZERS)}")
        if not low <= self.learning_rate <= high:
            problems.append(f"learning rate must be between {low:g} and {high:g}")
        if self.batch_size not in BATCH_SIZES:
            problems.append(f"batch size must be one of {BATCH_SIZES}")
        if not 1 <= self.epochs <= MAX_EPOCHS:
            problems.append(f"epochs must be between 1 and {MAX_EPOCHS}")
        if not 0.0 <= self.dropout <= MAX_DROPOUT:
            problems.append(f"dropout must be between 0 and {MAX_DROPOUT}")
        if self.filters not in FILTER_CHOICES:
            problems.append(f"filters must be one of {FILTER_CHOICES}")
        if problems:
            raise ValueError("; ".join(problems))


def build_model(settings: RunSettings) -> keras.Model:
    """The model a run trains: a course architecture, with the augmentation layers in front if asked.

    Its random starting weights come from Keras' usual source; :meth:`Playground.train` builds it
    inside :func:`_layer_seeds` so that they come from the panel's seed.
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


def table_output(table: Table) -> dict[str, Any]:
    """A :class:`~course_utils.tables.Table` as one output of an ``Output`` widget.

    The same two forms the course's other tables show: HTML (rendered by JupyterLab with its
    table style: padded cells, headers aligned with their columns) and aligned text for
    front ends without HTML.
    """
    return {"output_type": "display_data", "data": {"text/html": table._repr_html_(), "text/plain": str(table)},
            "metadata": {}}


def figure_output(fig: Figure) -> dict[str, Any]:
    """A figure as one PNG output of an ``Output`` widget (safe to set from a training thread)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return {"output_type": "display_data", "data": {"image/png": encoded, "text/plain": "<training curves>"},
            "metadata": {}}


class PanelCallback(keras.callbacks.Callback):
    """Connects ``fit`` to the panel: progress bar, live curves, the Stop flag, NaN detection."""

    def __init__(self, panel: Playground, steps_per_epoch: int) -> None:
        super().__init__()
        self.panel = panel
        self.steps_per_epoch = steps_per_epoch
        self.redraw_every = max(1, panel.progress.max // 200)
        self.history: dict[str, list[float]] = {}
        self.epoch = 0
        self.diverged_at: tuple[int, int] | None = None  # (epoch, batch), 1-based
        self.divergence = ""  # "NaN" or "exploded"
        self.stopped = False

    def on_epoch_begin(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Mapping[str, float] | None = None) -> None:
        done = min(self.panel.progress.max, self.epoch * self.steps_per_epoch + batch + 1)
        if done - self.panel.progress.value >= self.redraw_every or batch + 1 == self.steps_per_epoch:
            self.panel.progress.value = done  # each change is a message to the browser: not every batch
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
        if self.panel.stop_requested and not self.stopped:
            self.stopped = True
            self.model.stop_training = True  # Keras checks this after every batch

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self.panel.show_curves(self.history, title=f"run {len(self.panel.runs) + 1}, after epoch {epoch + 1}")


class Playground:
    """The hyperparameter playground: bounded controls, Train/Stop, live curves, a table of runs.

    ``train_data`` and ``validation_data`` are ``(images, labels)``, images shaped (N, 28, 28, 1) in
    [0, 1]; by default the bundled training digits, the last 20% kept for validation (fewer in
    fast mode). ``background`` (default: inside a notebook kernel) makes the Train button train
    in a thread so that Stop can be pressed meanwhile; :meth:`train` itself always runs in the
    caller's thread. ``seed`` (default ``config.seed()``) decides the starting weights, the
    dropout and augmentation draws and the order of the digits, so the same settings give the
    same run; the kernel's global random state is not used. One run at a time: see :meth:`train`.
    """

    def __init__(
        self,
        train_data: Arrays | None = None,
        validation_data: Arrays | None = None,
        settings: RunSettings | None = None,
        background: bool | None = None,
        seed: int | None = None,
    ) -> None:
        if train_data is None:
            train_data, default_validation = default_data()
            validation_data = default_validation if validation_data is None else validation_data
        if validation_data is None:
            raise ValueError("Give validation data too: the table compares runs by validation accuracy.")
        for name, (images, labels) in (("training", train_data), ("validation", validation_data)):
            if len(images) != len(labels) or not len(images):
                raise ValueError(f"The {name} images and labels must be non-empty and equally many.")
            if not np.isfinite(images).all():
                raise ValueError(f"The {name} images contain NaN or infinite values.")
        self.train_data = train_data
        self.validation_data = validation_data
        self.largest_pixel = float(np.max(train_data[0]))
        self.background = plots._in_notebook() if background is None else background
        self.seed = config.seed() if seed is None else seed
        self.runs: list[dict[str, Any]] = []
        self.histories: list[dict[str, list[float]]] = []
        self.stop_requested = False
        self._thread: threading.Thread | None = None
        # Held from the moment a run is asked for until its row and message are out: one run at a time.
        self._run_lock = threading.Lock()
        self._run_number = 0  # the run holding the lock
        self._figure = Figure(figsize=(10, 3.4))
        start = settings or RunSettings(epochs=config.epochs(5, fast=1))
        #: The settings the controls started with (what :meth:`settings` returns until someone changes one).
        self.initial_settings = start
        self._make_controls(start)

    # ---------------------------------------------------------------- controls and layout

    def _make_controls(self, start: RunSettings) -> None:
        style = {"description_width": "initial"}
        low, high = LEARNING_RATE_EXPONENTS
        self.model = widgets.Dropdown(options=list(MODEL_CHOICES.items()), value=start.model, description="model",
                                      style=style)
        self.optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=start.optimizer, description="optimizer",
                                          style=style)
        self.learning_rate = widgets.FloatLogSlider(value=start.learning_rate, base=10, min=low, max=high, step=0.1,
                                                    readout_format=".1e", description="learning rate", style=style)
        self.batch_size = widgets.SelectionSlider(options=list(BATCH_SIZES), value=start.batch_size,
                                                  description="batch size", style=style)
        self.epochs = widgets.IntSlider(value=start.epochs, min=1, max=MAX_EPOCHS, description="epochs", style=style)
        self.dropout = widgets.FloatSlider(value=start.dropout, min=0.0, max=MAX_DROPOUT, step=0.05,
                                           description="dropout", style=style)
        self.filters = widgets.Dropdown(options=list(FILTER_CHOICES), value=start.filters,
                                        description="filters (first conv)", style=style)
        self.augment = widgets.Checkbox(value=start.augment, description="augmentation (shift, rotate, zoom)",
                                        style=style)
        self.train_button = widgets.Button(description="Train", button_style="success", icon="play")
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="progress", style=style)
        self.status = widgets.HTML(value="Choose settings and press <b>Train</b>.")
        self.curves = widgets.Output()
        self.table = widgets.Output()  # the runs as a Table: HTML in JupyterLab, aligned text elsewhere
        self.train_button.on_click(self._on_train_click)
        self.stop_button.on_click(self._on_stop_click)
        self.model.observe(self._on_model_change, names="value")
        self._on_model_change()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.model, self.optimizer, self.learning_rate]),
                widgets.HBox([self.batch_size, self.epochs, self.dropout]),
                widgets.HBox([self.filters, self.augment]),
                widgets.HBox([self.train_button, self.stop_button, self.progress]),
                self.status,
                self.curves,
                self.table,
            ]
        )
        for name, css_class in CSS_CLASSES.items():
            getattr(self, name).add_class(css_class)

    def _on_model_change(self, _change: object = None) -> None:
        self.filters.disabled = self.model.value == "dnn"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.widget._repr_mimebundle_(**kwargs)

    # ---------------------------------------------------------------- settings

    def settings(self) -> RunSettings:
        """The controls' current values."""
        return RunSettings(
            model=self.model.value,
            optimizer=self.optimizer.value,
            learning_rate=float(self.learning_rate.value),
            batch_size=int(self.batch_size.value),
            epochs=int(self.epochs.value),
            dropout=round(float(self.dropout.value), 4),
            filters=int(self.filters.value),
            augment=bool(self.augment.value),
        )

    # ---------------------------------------------------------------- buttons

    @property
    def training(self) -> bool:
        """True while a run is going on, whoever started it (the Train button, :meth:`train`, a thread)."""
        return self._run_lock.locked()

    def _claim(self) -> bool:
        """Take the panel for a new run; False (and nothing changed) if a run is still going."""
        if not self._run_lock.acquire(blocking=False):
            return False
        self._run_number = len(self.runs) + 1
        return True

    def _on_train_click(self, _button: object = None) -> None:
        if not self._claim():
            # Only the status line: the running run keeps its curves, progress and coming row.
            self.status.value = (f"A run is still going (run {self._run_number}): press <b>Stop</b> or wait for "
                                 "it to finish, then press <b>Train</b> again.")
            return
        if not self.background:
            self._train_reporting_errors()
            return
        try:
            self._thread = threading.Thread(target=self._train_reporting_errors, daemon=True)
            self._thread.start()
        except BaseException:
            self._run_lock.release()  # the run never started: the next press may try again
            raise

    def _train_reporting_errors(self) -> None:
        """Train with the panel already claimed; an error ends up in the status line, not a traceback."""
        self._run_claimed(report_errors=True)

    def _on_stop_click(self, _button: object = None) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the current run to stop after the batch it is on."""
        self.stop_requested = True
        self.status.value = "Stopping after the current batch..."

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

    def _set_running(self, running: bool) -> None:
        self.train_button.disabled = running
        self.stop_button.disabled = not running

    # ---------------------------------------------------------------- training

    def train(self) -> dict[str, Any]:
        """Train one model with the current settings, synchronously; return (and record) its row.

        Returns:
            The run's row, as added to :attr:`runs`.

        Raises:
            PlaygroundBusyError: A run of this panel is still going (started by the Train button,
                another thread or an earlier call). Nothing is changed; press Stop or call
                :meth:`stop`, then :meth:`wait`, and train again.
            ValueError: A control holds a setting :class:`RunSettings` refuses.
        """
        if not self._claim():
            raise PlaygroundBusyError(
                f"This playground is already training run {self._run_number}, and it trains one run at a time "
                "(two would draw into the same curves and table). Press Stop or call panel.stop(), then "
                "panel.wait() until it has finished, and call panel.train() again. For scripted runs beside "
                "the student's, make a second panel: widgets.playground()."
            )
        return self._run_claimed()

    def _run_claimed(self, report_errors: bool = False) -> dict[str, Any] | None:
        """One run on a panel claimed by :meth:`_claim`; gives the panel back once the run's message is out."""
        try:
            return self._train_one()
        except Exception as error:
            if not report_errors:
                raise
            self.status.value = f"The run failed: {type(error).__name__}: {error}"  # the panel stays usable
            return None
        finally:
            self._set_running(False)
            self._run_lock.release()

    def _train_one(self) -> dict[str, Any]:
        settings = self.settings()
        x_train, y_train = self.train_data
        steps_per_epoch = math.ceil(len(x_train) / settings.batch_size)
        self.stop_requested = False
        self.progress.max = settings.epochs * steps_per_epoch
        self.progress.value = 0
        self._set_running(True)
        self.status.value = f"Training run {self._run_number}..."
        # Same start, same dropout and augmentation draws and same order for the same settings: runs
        # compare fairly. All from the panel's seed, none from (or into) the kernel's global streams.
        with _layer_seeds(self.seed):
            model = build_model(settings)
        training.compile_fast(model, optimizer=OPTIMIZERS[settings.optimizer](settings.learning_rate),
                              batch_size=settings.batch_size, steps_per_execution=1)
        batches = shuffled_batches(x_train, y_train, settings.batch_size, settings.epochs, self.seed)
        validation = training.make_dataset(*self.validation_data, batch_size=settings.batch_size, shuffle=False)
        callback = PanelCallback(self, steps_per_epoch)
        start = time.perf_counter()
        model.fit(batches, epochs=settings.epochs, steps_per_epoch=steps_per_epoch, validation_data=validation,
                  shuffle=False, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN(), callback])
        seconds = time.perf_counter() - start
        row = self._record(settings, callback, seconds)
        self.status.value = self._outcome_message(row, settings, callback)
        return row

    def _record(self, settings: RunSettings, callback: PanelCallback, seconds: float) -> dict[str, Any]:
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
        self.show_table()
        return row

    def _outcome_message(self, row: dict[str, Any], settings: RunSettings, callback: PanelCallback) -> str:
        if callback.diverged_at is not None:
            epoch, batch = callback.diverged_at
            what = (
                "the loss became NaN (not a number): the numbers inside the model grew too large for the computer"
                if callback.divergence == "NaN"
                else f"the loss passed {EXPLODED_LOSS:,.0f} (guessing gives about 2.3): the weights are blowing up"
            )
            if self.largest_pixel > 1.0:
                advice = (f"The training images go up to {self.largest_pixel:.3g} instead of 1: scale them to "
                          "[0, 1] first (data.prepare does).")
            else:
                advice = (f"The learning rate {settings.learning_rate:.1e} is too large for {settings.optimizer}: "
                          "try one 10 times smaller.")
            return f"<b>Run {row['run']} diverged and was stopped</b> at epoch {epoch}, batch {batch}: {what}. {advice}"
        accuracy = row["best val accuracy"]
        reached = f"best validation accuracy {accuracy:.4f}" if accuracy is not None else "no epoch finished"
        verb = "stopped early" if callback.stopped else "finished"
        return f"Run {row['run']} {verb} in {row['seconds']:.1f} s: {reached}. {self._best_sentence()}"

    # ---------------------------------------------------------------- results

    def best_run(self) -> dict[str, Any] | None:
        """The row with the highest best validation accuracy (None before any run reached one)."""
        scored = [row for row in self.runs if row["best val accuracy"] is not None]
        return max(scored, key=lambda row: row["best val accuracy"]) if scored else None

    def _best_sentence(self) -> str:
        best = self.best_run()
        if best is None:
            return ""
        return f"Best so far: run {best['run']} ({best['best val accuracy']:.4f})."

    def results(self) -> Table:
        """Every run so far as a table; the best run is marked with a star."""
        best = self.best_run()
        rows = [{"": "★ best" if row is best else "", **row} for row in self.runs]
        formats = {"learning rate": ".1e", "best val accuracy": ".4f", "seconds": ".1f", "dropout": ".2f"}
        return Table(rows, formats=formats, title="Runs so far", align={"epochs": "right"})

    def show_table(self) -> None:
        """Redraw the table of runs under the panel, as the course's other tables look."""
        self.table.outputs = (table_output(self.results()),)

    def show_curves(self, history: Mapping[str, list[float]], title: str | None = None) -> None:
        """Draw accuracy and loss curves (:func:`course_utils.plots.plot_history`) into the panel."""
        plots.plot_history(dict(history), fig=self._figure, title=title)
        self.curves.outputs = (figure_output(self._figure),)


def default_data(fast: bool | None = None) -> tuple[Arrays, Arrays]:
    """The bundled training digits, prepared, with the last 20% kept aside for validation."""
    (x, y), _ = data.load_mnist("bundled", fast=fast, verbose=False)
    return training.split_last(data.prepare(x), y, VALIDATION_SHARE)


def playground(**settings: Any) -> Playground:
    """A playground on the bundled digits, its controls starting at ``settings`` (e.g. ``epochs=3``)."""
    start = {"epochs": config.epochs(5, fast=1), **settings}
    return Playground(settings=RunSettings(**start))
