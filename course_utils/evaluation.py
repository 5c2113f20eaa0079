"""Evaluation beyond accuracy: confusion matrix, per-class precision/recall/F1, ROC curves, mistakes.

Everything is computed in NumPy from labels and predicted probabilities, in a few readable
lines per function, and checked in ``tests/test_evaluation.py`` against values worked out by
hand (and against ``keras.metrics.F1Score``). The plots draw what the numbers say:

* :func:`plot_confusion_matrix` - a seaborn heatmap, rows = true digit, columns = predicted;
* :func:`plot_roc_curves` - one-vs-rest ROC curves with their AUC;
* :func:`show_misclassified` - the wrong digits, most confident mistakes first.

Conventions: ``y_true`` holds integer labels ``0..C-1``; ``probabilities`` has shape (N, C)
(the softmax output of ``model.predict``); ``y_pred = probabilities.argmax(axis=1)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from course_utils import plots
from course_utils.language import tr
from course_utils.tables import Table

__all__ = [
    "RocCurve",
    "Table",
    "accuracy_from_matrix",
    "auc",
    "classification_report",
    "confusion_matrix",
    "macro_averages",
    "misclassified_indices",
    "most_confused_pairs",
    "one_vs_rest_roc",
    "per_class_metrics",
    "plot_confusion_matrix",
    "plot_roc_curves",
    "prediction_table",
    "roc_curve",
    "show_misclassified",
]


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """Counts ``matrix[true, predicted]``: row ``i`` is how the digits labelled ``i`` were predicted."""
    y_true = np.asarray(y_true, dtype=int).ravel()
    y_pred = np.asarray(y_pred, dtype=int).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(tr(f"y_true has {y_true.size} labels but y_pred has {y_pred.size}",
                            f"y_true 有 {y_true.size} 个标签，而 y_pred 有 {y_pred.size} 个"))
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def accuracy_from_matrix(matrix: np.ndarray) -> float:
    """Share of correct predictions in a confusion matrix: the diagonal over the total.

    From labels and predictions directly, without a matrix: ``measuring.accuracy``.
    """
    total = matrix.sum()
    return float(np.trace(matrix) / total) if total else 0.0


def _safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # 0/0 is reported as 0 (a class never predicted has precision 0), as scikit-learn's zero_division=0.
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


def per_class_metrics(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support of every class, from a confusion matrix.

    * precision = TP / (TP + FP): of the digits *predicted* as ``k``, the share that are ``k``
      (the column of ``k``);
    * recall = TP / (TP + FN): of the digits that *are* ``k``, the share found (the row of ``k``);
    * F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of the two;
    * support = how many digits of class ``k`` there are.
    """
    matrix = np.asarray(matrix)
    true_positives = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    return {
        "precision": _safe_divide(true_positives, predicted),
        "recall": _safe_divide(true_positives, actual),
        "f1": _safe_divide(2 * true_positives, predicted + actual),
        "support": actual.astype(int),
    }


def macro_averages(metrics: dict[str, np.ndarray]) -> dict[str, float]:
    """Unweighted means over classes (each digit counts the same, however frequent)."""
    return {name: float(np.mean(metrics[name])) for name in ("precision", "recall", "f1")}


def weighted_averages(metrics: dict[str, np.ndarray]) -> dict[str, float]:
    """Means over classes weighted by support (frequent digits count more)."""
    weights = metrics["support"] / max(1, metrics["support"].sum())
    return {name: float(np.sum(metrics[name] * weights)) for name in ("precision", "recall", "f1")}


def classification_report(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str] | None = None, num_classes: int | None = None
) -> Table:
    """Per-class precision, recall, F1 and support, then macro and weighted averages, as a :class:`Table`."""
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    metrics = per_class_metrics(matrix)
    names = list(class_names) if class_names is not None else [str(k) for k in range(len(matrix))]
    rows: list[dict[str, object]] = [
        {
            "class": names[k],
            "precision": metrics["precision"][k],
            "recall": metrics["recall"][k],
            "F1": metrics["f1"][k],
            "support": int(metrics["support"][k]),
        }
        for k in range(len(matrix))
    ]
    total = int(metrics["support"].sum())
    for label, values in (("macro average", macro_averages(metrics)), ("weighted average", weighted_averages(metrics))):
        rows.append({"class": label, "precision": values["precision"], "recall": values["recall"],
                     "F1": values["f1"], "support": total})
    return Table(
        rows,
        formats={"precision": ".3f", "recall": ".3f", "F1": ".3f"},
        title=tr(f"accuracy {accuracy_from_matrix(matrix):.4f} on {total:,} digits",
                 f"在 {total:,} 个数字上的准确率 {accuracy_from_matrix(matrix):.4f}"),
    )


def most_confused_pairs(matrix: np.ndarray, top: int = 5, class_names: Sequence[str] | None = None) -> Table:
    """The ``top`` largest off-diagonal counts: which true digit is most often taken for which."""
    matrix = np.asarray(matrix)
    names = list(class_names) if class_names is not None else [str(k) for k in range(len(matrix))]
    off_diagonal = matrix * (1 - np.eye(len(matrix), dtype=matrix.dtype))
    # Stable sort on the negated counts: ties keep reading order (row, then column).
    order = np.argsort(-off_diagonal.ravel(), kind="stable")[:top]
    rows = []
    for flat in order:
        true, predicted = divmod(int(flat), len(matrix))
        count = int(off_diagonal[true, predicted])
        if count == 0:
            break
        rows.append({"true": names[true], "predicted as": names[predicted], "count": count,
                     "share of true class": count / max(1, matrix[true].sum())})
    return Table(rows, formats={"share of true class": ".1%"}, columns=["true", "predicted as", "count",
                                                                          "share of true class"])


# --------------------------------------------------------------------------------------------
# ROC curves
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RocCurve:
    """Points of a ROC curve (false and true positive rates per threshold) and the area under it."""

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float


def roc_curve(is_positive: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False positive rates, true positive rates and thresholds, highest threshold first.

    Each distinct score is a threshold "predict positive when score >= threshold"; the curve
    starts at (0, 0) (threshold +inf) and ends at (1, 1). Tied scores move both rates at once.
    """
    is_positive = np.asarray(is_positive, dtype=bool).ravel()
    scores = np.asarray(scores, dtype=float).ravel()
    positives, negatives = int(is_positive.sum()), int((~is_positive).sum())
    if positives == 0 or negatives == 0:
        raise ValueError(tr(
            f"a ROC curve needs both classes; got {positives} positives and {negatives} negatives",
            f"ROC 曲线需要正负两类样本；得到的是 {positives} 个正样本和 {negatives} 个负样本",
        ))
    order = np.argsort(-scores, kind="stable")
    scores, is_positive = scores[order], is_positive[order]
    # The last index of every run of equal scores: where a threshold takes effect.
    ends = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
    true_positives = np.cumsum(is_positive)[ends]
    false_positives = ends + 1 - true_positives
    fpr = np.r_[0.0, false_positives / negatives]
    tpr = np.r_[0.0, true_positives / positives]
    thresholds = np.r_[np.inf, scores[ends]]
    return fpr, tpr, thresholds


def auc(fpr: np.ndarray, tpr: np.ndarray) -> float:
    """Area under a curve by the trapezoid rule (for a ROC curve: 1 perfect, 0.5 guessing)."""
    fpr, tpr = np.asarray(fpr, dtype=float), np.asarray(tpr, dtype=float)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def one_vs_rest_roc(y_true: np.ndarray, probabilities: np.ndarray) -> dict[int, RocCurve]:
    """For every class ``k``: the ROC curve of "is it ``k``?" scored by the probability of ``k``."""
    y_true = np.asarray(y_true, dtype=int).ravel()
    probabilities = np.asarray(probabilities)
    curves = {}
    for k in range(probabilities.shape[1]):
        fpr, tpr, thresholds = roc_curve(y_true == k, probabilities[:, k])
        curves[k] = RocCurve(fpr, tpr, thresholds, auc(fpr, tpr))
    return curves


# --------------------------------------------------------------------------------------------
# Predictions and mistakes
# --------------------------------------------------------------------------------------------


def misclassified_indices(y_true: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Indices of the wrong predictions, the most confident mistakes first."""
    probabilities = np.asarray(probabilities)
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != np.asarray(y_true).ravel())
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")]


def prediction_table(
    probabilities: np.ndarray, y_true: np.ndarray | None = None, indices: Sequence[int] | None = None
) -> Table:
    """One row per digit: predicted class, its probability, the runner-up, and (with labels) whether it is right."""
    probabilities = np.asarray(probabilities)
    indices = range(len(probabilities)) if indices is None else indices
    rows = []
    for index in indices:
        ranked = np.argsort(-probabilities[index], kind="stable")
        row: dict[str, object] = {"#": int(index)}
        if y_true is not None:
            row["true"] = int(y_true[index])
        row.update({
            "predicted": int(ranked[0]),
            "confidence": float(probabilities[index, ranked[0]]),
            "runner-up": int(ranked[1]),
            "its probability": float(probabilities[index, ranked[1]]),
        })
        if y_true is not None:
            row["correct"] = bool(ranked[0] == y_true[index])
        rows.append(row)
    return Table(rows, formats={"confidence": ".1%", "its probability": ".1%", "#": "d"})


# --------------------------------------------------------------------------------------------
# Pictures
# --------------------------------------------------------------------------------------------


def plot_confusion_matrix(
    matrix: np.ndarray, class_names: Sequence[str] | None = None, normalize: bool = False, title: str | None = None
) -> Figure:
    """Seaborn heatmap of the confusion matrix; ``normalize`` shows each row as shares of the true class."""
    import seaborn as sns

    matrix = np.asarray(matrix)
    shown = _safe_divide(matrix, matrix.sum(axis=1, keepdims=True)) if normalize else matrix
    names = list(class_names) if class_names is not None else [str(k) for k in range(len(matrix))]
    plots.ready_for_language()
    fig, ax = plt.subplots(figsize=(7, 6))
    sns.heatmap(shown, annot=True, fmt=".2f" if normalize else "d", cmap="Blues", cbar=True, square=True,
                xticklabels=names, yticklabels=names, ax=ax, annot_kws={"fontsize": 8})
    ax.grid(False)
    ax.set_xlabel(tr("predicted", "预测"))
    ax.set_ylabel(tr("true", "真实"))
    accuracy = accuracy_from_matrix(matrix)
    ax.set_title(title or tr(f"Confusion matrix (accuracy {accuracy:.2%})", f"混淆矩阵（准确率 {accuracy:.2%}）"))
    fig.tight_layout()
    return fig


def plot_roc_curves(curves: dict[int, RocCurve], class_names: Sequence[str] | None = None) -> Figure:
    """All one-vs-rest ROC curves in one panel, with a zoom on the top-left corner where they differ."""
    plots.ready_for_language()
    fig, (full, zoom) = plt.subplots(1, 2, figsize=(11, 4.5))
    for k, curve in curves.items():
        name = class_names[k] if class_names is not None else str(k)
        for ax in (full, zoom):
            ax.plot(curve.fpr, curve.tpr, label=f"{name} (AUC {curve.auc:.4f})")
    full.plot([0, 1], [0, 1], "k:", label=tr("guessing (AUC 0.5)", "瞎猜（AUC 0.5）"))
    full.set_title(tr("One-vs-rest ROC curves", "一对其余的 ROC 曲线"))
    zoom.set_xlim(0, 0.1)
    zoom.set_ylim(0.8, 1.001)
    zoom.set_title(tr("zoom: top-left corner", "放大：左上角"))
    for ax in (full, zoom):
        ax.set_xlabel(tr("false positive rate", "假正例率"))
        ax.set_ylabel(tr("true positive rate", "真正例率"))
    zoom.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def show_misclassified(
    images: np.ndarray, y_true: np.ndarray, probabilities: np.ndarray, count: int = 20, columns: int = 10
) -> Figure:
    """The wrong digits, most confident mistakes first, titled ``true→predicted`` and the confidence.

    Args:
        images: The digits that were predicted, in the order of ``probabilities``.
        y_true: Their true labels (0-9).
        probabilities: The model's output for ``images``, shape ``(N, 10)``.
        count: Show at most this many mistakes (the most confident ones); fewer if there are fewer.
        columns: Digits per row of the grid.
    """
    probabilities = np.asarray(probabilities)
    wrong = misclassified_indices(y_true, probabilities)[:count]
    mistakes = len(misclassified_indices(y_true, probabilities))
    predicted = probabilities.argmax(axis=1)
    fig = plots.show_digits(images[wrong], np.asarray(y_true)[wrong], predicted[wrong], count=len(wrong),
                            columns=columns,
                            title=tr(f"{len(wrong)} of {mistakes} mistakes, "
                                     "most confident first (true→predicted, confidence)",
                                     f"{mistakes} 个错误中的 {len(wrong)} 个，最有把握的错误在前（真实→预测，置信度）"))
    for ax, index in zip(fig.axes, wrong, strict=False):
        ax.set_title(f"{ax.get_title()}\n{probabilities[index, predicted[index]]:.1%}", color="red", fontsize=9)
    rows = max(1, int(np.ceil(len(wrong) / columns)))
    fig.set_size_inches(columns * 1.1, rows * 1.6 + 0.4)  # room for two-line titles
    fig.tight_layout()
    return fig
