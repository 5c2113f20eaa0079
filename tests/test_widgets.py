"""The playground trains for real when Train is pressed, refuses nonsense, and explains diverging runs."""

from __future__ import annotations

import time

import numpy as np
import pytest
import traitlets

from course_utils import widgets


@pytest.fixture(scope="module")
def tiny() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    (x_train, y_train), (x_val, y_val) = widgets.default_data(fast=True)
    return (x_train[:512], y_train[:512]), (x_val[:128], y_val[:128])


def panel_on(tiny: tuple, **settings: object) -> widgets.Playground:
    start = {"epochs": 2, "filters": 8, "batch_size": 64, **settings}
    return widgets.Playground(*tiny, settings=widgets.RunSettings(**start), background=False)


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
    assert "★ best" in panel.table.value and "Run 1 finished" in panel.status.value
    assert not panel.train_button.disabled and panel.stop_button.disabled


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
    assert panel.epochs.value == widgets.MAX_EPOCHS
    panel.epochs.value = 0
    assert panel.epochs.value == 1
    panel.dropout.value = 1.5
    assert panel.dropout.value == widgets.MAX_DROPOUT
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
        widgets.RunSettings(**bad)


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
                               settings=widgets.RunSettings(epochs=3, filters=8))
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
    assert panel.best_run() is None or panel.best_run()["best val accuracy"] < 0.5


def test_stop_button_ends_a_background_run_after_the_current_batch(tiny: tuple) -> None:
    panel = panel_on(tiny, epochs=widgets.MAX_EPOCHS)
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
    assert done < widgets.MAX_EPOCHS
    assert panel.progress.value < panel.progress.max
    assert "stopped early" in panel.status.value


def test_augmentation_checkbox_puts_the_layers_in_front() -> None:
    plain = widgets.build_model(widgets.RunSettings(model="cnn_3x3", filters=8))
    augmented = widgets.build_model(widgets.RunSettings(model="cnn_3x3", filters=8, augment=True))
    assert "augmentation" not in [layer.name for layer in plain.layers]
    assert augmented.layers[1].name == "augmentation"
    assert augmented.count_params() == plain.count_params()  # augmentation has no weights
    dense = widgets.build_model(widgets.RunSettings(model="dnn", dropout=0.3))
    assert dense.get_layer("dropout").rate == pytest.approx(0.3)
