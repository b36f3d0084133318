"""The claim that RMSprop copes with noisy gradients, on sweeps at several batch sizes."""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.batches import ResultsByBatch, budget_basis, chosen_learning_rates, noise_costs
from ..analysis.names import optimizer_name
from ..analysis.scoring import estimates
from ..analysis.stats import paired_difference
from . import Verdict
from ._rules import (
    ANSWER,
    across_conditions,
    from_sign,
    inner_edge,
    join_flips,
    to_close,
    to_separate,
)

__all__ = ["rmsprop_tames_noise"]

_VIEW_WORDS = {"fixed": "with the learning rate best at the largest batch kept",
               "retuned": "with the learning rate retuned for every batch size",
               "default": "at the default learning rates"}


def rmsprop_tames_noise(results_by_batch: ResultsByBatch,
                        baselines: Sequence[str] = ("sgd", "adagrad"),
                        views: Sequence[str] = ("fixed", "retuned")) -> Verdict:
    """Test "RMSprop reduces the impact of noisy gradients" across batch sizes.

    Smaller batches give noisier gradients. The *noise cost* of an optimizer is, seed by
    seed, the test accuracy it loses at the smallest batch size against its best batch size
    (chosen on validation; :func:`optguide.analysis.batches.noise_costs`). RMSprop's cost is
    compared with each baseline's by paired differences over seeds, under each way of
    choosing the learning rate (``views``; rates chosen on validation).

    What "the same budget" means (equal updates or equal examples) is decided by the sweeps
    passed in; the sentence says which (:func:`~optguide.analysis.batches.budget_basis`).

    Parameters
    ----------
    results_by_batch : mapping of int to Results
        Batch size -> a learning-rate sweep (same seeds, validation metrics) with RMSprop and
        the baselines.
    baselines : sequence of str
        The optimizers RMSprop is compared with (those present are used; Adagrad is the
        article's contrast).
    views : sequence of str
        ``"fixed"``, ``"retuned"`` and/or ``"default"``
        (:func:`optguide.analysis.batches.chosen_learning_rates`).

    Returns
    -------
    Verdict
        Per (view, baseline) ``confirmed`` when RMSprop's cost is reliably lower,
        ``refuted`` when reliably higher, ``inconclusive`` when not separated; across them
        ``depends`` when confirmed under some and refuted under others.
    """
    costs = {view: noise_costs(results_by_batch, view) for view in views}
    present = [b for b in baselines if b in costs[views[0]]]
    if "rmsprop" not in costs[views[0]] or not present:
        raise ValueError("need RMSprop and at least one baseline in the sweeps")
    outcomes, parts, diffs, words = {}, [], {}, {}
    for view in views:
        est = estimates(costs[view])
        listed = ", ".join(f"{optimizer_name(n)} {est[n].format(unit=' points')}"
                           for n in [*present, "rmsprop"])
        parts.append(f"{_VIEW_WORDS[view]}: {listed}")
        for base in present:
            key = f"{view}/{base}"
            diffs[key] = paired_difference(costs[view][base], costs[view]["rmsprop"])
            outcomes[key] = from_sign(diffs[key].sign)
            words[key] = f"{_VIEW_WORDS[view]}, against {optimizer_name(base)}"
    outcome = across_conditions(outcomes)
    smallest, largest = min(results_by_batch), max(results_by_batch)
    won = [words[k] for k, o in outcomes.items() if o == "confirmed"]
    lost = [words[k] for k, o in outcomes.items() if o == "refuted"]
    summary = (f"RMSprop loses reliably less {'; '.join(won) or 'in no comparison'}, and "
               f"reliably more {'; '.join(lost) or 'in none'}")
    sentence = (f"Going down to batch {smallest} from each optimizer's best batch size "
                f"(chosen on validation, up to batch {largest}), at "
                f"{budget_basis(results_by_batch)}, costs, in test accuracy, "
                + "; ".join(parts) + f"; so {summary}.")
    flips = []
    for kind in ("confirmed", "refuted"):  # the closest call of each definite kind
        keys = [k for k, o in outcomes.items() if o == kind]
        if keys:
            key = min(keys, key=lambda k: inner_edge(diffs[k]))
            flips.append(f"{words[key]}, a tie {to_close(diffs[key])}")
    undecided = [k for k, o in outcomes.items() if o == "inconclusive"]
    if undecided:
        flips.append(f"{words[undecided[0]]}, a decision needs {to_separate(diffs[undecided[0]])}")
    rates = {view: {n: chosen_learning_rates(results_by_batch, n, view)
                    for n in [*present, "rmsprop"]} for view in views}
    numbers = {"noise_cost": {v: {n: estimates(c)[n].mean for n in c} for v, c in costs.items()},
               "outcomes": outcomes, "learning_rates": rates,
               "differences": {k: (d.mean, d.low, d.high, d.n) for k, d in diffs.items()},
               "smallest_batch": smallest, "largest_batch": largest}
    others = " or ".join(optimizer_name(n) for n in present)
    total = len(outcomes)
    less = (f"loses reliably less accuracy than {others} in {len(won)} of {total} comparisons"
            if won else f"never loses reliably less accuracy than {others}")
    more = ("never reliably more" if not lost else
            f"reliably more in {len(lost)}" + ("" if won else f" of {total} comparisons"))
    plain = f"{ANSWER[outcome]}: going down to batch {smallest}, RMSprop {less}, and {more}."
    return Verdict("RMSprop reduces the impact of noisy gradients.", outcome, plain, numbers,
                   flip=join_flips(flips), details=sentence)
