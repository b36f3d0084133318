"""Figures from results: learning curves with a band over seeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .results import Results

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: One color per optimizer, the same on every figure of the site.
#: Also for the SGD variants of the small-problem examples ("momentum", "nesterov") and
#: SGD with added gradient noise ("noisy_sgd").
COLORS = {"sgd": "#4c72b0", "adagrad": "#dd8452", "adadelta": "#c44e52",
          "rmsprop": "#8172b3", "adam": "#55a868", "momentum": "#937860",
          "nesterov": "#da8bc3", "noisy_sgd": "#64b5cd"}
#: Display names.
LABELS = {"sgd": "SGD", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop",
          "adam": "Adam", "momentum": "SGD + momentum", "nesterov": "Nesterov",
          "noisy_sgd": "noisy SGD"}
LINESTYLES = {"pytorch": "-", "keras": "--"}
METRICS = {"test_accuracy": "test accuracy", "test_loss": "test loss",
           "train_loss": "training loss"}


def label(optimizer: str, preset: str | None = None, lr: float | None = None) -> str:
    """``"Adam (keras)"``, ``"SGD, lr=0.1"``: how a run group is named in legends."""
    text = LABELS.get(optimizer, optimizer)
    if preset:
        text += f" ({preset})"
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
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", ncols=2 if len(groups) > 5 else 1)
    return ax.figure
