"""The claim that Adam needs the least tuning, on a learning-rate sweep chosen on validation."""

from __future__ import annotations

from ..analysis.filtering import distinct, where
from ..analysis.names import optimizer_name
from ..analysis.scoring import estimates, ranking, scores
from ..analysis.stats import leaders, paired_difference
from ..analysis.sweep import SELECTION_METRIC, best_learning_rate, good_range_decades, profile
from ..results import Results
from . import Verdict
from ._rules import both_parts, to_close, to_separate

__all__ = ["adam_needs_least_tuning"]


def adam_needs_least_tuning(results: Results, report: Results | None = None,
                            tolerance: float = 0.01, margin: float = 0.25,
                            metric: str = "test_accuracy") -> Verdict:
    """Test "Adam is the best default: it needs the least tuning" on a learning-rate sweep.

    Two readings. *Least tuning*: the width, in decades, of the learning rates at which an
    optimizer's mean validation accuracy stays within ``tolerance`` of the **best
    optimizer's** tuned validation accuracy (:func:`~optguide.analysis.sweep.good_range_decades`
    with a common reference, so a flat but poor curve is not wide); Adam's must be no
    narrower than any other's by more than ``margin``. *Best once tuned*: each optimizer at
    its learning rate chosen on validation, Adam alone leads on ``metric`` by the paired rule.

    Parameters
    ----------
    results : Results
        A sweep (several learning rates per optimizer, one preset) with validation metrics.
    report : Results, optional
        Runs at the chosen learning rates on other seeds (the tuning protocol's report
        seeds); default: the sweep's own runs at the chosen rates.
    tolerance : float, default 0.01
        One percentage point.
    margin : float, default 0.25
        Differences of width below this many decades are ties (the grid is coarse).
    metric : str, default "test_accuracy"
        What the tuned comparison reports.

    Returns
    -------
    Verdict
        ``confirmed`` when both readings hold, ``depends`` when one holds and the other
        fails, ``refuted`` when one fails and the other does not hold, ``inconclusive`` when
        the range holds and the tuned comparison is a tie.
    """
    optimizers = distinct(results, "optimizer")
    if "adam" not in optimizers or len(optimizers) < 2:
        raise ValueError("need Adam and at least one other optimizer")
    profiles = {name: profile(results, name, SELECTION_METRIC) for name in optimizers}
    best_val = {name: max(values) for name, (_, values) in profiles.items()}
    reference = max(best_val.values())
    width = {name: good_range_decades(lrs, values, tolerance, reference)
             for name, (lrs, values) in profiles.items()}
    chosen = {name: best_learning_rate(results, name) for name in optimizers}
    others = [n for n in optimizers if n != "adam"]
    widest = max(others, key=width.get)
    least_tuning = width["adam"] >= width[widest] - margin

    source = results if report is None else report
    tuned = {name: scores(where(source, optimizer=name, lr=chosen[name]), metric)[name]
             for name in optimizers}
    group = leaders(tuned)
    tuned_best = True if group == ["adam"] else (False if "adam" not in group else None)
    est = estimates(tuned)

    tol = f"{tolerance * 100:g} point" + ("" if tolerance == 0.01 else "s")
    range_part = (f"within {tol} of the best tuned validation accuracy "
                  f"({reference * 100:.2f} %), Adam's learning rates span {width['adam']:.2f} "
                  f"decades against {width[widest]:.2f} for {optimizer_name(widest)}")
    order = ranking(tuned)
    if tuned_best:
        rival = order[1]
    elif tuned_best is False:
        rival = order[0]
    else:
        rival = next(n for n in group if n != "adam")
    diff = paired_difference(tuned["adam"], tuned[rival])
    tuned_part = (f"each at its learning rate chosen on validation, Adam "
                  f"(lr {chosen['adam']:g}) scores {est['adam'].format(unit=' %')} and "
                  f"{optimizer_name(rival)} (lr {chosen[rival]:g}) {est[rival].format(unit=' %')}, "
                  f"Adam minus {optimizer_name(rival)} {diff.format()}")
    if least_tuning:
        range_flip = (f"Adam's range {width['adam'] - width[widest] + margin:.2f} decades "
                      f"narrower would have failed the first reading")
    else:
        range_flip = (f"Adam's range {width[widest] - margin - width['adam']:.2f} decades "
                      f"wider would have passed the first reading")
    if tuned_best is None:
        tuned_flip = f"the tuned comparison needs {to_separate(diff)}"
    else:
        tuned_flip = f"the tuned comparison would have been a tie {to_close(diff)}"
    outcome = both_parts(least_tuning, tuned_best)
    numbers = {"width_decades": width, "best_validation": best_val, "reference": reference,
               "chosen_lr": chosen, "tuned": {n: est[n].mean for n in optimizers},
               "tuned_leaders": group, "least_tuning": least_tuning, "tuned_best": tuned_best,
               "tolerance": tolerance}
    return Verdict("Adam is the best default: it needs the least tuning.", outcome,
                   f"{range_part[0].upper()}{range_part[1:]}; {tuned_part}.", numbers,
                   flip=f"{range_flip[0].upper()}{range_flip[1:]}; {tuned_flip}.")
