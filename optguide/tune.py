"""The tuning protocol: each optimizer's learning rate chosen on validation, reported on test.

For every candidate (an optimizer, or a named configuration such as SGD with Nesterov momentum
and a cosine schedule) a :class:`Study`

1. trains a log-spaced learning-rate grid (half-decade steps, three decades centred on the
   preset's default unless a grid is given, for all candidates or per candidate) on the
   *selection seeds*, for ``select_epochs`` epochs (default: ``epochs``);
2. selects the rate with the best mean final **validation** accuracy (a diverged run counts as
   accuracy 0); when the best rate sits at an edge of the grid the grid is widened by one
   half-decade step on that side, up to ``max_widenings`` times (:func:`widen`), and a best
   rate still at an edge is flagged (:attr:`Choice.at_edge`);
3. trains the chosen rate on the *report seeds* (disjoint from the selection seeds) for
   ``epochs`` epochs and reports their **test** accuracy.

Every other hyperparameter stays at the preset's value. The test set is never read by a
choice: :func:`choose` looks at ``val_accuracy`` only.

The study's output is one :class:`~optguide.results.Results` holding every run (both phases);
its ``config`` is :meth:`Study.to_dict` (``"kind": "study"``), a run's phase is told by its seed
(the two seed sets are disjoint) and its candidate by :func:`candidate_of`. Every number a page
shows, including the chosen rates, is a pure function of that file.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .analysis.names import optimizer_name
from .analysis.scoring import final_metric
from .analysis.sweep import SELECTION_METRIC
from .compare import Config, ConfigError, compare_many
from .executor import reuse_workers
from .optimizers import OPTIMIZERS, PRESETS, hyperparameters
from .results import Results, Run

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


@dataclass(frozen=True)
class Study:
    """A tuning study (see the module's description).

    Parameters
    ----------
    candidates : tuple of str
        Keys of :data:`CANDIDATES`.
    preset : str
        Whose values the hyperparameters other than the learning rate take.
    learning_rates : tuple of float or None
        The grid for every candidate without its own in ``grids``; ``None``:
        :func:`default_grid` per candidate.
    select_seeds, report_seeds : tuple of int
        Disjoint seed sets: the first chooses, the second reports.
    model, epochs, batch_size, train_size, validation_size
        As in :class:`~optguide.compare.Config`; ``epochs`` is what the report seeds train.
    max_widenings : int
        How often a grid may grow at an edge.
    grids : dict of str to tuple of float, optional
        A candidate's own initial grid (e.g. :func:`grid_around` a rate chosen elsewhere);
        stored as sorted ``(candidate, rates)`` pairs. Widening starts from it.
    select_epochs : int, optional
        Epochs the selection seeds train (the choice reads the validation accuracy after the
        last); ``None``: ``epochs``.

    Notes
    -----
    ``grids`` and ``select_epochs`` are left out of :meth:`to_dict` while unset, so a study
    without them has the dict (and the cached phases) it had before they existed, and a
    study dict written before them loads.
    """

    candidates: tuple[str, ...] = tuple(CANDIDATES)
    preset: str = "pytorch"
    learning_rates: tuple[float, ...] | None = None
    select_seeds: tuple[int, ...] = (0, 1)
    report_seeds: tuple[int, ...] = (10, 11, 12, 13, 14)
    model: str = "mlp"
    epochs: int = 5
    batch_size: int | None = 64
    train_size: int | None = None
    validation_size: int = 10_000
    max_widenings: int = 4
    grids: tuple[tuple[str, tuple[float, ...]], ...] | None = None
    select_epochs: int | None = None

    def __post_init__(self) -> None:
        for name in ("candidates", "learning_rates", "select_seeds", "report_seeds"):
            value = getattr(self, name)
            if isinstance(value, (list, str)):
                object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if self.grids is not None:
            pairs = self.grids.items() if isinstance(self.grids, dict) else self.grids
            try:
                grids = tuple(sorted((name, tuple(sorted(rates))) for name, rates in pairs))
            except (TypeError, ValueError):
                raise ConfigError("grids must map candidates to learning rates, got "
                                  f"{self.grids!r}") from None
            object.__setattr__(self, "grids", grids)
        self.validate()

    def validate(self) -> None:
        """Raise :class:`~optguide.compare.ConfigError` for the first invalid field."""
        if not self.candidates:
            raise ConfigError("no optimizers given")
        for name in self.candidates:
            if name not in CANDIDATES:
                raise ConfigError(f"unknown optimizer {name!r}; choose from "
                                  f"{', '.join(CANDIDATES)}")
        if len(set(self.candidates)) != len(self.candidates):
            raise ConfigError(f"optimizers has duplicates: {self.candidates!r}")
        if self.preset not in PRESETS:
            raise ConfigError(f"unknown preset {self.preset!r}; choose from {', '.join(PRESETS)}")
        if len(self.select_seeds) < 2:
            raise ConfigError("the protocol selects on at least 2 seeds; "
                              f"got select seeds {self.select_seeds!r}")
        if not self.report_seeds:
            raise ConfigError("no report seeds given")
        if set(self.select_seeds) & set(self.report_seeds):
            raise ConfigError("report seeds must differ from select seeds (shared: "
                              f"{sorted(set(self.select_seeds) & set(self.report_seeds))})")
        if self.learning_rates is not None and len(self.learning_rates) < 2:
            raise ConfigError("a learning-rate grid needs at least 2 values")
        if not isinstance(self.max_widenings, int) or self.max_widenings < 0:
            raise ConfigError(f"max_widenings must be an integer >= 0, got {self.max_widenings!r}")
        if self.select_epochs is not None and (not isinstance(self.select_epochs, int)
                                               or self.select_epochs < 1):
            raise ConfigError("select_epochs must be an integer >= 1 (or None for epochs), "
                              f"got {self.select_epochs!r}")
        for name, rates in self.grids or ():
            if name not in self.candidates:
                raise ConfigError(f"a grid is given for {name!r}, which is not a candidate of "
                                  "the study")
            if len(rates) < 2:
                raise ConfigError(f"the learning-rate grid of {name!r} needs at least 2 values")
        # Everything else (epochs, sizes, seeds, rates) is checked by the Configs it makes.
        for candidate in dict.fromkeys([self.candidates[0], *(n for n, _ in self.grids or ())]):
            self.config(candidate, self.grid(candidate), self.select_seeds,
                        self.selection_epochs)
        self.config(self.candidates[0], self.grid(self.candidates[0]), self.report_seeds)

    @property
    def selection_epochs(self) -> int:
        """Epochs of the selection runs: ``select_epochs``, else ``epochs``."""
        return self.epochs if self.select_epochs is None else self.select_epochs

    def grid(self, candidate: str) -> tuple[float, ...]:
        """The initial grid of ``candidate``, sorted: its own in ``grids``, else
        ``learning_rates``, else :func:`default_grid`."""
        own = dict(self.grids or ()).get(candidate)
        return tuple(sorted(own or self.learning_rates or default_grid(candidate, self.preset)))

    def config(self, candidate: str, learning_rates: Iterable[float],
               seeds: Iterable[int], epochs: int | None = None) -> Config:
        """The :class:`~optguide.compare.Config` training ``candidate`` at these rates/seeds
        for ``epochs`` epochs (default: the study's ``epochs``)."""
        spec = CANDIDATES[candidate]
        return Config(optimizers=(spec.optimizer,), presets=(self.preset,), seeds=tuple(seeds),
                      model=self.model, epochs=self.epochs if epochs is None else epochs,
                      batch_size=self.batch_size, train_size=self.train_size,
                      validation_size=self.validation_size,
                      learning_rates=tuple(learning_rates), schedule=spec.schedule,
                      overrides=spec.overrides)

    def to_dict(self) -> dict[str, Any]:
        """The study as JSON data; ``grids`` as ``{candidate: [rates]}``, and the optional
        fields left out while unset (so older studies keep their dict)."""
        values = {key: list(value) if isinstance(value, tuple) else value
                  for key, value in dataclasses.asdict(self).items()}
        for name in _OPTIONAL:
            if values[name] is None:
                del values[name]
        if self.grids is not None:
            values["grids"] = {name: list(rates) for name, rates in self.grids}
        return {"kind": STUDY_KIND, **values}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Study:
        values = {k: v for k, v in values.items() if k != "kind"}
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - fields
        if unknown:
            raise ConfigError(f"unknown study fields: {', '.join(sorted(unknown))}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def replace(self, **changes: Any) -> Study:
        return dataclasses.replace(self, **changes)


#: Fields added after studies were first saved: left out of :meth:`Study.to_dict` while None.
_OPTIONAL = ("grids", "select_epochs")


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
    :func:`optguide.analysis.scoring.final_metric`). When several rates tie for the best
    mean, the middle one of them is chosen (the lower of the two middles for an even count).
    """
    rates = sorted({run.lr for run in runs})
    grid = []
    for lr in rates:
        at = [run for run in runs if run.lr == lr]
        grid.append((lr, statistics.fmean(final_metric(r, SELECTION_METRIC) for r in at),
                     sum(r.status != "ok" for r in at)))
    top = max(row[1] for row in grid)
    tied = [row for row in grid if row[1] == top]
    best = tied[(len(tied) - 1) // 2]  # a plateau of equal rates: its (lower) middle
    at_edge = best[0] in (rates[0], rates[-1])
    return Choice(candidate, best[0], best[1], tuple(grid), at_edge, widenings)


def tune(study: Study, *, cache: bool = True, data_root: Any = None,
         progress: Any = None, **executor: Any) -> Results:
    """Run ``study``: select every candidate's rate on validation, then train the report seeds.

    Parameters
    ----------
    study : Study
    cache : bool
        Read and write the results cache (each phase of each candidate is one cached
        :class:`~optguide.compare.Config`).
    data_root : path, optional
        Folder holding ``MNIST/raw``.
    progress : object with ``update(n)``, optional
        Advanced in run-epochs.
    **executor
        Passed to :func:`optguide.compare.compare` (e.g. ``workers``, ``backend``).

    Returns
    -------
    Results
        Every run of both phases; ``config`` is ``study.to_dict()``.
    """
    environment: dict[str, Any] = {}

    def train(configs: list[Config]) -> list[list[Run]]:
        trained = compare_many(configs, cache=cache, data_root=data_root, progress=progress,
                               **executor)
        for results in trained:
            environment.update(results.environment)
        return [results.runs for results in trained]

    def select(rates: dict[str, list[float]]) -> dict[str, list[Run]]:
        configs = [study.config(c, rates[c], study.select_seeds, study.selection_epochs)
                   for c in rates]
        return dict(zip(rates, train(configs)))

    # Every candidate's grid, then every widening round and the report runs, train together:
    # runs of one seed share a batched chunk whatever their candidate.
    with reuse_workers():  # many small comparisons: start the worker processes once
        chosen = widen_all({c: study.grid(c) for c in study.candidates}, select,
                           study.max_widenings)
        reports = train([study.config(c, [chosen[c][0].lr], study.report_seeds)
                         for c in study.candidates])
    runs = [run for c, report in zip(study.candidates, reports)
            for run in chosen[c][1] + report]
    return Results(study.to_dict(), environment, runs)


def widen(candidate: str, grid: Iterable[float],
          select: Callable[[list[float]], list[Run]],
          max_widenings: int) -> tuple[Choice, list[Run]]:
    """Choose on ``grid``, widening it by one half-decade step at an edge the choice sits on.

    Parameters
    ----------
    candidate : str
        Name given to the :class:`Choice`.
    grid : iterable of float
        The initial rates.
    select : callable
        Trains the selection runs at the rates it is given (a list) and returns them.
    max_widenings : int
        At most this many steps are added; a choice still at an edge after them is flagged.

    Returns
    -------
    (Choice, list of Run)
        The choice (with the number of widenings it needed) and every selection run.
    """
    return widen_all({candidate: grid}, lambda rates: {candidate: select(rates[candidate])},
                     max_widenings)[candidate]


def widen_all(grids: Mapping[str, Iterable[float]],
              select: Callable[[dict[str, list[float]]], dict[str, list[Run]]],
              max_widenings: int) -> dict[str, tuple[Choice, list[Run]]]:
    """:func:`widen` for several candidates in lock step: each round trains, together, one new
    rate for every candidate whose choice still sits at an edge of its grid.

    ``select`` receives candidate -> rates and returns candidate -> the runs trained.
    """
    grid = {c: sorted(rates) for c, rates in grids.items()}
    selection = select({c: list(rates) for c, rates in grid.items()})
    choice = {c: choose(c, selection[c]) for c in grid}
    while True:
        growing = [c for c in grid if choice[c].at_edge and choice[c].widenings < max_widenings]
        if not growing:
            return {c: (choice[c], selection[c]) for c in grid}
        new = {}
        for c in growing:
            lower = choice[c].lr == grid[c][0]
            new[c] = [_round(grid[c][0] / STEP) if lower else _round(grid[c][-1] * STEP)]
            grid[c] = new[c] + grid[c] if lower else grid[c] + new[c]
        for c, runs in select(new).items():
            selection[c] += runs
            choice[c] = choose(c, selection[c], choice[c].widenings + 1)


def total_epochs(study: Study) -> int:
    """Run-epochs of the study without widening (the length of a progress bar)."""
    select = sum(len(study.grid(c)) for c in study.candidates) * len(study.select_seeds)
    return (select * study.selection_epochs
            + len(study.candidates) * len(study.report_seeds) * study.epochs)


def choices(results: Results) -> dict[str, Choice]:
    """Each candidate's :class:`Choice`, recomputed from the selection runs of ``results``."""
    study = Study.from_dict(results.config)
    chosen: dict[str, Choice] = {}
    for candidate in study.candidates:
        runs = [r for r in results.runs
                if r.seed in study.select_seeds and candidate_of(r) == candidate]
        base = len(study.grid(candidate))
        extra = len({r.lr for r in runs}) - base
        chosen[candidate] = choose(candidate, runs, max(extra, 0))
    return chosen


def report_runs(results: Results, candidate: str) -> list[Run]:
    """The runs of ``candidate`` on the report seeds (at its chosen rate)."""
    study = Study.from_dict(results.config)
    return [r for r in results.runs
            if r.seed in study.report_seeds and candidate_of(r) == candidate]


@dataclass(frozen=True)
class Budget:
    """What a study cost: runs and run-epochs, per phase."""

    select_runs: int
    report_runs: int
    run_epochs: int

    @property
    def runs(self) -> int:
        return self.select_runs + self.report_runs


def budget(results: Results) -> Budget:
    """Runs and run-epochs (epochs actually trained, diverged runs stop early) of a study."""
    study = Study.from_dict(results.config)
    select = sum(r.seed in study.select_seeds for r in results.runs)
    epochs = sum(len(r.history) + (r.status != "ok") for r in results.runs)
    return Budget(select, len(results.runs) - select, epochs)


def phases(results: Results, candidates: Iterable[str] | None = None
           ) -> tuple[Results, Results]:
    """The selection runs and the report runs of ``candidates`` (default: the plain
    optimizers, whose candidate name is the optimizer's), as two :class:`Results`.

    The selection runs are a learning-rate sweep on validation (one optimizer per candidate,
    several rates), the form the analysis layer's sweep functions and the claims take.
    """
    study = Study.from_dict(results.config)
    wanted = set(candidates) if candidates is not None else set(OPTIMIZERS)
    kept = [r for r in results.runs if candidate_of(r) in wanted]
    config = {**results.config, "optimizers": list(dict.fromkeys(r.optimizer for r in kept)),
              "presets": [study.preset]}
    return tuple(Results({**config, "seeds": list(seeds), "epochs": epochs},
                         results.environment, [r for r in kept if r.seed in seeds])
                 for seeds, epochs in ((study.select_seeds, study.selection_epochs),
                                       (study.report_seeds, study.epochs)))
