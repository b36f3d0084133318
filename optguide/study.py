"""The equal-effort study: three tuning protocols, one budget each, a published results file.

:class:`SearchStudy` describes it; :func:`run_study` computes it (local workers or Ray, the
same numbers either way); :func:`load_study` reads the published file and refuses a stale one;
:func:`verify_sample` re-trains a random sample of it and compares.

The three protocols, for every optimizer alike:

``defaults``
    PyTorch's values, constant learning rate: no trial, nothing chosen.
``keras_defaults``
    Keras' values and formulas (:mod:`optguide.optimizers`' ``keras`` preset), constant
    learning rate: the other library's defaults, for the same comparison.
``lr``
    The learning rate alone, on a fixed grid of :attr:`SearchStudy.grid_points` rates half a
    decade apart centred on PyTorch's default; constant rate; every other value PyTorch's.
``full``
    :attr:`SearchStudy.trials` points of one scrambled Sobol sequence
    (:func:`optguide.search.trials`) over the optimizer's whole declared space: learning
    rate, its own hyperparameters and the schedule (:mod:`optguide.search`).

Each trial trains on the *selection seeds* and again on the *check seeds* (a second, disjoint
set); the choice is the trial with the best mean final validation accuracy over the selection
seeds (a diverged run counts 0); the check seeds repeat the choice to measure its stability.
The chosen configuration of every protocol then trains on the *report seeds*, whose test
accuracy only reports.

The file is one :class:`~optguide.results.Results`: ``config`` is :meth:`SearchStudy.to_dict`
plus ``"trial_values"`` (every trial's values), ``"index"`` (which runs belong to which protocol,
optimizer and trial) and ``"phases"`` (the runs of each executor call, in order, so that a
sample can be re-trained in exactly the chunks it was trained in), ``"identity"`` (the data
fingerprint and the training code's hash) and ``"wall_seconds"``.
"""

from __future__ import annotations

import dataclasses
import errno
import gzip
import io
import json
import math
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import TRAINING_CODE, code_hash
from .compare import environment
from .config import Config, ConfigError, default
from .data import load_mnist
from .executor import Placement, chunk_runs, execute, reuse_workers
from .limits import MNIST_TRAIN_IMAGES
from .optimizers import OPTIMIZERS
from .results import MAX_FILE_BYTES, Results, Run, from_dict, read_regular_file, write_output
from .schedules import Schedule
from .search import Trial, learning_rate_grid, schedule_string, trials
from .train import RunSpec, resolve_device, steps_per_epoch

STUDY_KIND = "search_study"
PROTOCOLS = ("defaults", "keras_defaults", "lr", "full")
#: Which preset's values every protocol starts from (Keras' only for its defaults).
PRESET = "pytorch"
PRESETS = {"keras_defaults": "keras"}

#: Where the site's study is published (kept with the site, compressed).
PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "studies" / "equal_effort.json.gz"
#: The command that regenerates it (printed when the file is stale).
REGENERATE = "optguide tune --study site"
#: Set to 1 to recompute the whole study during a site build instead of loading the file.
ENV_RECOMPUTE = "OPTGUIDE_RECOMPUTE_STUDY"

#: Least share of the study's run-epochs a build re-trains (whole chunks, drawn at random).
VERIFY_FRACTION = 0.05
#: Largest difference in final validation or test accuracy a re-trained run may show.
#: On the machine that computed the file a chunk re-trains bit for bit (difference 0). On
#: another CPU the float32 matrix products may sum in another order (other SIMD widths, other
#: BLAS kernels); those last-bit differences grow through 785 updates into differences like
#: those between seeds. 0.5 points is above the seed-to-seed standard deviation of a tuned
#: configuration here (about 0.1-0.3 points): a run further off was not reproduced.
VERIFY_TOLERANCE = 0.005


class StudyError(ValueError):
    """A study file that is stale, corrupt or not a study; the message says what to do."""


@dataclass(frozen=True)
class SearchStudy:
    """The equal-effort study's design (see the module's description).

    Parameters
    ----------
    optimizers : tuple of str
        Keys of :data:`optguide.optimizers.OPTIMIZERS`.
    protocols : tuple of str
        Some of :data:`PROTOCOLS`, in that order (default: all three).
    trials : int
        Trials of the ``full`` protocol per optimizer (the same Sobol points for all).
    grid_points : int
        Trials of the ``lr`` protocol per optimizer.
    sequence_seed : int
        Seed of the scrambled Sobol sequence.
    select_seeds, check_seeds, report_seeds : tuple of int
        Pairwise disjoint: the choice, its repetition, the report.
    model, epochs, batch_size, train_size, validation_size
        The training setting of every run, as in :class:`~optguide.compare.Config`.
    """

    optimizers: tuple[str, ...] = tuple(OPTIMIZERS)
    protocols: tuple[str, ...] = PROTOCOLS
    trials: int = 32
    grid_points: int = 9
    sequence_seed: int = 0
    select_seeds: tuple[int, ...] = (0, 1, 2)
    check_seeds: tuple[int, ...] = (3, 4, 5)
    report_seeds: tuple[int, ...] = tuple(range(10, 20))
    model: str = default("model")
    epochs: int = default("epochs")
    batch_size: int | None = default("batch_size")
    train_size: int | None = 10_000  # the study's own setting: 1/5 of the training images
    validation_size: int = default("validation_size")

    def __post_init__(self) -> None:
        for name in ("optimizers", "protocols", "select_seeds", "check_seeds", "report_seeds"):
            value = getattr(self, name)
            if isinstance(value, (list, range)):
                object.__setattr__(self, name, tuple(value))
        self.validate()

    def validate(self) -> None:
        """Raise :class:`~optguide.compare.ConfigError` for the first invalid field."""
        if not self.optimizers or any(o not in OPTIMIZERS for o in self.optimizers):
            raise ConfigError(f"optimizers must be some of {', '.join(OPTIMIZERS)}, "
                              f"got {self.optimizers!r}")
        if (not self.protocols or any(p not in PROTOCOLS for p in self.protocols)
                or len(set(self.protocols)) != len(self.protocols)):
            raise ConfigError(f"protocols must be some of {', '.join(PROTOCOLS)}, "
                              f"got {self.protocols!r}")
        object.__setattr__(self, "protocols",
                           tuple(p for p in PROTOCOLS if p in self.protocols))
        if len(set(self.optimizers)) != len(self.optimizers):
            raise ConfigError(f"optimizers has duplicates: {self.optimizers!r}")
        for name in ("trials", "grid_points"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
        seeds = {"select": self.select_seeds, "check": self.check_seeds,
                 "report": self.report_seeds}
        for name, values in seeds.items():
            if len(values) < 2:
                raise ConfigError(f"{name} seeds: at least 2 needed, got {values!r}")
        every = [s for values in seeds.values() for s in values]
        if len(set(every)) != len(every):
            raise ConfigError("select, check and report seeds must be disjoint")
        self.config(self.trial_list("full", self.optimizers[0])[0], self.report_seeds)

    @property
    def total_steps(self) -> int:
        n = self.train_size or (MNIST_TRAIN_IMAGES - self.validation_size)
        return steps_per_epoch(n, self.batch_size) * self.epochs

    def trial_list(self, protocol: str, optimizer: str) -> list[Trial]:
        """The trials of ``optimizer`` under ``protocol`` (one, empty, for ``defaults``)."""
        if protocol in ("defaults", "keras_defaults"):
            return [Trial(optimizer, 0, (), "constant")]
        if protocol == "lr":
            return learning_rate_grid(optimizer, self.grid_points, PRESET)
        if protocol == "full":
            return trials(optimizer, self.trials, self.sequence_seed)
        raise ValueError(f"unknown protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")

    def config(self, trial: Trial, seeds: Sequence[int], protocol: str = "full") -> Config:
        """The :class:`~optguide.compare.Config` training ``trial`` of ``protocol`` on
        ``seeds``."""
        values = dict(trial.overrides)
        lr = values.pop("lr", None)
        return Config(optimizers=(trial.optimizer,), presets=(PRESETS.get(protocol, PRESET),),
                      seeds=tuple(seeds),
                      model=self.model, epochs=self.epochs, batch_size=self.batch_size,
                      train_size=self.train_size, validation_size=self.validation_size,
                      learning_rates=None if lr is None else (lr,), overrides=values,
                      schedule=schedule_string(trial.schedule, self.total_steps))

    def to_dict(self) -> dict[str, Any]:
        values = {k: list(v) if isinstance(v, tuple) else v
                  for k, v in dataclasses.asdict(self).items()}
        return {"kind": STUDY_KIND, **values}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> SearchStudy:
        fields = {f.name for f in dataclasses.fields(cls)}
        try:
            return cls(**{k: tuple(v) if isinstance(v, list) else v
                          for k, v in values.items() if k in fields})
        except TypeError as error:
            raise ConfigError(f"not a search study: {error}") from None


#: The site's study: every optimizer, 32 trials, 3 + 3 selection seeds, 10 report seeds;
#: the MLP on 10,000 training images for 5 epochs (a setting whose ~7,000 run-epochs
#: regenerate in minutes on two cores).
SITE_SEARCH = SearchStudy()


def _trial_table(study: SearchStudy) -> dict[str, Any]:
    """Every trial's values, as stored in the file (JSON data)."""
    table = {p: {o: [t.to_dict() for t in study.trial_list(p, o)] for o in study.optimizers}
             for p in study.protocols}
    return json.loads(json.dumps(table))


def _spec(config: Config) -> list[RunSpec]:
    return config.run_specs()


def _key(spec: RunSpec) -> str:
    """What makes two runs the same run (trained once, shared by every role that asks)."""
    return json.dumps([spec.optimizer, spec.preset, spec.seed, str(spec.schedule),
                       sorted((k, list(v) if isinstance(v, tuple) else v)
                              for k, v in spec.hyperparameters.items())])


class _Phase:
    """The runs of one executor call: unique specs in order, and who asked for each."""

    def __init__(self) -> None:
        self.specs: list[RunSpec] = []
        self.position: dict[str, int] = {}

    def add(self, specs: Sequence[RunSpec]) -> list[int]:
        places = []
        for spec in specs:
            key = _key(spec)
            if key not in self.position:
                self.position[key] = len(self.specs)
                self.specs.append(spec)
            places.append(self.position[key])
        return places


def _train(study: SearchStudy, specs: Sequence[RunSpec], placement: Placement,
           progress: Any) -> list[Run]:
    outcomes = execute(list(specs), model=study.model, epochs=study.epochs,
                       batch_size=study.batch_size, train_size=study.train_size,
                       device="cpu", batched=True,
                       data_options={"validation_size": study.validation_size},
                       placement=placement, progress=progress)
    return [Run(o.spec.optimizer, o.spec.preset, o.spec.seed, dict(o.spec.hyperparameters),
                o.status, o.history, o.diverged_epoch, str(o.spec.schedule), o.trace)
            for o in outcomes]


def choose_trial(scores: Sequence[tuple[int, float]]) -> tuple[int, float]:
    """The (trial index, mean validation accuracy) with the best mean; a tie goes to the
    earlier trial of the sequence (:func:`optguide.analysis.scoring.best_of`, the rule the
    analysis layer reads the file with)."""
    from .analysis.scoring import best_of

    means = dict(sorted(scores))
    trial = best_of(means)
    return trial, means[trial]


def run_study(study: SearchStudy = SITE_SEARCH, *, placement: Placement | None = None,
              progress: Any = None) -> Results:
    """Compute ``study``: every trial on the selection and check seeds (one executor call),
    the choices, then the report runs (a second call). Always trains on the CPU, so that a
    build can re-check the file on another CPU; ``placement`` says where (local workers or
    Ray) and where the data is, and never changes a number.

    Returns
    -------
    Results
        Every run; ``config`` as the module's description says.
    """
    from .analysis.scoring import final_metric

    start = time.perf_counter()
    placement = placement or Placement()
    mnist = load_mnist(placement.data_root)
    trial_table = _trial_table(study)
    selection, index = _Phase(), []
    tuned = [p for p in study.protocols if p in ("lr", "full")]
    for protocol in tuned:
        for optimizer in study.optimizers:
            for trial in study.trial_list(protocol, optimizer):
                config = study.config(trial, study.select_seeds + study.check_seeds)
                places = selection.add(_spec(config))
                index.append({"protocol": protocol, "optimizer": optimizer,
                              "trial": trial.index, "phase": "select", "runs": places})
    with reuse_workers():
        select_runs = _train(study, selection.specs, placement, progress)
        report, offset = _Phase(), len(select_runs)
        for protocol in study.protocols:
            for optimizer in study.optimizers:
                options = study.trial_list(protocol, optimizer)
                if protocol not in tuned:
                    chosen = 0
                else:
                    scores = []
                    for entry in index:
                        if (entry["protocol"], entry["optimizer"]) == (protocol, optimizer):
                            runs = [select_runs[i] for i in entry["runs"]
                                    if select_runs[i].seed in study.select_seeds]
                            scores.append((entry["trial"], sum(
                                final_metric(r, "val_accuracy") for r in runs) / len(runs)))
                    chosen = choose_trial(scores)[0]
                config = study.config(options[chosen], study.report_seeds, protocol)
                places = report.add(_spec(config))
                index.append({"protocol": protocol, "optimizer": optimizer, "trial": chosen,
                              "phase": "report", "runs": [offset + p for p in places]})
        report_runs = _train(study, report.specs, placement, progress)
    env = environment(resolve_device("cpu"))
    env.update(engine="batched", backend=placement.backend, data=mnist.fingerprint)
    config = {**study.to_dict(), "trial_values": trial_table, "index": index,
              "phases": {"select": [0, offset], "report": [offset, offset + len(report_runs)]},
              "identity": {"data": mnist.fingerprint, "code": code_hash(TRAINING_CODE)},
              "wall_seconds": round(time.perf_counter() - start, 1)}
    return Results(config, env, select_runs + report_runs)


def total_run_epochs(study: SearchStudy) -> int:
    """Run-epochs of ``study`` when no run diverges (the length of a progress bar)."""
    tuned = sum(len(study.trial_list(p, o)) for p in study.protocols if p in ("lr", "full")
                for o in study.optimizers)
    seeds = len(study.select_seeds) + len(study.check_seeds)
    report = len(study.protocols) * len(study.optimizers) * len(study.report_seeds)
    return (tuned * seeds + report) * study.epochs


def save_json(payload: Any, path: str | os.PathLike) -> Path:
    """Write ``payload`` as compact JSON, gzip-compressed when ``path`` ends in ``.gz``
    (atomic; the same bytes for the same payload)."""
    blob = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
    if str(path).endswith(".gz"):
        blob = gzip.compress(blob, compresslevel=9, mtime=0)
    return write_output(path, blob)


def save_study(results: Results, path: str | os.PathLike) -> Path:
    """Write ``results`` as JSON, gzip-compressed when ``path`` ends in ``.gz`` (atomic)."""
    return save_json(results.to_dict(), path)


def read_json(path: str | os.PathLike) -> Any:
    """A published file's JSON (plain or gzip), read without blocking on a FIFO and never past
    :data:`optguide.results.MAX_FILE_BYTES`.

    Raises
    ------
    StudyError
        When it cannot be read or is not JSON.
    """
    try:
        blob = read_regular_file(Path(path))
        if blob[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=io.BytesIO(blob)) as stream:
                blob = stream.read(MAX_FILE_BYTES + 1)
            if len(blob) > MAX_FILE_BYTES:
                raise OSError(errno.EFBIG, f"expands past {MAX_FILE_BYTES:,} bytes")
        return json.loads(blob)
    except (OSError, ValueError, EOFError) as error:
        raise StudyError(f"cannot read the study file {path}: {error}") from None


def read_study(path: str | os.PathLike) -> Results:
    """Read a study file (plain or gzip JSON), validated as results; no freshness check."""
    path = Path(path)
    payload = read_json(path)
    results = from_dict(payload, where=str(path))
    if results.config.get("kind") != STUDY_KIND:
        raise StudyError(f"{path} is not an equal-effort study file")
    results.path = path
    return results


def staleness(results: Results, study: SearchStudy = SITE_SEARCH,
              data_root: Any = None) -> list[str]:
    """Why ``results`` no longer describe ``study`` on this code and data (empty: fresh)."""
    problems = []
    expected = study.to_dict()
    stored = {k: results.config.get(k) for k in expected}
    if stored != expected:
        problems.append("the study's configuration changed")
    elif results.config.get("trial_values") != _trial_table(study):
        problems.append("the search spaces changed")
    identity = results.config.get("identity", {})
    if identity.get("code") != code_hash(TRAINING_CODE):
        problems.append("the training code changed")
    if identity.get("data") != load_mnist(data_root).fingerprint:
        problems.append("the data differ")
    return problems


def load_study(path: str | os.PathLike = PUBLISHED, study: SearchStudy = SITE_SEARCH,
               data_root: Any = None) -> Results:
    """The published study, checked: configuration, training code and data must match.

    Raises
    ------
    StudyError
        When the file is missing, unreadable or stale; the message names the command that
        regenerates it.
    """
    path = Path(path)
    if not path.exists():
        raise StudyError(f"no study file at {path}; compute it with: {REGENERATE}")
    results = read_study(path)
    problems = staleness(results, study, data_root)
    if problems:
        raise StudyError(f"the study file {path} is stale ({'; '.join(problems)}); "
                         f"regenerate it with: {REGENERATE}")
    return results


def spec_of(run: Run) -> RunSpec:
    """The :class:`~optguide.train.RunSpec` that trained ``run``."""
    hp = {k: tuple(v) if isinstance(v, list) else v for k, v in run.hyperparameters.items()}
    return RunSpec(run.optimizer, run.preset, run.seed, hp, Schedule.parse(run.schedule))


def chunks_of(results: Results) -> list[tuple[str, list[int]]]:
    """Every chunk the study was trained in: (phase, positions of its runs in the file)."""
    found = []
    for phase, (start, stop) in results.config["phases"].items():
        specs = [spec_of(run) for run in results.runs[start:stop]]
        for chunk in chunk_runs(specs):
            found.append((phase, [start + p for p in chunk.positions]))
    return found


@dataclass(frozen=True)
class Verification:
    """What a re-trained sample showed (written to the built site as JSON)."""

    sampled_runs: int
    matched: int
    max_abs_diff_accuracy: float
    tolerance: float
    sampled_run_epochs: int
    total_run_epochs: int
    report_runs: int
    draw_seed: int
    mismatches: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["mismatches"] = list(self.mismatches)
        return values


def run_epochs(run: Run) -> int:
    """Epochs a run trained (a diverged run counts its last, unfinished one)."""
    return len(run.history) + (run.status != "ok")


def compare_retrained(pairs: Sequence[tuple[Run, Run]], tolerance: float
                      ) -> tuple[int, float, list[str]]:
    """(matched, largest difference, mismatches) of stored runs against the same runs trained
    again: a run matches when its status is the same and its final validation and test
    accuracies differ by at most ``tolerance``."""
    matched, worst, mismatches = 0, 0.0, []
    for old, new in pairs:
        diffs = [abs(_final(old, m) - _final(new, m)) for m in ("val_accuracy", "test_accuracy")]
        worst = max(worst, *diffs)
        if old.status == new.status and max(diffs) <= tolerance:
            matched += 1
        else:
            mismatches.append(f"{old.optimizer} seed {old.seed} lr {old.lr:g} "
                              f"({old.status} -> {new.status}, {max(diffs):.4f})")
    return matched, worst, mismatches


def verify_sample(results: Results, *, fraction: float = VERIFY_FRACTION,
                  tolerance: float = VERIFY_TOLERANCE, draw_seed: int | None = None,
                  placement: Placement | None = None, progress: Any = None) -> Verification:
    """Re-train whole chunks of ``results``, drawn at random, and compare every run.

    Chunks are drawn until they hold at least ``fraction`` of the study's run-epochs; at
    least one is a chunk of report runs. A run matches when its status is the same and its
    final validation and test accuracies differ by at most ``tolerance``. ``placement`` as for
    :func:`optguide.executor.execute` (the numbers do not depend on it).
    """
    study = SearchStudy.from_dict(results.config)
    draw_seed = random.SystemRandom().randrange(2 ** 31) if draw_seed is None else draw_seed
    rng = random.Random(draw_seed)
    chunks = chunks_of(results)
    rng.shuffle(chunks)
    total = sum(run_epochs(run) for run in results.runs)
    reports = [c for c in chunks if c[0] == "report"]
    picked = reports[:1] + [c for c in chunks if c is not (reports[:1] or [None])[0]]
    sample, epochs = [], 0
    for phase, positions in picked:
        if sample and epochs >= math.ceil(fraction * total):
            break
        sample.append((phase, positions))
        epochs += sum(run_epochs(results.runs[p]) for p in positions)
    pairs: list[tuple[Run, Run]] = []
    with reuse_workers():
        for call in _calls([positions for _, positions in sample], results):
            stored = [results.runs[p] for chunk in call for p in chunk]
            again = _train(study, [spec_of(r) for r in stored], placement or Placement(),
                           progress)
            pairs += zip(stored, again)
    matched, worst, mismatches = compare_retrained(pairs, tolerance)
    return Verification(len(pairs), matched, worst, tolerance, epochs, total,
                        sum(len(p) for phase, p in sample if phase == "report"), draw_seed,
                        tuple(mismatches))


def _calls(chunks: list[list[int]], results: Results) -> list[list[list[int]]]:
    """Chunks grouped into executor calls, at most one chunk per seed in a call: the executor
    groups a call's runs by seed, so each chunk is trained again exactly as it was trained
    (the same runs together, in the same order), and the chunks of a call train in parallel."""
    calls: list[dict[int, list[int]]] = []
    for chunk in chunks:
        seed = results.runs[chunk[0]].seed
        home = next((call for call in calls if seed not in call), None)
        if home is None:
            calls.append(home := {})
        home[seed] = chunk
    return [list(call.values()) for call in calls]


def _final(run: Run, metric: str) -> float:
    from .analysis.scoring import final_metric

    return final_metric(run, metric)


#: Set by the site build: the study file it checked (see ``docs/_ext/optguide_study.py``).
ENV_FILE = "OPTGUIDE_STUDY_FILE"


def site_study() -> Results:
    """The site's study: the file the build checked (``$OPTGUIDE_STUDY_FILE``), else the
    published one, loaded with :func:`load_study` (stale files refused)."""
    return load_study(os.environ.get(ENV_FILE) or PUBLISHED)
