"""Readers of the equal-effort study file: choices, report rows, tuning curves, stability,
budget, the protocol table and its finding.

Everything here is a pure function of the study's :class:`~optguide.results.Results` (its
``config`` holds the trials, the index of which runs belong to which protocol, optimizer and
trial, and the seed sets; see :mod:`optguide.study`). Nothing here imports the tuning code:
the file is the whole interface. Choices read validation accuracy only; test accuracy only
reports.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..optimizers import hyperparameters
from ..results import Results, Run
from .names import join_names, optimizer_name, percent
from .rows import Row, make_row
from .scoring import best_of, final_metric, kendall_tau
from .stats import (
    EQUIVALENCE_MARGIN,
    corrected_difference,
    holm_leaders,
    mean_ci,
    separated_pairs,
)

KIND = "search_study"
PROTOCOLS = ("defaults", "keras_defaults", "lr", "full")
#: Protocols that choose among trials (the others train one configuration).
TUNED = ("lr", "full")
#: What each protocol is called in tables (short) and in sentences.
PROTOCOL_TITLES = {"defaults": "PyTorch's defaults", "keras_defaults": "Keras' defaults",
                   "lr": "learning rate tuned", "full": "everything tuned"}
PROTOCOL_WORDS = {"defaults": "at PyTorch's defaults", "keras_defaults": "at Keras' defaults",
                  "lr": "with only the learning rate tuned",
                  "full": "with every hyperparameter and the schedule tuned"}
SEED_SETS = ("select", "check", "report")


def is_search_study(results: Results) -> bool:
    return results.config.get("kind") == KIND


def seeds(results: Results, which: str) -> tuple[int, ...]:
    """The ``"select"``, ``"check"`` or ``"report"`` seeds of the study."""
    if which not in SEED_SETS:
        raise ValueError(f"unknown seed set {which!r}; choose from {', '.join(SEED_SETS)}")
    return tuple(results.config[f"{which}_seeds"])


def optimizers(results: Results) -> list[str]:
    return list(results.config["optimizers"])


def protocols(results: Results) -> list[str]:
    """The protocols the study ran, in :data:`PROTOCOLS` order."""
    return [p for p in PROTOCOLS if p in results.config.get("protocols", PROTOCOLS)]


def _entries(results: Results, protocol: str, optimizer: str, phase: str) -> list[dict]:
    return [e for e in results.config["index"]
            if (e["protocol"], e["optimizer"], e["phase"]) == (protocol, optimizer, phase)]


def trial_values(results: Results, protocol: str, optimizer: str, trial: int
                 ) -> dict[str, Any]:
    """The searched values of one trial and its schedule (``{"lr": ..., "schedule": ...}``)."""
    entry = results.config["trial_values"][protocol][optimizer][trial]
    return {**entry["overrides"], "schedule": entry["schedule"]}


def trial_count(results: Results, protocol: str, optimizer: str) -> int:
    """Trials the protocol gave ``optimizer`` (0 for the defaults: nothing is chosen)."""
    if protocol not in TUNED:
        return 0
    return len(results.config["trial_values"][protocol][optimizer])


def trial_scores(results: Results, protocol: str, optimizer: str, which: str = "select",
                 metric: str = "val_accuracy") -> dict[int, dict[int, float]]:
    """Trial -> seed -> final ``metric`` on the ``which`` seeds (a diverged run scores 0)."""
    wanted = set(seeds(results, which))
    table: dict[int, dict[int, float]] = {}
    for entry in _entries(results, protocol, optimizer, "select"):
        runs = [results.runs[i] for i in entry["runs"]]
        table[entry["trial"]] = {r.seed: final_metric(r, metric) for r in runs if r.seed in wanted}
    return table


@dataclass(frozen=True)
class StudyChoice:
    """The trial a protocol chose for one optimizer, on one seed set."""

    protocol: str
    optimizer: str
    trial: int
    values: dict[str, Any]
    val_accuracy: float | None
    at_edge: bool = False

    @property
    def text(self) -> str:
        """``"lr=0.001;momentum=0.9;schedule=cosine"`` (the csv's ``chosen``)."""
        return chosen_text(self.values)


def chosen_text(values: Mapping[str, Any]) -> str:
    def show(value: Any) -> str:
        if isinstance(value, (list, tuple)):
            return "(" + ",".join(show(v) for v in value) + ")"
        return f"{value:g}" if isinstance(value, float) else str(value)

    return ";".join(f"{k}={show(v)}" for k, v in sorted(values.items()) if k != "schedule") + \
        f";schedule={values.get('schedule', 'constant')}"


def choose(scores: Mapping[int, Mapping[int, float]]) -> tuple[int, float]:
    """The best mean over seeds; a tie goes to the earlier trial
    (:func:`~optguide.analysis.scoring.best_of` over the trials in order)."""
    best = best_of({trial: scores[trial] for trial in sorted(scores)})
    return best, statistics.fmean(scores[best].values())


def choice(results: Results, protocol: str, optimizer: str, which: str = "select"
           ) -> StudyChoice:
    """The trial ``protocol`` chooses for ``optimizer`` on the ``which`` seeds."""
    if protocol not in TUNED:  # nothing chosen: the preset's learning rate, constant
        preset = "keras" if protocol == "keras_defaults" else "pytorch"
        values = {"lr": hyperparameters(optimizer, preset)["lr"],
                  **trial_values(results, protocol, optimizer, 0)}
        return StudyChoice(protocol, optimizer, 0, values, None)
    scores = trial_scores(results, protocol, optimizer, which)
    trial, mean = choose(scores)
    edge = protocol == "lr" and trial in (min(scores), max(scores))
    return StudyChoice(protocol, optimizer, trial,
                       trial_values(results, protocol, optimizer, trial), mean, edge)


def report_runs(results: Results, protocol: str, optimizer: str) -> list[Run]:
    """The runs of the chosen configuration on the report seeds."""
    entries = _entries(results, protocol, optimizer, "report")
    if len(entries) != 1:
        raise ValueError(f"the study has no report runs of {optimizer} ({protocol})")
    return [results.runs[i] for i in entries[0]["runs"]]


def rows(results: Results, protocol: str) -> dict[str, Row]:
    """One :class:`~optguide.analysis.rows.Row` per optimizer: the report seeds' test
    accuracy of the configuration ``protocol`` chose (checked against the file's index)."""
    table = {}
    for optimizer in optimizers(results):
        chosen = choice(results, protocol, optimizer)
        entry = _entries(results, protocol, optimizer, "report")[0]
        if entry["trial"] != chosen.trial:
            raise ValueError(f"{optimizer} ({protocol}): the report runs are of trial "
                             f"{entry['trial']} but validation chooses trial {chosen.trial}; "
                             "the study file is inconsistent")
        table[optimizer] = make_row(optimizer, optimizer_name(optimizer),
                                    report_runs(results, protocol, optimizer),
                                    val_accuracy=chosen.val_accuracy, at_edge=chosen.at_edge,
                                    chosen=chosen.text)
    return table


def scores(table: Mapping[str, Row]) -> dict[str, dict[int, float]]:
    return {key: row.scores for key, row in table.items()}


# Tuning curves ---------------------------------------------------------------------------

def expected_best(values: Sequence[float], k: int) -> tuple[float, float]:
    """Mean and standard deviation of the best of ``k`` values drawn without replacement.

    Exact over all orderings of ``values`` (Dodge et al. 2019 draw with replacement; without
    replacement the curve ends at the best trial at ``k = len(values)``): sorted ascending
    as :math:`v_{(1)} \\le \\dots \\le v_{(N)}`, the best of ``k`` is :math:`v_{(i)}` with
    probability :math:`\\binom{i-1}{k-1} / \\binom{N}{k}`.
    """
    ordered = sorted(values)
    n = len(ordered)
    if not 1 <= k <= n:
        raise ValueError(f"k must be in 1..{n}, got {k}")
    total = math.comb(n, k)
    weights = [math.comb(i - 1, k - 1) / total for i in range(1, n + 1)]
    mean = sum(w * v for w, v in zip(weights, ordered))
    var = sum(w * (v - mean) ** 2 for w, v in zip(weights, ordered))
    return mean, math.sqrt(max(var, 0.0))


def best_of_quantile(values: Sequence[float], k: int, q: float) -> float:
    """The ``q``-quantile of the best of ``k`` values drawn without replacement (exact: the
    same order-statistic weights as :func:`expected_best`)."""
    ordered = sorted(values)
    n = len(ordered)
    total = math.comb(n, k)
    cumulative = 0.0
    for i, value in enumerate(ordered, start=1):
        cumulative += math.comb(i - 1, k - 1) / total
        if cumulative >= q - 1e-12:
            return value
    return ordered[-1]


def tuning_curve(results: Results, optimizer: str, protocol: str = "full",
                 which: str = "select") -> list[tuple[int, float, float, float]]:
    """(k, expected best mean validation accuracy after k trials, its lower and upper
    quartile) for k = 1 ... the budget, over every order of the protocol's trials."""
    means = [statistics.fmean(v.values())
             for v in trial_scores(results, protocol, optimizer, which).values()]
    return [(k, expected_best(means, k)[0], best_of_quantile(means, k, 0.25),
             best_of_quantile(means, k, 0.75)) for k in range(1, len(means) + 1)]


def expected_best_per_seed(results: Results, optimizer: str, k: int,
                           protocol: str = "full") -> dict[int, float]:
    """Seed -> expected best validation accuracy after ``k`` trials on that seed alone, over
    the selection and check seeds: the paired scores a claim about tuning effort compares."""
    table = {}
    for which in ("select", "check"):
        scores = trial_scores(results, protocol, optimizer, which)
        for seed in seeds(results, which):
            table[seed] = expected_best([s[seed] for s in scores.values()], k)[0]
    return table


# Stability -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Stability:
    """The choice repeated on the check seeds.

    ``gap`` is how much worse, on the check seeds' mean validation accuracy, the
    selection seeds' choice is than the check seeds' own choice (0 when the same trial wins).
    """

    optimizer: str
    protocol: str
    chosen: int
    check_chosen: int
    gap: float

    @property
    def same(self) -> bool:
        return self.chosen == self.check_chosen

    @property
    def within_margin(self) -> bool:
        return self.gap <= EQUIVALENCE_MARGIN


def stability(results: Results, protocol: str) -> dict[str, Stability]:
    """Per optimizer: does the choice hold on the second, disjoint set of selection seeds?"""
    found = {}
    for optimizer in optimizers(results):
        first = choice(results, protocol, optimizer, "select")
        second = choice(results, protocol, optimizer, "check")
        on_check = trial_scores(results, protocol, optimizer, "check")
        gap = second.val_accuracy - statistics.fmean(on_check[first.trial].values())
        found[optimizer] = Stability(optimizer, protocol, first.trial, second.trial, gap)
    return found


# Budget ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StudyBudget:
    """What the study cost."""

    trials: dict[str, dict[str, int]]
    runs: int
    run_epochs: int
    training_seconds: float
    wall_seconds: float | None
    select_seeds: int
    check_seeds: int
    report_seeds: int


def budget(results: Results) -> StudyBudget:
    """Trials per protocol and optimizer, runs, run-epochs (a diverged run stops early) and
    seconds (the training seconds the runs record, and the wall-clock time of the call)."""
    trials = {p: {o: trial_count(results, p, o) for o in optimizers(results)}
              for p in protocols(results)}
    epochs = sum(len(r.history) + (r.status != "ok") for r in results.runs)
    seconds = sum(e["seconds"] for r in results.runs for e in r.history)
    return StudyBudget(trials, len(results.runs), epochs, seconds,
                       results.config.get("wall_seconds"),
                       *(len(seeds(results, w)) for w in SEED_SETS))


def equal_effort(results: Results) -> bool:
    """Whether every optimizer got the same number of trials in each protocol."""
    return all(len(set(counts.values())) == 1 for counts in budget(results).trials.values())


# The table and its finding ---------------------------------------------------------------

def table_rows(results: Results) -> list[dict[str, Any]]:
    """One dict per protocol and optimizer: the columns of ``optguide table STUDY``."""
    out = []
    for protocol in protocols(results):
        for optimizer, row in rows(results, protocol).items():
            out.append({"protocol": protocol, "optimizer": optimizer,
                        "trials": trial_count(results, protocol, optimizer),
                        "chosen": row.chosen, "val_accuracy": row.val_accuracy,
                        "accuracy_mean": row.test.mean, "accuracy_ci": row.test.half_width,
                        "n": row.test.n})
    return out


def leaders(results: Results, protocol: str) -> list[str]:
    """The protocol's best test mean and every optimizer not separated from it (Holm's
    correction over the column's pairs)."""
    return holm_leaders(scores(rows(results, protocol)))


def order(results: Results, protocol: str) -> list[str]:
    """Optimizers by mean test accuracy under ``protocol``, best first."""
    table = rows(results, protocol)
    return sorted(table, key=lambda k: table[k].test.mean, reverse=True)


def names(keys: Sequence[str]) -> str:
    return join_names(optimizer_name(k) for k in keys)


def finding(results: Results) -> str:
    """The headline's finding: who leads under each protocol and whether the ranking moves.

    Leaders are tie groups under Holm's correction over each column's pairs; "moves" compares
    the leader sets, and Kendall's tau the orders by mean of each default column with the
    fully tuned one.
    """
    shown = protocols(results)
    leads = {p: leaders(results, p) for p in shown}
    orders = {p: order(results, p) for p in shown}
    moved = len({frozenset(v) for v in leads.values()}) > 1
    first = ("**Which optimizer comes out on top depends on whose defaults are used and on how "
             "much each one is tuned.**" if moved
             else "**The same optimizers lead under every protocol.**")

    def lead(p: str) -> str:
        group = leads[p]
        who = names(group)
        verb = "leads" if len(group) == 1 else "lead, not separable from each other"
        best = rows(results, p)[group[0]].test.mean
        return f"{PROTOCOL_WORDS[p]}, {who} {verb} ({percent(best)} test accuracy)"

    clauses = [lead(p) for p in shown]
    opening = clauses[0][0].upper() + clauses[0][1:]
    text = f"{first} {'; '.join([opening, *clauses[1:]])}."
    if "full" in shown:
        taus = [f"{PROTOCOL_TITLES[p]} {kendall_tau(orders[p], orders['full']):+.2f}"
                for p in shown if p not in TUNED]
        if taus:
            text += (" Kendall's tau of each default ranking (by mean) with the fully tuned "
                     f"one: {', '.join(taus)} (1: the same order).")
    return text


def protocol_gains(results: Results, optimizer: str) -> dict[str, Any]:
    """Paired test-accuracy gains of ``optimizer``: learning rate tuned minus defaults and
    everything tuned minus learning rate, with intervals corrected for the two comparisons."""
    table = {p: rows(results, p)[optimizer].scores for p in PROTOCOLS}
    level = 1 - 0.05 / 2
    return {"lr_vs_defaults": corrected_difference(table["lr"], table["defaults"], level),
            "full_vs_lr": corrected_difference(table["full"], table["lr"], level)}


def pair_signs(results: Results, protocol: str) -> dict[tuple[str, str], int]:
    """Every pair of optimizers under ``protocol``: +1 / -1 / 0 after Holm's correction."""
    return separated_pairs(scores(rows(results, protocol)))


def report_estimate(results: Results, protocol: str, optimizer: str):
    """Mean test accuracy with its 95 % interval on the report seeds."""
    return mean_ci([final_metric(r) for r in report_runs(results, protocol, optimizer)])


@dataclass(frozen=True)
class Portfolio:
    """Schmidt et al.'s readout: pick the best of the optimizers at their defaults (on
    validation), against tuning a single optimizer fully.

    ``picked`` is the optimizer whose defaults have the best mean validation accuracy on the
    report runs; ``differences[o]`` is the paired test accuracy of ``o`` fully tuned minus
    ``picked`` at its defaults, ``signs[o]`` its sign under Holm's correction over the
    optimizers, ``equivalent[o]`` whether it lies within the equivalence margin.
    """

    picked: str
    differences: dict[str, Any]
    signs: dict[str, int]
    equivalent: dict[str, bool]


def defaults_portfolio(results: Results) -> Portfolio:
    """Several optimizers at their defaults against one optimizer tuned (see :class:`Portfolio`)."""
    from .stats import equivalent as within
    from .stats import holm, p_value, paired_difference

    defaults, full = rows(results, "defaults"), rows(results, "full")
    picked = best_of({k: row.val_scores for k, row in defaults.items()})
    base = defaults[picked].scores
    diffs = {o: paired_difference(full[o].scores, base) for o in full}
    rejected = holm({o: p_value(full[o].scores, base) for o in full})
    signs = {o: (0 if not rejected[o] else (1 if diffs[o].mean > 0 else -1)) for o in full}
    return Portfolio(picked, diffs, signs,
                     {o: within(full[o].scores, base, tests=len(full)) for o in full})


#: How close to an optimizer's best trial a trial must come to count as "good" (validation
#: accuracy, a fraction): half a point, fixed before the study was run (about the spread
#: between two seeds of one configuration here, so closer than that is not a real loss).
GOOD_WITHIN = 0.005


def good_learning_rates(results: Results, optimizer: str, protocol: str = "full",
                        within: float = GOOD_WITHIN) -> tuple[float, float, int, int]:
    """(lowest rate, highest rate, count, trials) of the trials whose mean validation accuracy
    is within ``within`` of the optimizer's best trial: where good rates were found (with the
    other hyperparameters and the schedule of those trials)."""
    scores = trial_scores(results, protocol, optimizer)
    means = {t: statistics.fmean(v.values()) for t, v in scores.items()}
    best = max(means.values())
    good = [trial_values(results, protocol, optimizer, t)["lr"] for t, m in means.items()
            if m >= best - within]
    return min(good), max(good), len(good), len(means)


@dataclass(frozen=True)
class ScheduleTrials:
    """One optimizer's trials with one schedule in a protocol's search.

    Attributes
    ----------
    schedule : str
        A name of :data:`optguide.search.SCHEDULES`.
    trials : int
        How many of the optimizer's trials drew it.
    best : float or None
        The best of those trials' mean validation accuracy (``None`` without trials).
    chosen : bool
        Whether the protocol's choice is one of them.
    """

    schedule: str
    trials: int
    best: float | None
    chosen: bool


def schedule_trials(results: Results, optimizer: str, protocol: str = "full"
                    ) -> list[ScheduleTrials]:
    """Per schedule the search drew for ``optimizer``: how many trials, the best mean
    validation accuracy among them, and whether the choice is one of them. An observation
    of the search, not a paired test: the trials differ in their other values too."""
    from ..search import SCHEDULES

    means = {t: statistics.fmean(v.values())
             for t, v in trial_scores(results, protocol, optimizer).items()}
    chosen = choice(results, protocol, optimizer).values["schedule"]
    found = []
    for schedule in SCHEDULES:
        mine = [m for t, m in means.items()
                if trial_values(results, protocol, optimizer, t)["schedule"] == schedule]
        found.append(ScheduleTrials(schedule, len(mine), max(mine) if mine else None,
                                    schedule == chosen))
    return found
