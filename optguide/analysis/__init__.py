"""The analysis layer between results and every page: filtering, scores, rankings, paired
statistics, sweeps, timing, names and phrasing.

Pages, examples and claims call these functions instead of re-implementing them:

- :mod:`~optguide.analysis.filtering`: :func:`where` (runs matching criteria, as Results),
  :func:`group` (runs by setting);
- :mod:`~optguide.analysis.scoring`: the one ranking rule (a diverged run scores 0 accuracy),
  per-seed :func:`scores`, :func:`ranking`, :func:`tie_groups`, and the one choosing rule
  :func:`best_of` (the best mean wins, a tie goes to the earliest candidate);
- :mod:`~optguide.analysis.stats`: paired differences with 95 % t-intervals, Holm's
  correction, equivalence (two one-sided tests) within a declared margin;
- :mod:`~optguide.analysis.rows`: the one row type of every accuracy table;
- :mod:`~optguide.analysis.study`: readers of the equal-effort study (choices, report rows,
  tuning curves, stability, budget, the protocol table and its finding);
- :mod:`~optguide.analysis.lr_study`: readers of a learning-rate study (candidates, choices,
  report runs);
- :mod:`~optguide.analysis.sweep`: learning-rate profiles and choices on validation;
- :mod:`~optguide.analysis.batches`: sweeps at several batch sizes, noise costs;
- :mod:`~optguide.analysis.timing`: time to a target, a metric after a budget;
- :mod:`~optguide.analysis.names`: display names and phrasing.
"""

from .. import script_errors
from .filtering import distinct, group, split, where
from .names import (
    COLORS,
    OPTIMIZER_NAMES,
    PRESET_NAMES,
    batch_label,
    join_names,
    number,
    optimizer_name,
    ordinal,
    percent,
    points,
    possessive,
    preset_name,
)
from .scoring import (
    DIVERGED_ACCURACY,
    best_of,
    estimates,
    final_metric,
    kendall_tau,
    mean_score,
    rank_range,
    ranking,
    scores,
    tie_groups,
)
from .stats import (
    Estimate,
    PairedDifference,
    laggards,
    leaders,
    mean_ci,
    paired_difference,
    t_quantile_975,
)
from .sweep import SELECTION_METRIC, best_learning_rate, good_intervals, good_range_decades, profile
from .timing import (
    epochs_to,
    evaluations_by_update,
    metric_at_seconds,
    metric_at_updates,
    seconds_to,
    time_to_target,
    updates_per_epoch,
)

__all__ = ["COLORS", "DIVERGED_ACCURACY", "Estimate", "OPTIMIZER_NAMES", "PRESET_NAMES",
           "PairedDifference", "SELECTION_METRIC", "batch_label", "best_learning_rate", "best_of",
           "distinct", "epochs_to", "estimates", "final_metric", "good_intervals",
           "good_range_decades", "group",
           "join_names", "kendall_tau", "laggards", "leaders", "mean_ci",
           "mean_score", "metric_at_seconds", "number", "optimizer_name", "ordinal",
           "paired_difference",
           "percent", "points", "possessive", "preset_name", "profile", "rank_range", "ranking",
           "scores", "seconds_to", "split", "t_quantile_975", "tie_groups",
           "time_to_target", "where",
           "evaluations_by_update", "metric_at_updates", "updates_per_epoch"]

# Every gallery example imports this layer: run as a program, a missing MNIST ends it with
# the command line's one line instead of a traceback.
script_errors.install()
