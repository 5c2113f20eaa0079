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
the status line and changes nothing else; ``panel.train()`` raises
:class:`~course_utils.playground_session.PlaygroundBusyError` at once instead of waiting
(waiting in the kernel's main thread would leave the Stop button unanswered until the run ends).
``panel.wait()`` blocks until the current run is over.

Every run starts from the panel's ``seed`` (``COURSE_SEED`` or 42): the same settings give the
same run. The panel seeds its own generators for that and leaves the kernel's random state alone:
NumPy's and Python's global streams, TensorFlow's global seed and Keras' global seed generator go
on after a run as if it had not happened.

The training itself, its rows and its messages live in :mod:`course_utils.playground_session`
(no ipywidgets there): ``panel.session``. This module is the view: the controls, the buttons, the
progress bar, the curves and the table, each showing what the session tells it.

The controls' labels, the buttons and the status line follow the language of the messages
(``config.language``): in the Chinese edition the panel speaks Chinese. The values the controls
hold (``panel.optimizer.value == "Adam"``, ``panel.model.value == "dnn"``) are the same in both.

The main widgets carry CSS classes (:data:`CSS_CLASSES`), so browser tests and custom styles
can find them: ``course-playground``, ``course-playground-train``, ``-stop``, ``-status``,
``-table``, ``-learning-rate``, ``-epochs``, and so on.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
from matplotlib.figure import Figure

from course_utils import config, plots
from course_utils.language import tr
from course_utils.playground_session import (
    BATCH_SIZES,
    FILTER_CHOICES,
    LEARNING_RATE_EXPONENTS,
    MAX_DROPOUT,
    MAX_EPOCHS,
    MODEL_CHOICES,
    OPTIMIZERS,
    Arrays,
    PlaygroundSession,
    RunSettings,
    SessionListener,
)
from course_utils.tables import Table

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
    return {"output_type": "display_data",
            "data": {"image/png": encoded, "text/plain": tr("<training curves>", "<训练曲线>")}, "metadata": {}}


def model_options() -> list[tuple[str, str]]:
    """The model menu: (label in the language of the messages, model name) for each of ``MODEL_CHOICES``."""
    labels = {"dnn": tr("DNN (no convolutions)", "DNN（无卷积层）")}
    return [(labels.get(name, label), name) for label, name in MODEL_CHOICES.items()]


def optimizer_options() -> list[tuple[str, str]]:
    """The optimizer menu: (label, name) for each of ``OPTIMIZERS``; only "SGD + momentum" has a Chinese label."""
    labels = {"SGD + momentum": tr("SGD + momentum", "SGD + 动量")}
    return [(labels.get(name, name), name) for name in OPTIMIZERS]


class Playground(SessionListener):
    """The hyperparameter playground: bounded controls, Train/Stop, live curves, a table of runs.

    ``train_data``, ``validation_data`` and ``seed`` go to the panel's
    :class:`~course_utils.playground_session.PlaygroundSession` (``panel.session``): by default
    the bundled training digits, the last 20% kept for validation (fewer in fast mode), and
    ``config.seed()``. ``background`` (default: inside a notebook kernel) makes the Train button
    train in a thread so that Stop can be pressed meanwhile; :meth:`train` itself always runs in
    the caller's thread. The same settings give the same run; the kernel's global random state
    is not used. One run at a time: see :meth:`train`.
    """

    def __init__(
        self,
        train_data: Arrays | None = None,
        validation_data: Arrays | None = None,
        settings: RunSettings | None = None,
        background: bool | None = None,
        seed: int | None = None,
    ) -> None:
        #: The runs, their rows and the status messages; this panel shows what it tells.
        self.session = PlaygroundSession(train_data, validation_data, seed=seed, listener=self)
        self.background = config.jupyter_shell() is not None if background is None else background
        self._figure = Figure(figsize=(10, 3.4))
        start = settings or RunSettings(epochs=config.epochs(5, fast=1))
        #: The settings the controls started with (what :meth:`settings` returns until someone changes one).
        self.initial_settings = start
        self._make_controls(start)

    # ---------------------------------------------------------------- controls and layout

    def _make_controls(self, start: RunSettings) -> None:
        style = {"description_width": "initial"}
        low, high = LEARNING_RATE_EXPONENTS
        self.model = widgets.Dropdown(options=model_options(), value=start.model, description=tr("model", "模型"),
                                      style=style)
        self.optimizer = widgets.Dropdown(options=optimizer_options(), value=start.optimizer,
                                          description=tr("optimizer", "优化器"), style=style)
        self.learning_rate = widgets.FloatLogSlider(value=start.learning_rate, base=10, min=low, max=high, step=0.1,
                                                    readout_format=".1e", description=tr("learning rate", "学习率"),
                                                    style=style)
        self.batch_size = widgets.SelectionSlider(options=list(BATCH_SIZES), value=start.batch_size,
                                                  description=tr("batch size", "批大小"), style=style)
        self.epochs = widgets.IntSlider(value=start.epochs, min=1, max=MAX_EPOCHS, description=tr("epochs", "轮数"),
                                        style=style)
        self.dropout = widgets.FloatSlider(value=start.dropout, min=0.0, max=MAX_DROPOUT, step=0.05,
                                           description=tr("dropout", "随机失活（Dropout）"), style=style)
        self.filters = widgets.Dropdown(options=list(FILTER_CHOICES), value=start.filters,
                                        description=tr("filters (first conv)", "卷积核数（第一个卷积层）"), style=style)
        self.augment = widgets.Checkbox(value=start.augment,
                                        description=tr("augmentation (shift, rotate, zoom)",
                                                       "数据增强（平移、旋转、缩放）"), style=style)
        self.train_button = widgets.Button(description=tr("Train", "训练"), button_style="success", icon="play")
        self.stop_button = widgets.Button(description=tr("Stop", "停止"), button_style="danger", icon="stop",
                                          disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description=tr("progress", "进度"), style=style)
        self.status = widgets.HTML(value=tr("Choose settings and press <b>Train</b>.", "选好设置，然后按<b>训练</b>。"))
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

    # ---------------------------------------------------------------- the session's runs

    @property
    def runs(self) -> list[dict[str, Any]]:
        """One row per run so far (what the table shows), oldest first."""
        return self.session.runs

    @property
    def histories(self) -> list[dict[str, list[float]]]:
        """Each run's metrics, one value per epoch, in the order of :attr:`runs`."""
        return self.session.histories

    @property
    def seed(self) -> int:
        """The seed every run starts from."""
        return self.session.seed

    @property
    def training(self) -> bool:
        """True while a run is going on, whoever started it (the Train button, :meth:`train`, a thread)."""
        return self.session.training

    def best_run(self) -> dict[str, Any] | None:
        """The row with the highest best validation accuracy (None before any run reached one)."""
        return self.session.best_run()

    def results(self) -> Table:
        """Every run so far as a table; the best run is marked with a star."""
        return self.session.results()

    # ---------------------------------------------------------------- buttons

    def _on_train_click(self, _button: object = None) -> None:
        if not self.session.start(self.settings, background=self.background):
            # Only the status line: the running run keeps its curves, progress and coming row.
            run = self.session.run_number
            self.status.value = tr(f"A run is still going (run {run}): press <b>Stop</b> or wait "
                                   "for it to finish, then press <b>Train</b> again.",
                                   f"还有一次运行没有结束（第 {run} 次）：请按<b>停止</b>或等它结束，"
                                   "然后再按<b>训练</b>。")

    def _on_stop_click(self, _button: object = None) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the current run to stop after the batch it is on."""
        self.session.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current run has finished, whoever started it (for scripts and tests).

        Args:
            timeout: Seconds to wait at most; ``None`` waits as long as the run takes.

        Returns:
            True if no run is going any more, False if the timeout came first.
        """
        return self.session.wait(timeout)

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
        return self.session.train(self.settings)  # the controls are read once the run has the panel

    # ---------------------------------------------------------------- what the session tells

    def show_status(self, text: str) -> None:
        """Write ``text`` (HTML) in the status line."""
        self.status.value = text

    def show_running(self, running: bool) -> None:
        """Train is pressable between runs, Stop during one."""
        self.train_button.disabled = running
        self.stop_button.disabled = not running

    def show_progress(self, done: int, total: int) -> None:
        """Fill the progress bar to ``done`` of ``total`` batches."""
        self.progress.max = total
        self.progress.value = done

    def show_table(self, table: Table | None = None) -> None:
        """Redraw the table of runs (default: :meth:`results`) under the panel, as the course's other tables look."""
        self.table.outputs = (table_output(self.results() if table is None else table),)

    def show_curves(self, history: Mapping[str, list[float]], title: str | None = None) -> None:
        """Draw accuracy and loss curves (:func:`course_utils.plots.plot_history`) into the panel."""
        plots.plot_history(dict(history), fig=self._figure, title=title)
        self.curves.outputs = (figure_output(self._figure),)


def playground(**settings: Any) -> Playground:
    """A playground on the bundled digits, its controls starting at ``settings`` (e.g. ``epochs=3``)."""
    start = {"epochs": config.epochs(5, fast=1), **settings}
    return Playground(settings=RunSettings(**start))
