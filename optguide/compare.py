"""One call from an experiment's configuration to its results, through a cache.

:class:`Config` describes a comparison (optimizers x presets x learning rates x seeds on one
model and data setting). :func:`compare` returns its :class:`~optguide.results.Results`,
reading them from the results cache when the same configuration was already run by the same
code on the same data, and training otherwise. The cache key covers the whole configuration,
the package version, a hash of the package's training code, the torch version and a
fingerprint of the data loaded, so numbers computed by older code or on other data are never
reused; each cache file stores its key and a checksum of its results, verified on read.
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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .data import VALIDATION_SIZE, absolute_env_path, load_mnist
from .executor import ExecutorError, check_backend, execute
from .limits import config_problem, resource_problem, runs_held_at_once
from .models import MODELS
from .optimizers import OPTIMIZERS, PRESETS, hyperparameters
from .results import (
    Results,
    Run,
    clean_stale_temporaries,
    from_dict,
    read_regular_file,
    write_json_atomic,
)
from .schedules import Schedule
from .train import Progress, RunResult, RunSpec, resolve_device

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
    overrides : tuple of (str, value) pairs
        Other hyperparameters set on top of the presets' values, e.g.
        ``(("momentum", 0.9), ("nesterov", True))`` (a mapping is accepted too).
    schedule : str
        Learning-rate schedule of every run, e.g. ``"constant"``, ``"cosine"``,
        ``"cosine:warmup=100"`` or ``"step:every=2,gamma=0.1"`` (:mod:`optguide.schedules`);
        stored in its canonical form.
    eval_every : float or None
        Also evaluate on the validation images every this fraction of an epoch (in
        ``(0, 1]``), recorded as each run's ``trace`` for time-to-target finer than an epoch;
        ``None`` (default): once per epoch only.
    trace_test : bool
        With ``eval_every``, also evaluate the test images at every trace point (``test_loss``
        and ``test_accuracy`` in the trace: a reported metric after a given number of
        updates); off by default (each point then costs a second evaluation).
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
    overrides: tuple[tuple[str, Any], ...] = ()
    schedule: str = "constant"
    eval_every: float | None = None
    trace_test: bool = False
    engine: str = "batched"
    device: str = "auto"

    def __post_init__(self) -> None:
        for name in ("optimizers", "presets", "seeds", "learning_rates"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, (value,))
            elif isinstance(value, (list, range)):
                object.__setattr__(self, name, tuple(value))
            elif not isinstance(value, tuple) and not (name == "learning_rates" and value is None):
                raise ConfigError(f"{name.replace('_', ' ')} must be a list or tuple (in "
                                  f"order), got {type(value).__name__} {value!r}")
        if isinstance(self.schedule, Schedule):
            object.__setattr__(self, "schedule", str(self.schedule))
        pairs = self.overrides.items() if isinstance(self.overrides, dict) else self.overrides
        try:
            object.__setattr__(self, "overrides", tuple(sorted((k, v) for k, v in pairs)))
        except (TypeError, ValueError):
            raise ConfigError(f"overrides must be (name, value) pairs, got {self.overrides!r}"
                              ) from None
        self.validate()

    def validate(self) -> None:
        """Raise :class:`ConfigError` for the first invalid field."""
        def fail(message: str) -> None:
            raise ConfigError(message)

        self._check_types(fail)
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
        if not isinstance(self.trace_test, bool):
            fail(f"trace_test must be True or False, got {self.trace_test!r}")
        if self.trace_test and self.eval_every is None:
            fail("trace_test needs eval_every (the trace it adds the test metrics to)")
        try:
            canonical = str(Schedule.parse(self.schedule))
        except ValueError as error:
            fail(str(error))
        if canonical != self.schedule:
            object.__setattr__(self, "schedule", canonical)
        if self.device not in ("auto", "cpu", "cuda") and not str(self.device).startswith("cuda:"):
            fail(f"unknown device {self.device!r}; use auto, cpu or cuda")
        problem = config_problem(self)  # bounds: epochs, seeds, learning rates, device syntax
        if problem:
            fail(problem)
        self._check_overrides(fail)

    def _check_types(self, fail) -> None:
        """Names are strings, counts integers (not flags), rates numbers: before any lookup."""
        for name in ("optimizers", "presets"):
            bad = [v for v in getattr(self, name) if not isinstance(v, str)]
            if bad:
                fail(f"{name} must be names (strings), got {bad[0]!r}")
        for name in ("model", "engine", "device", "schedule"):
            if not isinstance(getattr(self, name), str):
                fail(f"{name} must be a name (a string), got {getattr(self, name)!r}")
        for name in ("epochs", "batch_size", "train_size", "validation_size"):
            value = getattr(self, name)
            if isinstance(value, bool):
                fail(f"{name.replace('_', ' ')} must be an integer, got {value!r}")
        if any(isinstance(seed, bool) for seed in self.seeds):
            fail(f"seeds must be non-negative integers, got {self.seeds!r}")
        if self.learning_rates is not None and any(
                isinstance(lr, bool) for lr in self.learning_rates):
            fail(f"learning rates must be positive numbers, got {self.learning_rates!r}")

    def _check_overrides(self, fail) -> None:
        """Every optimizer accepts the overrides (names and values), checked by building it."""
        if not self.overrides:
            return
        if any(not isinstance(k, str) or k == "lr" for k, _ in self.overrides):
            fail(f"overrides must name hyperparameters other than lr (use learning rates), "
                 f"got {self.overrides!r}")
        probe = [torch.zeros(1, requires_grad=True)]
        for preset in self.presets:
            for name in self.optimizers:
                try:
                    OPTIMIZERS[name](probe, **hyperparameters(name, preset,
                                                              **dict(self.overrides)))
                except (TypeError, ValueError) as error:
                    fail(f"overrides {dict(self.overrides)!r} do not fit {name}: {error}")

    def run_specs(self) -> list[RunSpec]:
        """One :class:`~optguide.train.RunSpec` per run: presets x optimizers x rates x seeds."""
        specs = []
        schedule = Schedule.parse(self.schedule)
        for preset in self.presets:
            for name in self.optimizers:
                for lr in self.learning_rates or (None,):
                    overrides = dict(self.overrides)
                    if lr is not None:
                        overrides["lr"] = float(lr)
                    hp = hyperparameters(name, preset, **overrides)
                    specs.extend(RunSpec(name, preset, seed, hp, schedule)
                                 for seed in self.seeds)
        return specs

    def to_dict(self) -> dict[str, Any]:
        """The configuration as JSON data (tuples as lists, overrides as ``[name, value]``)."""
        values = {key: list(value) if isinstance(value, tuple) else value
                  for key, value in dataclasses.asdict(self).items()}
        values["overrides"] = [list(pair) for pair in self.overrides]
        return values

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
                 "train.py", "executor.py", "compare.py", "results.py")


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
    """``$OPTGUIDE_CACHE_DIR`` (made absolute once), else a per-user cache folder.

    Raises
    ------
    ConfigError
        When the variable names ``~user`` of a user that does not exist.
    """
    folder = absolute_env_path(ENV_CACHE_DIR, ConfigError)
    if folder is not None:
        return folder
    import platformdirs

    return Path(platformdirs.user_cache_dir("optguide")) / "results"


#: Version of the cache file's envelope (key, checksum, results).
CACHE_FORMAT = 1


def cache_identity(config: Config, data_fingerprint: str | None = None, *,
                   data_root: str | os.PathLike | None = None) -> dict[str, Any]:
    """What a cached result depends on, stored in the cache file and hashed into its name.

    The configuration, device, versions, training code and the data: ``data_fingerprint``,
    else the fingerprint of the data in ``data_root`` (see :func:`optguide.data.fingerprint`;
    that loads the data). Not the number of threads or workers, nor the backend: they do not
    change the numbers (tested in ``tests/test_executor.py``).
    """
    if data_fingerprint is None:
        from .data import fingerprint

        data_fingerprint = fingerprint(data_root)
    return {"config": config.to_dict(), "device": resolve_device(config.device).type,
            "optguide": __version__, "torch": torch.__version__,
            "code": code_hash(TRAINING_CODE),
            "data": data_fingerprint}


def cache_key(config: Config, data_fingerprint: str | None = None, *,
              data_root: str | os.PathLike | None = None) -> str:
    """Key of ``config``'s results on the given data: a hash of :func:`cache_identity`."""
    identity = cache_identity(config, data_fingerprint, data_root=data_root)
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:24]


def cache_path(config: Config, directory: str | os.PathLike | None = None, *,
               data_fingerprint: str | None = None,
               data_root: str | os.PathLike | None = None) -> Path:
    """Where ``config``'s results on the given data are cached."""
    key = cache_key(config, data_fingerprint, data_root=data_root)
    return (Path(directory) if directory is not None else cache_dir()) / f"{key}.json"


def _checksum(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class CacheMismatch(Exception):
    """A cache file that must not be used; the message says why."""


def read_cache(path: Path, identity: dict[str, Any]) -> Results | None:
    """The results cached in ``path`` for ``identity``; ``None`` when there is no such file.

    Raises
    ------
    CacheMismatch
        When the file is unreadable, not a regular file, too large, corrupt, stored for
        another key, or its results do not match their checksum (edited or damaged).
    """
    try:
        blob = read_regular_file(path)  # a FIFO, a device or a huge file is refused unread
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise CacheMismatch(f"cannot read {path}: {error.strerror or error}") from None
    try:
        envelope = json.loads(blob)
    except (ValueError, RecursionError):
        raise CacheMismatch(f"{path} is corrupt (not JSON)") from None
    if not isinstance(envelope, dict) or envelope.get("cache_format") != CACHE_FORMAT:
        raise CacheMismatch(f"{path} is not a cache file of this version")
    if envelope.get("key") != json.loads(json.dumps(identity)):  # compared as JSON data
        raise CacheMismatch(f"{path} was stored for another configuration, code or data")
    payload = envelope.get("results")
    try:
        if envelope.get("checksum") != _checksum(payload):
            raise CacheMismatch(f"{path}'s results do not match their checksum (edited or "
                                f"damaged)")
        results = from_dict(payload, where=str(path))
    except (ValueError, RecursionError) as error:  # ResultsError is a ValueError
        raise CacheMismatch(f"{path} is corrupt ({error})") from None
    results.from_cache, results.path = True, path
    return results


def write_cache(path: Path, identity: dict[str, Any], results: Results) -> None:
    """Store ``results`` under ``identity`` in ``path`` with a checksum (atomic write).

    Raises
    ------
    OSError
        When the cache folder cannot be written.
    """
    payload = results.to_dict()
    write_json_atomic(path, {"cache_format": CACHE_FORMAT, "key": identity,
                             "checksum": _checksum(payload), "results": payload},
                      follow=False)  # the entry itself is replaced, never a link's target


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
        progress: Progress | None = None, workers: int | None = None, backend: str = "local",
        ray_address: str | None = None) -> Results:
    """Train every run of ``config`` now (no cache), through :func:`optguide.executor.execute`.

    ``workers``, ``backend`` and ``ray_address`` choose where the runs train
    (see :func:`~optguide.executor.execute`); they never change the numbers.
    """
    return run_together([config], data_root=data_root, progress=progress, workers=workers,
                        backend=backend, ray_address=ray_address)[0]


def _training_job(config: Config) -> tuple:
    """What must be equal for the runs of several configurations to train together."""
    return (config.model, config.epochs, config.batch_size, config.train_size,
            config.validation_size, config.device, config.eval_every, config.trace_test)


def run_together(configs: Sequence[Config], *, data_root: str | os.PathLike | None = None,
                 progress: Progress | None = None, workers: int | None = None,
                 backend: str = "local", ray_address: str | None = None) -> list[Results]:
    """Train the runs of several configurations in one call of the executor (no cache).

    The configurations must share their training job (model, epochs, batch size, subset and
    validation sizes, device, evaluation options); their runs are chunked together, so runs
    of different configurations with the same seed train side by side in one batched chunk.
    A run's numbers do not depend on which configuration asked for it beyond float32
    rounding of the shared first-layer product (see :func:`optguide.executor.chunk_runs`).

    Returns
    -------
    list of Results
        One per configuration, in order.

    Raises
    ------
    optguide.executor.ExecutorError
        When a chunk fails; its ``partial`` attribute holds the Results of the runs that
        had finished (configurations without any left out).
    """
    configs = list(configs)
    if not configs:
        return []
    jobs = {_training_job(config) for config in configs}
    if len(jobs) > 1:
        raise ConfigError("configurations trained together must share model, epochs, batch "
                          "size, train and validation sizes, device and evaluation options")
    first = configs[0]
    device = resolve_device(first.device)
    batched = uses_batched_engine(first, device)
    specs = [config.run_specs() for config in configs]

    def gathered(outcomes: dict[int, RunResult]) -> list[Results]:
        env = environment(device)
        env["engine"] = "batched" if batched else "sequential"
        env["backend"] = backend
        env["data"] = load_mnist(data_root).fingerprint  # read once, kept: what was trained on
        return _gather(configs, specs, outcomes, env)

    try:
        outcomes = execute([spec for group in specs for spec in group], model=first.model,
                           epochs=first.epochs, batch_size=first.batch_size,
                           train_size=first.train_size, device=first.device, batched=batched,
                           data_root=data_root,
                           data_options={"validation_size": first.validation_size},
                           train_options={"eval_every": first.eval_every,
                                          "trace_test": first.trace_test},
                           workers=workers, backend=backend, ray_address=ray_address,
                           progress=progress)
    except ExecutorError as error:  # what finished goes with the error (nothing lost)
        error.partial = [results for results in gathered(error.finished) if results.runs]
        raise
    return gathered(dict(enumerate(outcomes)))


def _gather(configs: Sequence[Config], specs: Sequence[Sequence[RunSpec]],
            outcomes: dict[int, RunResult], env: dict[str, Any]) -> list[Results]:
    """One :class:`Results` per configuration from the runs trained (by position in the
    concatenated specs; a position missing from ``outcomes`` is left out)."""
    results, start = [], 0
    for config, group in zip(configs, specs):
        mine = [outcomes[p] for p in range(start, start + len(group)) if p in outcomes]
        start += len(group)
        runs = [Run(o.spec.optimizer, o.spec.preset, o.spec.seed, dict(o.spec.hyperparameters),
                    o.status, o.history, o.diverged_epoch, str(o.spec.schedule), o.trace)
                for o in mine]
        results.append(Results(config.to_dict(), dict(env), runs))
    return results


def total_epochs(config: Config) -> int:
    """Run-epochs in ``config`` (the length of a progress bar)."""
    return len(config.run_specs()) * config.epochs


def _current_fingerprint(data_root: str | os.PathLike | None) -> str | None:
    from .data import DataError

    try:
        return load_mnist(data_root).fingerprint
    except DataError:
        return None


def compare(config: Config, *, cache: bool = True, data_root: str | os.PathLike | None = None,
            progress: Progress | None = None, workers: int | None = None,
            backend: str = "local", ray_address: str | None = None) -> Results:
    """Results of ``config``: from the cache when it holds them, else trained and cached.

    Parameters
    ----------
    config : Config
        The experiment.
    cache : bool, default True
        Read and write the results cache (:func:`cache_dir`). The cache is keyed on the
        data loaded (:func:`optguide.data.fingerprint`) as well as the configuration and the
        code; a cache file that is corrupt, stored for another key or fails its checksum is
        reported with a ``RuntimeWarning`` and recomputed; a cache that cannot be written is
        reported with a warning and the results are returned all the same.
    data_root : path, optional
        Folder holding ``MNIST/raw`` (default: :func:`optguide.data.data_dir`).
    progress : object with ``update(n)``, optional
        Advanced by one per finished run-epoch (:func:`total_epochs` in all).
    workers, backend, ray_address : optional
        Where the runs train, as for :func:`optguide.executor.execute` (default: local
        worker processes, one per available CPU core). Not part of the configuration nor of
        the cache key: they never change the numbers.

    Returns
    -------
    Results
        ``results.from_cache`` tells whether they were read from the cache.

    Raises
    ------
    ConfigError
        When the training subset is larger than the data, or the comparison would need more
        memory than there is (:func:`optguide.limits.resource_problem`), before training.
    """
    return compare_many([config], cache=cache, data_root=data_root, progress=progress,
                        workers=workers, backend=backend, ray_address=ray_address)[0]


def compare_many(configs: Sequence[Config], *, cache: bool = True,
                 data_root: str | os.PathLike | None = None, progress: Progress | None = None,
                 workers: int | None = None, backend: str = "local",
                 ray_address: str | None = None) -> list[Results]:
    """:func:`compare` for several configurations: cached ones are read, the others trained
    together (:func:`run_together`, grouped by training job) and cached one by one.

    Training several small configurations at once fills the executor's chunks: a tuning
    study's report runs (one learning rate and a few seeds per optimizer) train seed by seed
    side by side instead of one run per chunk.

    Returns
    -------
    list of Results
        One per configuration, in order (each as :func:`compare` would return it).
    """
    configs = list(configs)
    check_backend(backend, workers)
    mnist = load_mnist(data_root)  # the data training will read; the cache is keyed on it
    for config in configs:
        device = resolve_device(config.device)
        problem = resource_problem(
            config, data_train_size=mnist.train_size, data_test_size=mnist.test_size,
            runs_at_once=runs_held_at_once(len(config.run_specs()), workers=workers,
                                           batched=uses_batched_engine(config, device)),
            device=device)
        if problem:
            raise ConfigError(problem)
    found: list[Results | None] = [None] * len(configs)
    places = []
    for i, config in enumerate(configs):
        identity = cache_identity(config, mnist.fingerprint)
        path = cache_path(config, data_fingerprint=mnist.fingerprint)
        places.append((identity, path))
        if not cache:
            continue
        try:
            found[i] = read_cache(path, identity)
        except CacheMismatch as error:
            warnings.warn(f"ignoring results cache file: {error}; recomputing",
                          RuntimeWarning, stacklevel=3)
        if found[i] is not None and progress is not None:
            progress.update(total_epochs(config))
    todo: dict[tuple, list[int]] = {}
    for i, config in enumerate(configs):
        if found[i] is None:
            todo.setdefault(_training_job(config), []).append(i)
    for indices in todo.values():
        trained = run_together([configs[i] for i in indices], data_root=data_root,
                               progress=progress, workers=workers, backend=backend,
                               ray_address=ray_address)
        for i, results in zip(indices, trained):
            found[i] = results
        if not cache:
            continue
        if _current_fingerprint(data_root) != mnist.fingerprint:
            warnings.warn("the data changed while training; the results are not cached",
                          RuntimeWarning, stacklevel=3)
            continue
        for i, results in zip(indices, trained):
            identity, path = places[i]
            try:
                clean_stale_temporaries(path.parent)
                write_cache(path, identity, results)
                results.path = path
            except OSError as error:
                warnings.warn(f"cannot write the results cache {path} "
                              f"({error.strerror or error}); the results are not cached",
                              RuntimeWarning, stacklevel=3)
    return [results for results in found if results is not None]
