"""Time and epochs to a target, and a metric after a training budget.

The target is read on the validation split by default: it is a measurement of speed, not a
report of the final accuracy, and the test set only reports.
"""

from __future__ import annotations

from ..results import Results, Run


def seconds_to(run: Run, target: float, metric: str = "val_accuracy") -> float | None:
    """Training seconds until ``run``'s ``metric`` first reaches ``target`` (``None``: never).

    Where the run has a ``trace`` (validation accuracy every ``eval_every`` of an epoch) and
    ``metric`` is in it, the time is that of the first trace point that reaches ``target``;
    otherwise it is the sum of the ``seconds`` of the history's entries up to the first epoch
    that does, so its resolution is one epoch.
    """
    if run.trace and metric in run.trace[0]:
        return next((point["seconds"] for point in run.trace if point[metric] >= target), None)
    elapsed = 0.0
    for entry in run.history:
        elapsed += entry["seconds"]
        if entry[metric] >= target:
            return elapsed
    return None


def epochs_to(run: Run, target: float, metric: str = "val_accuracy") -> float | None:
    """The ``epoch`` of the first entry whose ``metric`` reaches ``target`` (``None``: never)."""
    return next((e["epoch"] for e in run.history if e[metric] >= target), None)


def time_to_target(results: Results, target: float, metric: str = "val_accuracy",
                   by: str = "optimizer") -> dict[str, dict[int, float | None]]:
    """Option -> seed -> :func:`seconds_to` (``None`` where the run never got there)."""
    table: dict[str, dict[int, float | None]] = {}
    for run in results.runs:
        table.setdefault(getattr(run, by), {})[run.seed] = seconds_to(run, target, metric)
    return table


def metric_at_seconds(run: Run, seconds: float, metric: str = "val_loss") -> float | None:
    """``metric`` at the last entry ``run`` finished within ``seconds`` of training.

    ``None`` when not even the first entry was finished by then.
    """
    value, elapsed = None, 0.0
    for entry in run.history:
        elapsed += entry["seconds"]
        if elapsed > seconds:
            break
        value = entry[metric]
    return value


def updates_per_epoch(results: Results) -> int:
    """Optimizer steps per epoch of ``results``' runs, from its ``batch_size`` and ``train_size``.

    Raises
    ------
    ValueError
        When the configuration does not name a ``train_size``.
    """
    size, batch = results.config.get("train_size"), results.config.get("batch_size")
    if not isinstance(size, int):
        raise ValueError("updates per epoch need the configuration's train_size")
    return 1 if batch is None or batch >= size else -(-size // batch)


def evaluations_by_update(run: Run, updates_per_epoch: int, metric: str = "test_loss"
                          ) -> list[tuple[int, float]]:
    """``(updates so far, metric)`` at every evaluation of ``run`` that holds ``metric``.

    The evaluations after every epoch (``epoch * updates_per_epoch`` updates) and the trace
    points that hold ``metric`` (a trace recorded with ``trace_test`` holds the test
    metrics), in order of updates.
    """
    points = {entry["epoch"] * updates_per_epoch: entry[metric] for entry in run.history}
    points.update({int(point["step"]): point[metric] for point in run.trace if metric in point})
    return sorted(points.items())


def metric_at_updates(run: Run, updates: int, updates_per_epoch: int,
                      metric: str = "test_loss") -> float | None:
    """``metric`` after exactly ``updates`` optimizer steps (``None``: not evaluated there).

    Equal compute counted in updates: every run has taken the same number of steps, whatever
    its batch size. Read from the per-epoch history and the trace
    (:func:`evaluations_by_update`); a run that diverged before ``updates`` has no value.
    """
    return dict(evaluations_by_update(run, updates_per_epoch, metric)).get(updates)
