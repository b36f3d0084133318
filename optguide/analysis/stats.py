"""Paired statistics over seeds: means with confidence intervals and the separation rule.

Runs that share a seed share their initial weights and their minibatch order, so two
optimizers are compared seed by seed: the per-seed differences :math:`d_s = a_s - b_s` have
mean :math:`\\bar d` and standard deviation :math:`s_d`, and the 95 % confidence interval of the
mean difference is the t-interval

.. math::

    \\bar d \\pm t_{0.975,\\,n-1}\\, s_d / \\sqrt{n}.

A difference *counts* only when its interval excludes zero (:attr:`PairedDifference.separated`).
With one seed there is no interval: nothing is separated and tables show ``n = 1``, never
"± 0.00".
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Two-sided 95 % quantiles of Student's t distribution, t_{0.975, df}, for df = 1..30.
_T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)
_Z975 = 1.959964


def t_quantile_975(df: int) -> float:
    """:math:`t_{0.975,\\,df}`: exact table for ``df <= 30``, Cornish-Fisher expansion above.

    Raises
    ------
    ValueError
        For ``df < 1``.
    """
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


@dataclass(frozen=True)
class Estimate:
    """A mean over ``n`` seeds and the half-width of its 95 % confidence interval.

    ``half_width`` is ``None`` when ``n == 1`` (no interval can be computed).
    """

    mean: float
    half_width: float | None
    n: int

    @property
    def low(self) -> float:
        return self.mean - (self.half_width if self.half_width is not None else math.inf)

    @property
    def high(self) -> float:
        return self.mean + (self.half_width if self.half_width is not None else math.inf)

    def format(self, scale: float = 100.0, digits: int = 2, unit: str = "",
               show_n: bool = True) -> str:
        """``"97.31 ± 0.12 % (n = 5)"``; one run: ``"97.31 % (n = 1)"``."""
        text = f"{self.mean * scale:.{digits}f}"
        if self.half_width is not None:
            text += f" ± {self.half_width * scale:.{digits}f}"
        text += unit
        return text + (f" (n = {self.n})" if show_n else "")


def mean_ci(values: Sequence[float]) -> Estimate:
    """Mean of ``values`` with the half-width of its 95 % t-interval.

    Raises
    ------
    ValueError
        When ``values`` is empty.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("no values to average")
    n = len(values)
    if n == 1:
        return Estimate(values[0], None, 1)
    half = t_quantile_975(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return Estimate(statistics.fmean(values), half, n)


@dataclass(frozen=True)
class PairedDifference:
    """Mean of per-seed differences ``a - b`` with its 95 % interval ``[low, high]``."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def separated(self) -> bool:
        """Whether the interval excludes zero (the difference counts)."""
        return self.low > 0 or self.high < 0

    @property
    def sign(self) -> int:
        """+1 when ``a`` is reliably larger, -1 when reliably smaller, 0 when not separated."""
        return 0 if not self.separated else (1 if self.mean > 0 else -1)

    def format(self, scale: float = 100.0, digits: int = 2, unit: str = " points") -> str:
        """``"+0.42 points [+0.10, +0.74], n = 5"`` (a value that rounds to zero: ``0.00``)."""
        def signed(value: float) -> str:
            text = f"{value * scale:+.{digits}f}"
            return text[1:] if float(text) == 0 else text

        if self.n < 2:
            return f"{signed(self.mean)}{unit} (n = 1, no interval)"
        return (f"{signed(self.mean)}{unit} [{signed(self.low)}, {signed(self.high)}], "
                f"n = {self.n}")


def paired_difference(a: Mapping[int, float], b: Mapping[int, float]) -> PairedDifference:
    """Paired comparison of two options measured on the same seeds (keys).

    Only seeds present in both mappings are used.

    Raises
    ------
    ValueError
        When the two share no seed.
    """
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError("the two options share no seed; a paired comparison needs common seeds")
    estimate = mean_ci([a[s] - b[s] for s in seeds])
    if estimate.half_width is None:
        return PairedDifference(estimate.mean, -math.inf, math.inf, 1)
    return PairedDifference(estimate.mean, estimate.low, estimate.high, estimate.n)


def leaders(scores: Mapping[str, Mapping[int, float]]) -> list[str]:
    """Options not reliably worse than the one with the highest mean (higher is better).

    The option with the highest mean over seeds leads; every other option whose paired
    difference to it is not separated is tied with it. The result is ordered by mean.
    """
    if not scores:
        raise ValueError("no options to rank")
    order = sorted(scores, key=lambda k: statistics.fmean(scores[k].values()), reverse=True)
    top = order[0]
    return [top] + [k for k in order[1:] if not paired_difference(scores[top], scores[k]).separated]


def laggards(scores: Mapping[str, Mapping[int, float]]) -> list[str]:
    """Options not reliably better than the one with the lowest mean (the mirror of
    :func:`leaders`)."""
    flipped = {k: {s: -v for s, v in seeds.items()} for k, seeds in scores.items()}
    return leaders(flipped)


#: Equivalence margin (test accuracy, a fraction): two options whose paired difference lies
#: reliably within +-0.2 points are called *equivalent*. Fixed before any study was run: 0.2
#: points is 20 of the 10,000 test images, below the spread between two seeds of one
#: configuration here (about 0.1-0.3 points) and below what anyone would pick an optimizer
#: for; a reader who needs a finer margin needs more seeds than this site trains.
EQUIVALENCE_MARGIN = 0.002

#: Family-wise error rate of every corrected family of paired comparisons.
ALPHA = 0.05


def _paired(a: Mapping[int, float], b: Mapping[int, float]) -> tuple[float, float, int]:
    """Mean difference, its standard error and n over the common seeds."""
    seeds = sorted(set(a) & set(b))
    if not seeds:
        raise ValueError("the two options share no seed; a paired comparison needs common seeds")
    diffs = [a[s] - b[s] for s in seeds]
    n = len(diffs)
    se = statistics.stdev(diffs) / math.sqrt(n) if n > 1 else math.inf
    return statistics.fmean(diffs), se, n


def p_value(a: Mapping[int, float], b: Mapping[int, float]) -> float:
    """Two-sided p-value of the paired t-test of ``a - b`` = 0 (1 with one seed)."""
    from scipy import stats

    mean, se, n = _paired(a, b)
    if n < 2:
        return 1.0
    if se == 0:
        return 0.0 if mean != 0 else 1.0
    return float(2 * stats.t.sf(abs(mean) / se, n - 1))


def corrected_difference(a: Mapping[int, float], b: Mapping[int, float], level: float
                         ) -> PairedDifference:
    """:func:`paired_difference` with a ``level`` interval (e.g. ``1 - 0.05 / m``)."""
    from scipy import stats

    mean, se, n = _paired(a, b)
    if n < 2:
        return PairedDifference(mean, -math.inf, math.inf, n)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se
    return PairedDifference(mean, mean - half, mean + half, n)


def holm(p_values: Mapping[Any, float], alpha: float = ALPHA) -> dict[Any, bool]:
    """Holm's step-down correction: which of a family's hypotheses are rejected.

    The p-values are sorted ascending; the ``i``-th (from 0) is rejected while
    ``p <= alpha / (m - i)``, and the procedure stops at the first that is not. The
    family-wise error rate stays at most ``alpha`` for any dependence between the tests.
    """
    order = sorted(p_values, key=lambda key: p_values[key])
    m, rejected, going = len(order), {}, True
    for i, key in enumerate(order):
        going = going and p_values[key] <= alpha / (m - i)
        rejected[key] = going
    return rejected


def separated_pairs(table: Mapping[str, Mapping[int, float]],
                    pairs: Sequence[tuple[str, str]] | None = None,
                    alpha: float = ALPHA) -> dict[tuple[str, str], int]:
    """The family ``pairs`` (default: every pair of ``table``) under Holm's correction:
    +1 when ``a`` is reliably higher than ``b``, -1 reliably lower, 0 not separated."""
    from itertools import combinations

    pairs = list(pairs) if pairs is not None else list(combinations(table, 2))
    means = {pair: _paired(table[pair[0]], table[pair[1]])[0] for pair in pairs}
    rejected = holm({pair: p_value(table[pair[0]], table[pair[1]]) for pair in pairs}, alpha)
    return {pair: (0 if not rejected[pair] else (1 if means[pair] > 0 else -1))
            for pair in pairs}


def equivalent(a: Mapping[int, float], b: Mapping[int, float],
               margin: float = EQUIVALENCE_MARGIN, alpha: float = ALPHA, tests: int = 1
               ) -> bool:
    """Two one-sided tests (TOST): the ``1 - 2 alpha / tests`` interval of ``a - b`` lies
    inside ``[-margin, +margin]`` (Bonferroni over ``tests`` comparisons)."""
    diff = corrected_difference(a, b, 1 - 2 * alpha / tests)
    return -margin < diff.low and diff.high < margin


def holm_leaders(table: Mapping[str, Mapping[int, float]], alpha: float = ALPHA
                 ) -> list[str]:
    """The best mean and every option Holm's correction over *all* pairs of ``table`` does
    not separate from it, ordered by mean."""
    order = sorted(table, key=lambda k: statistics.fmean(table[k].values()), reverse=True)
    signs = separated_pairs(table, alpha=alpha)
    top = order[0]

    def sign(a: str, b: str) -> int:
        return signs[(a, b)] if (a, b) in signs else -signs[(b, a)]

    return [top] + [k for k in order[1:] if sign(top, k) == 0]


def holm_groups(table: Mapping[str, Mapping[int, float]], alpha: float = ALPHA
                ) -> list[list[str]]:
    """The ranking as tie groups under Holm's correction over *all* pairs of ``table``: the
    best mean and every option not separated from it, then the same on what is left (the
    separations are those of the one family). The first group is :func:`holm_leaders`."""
    signs = separated_pairs(table, alpha=alpha)

    def sign(a: str, b: str) -> int:
        return signs[(a, b)] if (a, b) in signs else -signs[(b, a)]

    left = sorted(table, key=lambda k: statistics.fmean(table[k].values()), reverse=True)
    groups = []
    while left:
        top = left[0]
        group = [top] + [k for k in left[1:] if sign(top, k) == 0]
        groups.append(group)
        left = [k for k in left if k not in group]
    return groups
