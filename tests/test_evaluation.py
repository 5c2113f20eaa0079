"""The metrics match values worked out by hand (and Keras' own), the plots draw them, tables render."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import evaluation, measuring
from course_utils.tables import Table

# A small confusion matrix (rows = true class, columns = predicted) and its labels.
#            predicted 0  1  2
KNOWN = np.array([[5, 1, 0],   # true 0: 6 digits
                  [2, 3, 1],   # true 1: 6 digits
                  [0, 0, 4]])  # true 2: 4 digits


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    """Close each test's figures after it: pyplot keeps every figure open (and warns past 20) until closed."""
    yield
    plt.close("all")


def labels_for(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(t, p) for t, p in product(range(len(matrix)), repeat=2) for _ in range(matrix[t, p])]
    true, predicted = zip(*pairs, strict=True)
    return np.array(true), np.array(predicted)


def test_confusion_matrix_counts_true_rows_and_predicted_columns() -> None:
    y_true, y_pred = labels_for(KNOWN)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y_true))
    assert evaluation.confusion_matrix(y_true[order], y_pred[order]).tolist() == KNOWN.tolist()
    assert evaluation.confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)
    assert evaluation.accuracy_from_matrix(KNOWN) == 12 / 16
    assert measuring.accuracy(y_true, y_pred) == evaluation.accuracy_from_matrix(KNOWN)  # the same share, two ways
    with pytest.raises(ValueError, match="3 labels but y_pred has 2"):
        evaluation.confusion_matrix([0, 1, 2], [0, 1])


def test_precision_recall_f1_by_hand() -> None:
    metrics = evaluation.per_class_metrics(KNOWN)
    # precision: diagonal over column sums 7, 4, 5; recall: over row sums 6, 6, 4
    np.testing.assert_allclose(metrics["precision"], [5 / 7, 3 / 4, 4 / 5])
    np.testing.assert_allclose(metrics["recall"], [5 / 6, 3 / 6, 4 / 4])
    # F1 = 2TP / (2TP + FP + FN)
    np.testing.assert_allclose(metrics["f1"], [10 / 13, 6 / 10, 8 / 9])
    assert metrics["support"].tolist() == [6, 6, 4]
    macro = evaluation.macro_averages(metrics)
    assert macro["precision"] == pytest.approx((5 / 7 + 3 / 4 + 4 / 5) / 3)
    assert macro["recall"] == pytest.approx((5 / 6 + 1 / 2 + 1) / 3)
    assert macro["f1"] == pytest.approx((10 / 13 + 6 / 10 + 8 / 9) / 3)
    weighted = evaluation.weighted_averages(metrics)
    assert weighted["recall"] == pytest.approx(12 / 16)  # weighted recall is accuracy


def test_a_class_never_predicted_scores_zero_not_nan() -> None:
    metrics = evaluation.per_class_metrics(np.array([[2, 0], [1, 0]]))
    assert metrics["precision"].tolist() == [2 / 3, 0.0]
    assert metrics["f1"][1] == 0.0 and not np.isnan(metrics["f1"]).any()


def test_f1_agrees_with_keras() -> None:
    rng = np.random.default_rng(1)
    probabilities = rng.dirichlet(np.ones(5), size=300).astype("float32")
    y_true = rng.integers(0, 5, 300)
    keras_f1 = keras.metrics.F1Score(average=None, threshold=None)  # threshold None: argmax
    keras_f1.update_state(np.eye(5, dtype="float32")[y_true], probabilities)
    matrix = evaluation.confusion_matrix(y_true, probabilities.argmax(axis=1), 5)
    np.testing.assert_allclose(evaluation.per_class_metrics(matrix)["f1"], np.asarray(keras_f1.result()), atol=1e-6)


def test_classification_report_rows() -> None:
    y_true, y_pred = labels_for(KNOWN)
    report = evaluation.classification_report(y_true, y_pred, class_names=["zero", "one", "two"])
    assert report.column("class") == ["zero", "one", "two", "macro average", "weighted average"]
    assert report.find("class", "macro average")["F1"] == pytest.approx((10 / 13 + 6 / 10 + 8 / 9) / 3)
    assert report.title == "accuracy 0.7500 on 16 digits"
    assert "0.769" in str(report)  # 10/13 printed with 3 decimals


def test_roc_curve_by_hand() -> None:
    # scores sorted: 0.9 (pos), 0.8 (neg), 0.4 (pos), 0.1 (neg)
    fpr, tpr, thresholds = evaluation.roc_curve([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])
    assert fpr.tolist() == [0, 0, 0.5, 0.5, 1]
    assert tpr.tolist() == [0, 0.5, 0.5, 1, 1]
    assert thresholds.tolist() == [np.inf, 0.9, 0.8, 0.4, 0.1]
    # 3 of the 4 (positive, negative) pairs are ordered correctly
    assert evaluation.auc(fpr, tpr) == 0.75
    assert evaluation.auc(*evaluation.roc_curve([1, 1, 0], [0.9, 0.8, 0.1])[:2]) == 1.0
    assert evaluation.auc(*evaluation.roc_curve([0, 0, 1], [0.9, 0.8, 0.1])[:2]) == 0.0
    with pytest.raises(ValueError, match="needs both classes"):
        evaluation.roc_curve([1, 1], [0.2, 0.3])


def test_auc_is_the_share_of_correctly_ordered_pairs_even_with_ties() -> None:
    rng = np.random.default_rng(2)
    positive = rng.random(60) < 0.4
    scores = rng.integers(0, 6, 60) / 5 + 0.3 * positive  # many tied scores
    fpr, tpr, _ = evaluation.roc_curve(positive, scores)
    pos, neg = scores[positive], scores[~positive]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert evaluation.auc(fpr, tpr) == pytest.approx(pairs)


def test_one_vs_rest_roc_agrees_with_keras_auc() -> None:
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 4, 400)
    probabilities = rng.dirichlet(np.ones(4), size=400)
    probabilities[np.arange(400), y_true] += 0.3
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    curves = evaluation.one_vs_rest_roc(y_true, probabilities)
    keras_auc = keras.metrics.AUC(num_thresholds=5000, multi_label=True, num_labels=4)
    keras_auc.update_state(np.eye(4)[y_true], probabilities.astype("float32"))
    mean_auc = np.mean([curve.auc for curve in curves.values()])
    assert mean_auc == pytest.approx(float(keras_auc.result()), abs=2e-3)  # Keras bins thresholds
    assert all(curve.fpr[0] == 0 and curve.tpr[-1] == 1 for curve in curves.values())


def test_most_confused_pairs_and_mistakes() -> None:
    pairs = evaluation.most_confused_pairs(KNOWN, top=5)
    assert [(row["true"], row["predicted as"], row["count"]) for row in pairs] == [
        ("1", "0", 2), ("0", "1", 1), ("1", "2", 1)]  # zero counts are left out
    assert pairs[0]["share of true class"] == pytest.approx(2 / 6)
    probabilities = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.95, 0.05]])
    y_true = np.array([0, 0, 1, 1])
    assert evaluation.misclassified_indices(y_true, probabilities).tolist() == [3, 1, 2]


def test_prediction_table() -> None:
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    table = evaluation.prediction_table(probabilities, np.array([0, 1]))
    assert table[1] == {"#": 1, "true": 1, "predicted": 2, "confidence": 0.6, "runner-up": 1,
                        "its probability": 0.3, "correct": False}
    assert "70.0%" in str(table) and "no" in str(table)
    assert "true" not in evaluation.prediction_table(probabilities).columns


def test_plots_draw_what_the_numbers_say() -> None:
    figure = evaluation.plot_confusion_matrix(KNOWN, class_names=["a", "b", "c"])
    heatmap = figure.axes[0]
    assert sorted(int(text.get_text()) for text in heatmap.texts) == sorted(KNOWN.ravel().tolist())
    assert [label.get_text() for label in heatmap.get_xticklabels()] == ["a", "b", "c"]
    assert "75.00%" in heatmap.get_title()
    normalized = evaluation.plot_confusion_matrix(KNOWN, normalize=True).axes[0]
    assert "0.83" in [text.get_text() for text in normalized.texts]  # 5 of 6

    rng = np.random.default_rng(4)
    y_true = np.arange(40) % 4
    probabilities = rng.dirichlet(np.ones(4), size=40)
    curves = evaluation.one_vs_rest_roc(y_true, probabilities)
    full, zoom = evaluation.plot_roc_curves(curves).axes
    assert len(full.lines) == 5  # four classes and the diagonal
    assert full.lines[0].get_label() == f"0 (AUC {curves[0].auc:.4f})"

    images = rng.integers(0, 255, (40, 28, 28)).astype(np.uint8)
    gallery = evaluation.show_misclassified(images, y_true, probabilities, count=6, columns=3)
    worst = evaluation.misclassified_indices(y_true, probabilities)[0]
    first = gallery.axes[0].get_title()
    assert first.startswith(f"{y_true[worst]}→{probabilities[worst].argmax()}")
    assert first.endswith(f"{probabilities[worst].max():.1%}")


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def test_table_text_html_and_markdown() -> None:
    table = Table(
        [{"format": ".keras", "size (kB)": 1234.56, "ok": True}, {"format": "<h5>", "size (kB)": 7.0, "ok": None}],
        formats={"size (kB)": ",.1f"},
        title="sizes",
    )
    lines = str(table).splitlines()
    assert lines[0] == "sizes"
    assert lines[1].split() == ["format", "size", "(kB)", "ok"]
    assert lines[3] == ".keras    1,234.6  yes"  # numbers right-aligned under their header
    assert lines[4] == "<h5>          7.0  -"
    html = table._repr_html_()
    assert "&lt;h5&gt;" in html and "<caption>sizes</caption>" in html
    assert 'style="text-align:right">1,234.6<' in html
    assert table.to_markdown().splitlines()[1] == "|---|---:|---|"
    assert table.column("ok") == [True, None]
    assert table.find("format", "<h5>")["size (kB)"] == 7.0
    with pytest.raises(KeyError, match="no column 'speed'"):
        table.column("speed")


def test_table_default_formats_and_callables() -> None:
    table = Table([{"n": 12345, "x": 0.123456, "name": "a"}], formats={"name": str.upper})
    assert str(table).splitlines()[-1].split() == ["12,345", "0.1235", "A"]
    assert Table([{"x": "n/a"}], formats={"x": ".2f"}).cell({"x": "n/a"}, "x") == "n/a"
    assert len(table) == 1 and list(table)[0]["n"] == 12345


def test_table_align_overrides_the_number_rule() -> None:
    rows = [{"batch": 64, "epochs": "3/30"}, {"batch": 512, "epochs": "1/3"}]
    assert str(Table(rows)).splitlines()[-1] == "  512  1/3"  # text: left-aligned
    table = Table(rows, align={"epochs": "right", "batch": "left"})
    assert str(table).splitlines() == ["batch  epochs", "-----  ------", "64       3/30", "512       1/3"]
    assert '<th style="text-align:right">epochs</th>' in table._repr_html_()
    assert table.to_markdown().splitlines()[1] == "|---|---:|"
    with pytest.raises(ValueError, match="'left' or 'right'"):
        Table(rows, align={"epochs": "centre"})
