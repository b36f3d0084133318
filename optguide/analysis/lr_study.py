"""Readers of a learning-rate study (:func:`optguide.tune.tune`): its candidates, choices and
report runs, as pure functions of the results file.

The study's :class:`~optguide.results.Results` hold every run of both phases; its ``config``
is the study as a dict (``"kind": "study"``), a run's phase is told by its seed (the two seed
sets are disjoint) and its candidate by :func:`candidate_of`. The tuning code
(:mod:`optguide.tune`) trains; this module only reads, so the analysis layer never imports it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..optimizers import OPTIMIZERS, hyperparameters
from ..results import Results, Run
from .names import optimizer_name
from .scoring import best_of, final_metric
from .sweep import SELECTION_METRIC

STUDY_KIND = "study"


@dataclass(frozen=True)
class Candidate:
    """A configuration whose learning rate the study tunes.

    Attributes
    ----------
    name : str
        Key in :data:`CANDIDATES` and in the study's tables.
    optimizer : str
        Key of :data:`optguide.optimizers.OPTIMIZERS`.
    overrides : tuple of (str, value)
        Hyperparameters set on top of the preset (the learning rate is tuned).
    schedule : str
        Learning-rate schedule (see :mod:`optguide.schedules`).
    label : str
        Display name.
    """

    name: str
    optimizer: str
    label: str
    overrides: tuple[tuple[str, Any], ...] = ()
    schedule: str = "constant"


#: The tuned configurations: the five optimizers as the presets define them, plain SGD with a
#: cosine decay of its learning rate (to test "SGD keeps a constant learning rate"), and SGD
#: as practitioners use it (Nesterov momentum 0.9 and a cosine decay). The last two have no
#: library default and so appear only in tuned tables.
CANDIDATES: dict[str, Candidate] = {
    **{name: Candidate(name, name, optimizer_name(name)) for name in OPTIMIZERS},
    "sgd_cosine": Candidate("sgd_cosine", "sgd", "SGD + cosine", (), "cosine"),
    "sgd_nesterov_cosine": Candidate("sgd_nesterov_cosine", "sgd", "SGD + Nesterov + cosine",
                                     (("momentum", 0.9), ("nesterov", True)), "cosine"),
}

#: Half-decade steps: neighbouring rates of a grid differ by a factor of sqrt(10).
STEP = 10 ** 0.5


def default_grid(candidate: str, preset: str = "pytorch",
                 decades: float = 3.0) -> tuple[float, ...]:
    """Log-spaced rates, half-decade steps, ``decades`` wide, centred on the preset's default."""
    center = hyperparameters(CANDIDATES[candidate].optimizer, preset)["lr"]
    return grid_around(center, round(decades))  # 3 decades -> 3 half-decade steps each way


def grid_around(center: float, steps: int = 1) -> tuple[float, ...]:
    """``2 * steps + 1`` rates half a decade apart, centred on ``center``.

    Rounded as the protocol rounds every rate it trains (4 significant digits, exact
    half-decade powers of ten snapped), so ``grid_around(0.1)`` is ``(0.03162, 0.1, 0.3162)``
    and widening it continues the same steps.
    """
    return tuple(_round(center * STEP ** k) for k in range(-steps, steps + 1))


def _round(lr: float) -> float:
    """A rate to 4 significant digits, snapped to an exact half-decade power of ten when it is
    one (so a grid widened step by step stays on the grid: 0.1, not 0.09999)."""
    exponent = 2 * math.log10(lr)
    if abs(exponent - round(exponent)) < 1e-4:
        lr = 10 ** (round(exponent) / 2)
    return float(f"{lr:.4g}")


def initial_grid(config: Mapping[str, Any], candidate: str) -> tuple[float, ...]:
    """The initial grid of ``candidate`` in a study's ``config`` dict, sorted: its own in
    ``grids``, else ``learning_rates``, else :func:`default_grid`."""
    own = (config.get("grids") or {}).get(candidate)
    rates = own or config.get("learning_rates") or default_grid(candidate,
                                                               config.get("preset", "pytorch"))
    return tuple(sorted(rates))


def is_study(results: Results) -> bool:
    """Whether ``results`` came from :func:`tune`."""
    return results.config.get("kind") == STUDY_KIND


def candidate_of(run: Run) -> str:
    """The :data:`CANDIDATES` key a run belongs to (optimizer, schedule and overrides).

    The most specific match wins (the one with the most overrides).
    """
    matches = [spec for spec in CANDIDATES.values()
               if spec.optimizer == run.optimizer and spec.schedule == run.schedule
               and all(run.hyperparameters.get(k) == v for k, v in spec.overrides)]
    if not matches:
        raise ValueError(f"run {run.optimizer} (schedule {run.schedule}) matches no tuned "
                         "candidate")
    return max(matches, key=lambda spec: len(spec.overrides)).name


@dataclass(frozen=True)
class Choice:
    """The selection of one candidate: the grid's validation means and the chosen rate."""

    candidate: str
    lr: float
    val_accuracy: float
    grid: tuple[tuple[float, float, int], ...] = field(default=())
    """(rate, mean final validation accuracy over the selection seeds, diverged runs)."""
    at_edge: bool = False
    widenings: int = 0


def choose(candidate: str, runs: list[Run], widenings: int = 0) -> Choice:
    """Pick the rate with the best mean final validation accuracy among ``runs``.

    Reads ``val_accuracy`` only (a diverged run scores 0, the analysis layer's one rule,
    :func:`optguide.analysis.scoring.final_metric`), and chooses by the one choosing rule,
    :func:`~optguide.analysis.scoring.best_of`: the best mean wins, a tie goes to the first
    candidate, here the smallest rate.
    """
    rates = sorted({run.lr for run in runs})
    grid = []
    for lr in rates:
        at = [run for run in runs if run.lr == lr]
        grid.append((lr, statistics.fmean(final_metric(r, SELECTION_METRIC) for r in at),
                     sum(r.status != "ok" for r in at)))
    lr = best_of({lr: mean for lr, mean, _ in grid})
    mean = next(row[1] for row in grid if row[0] == lr)
    return Choice(candidate, lr, mean, tuple(grid), lr in (rates[0], rates[-1]), widenings)


def choices(results: Results) -> dict[str, Choice]:
    """Each candidate's :class:`Choice`, recomputed from the selection runs of ``results``."""
    config = results.config
    chosen: dict[str, Choice] = {}
    for candidate in config["candidates"]:
        runs = [r for r in results.runs
                if r.seed in config["select_seeds"] and candidate_of(r) == candidate]
        base = len(initial_grid(config, candidate))
        extra = len({r.lr for r in runs}) - base
        chosen[candidate] = choose(candidate, runs, max(extra, 0))
    return chosen


def report_runs(results: Results, candidate: str) -> list[Run]:
    """The runs of ``candidate`` on the report seeds (at its chosen rate)."""
    seeds = set(results.config["report_seeds"])
    return [r for r in results.runs if r.seed in seeds and candidate_of(r) == candidate]
