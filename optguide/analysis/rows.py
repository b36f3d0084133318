"""One row type for every table of test accuracy over report seeds.

A :class:`Row` is one option (an optimizer under one setting, protocol or preset): its test
accuracy on the report seeds as a mean with a 95 % interval, the learning rate it used, and
its per-seed scores for paired comparisons. A diverged run scores 0 (the analysis layer's one
rule, :func:`optguide.analysis.scoring.final_metric`) and is counted in ``diverged``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..results import Run
from .scoring import final_metric
from .stats import Estimate, mean_ci


@dataclass(frozen=True)
class Row:
    """One option of one column: test accuracy over seeds, the rate used, per-seed scores.

    ``at_edge`` flags a chosen rate at an edge of its grid; ``val_accuracy`` is the
    validation accuracy that chose it; ``chosen`` the chosen values as ``key=value;...``.
    """

    key: str
    label: str
    lr: float
    test: Estimate
    scores: dict[int, float]
    val_scores: dict[int, float]
    diverged: int
    val_accuracy: float | None = None
    at_edge: bool = False
    chosen: str = ""

    @property
    def runs(self) -> int:
        return self.test.n


def make_row(key: str, label: str, runs: list[Run], **extra) -> Row:
    """The :class:`Row` of ``runs`` (one learning rate, one run per seed)."""
    scores = {run.seed: final_metric(run, "test_accuracy") for run in runs}
    val_scores = {run.seed: final_metric(run, "val_accuracy") for run in runs}
    lrs = {run.lr for run in runs}
    if len(lrs) != 1:
        raise ValueError(f"{label}: runs with several learning rates {sorted(lrs)}; "
                         "a row needs one")
    return Row(key, label, lrs.pop(), mean_ci(list(scores.values())), scores, val_scores,
               sum(run.status != "ok" for run in runs), **extra)
