"""Every plot draws what it says, and the live plot records history outside a notebook."""

from __future__ import annotations

import re
from collections.abc import Iterator

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.axes
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import models, plots

HISTORY = {"accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.6, 0.7, 0.85], "loss": [1.0, 0.5, 0.3],
           "val_loss": [0.9, 0.8, 0.5]}


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    """Close each test's figures after it: pyplot keeps every figure open (and warns past 20) until closed."""
    yield
    plt.close("all")


def test_history_curves_have_train_and_validation_lines() -> None:
    figure = plots.plot_history(HISTORY, mark_epoch=3)
    accuracy_axes, loss_axes = figure.axes
    assert [line.get_label() for line in accuracy_axes.lines] == [
        "train accuracy", "validation accuracy", "best (epoch 3)"]
    assert list(accuracy_axes.lines[1].get_ydata()) == HISTORY["val_accuracy"]
    assert loss_axes.get_ylabel() == "loss"


def visible_x_tick_labels(ax: matplotlib.axes.Axes) -> list[str]:
    """The x tick labels as drawn, inside the axis' view."""
    ax.figure.canvas.draw()
    low, high = ax.get_xlim()
    return [label.get_text() for position, label in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True)
            if low <= position <= high]


@pytest.mark.parametrize("epochs", [1, 2, 3, 8, 12, 30, 100])
def test_history_curves_show_whole_epochs_only(epochs: int) -> None:
    history = {key: list(np.linspace(0.1, 0.9, epochs)) for key in HISTORY}
    for figure in (plots.plot_history(history), plots.plot_history(history, mark_epoch=epochs)):
        for ax in figure.axes:
            labels = visible_x_tick_labels(ax)
            assert labels and all(re.fullmatch(r"\d+", label) for label in labels), labels
            assert 1 <= int(labels[0]) and int(labels[-1]) <= epochs
            if epochs <= 8:
                assert labels == [str(epoch) for epoch in range(1, epochs + 1)]
        plt.close(figure)


def test_epoch_axis_after_one_epoch_is_not_0_96_to_1_04() -> None:
    figure, ax = plt.subplots()
    ax.plot([1], [0.9], "o")
    assert visible_x_tick_labels(ax) != ["1"]  # what matplotlib does alone: 0.96, 0.98, ...
    assert plots.epoch_axis(ax) is ax
    assert visible_x_tick_labels(ax) == ["1"]
    assert ax.get_xlim() == (0.5, 1.5)
    # Fractional positions (a schedule drawn per step) still get whole-epoch ticks.
    figure, ax = plt.subplots()
    ax.plot(np.arange(20) / 20, np.arange(20))
    plots.epoch_axis(ax).set_xlim(0, 1)
    assert visible_x_tick_labels(ax) == ["0", "1"]


def test_digit_grid_marks_wrong_predictions_red() -> None:
    images = np.zeros((3, 28, 28), np.uint8)
    figure = plots.show_digits(images, labels=[1, 2, 3], predictions=[1, 5, 3], columns=3)
    titles = [ax.get_title() for ax in figure.axes]
    colours = [ax.title.get_color() for ax in figure.axes]
    assert titles == ["1→1", "2→5", "3→3"]
    assert colours[1] == "red" and colours[0] == "black"


def test_class_balance_counts() -> None:
    labels = np.array([0, 0, 1, 9])
    figure = plots.plot_class_balance(labels)
    heights = [patch.get_height() for patch in figure.axes[0].patches]
    assert heights == [2, 1, 0, 0, 0, 0, 0, 0, 0, 1]


def test_live_plot_records_the_same_history_as_fit() -> None:
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    live = plots.LiveHistoryPlot()
    x = np.random.default_rng(0).random((32, 4), dtype=np.float32)
    y = np.arange(32) % 2
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[live])
    assert live.history.keys() == history.history.keys()
    np.testing.assert_allclose(live.history["loss"], history.history["loss"], rtol=1e-6)


def test_filters_and_feature_maps() -> None:
    model = models.build_cnn_3x3()
    figure = plots.show_filters(model.get_layer("conv1"))
    assert sum(1 for ax in figure.axes if ax.images) == 32
    maps = np.random.default_rng(0).random((1, 26, 26, 40))
    figure = plots.show_feature_maps(maps, limit=16)
    assert sum(1 for ax in figure.axes if ax.images) == 16


def frontier_data() -> dict:
    def runs(seconds: list[float], accuracies: list[float]) -> list[dict]:
        return [{"train_seconds": s, "test_accuracy": a} for s, a in zip(seconds, accuracies, strict=True)]

    return {
        "goals": {"20": 0.990, "60": 0.994},
        "recipes": [
            {"budget": 60, "median_seconds": 55.0, "median_accuracy": 0.9941,
             "runs": runs([54, 55, 57], [0.994, 0.9941, 0.9945])},
            {"budget": 20, "median_seconds": 18.0, "median_accuracy": 0.9905,
             "runs": runs([17, 18, 19], [0.990, 0.9905, 0.991])},
        ],
        "references": [
            {"name": "seed CNN, plain fit", "epochs": 3, "median_seconds": 12.0, "median_accuracy": 0.981, "runs": []},
            {"name": "seed CNN, plain fit", "epochs": 12, "median_seconds": 40.0, "median_accuracy": 0.986, "runs": []},
            {"name": "seed CNN, course default", "epochs": 3, "median_seconds": 9.0, "median_accuracy": 0.982,
             "runs": []},
        ],
    }


def test_frontier_joins_the_recipes_medians_in_budget_order_and_marks_each_goal() -> None:
    figure = plots.plot_frontier(frontier_data())
    ax = figure.axes[0]
    frontier_line = ax.lines[0]
    assert list(frontier_line.get_xdata()) == [18.0, 55.0]
    np.testing.assert_allclose(frontier_line.get_ydata(), [99.05, 99.41])
    # Every seed is a dot: two recipes with three seeds each.
    assert sum(len(collection.get_offsets()) for collection in ax.collections) == 6
    labels = [text.get_text() for text in ax.texts]
    assert "goal: 99.0% in 20 s" in labels and "goal: 99.4% in 60 s" in labels
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any("plain fit: 3, 12 epochs" in entry for entry in legend)
    assert any("course default: 3 epochs" in entry for entry in legend)
    # A goal is a dashed budget and a dotted accuracy, both in red.
    assert {line.get_linestyle() for line in ax.lines if line.get_color() == "tab:red"} == {"--", ":"}
    plt.close(figure)


CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def test_a_chinese_figure_draws_every_chinese_character_with_the_cjk_font(tmp_path, monkeypatch) -> None:
    """Under the Chinese edition the labels are Chinese, no glyph is missing, and the CJK font draws them."""
    import warnings

    from matplotlib import font_manager
    from matplotlib.ft2font import LoadFlags

    from course_utils import language

    monkeypatch.setattr(language, "_chosen", "zh")
    with matplotlib.rc_context():
        plots.set_style()
        cjk = plots.cjk_font()
        assert cjk is not None, "no CJK font: is mplfonts (requirements.txt) installed?"
        cjk_file = font_manager.findfont(font_manager.FontProperties(family=cjk), fallback_to_default=False)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph 35757 (\N{CJK UNIFIED IDEOGRAPH-8BAD}) missing from font(s)"
            figure = plots.plot_history(HISTORY, mark_epoch=2, title="训练曲线：准确率与损失")
            figure.savefig(tmp_path / "zh.png")
            figure.savefig(tmp_path / "zh.pdf")
        chinese = [text for text in figure.findobj(matplotlib.text.Text) if CHINESE.search(text.get_text())]
        assert {"训练集 accuracy", "验证集 accuracy", "最佳（第 2 轮）", "轮"} <= {t.get_text() for t in chinese}
        for text in chinese:
            fonts = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())
            drawn = font_manager.get_font(fonts)._layout(text.get_text(), LoadFlags.NO_HINTING)
            for item in drawn:
                if CHINESE.match(item.char):
                    assert item.ft_object.fname == cjk_file, (text.get_text(), item.char, item.ft_object.fname)
                    assert item.glyph_index != 0, (text.get_text(), item.char)  # 0: the font's empty box
        latin = next(item for item in font_manager.get_font(fonts)._layout("epoch", LoadFlags.NO_HINTING))
        assert "DejaVu" in latin.ft_object.fname  # English text keeps the course's usual font


def test_english_figures_keep_their_labels_and_font() -> None:
    with matplotlib.rc_context():
        plots.set_style()
        assert plt.rcParams["font.family"][0] == "sans-serif"
        figure = plots.plot_class_balance(np.arange(10), other=np.arange(10))
        ax = figure.axes[0]
        assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Digits per class", "digit", "share")
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "test"]
