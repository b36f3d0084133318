"""Learning-rate sweeps: profiles, the choice of a learning rate on validation, good ranges.

Every choice here reads :data:`SELECTION_METRIC`, the validation accuracy: the test set only
reports what the chosen setting then scores.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from ..results import Results
from .filtering import where
from .scoring import final_metric, higher_is_better

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
    the lowest mean for a loss)."""
    rates, means = profile(results, optimizer, metric)
    pick = max if higher_is_better(metric) else min
    return rates[pick(range(len(rates)), key=means.__getitem__)]


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
