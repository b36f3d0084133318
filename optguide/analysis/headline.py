"""Library defaults versus tuned learning rates: the rows of the site's headline table.

A :class:`Row` is one optimizer (or tuned configuration) in one column: its test accuracy on
the report seeds as a mean with a 95 % interval, the learning rate it used, and its per-seed
scores for paired comparisons. Default columns come from a comparison
(:class:`~optguide.results.Results` of :func:`optguide.compare.compare`), the tuned column from a
study (:func:`optguide.tune.tune`), whose rates were chosen on validation accuracy. Rows of
different columns pair on their common seeds: run both on the same seeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..results import Results, Run
from ..tune import CANDIDATES, Study, choices, report_runs
from .names import join_names, possessive
from .scoring import final_metric
from .stats import Estimate, leaders, mean_ci, paired_difference


@dataclass(frozen=True)
class Row:
    """One option of one column: test accuracy over seeds, the rate used, per-seed scores.

    ``at_edge`` (tuned rows) flags a chosen rate at an edge of its widened grid;
    ``val_accuracy`` is the validation accuracy that chose it.
    """

    key: str
    label: str
    lr: float
    test: Estimate
    scores: dict[int, float]
    diverged: int
    val_accuracy: float | None = None
    at_edge: bool = False

    @property
    def runs(self) -> int:
        return self.test.n


def _row(key: str, label: str, runs: list[Run], **extra) -> Row:
    scores = {run.seed: final_metric(run, "test_accuracy") for run in runs}
    lrs = {run.lr for run in runs}
    if len(lrs) != 1:
        raise ValueError(f"{label}: runs with several learning rates {sorted(lrs)}; "
                         "a row needs one")
    return Row(key, label, lrs.pop(), mean_ci(list(scores.values())), scores,
               sum(run.status != "ok" for run in runs), **extra)


def default_rows(results: Results, preset: str) -> dict[str, Row]:
    """Rows of a comparison under ``preset``, keyed by optimizer (one learning rate each)."""
    rows: dict[str, Row] = {}
    for optimizer in dict.fromkeys(run.optimizer for run in results.runs):
        runs = [r for r in results.runs if r.optimizer == optimizer and r.preset == preset]
        if runs:
            rows[optimizer] = _row(optimizer, CANDIDATES[optimizer].label, runs)
    if not rows:
        raise ValueError(f"no runs with preset {preset!r} in the results")
    return rows


def tuned_rows(study_results: Results) -> dict[str, Row]:
    """Rows of a study, keyed by candidate: report-seed test accuracy at the chosen rate."""
    chosen = choices(study_results)
    study = Study.from_dict(study_results.config)
    rows = {}
    for candidate in study.candidates:
        choice = chosen[candidate]
        runs = report_runs(study_results, candidate)
        if not runs:
            raise ValueError(f"the study has no report runs of {candidate}")
        row = _row(candidate, CANDIDATES[candidate].label, runs,
                   val_accuracy=choice.val_accuracy, at_edge=choice.at_edge)
        if row.lr != choice.lr:
            raise ValueError(f"{candidate}: report runs use lr {row.lr:g} but validation chose "
                             f"{choice.lr:g}; the study file is inconsistent")
        rows[candidate] = row
    return rows


def selection_curves(study_results: Results) -> dict[str, list[tuple[float, float, int]]]:
    """Per candidate: (rate, mean final validation accuracy, diverged runs) over the grid."""
    return {name: list(choice.grid) for name, choice in choices(study_results).items()}


def scores(rows: Mapping[str, Row]) -> dict[str, dict[int, float]]:
    return {key: row.scores for key, row in rows.items()}


def names(keys: Iterable[str]) -> str:
    """``"Adam"``, ``"Adam and RMSprop"``, ``"SGD + Nesterov + cosine and Adam"``."""
    return join_names(CANDIDATES[key].label if key in CANDIDATES else key for key in keys)


def column_finding(rows: Mapping[str, Row], column: str) -> str:
    """Who leads a column, only as far as paired intervals separate the options.

    ``column`` names it in the sentence (e.g. "with PyTorch's defaults").
    """
    table = scores(rows)
    top = leaders(table)
    if len(top) == len(table):
        return (f"{column}, the paired 95 % intervals separate none of the "
                f"{len(table)} optimizers")
    if len(top) == 1:
        return f"{column}, {names(top)} is ahead of every other optimizer"
    return f"{column}, {names(top)} are ahead of the rest but not separated from each other"


def tuning_gain(defaults: Mapping[str, Row], tuned: Mapping[str, Row]) -> dict[str, object]:
    """Per optimizer in both: paired difference tuned minus defaults (test accuracy)."""
    return {key: paired_difference(tuned[key].scores, defaults[key].scores)
            for key in defaults if key in tuned}


def headline_finding(defaults: Results, study_results: Results) -> str:
    """The sentences the home page prints under the headline table, from the numbers."""
    presets = list(dict.fromkeys(run.preset for run in defaults.runs))
    parts = [column_finding(default_rows(defaults, p), f"With {possessive(p)} defaults")
             for p in presets]
    tuned = tuned_rows(study_results)
    parts.append(column_finding(tuned, "With each learning rate tuned on validation"))
    same_top = {frozenset(leaders(scores(default_rows(defaults, p)))) for p in presets}
    tail = ("the leaders change with whose defaults are used" if len(same_top) > 1
            else "both libraries' defaults give the same leaders")
    return ". ".join(parts) + f"; {tail}."
