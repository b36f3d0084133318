"""The claim that minibatch gradient descent is the practical middle ground."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..analysis.names import batch_label, join_names
from ..analysis.stats import PairedDifference, mean_ci, paired_difference
from ..analysis.timing import metric_at_seconds, metric_at_updates, updates_per_epoch
from ..results import Results
from . import Verdict
from ._rules import ANSWER, all_parts, join_flips, to_close, to_separate

__all__ = ["minibatch_is_middle_ground", "losses_at_budgets", "losses_at_updates"]

BatchSize = int | None
#: The three ways of counting compute, as the verdict names them.
VIEWS = {"examples": "examples", "updates": "updates", "seconds": "seconds of training"}


def _order(batch_size: BatchSize) -> float:
    return math.inf if batch_size is None else batch_size


def losses_at_budgets(results_by_batch: Mapping[BatchSize, Results], epochs: int,
                      seconds: float | None = None, metric: str = "test_loss"
                      ) -> tuple[dict[BatchSize, dict[int, float]],
                                 dict[BatchSize, dict[int, float | None]], float]:
    """Per batch size and seed, ``metric`` after ``epochs`` epochs and after ``seconds``.

    ``seconds`` defaults to the shortest total training time of the runs that did not
    diverge (a run that diverged early would otherwise shrink the budget to its last epoch).
    A run that finished no epoch within ``seconds`` has ``None``. Returns
    ``(at_epochs, at_seconds, seconds)``.
    """
    if seconds is None:
        seconds = min(sum(e["seconds"] for e in run.history)
                      for results in results_by_batch.values() for run in results.runs
                      if run.status != "diverged")
    at_epochs, at_seconds = {}, {}
    for batch_size, results in results_by_batch.items():
        at_epochs[batch_size] = {run.seed: (run.history[epochs - 1][metric]
                                            if len(run.history) >= epochs else math.inf)
                                 for run in results.runs}
        at_seconds[batch_size] = {run.seed: metric_at_seconds(run, seconds, metric)
                                  for run in results.runs}
    return at_epochs, at_seconds, seconds


def losses_at_updates(results_by_batch: Mapping[BatchSize, Results], updates: int,
                      metric: str = "test_loss") -> dict[BatchSize, dict[int, float]]:
    """Per batch size and seed, ``metric`` after exactly ``updates`` optimizer steps.

    Read from each run's history and trace (:func:`~optguide.analysis.timing.metric_at_updates`;
    a batch that makes many updates per epoch needs a trace with the test metrics there). A run
    that diverged before has an infinite loss.

    Raises
    ------
    ValueError
        When a run that did not diverge was not evaluated after ``updates`` steps.
    """
    table: dict[BatchSize, dict[int, float]] = {}
    for batch_size, results in results_by_batch.items():
        per_epoch = updates_per_epoch(results)
        table[batch_size] = {}
        for run in results.runs:
            value = metric_at_updates(run, updates, per_epoch, metric)
            if value is None and run.status != "diverged":
                raise ValueError(f"{batch_label(batch_size)}, seed {run.seed}: no {metric} after "
                                 f"{updates} updates; evaluate there (eval_every, trace_test)")
            table[batch_size][run.seed] = math.inf if value is None else value
    return table


def _lower(a: Mapping[int, float | None], b: Mapping[int, float | None]
           ) -> tuple[bool | None, PairedDifference | None]:
    """Is loss ``a`` reliably lower than ``b``: (True/False/None, paired difference b - a)."""
    if any(v is None or math.isinf(v) for v in a.values()):
        return False, None
    if any(v is None or math.isinf(v) for v in b.values()):
        return True, None
    diff = paired_difference(b, a)
    return {1: True, -1: False, 0: None}[diff.sign], diff


def _against(minibatch: Mapping[int, float | None],
             rivals: Mapping[BatchSize, Mapping[int, float | None]]
             ) -> tuple[bool | None, dict[BatchSize, tuple[bool | None, PairedDifference | None]]]:
    """Does the minibatch reliably beat every rival: (True/False/None, per-rival results)."""
    results = {b: _lower(minibatch, values) for b, values in rivals.items()}
    outcomes = [v for v, _ in results.values()]
    return (False if False in outcomes else None if None in outcomes else True), results


def _flip(view: str, results: Mapping[BatchSize, tuple[bool | None, PairedDifference | None]]
          ) -> str | None:
    """What would have changed one view: the first rival not beaten, else the closest one."""
    undecided = [(b, d) for b, (v, d) in results.items() if v is not True and d is not None]
    decided = [(b, d) for b, (v, d) in results.items() if v is True and d is not None]
    if undecided:
        b, d = undecided[0]
        return (f"{view}, against {batch_label(b)} the minibatch "
                + (f"would have tied {to_close(d, 1.0, '')}" if d.separated
                   else f"needs {to_separate(d, 1.0, '')}"))
    if decided:
        b, d = min(decided, key=lambda item: item[1].low)
        return (f"{view}, against {batch_label(b)} the minibatch would have tied "
                f"{to_close(d, 1.0, '')}")
    return None


def _losses(values: Mapping[BatchSize, Mapping[int, float | None]], missing: str) -> str:
    out = []
    for b in sorted(values, key=_order):
        seeds = list(values[b].values())
        if any(v is None or math.isinf(v) for v in seeds):
            out.append(f"{missing} ({batch_label(b)})")
        else:
            out.append(f"{mean_ci(seeds).format(1.0, 3)} ({batch_label(b)})")
    return ", ".join(out)


def minibatch_is_middle_ground(results_by_batch: Mapping[BatchSize, Results], minibatch: int,
                               epochs: int, seconds: float | None = None,
                               metric: str = "test_loss", updates: int | None = None
                               ) -> Verdict:
    """Test "minibatch gradient descent is the practical middle ground".

    Compares the loss reached with minibatches of ``minibatch`` examples against smaller
    batches (stochastic gradient descent) and the full batch (``None``, gradient descent),
    seed by seed, with compute counted three ways. The middle ground gives up neither
    extreme's strength: *per example* (after the same epochs: the same examples processed)
    it must reliably beat the full batch, which makes one update per epoch; *per update*
    (after the same optimizer steps, the view that favours large batches) it must reliably
    beat every smaller batch, whose updates are noisier; *per second* (after the same
    training time) it must reliably beat every other variant. The full batch is not required
    to lose per update, nor the smaller batches per example: each extreme keeps its own
    view, and the sentence quotes every variant in each.

    Parameters
    ----------
    results_by_batch : mapping
        Batch size (``None``: full batch) -> runs of that variant at its chosen learning rate
        (one per seed, the same seeds), with training seconds, the configuration's
        ``train_size`` and ``batch_size`` (updates per epoch), and the test metric after
        ``updates`` steps (per epoch, or in a trace recorded with ``trace_test``).
    minibatch : int
        The batch size that plays the middle ground.
    epochs : int
        The equal-examples budget, in epochs.
    seconds : float, optional
        The equal-time budget; default the shortest total training time.
    metric : str, default "test_loss"
        The reported loss.
    updates : int, optional
        The equal-updates budget; default the full batch's epochs (one update each).

    Returns
    -------
    Verdict
        ``confirmed`` when all three views favour the minibatch, ``depends`` (on how compute
        is counted, named in the sentence) when one does and another reliably does not,
        ``refuted`` when one fails and none holds, ``inconclusive`` otherwise (the intervals
        separate too little).

    Raises
    ------
    ValueError
        Without the minibatch, the full batch and a smaller batch.
    """
    if minibatch not in results_by_batch or None not in results_by_batch:
        raise ValueError("need the minibatch and the full batch (None)")
    smaller = sorted(b for b in results_by_batch if b is not None and b < minibatch)
    if not smaller:
        raise ValueError("need a batch smaller than the minibatch")
    if updates is None:
        updates = int(results_by_batch[None].config["epochs"])
    at_epochs, at_seconds, seconds = losses_at_budgets(results_by_batch, epochs, seconds, metric)
    at_updates = losses_at_updates(results_by_batch, updates, metric)
    others = [b for b in results_by_batch if b != minibatch]
    parts, against = {}, {}
    parts["examples"], against["examples"] = _against(at_epochs[minibatch],
                                                      {None: at_epochs[None]})
    parts["updates"], against["updates"] = _against(at_updates[minibatch],
                                                    {b: at_updates[b] for b in smaller})
    parts["seconds"], against["seconds"] = _against(at_seconds[minibatch],
                                                    {b: at_seconds[b] for b in others})
    outcome = all_parts(*parts.values())

    sentence = (f"{metric.replace('_', ' ').capitalize()} after {epochs} "
                f"epoch{'s' * (epochs != 1)}: "
                f"{_losses(at_epochs, 'a run diverged or stopped before then')}; "
                f"after {updates} update{'s' * (updates != 1)}: "
                f"{_losses(at_updates, 'a run diverged before then')}; "
                f"after {seconds:.1f} s of training: "
                f"{_losses(at_seconds, 'not every run finished an epoch')}")
    if outcome == "depends":
        held = [VIEWS[v] for v, p in parts.items() if p is True]
        failed = [VIEWS[v] for v, p in parts.items() if p is False]
        sentence += (f"; it depends on whether compute is counted in {join_names(held)} (the "
                     f"minibatch holds its side) or in {join_names(failed)} (it does not)")
    sentence += "."

    flips = [f for f in (_flip("per epoch", against["examples"]),
                         _flip("per update", against["updates"]),
                         _flip("per second", against["seconds"])) if f]
    if not flips:
        flips.append("runs that reach every budget would have been needed for an interval")
    said = {True: "wins", False: "loses", None: "is not separated"}
    rivals = {"examples": "against the full batch", "updates": "against smaller batches",
              "seconds": "against every other variant"}
    per = {"examples": "per epoch", "updates": "per update", "seconds": "per second"}
    plain = (f"{ANSWER[outcome]}: batch {minibatch} "
             + join_names(f"{said[p]} {per[v]} {rivals[v]}" for v, p in parts.items()) + ".")
    numbers = {"at_equal_epochs": at_epochs, "at_equal_updates": at_updates,
               "at_equal_seconds": at_seconds, "epochs": epochs, "updates": updates,
               "seconds": seconds, "beats_full_batch": parts["examples"],
               "beats_smaller_per_update": parts["updates"],
               "best_per_second": parts["seconds"], "parts": parts}
    return Verdict("Minibatch gradient descent is the practical middle ground.", outcome,
                   plain, numbers, flip=join_flips(flips), details=sentence, source="site")
