"""The playground trains for real when Train is pressed, refuses nonsense, and explains diverging runs."""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf
import traitlets

matplotlib.use("Agg")

from course_utils import playground_session, widgets

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="module")
def tiny() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    (x_train, y_train), (x_val, y_val) = playground_session.default_data(fast=True)
    return (x_train[:512], y_train[:512]), (x_val[:128], y_val[:128])


def panel_on(tiny: tuple, **settings: object) -> widgets.Playground:
    start = {"epochs": 2, "filters": 8, "batch_size": 64, **settings}
    return widgets.Playground(*tiny, settings=playground_session.RunSettings(**start), background=False)


def test_train_button_trains_a_model_and_adds_a_row(tiny: tuple) -> None:
    panel = panel_on(tiny, learning_rate=3e-3, epochs=3)
    panel.train_button.click()  # what pressing Train does

    assert len(panel.runs) == 1
    row = panel.runs[0]
    assert row["result"] == "done"
    assert row["epochs"] == "3/3"
    assert row["learning rate"] == pytest.approx(3e-3, rel=0.05)
    history = panel.histories[0]
    assert len(history["loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]  # it learned something
    assert row["best val accuracy"] == max(history["val_accuracy"])
    assert row["best val accuracy"] > 0.3  # chance is 0.1
    assert panel.progress.value == panel.progress.max == 3 * 8  # 512 digits / 64 per batch, 3 epochs
    assert panel.curves.outputs[0]["data"]["image/png"]  # the curves were drawn
    assert "★ best" in table_html(panel) and "Run 1 finished" in panel.status.value
    assert not panel.train_button.disabled and panel.stop_button.disabled
    assert visible_epoch_ticks(panel) == [["1", "2", "3"]] * 2  # the live curves: whole epochs


def test_runs_accumulate_and_the_best_is_marked(tiny: tuple) -> None:
    panel = panel_on(tiny, epochs=2)
    panel.learning_rate.value = 1e-5  # far too small to learn in 2 epochs
    first = panel.train()
    panel.learning_rate.value = 3e-3
    panel.model.value = "cnn_5x5"
    second = panel.train()

    assert [row["run"] for row in panel.runs] == [1, 2]
    assert second["model"] == "cnn_5x5" and first["model"] == "cnn_3x3"
    assert second["best val accuracy"] > first["best val accuracy"]
    assert panel.best_run() is second
    table = panel.results()
    assert table.column("") == ["", "★ best"]
    assert "Best so far: run 2" in panel.status.value


def test_controls_cannot_hold_nonsense(tiny: tuple) -> None:
    panel = panel_on(tiny)
    panel.learning_rate.value = 1e6
    assert panel.learning_rate.value == 1.0
    panel.learning_rate.value = -3
    assert panel.learning_rate.value == pytest.approx(1e-5)
    panel.epochs.value = 10_000
    assert panel.epochs.value == playground_session.MAX_EPOCHS
    panel.epochs.value = 0
    assert panel.epochs.value == 1
    panel.dropout.value = 1.5
    assert panel.dropout.value == playground_session.MAX_DROPOUT
    for control, nonsense in ((panel.batch_size, 1000), (panel.optimizer, "magic"), (panel.model, "resnet"),
                              (panel.filters, 7)):
        with pytest.raises(traitlets.TraitError):
            control.value = nonsense
    panel.model.value = "dnn"
    assert panel.filters.disabled  # a dense network has no filters
    assert panel.settings().epochs == 1


@pytest.mark.parametrize(
    "bad",
    [{"learning_rate": 5.0}, {"batch_size": 100}, {"epochs": 0}, {"dropout": 1.0}, {"model": "resnet"},
     {"optimizer": "magic"}, {"filters": 7}],
)
def test_settings_outside_the_controls_are_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        playground_session.RunSettings(**bad)


def test_data_with_nan_is_refused(tiny: tuple) -> None:
    (x_train, y_train), validation = tiny
    broken = x_train.copy()
    broken[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        widgets.Playground((broken, y_train), validation, background=False)


def test_a_nan_loss_stops_the_run_with_a_plain_message(tiny: tuple) -> None:
    (x_train, y_train), validation = tiny
    # Pixels near float32's largest value overflow in the first convolution: the loss is NaN at once.
    panel = widgets.Playground((x_train * np.float32(3e38), y_train), validation, background=False,
                               settings=playground_session.RunSettings(epochs=3, filters=8))
    panel.train_button.click()  # no exception reaches the student
    row = panel.runs[0]
    assert row["result"] == "diverged (NaN loss)"
    assert row["epochs"] == "1/3"  # stopped during the first epoch
    assert "diverged and was stopped" in panel.status.value and "NaN (not a number)" in panel.status.value
    assert "scale them to [0, 1]" in panel.status.value
    assert "Traceback" not in panel.status.value


def test_a_too_large_learning_rate_is_reported_as_diverging(tiny: tuple) -> None:
    panel = panel_on(tiny, learning_rate=1.0, epochs=3)
    row = panel.train()
    assert row["result"].startswith("diverged")
    assert row["epochs"] == "1/3"
    assert "try one 10 times smaller" in panel.status.value
    # Keras still validates the epoch it stopped in: that accuracy is the row's, and it is a guess's.
    (val_accuracy,) = panel.histories[0]["val_accuracy"]
    assert row["best val accuracy"] == val_accuracy < 0.3  # guessing among 10 digits: 0.1
    assert panel.best_run() is row  # the only run with an accuracy, even a diverged one
    assert "Best so far" not in panel.status.value  # the diverged message gives advice instead


def test_stop_button_ends_a_background_run_after_the_current_batch(tiny: tuple) -> None:
    panel = panel_on(tiny, epochs=playground_session.MAX_EPOCHS)
    panel.background = True
    panel.train_button.click()
    deadline = time.monotonic() + 120
    while panel.progress.value == 0 and panel.training and time.monotonic() < deadline:
        time.sleep(0.01)
    assert panel.training and panel.stop_button.disabled is False
    panel.train_button.click()  # a second Train press while running is refused politely
    assert "still going" in panel.status.value
    panel.stop_button.click()
    panel.wait(timeout=120)
    assert not panel.training
    row = panel.runs[0]
    assert row["result"] == "stopped"
    done = int(row["epochs"].split("/")[0])
    assert done < playground_session.MAX_EPOCHS
    assert panel.progress.value < panel.progress.max
    assert "stopped early" in panel.status.value


def test_augmentation_checkbox_puts_the_layers_in_front() -> None:
    plain = playground_session.build_model(playground_session.RunSettings(model="cnn_3x3", filters=8))
    augmented = playground_session.build_model(playground_session.RunSettings(model="cnn_3x3", filters=8, augment=True))
    assert "augmentation" not in [layer.name for layer in plain.layers]
    assert augmented.layers[1].name == "augmentation"
    assert augmented.count_params() == plain.count_params()  # augmentation has no weights
    dense = playground_session.build_model(playground_session.RunSettings(model="dnn", dropout=0.3))
    assert dense.get_layer("dropout").rate == pytest.approx(0.3)


def table_html(panel: widgets.Playground) -> str:
    (output,) = panel.table.outputs
    return output["data"]["text/html"]


def visible_epoch_ticks(panel: widgets.Playground) -> list[list[str]]:
    """The x tick labels inside the view of every panel of the live curves, as drawn."""
    figure = panel._figure
    figure.canvas.draw()
    ticks = []
    for ax in figure.axes:
        low, high = ax.get_xlim()
        ticks.append([label.get_text() for position, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True)
                      if low <= position <= high])
    return ticks


@pytest.mark.parametrize("epochs", [1, 2, 7, playground_session.MAX_EPOCHS])
def test_live_curves_show_whole_epochs_only(tiny: tuple, epochs: int) -> None:
    panel = panel_on(tiny)
    history = {key: list(np.linspace(0.2, 0.9, epochs)) for key in ("accuracy", "val_accuracy", "loss", "val_loss")}
    panel.show_curves(history, title=f"after epoch {epochs}")
    for labels in visible_epoch_ticks(panel):
        assert labels and all(re.fullmatch(r"\d+", label) for label in labels), labels
        assert 1 <= int(labels[0]) and int(labels[-1]) <= epochs
    if epochs == 1:  # not 0.96 ... 1.04
        assert visible_epoch_ticks(panel) == [["1"], ["1"]]


def test_runs_table_is_a_course_table_with_padded_aligned_columns(tiny: tuple) -> None:
    panel = panel_on(tiny)
    assert panel.table.outputs == ()  # nothing before the first run
    for settings in (playground_session.RunSettings(epochs=30, batch_size=64, filters=8),
                     playground_session.RunSettings(model="dnn", epochs=3, batch_size=512, dropout=0.3, augment=True)):
        callback = playground_session.RunCallback(panel.session, steps_per_epoch=1, epochs=settings.epochs)
        callback.history = {"loss": [1.0] * 3, "val_accuracy": [0.5, 0.6, 0.7]}
        panel.session._record(settings, callback, seconds=12.25)
    (output,) = panel.table.outputs
    table = panel.results()
    # The same two forms as every other table of the course: its HTML, and its aligned text.
    assert output["data"] == {"text/html": table._repr_html_(), "text/plain": str(table)}
    assert "<th style=\"text-align:right\">batch size</th>" in output["data"]["text/html"]
    assert "<th style=\"text-align:right\">epochs</th>" in output["data"]["text/html"]

    title, header, rule, *rows = output["data"]["text/plain"].splitlines()
    assert title == "Runs so far" and len(rows) == 2
    spans = [match.span() for match in re.finditer(r"-+", rule)]  # one run of dashes per column
    assert len(spans) == len(table.columns)
    right = table._numeric_columns()
    for line, cells in [(header, table.columns)] + [(row, [table.cell(r, c) for c in table.columns])
                                                    for row, r in zip(rows, table.rows, strict=True)]:
        for (start, end), cell, is_right in zip(spans, cells, right, strict=True):
            text = line.ljust(len(rule))[start:end]  # lines end without trailing spaces
            assert (text.rstrip() if not is_right else text.lstrip()) == cell, (line, cell)
            assert text == (cell.rjust(end - start) if is_right else cell.ljust(end - start))
        # at least two spaces between columns: no "64 3/30" or "32 no"
        assert all(line[end:end + 2].strip() == "" for _, end in spans[:-1])
    assert "64    3/30" in rows[0] and "512     3/3" in rows[1]


def test_each_panel_has_its_own_controls(tiny: tuple) -> None:
    student = panel_on(tiny)
    scripted = panel_on(tiny)
    start = student.settings()
    assert student.initial_settings == start
    scripted.learning_rate.value = 50.0
    scripted.epochs.value = -4
    scripted.model.value = "dnn"
    assert (scripted.settings().learning_rate, scripted.settings().epochs) == (1.0, 1)
    assert student.settings() == student.initial_settings == start


def test_main_widgets_carry_stable_css_classes(tiny: tuple) -> None:
    panel = panel_on(tiny)
    for name, css_class in widgets.CSS_CLASSES.items():
        assert css_class in getattr(panel, name)._dom_classes, name
    assert panel.train_button._dom_classes == ("course-playground-train",)
    assert panel.stop_button._dom_classes == ("course-playground-stop",)
    for expected in ("course-playground-status", "course-playground-table", "course-playground-learning-rate",
                     "course-playground-epochs"):
        assert expected in widgets.CSS_CLASSES.values()
    assert len(set(widgets.CSS_CLASSES.values())) == len(widgets.CSS_CLASSES)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def panels_shown_and_driven(sources: list[str]) -> tuple[dict[str, int], list[str]]:
    """The panels code cells display (name -> cell), and every later line that changes or drives one."""
    cells = [ast.parse(source) for source in sources]
    made: set[str] = set()
    shown: dict[str, int] = {}
    for index, tree in enumerate(cells):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Attribute)
                    and node.value.func.attr in ("playground", "Playground")):
                made.update(target.id for target in node.targets if isinstance(target, ast.Name))
        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr) and isinstance(last.value, ast.Name) and last.value.id in made:
            shown.setdefault(last.value.id, index)
    problems = [problem for name, shown_at in shown.items() for tree in cells[shown_at + 1:]
                for problem in changes_or_drives(tree, name)]
    return shown, problems


def changes_or_drives(tree: ast.AST, name: str) -> list[str]:
    """The lines of ``tree`` that set an attribute of panel ``name`` or press one of its buttons."""
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and _root_name(t) == name for t in targets):
                problems.append(f"a later cell changes the displayed panel {name!r}: {ast.unparse(node)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("train", "click", "stop") and _root_name(node.func) == name:
            problems.append(f"a later cell drives the displayed panel {name!r}: {ast.unparse(node)}")
    return problems


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda path: path.name)
def test_no_notebook_drives_the_panel_it_shows_the_student(notebook: Path) -> None:
    """A panel a cell displays keeps its settings after Run All: scripted runs use a panel of their own."""
    sources = ["".join(cell["source"]) for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
               if cell["cell_type"] == "code"]
    shown, problems = panels_shown_and_driven(sources)
    assert not problems, f"{notebook.name}: {problems}"
    if notebook.name.startswith("09_"):  # the lesson that shows a panel by name and scripts a second one
        assert list(shown) == ["panel"]


def test_the_notebook_check_finds_a_cell_driving_the_shown_panel() -> None:
    shown, problems = panels_shown_and_driven([
        "panel = widgets.playground()\npanel",
        "scripted = widgets.playground()\nscripted.epochs.value = 2\nscripted.train()",  # its own panel: fine
        "panel.learning_rate.value = 1.0",
        "panel.train_button.click()",
        "row = panel.train()",
    ])
    assert shown == {"panel": 0}
    assert problems == [
        "a later cell changes the displayed panel 'panel': panel.learning_rate.value = 1.0",
        "a later cell drives the displayed panel 'panel': panel.train_button.click()",
        "a later cell drives the displayed panel 'panel': panel.train()",
    ]


# ---------------------------------------------------------------- one run at a time


@pytest.fixture(scope="module")
def small(tiny: tuple) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Two batches of 64 to train on, one to validate on: a run takes well under a second."""
    (x_train, y_train), (x_val, y_val) = tiny
    return (x_train[:128], y_train[:128]), (x_val[:64], y_val[:64])


@dataclass
class Hold:
    """Holds the first run that starts training until ``release`` is set; later runs go through."""

    started: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    entries: int = 0


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> Hold:
    state = Hold()

    class HoldingCallback(playground_session.RunCallback):
        def on_train_begin(self, logs: object = None) -> None:
            state.entries += 1
            if state.entries == 1:
                state.started.set()
                assert state.release.wait(120), "the test never released the first run"

    monkeypatch.setattr(playground_session, "RunCallback", HoldingCallback)
    yield state
    state.release.set()  # never leave a thread waiting, whatever the test did


def test_train_from_code_during_a_button_run_is_refused_and_the_first_run_finishes(small: tuple, hold: Hold) -> None:
    panel = panel_on(small, epochs=1)
    panel.background = True
    try:
        panel.train_button.click()  # the run the student started
        assert hold.started.wait(120)
        with pytest.raises(playground_session.PlaygroundBusyError, match=r"already training run 1.*panel\.wait\(\)"):
            panel.train()  # a cell asks for a second run meanwhile
        assert panel.status.value == "Training run 1..."  # the running run keeps its status line
        panel.train_button.click()  # a second press says so in the status line
        assert "still going (run 1)" in panel.status.value and "<b>Stop</b>" in panel.status.value
        assert panel.training and panel.train_button.disabled and not panel.stop_button.disabled
    finally:
        hold.release.set()
        panel.wait(timeout=120)
    assert hold.entries == 1  # the second request never trained
    assert not panel.training
    assert [row["result"] for row in panel.runs] == ["done"]
    assert panel.status.value.startswith("Run 1 finished")  # the first run's message is not overwritten
    assert not panel.train_button.disabled and panel.stop_button.disabled
    panel.background = False
    assert panel.train()["run"] == 2  # once the first run is over, the next one goes


def test_two_train_presses_from_two_threads_start_one_run(small: tuple, hold: Hold) -> None:
    panel = panel_on(small, epochs=1)  # background=False: each press trains in the thread that pressed
    first = threading.Thread(target=panel.train_button.click)
    second = threading.Thread(target=panel.train_button.click)
    try:
        first.start()
        assert hold.started.wait(120)  # the first press is training (held)
        second.start()
        second.join(120)
        assert not second.is_alive(), "the second press is training too"
        assert hold.entries == 1
        assert "still going" in panel.status.value
    finally:
        hold.release.set()
        first.join(120)
        second.join(120)
    assert [row["run"] for row in panel.runs] == [1]
    assert panel.status.value.startswith("Run 1 finished")


def test_wait_also_waits_for_a_run_started_from_code_in_another_thread(small: tuple, hold: Hold) -> None:
    panel = panel_on(small, epochs=1)
    worker = threading.Thread(target=panel.train)
    worker.start()
    try:
        assert hold.started.wait(120)
        assert panel.training
    finally:
        hold.release.set()
    panel.wait(timeout=120)
    assert not panel.training and len(panel.runs) == 1
    worker.join(120)


# ---------------------------------------------------------------- the kernel's random state


def student_draws() -> list[list[float]]:
    """What a student's cell gets from every global random stream a notebook can use."""
    return [
        np.random.random(3).tolist(),  # noqa: NPY002 - the legacy global stream is the one to protect
        [random.random() for _ in range(3)],
        tf.random.uniform([3]).numpy().tolist(),
        keras.ops.convert_to_numpy(keras.random.uniform((3,))).tolist(),
    ]


def test_a_run_leaves_the_students_random_streams_alone(small: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    building, drawn = threading.Event(), threading.Event()
    build = playground_session.build_model

    def build_while_a_cell_draws(settings: playground_session.RunSettings) -> keras.Model:
        building.set()  # the panel is seeding its layers now
        assert drawn.wait(120), "the test never drew"
        return build(settings)

    monkeypatch.setattr(playground_session, "build_model", build_while_a_cell_draws)
    panel = panel_on(small, epochs=1, dropout=0.2, augment=True)  # every random layer the panel builds
    keras.utils.set_random_seed(7)  # the student's own seed, not the panel's
    np.random.random(2), random.random()  # noqa: NPY002 - the student has drawn a little already
    expected = student_draws() + student_draws()

    keras.utils.set_random_seed(7)
    np.random.random(2), random.random()  # noqa: NPY002
    panel.background = True
    panel.train_button.click()
    try:
        assert building.wait(120)
        during = student_draws()  # a cell runs while the panel builds its model in the background
    finally:
        drawn.set()
        panel.wait(120)
    assert panel.runs[0]["result"] == "done"
    assert during + student_draws() == expected  # the streams go on as if the run had not happened


def test_runs_with_the_same_settings_are_identical_whatever_the_kernel_did_between(small: tuple) -> None:
    panel = panel_on(small, epochs=1, dropout=0.2, augment=True)
    panel.train()
    keras.utils.set_random_seed(1)  # the student's cells between two runs
    student_draws()
    panel.train()
    first, second = panel.histories
    assert first == second
    other = widgets.Playground(*small, settings=panel.settings(), background=False, seed=panel.seed + 1)
    other.train()
    assert other.histories[0] != first  # the panel's seed is what decides the run


# ---------------------------------------------------------------- the session, without widgets


@dataclass
class Recorder(playground_session.SessionListener):
    """A view that keeps what a session tells it, in order; ``stop_at`` stops the run at that batch."""

    session: playground_session.PlaygroundSession | None = None
    stop_at: int | None = None
    events: list[tuple] = field(default_factory=list)

    def show_status(self, text: str) -> None:
        self.events.append(("status", text))

    def show_running(self, running: bool) -> None:
        self.events.append(("running", running))

    def show_progress(self, done: int, total: int) -> None:
        self.events.append(("progress", done, total))
        if done == self.stop_at:
            self.session.stop()  # as the Stop button does, from inside the run: no thread needed

    def show_curves(self, history: object, title: str | None = None) -> None:
        self.events.append(("curves", title))

    def show_table(self, table: object = None) -> None:
        self.events.append(("table", str(table)))


def session_on(data: tuple, **listener: object) -> tuple[playground_session.PlaygroundSession, Recorder]:
    recorder = Recorder(**listener)
    session = playground_session.PlaygroundSession(*data, listener=recorder)
    recorder.session = session
    return session, recorder


SMALL_RUN = playground_session.RunSettings(epochs=2, filters=8, batch_size=64)


def test_the_session_imports_and_trains_where_ipywidgets_cannot_be_imported() -> None:
    script = """
import sys
sys.modules["ipywidgets"] = None  # any import of it raises ImportError
from course_utils import playground_session
(x, y), (x_val, y_val) = playground_session.default_data(fast=True)
session = playground_session.PlaygroundSession((x[:64], y[:64]), (x_val[:64], y_val[:64]))
row = session.train(playground_session.RunSettings(epochs=1, filters=8, batch_size=64))
print(row["result"], session.status.split(" in ")[0])
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines()[-1] == "done Run 1 finished"


def test_a_session_tells_its_listener_every_step_of_a_run(small: tuple) -> None:
    session, recorder = session_on(small)
    row = session.train(SMALL_RUN)  # 128 digits in batches of 64: 2 batches an epoch, 4 in all

    kinds = [event[0] for event in recorder.events]
    assert kinds == ["progress", "running", "status", "progress", "progress", "curves", "progress", "progress",
                     "curves", "table", "status", "running"]
    assert [event[1:] for event in recorder.events if event[0] == "progress"] == [(0, 4), (1, 4), (2, 4), (3, 4),
                                                                                  (4, 4)]
    assert [event[1] for event in recorder.events if event[0] == "running"] == [True, False]
    assert [event[1] for event in recorder.events if event[0] == "curves"] == ["run 1, after epoch 1",
                                                                               "run 1, after epoch 2"]
    assert recorder.events[2] == ("status", "Training run 1...")
    assert recorder.events[9] == ("table", str(session.results()))
    assert recorder.events[10] == ("status", session.status)
    assert re.fullmatch(r"Run 1 finished in \d+\.\d s: best validation accuracy 0\.\d{4}\. Best so far: run 1 "
                        r"\(0\.\d{4}\)\.", session.status)
    assert session.runs == [row] and row["result"] == "done" and row["epochs"] == "2/2"
    assert session.progress == (4, 4) and not session.training


def test_a_session_stopped_during_a_run_ends_it_after_that_batch(small: tuple) -> None:
    session, recorder = session_on(small, stop_at=1)
    row = session.train(playground_session.RunSettings(epochs=3, filters=8, batch_size=64))
    assert ("status", "Stopping after the current batch...") in recorder.events
    assert row["result"] == "stopped" and row["epochs"] == "1/3"  # Keras still ends (and validates) epoch 1
    assert session.progress == (1, 6)  # not a batch more
    assert session.status.startswith("Run 1 stopped early in ")
    assert session.stop_requested  # the flag stays up until the next run clears it
    recorder.stop_at = None
    session.train(SMALL_RUN)
    assert not session.stop_requested and session.runs[1]["result"] == "done"


def test_best_run_is_the_row_of_highest_best_validation_accuracy() -> None:
    blank = (np.zeros((4, 28, 28, 1)), np.zeros(4))  # nothing trains here: rows are recorded by hand
    session = playground_session.PlaygroundSession(blank, blank)
    assert session.best_run() is None  # no run yet

    def record(val_accuracy: list[float]) -> dict:
        callback = playground_session.RunCallback(session, steps_per_epoch=1, epochs=3)
        callback.history = {"loss": [1.0] * len(val_accuracy), "val_accuracy": val_accuracy}
        return session._record(SMALL_RUN, callback, seconds=1.0)

    unscored = record([])  # stopped before its first epoch ended
    assert unscored["best val accuracy"] is None and session.best_run() is None
    record([0.3, 0.5])
    best = record([0.6, float("nan"), 0.7])  # a NaN accuracy is not a best
    record([0.65])
    assert best["best val accuracy"] == 0.7
    assert session.best_run() is best
    assert session.results().column("") == ["", "", "★ best", ""]


def test_a_session_refuses_a_second_run_while_one_is_going(small: tuple, hold: Hold) -> None:
    session, recorder = session_on(small)
    try:
        assert session.start(SMALL_RUN, background=True)
        assert hold.started.wait(120)
        assert session.training and session.run_number == 1
        events = len(recorder.events)
        assert session.start(SMALL_RUN, background=False) is False  # the Train button's way: a False
        with pytest.raises(playground_session.PlaygroundBusyError, match="already training run 1"):
            session.train(SMALL_RUN)  # code's way: an error at once
        assert len(recorder.events) == events and session.status == "Training run 1..."  # nothing changed
    finally:
        hold.release.set()
        assert session.wait(timeout=120)
    assert hold.entries == 1 and [row["run"] for row in session.runs] == [1]
    assert session.status.startswith("Run 1 finished")


def test_a_run_that_fails_at_a_button_press_is_told_in_the_status_line(small: tuple) -> None:
    session, recorder = session_on(small)

    def broken_settings() -> playground_session.RunSettings:
        return playground_session.RunSettings(epochs=0)

    assert session.start(broken_settings, background=False)  # no exception reaches the student
    assert session.status == "The run failed: ValueError: epochs must be between 1 and 30"
    assert recorder.events[-1] == ("running", False) and not session.training and session.runs == []
    with pytest.raises(ValueError, match="epochs must be between"):
        session.train(broken_settings)  # from code, the error is raised
    assert not session.training


def test_a_session_run_leaves_the_students_random_streams_alone(small: tuple) -> None:
    session, _ = session_on(small)
    keras.utils.set_random_seed(7)  # the student's own seed, not the session's
    expected = student_draws()
    keras.utils.set_random_seed(7)
    session.train(playground_session.RunSettings(epochs=1, filters=8, dropout=0.2, augment=True))
    assert student_draws() == expected
