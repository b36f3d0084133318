"""The claim that Adam needs the least tuning, on a learning-rate sweep chosen on validation."""

from __future__ import annotations

import statistics

from ..analysis.filtering import distinct, where
from ..analysis.names import join_names, optimizer_name
from ..analysis.scoring import estimates, ranking, scores
from ..analysis.stats import leaders, paired_difference
from ..analysis.sweep import (
    SELECTION_METRIC,
    HyperparameterEffect,
    best_learning_rate,
    good_range_decades,
    hyperparameter_effects,
    profile,
)
from ..results import Results
from . import Verdict
from ._rules import both_parts, to_close, to_separate

__all__ = ["adam_needs_least_tuning"]


def adam_needs_least_tuning(results: Results, report: Results | None = None,
                            tolerance: float = 0.01, metric: str = "test_accuracy",
                            sensitivity: Results | None = None) -> Verdict:
    """Test "Adam is the best default: it needs the least tuning" on a learning-rate sweep.

    Two readings. *Least tuning*: the width, in decades, of the learning rates at which an
    optimizer's mean validation accuracy stays within ``tolerance`` of the **best
    optimizer's** tuned validation accuracy (:func:`~optguide.analysis.sweep.good_range_decades`
    with a common reference, so a flat but poor curve is not wide), measured on each seed of
    the sweep and compared seed by seed: the reading holds when Adam's range is reliably wider
    than every other's (each paired 95 % interval of Adam's width minus the other's above 0),
    fails when some optimizer's is reliably wider, and cannot be told otherwise. *Best once
    tuned*: each optimizer at its learning rate chosen on validation, Adam alone leads on
    ``metric`` by the paired rule.

    Parameters
    ----------
    results : Results
        A sweep (several learning rates per optimizer, one preset) with validation metrics.
    report : Results, optional
        Runs at the chosen learning rates on other seeds (the tuning protocol's report
        seeds); default: the sweep's own runs at the chosen rates.
    tolerance : float, default 0.01
        One percentage point.
    metric : str, default "test_accuracy"
        What the tuned comparison reports.
    sensitivity : Results, optional
        A one-at-a-time study of the other hyperparameters at each optimizer's chosen rate
        (:func:`~optguide.analysis.sweep.hyperparameter_effects`). When given, the second
        reading is *fewer parameters to tune*, taken literally: a hyperparameter needs tuning
        when its best value tried beats the preset's by more than ``tolerance`` (validation);
        Adam must count fewer such hyperparameters than every other optimizer (as many as the
        fewest: not separated). The tuned comparison is then quoted, not deciding.

    Returns
    -------
    Verdict
        ``confirmed`` when both readings hold, ``depends`` when one holds and the other
        fails, ``refuted`` when one fails and the other does not hold, ``inconclusive`` when
        the range holds and the second reading cannot be told (a tie).
    """
    optimizers = distinct(results, "optimizer")
    if "adam" not in optimizers or len(optimizers) < 2:
        raise ValueError("need Adam and at least one other optimizer")
    profiles = {name: profile(results, name, SELECTION_METRIC) for name in optimizers}
    best_val = {name: max(values) for name, (_, values) in profiles.items()}
    reference = max(best_val.values())
    widths = _widths_per_seed(results, optimizers, tolerance)
    width = {name: statistics.fmean(by_seed.values()) for name, by_seed in widths.items()}
    chosen = {name: best_learning_rate(results, name) for name in optimizers}
    others = [n for n in optimizers if n != "adam"]
    widest = max(others, key=width.get)
    versus = {m: paired_difference(widths["adam"], widths[m]) for m in others}
    wider = [m for m in others if versus[m].sign < 0]
    least_tuning = (False if wider else True if all(versus[m].sign > 0 for m in others)
                    else None)

    source = results if report is None else report
    tuned = {name: scores(where(source, optimizer=name, lr=chosen[name]), metric)[name]
             for name in optimizers}
    group = leaders(tuned)
    tuned_best = True if group == ["adam"] else (False if "adam" not in group else None)
    est = estimates(tuned)

    tol = f"{tolerance * 100:g} point" + ("" if tolerance == 0.01 else "s")
    seeds = len(widths["adam"])
    range_part = (f"within {tol} of the best tuned validation accuracy "
                  f"({reference * 100:.2f} % for the mean over seeds), Adam's learning rates "
                  f"span {width['adam']:.2f} decades against {width[widest]:.2f} for "
                  f"{optimizer_name(widest)} (mean of {seeds} seeds; Adam minus "
                  f"{optimizer_name(widest)} {versus[widest].format(1.0, 2, ' decades')})")
    if wider:
        range_part += f", reliably wider: {join_names(optimizer_name(m) for m in wider)}"
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
        closest = min(others, key=lambda m: versus[m].low)
        range_flip = (f"against {optimizer_name(closest)}, the first reading would not have held "
                      f"{to_close(versus[closest], 1.0, ' decades')}")
    elif least_tuning is False:
        clearest = min(wider, key=lambda m: versus[m].high)
        range_flip = (f"the first reading would not have failed had every range reliably wider "
                      f"than Adam's been a tie: against {optimizer_name(clearest)}, "
                      f"{to_close(versus[clearest], 1.0, ' decades')}")
    else:
        range_flip = (f"the first reading needs, against {optimizer_name(widest)}, "
                      f"{to_separate(versus[widest], 1.0, ' decades')}")
    if tuned_best is None:
        tuned_flip = f"the tuned comparison needs {to_separate(diff)}"
    else:
        tuned_flip = f"the tuned comparison would have been a tie {to_close(diff)}"
    second, second_flip = tuned_best, tuned_flip
    if sensitivity is not None:
        second, count_part, second_flip, counts = _fewer_parameters(
            hyperparameter_effects(sensitivity), tolerance)
        tuned_part += f"; {count_part}"
    outcome = both_parts(least_tuning, second)
    numbers = {"width_decades": width, "width_per_seed": widths,
               "width_differences": {m: (d.mean, d.low, d.high, d.n) for m, d in versus.items()},
               "best_validation": best_val, "reference": reference,
               "chosen_lr": chosen, "tuned": {n: est[n].mean for n in optimizers},
               "tuned_leaders": group, "least_tuning": least_tuning, "tuned_best": tuned_best,
               "tolerance": tolerance}
    if sensitivity is not None:
        numbers.update(tuning_counts=counts, fewer_parameters=second)
    return Verdict("Adam is the best default: it needs the least tuning.", outcome,
                   f"{range_part[0].upper()}{range_part[1:]}; {tuned_part}.", numbers,
                   flip=f"{range_flip[0].upper()}{range_flip[1:]}; {second_flip}.")


def _widths_per_seed(results: Results, optimizers: list[str], tolerance: float
                     ) -> dict[str, dict[int, float]]:
    """Optimizer -> seed -> width (decades) of its good learning rates on that seed alone,
    against the best accuracy any optimizer reached on that seed."""
    widths: dict[str, dict[int, float]] = {name: {} for name in optimizers}
    for seed in distinct(results, "seed"):
        runs = where(results, seed=seed)
        profiles = {name: profile(runs, name, SELECTION_METRIC) for name in optimizers}
        reference = max(max(values) for _, values in profiles.values())
        for name, (lrs, values) in profiles.items():
            widths[name][seed] = good_range_decades(lrs, values, tolerance, reference)
    return widths


def _fewer_parameters(effects: dict[str, dict[str, HyperparameterEffect]], tolerance: float
                      ) -> tuple[bool | None, str, str, dict[str, int]]:
    """The reading "fewer parameters to tune": (holds, sentence part, flip part, counts)."""
    if "adam" not in effects or len(effects) < 2:
        raise ValueError("the sensitivity study needs Adam and at least one other optimizer")
    needs = {name: [h for h, e in by_name.items() if e.gain > tolerance]
             for name, by_name in effects.items()}
    counts = {name: len(hs) for name, hs in needs.items()}
    fewest = min((n for n in counts if n != "adam"), key=counts.get)
    holds = (True if counts["adam"] < counts[fewest]
             else False if counts["adam"] > counts[fewest] else None)
    tol = f"{tolerance * 100:g} point" + ("" if tolerance == 0.01 else "s")

    def listed(name: str) -> str:
        gains = ", ".join(f"{h} {e.gain * 100:+.2f}" for h, e in effects[name].items())
        return f"{optimizer_name(name)} {counts[name]} ({gains})"

    part = (f"other hyperparameters that gain more than {tol} of validation accuracy when "
            f"tuned at the chosen rate (gain of the best value tried over the default, points): "
            + "; ".join(listed(n) for n in effects))
    # The flip: the Adam hyperparameter nearest the bar, and how far it would have to move.
    adam = effects["adam"]
    nearest = min(adam, key=lambda h: abs(adam[h].gain - tolerance))
    move = abs(adam[nearest].gain - tolerance) * 100
    if holds is True:
        flip = (f"the literal reading would have tied had Adam {counts[fewest] - counts['adam']} "
                f"more hyperparameter(s) gaining over {tol} (its nearest, {nearest}, is "
                f"{move:.2f} points from the bar)")
    elif holds is False:
        flip = (f"the literal reading would have tied had {counts['adam'] - counts[fewest]} of "
                f"Adam's hyperparameters gained under {tol} (its nearest, {nearest}, is "
                f"{move:.2f} points from the bar), as {optimizer_name(fewest)}'s do")
    else:
        flip = (f"the literal reading needs one count to differ: Adam's {nearest} is "
                f"{move:.2f} points from the {tol} bar, and "
                f"{optimizer_name(fewest)} counts as many ({counts[fewest]})")
    return holds, part, flip, counts
