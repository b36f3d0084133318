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

from ..results import Results
from .filtering import group, where
from .lr_study import CANDIDATES, choices, report_runs
from .names import join_names, ordinal, possessive
from .rows import Row, make_row
from .scoring import final_metric, rank_range, tie_groups
from .stats import PairedDifference, leaders, paired_difference


def default_rows(results: Results, preset: str) -> dict[str, Row]:
    """Rows of a comparison under ``preset``, keyed by optimizer (one learning rate each)."""
    rows = {optimizer: make_row(optimizer, CANDIDATES[optimizer].label, runs)
            for (optimizer,), runs in group(where(results, preset=preset), "optimizer").items()}
    if not rows:
        raise ValueError(f"no runs with preset {preset!r} in the results")
    return rows


def tuned_rows(study_results: Results) -> dict[str, Row]:
    """Rows of a study, keyed by candidate: report-seed test accuracy at the chosen rate."""
    chosen = choices(study_results)
    rows = {}
    for candidate in study_results.config["candidates"]:
        choice = chosen[candidate]
        runs = report_runs(study_results, candidate)
        if not runs:
            raise ValueError(f"the study has no report runs of {candidate}")
        row = make_row(candidate, CANDIDATES[candidate].label, runs,
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
    """Per-seed test accuracies of the rows, for :mod:`optguide.analysis.stats`."""
    return {key: row.scores for key, row in rows.items()}


def validation_leaders(rows: Mapping[str, Row]) -> list[str]:
    """Options whose validation accuracy is not separated from the best one's (the rows a
    table may mark: chosen on validation, never on test)."""
    return leaders({key: row.val_scores for key, row in rows.items()})


def names(keys: Iterable[str]) -> str:
    """``"Adam"``, ``"Adam and RMSprop"``, ``"SGD + Nesterov + cosine and Adam"``."""
    return join_names(CANDIDATES[key].label if key in CANDIDATES else key for key in keys)


@dataclass(frozen=True)
class Column:
    """One column of the headline table: whose values, and a row per optimizer."""

    key: str
    title: str
    rows: dict[str, Row]


def headline_columns(defaults: Results, study_results: Results) -> list[Column]:
    """A column per preset of ``defaults`` (library defaults), then the tuned column."""
    presets = list(dict.fromkeys(run.preset for run in defaults.runs))
    columns = [Column(p, f"{possessive(p)} defaults", default_rows(defaults, p))
               for p in presets]
    preset = study_results.config.get("preset", "pytorch")
    columns.append(Column("tuned", f"Tuned on validation ({possessive(preset)} other "
                          "values)", tuned_rows(study_results)))
    return columns


def column_clause(column: Column) -> str:
    """Who leads a column and where Adadelta stands, as far as paired intervals separate."""
    table = scores(column.rows)
    groups = tie_groups(table)
    top = groups[0]
    if len(top) == len(table):
        return (f"{column.title}: the paired 95 % intervals separate none of the "
                f"{len(table)} options")
    lead = (f"**{names(top)}** leads" if len(top) == 1
            else f"**{names(top)}** lead, not separable from each other")
    clause = f"{column.title}: {lead}"
    if "adadelta" in table:
        first, last = rank_range("adadelta", groups)
        place = ordinal(first) if first == last else f"{ordinal(first)} to {ordinal(last)}"
        clause += f"; Adadelta ranks {place} of {len(table)}"
    return clause


def headline_finding(columns: list[Column]) -> str:
    """The finding under the headline table, computed from the paired intervals.

    One clause per column, then whether the leaders change between the columns (a ranking
    "depends" on the protocol only when the leader sets differ).
    """
    tops = {column.key: frozenset(tie_groups(scores(column.rows))[0]) for column in columns}
    defaults = [c.key for c in columns if c.key != "tuned"]
    by_defaults = len({tops[k] for k in defaults}) > 1
    by_tuning = "tuned" in tops and any(tops["tuned"] != tops[k] for k in defaults)
    if by_defaults and by_tuning:
        opening = ("**The leaders depend on whose defaults are used, and change again when "
                   "each learning rate is tuned**")
    elif by_defaults:
        opening = "**The leaders depend on whose defaults are used**"
    elif by_tuning:
        opening = "**The leaders change when each learning rate is tuned**"
    else:
        opening = "Defaults and tuning give the same leaders"
    return (opening + ". " + ". ".join(column_clause(c) for c in columns)
            + ". (Test accuracy over the report seeds; a lead counts only where the paired "
            "95 % interval over seeds excludes zero.)")


def tuning_gain(defaults: Mapping[str, Row], tuned: Mapping[str, Row]
                ) -> dict[str, PairedDifference]:
    """Per optimizer in both: paired difference tuned minus defaults (test accuracy)."""
    return {key: paired_difference(tuned[key].scores, defaults[key].scores)
            for key in defaults if key in tuned}


def report_scores(study_results: Results, candidate: str, metric: str = "test_accuracy"
                  ) -> dict[int, float]:
    """Per-seed final ``metric`` of ``candidate``'s report runs (e.g. ``"test_loss"``;
    :func:`~optguide.analysis.scoring.final_metric`'s rule for diverged runs)."""
    runs = report_runs(study_results, candidate)
    if not runs:
        raise ValueError(f"the study has no report runs of {candidate}")
    return {run.seed: final_metric(run, metric) for run in runs}


def label(key: str) -> str:
    """Display name of a tuned candidate or an optimizer (``"SGD + cosine"``, ``"Adam"``)."""
    return CANDIDATES[key].label if key in CANDIDATES else key
