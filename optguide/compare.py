"""One call from an experiment's configuration to its results, through a cache.

:class:`~optguide.config.Config` describes a comparison (optimizers x presets x learning rates
x seeds on one model and data setting). :func:`compare` returns its
:class:`~optguide.results.Results`, reading them from the results cache
(:mod:`optguide.cache`) when the same configuration was already run by the same code on the
same data, and training otherwise, through the executor (:func:`optguide.executor.execute`)
at the given :class:`~optguide.executor.Placement`. Sizes are checked before anything is
allocated (:mod:`optguide.limits`).
"""

from __future__ import annotations

import datetime
import os
import platform
import warnings
from collections.abc import Sequence
from typing import Any

import torch

from . import __version__
from .cache import (
    TRAINING_CODE,
    CacheMismatch,
    cache_identity,
    cache_path,
    code_hash,
    read_cache,
    write_cache,
)
from .config import Config, ConfigError
from .data import load_mnist
from .executor import ExecutorError, Placement, execute, plan
from .limits import resource_problem
from .results import Results, Run, clean_stale_temporaries
from .train import Progress, RunResult, RunSpec, resolve_device


def environment(device: torch.device) -> dict[str, Any]:
    """What produced a result: versions, device, threads, machine, the CPU kernels torch uses
    (:data:`optguide.PINNED_NUMERICS`), time."""
    return {"optguide": __version__, "torch": torch.__version__, "device": device.type,
            "device_name": (torch.cuda.get_device_name(device) if device.type == "cuda"
                            else platform.processor() or platform.machine()),
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "mkl_cbwr": os.environ.get("MKL_CBWR"),
            "threads": torch.get_num_threads(), "python": platform.python_version(),
            "code_hash": code_hash(TRAINING_CODE),
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}


def run(config: Config, *, placement: Placement | None = None,
        progress: Progress | None = None) -> Results:
    """Train every run of ``config`` now (no cache), through :func:`optguide.executor.execute`
    at ``placement`` (where the runs train and the data is; it never changes a number)."""
    return run_together([config], placement=placement, progress=progress)[0]


def _training_job(config: Config) -> tuple:
    """What must be equal for the runs of several configurations to train together."""
    return (config.model, config.epochs, config.batch_size, config.train_size,
            config.validation_size, config.device, config.eval_every, config.trace_test)


def run_together(configs: Sequence[Config], *, placement: Placement | None = None,
                 progress: Progress | None = None) -> list[Results]:
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
    placement = placement or Placement()
    jobs = {_training_job(config) for config in configs}
    if len(jobs) > 1:
        raise ConfigError("configurations trained together must share model, epochs, batch "
                          "size, train and validation sizes, device and evaluation options")
    first = configs[0]
    device = resolve_device(first.device)
    batched = first.engine == "batched"  # the MLP and the CNN each have a stacked pass
    specs = [config.run_specs() for config in configs]

    def gathered(outcomes: dict[int, RunResult]) -> list[Results]:
        env = environment(device)
        env["engine"] = "batched" if batched else "sequential"
        env["backend"] = placement.backend
        env["data"] = load_mnist(placement.data_root).fingerprint  # what was trained on
        return _gather(configs, specs, outcomes, env)

    try:
        outcomes = execute([spec for group in specs for spec in group], model=first.model,
                           epochs=first.epochs, batch_size=first.batch_size,
                           train_size=first.train_size, device=first.device, batched=batched,
                           data_options={"validation_size": first.validation_size},
                           train_options={"eval_every": first.eval_every,
                                          "trace_test": first.trace_test},
                           placement=placement, progress=progress)
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


def compare(config: Config, *, cache: bool = True, placement: Placement | None = None,
            progress: Progress | None = None) -> Results:
    """Results of ``config``: from the cache when it holds them, else trained and cached.

    Parameters
    ----------
    config : Config
        The experiment.
    cache : bool, default True
        Read and write the results cache (:func:`optguide.cache.cache_dir`). The cache is
        keyed on the data loaded (:func:`optguide.data.fingerprint`) as well as the
        configuration and the code; a cache file that is corrupt, stored for another key or
        fails its checksum is reported with a ``RuntimeWarning`` and recomputed; a cache that
        cannot be written is reported with a warning and the results are returned all the same.
    placement : Placement, optional
        Where the runs train and where the data is (default: local worker processes, one per
        available CPU core; the data in :func:`optguide.data.data_dir`). Not part of the
        configuration nor of the cache key: it never changes the numbers.
    progress : object with ``update(n)``, optional
        Advanced by one per finished run-epoch (:func:`total_epochs` in all).

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
    return compare_many([config], cache=cache, placement=placement, progress=progress)[0]


def _check_resources(configs: Sequence[Config], placement: Placement, data_train_size: int,
                     data_test_size: int) -> None:
    """Raise :class:`ConfigError` when ``configs``, trained together, do not fit (the
    executor's own plan tells how many runs it holds at once)."""
    first = configs[0]
    device = resolve_device(first.device)
    specs = [spec for config in configs for spec in config.run_specs()]
    held = plan(specs, epochs=first.epochs,
                examples=min(first.train_size or data_train_size, data_train_size),
                batched=first.engine == "batched", device=first.device,
                placement=placement).runs_held_at_once()
    for config in configs:
        problem = resource_problem(config, data_train_size=data_train_size,
                                   data_test_size=data_test_size, runs_at_once=held,
                                   runs_total=len(specs), device=device)
        if problem:
            raise ConfigError(problem)


def compare_many(configs: Sequence[Config], *, cache: bool = True,
                 placement: Placement | None = None,
                 progress: Progress | None = None) -> list[Results]:
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
    placement = placement or Placement()
    mnist = load_mnist(placement.data_root)  # the data training reads; the cache is keyed on it
    for config in configs:  # each alone first: its own sizes (and memory) must fit
        _check_resources([config], placement, mnist.train_size, mnist.test_size)
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
    for indices in todo.values():  # what trains together must fit together
        _check_resources([configs[i] for i in indices], placement, mnist.train_size,
                         mnist.test_size)
    for indices in todo.values():
        trained = run_together([configs[i] for i in indices], placement=placement,
                               progress=progress)
        for i, results in zip(indices, trained):
            found[i] = results
        if not cache:
            continue
        if _current_fingerprint(placement.data_root) != mnist.fingerprint:
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
