"""Figures from results: learning curves with a band over seeds; the site's names and style.

Display names and colours are :mod:`optguide.analysis.names`' (``SGD``, ``Adagrad``,
``PyTorch``, ``Keras``), one source for every figure, table and sentence; :func:`use_style`
sizes text for figures shown the width of a page's text column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .analysis.names import COLORS, OPTIMIZER_NAMES, PRESET_NAMES
from .results import Results

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

LINESTYLES = {"pytorch": "-", "keras": (0, (5, 2))}
#: Text sizes for figures 7-11 inches wide shown 700-800 px wide (about 11 px text or more).
STYLE = {"font.size": 12, "axes.titlesize": 13, "axes.labelsize": 12, "legend.fontsize": 11,
         "xtick.labelsize": 11, "ytick.labelsize": 11, "figure.titlesize": 14,
         "lines.linewidth": 2.0, "axes.spines.top": False, "axes.spines.right": False,
         "legend.framealpha": 0.9, "savefig.bbox": "tight"}
METRICS = {"test_accuracy": "test accuracy", "test_loss": "test loss",
           "train_loss": "training loss", "val_accuracy": "validation accuracy",
           "val_loss": "validation loss"}


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib's defaults (the site does before each example)."""
    import matplotlib as mpl

    mpl.rcParams.update(STYLE)


def preset_label(preset: str) -> str:
    """``"PyTorch"``, ``"Keras"``: the display name of a preset."""
    return PRESET_NAMES.get(preset, preset)


def label(optimizer: str, preset: str | None = None, lr: float | None = None) -> str:
    """``"Adam (Keras)"``, ``"SGD, lr=0.1"``: how a run group is named in legends."""
    text = OPTIMIZER_NAMES.get(optimizer, optimizer)
    if preset:
        text += f" ({preset_label(preset)})"
    if lr is not None:
        text += f", lr={lr:g}"
    return text


def learning_curves(results: Results, metric: str = "test_accuracy", x: str = "epoch",
                    ax: Axes | None = None, show_lr: bool = False) -> Figure:
    """Plot ``metric`` against epochs (or cumulative training seconds) per optimizer and preset.

    The line is the mean over seeds and the shaded band spans the lowest and highest seed.
    Diverged runs end where they diverged and are marked with an ``x``.

    Parameters
    ----------
    results : Results
        What :func:`optguide.compare.compare` returned or :func:`optguide.results.load` read.
    metric : str
        ``"test_accuracy"``, ``"test_loss"`` or ``"train_loss"``.
    x : str
        ``"epoch"`` or ``"seconds"``.
    ax : matplotlib.axes.Axes, optional
        Draw into these axes instead of a new figure.
    show_lr : bool
        Put the learning rate in the legend (for sweeps).
    """
    import matplotlib.pyplot as plt

    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose from {', '.join(METRICS)}")
    if x not in ("epoch", "seconds"):
        raise ValueError(f"x must be 'epoch' or 'seconds', got {x!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    groups: dict[tuple[str, str, float], list] = {}
    for run in results.runs:
        groups.setdefault((run.optimizer, run.preset, run.lr), []).append(run)
    presets = {preset for _, preset, _ in groups}
    drawn: list[np.ndarray] = []
    for (optimizer, preset, lr), runs in groups.items():
        length = min((len(r.history) for r in runs), default=0)
        style = dict(color=COLORS.get(optimizer), linestyle=LINESTYLES.get(preset, "-"))
        name = label(optimizer, preset if len(presets) > 1 else None, lr if show_lr else None)
        if length == 0:
            ax.plot([], [], marker="x", label=f"{name} (diverged)", **style)
            continue
        values = np.array([[e[metric] for e in r.history[:length]] for r in runs])
        if metric == "test_accuracy":
            values = values * 100
        if x == "epoch":
            xs = np.arange(1, length + 1)
        else:
            xs = np.mean([np.cumsum([e["seconds"] for e in r.history[:length]]) for r in runs], 0)
        ax.plot(xs, values.mean(0), label=name, **style)
        drawn.append(values)
        if len(runs) > 1:
            ax.fill_between(xs, values.min(0), values.max(0), color=style["color"], alpha=0.18,
                            linewidth=0)
        if any(r.status == "diverged" for r in runs):
            ax.plot(xs[-1], values.mean(0)[-1], marker="x", color=style["color"], markersize=9)
    ax.set_xlabel("epoch" if x == "epoch" else "training time (s)")
    ax.set_ylabel(METRICS[metric] + (" (%)" if metric == "test_accuracy" else ""))
    if x == "epoch":
        ax.xaxis.get_major_locator().set_params(integer=True)
    if metric.endswith("loss"):
        ax.set_yscale("log")
    elif drawn:
        low = min(float(v.min()) for v in drawn)
        high = max(float(v.max()) for v in drawn)
        if high - low > 10:
            accuracy_axis(ax, low, high)
    ax.grid(alpha=0.3)
    legend_below(ax, ncols=min(len(groups), 3))
    return ax.figure


#: Accuracy ticks (%) of :func:`accuracy_axis`.
ACCURACY_TICKS = (1, 5, 10, 20, 30, 50, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.8, 99.9)


def _logit_percent(y):
    y = np.clip(np.asarray(y, dtype=float), 1e-3, 100 - 1e-3) / 100
    return np.log(y / (1 - y))


def _expit_percent(z):
    return 100 / (1 + np.exp(-np.asarray(z, dtype=float)))


def accuracy_axis(ax: Axes, low: float, high: float) -> None:
    """A logit y axis for accuracies (%) from ``low`` to ``high``.

    Every curve stays in view, and the region near 100 %, where optimizers differ by tenths
    of a percent, is spread out instead of squashed into one band.
    """
    from matplotlib.ticker import NullLocator

    low = max(low - 0.15 * max(1.0, 100 - low), 0.5)
    high = min(high + 0.25 * (100 - high), 99.95)
    ax.set_yscale("function", functions=(_logit_percent, _expit_percent))
    ax.set_ylim(low, high)
    ticks = [t for t in ACCURACY_TICKS if low <= t <= high]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.yaxis.set_minor_locator(NullLocator())
    if ax.get_ylabel() and "logit" not in ax.get_ylabel():
        ax.set_ylabel(ax.get_ylabel() + ", logit scale")


def legend_below(ax: Axes, ncols: int = 3, **kwargs) -> None:
    """A legend under the axes (below the x label), where it never covers data."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=max(1, ncols),
              frameon=False, **kwargs)


class HTML(str):
    """Text that notebooks and sphinx-gallery show as HTML (it has ``_repr_html_``)."""

    def _repr_html_(self) -> str:
        return str(self)

    def __add__(self, other: str) -> HTML:
        return HTML(str(self) + str(other))


def summary_table(results: Results, caption: str | None = None) -> HTML:
    """The comparison table of ``results`` as HTML, with display names (``SGD``, ``PyTorch``).

    Shown as a table when it is the last expression of a notebook cell or gallery block.
    """
    import html
    from dataclasses import replace

    from .report import format_table, summarize

    rows = [replace(row, optimizer=OPTIMIZER_NAMES.get(row.optimizer, row.optimizer),
                    preset=preset_label(row.preset)) for row in summarize(results)]
    text = format_table(rows, "html", epochs=results.config.get("epochs"))
    if caption:
        text = text.replace("<thead>", f"<caption>{html.escape(caption)}</caption><thead>", 1)
    return HTML(text)


#: Colors of the tuned configurations that are not plain optimizers.
CANDIDATE_COLORS = {"sgd_cosine": "#2a4a7f", "sgd_nesterov_cosine": "#da8bc3"}


def sensitivity(study_results: Results, ax: Axes | None = None) -> Figure:
    """Validation accuracy against learning rate for every candidate of a tuning study.

    One line per candidate: the mean final validation accuracy over the selection seeds at
    each rate of its (widened) grid, a diverged run counting as 0; the chosen rate is ringed.
    The logit axis (:func:`accuracy_axis`) spreads the region near 100 %; rates whose mean is
    below chance sit at the bottom edge.
    The test set is not shown: this is the figure the choices were made from.
    """
    import matplotlib.pyplot as plt

    from .tune import CANDIDATES, choices

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.4), layout="constrained")
    shown: list[float] = []
    for name, choice in choices(study_results).items():
        rates = [lr for lr, _, _ in choice.grid]
        means = [100 * acc for _, acc, _ in choice.grid]
        shown += means
        color = CANDIDATE_COLORS.get(name, COLORS.get(CANDIDATES[name].optimizer))
        style = "--" if CANDIDATES[name].schedule != "constant" else "-"
        ax.plot(rates, means, marker="o", markersize=4, color=color, linestyle=style,
                label=CANDIDATES[name].label)
        ax.plot([choice.lr], [100 * choice.val_accuracy], marker="o", markersize=11,
                markerfacecolor="none", markeredgecolor=color, linestyle="")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("final validation accuracy (%)")
    accuracy_axis(ax, max(min(shown), 10.0), max(shown))  # below chance (10 %): at the floor
    ax.grid(alpha=0.3)
    legend_below(ax, ncols=4)
    return ax.figure


def tuning_curves(study_results: Results, ax: Axes | None = None,
                  protocol: str = "full") -> Figure:
    """Expected best validation accuracy after k trials, per optimizer (Dodge et al. 2019).

    Over every order of the protocol's trials (exact, without replacement): the line is the
    expected best mean validation accuracy of the selection seeds after ``k`` trials, the
    band the middle half (quartiles) of that best. The test set is not shown.
    """
    import matplotlib.pyplot as plt

    from .analysis.study import optimizers, tuning_curve

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.4), layout="constrained")
    shown: list[float] = []
    for name in optimizers(study_results):
        curve = tuning_curve(study_results, name, protocol)
        k = [c[0] for c in curve]
        mean, low, high = (np.array([100 * c[i] for c in curve]) for i in (1, 2, 3))
        shown += list(mean)
        color = COLORS.get(name)
        ax.plot(k, mean, color=color, label=OPTIMIZER_NAMES.get(name, name))
        ax.fill_between(k, low, high, color=color, alpha=0.12, linewidth=0)
    ax.set_xscale("log", base=2)
    ticks = [t for t in (1, 2, 4, 8, 16, 32, 64) if t <= max(k)]
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("trials (k)")
    ax.set_ylabel("best validation accuracy (%)")
    accuracy_axis(ax, max(min(shown), 10.0), max(shown))
    ax.grid(alpha=0.3)
    legend_below(ax, ncols=5)
    return ax.figure


def search_scatter(study_results: Results, protocol: str = "full") -> Figure:
    """Every trial's mean validation accuracy against its learning rate, one panel per
    optimizer; the chosen trial ringed. Marker shape: the trial's schedule (circle constant,
    square cosine, triangle warm-up + cosine); trials below 10 % drawn at 10 %."""
    import matplotlib.pyplot as plt

    from .analysis.study import choice, optimizers, trial_scores, trial_values

    names = optimizers(study_results)
    fig, axes = plt.subplots(1, len(names), figsize=(10, 3.4), sharey=True,
                             layout="constrained")
    axes = np.atleast_1d(axes)
    markers = {"constant": "o", "cosine": "s", "warmup+cosine": "^"}
    shown: list[float] = []
    for ax, name in zip(axes, names):
        color = COLORS.get(name)
        for trial, values in trial_scores(study_results, protocol, name).items():
            spec = trial_values(study_results, protocol, name, trial)
            mean = 100 * float(np.mean(list(values.values())))
            shown.append(max(mean, 10.0))
            ax.plot([spec["lr"]], [max(mean, 10.0)], marker=markers.get(spec["schedule"], "o"),
                    color=color, markersize=5, alpha=0.8, linestyle="")
        chosen = choice(study_results, protocol, name)
        ax.plot([chosen.values["lr"]], [100 * chosen.val_accuracy], marker="o", markersize=13,
                markerfacecolor="none", markeredgecolor="black", linestyle="")
        ax.set_xscale("log")
        ax.set_title(OPTIMIZER_NAMES.get(name, name))
        ax.set_xlabel("learning rate")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("mean validation accuracy (%)")
    accuracy_axis(axes[0], min(shown), max(shown))
    return fig
