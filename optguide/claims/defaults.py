"""Claims about the optimizers at their library defaults: who is best, who is worst.

Each is judged under every preset in the results (whose defaults) with the paired rule: a
difference counts only when the 95 % interval of the per-seed differences excludes zero.
Diverged runs score 0 accuracy (:mod:`optguide.analysis.scoring`).
"""

from __future__ import annotations

from ..analysis.filtering import distinct, where
from ..analysis.names import join_names, optimizer_name, ordinal, possessive
from ..analysis.scoring import estimates, rank_range, ranking, scores, tie_groups
from ..analysis.stats import laggards, leaders, paired_difference
from ..results import Results
from . import Verdict
from ._rules import ANSWER, across_conditions, to_close, to_separate

__all__ = ["adam_is_best_default", "adadelta_is_worst"]


def _per_preset(results: Results, preset: str | None, metric: str, needed: str
                ) -> dict[str, dict[str, dict[int, float]]]:
    presets = [preset] if preset is not None else distinct(results, "preset")
    tables = {}
    for p in presets:
        own = where(results, preset=p)
        if not own.runs:
            raise ValueError(f"no runs with preset {p!r} in the results")
        table = scores(own, metric)
        if needed not in table or len(table) < 2:
            raise ValueError(f"need {optimizer_name(needed)} and at least one other optimizer "
                             f"under preset {p!r}")
        tables[p] = table
    return tables


def _show(table, name: str) -> str:
    return f"{optimizer_name(name)} ({estimates(table)[name].format(unit=' %')})"


def adam_is_best_default(results: Results, preset: str | None = None,
                         metric: str = "test_accuracy") -> Verdict:
    """Test "Adam is the best optimizer at default settings", under each preset's defaults.

    Under each preset, the option with the highest mean final ``metric`` leads, and every
    option whose paired interval with it does not exclude zero ties with it
    (:func:`~optguide.analysis.stats.leaders`).

    Parameters
    ----------
    results : Results
        Runs at the defaults: one setting per optimizer and preset, the same seeds.
    preset : str, optional
        Judge only this preset; default every preset in ``results``.
    metric : str, default "test_accuracy"
        The reported score.

    Returns
    -------
    Verdict
        Per preset ``confirmed`` when Adam alone leads, ``refuted`` when another optimizer is
        reliably better, ``inconclusive`` when Adam ties for the lead; across presets
        ``depends`` when confirmed under some defaults and refuted under others.
    """
    tables = _per_preset(results, preset, metric, "adam")
    outcomes, parts, plain, flips, numbers = {}, [], [], [], {}
    for p, table in tables.items():
        order = ranking(table)
        group = leaders(table)
        where_ = f"under {possessive(p)} defaults"
        if group == ["adam"]:
            outcomes[p] = "confirmed"
            runner = order[1]
            diff = paired_difference(table["adam"], table[runner])
            plain.append(f"{where_} Adam alone leads, by {100 * diff.mean:.2f} points")
            parts.append(f"{where_} {_show(table, 'adam')} leads; the next, "
                         f"{_show(table, runner)}, is behind by {diff.format()}")
            flips.append(f"{where_} Adam would only have tied with {optimizer_name(runner)} "
                         f"{to_close(diff)}")
        elif "adam" not in group:
            outcomes[p] = "refuted"
            top = order[0]
            diff = paired_difference(table[top], table["adam"])
            plain.append(f"{where_} {optimizer_name(top)} beats it by "
                         f"{100 * diff.mean:.2f} points")
            parts.append(f"{where_} {_show(table, top)} beats {_show(table, 'adam')} by "
                         f"{diff.format()}")
            flips.append(f"{where_} Adam would have tied with {optimizer_name(top)} "
                         f"{to_close(diff)}")
        else:
            outcomes[p] = "inconclusive"
            rival = next(n for n in group if n != "adam")
            diff = paired_difference(table["adam"], table[rival])
            names = join_names(optimizer_name(n) for n in group)
            plain.append(f"{where_} Adam and {optimizer_name(rival)} cannot be told apart at "
                         "the top")
            parts.append(f"{where_} {names} cannot be told apart at the top "
                         f"({_show(table, 'adam')}, {_show(table, rival)}; "
                         f"Adam minus {optimizer_name(rival)}: {diff.format()})")
            flips.append(f"{where_} deciding between Adam and {optimizer_name(rival)} needs "
                         f"{to_separate(diff)}")
        numbers[p] = {"order": order, "leaders": group,
                      "accuracy": {n: estimates(table)[n].mean for n in order}}
    outcome = across_conditions(outcomes)
    details = "; ".join(parts)
    return Verdict("Adam is the best optimizer at default settings.", outcome,
                   f"{ANSWER[outcome]}: {'; '.join(plain)}.",
                   {"outcomes": outcomes, "presets": numbers, "metric": metric},
                   flip=flips[0][0].upper() + "; ".join(flips)[1:] + ".",
                   details=details[0].upper() + details[1:] + ".")


def adadelta_is_worst(results: Results, retuned: Results | None = None,
                      metric: str = "test_accuracy") -> Verdict:
    """Test "with default settings Adadelta performs worst", under each preset's defaults.

    Parameters
    ----------
    results : Results
        Runs at the defaults of one or more presets (one setting per optimizer and preset).
    retuned : Results, optional
        Extra Adadelta runs (e.g. Keras' preset with the paper's learning rate 1.0); their
        mean final ``metric`` is quoted in the sentence (it does not decide).
    metric : str, default "test_accuracy"
        The reported score.

    Returns
    -------
    Verdict
        Per preset ``confirmed`` when Adadelta alone is last (every other optimizer reliably
        better), ``refuted`` when it is reliably better than the last, ``inconclusive`` when
        it ties for last; across presets ``depends`` when confirmed under some defaults and
        refuted under others.
    """
    tables = _per_preset(results, None, metric, "adadelta")
    outcomes, parts, plain, flips, numbers = {}, [], [], [], {}
    for p, table in tables.items():
        order = ranking(table)
        group = laggards(table)
        first, last = rank_range("adadelta", tie_groups(table))
        place = ordinal(first) if first == last else f"{ordinal(first)} to {ordinal(last)}"
        lr = where(results, preset=p, optimizer="adadelta").runs[0].lr
        plain.append(f"{'last' if group == ['adadelta'] else place} under {possessive(p)} "
                     "defaults")
        parts.append(f"{place} of {len(order)} under {possessive(p)} defaults "
                     f"({estimates(table)['adadelta'].format(unit=' %')} at lr {lr:g})")
        if group == ["adadelta"]:
            outcomes[p] = "confirmed"
            above = order[-2]
            diff = paired_difference(table[above], table["adadelta"])
            flips.append(f"under {possessive(p)} defaults Adadelta would have tied for last "
                         f"with {optimizer_name(above)} {to_close(diff)}")
        elif "adadelta" not in group:
            outcomes[p] = "refuted"
            worst = order[-1]
            diff = paired_difference(table["adadelta"], table[worst])
            flips.append(f"under {possessive(p)} defaults Adadelta would have tied for last "
                         f"with {optimizer_name(worst)} {to_close(diff)}")
        else:
            outcomes[p] = "inconclusive"
            rival = next(n for n in group if n != "adadelta")
            diff = paired_difference(table["adadelta"], table[rival])
            flips.append(f"under {possessive(p)} defaults telling Adadelta from "
                         f"{optimizer_name(rival)} needs {to_separate(diff)}")
        numbers[p] = {"order": order, "laggards": group, "places": (first, last), "lr": lr,
                      "accuracy": estimates(table)['adadelta'].mean}
    outcome = across_conditions(outcomes)
    joiner = " but " if outcome == "depends" else " and "
    sentence = f"{ANSWER[outcome]}: Adadelta ranks {joiner.join(plain)}."
    details = "Adadelta ranks " + joiner.join(parts)
    extra: dict = {}
    if retuned is not None:
        own = where(retuned, optimizer="adadelta")
        if own.runs:
            estimate = estimates(scores(own, metric))["adadelta"]
            run = own.runs[0]
            extra = {"retuned_accuracy": estimate.mean, "retuned_lr": run.lr}
            details += (f"; with lr {run.lr:g} {possessive(run.preset)} Adadelta reaches "
                         f"{estimate.format(unit=' %')}")
    flip = "; ".join(flips)
    return Verdict("With default settings Adadelta performs worst.", outcome, sentence,
                   {"outcomes": outcomes, "presets": numbers, "metric": metric, **extra},
                   flip=flip[0].upper() + flip[1:] + ".", details=details + ".")
