"""One ranking rule: the score of a run, per-seed scores of options, orders and tie groups,
and the one choosing rule (:func:`best_of`).

The score of a run is a metric at its last finished epoch. A diverged run (or one that
finished no epoch) scores **0 accuracy** (or an infinite loss), so it ranks last everywhere:
in verdicts, tables and page sentences alike. Options are compared on per-seed scores
``{option: {seed: value}}`` with the paired statistics of :mod:`optguide.analysis.stats`; an
order between two options is only stated where their paired interval separates.

Every choice of a candidate by its scores (a learning rate of a grid, a trial of a study, the
best default) goes through :func:`best_of`: the best mean wins, and a tie goes to the earliest
candidate in the order given.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import TypeVar

from ..results import Results, Run
from .stats import Estimate, PairedDifference, leaders, mean_ci, paired_difference

Scores = Mapping[str, Mapping[int, float]]
K = TypeVar("K")

#: What a diverged run scores on an accuracy metric.
DIVERGED_ACCURACY = 0.0


def higher_is_better(metric: str) -> bool:
    """Accuracies rank high-first, losses low-first."""
    return not metric.endswith("loss")


def final_metric(run: Run, metric: str = "test_accuracy") -> float:
    """``metric`` at the run's last epoch; a diverged run scores 0 accuracy (infinite loss)."""
    if run.status != "ok" or not run.history:
        return DIVERGED_ACCURACY if higher_is_better(metric) else math.inf
    return float(run.history[-1][metric])


def scores(results: Results, metric: str = "test_accuracy", by: str = "optimizer"
           ) -> dict[str, dict[int, float]]:
    """Per-seed final scores: option (the run attribute ``by``) -> seed -> :func:`final_metric`.

    Raises
    ------
    ValueError
        When one option has two runs with the same seed (several settings: filter first with
        :func:`optguide.analysis.filtering.where`), or when there are no runs.
    """
    if not results.runs:
        raise ValueError("no runs to score")
    table: dict[str, dict[int, float]] = {}
    for run in results.runs:
        option = getattr(run, by)
        seeds = table.setdefault(option, {})
        if run.seed in seeds:
            raise ValueError(f"{option} has several runs with seed {run.seed} (several settings, "
                             f"e.g. learning rates or presets); select one setting first")
        seeds[run.seed] = final_metric(run, metric)
    return table


def mean_score(values: Mapping[int, float]) -> float:
    """Mean over seeds."""
    return statistics.fmean(values.values())


def _mean(score: float | Mapping[int, float] | Iterable[float]) -> float:
    if isinstance(score, Mapping):
        return statistics.fmean(score.values())
    if isinstance(score, Iterable):
        return statistics.fmean(score)
    return score  # a mean already


def tied_best(scores: Mapping[K, float | Mapping[int, float] | Iterable[float]],
              higher_better: bool = True) -> list[K]:
    """Every candidate whose mean score equals the best one, in the order of ``scores``.

    ``scores``: candidate -> its mean score, or its scores per seed (a mapping seed -> value,
    or a sequence), averaged with :func:`statistics.fmean`. The first is :func:`best_of`.

    Raises
    ------
    ValueError
        When there is no candidate.
    """
    means = {candidate: _mean(score) for candidate, score in scores.items()}
    if not means:
        raise ValueError("no candidates to choose from")
    best = (max if higher_better else min)(means.values())
    return [candidate for candidate, mean in means.items() if mean == best]


def best_of(scores: Mapping[K, float | Mapping[int, float] | Iterable[float]],
            higher_better: bool = True) -> K:
    """The one choosing rule: the candidate with the best mean score; a tie goes to the
    earliest candidate in the order of ``scores``.

    ``scores`` as in :func:`tied_best`; ``higher_better=False`` for a loss or a distance.
    :func:`ranking`'s first option is the same choice.

    Examples
    --------
    >>> best_of({0.01: 0.95, 0.1: 0.97, 1.0: 0.97})
    0.1
    >>> best_of({"a": {0: 1.0, 1: 3.0}, "b": [2.0, 2.5]}, higher_better=False)
    'a'
    """
    return tied_best(scores, higher_better)[0]


def estimates(table: Scores) -> dict[str, Estimate]:
    """Option -> mean over seeds with its 95 % interval
    (:func:`~optguide.analysis.stats.mean_ci`)."""
    return {option: mean_ci(list(values.values())) for option, values in table.items()}


def ranking(table: Scores, higher_better: bool = True) -> list[str]:
    """Options from best to worst mean score (ties keep their order of appearance, so the
    first is :func:`best_of`'s choice)."""
    sign = 1 if higher_better else -1
    return sorted(table, key=lambda option: -sign * mean_score(table[option]))


def tie_groups(table: Scores, higher_better: bool = True) -> list[list[str]]:
    """The ranking as groups that the paired intervals can tell apart, best group first.

    The first group is :func:`~optguide.analysis.stats.leaders` (the best mean and every
    option not separated from it); the next groups repeat the rule on what is left. Inside a
    group the order is by mean and means nothing.
    """
    if not higher_better:
        table = {k: {s: -v for s, v in seeds.items()} for k, seeds in table.items()}
    left = dict(table)
    groups = []
    while left:
        group = leaders(left)
        groups.append(group)
        for option in group:
            del left[option]
    return groups


def rank_range(option: str, groups: Sequence[Sequence[str]]) -> tuple[int, int]:
    """The places (1-based, best first) ``option`` may take given :func:`tie_groups`."""
    start = 1
    for group in groups:
        if option in group:
            return start, start + len(group) - 1
        start += len(group)
    raise KeyError(option)


def kendall_tau(first: Sequence[str], second: Sequence[str]) -> float:
    """Kendall's rank correlation of two orderings of the same items (1: same, -1: reversed)."""
    if set(first) != set(second) or len(first) < 2:
        raise ValueError("both orderings must hold the same two or more items")
    position = {item: i for i, item in enumerate(second)}
    pairs = list(combinations(first, 2))
    concordant = sum(position[a] < position[b] for a, b in pairs)
    return (2 * concordant - len(pairs)) / len(pairs)


def pair_differences(table: Scores) -> dict[tuple[str, str], PairedDifference]:
    """Every pair ``(a, b)`` of options (``a`` before ``b`` in ``table``'s order): the paired
    difference ``a - b`` (:func:`~optguide.analysis.stats.paired_difference`)."""
    return {(a, b): paired_difference(table[a], table[b]) for a, b in combinations(table, 2)}


def changed_pairs(first: Scores, second: Scores) -> list[tuple[str, str]]:
    """Pairs of options common to both tables whose separated order differs between them.

    A pair's order is +1, -1 or 0 (not separated) by its paired interval
    (:attr:`~optguide.analysis.stats.PairedDifference.sign`); a pair is listed when the two
    tables give it different orders (a reversal, or separated in one table only).
    """
    common = {k: first[k] for k in first if k in second}
    before = pair_differences(common)
    after = pair_differences({k: second[k] for k in common})
    return [pair for pair in before if before[pair].sign != after[pair].sign]
