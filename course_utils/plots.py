"""Pictures for the lessons: digit grids, class balance, training curves, filters, feature maps.

Each function draws one figure and returns it (so tests and notebooks can save or inspect it).
:class:`LiveHistoryPlot` is a Keras callback that redraws the curves after every epoch in
JupyterLab and stays silent in a plain Python process.

Titles, axis labels and legends follow the language of the messages (``config.language``): English,
or Chinese in the Chinese edition. Chinese text is drawn with a CJK font (:func:`cjk_font`), which
:func:`set_style` puts after the usual sans-serif font in ``font.family``: Matplotlib draws each
character with the first font of the list that has it, so English figures look as before and a
Chinese character never comes out as an empty box.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import keras
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from course_utils import config, language
from course_utils.language import tr

HistoryLike: TypeAlias = keras.callbacks.History | Mapping[str, Sequence[float]]


#: CJK fonts for Chinese text, the first one found is used. Noto Sans CJK SC comes with the
#: course (the ``mplfonts`` package, see :func:`packaged_cjk_font`) and is what Linux distributions
#: ship as fonts-noto-cjk; the others are the fonts Windows (Microsoft YaHei, SimHei), macOS
#: (PingFang SC, Hiragino Sans GB, Heiti SC) and other Linux systems (Source Han Sans SC, WenQuanYi)
#: ship, used when the course's font is not installed.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Heiti SC",
    "SimHei",
    "Arial Unicode MS",
)
#: The font file the course brings for Chinese text, inside the ``mplfonts`` package (SIL Open Font Licence).
PACKAGED_CJK_FILE = "fonts/NotoSansCJKsc-Regular.otf"


def packaged_cjk_font() -> Path | None:
    """The Noto Sans CJK SC file of the ``mplfonts`` package, or None when that package is not installed.

    Only the file is used: ``mplfonts`` is not imported, and nothing is copied into Matplotlib's
    folder or written to its configuration (what ``mplfonts init`` would do).
    """
    spec = importlib.util.find_spec("mplfonts")  # finds the package without importing it
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / PACKAGED_CJK_FILE
        if path.is_file():
            return path
    return None


def cjk_font() -> str | None:
    """The family name of the CJK font Chinese text is drawn with, or None when this machine has none.

    The course's own font (:func:`packaged_cjk_font`) is added to Matplotlib's list of fonts for
    this process the first time; then the first of :data:`CJK_FONTS` that Matplotlib knows wins.
    """
    packaged = packaged_cjk_font()
    known = {entry.name for entry in font_manager.fontManager.ttflist}
    if packaged is not None and not any(entry.fname == str(packaged) for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(packaged))
        known = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in known), None)


def use_cjk_font() -> str | None:
    """Put :func:`cjk_font` after the other fonts of ``font.family`` (once); returns its name, or None.

    :func:`set_style` does it; each figure of this module does it too when the messages are in
    Chinese, so a Chinese figure has its font even in a notebook that never called ``config.setup()``.
    """
    cjk = cjk_font()
    families = plt.rcParams["font.family"]
    families = [families] if isinstance(families, str) else list(families)
    if cjk is not None and cjk not in families:
        plt.rcParams["font.family"] = [*families, cjk]
    return cjk


def ready_for_language() -> None:
    """Before a figure is drawn: the CJK font in ``font.family`` if its text will be Chinese."""
    try:
        chinese = language.current() == "zh"
    except ValueError:  # a bad COURSE_LANG: English, as tr() shows it; config.setup() reports the value
        chinese = False
    if chinese:
        use_cjk_font()


def set_style() -> None:
    """One plot style for the whole course: readable sizes, light grid, a CJK font for Chinese text.

    :func:`cjk_font`'s font is added after the others of ``font.family`` (by default the usual
    sans-serif font): Latin letters and digits keep their font, and the characters it lacks
    (Chinese) come from the CJK one.
    """
    plt.rcParams.update(
        {
            "figure.figsize": (8, 4),
            "figure.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )
    use_cjk_font()


def history_dict(history: HistoryLike) -> dict[str, list[float]]:
    """The per-epoch metrics of a ``History`` (or an already plain dict) as lists of floats."""
    raw = history.history if isinstance(history, keras.callbacks.History) else history
    return {key: [float(v) for v in values] for key, values in raw.items()}


def show_digits(
    images: np.ndarray,
    labels: Sequence[int] | np.ndarray | None = None,
    predictions: Sequence[int] | np.ndarray | None = None,
    count: int = 20,
    columns: int = 10,
    title: str | None = None,
) -> Figure:
    """A grid of digits with their labels; with ``predictions``, wrong ones are titled in red.

    Args:
        images: The digits, ``(N, height, width)`` or with a channel axis of 1; drawn dark on white.
        labels: Each digit's title; None: no titles.
        predictions: Predicted classes, shown with ``labels`` as ``true→predicted`` (red when they
            differ); ignored without ``labels``.
        count: Show the first ``count`` digits (all of them if there are fewer).
        columns: Digits per row of the grid.
        title: A title above the grid; None: none.
    """
    ready_for_language()
    count = min(count, len(images))
    rows = max(1, int(np.ceil(count / columns)))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 1.05), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(np.squeeze(images[index]), cmap="gray_r")
        if labels is not None and predictions is not None:
            wrong = int(predictions[index]) != int(labels[index])
            ax.set_title(f"{int(labels[index])}→{int(predictions[index])}", color="red" if wrong else "black",
                         fontsize=9)
        elif labels is not None:
            ax.set_title(str(int(labels[index])), fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_class_balance(labels: np.ndarray, title: str | None = None, other: np.ndarray | None = None,
                       names: tuple[str, str] | None = None) -> Figure:
    """Bar chart of how many examples each class has (two sets side by side with ``other``).

    ``title`` defaults to "Digits per class", ``names`` (the two sets' legend) to ("train", "test"),
    in the language of the messages.
    """
    ready_for_language()
    if title is None:
        title = tr("Digits per class", "每个类别的数字个数")
    if names is None:
        names = (tr("train", "训练集"), tr("test", "测试集"))
    fig, ax = plt.subplots(figsize=(7, 3))
    classes = np.arange(10)
    counts = np.bincount(labels, minlength=10)
    if other is None:
        ax.bar(classes, counts, color="tab:blue")
        ax.set_ylabel(tr("count", "数量"))
    else:
        # Shares, not counts, so sets of different sizes compare at a glance.
        other_counts = np.bincount(other, minlength=10)
        shares, other_shares = counts / counts.sum(), other_counts / other_counts.sum()
        ax.bar(classes - 0.2, shares, width=0.4, label=names[0])
        ax.bar(classes + 0.2, other_shares, width=0.4, label=names[1])
        ax.set_ylabel(tr("share", "比例"))
        ax.set_ylim(0, max(shares.max(), other_shares.max()) * 1.3)  # room for the legend above the bars
        ax.legend(loc="upper right", ncols=2)
    ax.set_xticks(classes)
    ax.set_xlabel(tr("digit", "数字"))
    ax.set_title(title)
    fig.tight_layout()
    return fig


def epoch_axis(ax: Axes) -> Axes:
    """Whole epochs only on ``ax``'s x axis: integer ticks, and room around the first and last epoch.

    Call it after plotting. Matplotlib's own choice shows a single epoch as an axis from 0.96 to
    1.04, and even ``MaxNLocator(integer=True)`` falls back to such fractions when fewer than two
    whole numbers are in view. Here the axis spans the plotted epochs plus half an epoch on each
    side (one epoch: 0.5 to 1.5, one tick "1"), and every tick is a whole number.
    """
    low, high = ax.dataLim.intervalx
    if np.isfinite(low) and np.isfinite(high) and low <= high:
        ax.set_xlim(low - 0.5, high + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.xaxis.set_minor_locator(NullLocator())
    return ax


def plot_history(
    history: HistoryLike,
    metrics: Sequence[str] = ("accuracy", "loss"),
    mark_epoch: int | None = None,
    title: str | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Training vs validation curves, one panel per metric (accuracy and loss side by side).

    Args:
        history: What ``fit`` returned, or its ``history`` dict (metric name -> one value per epoch).
        metrics: The panels, left to right; a metric ``history`` lacks is left out. Each panel
            also shows ``val_`` + the metric when ``history`` has it.
        mark_epoch: Draw a vertical line at this epoch (1-based), e.g. where a checkpoint saved the
            best model; None: no line.
        title: A title above the panels; None: none.
        fig: Draw into this figure, cleared first (to redraw a live plot); None: a new figure.
    """
    ready_for_language()
    values = history_dict(history)
    shown = [m for m in metrics if m in values]
    if fig is None:
        fig = plt.figure(figsize=(5 * max(1, len(shown)), 3.6))
    else:
        fig.clear()
    axes = fig.subplots(1, max(1, len(shown)), squeeze=False)[0]
    for ax, metric in zip(axes, shown, strict=False):
        epochs = np.arange(1, len(values[metric]) + 1)
        ax.plot(epochs, values[metric], "o-", label=tr(f"train {metric}", f"训练集 {metric}"))
        if f"val_{metric}" in values:
            ax.plot(epochs, values[f"val_{metric}"], "s--", label=tr(f"validation {metric}", f"验证集 {metric}"))
        if mark_epoch is not None:
            ax.axvline(mark_epoch, color="tab:green", linestyle=":",
                       label=tr(f"best (epoch {mark_epoch})", f"最佳（第 {mark_epoch} 轮）"))
        ax.set_xlabel(tr("epoch", "轮"))
        ax.set_ylabel(metric)
        epoch_axis(ax)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


class LiveHistoryPlot(keras.callbacks.Callback):
    """Redraw the accuracy/loss curves after every epoch while ``fit`` runs in a notebook.

    Outside a notebook kernel it records nothing on screen. After training, ``self.history``
    holds the same numbers as the ``History`` object.
    """

    def __init__(self, metrics: Sequence[str] = ("accuracy", "loss"), every: int = 1) -> None:
        super().__init__()
        self.metrics = tuple(metrics)
        self.every = max(1, every)
        self.history: dict[str, list[float]] = {}
        self._handle: Any = None
        self._figure: Figure | None = None

    def on_train_begin(self, logs: Mapping[str, float] | None = None) -> None:
        self.history = {}
        self._handle = None

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if config.jupyter_shell() is None or (epoch + 1) % self.every:
            return
        from IPython.display import display

        if self._figure is None:
            self._figure = plt.figure(figsize=(10, 3.6))
        done = epoch + 1
        plot_history(self.history, self.metrics, fig=self._figure, title=tr(f"after epoch {done}", f"第 {done} 轮之后"))
        if self._handle is None:
            self._handle = display(self._figure, display_id=True)
        else:
            self._handle.update(self._figure)

    def on_train_end(self, logs: Mapping[str, float] | None = None) -> None:
        if self._figure is not None:
            # The live display already shows the figure; closing stops a duplicate at cell end.
            plt.close(self._figure)
            self._figure = None


def show_filters(layer: keras.layers.Layer, columns: int = 8, title: str | None = None) -> Figure:
    """The kernels of a Conv2D layer's first input channel, one small image per filter."""
    ready_for_language()
    kernels = np.asarray(layer.get_weights()[0])  # (height, width, in_channels, filters)
    count = kernels.shape[-1]
    rows = int(np.ceil(count / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 0.9), squeeze=False)
    limit = np.abs(kernels[:, :, 0, :]).max() or 1.0
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            ax.imshow(kernels[:, :, 0, index], cmap="RdBu_r", vmin=-limit, vmax=limit)
    name = layer.name
    fig.suptitle(title or tr(f"{name}: {count} filters (red +, blue -)", f"{name}：{count} 个卷积核（红 +，蓝 -）"))
    fig.tight_layout()
    return fig


def show_feature_maps(maps: np.ndarray, columns: int = 8, title: str | None = None, limit: int = 32) -> Figure:
    """Feature maps of one image, shape (height, width, channels) or (1, height, width, channels)."""
    ready_for_language()
    maps = np.asarray(maps)
    if maps.ndim == 4:
        maps = maps[0]
    count = min(maps.shape[-1], limit)
    rows = int(np.ceil(count / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.0, rows * 1.0), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < count:
            ax.imshow(maps[:, :, index], cmap="viridis")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_frontier(frontier: Mapping[str, Any], title: str | None = None) -> Figure:
    """Training seconds against test accuracy: each budget's recipe, its goal, and the seed CNN's runs.

    ``frontier`` is what ``benchmarks/frontier.py`` writes to ``docs/frontier.json``: per budget
    the runs of every seed and their medians, the goals (budget in seconds -> accuracy), and the
    reference runs of notebook 04's CNN. Each seed is a small dot, each median a large marker;
    the medians of the recipes are joined into the frontier line. A goal is a corner: the recipe
    meets it when its median lies above the dotted accuracy and left of the dashed budget.
    """
    ready_for_language()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    points = sorted(frontier["recipes"], key=lambda point: point["budget"])
    ax.plot([p["median_seconds"] for p in points], [100 * p["median_accuracy"] for p in points], "o-",
            color="tab:blue", markersize=8,
            label=tr("notebook 09's recipe, trained by the clock (median of seeds)",
                     "笔记本 09 的配方，按时钟训练（各随机种子的中位数）"),
            zorder=3)
    for point in points:
        ax.scatter([r["train_seconds"] for r in point["runs"]], [100 * r["test_accuracy"] for r in point["runs"]],
                   s=12, color="tab:blue", alpha=0.45, zorder=2)
        ax.annotate(f"{point['budget']} s\n{point['median_accuracy']:.2%}",
                    (point["median_seconds"], 100 * point["median_accuracy"]), textcoords="offset points",
                    xytext=(6, -24), fontsize=8, color="tab:blue")
    styles = {"plain fit": ("s--", "tab:gray", tr("plain fit", "普通的 fit")),
              "course default": ("^--", "tab:orange", tr("course default", "课程默认设置"))}
    for name, (style, colour, how) in styles.items():
        runs = [ref for ref in frontier.get("references", []) if ref["name"].endswith(name)]
        if runs:
            runs.sort(key=lambda ref: ref["epochs"])
            epochs = ", ".join(str(r["epochs"]) for r in runs)
            ax.plot([r["median_seconds"] for r in runs], [100 * r["median_accuracy"] for r in runs], style,
                    color=colour, label=tr(f"seed CNN (notebook 04), {how}: {epochs} epochs",
                                           f"起点 CNN（笔记本 04），{how}：{epochs} 轮"))
    for budget, goal in frontier.get("goals", {}).items():
        ax.axvline(float(budget), color="tab:red", linestyle="--", linewidth=0.8, alpha=0.6)
        ax.axhline(100 * goal, color="tab:red", linestyle=":", linewidth=0.8, alpha=0.6)
        ax.annotate(tr(f"goal: {goal:.1%} in {budget} s", f"目标：{budget} 秒内达到 {goal:.1%}"),
                    (float(budget), 100 * goal), textcoords="offset points", xytext=(-4, 4), ha="right", fontsize=8,
                    color="tab:red")
    ax.set(xlabel=tr("seconds of training (fit only, first epoch's tracing included)",
                     "训练秒数（仅 fit，含第一轮的追踪）"),
           ylabel=tr("test accuracy (%)", "测试准确率（%）"),
           title=title or tr("Time to accuracy: 10,000 bundled digits, official MNIST test set",
                             "达到准确率所需时间：10,000 个随课程附带的数字，官方 MNIST 测试集"))
    ax.set_xlim(0, 1.1 * max([p["median_seconds"] for p in points] + [float(b) for b in frontier.get("goals", {})]))
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
