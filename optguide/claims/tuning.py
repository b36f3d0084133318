"""The claim that Adam needs the least tuning, read from the equal-effort study's tuning curves.

Every optimizer searched the same number of trials of its own space (learning rate, its other
hyperparameters, the schedule; :mod:`optguide.search`), on the same seeds. A tuning curve
(:func:`optguide.analysis.study.tuning_curve`, Dodge et al. 2019) gives the expected best
validation accuracy after ``k`` trials. "Needs little tuning" is read as a small **shortfall**:
the best of the whole budget minus the expected best after a few trials. A high ceiling alone
does not count: an optimizer that is simply better everywhere has a curve that starts high
*and* ends high, and its shortfall is what tuning buys it.
"""

from __future__ import annotations

import statistics

from ..analysis import study as readers
from ..analysis.names import join_names, optimizer_name
from ..analysis.stats import equivalent, holm, p_value, paired_difference
from ..results import Results
from . import Verdict

__all__ = ["FEW_TRIALS", "adam_needs_least_tuning", "shortfalls"]

#: The "few trials" of the rule, fixed before the study was run: a quick check costs about
#: four trainings (for example one learning rate per half decade over two decades around a
#: default); the whole budget is 32.
FEW_TRIALS = 4


def shortfalls(study: Results, optimizer: str, k: int = FEW_TRIALS) -> dict[int, float]:
    """Seed -> the best validation accuracy of all trials on that seed minus the expected best
    after ``k`` trials on that seed (the selection and the check seeds: every trial trained on
    each, so the shortfalls pair seed by seed across optimizers)."""
    found = {}
    for which in ("select", "check"):
        scores = readers.trial_scores(study, "full", optimizer, which)
        for seed in readers.seeds(study, which):
            values = [trial[seed] for trial in scores.values()]
            found[seed] = max(values) - readers.expected_best(values, k)[0]
    return found


def adam_needs_least_tuning(study: Results, k: int = FEW_TRIALS) -> Verdict:
    """Test "Adam needs the least tuning" on an equal-effort study's tuning curves.

    Per seed, each optimizer's shortfall after ``k`` trials (:func:`shortfalls`); Adam against
    every other optimizer, paired over the seeds, Holm's correction over those comparisons.

    Returns
    -------
    Verdict
        ``confirmed`` when Adam's shortfall is reliably smaller than every other optimizer's,
        or equivalent to it within the margin with at least one reliably smaller;
        ``refuted`` when another optimizer's is reliably smaller than Adam's; otherwise
        ``inconclusive``.
    """
    names = readers.optimizers(study)
    if "adam" not in names or len(names) < 2:
        raise ValueError("need Adam and at least one other optimizer in the study")
    trials = readers.trial_count(study, "full", "adam")
    if not 1 <= k < trials:
        raise ValueError(f"k must be between 1 and the budget less one ({trials - 1}), got {k}")
    short = {name: shortfalls(study, name, k) for name in names}
    others = [n for n in names if n != "adam"]
    # Positive: the other optimizer falls further short than Adam (Adam needs less tuning).
    diffs = {n: paired_difference(short[n], short["adam"]) for n in others}
    rejected = holm({n: p_value(short[n], short["adam"]) for n in others})
    sign = {n: (0 if not rejected[n] else (1 if diffs[n].mean > 0 else -1)) for n in others}
    same = {n: sign[n] == 0 and equivalent(short[n], short["adam"], tests=len(others))
            for n in others}
    less = [n for n in others if sign[n] > 0]
    more = [n for n in others if sign[n] < 0]
    if more:
        outcome = "refuted"
    elif less and all(sign[n] > 0 or same[n] for n in others):
        outcome = "confirmed"
    else:
        outcome = "inconclusive"
    mean = {n: statistics.fmean(v.values()) for n, v in short.items()}
    order = sorted(names, key=mean.get)
    listed = ", ".join(f"{optimizer_name(n)} {100 * mean[n]:.2f}" for n in order)
    plain = {
        "confirmed": (f"Yes: after {k} trials Adam is closest to its best of {trials}, "
                      f"{100 * mean['adam']:.1f} points short; the others fall further short."),
        "refuted": (f"No: after {k} trials {join_names(optimizer_name(n) for n in more)} "
                    f"{'comes' if len(more) == 1 else 'come'} closer to "
                    f"{'its' if len(more) == 1 else 'their'} best than Adam."),
        "inconclusive": (f"Not shown at this sample size: after {k} trials Adam is "
                         f"{100 * mean['adam']:.1f} points short of its best, and the seeds "
                         "do not separate it from the others."),
    }[outcome]
    details = (f"After {k} of {trials} trials, the best configuration found falls short of the "
               f"best of all {trials} by (validation accuracy, points, mean over "
               f"{len(short['adam'])} seeds) {listed}")
    if more:
        details += (f"; {join_names(optimizer_name(n) for n in more)} reliably "
                    f"{'needs' if len(more) == 1 else 'need'} less tuning than Adam")
    if less:
        details += (f"; Adam reliably needs less than "
                    f"{join_names(optimizer_name(n) for n in less)}")
    tied = [n for n in others if sign[n] == 0]
    if tied:
        details += (f"; against {join_names(optimizer_name(n) for n in tied)} the paired "
                    f"intervals (Holm-corrected over {len(others)}) do not separate")
    details += ". Differences, the other's shortfall minus Adam's: " + ", ".join(
        f"{optimizer_name(n)} {diffs[n].format()}" for n in others)
    flip = _flip(outcome, diffs, sign, same, others)
    return Verdict("Adam needs the least tuning.", outcome, plain,
                   {"k": k, "trials": trials, "shortfall": mean, "differences": diffs,
                    "signs": sign, "equivalent": same}, flip, details=details + ".")


def _flip(outcome: str, diffs, sign, same, others) -> str:
    def names(keys) -> str:
        return join_names(optimizer_name(n) for n in keys)

    if outcome == "refuted":
        worst = [n for n in others if sign[n] < 0]
        return (f"It would not have been refuted had {names(worst)} fallen short by as much as "
                "Adam.")
    if outcome == "confirmed":
        ahead = [n for n in others if sign[n] > 0]
        return (f"It would have been inconclusive had {names(ahead)} fallen short by no more "
                "than Adam, within the seeds' noise.")
    open_ = [n for n in others if sign[n] == 0 and not same[n]]
    who = names(open_) or "every other optimizer"
    return (f"A decision needs the differences with {who} separated from zero after the "
            "correction, or within the equivalence margin: more seeds would narrow them.")
