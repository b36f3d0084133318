"""One call from an experiment's configuration to its results, through a cache.

:class:`Config` describes a comparison (optimizers x presets x learning rates x seeds on one
model and data setting). :func:`compare` returns its :class:`~optguide.results.Results`,
reading them from the results cache when the same configuration was already run by the same
code, and training otherwise. The cache key covers the whole configuration, the package
version, a hash of the package's source code and the torch version, so numbers computed by
older code are never reused.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import os
import platform
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .data import VALIDATION_SIZE, load_mnist
from .models import MODELS
from .optimizers import OPTIMIZERS, PRESETS, hyperparameters
from .results import Results, ResultsError, Run, load, write_json_atomic
from .schedules import Schedule
from .train import Progress, RunSpec, TrainingData, resolve_device, train_batched, train_sequential

ENV_CACHE_DIR = "OPTGUIDE_CACHE_DIR"
ENGINES = ("batched", "sequential")


class ConfigError(ValueError):
    """A configuration that cannot be run; the message says which field and why."""


@dataclass(frozen=True)
class Config:
    """An experiment: every combination of optimizers, presets, learning rates and seeds.

    Parameters
    ----------
    optimizers : tuple of str
        Names from :data:`optguide.optimizers.OPTIMIZERS`.
    presets : tuple of str
        Names from :data:`optguide.optimizers.PRESETS`.
    seeds : tuple of int
        Each seed fixes the initial weights and the minibatch order (shared by all optimizers).
    model : str
        ``"mlp"`` or ``"cnn"``.
    epochs : int
        Passes over the training set.
    batch_size : int or None
        Minibatch size; ``None`` trains full-batch (gradient descent).
    train_size : int or None
        Train on a fixed subset of this many images of the training part (``None``: all
        images not held out for validation, 50,000 by default).
    validation_size : int
        Images held out of the 60,000 training images for validation by a fixed seeded
        permutation (:func:`optguide.data.validation_split`); must be smaller than the
        training images of the data set. Selections read validation metrics only.
    learning_rates : tuple of float or None
        Replace the presets' learning rate by each of these (a sweep); ``None`` keeps it.
    schedule : str
        Learning-rate schedule of every run, e.g. ``"constant"``, ``"cosine"``,
        ``"cosine:warmup=100"`` or ``"step:every=2,gamma=0.1"`` (:mod:`optguide.schedules`);
        stored in its canonical form.
    eval_every : float or None
        Also evaluate on the validation images every this fraction of an epoch (in
        ``(0, 1]``), recorded as each run's ``trace`` for time-to-target finer than an epoch;
        ``None`` (default): once per epoch only.
    engine : str
        ``"batched"`` trains all runs together; ``"sequential"`` one after another with
        exact per-run timing.
    device : str
        ``"auto"`` (CUDA when available), ``"cpu"`` or ``"cuda"``.
    """

    optimizers: tuple[str, ...] = tuple(OPTIMIZERS)
    presets: tuple[str, ...] = ("pytorch",)
    seeds: tuple[int, ...] = (0,)
    model: str = "mlp"
    epochs: int = 5
    batch_size: int | None = 64
    train_size: int | None = None
    validation_size: int = VALIDATION_SIZE
    learning_rates: tuple[float, ...] | None = None
    schedule: str = "constant"
    eval_every: float | None = None
    engine: str = "batched"
    device: str = "auto"

    def __post_init__(self) -> None:
        for name in ("optimizers", "presets", "seeds", "learning_rates"):
            value = getattr(self, name)
            if isinstance(value, (list, str)):
                object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if isinstance(self.schedule, Schedule):
            object.__setattr__(self, "schedule", str(self.schedule))
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ConfigError` for the first invalid field."""
        def fail(message: str) -> None:
            raise ConfigError(message)

        if not self.optimizers:
            fail("no optimizers given")
        for name in self.optimizers:
            if name not in OPTIMIZERS:
                fail(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZERS)}")
        if not self.presets:
            fail("no presets given")
        for preset in self.presets:
            if preset not in PRESETS:
                fail(f"unknown preset {preset!r}; choose from {', '.join(PRESETS)}")
        if self.model not in MODELS:
            fail(f"unknown model {self.model!r}; choose from {', '.join(MODELS)}")
        if self.engine not in ENGINES:
            fail(f"unknown engine {self.engine!r}; choose from {', '.join(ENGINES)}")
        if not self.seeds or not all(isinstance(s, int) and s >= 0 for s in self.seeds):
            fail(f"seeds must be non-negative integers, got {self.seeds!r}")
        for name in ("optimizers", "presets", "seeds"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                fail(f"{name} has duplicates: {values!r}")
        if not isinstance(self.epochs, int) or self.epochs < 1:
            fail(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if self.batch_size is not None and (not isinstance(self.batch_size, int)
                                            or self.batch_size < 1):
            fail(f"batch size must be an integer >= 1 (or None for full batch), "
                 f"got {self.batch_size!r}")
        if self.train_size is not None and (not isinstance(self.train_size, int)
                                            or self.train_size < 1):
            fail(f"train size must be an integer >= 1, got {self.train_size!r}")
        if not isinstance(self.validation_size, int) or self.validation_size < 1:
            fail(f"validation size must be an integer >= 1, got {self.validation_size!r}")
        if self.learning_rates is not None:
            if not self.learning_rates or not all(
                    isinstance(lr, (int, float)) and lr > 0 for lr in self.learning_rates):
                fail(f"learning rates must be positive numbers, got {self.learning_rates!r}")
        if self.eval_every is not None and not (
                isinstance(self.eval_every, (int, float)) and not isinstance(self.eval_every, bool)
                and 0 < self.eval_every <= 1):
            fail(f"eval_every must be a fraction of an epoch in (0, 1], got {self.eval_every!r}")
        try:
            canonical = str(Schedule.parse(self.schedule))
        except ValueError as error:
            fail(str(error))
        if canonical != self.schedule:
            object.__setattr__(self, "schedule", canonical)
        if self.device not in ("auto", "cpu", "cuda") and not str(self.device).startswith("cuda:"):
            fail(f"unknown device {self.device!r}; use auto, cpu or cuda")

    def run_specs(self) -> list[RunSpec]:
        """One :class:`~optguide.train.RunSpec` per run: presets x optimizers x rates x seeds."""
        specs = []
        schedule = Schedule.parse(self.schedule)
        for preset in self.presets:
            for name in self.optimizers:
                for lr in self.learning_rates or (None,):
                    overrides = {} if lr is None else {"lr": float(lr)}
                    hp = hyperparameters(name, preset, **overrides)
                    specs.extend(RunSpec(name, preset, seed, hp, schedule)
                                 for seed in self.seeds)
        return specs

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Config:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - fields
        if unknown:
            raise ConfigError(f"unknown config fields: {', '.join(sorted(unknown))}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)


#: The package's modules whose code decides what training produces. The results cache is
#: keyed on them, so editing a table, a plot or a claim does not throw away trained runs.
TRAINING_CODE = ("__init__.py", "optimizers", "data.py", "models.py", "schedules.py",
                 "train.py", "compare.py", "results.py")


@functools.lru_cache(maxsize=2)
def code_hash(parts: tuple[str, ...] | None = None) -> str:
    """SHA-256 of the package's Python source (only of ``parts`` when given).

    ``code_hash(TRAINING_CODE)`` keys the results cache: a change to any code that affects
    training invalidates cached results. ``code_hash()`` covers the whole package (the site
    keys its executed pages on it).
    """
    package = Path(__file__).resolve().parent
    roots = [package / part for part in parts] if parts else [package]
    files = sorted({f for root in roots
                    for f in ([root] if root.is_file() else root.rglob("*.py"))})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    """``$OPTGUIDE_CACHE_DIR``, else a per-user cache folder."""
    if os.environ.get(ENV_CACHE_DIR):
        return Path(os.environ[ENV_CACHE_DIR]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("optguide")) / "results"


def cache_key(config: Config) -> str:
    """Key of ``config``'s results: configuration, device, versions, training code, threads."""
    identity = {"config": config.to_dict(), "device": resolve_device(config.device).type,
                "optguide": __version__, "torch": torch.__version__,
                "code": code_hash(TRAINING_CODE), "threads": torch.get_num_threads()}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:24]


def cache_path(config: Config, directory: str | os.PathLike | None = None) -> Path:
    """Where ``config``'s results are cached."""
    return (Path(directory) if directory is not None else cache_dir()) / f"{cache_key(config)}.json"


def environment(device: torch.device) -> dict[str, Any]:
    """What produced a result: versions, device, threads, machine, time."""
    return {"optguide": __version__, "torch": torch.__version__, "device": device.type,
            "device_name": (torch.cuda.get_device_name(device) if device.type == "cuda"
                            else platform.processor() or platform.machine()),
            "threads": torch.get_num_threads(), "python": platform.python_version(),
            "code_hash": code_hash(TRAINING_CODE),
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}


def uses_batched_engine(config: Config, device: torch.device) -> bool:
    """Whether ``config`` trains its runs together.

    The ``"batched"`` engine stacks runs where that pays: always for the MLP (a hand-written
    batched pass), and for other models on CUDA. On the CPU the CNN's vmapped convolutions are
    slower than running one model after another (measured: about 2x), so there the CNN runs
    sequentially.
    """
    return config.engine == "batched" and (config.model == "mlp" or device.type == "cuda")


def run(config: Config, *, data_root: str | os.PathLike | None = None,
        progress: Progress | None = None) -> Results:
    """Train every run of ``config`` now (no cache)."""
    device = resolve_device(config.device)
    data = TrainingData.from_mnist(load_mnist(data_root), device, config.train_size,
                                   config.validation_size)
    specs = config.run_specs()
    common = dict(epochs=config.epochs, batch_size=config.batch_size,
                  eval_every=config.eval_every, progress=progress)
    if uses_batched_engine(config, device):
        outcomes = train_batched(config.model, specs, data, **common)
    else:
        outcomes = [train_sequential(config.model, spec, data, **common) for spec in specs]
    runs = [Run(o.spec.optimizer, o.spec.preset, o.spec.seed, dict(o.spec.hyperparameters),
                o.status, o.history, o.diverged_epoch, str(o.spec.schedule), o.trace)
            for o in outcomes]
    env = environment(device)
    env["engine"] = "batched" if uses_batched_engine(config, device) else "sequential"
    return Results(config.to_dict(), env, runs)


def total_epochs(config: Config) -> int:
    """Run-epochs in ``config`` (the length of a progress bar)."""
    return len(config.run_specs()) * config.epochs


def compare(config: Config, *, cache: bool = True, data_root: str | os.PathLike | None = None,
            progress: Progress | None = None) -> Results:
    """Results of ``config``: from the cache when it holds them, else trained and cached.

    Parameters
    ----------
    config : Config
        The experiment.
    cache : bool, default True
        Read and write the results cache (:func:`cache_dir`). A corrupt cache file is
        reported with a warning and recomputed.
    data_root : path, optional
        Folder holding ``MNIST/raw`` (default: :func:`optguide.data.data_dir`).
    progress : object with ``update(n)``, optional
        Advanced by one per finished run-epoch (:func:`total_epochs` in all).

    Returns
    -------
    Results
        ``results.from_cache`` tells whether they were read from the cache.
    """
    path = cache_path(config)
    if cache and path.is_file():
        try:
            results = load(path)
            results.from_cache = True
            if progress is not None:
                progress.update(total_epochs(config))
            return results
        except ResultsError as error:
            warnings.warn(f"ignoring corrupt results cache file ({error}); recomputing",
                          RuntimeWarning, stacklevel=2)
    results = run(config, data_root=data_root, progress=progress)
    if cache:
        write_json_atomic(path, results.to_dict())
        results.path = path
    return results
