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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .analysis.lr_study import (  # noqa: F401  (the study's readers, re-exported)
    CANDIDATES,
    STEP,
    STUDY_KIND,
    Candidate,
    Choice,
    _round,
    candidate_of,
    choices,
    choose,
    default_grid,
    grid_around,
    initial_grid,
    is_study,
    report_runs,
)
from .compare import compare_many
from .config import Config, ConfigError, default
from .executor import Placement, reuse_workers
from .optimizers import OPTIMIZERS, PRESETS
from .results import Results, Run


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
    model: str = default("model")
    epochs: int = default("epochs")
    batch_size: int | None = default("batch_size")
    train_size: int | None = default("train_size")
    validation_size: int = default("validation_size")
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
        return initial_grid(self.to_dict(), candidate)

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


def tune(study: Study, *, cache: bool = True, placement: Placement | None = None,
         progress: Any = None, record: list[list[Config]] | None = None) -> Results:
    """Run ``study``: select every candidate's rate on validation, then train the report seeds.

    Parameters
    ----------
    study : Study
    cache : bool
        Read and write the results cache (each phase of each candidate is one cached
        :class:`~optguide.compare.Config`).
    placement : Placement, optional
        Where the runs train and where the data is, as for :func:`optguide.compare.compare`.
    progress : object with ``update(n)``, optional
        Advanced in run-epochs.
    record : list, optional
        Receives the configurations of each call of :func:`~optguide.compare.compare_many`,
        in order (what may have trained together: :mod:`optguide.shared_runs` re-trains its
        chunks exactly as they were trained).

    Returns
    -------
    Results
        Every run of both phases; ``config`` is ``study.to_dict()``.
    """
    environment: dict[str, Any] = {}

    def train(configs: list[Config]) -> list[list[Run]]:
        if record is not None:
            record.append(list(configs))
        trained = compare_many(configs, cache=cache, placement=placement, progress=progress)
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
