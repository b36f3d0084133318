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
from . import Verdict
from ._rules import across_conditions, from_sign, to_close, to_separate

__all__ = ["valley_following", "saddle_escape", "sparse_features", "sparse_features_in_regimes",
           "shrinking_learning_rate", "shrinking_hurts"]


def _steps(value: int | None, limit: int) -> str:
    return f"{value}" if value is not None else f"more than {limit}"


def valley_following(distances: Mapping[str, Mapping[str, float]], steps: int,
                     baseline: str = "SGD") -> Verdict:
    """Test the claim "momentum and adaptive methods follow a valley better than plain SGD".

    Parameters
    ----------
    distances : mapping
        Surface name -> method name -> distance from the method's last point to the minimum
        (``inf`` for a diverged run). Every surface must have the same methods, ``baseline``
        among them.
    steps : int
        Steps every method took (for the sentence).
    baseline : str
        The method the others are compared with.

    Returns
    -------
    Verdict
        ``confirmed`` if every other method ends closer to the minimum than ``baseline`` on
        every surface; ``refuted`` if no method ends closer on most surfaces; ``depends``
        otherwise.
    """
    surfaces = list(distances)
    if not surfaces:
        raise ValueError("distances is empty")
    methods = [m for m in distances[surfaces[0]] if m != baseline]
    for surface in surfaces:
        if baseline not in distances[surface] or set(distances[surface]) - {baseline} != set(
                methods):
            raise ValueError(f"surface {surface!r} lacks {baseline!r} or differs in methods")
    wins = {m: sum(distances[s][m] < distances[s][baseline] for s in surfaces) for m in methods}
    n = len(surfaces)
    if all(wins[m] == n for m in methods):
        outcome = "confirmed"
    elif all(wins[m] <= n / 2 for m in methods):
        outcome = "refuted"
    else:
        outcome = "depends"
    base = _names([f"{distances[s][baseline]:.2g} ({s})" for s in surfaces])
    groups = []
    for count in sorted(set(wins.values()), reverse=True):
        where = f"all {n} surfaces" if count == n else "none" if count == 0 else f"{count} of {n}"
        groups.append(f"{where}: {_names([m for m in methods if wins[m] == count])}")
    sentence = (f"After {steps} steps at tuned learning rates {baseline} ended {base} from the "
                f"minimum; the others ended closer on " + "; on ".join(groups))
    if outcome == "confirmed":
        m, s = min(((m, s) for m in methods for s in surfaces),
                   key=lambda ms: distances[ms[1]][baseline] / max(distances[ms[1]][ms[0]], 1e-300))
        flip = (f"Had {m} ended farther than {baseline} on the {s} surface "
                f"({distances[s][m]:.2g} against {distances[s][baseline]:.2g}, the closest "
                f"call), the verdict would have been depends.")
    elif outcome == "refuted":
        m = max(methods, key=wins.get)
        flip = (f"Had {m} also ended closer than {baseline} on {math.floor(n / 2) + 1 - wins[m]} "
                f"more surface(s) (it won {wins[m]} of {n}), the verdict would have been depends.")
    else:
        short = {m: [s for s in surfaces if not distances[s][m] < distances[s][baseline]]
                 for m in methods}
        flip = ("It would have been confirmed had every method also ended closer than "
                f"{baseline} where it did not ("
                + "; ".join(f"{m}: {_names(short[m])}" for m in methods if short[m])
                + "), and refuted had no method won on most surfaces.")
    return Verdict(
        claim="Momentum and adaptive methods follow a valley better than plain SGD.",
        outcome=outcome, sentence=sentence + ".", flip=flip,
        numbers={"distances": {s: dict(d) for s, d in distances.items()}, "wins": wins,
                 "steps": steps})


def saddle_escape(escape_steps: Mapping[str, int | None], steps: int, start_offset: float,
                  gd: str = "GD", noisy: str = "noisy SGD", factor: float = 2.0) -> Verdict:
    """Test the claim "SGD handles saddle points poorly".

    Parameters
    ----------
    escape_steps : mapping
        Method name -> steps it needed to leave the saddle (``None``: not within ``steps``).
        Must contain ``gd`` (exact gradient descent) and ``noisy`` (SGD with gradient noise)
        and at least one other method (momentum, adaptive methods).
    steps : int
        Steps every method was given.
    start_offset : float
        How far from the saddle's ridge the runs started (for the sentence).
    gd, noisy : str
        Names of the two plain-SGD runs in ``escape_steps``.
    factor : float
        How many times slower than the other methods' median counts as "poorly".

    Returns
    -------
    Verdict
        ``refuted`` if gradient descent escapes no slower than the other methods' median;
        ``confirmed`` if both gradient descent and noisy SGD take at least ``factor`` times
        that median; ``depends`` otherwise (gradient descent is slow, but gradient noise
        lets SGD escape about as fast as the others).
    """
    others = {m: s for m, s in escape_steps.items() if m not in (gd, noisy)}
    if gd not in escape_steps or noisy not in escape_steps or not others:
        raise ValueError(f"escape_steps needs {gd!r}, {noisy!r} and at least one other method")

    def cost(value: int | None) -> float:
        return math.inf if value is None else float(value)

    median = float(np.median([cost(s) for s in others.values()]))
    gd_cost, noisy_cost = cost(escape_steps[gd]), cost(escape_steps[noisy])
    if gd_cost <= median:
        outcome = "refuted"
    elif noisy_cost >= factor * median:
        outcome = "confirmed"
    else:
        outcome = "depends"
    finite = sorted(s for s in others.values() if s is not None)
    if finite:
        spread = f"{finite[0]}" if finite[0] == finite[-1] else f"{finite[0]}-{finite[-1]}"
        if len(finite) < len(others):
            spread += f" (or more than {steps})"
    else:
        spread = f"more than {steps}"
    middle = f"{median:g}" if math.isfinite(median) else f"more than {steps}"
    sentence = (f"Starting {_number(start_offset)} off the saddle's ridge, gradient descent needed "
                f"{_steps(escape_steps[gd], steps)} steps to escape, SGD with gradient noise "
                f"{_steps(escape_steps[noisy], steps)}, and the other {len(others)} methods "
                f"{spread} (median {middle})")
    if outcome == "depends" and noisy_cost < gd_cost:
        sentence += ": the noise, not the update rule, rescues SGD"
    elif outcome == "depends":
        sentence += (f": gradient descent is slower than the others' median, but within "
                     f"{factor:g} times it, with or without noise")
    gd_text, noisy_text = _steps(escape_steps[gd], steps), _steps(escape_steps[noisy], steps)
    if outcome == "refuted":
        flip = (f"Had gradient descent needed more than the others' median of {middle} steps "
                f"(it needed {gd_text}), the claim would not have been refuted.")
    elif outcome == "confirmed":
        flip = (f"Had SGD with gradient noise escaped in fewer than {factor:g} x {middle} steps "
                f"(it needed {noisy_text}), the verdict would have been depends; had gradient "
                f"descent escaped within {middle}, refuted.")
    else:
        flip = (f"Had SGD with gradient noise needed at least {factor:g} x {middle} steps (it "
                f"needed {noisy_text}), the verdict would have been confirmed.")
    return Verdict(claim="SGD handles saddle points poorly.", outcome=outcome,
                   sentence=sentence + ".", flip=flip,
                   numbers={"escape_steps": dict(escape_steps), "median_others": median,
                            "steps": steps})


def sparse_features(rare_accuracy: Mapping[str, float], adagrad: str = "Adagrad",
                    margin: float = 0.02, datasets: int = 1) -> Verdict:
    """Test the claim "Adagrad suits sparse data" (rare but informative features).

    "Suits best" is read against every method measured, not only SGD.

    Parameters
    ----------
    rare_accuracy : mapping
        Method name -> test accuracy (0-1) on the examples whose label is decided by a rare
        feature. Must contain ``adagrad`` and at least one other method.
    adagrad : str
        Name of the method the claim is about.
    margin : float
        Accuracy difference (0-1) below which two methods count as tied (the examples'
        spread over data sets).
    datasets : int
        Number of data sets the accuracies are averaged over (for the sentence).

    Returns
    -------
    Verdict
        ``confirmed`` if Adagrad beats every other method by at least ``margin``,
        ``refuted`` if some method beats Adagrad by at least ``margin``, ``inconclusive``
        otherwise (Adagrad ties with the best of the others).
    """
    others = [m for m in rare_accuracy if m != adagrad]
    if adagrad not in rare_accuracy or not others:
        raise ValueError(f"rare_accuracy needs {adagrad!r} and at least one other method")
    rival = max(others, key=rare_accuracy.get)
    difference = rare_accuracy[adagrad] - rare_accuracy[rival]
    if difference >= margin:
        outcome = "confirmed"
    elif difference <= -margin:
        outcome = "refuted"
    else:
        outcome = "inconclusive"
    averaged = f" (mean of {datasets} data sets)" if datasets > 1 else ""
    sentence = (f"On test examples decided by a rare feature{averaged}, {adagrad} reached "
                f"{100 * rare_accuracy[adagrad]:.1f} % accuracy, the best of the others "
                f"{rival} {100 * rare_accuracy[rival]:.1f} %")
    rest = [m for m in others if m != rival]
    if rest:
        sentence += " (" + ", ".join(f"{m} {100 * rare_accuracy[m]:.1f} %" for m in rest) + ")"
    if outcome == "inconclusive":
        sentence += f", within {100 * margin:g} points of each other"
    gap = 100 * (margin - abs(difference))
    if outcome == "inconclusive":
        flip = (f"A gap of {100 * margin:g} points either way between {adagrad} and {rival} "
                f"(now {100 * difference:+.1f}) would have decided it.")
    else:
        flip = (f"Had the gap between {adagrad} and {rival} ({100 * difference:+.1f} points) "
                f"been {-gap:.1f} points smaller, within {100 * margin:g} points, the verdict "
                f"would have been inconclusive.")
    return Verdict(claim="Adagrad suits sparse data.", outcome=outcome, sentence=sentence + ".",
                   numbers={"rare_accuracy": dict(rare_accuracy), "difference": difference,
                            "rival": rival, "datasets": datasets}, flip=flip)


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
    return Verdict(claim="Adagrad's learning rate keeps shrinking; RMSprop and Adadelta fix that.",
                   outcome=outcome, sentence=sentence + ".", flip=flip,
                   numbers={"ratios": dict(ratios), "early_step": early_step,
                            "late_step": late_step})


def sparse_features_in_regimes(rare_accuracy: Mapping[str, Mapping[str, float]],
                               adagrad: str = "Adagrad", margin: float = 0.02,
                               datasets: int = 1) -> Verdict:
    """:func:`sparse_features` in several data regimes, combined.

    Parameters
    ----------
    rare_accuracy : mapping
        Regime (described in words) -> method -> rare-feature test accuracy.
    adagrad, margin, datasets
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
    verdicts = {regime: sparse_features(acc, adagrad, margin, datasets)
                for regime, acc in rare_accuracy.items()}
    outcome = across_conditions({r: v.outcome for r, v in verdicts.items()})
    sentence = " ".join(f"With {regime} ({v.outcome}): {v.sentence[0].lower()}{v.sentence[1:]}"
                        for regime, v in verdicts.items())
    flip = " ".join(f"With {regime}: {v.flip[0].lower()}{v.flip[1:]}"
                    for regime, v in verdicts.items())
    return Verdict(claim="Adagrad suits sparse data.", outcome=outcome, sentence=sentence,
                   numbers={"regimes": {r: v.numbers for r, v in verdicts.items()},
                            "outcomes": {r: v.outcome for r, v in verdicts.items()}},
                   flip=flip)


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
    flip = "; ".join(flips)
    return Verdict(claim="Adagrad's shrinking learning rate hurts late in training.",
                   outcome=outcome, sentence=sentence + ".", flip=flip[0].upper() + flip[1:] + ".",
                   numbers={"outcomes": outcomes,
                            "differences": {c: (d.mean, d.low, d.high, d.n)
                                            for c, d in diffs.items()}})


def _scale(values: Sequence[float]) -> tuple[float, str]:
    """A power of ten that puts the typical size of ``values`` between 1 and 10, and its unit."""
    size = float(np.median(np.abs(values))) if len(values) else 0.0
    if not math.isfinite(size) or size <= 0:
        return 1.0, ""
    exponent = math.floor(math.log10(size))
    return (10.0 ** -exponent, f" x 1e{exponent}") if exponent else (1.0, "")
