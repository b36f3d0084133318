"""Sweeps repeated at several batch sizes: which learning rate each batch size is read at,
and the per-seed *noise cost* of the smallest batch.

Learning rates and the "best" batch size are chosen on validation accuracy
(:data:`~optguide.analysis.sweep.SELECTION_METRIC`); accuracies that are reported, and the
costs the verdicts compare, are read on the test set.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping

from ..optimizers import hyperparameters
from ..results import Results
from .filtering import distinct, where
from .scoring import final_metric
from .sweep import SELECTION_METRIC, best_learning_rate, learning_rates

ResultsByBatch = Mapping[int, Results]
VIEWS = ("default", "fixed", "retuned")


def _on_grid(results: Results, optimizer: str, lr: float, batch_size: int) -> float:
    grid = learning_rates(results, optimizer)
    match = [rate for rate in grid if abs(rate - lr) <= 1e-9 * max(abs(lr), 1e-30)]
    if not match:
        raise ValueError(f"{optimizer}: learning rate {lr:g} not in the sweep at batch size "
                         f"{batch_size}; put it on the grid")
    return match[0]


def chosen_learning_rates(results_by_batch: ResultsByBatch, optimizer: str, view: str,
                          metric: str = SELECTION_METRIC) -> dict[int, float]:
    """Batch size -> the learning rate ``optimizer`` is read at.

    Parameters
    ----------
    results_by_batch : mapping of int to Results
        Batch size -> a learning-rate sweep at that batch size.
    optimizer : str
        Whose learning rates.
    view : str
        ``"default"``: the preset's default (it must be on the grid); ``"fixed"``: the one
        best on validation at the largest batch size, kept for every batch size;
        ``"retuned"``: the one best on validation at each batch size.
    metric : str
        What "best" reads (validation accuracy).
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")
    if view == "retuned":
        return {b: best_learning_rate(r, optimizer, metric)
                for b, r in sorted(results_by_batch.items())}
    if view == "fixed":
        lr = best_learning_rate(results_by_batch[max(results_by_batch)], optimizer, metric)
    else:
        preset = where(results_by_batch[max(results_by_batch)], optimizer=optimizer).runs[0].preset
        lr = hyperparameters(optimizer, preset)["lr"]
    return {b: _on_grid(r, optimizer, lr, b) for b, r in sorted(results_by_batch.items())}


def per_seed(results_by_batch: ResultsByBatch, optimizer: str, view: str,
             metric: str = "test_accuracy") -> dict[int, dict[int, float]]:
    """Batch size -> seed -> final ``metric`` of ``optimizer`` at its chosen learning rates.

    The rates are :func:`chosen_learning_rates` of ``view``.
    """
    rates = chosen_learning_rates(results_by_batch, optimizer, view)
    return {b: {run.seed: final_metric(run, metric)
                for run in where(results_by_batch[b], optimizer=optimizer, lr=rates[b]).runs}
            for b in rates}


def accuracy_by_batch_size(results_by_batch: ResultsByBatch, view: str = "default",
                           metric: str = "test_accuracy") -> dict[str, dict[int, float]]:
    """Optimizer -> batch size -> mean final ``metric`` over seeds (for figures and tables)."""
    optimizers = distinct(next(iter(results_by_batch.values())), "optimizer")
    return {name: {b: statistics.fmean(seeds.values())
                   for b, seeds in per_seed(results_by_batch, name, view, metric).items()}
            for name in optimizers}


def best_batch_size(results_by_batch: ResultsByBatch, optimizer: str, view: str) -> int:
    """The batch size with the best mean validation accuracy (at the view's learning rates)."""
    values = per_seed(results_by_batch, optimizer, view, SELECTION_METRIC)
    return max(values, key=lambda b: statistics.fmean(values[b].values()))


def noise_costs(results_by_batch: ResultsByBatch, view: str,
                metric: str = "test_accuracy") -> dict[str, dict[int, float]]:
    """Optimizer -> seed -> accuracy lost at the smallest batch against the best batch size.

    The best batch size is chosen on validation (:func:`best_batch_size`); the cost is the
    difference of test accuracies of the same seed, so costs of two optimizers can be
    compared seed by seed. Zero when the smallest batch is the best.
    """
    optimizers = distinct(next(iter(results_by_batch.values())), "optimizer")
    costs = {}
    for name in optimizers:
        values = per_seed(results_by_batch, name, view, metric)
        best, smallest = best_batch_size(results_by_batch, name, view), min(values)
        costs[name] = {s: values[best][s] - values[smallest][s]
                       for s in values[smallest] if s in values[best]}
    return costs


def noise_cost(accuracy: Mapping[int, float]) -> float:
    """Accuracy lost at the smallest batch size against the best one, from means per batch size."""
    return max(accuracy.values()) - accuracy[min(accuracy)]


def budget_basis(results_by_batch: ResultsByBatch) -> str:
    """What the sweeps hold equal across batch sizes, in words for a verdict's sentence.

    ``"an equal number of updates (256 per run)"`` when every batch size made the same
    number of optimizer steps, ``"an equal number of examples (3 epochs)"`` when every one
    made the same number of passes over the same images, else a sentence saying neither.
    Read from each sweep's configuration (``epochs``, ``train_size``).
    """
    epochs = {b: r.config.get("epochs") for b, r in results_by_batch.items()}
    sizes = {b: r.config.get("train_size") for b, r in results_by_batch.items()}
    if all(isinstance(n, int) for n in sizes.values()) and None not in epochs.values():
        updates = {b: epochs[b] * -(-sizes[b] // b) for b in results_by_batch}
        if len(set(updates.values())) == 1:
            examples = sorted({epochs[b] * sizes[b] for b in results_by_batch})
            spread = (f"{examples[0]:,} examples" if len(examples) == 1
                      else f"{examples[0]:,} to {examples[-1]:,} examples")
            return (f"an equal number of updates ({next(iter(updates.values()))} per run, "
                    f"{spread})")
    if len(set(epochs.values())) == 1 and len(set(sizes.values())) == 1:
        count = next(iter(epochs.values()))
        return f"an equal number of examples ({count} epoch{'s' * (count != 1)})"
    return "neither an equal number of updates nor of examples"
