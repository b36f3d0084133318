"""Claims the article states without an experiment, tested on the site's protocol.

Every function here reads the site's two experiments: a comparison at the libraries' defaults
(:func:`optguide.compare.compare`) and a study whose learning rates were chosen on validation
(:func:`optguide.tune.tune`); both report test accuracy on the same seeds, so every comparison
is paired seed by seed, and a difference counts only when its 95 % interval excludes zero.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence

from ..analysis import study as study_readers
from ..analysis.filtering import distinct
from ..analysis.headline import Row, default_rows, label, report_scores, tuned_rows, tuning_gain
from ..analysis.names import groups_text, join_names, percent, possessive
from ..analysis.scoring import kendall_tau, pair_differences, ranking
from ..analysis.stats import (
    EQUIVALENCE_MARGIN,
    PairedDifference,
    equivalent,
    holm,
    holm_groups,
    p_value,
    paired_difference,
    separated_pairs,
)
from ..analysis.timing import epochs_to
from ..results import Results
from ..tune import CANDIDATES, Study, report_runs
from . import Verdict
from ._rules import (
    ANSWER,
    across_conditions,
    both_parts,
    from_sign,
    inner_edge,
    join_flips,
    to_close,
    to_separate,
)

__all__ = ["adagrad_beats_sgd", "constant_rate_suffices", "defaults_make_fair",
           "sgd_can_beat_adam", "sgd_is_slow"]


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def _accuracy(row: Row) -> str:
    """``"97.45 ± 0.17 %"`` (the paired difference that follows gives n)."""
    return row.test.format(unit=" %", show_n=False)


#: The columns an equal-effort study gives a claim: the two libraries' defaults, then the
#: full search (every hyperparameter and the schedule tuned, the same budget for all).
STUDY_COLUMNS = {"pytorch": "defaults", "keras": "keras_defaults", "tuned": "full"}


def _columns(defaults: Results | None, study: Results | None
             ) -> dict[str, tuple[str, dict[str, Row]]]:
    """Column key -> (words for it, rows): each preset of ``defaults``, then ``"tuned"``.

    An equal-effort study (:mod:`optguide.study`) brings its own default columns, trained on
    its report seeds in its own setting; ``defaults`` is then ignored.
    """
    if study is not None and study_readers.is_search_study(study):
        present = study_readers.protocols(study)
        return {key: (study_readers.PROTOCOL_WORDS[protocol],
                      study_readers.rows(study, protocol))
                for key, protocol in STUDY_COLUMNS.items() if protocol in present}
    columns = {}
    if defaults is not None:
        for preset in distinct(defaults, "preset"):
            columns[preset] = (f"under {possessive(preset)} defaults",
                               default_rows(defaults, preset))
    if study is not None:
        columns["tuned"] = ("with the rates tuned on validation", tuned_rows(study))
    if not columns:
        raise ValueError("no results given")
    return columns


def _flip(diff: PairedDifference, what: str, **units) -> str:
    """``"<what> would have tied had ..."`` or ``"<what> needs ..."``."""
    if diff.separated:
        return f"{what} would have been a tie {to_close(diff, **units)}"
    return f"{what} needs {to_separate(diff, **units)}"


def _tuned_rows(study: Results) -> dict[str, Row]:
    """The tuned column: an equal-effort study's full search, or a learning-rate study."""
    if study_readers.is_search_study(study):
        return study_readers.rows(study, STUDY_COLUMNS["tuned"])
    return tuned_rows(study)


def adagrad_beats_sgd(defaults: Results | None, study: Results) -> Verdict:
    """Test "Adagrad performs better than SGD": decided with both tuned, explained by defaults.

    The tuned column (each optimizer tuned by the same protocol; from an equal-effort study,
    every hyperparameter and the schedule, the same budget) answers "which is better at its
    best?" and decides: the paired difference of test accuracy, Adagrad minus SGD, over the
    report seeds. The default columns (each library's defaults) answer "which is better at the
    values a library ships?"; they are reported, and explain why the two answers may differ,
    but do not decide.

    Parameters
    ----------
    defaults : Results or None
        A comparison at the presets' defaults with Adagrad and SGD (ignored, may be ``None``,
        when ``study`` is an equal-effort study, which has its own default columns).
    study : Results
        An equal-effort study, or a learning-rate study with ``adagrad`` and ``sgd``.

    Returns
    -------
    Verdict
        ``confirmed`` when tuned Adagrad is reliably better, ``refuted`` when tuned SGD is
        reliably better or the two are equivalent within
        :data:`~optguide.analysis.stats.EQUIVALENCE_MARGIN` (then Adagrad is not better),
        ``inconclusive`` otherwise.
    """
    outcomes, parts, flips, numbers = {}, [], [], {}
    for key, (where_, rows) in _columns(defaults, study).items():
        if "adagrad" not in rows or "sgd" not in rows:
            raise ValueError(f"{where_}: need both Adagrad and SGD")
        diff = paired_difference(rows["adagrad"].scores, rows["sgd"].scores)
        same = not diff.separated and equivalent(rows["adagrad"].scores, rows["sgd"].scores)
        outcomes[key] = "refuted" if same else from_sign(diff.sign)
        parts.append(f"{where_} Adagrad reaches {_accuracy(rows['adagrad'])} and "
                     f"SGD {_accuracy(rows['sgd'])}, Adagrad minus SGD "
                     f"{diff.format()}" + (" (equivalent within the margin)" if same else ""))
        flips.append(_flip(diff, f"{where_} the comparison"))
        numbers[key] = {"difference": diff, "adagrad": rows["adagrad"].test.mean,
                        "sgd": rows["sgd"].test.mean, "lr": (rows["adagrad"].lr, rows["sgd"].lr),
                        "equivalent": same}
    if "tuned" not in outcomes:
        outcome = across_conditions(outcomes)
        better = sum(o == "confirmed" for o in outcomes.values())
        return Verdict("Adagrad performs better than SGD.", outcome,
                       f"{ANSWER[outcome]}: Adagrad is reliably better than SGD in {better} of "
                       f"{len(outcomes)} columns.",
                       {"outcomes": outcomes, "columns": numbers, "decided_by": "all columns"},
                       join_flips(flips), details=_capital("; ".join(parts)) + ".")
    tuned = numbers["tuned"]
    plain = "Tuned with equal effort, " + _plain_pair("Adagrad", "SGD", tuned["difference"],
                                                      tuned["equivalent"])
    keys = list(outcomes)
    defaults_part = [parts[keys.index(k)] for k in keys if k != "tuned"]
    details = (_capital(parts[keys.index("tuned")])
               + ("; the defaults, which do not decide: " + "; ".join(defaults_part)
                  if defaults_part else "") + ".")
    return Verdict("Adagrad performs better than SGD.", outcomes["tuned"], plain,
                   {"outcomes": outcomes, "columns": numbers, "decided_by": "tuned"},
                   _pair_flip("the tuned comparison", tuned["difference"],
                              tuned["equivalent"]), details=details)


def _plain_pair(a: str, b: str, diff: PairedDifference, same: bool) -> str:
    """One plain sentence: ``a`` reliably better, worse, equivalent, or not told apart."""
    if same:
        return (f"{a} and {b} are equivalent (within {100 * EQUIVALENCE_MARGIN:.1f} points): "
                f"{a} is not better.")
    if diff.sign > 0:
        return f"{a} is reliably better than {b}, by {100 * diff.mean:.1f} points."
    if diff.sign < 0:
        return f"{b} is reliably better than {a}, by {-100 * diff.mean:.1f} points."
    return f"no reliable difference between {a} and {b} at this number of seeds."


def _pair_flip(what: str, diff: PairedDifference, same: bool) -> str:
    """What would have flipped a verdict read from one paired difference."""
    if same:
        return (f"It would have been inconclusive had the interval of {what} "
                f"({diff.format()}) reached beyond ±{100 * EQUIVALENCE_MARGIN:.1f} points, and "
                "the other way had it excluded zero.")
    return _capital(_flip(diff, what)) + "."


#: The two readings of "constant is enough" (final test metric; higher is better?).
_READINGS = {"test_accuracy": ("test accuracy", True), "test_loss": ("test loss", False)}


def constant_rate_suffices(study: Results, constant: str = "sgd",
                           scheduled: str = "sgd_cosine") -> Verdict:
    """Test "SGD keeps a constant learning rate" as advice: a constant rate does as well.

    Both candidates' rates were tuned on validation by the same protocol; their report runs
    are compared seed by seed on final test accuracy and on final test loss (a decaying rate
    often lowers the loss before it changes the accuracy).

    Parameters
    ----------
    study : Results
        A tuning study with both candidates.
    constant, scheduled : str
        The constant-rate candidate and the scheduled one (keys of
        :data:`optguide.tune.CANDIDATES`).

    Returns
    -------
    Verdict
        Per reading ``confirmed`` when the constant rate is reliably better, ``refuted`` when
        the schedule is, ``inconclusive`` when the interval includes zero; across the two
        readings ``depends`` (on the metric) when they disagree.
    """
    outcomes, parts, flips, numbers = {}, [], [], {}
    for metric, (words, higher) in _READINGS.items():
        a, b = report_scores(study, constant, metric), report_scores(study, scheduled, metric)
        # In the claim's direction: positive when the constant rate is better.
        diff = paired_difference(a, b) if higher else paired_difference(b, a)
        units = {} if higher else {"scale": 1.0, "unit": "", "digits": 4}
        outcomes[metric] = from_sign(diff.sign)
        if higher:
            parts.append(f"on {words} {label(constant)} minus {label(scheduled)} is "
                         f"{diff.format()}")
        else:
            parts.append(f"on {words} (lower is better) {label(scheduled)} minus "
                         f"{label(constant)} is {diff.format(1.0, 4, '')}")
        flips.append(_flip(diff, f"on {words} the comparison", **units))
        numbers[metric] = diff
    lrs = {key: row.lr for key, row in tuned_rows(study).items() if key in (constant, scheduled)}
    rates = (f"with the rates tuned on validation ({label(constant)} {lrs[constant]:g}, "
             f"{label(scheduled)} {lrs[scheduled]:g}), ")
    outcome = across_conditions(outcomes)
    said = {"confirmed": "reliably better", "refuted": "reliably worse",
            "inconclusive": "not reliably different"}
    readings = [f"{said[outcomes[m]]} on {words}" for m, (words, _) in _READINGS.items()]
    plain = (f"{ANSWER[outcome]}: with rates tuned on validation, the constant rate is "
             f"{join_names(readings)} than the schedule.")
    return Verdict("SGD keeps a constant learning rate (a constant rate is enough).",
                   outcome, plain, {"outcomes": outcomes, "differences": numbers, "lr": lrs},
                   join_flips(flips), details=_capital(rates + "; ".join(parts)) + ".")


def sgd_can_beat_adam(study: Results,
                      variants: Sequence[str] = ("sgd_nesterov_cosine", "sgd")) -> Verdict:
    """Test "SGD can outperform Adam" with every learning rate tuned on validation.

    Each SGD variant of the study (as practitioners run it: Nesterov momentum and a cosine
    decay; and plain) against tuned Adam, paired test accuracy over the report seeds.

    Parameters
    ----------
    study : Results
        A tuning study with ``adam`` and at least one of ``variants``.
    variants : sequence of str
        SGD candidates to try, most practical first.

    Returns
    -------
    Verdict
        ``confirmed`` when some variant reliably beats Adam and none is reliably beaten,
        ``depends`` (on how SGD is run) when one variant beats Adam and another loses to it,
        ``refuted`` when Adam reliably beats every variant, ``inconclusive`` otherwise.
    """
    rows = _tuned_rows(study)
    present = [v for v in variants if v in rows]
    if "adam" not in rows or not present:
        raise ValueError("need tuned Adam and at least one SGD variant in the study")
    signs, parts, flips, numbers = {}, [], [], {}
    for variant in present:
        diff = paired_difference(rows[variant].scores, rows["adam"].scores)
        same = not diff.separated and equivalent(rows[variant].scores, rows["adam"].scores)
        # Equivalent within the margin: SGD does not outperform Adam (counts as Adam's).
        signs[variant] = -1 if same else diff.sign
        parts.append(f"{label(variant)} (lr {rows[variant].lr:g}, "
                     f"{_accuracy(rows[variant])}) minus Adam (lr "
                     f"{rows['adam'].lr:g}, {_accuracy(rows['adam'])}): "
                     f"{diff.format()}" + (f", equivalent within the "
                                           f"{100 * EQUIVALENCE_MARGIN:.1f}-point margin"
                                           if same else ""))
        flips.append(_flip(diff, f"{label(variant)} against Adam"))
        numbers[variant] = diff
    values = set(signs.values())
    if 1 in values:
        outcome = "depends" if -1 in values else "confirmed"
    else:
        outcome = "refuted" if values == {-1} else "inconclusive"
    details = "Tuned on validation, " + "; ".join(parts) + "."
    said = {1: "beats Adam", -1: "does not beat Adam", 0: "is not told apart from Adam"}
    sentence = (f"{ANSWER[outcome]}: tuned on validation, "
                + join_names(f"{label(v)} {said[signs[v]]}" for v in present) + ".")
    flip = join_flips(flips)
    if len(present) == 1:  # one SGD: a plain sentence first, the flip of that one pair
        variant = present[0]
        diff = numbers[variant]
        same = signs[variant] == -1 and diff.sign != -1
        sentence = ("Tuned with equal effort, "
                    + _plain_pair(label(variant), "Adam", diff, same).replace(
                        f"{label(variant)} is not better", f"{label(variant)} does not "
                        "outperform Adam here"))
        flip = _pair_flip(f"{label(variant)} against Adam", diff, same)
    return Verdict("SGD can outperform Adam.", outcome, sentence,
                   {"signs": signs, "differences": numbers}, flip, details=details)


def _preset_fairness(default: Mapping[str, Row], tuned: Mapping[str, Row]) -> dict:
    """Tie groups, order, changed pairs, gap shifts and gains of the optimizers common to both.

    A pair whose separated order differs between the two tables *changes*; it changes
    *reliably* when the gap between its two optimizers moved by more than the noise: the
    per-seed gap at the defaults minus the per-seed gap tuned (the same report seeds) has a
    paired 95 % interval that excludes zero, and tuning moved at least one of the two rates.
    """
    common = [key for key in default if key in tuned]
    if len(common) < 2:
        raise ValueError("the defaults and the study share fewer than two optimizers")
    before = {k: default[k].scores for k in common}
    after = {k: tuned[k].scores for k in common}
    groups = (holm_groups(before), holm_groups(after))
    pairs = (pair_differences(before), pair_differences(after))
    # A pair's order in each table: ahead, behind or not separated after Holm's correction
    # over the table's pairs; the gap shifts of the pairs that change form one more family.
    signs = (separated_pairs(before, list(pairs[0])), separated_pairs(after, list(pairs[0])))
    changed = [p for p in pairs[0] if signs[0][p] != signs[1][p]]
    shift = {(a, b): paired_difference(_gap(before, a, b), _gap(after, a, b))
             for a, b in changed}
    shifted = holm({(a, b): p_value(_gap(before, a, b), _gap(after, a, b))
                    for a, b in changed})
    # Only tuning changes a pair: with nothing moved, the two columns trained the same
    # settings twice, and what differs is run-to-run float32 rounding.
    moved = {k for k in common
             if not math.isclose(default[k].lr, tuned[k].lr, rel_tol=1e-3)
             or (default[k].chosen and tuned[k].chosen and default[k].chosen != tuned[k].chosen)}
    reliable = [p for p in changed if shifted[p] and set(p) & moved]
    separates = any(sign != 0 for table in signs for sign in table.values())
    if not separates:
        outcome = "inconclusive"  # neither ranking separates anything: no order to compare
    elif reliable:
        outcome = "refuted"
    elif not changed:
        outcome = "confirmed"
    else:
        outcome = "inconclusive"  # orders differ, but no gap moved beyond its noise
    return {"common": common, "groups": groups, "outcome": outcome,
            "tau": kendall_tau(ranking(before), ranking(after)),
            "changed": changed, "reliable": reliable, "shift": shift,
            "moved": [k for k in common if k in moved], "separates": separates,
            "reversed": [p for p in changed if signs[0][p] * signs[1][p] < 0],
            "same_leaders": set(groups[0][0]) == set(groups[1][0]),
            "pairs": pairs,
            "gain": tuning_gain({k: default[k] for k in common}, {k: tuned[k] for k in common})}


def _gap(scores: Mapping[str, Mapping[int, float]], a: str, b: str) -> dict[int, float]:
    """Seed -> ``a``'s score minus ``b``'s, on the seeds both have."""
    return {s: scores[a][s] - scores[b][s] for s in scores[a] if s in scores[b]}


def _nearest(pairs: Mapping[tuple[str, str], PairedDifference]) -> tuple[tuple[str, str], float]:
    """The separated pair whose interval is closest to zero, and that distance."""
    separated = {p: inner_edge(d) for p, d in pairs.items() if d.separated}
    pair = min(separated, key=separated.get)
    return pair, separated[pair]


def defaults_make_fair(defaults: Results, study: Results) -> Verdict:
    """Test "default values make the comparison fair": does the defaults' ranking survive
    tuning?

    Per preset of ``defaults``, over the optimizers common to it and ``study``, pair by pair:
    each pair's order by test accuracy (ahead, behind or not separated, paired 95 % interval)
    at the defaults and with the tuned rates, and whether the gap between the two moved by
    more than the noise (:func:`_preset_fairness`). The tie groups
    (:func:`~optguide.analysis.scoring.tie_groups`) and Kendall's tau of the two orders of
    means are quoted as a summary (they do not decide), with the per-optimizer gain of tuning
    (paired) in the numbers.

    Returns
    -------
    Verdict
        Per preset ``refuted`` when some pair changes its order reliably, ``confirmed`` when
        every pair keeps its order (and some pair is separated), ``inconclusive`` when nothing
        is separated in either ranking or orders differ only within the noise; across presets
        ``depends`` (on whose defaults) when confirmed under one and refuted under another.
    """
    columns = _columns(defaults, study)
    tuned = columns.pop("tuned")[1]
    outcomes, parts, flips, numbers = {}, [], [], {}
    for preset, (where_, rows) in columns.items():
        found = _preset_fairness(rows, tuned)
        outcomes[preset] = found["outcome"]
        gains = found["gain"]
        moved = found["moved"]  # only a moved rate is a tuning gain
        up = [k for k in moved if gains[k].sign > 0]
        down = [k for k in moved if gains[k].sign < 0]
        parts.append(f"{where_} the ranking is {groups_text(found['groups'][0], label)}, tuned "
                     f"it is {groups_text(found['groups'][1], label)} (Kendall's tau "
                     f"{found['tau']:+.2f}; the leaders "
                     f"{'stay' if found['same_leaders'] else 'change'}, "
                     f"{len(found['changed'])} of {len(found['pairs'][0])} pairs change their "
                     f"separated order, {len(found['reversed'])} reverse and "
                     f"{len(found['reliable'])} change reliably (the gap between the two "
                     f"moves beyond its 95 % interval); tuning moves "
                     f"{len(moved)} of {len(gains)} learning rates and reliably raises "
                     f"{len(up)} and lowers {len(down)} of those)")
        flips.append(_fairness_flip(where_, found))
        numbers[preset] = found
    outcome = across_conditions(outcomes)
    whose = {o: [possessive(p) for p, found in outcomes.items() if found == o]
             for o in ("refuted", "confirmed", "inconclusive")}
    taus = ", ".join(f"{numbers[p]['tau']:+.2f} for {possessive(p)}" for p in numbers)
    plain = {
        "refuted": (f"No: tuning every optimizer reliably reorders the ranking found at "
                    f"{join_names(whose['refuted'])} defaults (Kendall's tau {taus})."),
        "confirmed": (f"Yes: the ranking at {join_names(whose['confirmed'])} defaults survives "
                      "tuning every optimizer."),
        "depends": (f"It depends on whose defaults: the ranking at "
                    f"{join_names(whose['confirmed'])} defaults survives tuning, at "
                    f"{join_names(whose['refuted'])} it does not."),
        "inconclusive": (f"{ANSWER['inconclusive']}: no change of order is beyond the noise "
                         "of these seeds."),
    }[outcome]
    return Verdict("Default values make the comparison of optimizers fair.", outcome, plain,
                   {"outcomes": outcomes, "presets": numbers}, join_flips(flips),
                   details=_capital("; ".join(parts)) + ".")


def _fairness_flip(where_: str, found: dict) -> str:
    before, after = found["pairs"]
    shift = found["shift"]
    if found["outcome"] == "refuted":
        pair = min(found["reliable"], key=lambda p: inner_edge(shift[p]))
        a, b = (label(k) for k in pair)
        return (f"{where_} the ranking would have survived had none of its "
                f"{len(found['reliable'])} reliable changes happened; the closest, {a} against "
                f"{b}, had its gap moved {inner_edge(shift[pair]) * 100:.2f} points less")
    if found["outcome"] == "confirmed":
        side, pairs = min((("tuned", after), ("at the defaults", before)),
                          key=lambda item: _nearest(item[1])[1])
        pair, _ = _nearest(pairs)
        a, b = (label(k) for k in pair)
        return (f"{where_} the tie groups would have changed had {a} against {b} ({side}) "
                f"been {inner_edge(pairs[pair]) * 100:.2f} points closer")
    if found["changed"] and found["separates"]:
        pair = max(found["changed"], key=lambda p: abs(shift[p].mean)
                   / max(shift[p].high - shift[p].low, 1e-12))
        a, b = (label(k) for k in pair)
        return (f"{where_} the order of {a} and {b} differs, but its gap's change needs "
                f"{to_separate(shift[pair])} to count")
    single = after if not any(d.separated for d in after.values()) else before
    pair = max(single, key=lambda p: abs(single[p].mean)
               / max(single[p].high - single[p].low, 1e-12))
    a, b = (label(k) for k in pair)
    return (f"{where_} a ranking needs two optimizers separated; the closest, {a} against "
            f"{b}, needs {to_separate(single[pair])}")


def sgd_is_slow(study: Results, update_seconds: Mapping[str, float | Sequence[float]],
                pass_seconds: float | Sequence[float], steps_per_epoch: int,
                target: float = 0.97, tolerance: float = 0.10,
                metric: str = "val_accuracy", subject: str = "sgd") -> Verdict:
    """Test "SGD is slow to compute", the cost of a step apart from the time to a target.

    *Per step*: SGD's update (measured, the median of repeats) costs more than the cheapest
    other optimizer's by more than ``tolerance`` (relative): slow; less by more than
    ``tolerance``: not slow; in between: a tie. *To a target*: seconds until ``metric``
    reaches ``target`` at the tuned rates, the study's report runs' epochs to target times
    the measured seconds of an epoch (``steps_per_epoch`` x (the forward and backward pass +
    the optimizer's update)); SGD against the soonest other optimizer, paired over seeds.

    Parameters
    ----------
    study : Results
        A tuning study with ``subject`` and other (non-SGD) optimizers.
    update_seconds : mapping
        Optimizer -> seconds of one update, or repeated measurements (the median is used).
    pass_seconds : float or sequence
        Seconds of one forward and backward pass (the same for every optimizer).
    steps_per_epoch : int
        Updates per epoch of the study's runs.
    target, metric : float, str
        What must be reached (validation: speed is not a report of the final accuracy).
    tolerance : float
        Relative per-step differences below this are ties.
    subject : str
        The candidate judged.

    Returns
    -------
    Verdict
        ``confirmed`` when both readings find SGD slow, ``depends`` (on what is timed) when one
        does and the other finds it fast, ``refuted`` when one finds it fast and the other
        does not find it slow, ``inconclusive`` otherwise.
    """
    steps = {k: statistics.median(v) if isinstance(v, Sequence) else float(v)
             for k, v in update_seconds.items()}
    common = statistics.median(pass_seconds) if isinstance(pass_seconds, Sequence) \
        else float(pass_seconds)
    optimizer = CANDIDATES[subject].optimizer
    cheapest = min((k for k in steps if k != optimizer), key=steps.get)
    ratio = steps[optimizer] / steps[cheapest] - 1
    slow_step = True if ratio > tolerance else False if ratio < -tolerance else None
    step_part = (f"SGD's update takes {steps[optimizer] * 1e3:.3f} ms against "
                 f"{steps[cheapest] * 1e3:.3f} ms for {label(cheapest)}, the cheapest other "
                 f"({ratio * 100:+.0f} %; a whole step with the forward and backward pass "
                 f"{(common + steps[optimizer]) * 1e3:.2f} ms against "
                 f"{(common + steps[cheapest]) * 1e3:.2f} ms)")
    if slow_step is None:
        step_flip = (f"a per-step difference beyond {tolerance * 100:.0f} % (now "
                     f"{ratio * 100:+.1f} %) would have decided the per-step reading")
    else:
        step_flip = (f"the per-step reading would have been a tie had SGD's update been within "
                     f"{tolerance * 100:.0f} % of {label(cheapest)}'s (now {ratio * 100:+.1f} %)")

    times = _seconds_to_target(study, steps, common, steps_per_epoch, target, metric)
    slow_target, target_part, target_flip = _target_reading(times, subject, target, metric)
    outcome = both_parts(slow_step, slow_target)
    numbers = {"update_seconds": steps, "pass_seconds": common, "ratio": ratio,
               "cheapest": cheapest, "slow_step": slow_step, "slow_target": slow_target,
               "seconds_to_target": times, "target": target}
    reached = {True: "reaches the target reliably later than the soonest other",
               False: "does not reach the target later", None: "is not separated to the target"}
    if any(seconds is None for seconds in times.get(subject, {}).values()):
        reached[True] = "does not reach the target in every run"
    joiner = "but" if outcome == "depends" else "and"
    plain = (f"{ANSWER[outcome]}: SGD's update is {abs(ratio) * 100:.0f} % "
             f"{'dearer' if ratio >= 0 else 'cheaper'} than {label(cheapest)}'s, {joiner} SGD "
             f"{reached[slow_target]}.")
    return Verdict("SGD is slow to compute.", outcome, plain, numbers,
                   _capital(step_flip) + "; " + target_flip + ".",
                   details=f"Per step, {step_part}; to the target, {target_part}.")


def _seconds_to_target(study: Results, update: Mapping[str, float], common: float,
                       steps_per_epoch: int, target: float, metric: str
                       ) -> dict[str, dict[int, float | None]]:
    """Candidate -> seed -> epochs to target x measured seconds per epoch (``None``: never);
    plain SGD and the candidates that are not SGD variants, when their update was timed."""
    times = {}
    for candidate in Study.from_dict(study.config).candidates:
        optimizer = CANDIDATES[candidate].optimizer
        plain = CANDIDATES[candidate].schedule == "constant" and not CANDIDATES[candidate].overrides
        if optimizer not in update or not plain:
            continue
        epoch = steps_per_epoch * (common + update[optimizer])
        times[candidate] = {}
        for run in report_runs(study, candidate):
            epochs = epochs_to(run, target, metric)
            times[candidate][run.seed] = None if epochs is None else epochs * epoch
    return times


def _target_reading(times: Mapping[str, Mapping[int, float | None]], subject: str,
                    target: float, metric: str) -> tuple[bool | None, str, str]:
    """Whether ``subject`` reaches the target reliably later than the soonest other."""
    goal = f"{percent(target, 0)} {metric.replace('_', ' ').replace('val ', 'validation ')}"
    every = {k: all(v is not None for v in seeds.values()) for k, seeds in times.items()}
    others = [k for k in times if k != subject and every[k]]
    rival = min(others, key=lambda k: statistics.fmean(times[k].values())) if others else None
    if not every.get(subject):
        slow = True if rival else None
        part = (f"SGD does not reach {goal} in every run" + (
            f", {label(rival)} does (mean {statistics.fmean(times[rival].values()):.1f} s)"
            if rival else ", nor does any other optimizer"))
        return slow, part, f"SGD reaching {goal} in every run would have changed the target reading"
    if rival is None:
        names = join_names(label(k) for k in times if k != subject)
        return (False, f"only SGD reaches {goal} in every run (not {names})",
                f"another optimizer reaching {goal} in every run would have changed it")
    diff = paired_difference(times[subject], times[rival])
    part = (f"SGD minus {label(rival)} (the soonest other), seconds to {goal} (epochs to it x "
            f"measured seconds per epoch): {diff.format(1.0, 2, ' s')}")
    flip = _flip(diff, "the target reading", scale=1.0, unit=" s")
    return {1: True, -1: False, 0: None}[diff.sign], part, flip
