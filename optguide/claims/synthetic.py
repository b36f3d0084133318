"""Claims tested on small synthetic problems: 2-D surfaces, sparse logistic regression, state.

Each function takes the numbers one example of the "Experiments on small problems" gallery
section measured, keyed by the display names the example uses (``"SGD"``, ``"Adagrad"``, ...),
and returns a :class:`~optguide.claims.Verdict`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ..analysis.names import join_names as _names
from ..analysis.names import number as _number
from ..analysis.stats import paired_difference
from . import FLIP_WORDS, Verdict
from ._rules import ANSWER, across_conditions, from_sign, join_flips, to_close, to_separate

__all__ = ["valley_following", "saddle_escape", "sparse_features", "sparse_features_in_regimes",
           "shrinking_learning_rate", "shrinking_hurts"]


def valley_following(distances: Mapping[str, Mapping[str, Mapping[int, float]]], steps: int,
                     baseline: str = "SGD", floor: float = 1e-12) -> Verdict:
    """Test the claim "momentum and adaptive methods follow a valley better than plain SGD".

    Every method is compared with ``baseline`` surface by surface, replicate by replicate (a
    replicate is a start point every method ran from, each at its own learning rate, tuned
    on other start points): the paired difference of :math:`\\log_{10}` of the final
    distances to the minimum, method minus ``baseline``, over the replicates, with its 95 %
    interval (:func:`~optguide.analysis.stats.paired_difference`). A pair (method, surface)
    is *closer* when the interval lies below zero, *farther* when it lies above, *not
    separated* otherwise. Distances below ``floor`` count as ``floor``; a diverged run
    (``inf``) counts as ten times farther than the farthest finite end on its surface
    (one decade above it), so it is worse than every finished run.

    Parameters
    ----------
    distances : mapping
        Surface name -> method name -> replicate -> distance from the method's last point to
        the minimum (``inf`` for a diverged run). Every surface must have the same methods,
        ``baseline`` among them.
    steps : int
        Steps every run took (for the sentence).
    baseline : str
        The method the others are compared with.
    floor : float
        Smallest distance told apart on the log scale.

    Returns
    -------
    Verdict
        With :math:`N` pairs, :math:`C` of them closer and :math:`F` farther:
        ``confirmed`` if every pair is closer (:math:`C = N`); ``refuted`` if no method is
        closer on more than half of the surfaces and more than half of all pairs are farther
        (:math:`F > N/2`); ``depends`` otherwise when some pairs are closer and others
        farther (the answer changes with the method or the surface, named in the sentence);
        ``inconclusive`` otherwise (too few pairs separated to say).
    """
    surfaces = list(distances)
    if not surfaces:
        raise ValueError("distances is empty")
    methods = [m for m in distances[surfaces[0]] if m != baseline]
    for surface in surfaces:
        if baseline not in distances[surface] or set(distances[surface]) - {baseline} != set(
                methods):
            raise ValueError(f"surface {surface!r} lacks {baseline!r} or differs in methods")
    if not methods:
        raise ValueError(f"no method besides {baseline!r}")
    logs = {s: _log_distances(distances[s], floor) for s in surfaces}
    diffs = {(m, s): paired_difference(logs[s][m], logs[s][baseline])
             for m in methods for s in surfaces}
    sign = {pair: -d.sign for pair, d in diffs.items()}  # +1 closer, -1 farther, 0 not separated
    n, total = len(surfaces), len(diffs)
    closer = sum(v == 1 for v in sign.values())
    farther = sum(v == -1 for v in sign.values())
    wins = {m: sum(sign[m, s] == 1 for s in surfaces) for m in methods}
    if closer == total:
        outcome = "confirmed"
    elif all(wins[m] <= n / 2 for m in methods) and farther > total / 2:
        outcome = "refuted"
    elif closer and farther:
        outcome = "depends"
    else:
        outcome = "inconclusive"

    replicates = sorted({r for s in surfaces for r in logs[s][baseline]})
    typical = _names([f"{10 ** float(np.mean(list(logs[s][baseline].values()))):.2g} ({s})"
                      for s in surfaces])
    words = {1: "closer", -1: "farther", 0: "not separated"}
    groups: dict[str, list[str]] = {}
    for m in methods:
        record = [(v, [s for s in surfaces if sign[m, s] == v]) for v in (1, -1, 0)]
        text = ", ".join(f"{words[v]} on " + (f"all {n} surfaces" if len(where) == n > 1
                                              else _names(where))
                         for v, where in record if where)
        groups.setdefault(text, []).append(m)
    sentence = (f"After {steps} steps from {len(replicates)} start points per surface, each "
                f"method at its tuned learning rate, {baseline} ended a geometric mean of "
                f"{typical} from the minimum; the paired 95 % intervals of log10 distance "
                f"against {baseline}'s put "
                + "; ".join(f"{_names(ms)} {text}" for text, ms in groups.items())
                + f" ({closer} of {total} pairs closer, {farther} farther)")
    if outcome == "depends":
        sentence += f": the answer changes with {_condition(sign, methods, surfaces)}"
    diverged = sum(not math.isfinite(d) for s in surfaces for runs in distances[s].values()
                   for d in runs.values())
    if diverged:
        sentence += (f" ({diverged} diverged run(s) counted one decade beyond the farthest "
                     "finished run on their surface)")

    unit = " decades"

    def where(pair: tuple[str, str]) -> str:
        return f"{pair[0]} on {pair[1]}"

    def nearest_tie(pairs: list[tuple[str, str]]) -> tuple[str, str]:
        return min(pairs, key=lambda p: min(abs(diffs[p].low), abs(diffs[p].high)))

    closer_pairs = [p for p, v in sign.items() if v == 1]
    farther_pairs = [p for p, v in sign.items() if v == -1]
    tied_pairs = [p for p, v in sign.items() if v == 0]
    if outcome == "confirmed":
        p = nearest_tie(closer_pairs)
        flip = (f"The closest call is {where(p)}: {to_close(diffs[p], 1.0, unit)}, the "
                "verdict would have been inconclusive.")
    elif outcome == "refuted":
        m = max(methods, key=wins.get)
        p = nearest_tie(farther_pairs)
        flip = (f"It would not have been refuted had {m} been closer on "
                f"{math.floor(n / 2) + 1 - wins[m]} more surface(s) (it was on {wins[m]} of "
                f"{n}), or had {farther - math.floor(total / 2)} of the {farther} farther "
                f"pairs been ties (the nearest to one, {where(p)}: "
                f"{to_close(diffs[p], 1.0, unit)}).")
    elif outcome == "depends":
        p = nearest_tie(farther_pairs)
        flip = (f"Had the {farther} farther pair(s) been ties (the nearest to one, "
                f"{where(p)}: {to_close(diffs[p], 1.0, unit)}), the verdict would have been "
                f"inconclusive; confirmed needs all {total} pairs closer, now {closer}.")
    else:
        p = max(tied_pairs, key=lambda q: abs(diffs[q].mean) / max(
            diffs[q].high - diffs[q].low, 1e-300))
        flip = (f"Of the {total} pairs {len(tied_pairs)} are not separated; the nearest to "
                f"separating, {where(p)}, needs {to_separate(diffs[p], 1.0, unit)}; confirmed "
                f"needs all {total} pairs closer, now {closer}.")
    plain = (f"{ANSWER[outcome]}: of {total} method and surface pairs, {closer} end reliably "
             f"closer to the minimum than {baseline} and {farther} farther")
    if outcome == "depends":
        plain += f"; the answer changes with {_condition(sign, methods, surfaces)}"
    return Verdict(
        claim="Momentum and adaptive methods follow a valley better than plain SGD.",
        source="site", outcome=outcome, sentence=plain + ".", flip=flip, details=sentence + ".",
        numbers={"differences": {f"{m} | {s}": (d.mean, d.low, d.high, d.n)
                                 for (m, s), d in diffs.items()},
                 "closer": closer, "farther": farther, "pairs": total, "wins": wins,
                 "steps": steps})


def _log_distances(runs: Mapping[str, Mapping[int, float]], floor: float
                   ) -> dict[str, dict[int, float]]:
    """log10 of every distance on one surface, floored; diverged runs one decade beyond the
    farthest finite one (0, a distance of 1, when none is finite)."""
    logs = {m: {r: math.log10(max(d, floor)) if math.isfinite(d) else math.inf
                for r, d in values.items()} for m, values in runs.items()}
    finite = [v for values in logs.values() for v in values.values() if math.isfinite(v)]
    worst = (max(finite) if finite else 0.0) + 1.0
    return {m: {r: v if math.isfinite(v) else worst for r, v in values.items()}
            for m, values in logs.items()}


def _condition(sign: Mapping[tuple[str, str], int], methods: Sequence[str],
               surfaces: Sequence[str]) -> str:
    """What the answer changes with, in words: the method, the surface, or both."""
    def mixed(cells: list[int]) -> bool:
        return 1 in cells and -1 in cells

    by_method = any(mixed([sign[m, s] for m in methods]) for s in surfaces)
    by_surface = any(mixed([sign[m, s] for s in surfaces]) for m in methods)
    if by_method != by_surface:
        return "the method" if by_method else "the surface"
    return "the method and the surface"


def saddle_escape(noisy: Mapping[str, Mapping[int, int | None]],
                  exact: Mapping[str, int | None], steps: int, start_offset: float,
                  noise: float, sgd: str = "SGD", factor: float = 2.0) -> Verdict:
    """Test the claim "SGD handles saddle points poorly".

    "Poorly" means: at least ``factor`` times the median escape time of the other methods.
    Two conditions are tested. *With gradient noise* (as minibatch gradients have), every
    method gets the same noise draws on a given seed, so the seeds pair up; per seed,
    :math:`\\log_{10}` of SGD's escape steps is compared with :math:`\\log_{10}` of
    ``factor`` times the median of the other methods' steps on that seed, and the paired
    95 % interval over seeds (:func:`~optguide.analysis.stats.paired_difference`) decides:
    above zero, poorly (``confirmed``); below, not poorly (``refuted``); straddling zero,
    ``inconclusive``. *With exact gradients* the runs are deterministic, one per method:
    plain gradient descent's escape steps against ``factor`` times the others' median decide
    without an interval (``confirmed`` when at least, ``refuted`` when below). A run that
    never escaped within ``steps`` counts as ``steps + 1``.

    Parameters
    ----------
    noisy : mapping
        Method name -> seed -> steps it needed to leave the saddle (``None``: not within
        ``steps``), with gradient noise. Must contain ``sgd`` and at least one other method,
        on common seeds.
    exact : mapping
        Method name -> steps to leave the saddle with exact gradients (``None``: not within
        ``steps``). Must contain ``sgd`` (then plain gradient descent) and at least one other
        method.
    steps : int
        Steps every run was given.
    start_offset : float
        How far from the saddle's ridge the runs started (for the sentence).
    noise : float
        Standard deviation of the gradient noise (for the sentence).
    sgd : str
        Name of plain SGD in both mappings.
    factor : float
        How many times the others' median counts as "poorly".

    Returns
    -------
    Verdict
        The two conditions combined by :func:`~optguide.claims._rules.across_conditions`:
        the same outcome in both, that outcome; confirmed in one and refuted in the other,
        ``depends`` (on the noise; with exact gradients confirmed and with noise refuted,
        the noise, not the update rule, rescues SGD); noisy comparison not separated,
        ``inconclusive``.
    """
    others = [m for m in noisy if m != sgd]
    exact_others = [m for m in exact if m != sgd]
    if sgd not in noisy or sgd not in exact or not others or not exact_others:
        raise ValueError(f"noisy and exact each need {sgd!r} and at least one other method")
    seeds = sorted(set.intersection(*(set(noisy[m]) for m in noisy)))
    if not seeds:
        raise ValueError("the noisy runs share no seed")

    def cost(value: int | None) -> float:
        return float(steps + 1 if value is None else value)

    median = {s: float(np.median([cost(noisy[m][s]) for m in others])) for s in seeds}
    diff = paired_difference({s: math.log10(cost(noisy[sgd][s])) for s in seeds},
                             {s: math.log10(factor * median[s]) for s in seeds})
    noisy_outcome = from_sign(diff.sign)
    exact_median = float(np.median([cost(exact[m]) for m in exact_others]))
    gd = cost(exact[sgd])
    exact_outcome = "confirmed" if gd >= factor * exact_median else "refuted"
    conditions = {"noise": noisy_outcome, "exact": exact_outcome}
    outcome = across_conditions(conditions)

    def times(log_difference: float) -> str:
        return _ratio(10 ** (log_difference + math.log10(factor)))

    def count(value: float) -> str:
        return f"more than {steps}" if value > steps else f"{value:g}"

    ratio = (f"{times(diff.mean)} times" if diff.n < 2 else
             f"{times(diff.mean)} [{times(diff.low)}, {times(diff.high)}] times")
    sgd_median = float(np.median([cost(noisy[sgd][s]) for s in seeds]))
    ends = sorted(cost(exact[m]) for m in exact_others)
    spread = count(ends[0]) if ends[0] == ends[-1] else f"{count(ends[0])} to {count(ends[-1])}"
    sentence = (f"Starting {_number(start_offset)} off the saddle's ridge, with gradient noise "
                f"(std {noise:g}, the same draws for every method on each of {len(seeds)} "
                f"seeds) {sgd} needed a median of {count(sgd_median)} steps to escape and the "
                f"other {len(others)} methods a median of "
                f"{count(float(np.median(list(median.values()))))} (median over seeds of the "
                f"per-seed medians); log10 of {sgd}'s steps minus log10 of {factor:g} x the "
                f"others' median is {diff.format(1.0, 2, ' decades')} ({sgd} took {ratio} the "
                f"others' median: {noisy_outcome}); with exact gradients plain gradient descent "
                f"needed {count(gd)} steps and the other {len(exact_others)} methods {spread} "
                f"(median {count(exact_median)}), {_ratio(gd / exact_median)} times the median "
                f"({exact_outcome})")
    if outcome == "depends" and exact_outcome == "confirmed":
        sentence += ": the noise, not the update rule, rescues SGD"
    elif outcome == "depends":
        sentence += ": gradient descent keeps up with exact gradients, not with noise"
    never = sum(v is None for runs in noisy.values() for v in runs.values()) + sum(
        v is None for v in exact.values())
    if never:
        sentence += (f" ({never} run(s) that never escaped within {steps} steps counted as "
                     f"{steps + 1})")

    flipped = "confirmed" if exact_outcome == "refuted" else "refuted"
    need = "at least" if flipped == "confirmed" else "fewer than"
    exact_text = (f"had gradient descent needed {need} {factor:g} x {exact_median:g} = "
                  f"{factor * exact_median:g} steps with exact gradients (it needed {gd:g})")
    if diff.separated:
        tie = across_conditions({"noise": "inconclusive", "exact": exact_outcome})
        other = across_conditions({"noise": noisy_outcome, "exact": flipped})
        flip = (f"With gradient noise, {to_close(diff, 1.0, ' decades')}, the verdict would "
                f"have been {tie}; {exact_text}, {other}.")
    else:
        above = across_conditions({"noise": "confirmed", "exact": exact_outcome})
        below = across_conditions({"noise": "refuted", "exact": exact_outcome})
        flip = (f"A decision needs, with gradient noise, {to_separate(diff, 1.0, ' decades')}; "
                f"with exact gradients {exact_outcome} as now, an interval above zero would "
                f"have made it {above}, one below zero {below}.")
    plain = (f"{ANSWER[outcome]}: SGD took {times(diff.mean)} times the other methods' median "
             f"steps to escape with gradient noise and {_ratio(gd / exact_median)} times with "
             f"exact gradients; poorly means at least {factor:g} times.")
    return Verdict(claim="SGD handles saddle points poorly.", outcome=outcome,
                   sentence=plain, flip=flip, details=sentence + ".",
                   numbers={"noisy": {m: dict(v) for m, v in noisy.items()},
                            "exact": dict(exact), "difference": (diff.mean, diff.low,
                                                                 diff.high, diff.n),
                            "median_others_exact": exact_median, "outcomes": conditions,
                            "steps": steps})


def sparse_features(rare_accuracy: Mapping[str, Mapping[int, float]],
                    adagrad: str = "Adagrad") -> Verdict:
    """Test the claim "Adagrad suits sparse data" (rare but informative features).

    "Suits best" is read against every method measured, not only SGD, and decided by paired
    95 % intervals over data sets (each data set, drawn with its own seed, is trained by every
    method).

    Parameters
    ----------
    rare_accuracy : mapping
        Method name -> data set (seed) -> test accuracy (0-1) on the examples whose label is
        decided by a rare feature. Must contain ``adagrad`` and at least one other method,
        all on the same data sets.

    adagrad : str
        Name of the method the claim is about.

    Returns
    -------
    Verdict
        ``confirmed`` if Adagrad is reliably ahead of every other method (each paired interval
        above 0), ``refuted`` if some method is reliably ahead of Adagrad, ``inconclusive``
        otherwise.
    """
    others = [m for m in rare_accuracy if m != adagrad]
    if adagrad not in rare_accuracy or not others:
        raise ValueError(f"rare_accuracy needs {adagrad!r} and at least one other method")
    mean = {m: float(np.mean(list(rare_accuracy[m].values()))) for m in rare_accuracy}
    diffs = {m: paired_difference(rare_accuracy[adagrad], rare_accuracy[m]) for m in others}
    rival = max(others, key=mean.get)
    ahead = [m for m in others if diffs[m].sign < 0]
    if ahead:
        outcome = "refuted"
    elif all(diffs[m].sign > 0 for m in others):
        outcome = "confirmed"
    else:
        outcome = "inconclusive"
    sets = len(rare_accuracy[adagrad])
    sentence = (f"On test examples decided by a rare feature (mean of {sets} data sets), "
                f"{adagrad} reached {100 * mean[adagrad]:.1f} % accuracy, the best of the others "
                f"{rival} {100 * mean[rival]:.1f} %")
    rest = [m for m in others if m != rival]
    if rest:
        sentence += " (" + ", ".join(f"{m} {100 * mean[m]:.1f} %" for m in rest) + ")"
    sentence += f"; {adagrad} minus {rival}: {diffs[rival].format()}"
    if outcome == "refuted":
        sentence += f"; reliably ahead of {adagrad}: {_names(ahead)}"
    elif outcome == "inconclusive":
        behind = [m for m in others if diffs[m].sign > 0]
        sentence += (f"; {adagrad} is reliably ahead of {_names(behind) if behind else 'none'} "
                     "but not of every method")
    if outcome == "confirmed":
        closest = min(others, key=lambda m: diffs[m].low)
        flip = (f"Against {closest}, {to_close(diffs[closest])}, the verdict would have been "
                "inconclusive.")
    elif outcome == "refuted":
        strongest = min(ahead, key=lambda m: diffs[m].high)
        flip = (f"Against {strongest} (the clearest lead over {adagrad}), "
                f"{to_close(diffs[strongest])}"
                + (f", and likewise for {_names([m for m in ahead if m != strongest])}"
                   if len(ahead) > 1 else "")
                + ", the verdict would have been inconclusive.")
    else:
        open_ = [m for m in others if diffs[m].sign == 0]
        flip = ("Confirmed needs " + "; ".join(f"against {m}, {to_separate(diffs[m])}"
                                                for m in open_)
                + " (in Adagrad's favour); refuted needs one method reliably ahead of it.")
    plain = {
        "confirmed": f"Yes: on rare features {adagrad} is reliably ahead of every other method.",
        "refuted": f"No: on rare features {_names(ahead)} reliably beat {adagrad}.",
        "inconclusive": (f"{ANSWER['inconclusive']}: on rare features {adagrad} is not "
                         "reliably ahead of every other method, and none beats it."),
    }[outcome]
    return Verdict(claim="Adagrad suits sparse data.", outcome=outcome, sentence=plain,
                   details=sentence + ".",
                   numbers={"mean_rare_accuracy": mean,
                            "differences": {m: (d.mean, d.low, d.high, d.n)
                                            for m, d in diffs.items()},
                            "rival": rival, "datasets": sets}, flip=flip)


def shrinking_learning_rate(ratios: Mapping[str, float], early_step: int, late_step: int,
                            adagrad: str = "Adagrad",
                            fixes: Sequence[str] = ("RMSprop", "Adadelta"),
                            shrink: float = 0.5, steady: float = 0.5) -> Verdict:
    """Test the claim "Adagrad's learning rate keeps shrinking; RMSprop and Adadelta fix that".

    Parameters
    ----------
    ratios : mapping
        Method name -> effective learning rate at ``late_step`` divided by the one at
        ``early_step``. Must contain ``adagrad`` and every name in ``fixes``.
    early_step, late_step : int
        The two steps compared (for the sentence).
    adagrad : str
        Name of the method said to shrink.
    fixes : sequence of str
        Names of the methods said to fix it.
    shrink : float
        Adagrad's ratio must be below this to count as shrinking.
    steady : float
        A fix's ratio must be at least this to count as not shrinking.

    Returns
    -------
    Verdict
        ``refuted`` if Adagrad's ratio is at least ``shrink``; ``confirmed`` if it is below
        and every fix keeps a ratio of at least ``steady``; ``depends`` otherwise.
    """
    missing = [m for m in (adagrad, *fixes) if m not in ratios]
    if missing:
        raise ValueError(f"ratios lacks {', '.join(missing)}")
    failed = [m for m in fixes if ratios[m] < steady]
    if ratios[adagrad] >= shrink:
        outcome = "refuted"
    elif failed:
        outcome = "depends"
    else:
        outcome = "confirmed"
    others = _names([f"{ratios[m]:.2g} for {m}" for m in ratios if m != adagrad])
    sentence = (f"From step {early_step} to step {late_step} {adagrad}'s effective learning "
                f"rate changed by a factor of {ratios[adagrad]:.2g}, against {others}")
    if outcome == "depends":
        sentence += f"; {_names(failed)} shrank too"
    if outcome == "refuted":
        flip = (f"Had {adagrad}'s factor been below {shrink:g} (it was "
                f"{ratios[adagrad]:.2g}), the claim would not have been refuted.")
    elif outcome == "confirmed":
        low = min(fixes, key=ratios.get)
        flip = (f"Had {low}'s factor fallen below {steady:g} (it was {ratios[low]:.2g}), the "
                f"verdict would have been depends; had {adagrad}'s reached {shrink:g} (it was "
                f"{ratios[adagrad]:.2g}), refuted.")
    else:
        flip = (f"Had {_names(failed)} kept a factor of at least {steady:g} ("
                + ", ".join(f"{m} {ratios[m]:.2g}" for m in failed)
                + "), the verdict would have been confirmed.")
    plain = {
        "confirmed": (f"Yes: {adagrad}'s effective learning rate shrank by a factor of "
                      f"{ratios[adagrad]:.2g}, and {_names(list(fixes))} kept theirs."),
        "refuted": (f"No: {adagrad}'s effective learning rate did not shrink below "
                    f"{shrink:g} of its early value."),
        "depends": (f"It depends on the method: {adagrad}'s rate shrank, and "
                    f"{_names(failed)} shrank too."),
    }[outcome]
    return Verdict(claim="Adagrad's learning rate keeps shrinking; RMSprop and Adadelta fix that.",
                   outcome=outcome, sentence=plain, flip=flip, details=sentence + ".",
                   numbers={"ratios": dict(ratios), "early_step": early_step,
                            "late_step": late_step})


def sparse_features_in_regimes(
        rare_accuracy: Mapping[str, Mapping[str, Mapping[int, float]]],
        adagrad: str = "Adagrad") -> Verdict:
    """:func:`sparse_features` in several data regimes, combined.

    Parameters
    ----------
    rare_accuracy : mapping
        Regime (described in words) -> method -> data set -> rare-feature test accuracy.
    adagrad
        As in :func:`sparse_features`.

    Returns
    -------
    Verdict
        The regimes' outcomes combined by
        :func:`~optguide.claims._rules.across_conditions`: the same everywhere, that outcome;
        confirmed in one regime and refuted in another, ``depends``; otherwise
        ``inconclusive``.
    """
    if not rare_accuracy:
        raise ValueError("no regimes")
    verdicts = {regime: sparse_features(acc, adagrad)
                for regime, acc in rare_accuracy.items()}
    outcome = across_conditions({r: v.outcome for r, v in verdicts.items()})
    details = " ".join(f"With {regime} ({v.outcome}): {v.text[0].lower()}{v.text[1:]}"
                       for regime, v in verdicts.items())
    flip = " ".join(f"With {regime}: {v.flip[0].lower()}{v.flip[1:]}"
                    for regime, v in verdicts.items())
    said = {"confirmed": "ahead of every method", "refuted": "beaten",
            "inconclusive": "not separated"}
    counts = {o: sum(v.outcome == o for v in verdicts.values()) for o in said}
    plain = (f"{ANSWER[outcome]}: on rare features {adagrad} is "
             + _names([f"{said[o]} in {counts[o]} of {len(verdicts)} data regimes"
                       for o in said if counts[o]]) + ".")
    if len(flip.split()) > FLIP_WORDS:
        flip = join_flips([f"with {regime}: {v.flip[0].lower()}{v.flip[1:-1]}"
                           for regime, v in verdicts.items()])
    return Verdict(claim="Adagrad suits sparse data.", outcome=outcome, sentence=plain,
                   numbers={"regimes": {r: v.numbers for r, v in verdicts.items()},
                            "outcomes": {r: v.outcome for r, v in verdicts.items()}},
                   flip=flip, details=details)


def shrinking_hurts(late_loss: Mapping[str, Mapping[str, Mapping[int, float]]],
                    adagrad: str = "Adagrad", rival: str = "RMSprop") -> Verdict:
    """Test whether Adagrad's shrinking learning rate hurts, against a method that keeps its own.

    Parameters
    ----------
    late_loss : mapping
        Condition (e.g. a noise level, in words) -> method -> seed -> loss late in training,
        each method at its tuned learning rate (chosen on other seeds).
    adagrad, rival : str
        The two methods compared seed by seed.

    Returns
    -------
    Verdict
        Per condition ``confirmed`` when Adagrad's late loss is reliably higher (paired 95 %
        interval over seeds), ``refuted`` when reliably lower, ``inconclusive`` when not
        separated; across conditions by
        :func:`~optguide.claims._rules.across_conditions` (``depends`` when confirmed under
        one condition and refuted under another).
    """
    if not late_loss:
        raise ValueError("no conditions")
    diffs, outcomes, parts, scales = {}, {}, [], {}
    for condition, losses in late_loss.items():
        if adagrad not in losses or rival not in losses:
            raise ValueError(f"{condition}: need {adagrad} and {rival}")
        diffs[condition] = diff = paired_difference(losses[adagrad], losses[rival])
        outcomes[condition] = from_sign(diff.sign)
        scales[condition] = _scale(list(losses[rival].values()))
        scale, unit = scales[condition]
        parts.append(f"{condition}, {adagrad} minus {rival} {diff.format(scale, 2, unit)} "
                     f"({outcomes[condition]})")
    outcome = across_conditions(outcomes)
    sentence = ("Late-training loss at each method's tuned learning rate: "
                + "; ".join(parts))
    flips = [f"{condition}: " + (f"a tie {to_close(d, *scales[condition])}" if d.separated else
                                 f"a decision needs {to_separate(d, *scales[condition])}")
             for condition, d in diffs.items()]
    said = {"confirmed": "reliably higher", "refuted": "reliably lower",
            "inconclusive": "not separated"}
    counts = {o: sum(v == o for v in outcomes.values()) for o in said}
    plain = (f"{ANSWER[outcome]}: late in training {adagrad}'s loss is "
             + _names([f"{said[o]} than {rival}'s in {counts[o]} of {len(outcomes)} "
                       "conditions" for o in said if counts[o]]) + ".")
    return Verdict(claim="Adagrad's shrinking learning rate hurts late in training.",
                   source="site", outcome=outcome, sentence=plain, flip=join_flips(flips),
                   details=sentence + ".",
                   numbers={"outcomes": outcomes,
                            "differences": {c: (d.mean, d.low, d.high, d.n)
                                            for c, d in diffs.items()}})


def _ratio(value: float) -> str:
    """Two significant digits without exponent notation: ``0.87``, ``2.4``, ``180``."""
    return f"{value:.0f}" if value >= 100 else f"{value:.2g}"


def _scale(values: Sequence[float]) -> tuple[float, str]:
    """A power of ten that puts the typical size of ``values`` between 1 and 10, and its unit."""
    size = float(np.median(np.abs(values))) if len(values) else 0.0
    if not math.isfinite(size) or size <= 0:
        return 1.0, ""
    exponent = math.floor(math.log10(size))
    return (10.0 ** -exponent, f" x 1e{exponent}") if exponent else (1.0, "")
