"""The claim that minibatch gradient descent is the practical middle ground."""

from __future__ import annotations

import math
from collections.abc import Mapping

from ..analysis.names import batch_label
from ..analysis.stats import mean_ci, paired_difference
from ..analysis.timing import metric_at_seconds
from ..results import Results
from . import Verdict
from ._rules import both_parts, to_close, to_separate

__all__ = ["minibatch_is_middle_ground", "losses_at_budgets"]

BatchSize = int | None


def _order(batch_size: BatchSize) -> float:
    return math.inf if batch_size is None else batch_size


def losses_at_budgets(results_by_batch: Mapping[BatchSize, Results], epochs: int,
                      seconds: float | None = None, metric: str = "test_loss"
                      ) -> tuple[dict[BatchSize, dict[int, float]],
                                 dict[BatchSize, dict[int, float | None]], float]:
    """Per batch size and seed, ``metric`` after ``epochs`` epochs and after ``seconds``.

    ``seconds`` defaults to the shortest total training time of all runs. A run that finished
    no epoch within ``seconds`` has ``None``. Returns ``(at_epochs, at_seconds, seconds)``.
    """
    if seconds is None:
        seconds = min(sum(e["seconds"] for e in run.history)
                      for results in results_by_batch.values() for run in results.runs)
    at_epochs, at_seconds = {}, {}
    for batch_size, results in results_by_batch.items():
        at_epochs[batch_size] = {run.seed: (run.history[epochs - 1][metric]
                                            if len(run.history) >= epochs else math.inf)
                                 for run in results.runs}
        at_seconds[batch_size] = {run.seed: metric_at_seconds(run, seconds, metric)
                                  for run in results.runs}
    return at_epochs, at_seconds, seconds


def _lower(a: Mapping[int, float | None], b: Mapping[int, float | None]):
    """Is loss ``a`` reliably lower than ``b``: (True/False/None, paired difference b - a)."""
    if any(v is None or math.isinf(v) for v in a.values()):
        return False, None
    if any(v is None or math.isinf(v) for v in b.values()):
        return True, None
    diff = paired_difference(b, a)
    return {1: True, -1: False, 0: None}[diff.sign], diff


def minibatch_is_middle_ground(results_by_batch: Mapping[BatchSize, Results], minibatch: int,
                               epochs: int, seconds: float | None = None,
                               metric: str = "test_loss") -> Verdict:
    """Test "minibatch gradient descent is the practical middle ground".

    Compares the loss reached with minibatches of ``minibatch`` examples against smaller
    batches (stochastic gradient descent) and the full batch (``None``, gradient descent),
    seed by seed: after the same number of epochs (the same number of examples processed)
    and after the same training time. The middle ground holds when the minibatch reliably
    beats full-batch gradient descent after equal epochs *and* reliably beats every other
    variant after equal seconds.

    Parameters
    ----------
    results_by_batch : mapping
        Batch size (``None``: full batch) -> runs of that variant at its chosen learning rate
        (one per seed, the same seeds), with training seconds.
    minibatch : int
        The batch size that plays the middle ground.
    epochs : int
        The equal-epochs budget.
    seconds : float, optional
        The equal-time budget; default the shortest total training time.
    metric : str, default "test_loss"
        The reported loss.

    Returns
    -------
    Verdict
        ``confirmed`` when both comparisons favour the minibatch, ``depends`` (on the
        budget) when one does and the other reliably does not, ``refuted`` when one fails and
        the other cannot be told, ``inconclusive`` when the intervals separate neither.
    """
    if minibatch not in results_by_batch or None not in results_by_batch:
        raise ValueError("need the minibatch and the full batch (None)")
    at_epochs, at_seconds, seconds = losses_at_budgets(results_by_batch, epochs, seconds, metric)
    beats_full, full_diff = _lower(at_epochs[minibatch], at_epochs[None])
    verdicts = {b: _lower(at_seconds[minibatch], at_seconds[b])
                for b in at_seconds if b != minibatch}
    values = [v for v, _ in verdicts.values()]
    best_per_second = False if False in values else (None if None in values else True)

    def losses(values: Mapping[BatchSize, Mapping[int, float | None]]) -> str:
        out = []
        for b in sorted(values, key=_order):
            seeds = list(values[b].values())
            if any(v is None or math.isinf(v) for v in seeds):
                out.append(f"not every run finished an epoch ({batch_label(b)})")
            else:
                out.append(f"{mean_ci(seeds).format(1.0, 3)} ({batch_label(b)})")
        return ", ".join(out)

    sentence = (f"{metric.replace('_', ' ').capitalize()} after {epochs} "
                f"epoch{'s' * (epochs != 1)}: "
                f"{losses(at_epochs)}; after {seconds:.1f} s of training: {losses(at_seconds)}.")
    flips = []
    if full_diff is not None:
        flips.append(f"per epoch, the minibatch against the full batch would have been a tie "
                     f"{to_close(full_diff, 1.0, '')}" if full_diff.separated else
                     f"per epoch, beating the full batch needs {to_separate(full_diff, 1.0, '')}")
    undecided = [(b, d) for b, (v, d) in verdicts.items() if v is not True and d is not None]
    decided = [(b, d) for b, (v, d) in verdicts.items() if v is True and d is not None]
    if undecided:
        b, d = undecided[0]
        flips.append(f"per second, against {batch_label(b)} the minibatch "
                     + (f"would have tied {to_close(d, 1.0, '')}" if d.separated
                        else f"needs {to_separate(d, 1.0, '')}"))
    elif decided:
        b, d = min(decided, key=lambda item: item[1].low)
        flips.append(f"per second, against {batch_label(b)} the minibatch would have tied "
                     f"{to_close(d, 1.0, '')}")
    if not flips:
        flips.append("runs that finish an epoch within the time budget would have been "
                     "needed for an interval")
    flip = "; ".join(flips)
    numbers = {"at_equal_epochs": at_epochs, "at_equal_seconds": at_seconds, "epochs": epochs,
               "seconds": seconds, "beats_full_batch": beats_full,
               "best_per_second": best_per_second}
    return Verdict("Minibatch gradient descent is the practical middle ground.",
                   both_parts(beats_full, best_per_second), sentence, numbers,
                   flip=flip[0].upper() + flip[1:] + ".")
