"""The claim that the optimizers' ranking on the MLP carries over to a CNN."""

from __future__ import annotations

from itertools import combinations

from ..analysis.filtering import distinct, where
from ..analysis.names import optimizer_name, possessive
from ..analysis.scoring import estimates, kendall_tau, ranking, scores
from ..analysis.stats import paired_difference
from ..results import Results
from . import Verdict
from ._rules import ANSWER, across_conditions, join_flips, to_close, to_separate

__all__ = ["ranking_holds_for_cnn", "chain"]


def chain(table) -> str:
    """The options in order of mean (percent), ``>`` between neighbours that a paired 95 %
    interval separates and ``≈`` between neighbours it does not:
    ``"Adam 97.9 ≈ RMSprop 97.8 > SGD 95.0"``.

    Separation is not transitive (A may be separated from C but from neither of B's sides), so
    the chain states neighbouring pairs only; the verdict checks every pair.
    """
    est = estimates(table)
    order = ranking(table)
    text = f"{optimizer_name(order[0])} {est[order[0]].mean * 100:.1f}"
    for upper, lower in zip(order, order[1:]):
        sign = ">" if paired_difference(table[upper], table[lower]).separated else "≈"
        text += f" {sign} {optimizer_name(lower)} {est[lower].mean * 100:.1f}"
    return text


def ranking_holds_for_cnn(mlp: Results, cnn: Results, preset: str | None = None,
                          metric: str = "test_accuracy",
                          tuned: tuple[Results, Results] | None = None) -> Verdict:
    """Test whether the optimizers' ranking on the MLP carries over to a CNN, pair by pair.

    Every pair of optimizers that the MLP's paired intervals order is looked up on the CNN:
    *kept* (same order, separated), *reversed* (opposite order, separated) or *unresolved*
    (not separated on the CNN).

    Parameters
    ----------
    mlp, cnn : Results
        The same comparison (one setting per optimizer and preset, the same seeds) on the
        two models.
    preset : str, optional
        Compare only this preset; default every preset in ``mlp``.
    metric : str, default "test_accuracy"
        The reported score.
    tuned : (Results, Results), optional
        The same comparison on the MLP and on the CNN with each optimizer's learning rate
        tuned on validation (one rate per optimizer and model, report seeds): a further
        condition next to the presets' defaults.

    Returns
    -------
    Verdict
        Per preset ``refuted`` when the CNN reverses a pair, ``confirmed`` when it keeps every
        pair the MLP orders (at least one), ``inconclusive`` otherwise; across presets (and
        the tuned condition) ``depends`` when confirmed under some and refuted under others.
    """
    presets = [preset] if preset is not None else distinct(mlp, "preset")
    outcomes, parts, flips, numbers = {}, [], [], {}
    conditions = {p: (where(mlp, preset=p), where(cnn, preset=p), f"{possessive(p)} defaults")
                  for p in presets}
    if tuned is not None:
        conditions["tuned"] = (*tuned, "learning rates tuned on validation")
    for p, (mlp_runs, cnn_runs, words) in conditions.items():
        on_mlp = scores(mlp_runs, metric)
        on_cnn = scores(cnn_runs, metric)
        if set(on_mlp) != set(on_cnn):
            raise ValueError("the two comparisons must hold the same optimizers")
        kept, reversed_, unresolved = [], [], []
        for a, b in combinations(ranking(on_mlp), 2):
            on_m = paired_difference(on_mlp[a], on_mlp[b])
            if not on_m.separated:
                continue
            if on_m.sign < 0:
                a, b = b, a
            on_c = paired_difference(on_cnn[a], on_cnn[b])
            (kept if on_c.sign > 0 else reversed_ if on_c.sign < 0 else unresolved).append(
                (a, b, on_c))
        if reversed_:
            outcomes[p] = "refuted"
            a, b, d = reversed_[0]
            flips.append(f"under {words} the CNN's reversal of "
                         f"{optimizer_name(a)} over {optimizer_name(b)} would have been a tie "
                         f"{to_close(d)}")
        elif kept and not unresolved:
            outcomes[p] = "confirmed"
            a, b, d = min(kept, key=lambda item: item[2].low)
            flips.append(f"under {words} the CNN's order of {optimizer_name(a)} "
                         f"over {optimizer_name(b)} would have been a tie {to_close(d)}")
        else:
            outcomes[p] = "inconclusive"
            if unresolved:
                a, b, d = unresolved[0]
                flips.append(f"under {words} ordering {optimizer_name(a)} and "
                             f"{optimizer_name(b)} on the CNN needs {to_separate(d)}")
            else:
                flips.append(f"under {words} the MLP separates no pair: more "
                             f"seeds would be needed before the CNN can agree or disagree")
        tau = kendall_tau(ranking(on_mlp), ranking(on_cnn))
        ordered = len(kept) + len(reversed_) + len(unresolved)
        pairs = ("the MLP separates no pair" if not ordered else
                 f"of the {ordered} pair{'' if ordered == 1 else 's'} the MLP orders, the CNN "
                 f"keeps {len(kept)}, reverses {len(reversed_)} and cannot separate "
                 f"{len(unresolved)}")
        parts.append(f"under {words} MLP {chain(on_mlp)} %, CNN {chain(on_cnn)} %: {pairs} "
                     f"(Kendall's tau of the mean orders {tau:.2f})")
        numbers[p] = {"order_mlp": ranking(on_mlp), "order_cnn": ranking(on_cnn),
                      "kendall_tau": tau, "kept": [(a, b) for a, b, _ in kept],
                      "reversed": [(a, b) for a, b, _ in reversed_],
                      "unresolved": [(a, b) for a, b, _ in unresolved],
                      "accuracy_mlp": {n: estimates(on_mlp)[n].mean for n in on_mlp},
                      "accuracy_cnn": {n: estimates(on_cnn)[n].mean for n in on_cnn}}
    outcome = across_conditions(outcomes)
    counts = [sum(len(numbers[p][key]) for p in numbers)
              for key in ("kept", "reversed", "unresolved")]
    sentence = (f"{ANSWER[outcome]}: of the pairs the MLP orders reliably, the CNN keeps "
                f"{counts[0]}, reverses {counts[1]} and cannot separate {counts[2]}.")
    deciding = [f for p, f in zip(conditions, flips) if outcomes[p] == outcome] or flips
    details = "; ".join(parts)
    return Verdict("The optimizers rank the same on a CNN as on the MLP.", outcome, sentence,
                   {"outcomes": outcomes, "presets": numbers}, flip=join_flips(deciding),
                   details=details[0].upper() + details[1:] + ".", source="site")
