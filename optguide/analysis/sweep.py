"""Learning-rate sweeps: profiles, the choice of a learning rate on validation, good ranges.

Every choice here reads :data:`SELECTION_METRIC`, the validation accuracy: the test set only
reports what the chosen setting then scores.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..optimizers import hyperparameters
from ..results import Results, Run
from .filtering import where
from .scoring import best_of, final_metric, higher_is_better

#: The metric every selection (a best learning rate, a best row) reads.
SELECTION_METRIC = "val_accuracy"


def learning_rates(results: Results, optimizer: str) -> list[float]:
    """The learning rates ``optimizer`` was run at, ascending."""
    return sorted({run.lr for run in results.runs if run.optimizer == optimizer})


def profile(results: Results, optimizer: str, metric: str = SELECTION_METRIC
            ) -> tuple[list[float], list[float]]:
    """Learning rates (ascending) and ``optimizer``'s mean final ``metric`` over seeds at each.

    Diverged runs score by the ranking rule (:func:`~optguide.analysis.scoring.final_metric`).

    Raises
    ------
    ValueError
        When ``optimizer`` has no runs.
    """
    rates = learning_rates(results, optimizer)
    if not rates:
        raise ValueError(f"no runs of {optimizer!r} in the results")
    means = [statistics.fmean(final_metric(run, metric)
                              for run in where(results, optimizer=optimizer, lr=lr).runs)
             for lr in rates]
    return rates, means


def best_learning_rate(results: Results, optimizer: str, metric: str = SELECTION_METRIC
                       ) -> float:
    """The learning rate with the best mean final ``metric`` (validation accuracy by default;
    the lowest mean for a loss); a tie goes to the lowest rate
    (:func:`~optguide.analysis.scoring.best_of`)."""
    rates, means = profile(results, optimizer, metric)
    return best_of(dict(zip(rates, means)), higher_is_better(metric))


def at_edge(results: Results, optimizer: str, metric: str = SELECTION_METRIC) -> bool:
    """Whether the chosen learning rate sits at an end of the grid (the grid may be too short)."""
    rates = learning_rates(results, optimizer)
    return len(rates) > 1 and best_learning_rate(results, optimizer, metric) in (rates[0],
                                                                              rates[-1])


def good_intervals(learning_rates: Sequence[float], accuracies: Sequence[float],
                   tolerance: float = 0.01, reference: float | None = None
                   ) -> list[tuple[float, float]]:
    r"""Learning-rate intervals where accuracy stays within ``tolerance`` of ``reference``.

    Accuracy is interpolated linearly in :math:`\log_{10}` of the learning rate between the
    grid points (ascending), so an interval can end between two of them; intervals are
    clipped to the grid.

    Parameters
    ----------
    learning_rates, accuracies : sequence of float
        A profile (:func:`profile`).
    tolerance : float, default 0.01
        How far below ``reference`` still counts as good.
    reference : float, optional
        The accuracy to come close to; default this profile's best. Pass the best optimizer's
        tuned accuracy so that a flat but poor curve does not count as wide.

    Returns
    -------
    list of (float, float)
        ``(lowest, highest)`` learning rate of each interval, in increasing order; empty when
        no point comes within ``tolerance``.
    """
    xs = [math.log10(lr) for lr in learning_rates]
    threshold = (max(accuracies) if reference is None else reference) - tolerance
    pieces: list[list[float]] = []
    for x0, x1, y0, y1 in zip(xs, xs[1:], accuracies, accuracies[1:]):
        if y0 < threshold and y1 < threshold:
            continue
        low = x0 if y0 >= threshold else x0 + (threshold - y0) / (y1 - y0) * (x1 - x0)
        high = x1 if y1 >= threshold else x0 + (threshold - y0) / (y1 - y0) * (x1 - x0)
        if pieces and math.isclose(pieces[-1][1], low):
            pieces[-1][1] = high
        else:
            pieces.append([low, high])
    if not pieces and max(accuracies) >= threshold:  # one good grid point between bad ones
        best = xs[list(accuracies).index(max(accuracies))]
        pieces.append([best, best])
    return [(10 ** low, 10 ** high) for low, high in pieces]


def good_range_decades(learning_rates: Sequence[float], accuracies: Sequence[float],
                       tolerance: float = 0.01, reference: float | None = None) -> float:
    r"""Width, in decades of learning rate, of :func:`good_intervals`.

    Examples
    --------
    >>> round(good_range_decades([0.01, 0.1, 1.0], [0.90, 0.95, 0.90], tolerance=0.025), 6)
    1.0
    """
    return sum(math.log10(high / low)
               for low, high in good_intervals(learning_rates, accuracies, tolerance, reference))


@dataclass(frozen=True)
class HyperparameterEffect:
    """How much one hyperparameter (other than the learning rate) moves an optimizer.

    Attributes
    ----------
    optimizer, name : str
        The optimizer and the hyperparameter (``"betas"`` for Adam's pair).
    default : object
        The preset's value.
    values : tuple of (value, float)
        Each value tried (the default included) and the mean final metric over seeds.
    gain : float
        Best mean minus the default's mean: what tuning this hyperparameter buys (>= 0).
    spread : float
        Best mean minus worst mean over the values tried.
    """

    optimizer: str
    name: str
    default: Any
    values: tuple[tuple[Any, float], ...]
    gain: float
    spread: float


def _varied(run: Run) -> list[str]:
    """The hyperparameters (not the learning rate) ``run`` sets away from its preset."""
    base = hyperparameters(run.optimizer, run.preset)
    return [key for key, value in run.hyperparameters.items()
            if key != "lr" and key in base and not _same(value, base[key])]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    return a == b


def hyperparameter_effects(results: Results, metric: str = SELECTION_METRIC
                           ) -> dict[str, dict[str, HyperparameterEffect]]:
    """One-at-a-time sensitivity: optimizer -> hyperparameter -> :class:`HyperparameterEffect`.

    ``results`` holds, per optimizer (one learning rate each), runs at the preset's values
    (the reference) and runs that each change exactly one other hyperparameter. Scores are
    mean final ``metric`` over seeds (a diverged run scores by the ranking rule).

    Raises
    ------
    ValueError
        When a run changes more than one hyperparameter or an optimizer has no reference run.
    """
    groups: dict[tuple[str, str | None, str], list[float]] = {}
    shown: dict[tuple[str, str | None, str], Any] = {}
    for run in results.runs:
        varied = _varied(run)
        if len(varied) > 1:
            raise ValueError(f"a {run.optimizer} run changes {varied}; vary one at a time")
        name = varied[0] if varied else None
        value = run.hyperparameters[name] if name else None
        key = (run.optimizer, name, repr(value))
        groups.setdefault(key, []).append(final_metric(run, metric))
        shown[key] = value
    effects: dict[str, dict[str, HyperparameterEffect]] = {}
    for optimizer in dict.fromkeys(key[0] for key in groups):
        reference = groups.get((optimizer, None, repr(None)))
        if reference is None:
            raise ValueError(f"{optimizer} has no run at the preset's values")
        preset = next(r.preset for r in results.runs if r.optimizer == optimizer)
        base = hyperparameters(optimizer, preset)
        at_default = statistics.fmean(reference)
        for name in dict.fromkeys(k[1] for k in groups if k[0] == optimizer and k[1]):
            tried = [(shown[k], statistics.fmean(v)) for k, v in groups.items()
                     if k[0] == optimizer and k[1] == name]
            tried.append((base[name], at_default))
            tried.sort(key=lambda pair: _order(pair[0]))
            means = [m for _, m in tried]
            effects.setdefault(optimizer, {})[name] = HyperparameterEffect(
                optimizer, name, base[name], tuple(tried), max(means) - at_default,
                max(means) - min(means))
    return effects


def _order(value: Any) -> float:
    """Sort key of a hyperparameter value (a pair such as Adam's betas sorts by its last)."""
    return float(value[-1] if isinstance(value, (list, tuple)) else value)
