"""The analysis layer between results and every page: statistics, rankings, names, phrasing.

Pages, examples and claims call these functions instead of re-implementing them.
:mod:`optguide.analysis.stats` holds the paired statistics over seeds.
"""

from .stats import (
    Estimate,
    PairedDifference,
    laggards,
    leaders,
    mean_ci,
    paired_difference,
    t_quantile_975,
)

__all__ = ["Estimate", "PairedDifference", "laggards", "leaders", "mean_ci",
           "paired_difference", "t_quantile_975"]
