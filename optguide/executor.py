"""Run many training runs: split them into chunks, train the chunks on a backend, merge.

A comparison or a tuning study is a list of :class:`~optguide.train.RunSpec`. :func:`execute`
splits it into chunks (:func:`chunk_runs`: by seed, then at most :data:`MAX_CHUNK_RUNS` runs
each, decided by the specs alone), trains every chunk with the batched engine (or one run
after another with the sequential engine), and puts the results back in the order of the
specs. How the chunks are spread over processes or machines never changes a number:

``local`` (default)
    ``workers`` processes on this machine (default: the CPU cores this process may use), each
    with one torch thread, started with ``spawn``; each receives MNIST from this process once;
    ``workers=1``, a single chunk, or (by default) less work than :data:`MIN_POOL_WORK` trains
    in this process, with its torch threads.
``ray``
    One Ray task per chunk (1 CPU each) on the cluster at ``ray_address`` or ``$RAY_ADDRESS``,
    else on a local Ray instance started for the call with ``workers`` CPUs. The driver puts
    MNIST into Ray's object store once; tasks read it from there, so only the machine that
    calls :func:`execute` needs the data files.

A chunk that fails is tried once more (unless its error would only happen again: a
:data:`DETERMINISTIC` one); if it fails again :class:`ExecutorError` names it.
Nothing is silently dropped. Progress advances by a chunk's run-epochs when it finishes (in
process: after every step).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import math
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .data import MNIST, data_dir, load_mnist
from .train import (
    Progress,
    RunResult,
    RunSpec,
    TrainingData,
    resolve_device,
    train_batched,
    train_sequential,
)

BACKENDS = ("local", "ray")
ENV_RAY_ADDRESS = "RAY_ADDRESS"

#: Most runs trained together in one chunk. Fixed (never derived from the number of
#: workers), so every run lands in the same chunk whatever the backend.
MAX_CHUNK_RUNS = 10

#: Least work, in run-examples (runs x epochs x training images), for which ``local`` starts
#: worker processes when ``workers`` is not given: starting a worker (torch's import, the data)
#: costs about as much as training a few hundred thousand run-examples.
MIN_POOL_WORK = 1_000_000

#: Attempts per chunk: a failed chunk is retried once, then reported.
ATTEMPTS = 2
#: Errors that training the same chunk again would raise again (a value out of range, a
#: bug): reported at once, never retried. Others (a worker lost, memory, I/O) are retried.
DETERMINISTIC = (ValueError, TypeError, ArithmeticError, LookupError, NotImplementedError)
#: What Ray may retry (it takes a list of types to retry, not of types to spare): torch's
#: and the system's errors, none of :data:`DETERMINISTIC` but ``NotImplementedError`` (a
#: ``RuntimeError``; reported as failing once all the same).
RAY_RETRIED = (RuntimeError, OSError, MemoryError)

RAY_MISSING = "the ray backend needs Ray: pip install 'optguide[ray]'"


class ExecutorError(RuntimeError):
    """A chunk of runs failed (twice, unless deterministic); the message names the chunk and
    the cause.

    Attributes
    ----------
    done : dict of int to list of RunResult
        The chunks that had finished, by chunk index (set where the failure is noticed).
    finished : dict of int to RunResult
        Their runs, by position in the specs given to :func:`execute`: nothing trained is
        lost with the failure.
    partial : list of optguide.results.Results
        The same runs as results, per configuration (set by
        :func:`optguide.compare.run_together`).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.done: dict[int, list[RunResult]] = {}
        self.finished: dict[int, RunResult] = {}
        self.partial: list[Any] = []


class BackendError(ValueError):
    """An unknown backend, a bad number of workers, or Ray not installed."""


def available_cpus() -> int:
    """CPU cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Chunk:
    """Runs trained together: their positions in the spec list, and the specs."""

    index: int
    positions: tuple[int, ...]
    specs: tuple[RunSpec, ...]

    def describe(self, total: int) -> str:
        """``chunk 2 of 5 (seed 1: adam/pytorch, sgd/keras, ...)``, for error messages."""
        names = ", ".join(f"{s.optimizer}/{s.preset}" for s in self.specs[:4])
        more = f", ... ({len(self.specs)} runs)" if len(self.specs) > 4 else ""
        seeds = sorted({s.seed for s in self.specs})
        return (f"chunk {self.index + 1} of {total} "
                f"(seed {', '.join(map(str, seeds))}: {names}{more})")


def chunk_runs(specs: Sequence[RunSpec], max_runs: int = MAX_CHUNK_RUNS) -> list[Chunk]:
    """Split ``specs`` into chunks: one group per seed, cut into near-equal pieces.

    A seed's runs share their initial weights' seed and their minibatch order, which the
    batched engine exploits; a group of ``n`` runs becomes ``ceil(n / max_runs)`` pieces of
    consecutive runs whose sizes differ by at most one. The result depends on ``specs`` and
    ``max_runs`` only. Chunks come in the order of the seeds, ascending.
    """
    if max_runs < 1:
        raise ValueError(f"max_runs must be >= 1, got {max_runs}")
    by_seed: dict[int, list[int]] = {}
    for position, spec in enumerate(specs):
        by_seed.setdefault(spec.seed, []).append(position)
    chunks: list[Chunk] = []
    for seed in sorted(by_seed):
        positions = by_seed[seed]
        pieces = math.ceil(len(positions) / max_runs)
        for k in range(pieces):
            part = positions[k * len(positions) // pieces:(k + 1) * len(positions) // pieces]
            chunks.append(Chunk(len(chunks), tuple(part), tuple(specs[p] for p in part)))
    return chunks


@dataclass(frozen=True)
class DataRequest:
    """Which training data a worker builds: the folder, the subset, options, the device."""

    root: str | None
    train_size: int | None
    device: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def key(self) -> tuple:
        return (self.root, self.train_size, self.device, tuple(sorted(self.options.items())))

    def build(self, mnist: MNIST) -> TrainingData:
        """The :class:`~optguide.train.TrainingData` of ``mnist`` (read from ``root``)."""
        return TrainingData.from_mnist(mnist, resolve_device(self.device), self.train_size,
                                       **dict(self.options))


@dataclass(frozen=True)
class ChunkJob:
    """How to train any chunk: model, engine and the engines' keyword arguments."""

    model: str
    batched: bool
    epochs: int
    batch_size: int | None
    options: Mapping[str, Any] = field(default_factory=dict)

    def train(self, specs: Sequence[RunSpec], data: TrainingData,
              progress: Progress | None = None) -> list[RunResult]:
        common = dict(epochs=self.epochs, batch_size=self.batch_size, progress=progress,
                      **dict(self.options))
        if self.batched:
            return train_batched(self.model, list(specs), data, **common)
        return [train_sequential(self.model, spec, data, **common) for spec in specs]


def execute(specs: Sequence[RunSpec], *, model: str, epochs: int, batch_size: int | None,
            train_size: int | None = None, device: str = "cpu", batched: bool = True,
            data_options: Mapping[str, Any] | None = None,
            train_options: Mapping[str, Any] | None = None,
            placement: Placement | None = None,
            progress: Progress | None = None) -> list[RunResult]:
    """Train every run of ``specs``; results in the order of ``specs``.

    Parameters
    ----------
    specs : sequence of RunSpec
        The runs.
    model, epochs, batch_size : str, int, int or None
        As for :func:`optguide.train.train_batched`.
    train_size : int, optional
        Train on this fixed subset of the training images (default: all).
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``, resolved where the chunk runs.
    batched : bool, default True
        Train each chunk's runs together (:func:`~optguide.train.train_batched`); ``False``
        trains one run after another (:func:`~optguide.train.train_sequential`).
    data_options, train_options : mapping, optional
        Extra keyword arguments of :meth:`TrainingData.from_mnist
        <optguide.train.TrainingData.from_mnist>` and of the engine.
    placement : Placement, optional
        Where the runs train and where the data is (default: :class:`Placement`'s defaults:
        local worker processes, the data in :func:`optguide.data.data_dir`). Never changes a
        number.
    progress : object with ``update(n)``, optional
        Advanced by the run-epochs of each finished chunk (``len(specs) * epochs`` in all).

    Raises
    ------
    BackendError
        Unknown backend, ``workers < 1``, or Ray not installed.
    ExecutorError
        A chunk failed twice.
    optguide.data.DataError
        MNIST missing or corrupt (checked before any worker starts).
    """
    placement = placement or Placement()
    if not specs:
        return []
    root = str(data_dir(placement.data_root).resolve())
    mnist = load_mnist(root)  # checked and read here, before any worker starts
    request = DataRequest(root, train_size, str(device), dict(data_options or {}))
    job = ChunkJob(model, batched, epochs, batch_size, dict(train_options or {}))
    work = plan(specs, epochs=epochs, examples=min(train_size or mnist.train_size,
                                                    mnist.train_size),
                batched=batched, device=device, placement=placement)
    if placement.backend == "ray":
        outcomes = _keeping_finished(work.chunks, _run_ray, job, request, mnist,
                                     placement.workers, placement.ray_address, progress)
    else:
        run = _run_in_process if work.workers == 1 else _run_local_pool
        outcomes = _keeping_finished(work.chunks, run, job, request, mnist, work.workers,
                                     progress)
    return merge(work.chunks, outcomes, len(specs))


@dataclass(frozen=True)
class Placement:
    """Where runs train and where their data is: one value, passed down as a whole.

    None of it changes a number (tested: local workers, in process and Ray give the same
    results), so none of it is part of a configuration or of the cache key.

    Parameters
    ----------
    workers : int, optional
        ``local``: worker processes (default: :func:`available_cpus`, or 1 on CUDA or for less
        work than :data:`MIN_POOL_WORK`; 1 trains in this process). ``ray``: the CPUs of a
        local Ray instance (ignored when connecting to a cluster).
    backend : {"local", "ray"}
        Where chunks run.
    ray_address : str, optional
        Ray cluster to connect to (default ``$RAY_ADDRESS``; neither: a local instance).
    data_root : path, optional
        Folder holding ``MNIST/raw`` (default :func:`optguide.data.data_dir`); with Ray only
        the driver reads it.

    Raises
    ------
    BackendError
        Unknown backend, ``workers < 1``, or Ray not installed (on construction).
    """

    workers: int | None = None
    backend: str = "local"
    ray_address: str | None = None
    data_root: str | os.PathLike | None = None

    def __post_init__(self) -> None:
        check_backend(self.backend, self.workers)


@dataclass(frozen=True)
class Plan:
    """How :func:`execute` trains a list of runs: its chunks and how many train at once."""

    chunks: list[Chunk]
    workers: int

    def runs_held_at_once(self) -> int:
        """Runs in memory together: the largest chunks, one per worker at a time."""
        sizes = sorted((len(chunk.specs) for chunk in self.chunks), reverse=True)
        return max(1, sum(sizes[:self.workers]))


def plan(specs: Sequence[RunSpec], *, epochs: int, examples: int, batched: bool,
         device: str, placement: Placement) -> Plan:
    """The chunks of ``specs`` and the chunks trained at once, as :func:`execute` decides.

    ``examples`` is the training images of each run's epoch. ``local`` without ``workers``:
    one per available CPU core, or 1 on CUDA or for less work than :data:`MIN_POOL_WORK`;
    never more than the chunks, and 1 where this process cannot start workers. ``ray``:
    ``workers``, else the CPU cores here (a local instance's; a cluster may hold more).
    """
    chunks = chunk_runs(specs, MAX_CHUNK_RUNS if batched else 1)
    workers = placement.workers
    if placement.backend == "ray":
        return Plan(chunks, max(1, min(workers or available_cpus(), len(chunks))))
    if workers is None:
        small = (len(specs) * epochs * examples < MIN_POOL_WORK
                 or resolve_device(device).type == "cuda")
        workers = 1 if small else available_cpus()
    workers = max(1, min(workers, len(chunks)))
    if workers > 1 and not can_start_workers():
        workers = 1  # e.g. inside a joblib (loky) worker: the same numbers, in process
    return Plan(chunks, workers)


def _keeping_finished(chunks: Sequence[Chunk], run: Callable[..., list[list[RunResult]]],
                      *args: Any) -> list[list[RunResult]]:
    """``run(chunks, *args)``; when a chunk fails, the runs of the chunks that finished go
    with the error (:attr:`ExecutorError.finished`, by position in the specs)."""
    try:
        return run(chunks, *args)
    except ExecutorError as error:
        error.finished = {position: result for chunk in chunks
                          for position, result in zip(chunk.positions,
                                                      error.done.get(chunk.index, ()))}
        raise


def can_start_workers() -> bool:
    """Whether this process can spawn local worker processes.

    A process that is itself a worker of another library's pool may carry a start method that
    a fresh interpreter does not know (joblib's ``"loky"``, e.g. in a documentation build that
    runs examples in parallel); its spawned children would fail before running anything, so
    the local backend trains in process there (the numbers do not depend on it).
    """
    return multiprocessing.get_start_method(allow_none=True) in (None, "spawn", "fork",
                                                                 "forkserver")


def check_backend(backend: str, workers: int | None) -> int | None:
    """Validate the executor options (Ray importable for ``ray``); return ``workers``."""
    if backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):
        raise BackendError(f"workers must be an integer >= 1, got {workers!r}")
    if backend == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise BackendError(RAY_MISSING) from None
    return workers


def merge(chunks: Sequence[Chunk], outcomes: Sequence[list[RunResult]],
          total: int) -> list[RunResult]:
    """Chunk results back in the order of the specs; every run accounted for."""
    merged: list[RunResult | None] = [None] * total
    for chunk, results in zip(chunks, outcomes, strict=True):
        if len(results) != len(chunk.positions):
            raise ExecutorError(f"{chunk.describe(len(chunks))} returned {len(results)} "
                                f"results for {len(chunk.positions)} runs")
        for position, result in zip(chunk.positions, results):
            merged[position] = result
    missing = [i for i, result in enumerate(merged) if result is None]
    if missing:
        raise ExecutorError(f"no results for runs {missing}")
    return merged  # type: ignore[return-value]


def _advance(progress: Progress | None, amount: float) -> None:
    if progress is not None:
        progress.update(amount)


def _last_line(error: BaseException) -> str:
    """The last line of an error's message (Ray's carry the remote traceback before it)."""
    text = str(error).strip()
    return text.splitlines()[-1] if text else type(error).__name__


def _retried(error: BaseException) -> bool:
    """Whether a chunk that failed with ``error`` is worth training again."""
    return not isinstance(error, DETERMINISTIC)


def _failure(chunk: Chunk, total: int, error: BaseException) -> ExecutorError:
    how = "failed twice" if _retried(error) else "failed"
    return ExecutorError(f"{chunk.describe(total)} {how}: {type(error).__name__}: "
                         f"{_last_line(error)}")


def _attempt(chunk: Chunk, total: int, train: Callable[[], list[RunResult]]
             ) -> list[RunResult]:
    """``train()``, tried up to :data:`ATTEMPTS` times (once for a :data:`DETERMINISTIC`
    error); the last error becomes an ExecutorError."""
    for attempt in range(ATTEMPTS):
        try:
            return train()
        except Exception as error:
            if attempt == ATTEMPTS - 1 or not _retried(error):
                raise _failure(chunk, total, error) from error
    raise AssertionError("unreachable")


_MNIST_FIELDS = ("train_images", "train_labels", "test_images", "test_labels")


def _mnist_arrays(mnist: MNIST) -> dict[str, Any]:
    """MNIST as NumPy arrays, to send to workers (plain pickling, no shared-memory handles)."""
    return {name: getattr(mnist, name).numpy() for name in _MNIST_FIELDS}


def _mnist_from_arrays(arrays: Mapping[str, Any], request: DataRequest) -> MNIST:
    """:class:`~optguide.data.MNIST` back from :func:`_mnist_arrays` (writable copies)."""
    return MNIST(*(torch.from_numpy(arrays[name].copy()) for name in _MNIST_FIELDS),
                 Path(request.root or "."))


# -- local: in this process ------------------------------------------------------------------

def _run_in_process(chunks: Sequence[Chunk], job: ChunkJob, request: DataRequest,
                    mnist: MNIST, workers: int,
                    progress: Progress | None) -> list[list[RunResult]]:
    data = request.build(mnist)
    outcomes: list[list[RunResult]] = []
    with _torch_threads(1):  # as in every worker: float32 sums depend on the thread count
        for chunk in chunks:
            try:
                outcomes.append(_attempt(chunk, len(chunks), lambda c=chunk: job.train(
                    c.specs, data, progress)))
            except ExecutorError as error:
                error.done = dict(enumerate(outcomes))
                raise
    return outcomes


@contextlib.contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    """Run with ``threads`` torch threads, then restore the caller's setting."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# -- local: worker processes -----------------------------------------------------------------

_WORKER: dict[str, Any] = {}

#: ``prctl`` option that asks the kernel to signal a process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1
#: Seconds between two looks of a worker's watchdog at its parent.
WATCHDOG_SECONDS = 1.0


def _ask_kernel_for_death_signal() -> None:
    """On Linux, have the kernel send SIGKILL to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog below still notices


def _watch_parent(parent: int, interval: float) -> None:
    """End this process as soon as ``parent`` is no longer its parent (it died)."""
    import time

    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def exit_with_parent(parent: int, interval: float = WATCHDOG_SECONDS, *,
                     signal_on_death: bool = True) -> None:
    """Make this worker process end when ``parent`` (the process that started it) dies.

    A killed caller (``SIGKILL``, or ``SIGTERM`` that skips the pool's shutdown) would
    otherwise leave its workers waiting for work forever. The kernel's parent-death signal
    (Linux; only with ``signal_on_death``, as the kernel sends it when the parent's *thread*
    that started the worker ends, so only a main thread's workers may ask for it) ends the
    worker at once; a daemon thread that watches :func:`os.getppid` covers other systems,
    other threads and a parent that died before this was set up.
    """
    if signal_on_death:
        _ask_kernel_for_death_signal()
    if os.getppid() != parent:
        os._exit(1)  # died before the signal was asked for
    threading.Thread(target=_watch_parent, args=(parent, interval), daemon=True,
                     name="optguide-parent-watchdog").start()


def _init_worker(request: DataRequest, arrays: dict[str, Any], parent: int,
                 from_main_thread: bool) -> None:
    """Worker start: end with the parent; one torch thread; the training data built once
    from the parent's MNIST."""
    exit_with_parent(parent, signal_on_death=from_main_thread)
    torch.set_num_threads(1)
    _WORKER["data"] = request.build(_mnist_from_arrays(arrays, request))


def _train_in_worker(job: ChunkJob, specs: tuple[RunSpec, ...]) -> list[RunResult]:
    return job.train(specs, _WORKER["data"])


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Spawned workers do not re-import the caller's main script.

    ``spawn`` normally runs the main module again in every worker, which breaks scripts that
    call :func:`execute` at top level without ``if __name__ == "__main__":`` (the gallery's
    examples, run as plain scripts). Workers only run this module's functions on optguide's
    own types, so they need nothing from ``__main__``; hiding its ``__spec__`` and
    ``__file__`` while workers start makes :mod:`multiprocessing` skip it (as loky does).
    """
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {name: main.__dict__[name] for name in ("__spec__", "__file__")
             if name in main.__dict__}
    main.__spec__ = None
    main.__dict__.pop("__file__", None)
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


#: Pools kept alive by :func:`reuse_workers`, keyed by (workers, data); ``None`` outside it.
_REUSED: dict[tuple, concurrent.futures.ProcessPoolExecutor] | None = None


@contextlib.contextmanager
def reuse_workers() -> Iterator[None]:
    """Keep local worker processes (and the data they hold) alive between calls.

    A tuning study makes many small comparisons in a row; starting two fresh workers for each
    (importing torch, receiving MNIST) costs seconds every time. Inside this context a pool is
    started once per worker count and data, and shut down when the context ends. Nested uses
    share the outermost one. The numbers are the same either way.
    """
    global _REUSED
    if _REUSED is not None:
        yield
        return
    _REUSED = {}
    try:
        yield
    finally:
        pools, _REUSED = _REUSED, None
        for pool in pools.values():
            pool.shutdown(cancel_futures=True)


def _start_pool(workers: int, request: DataRequest,
                mnist: MNIST) -> concurrent.futures.ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")  # torch and fork do not mix
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker,
        initargs=(request, _mnist_arrays(mnist), os.getpid(),
                  threading.current_thread() is threading.main_thread()))


def _run_local_pool(chunks: Sequence[Chunk], job: ChunkJob, request: DataRequest,
                    mnist: MNIST, workers: int,
                    progress: Progress | None) -> list[list[RunResult]]:
    key = (workers, request.key(), getattr(mnist, "fingerprint", None) or id(mnist))
    reused = _REUSED is not None
    with _main_module_hidden():  # workers may be spawned at any submit
        if reused:
            if key not in _REUSED:
                _REUSED[key] = _start_pool(workers, request, mnist)
            pool = _REUSED[key]
        else:
            pool = _start_pool(workers, request, mnist)
        try:
            return _run_chunks(pool, chunks, job, progress)
        except BaseException as error:
            if reused:  # a broken or interrupted pool is not handed out again
                _REUSED.pop(key, None)
            if not isinstance(error, Exception):  # Ctrl-C: do not wait for running chunks
                _stop_workers(pool)
            pool.shutdown(cancel_futures=True)
            raise
        finally:
            if not reused:
                pool.shutdown()


def _stop_workers(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """End ``pool``'s worker processes now (they ignore Ctrl-C; see :func:`_sigint_ignored`)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Start worker processes that ignore Ctrl-C (SIGINT), inherited from this moment.

    Ctrl-C reaches every process of the terminal's foreground group; workers would each
    print a ``KeyboardInterrupt`` traceback. A process started while SIGINT is ignored
    ignores it too (Python keeps an inherited ``SIG_IGN``); this process reacts to Ctrl-C
    again right after, and ends its workers itself. Only the main thread may change signal
    handling; elsewhere nothing changes.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _run_chunks(pool: concurrent.futures.ProcessPoolExecutor, chunks: Sequence[Chunk],
                job: ChunkJob, progress: Progress | None) -> list[list[RunResult]]:
    """Train ``chunks`` on ``pool``, each retried once, in their order."""
    outcomes: dict[int, list[RunResult]] = {}
    pending: dict[concurrent.futures.Future, Chunk] = {}

    def submit(chunk: Chunk) -> None:
        with _sigint_ignored():  # a submit may start a worker
            pending[pool.submit(_train_in_worker, job, chunk.specs)] = chunk

    tries = {chunk.index: 0 for chunk in chunks}
    for chunk in chunks:
        submit(chunk)
    try:
        while pending:
            done, _ = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                chunk = pending.pop(future)
                tries[chunk.index] += 1
                error = future.exception()
                if error is None:
                    outcomes[chunk.index] = future.result()
                    _advance(progress, len(chunk.specs) * job.epochs)
                elif (tries[chunk.index] < ATTEMPTS and _retried(error) and not isinstance(
                        error, concurrent.futures.process.BrokenProcessPool)):
                    submit(chunk)
                else:
                    failure = _failure(chunk, len(chunks), error)
                    failure.done = dict(outcomes)
                    raise failure from error
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    return [outcomes[chunk.index] for chunk in chunks]


# -- ray ---------------------------------------------------------------------------------------

_RAY_DATA: dict[tuple, TrainingData] = {}

#: Seconds to wait for a Ray cluster's address to accept a connection.
RAY_CONNECT_SECONDS = 10.0
_RAY_ADDRESS = re.compile(r"(?:ray://)?(?P<host>\[[^\]]*\]|[^:/\[\]]+):(?P<port>\d{1,5})")


def check_ray_address(address: str, timeout: float = RAY_CONNECT_SECONDS) -> None:
    """Fail fast when a ``host:port`` (or ``ray://host:port``) Ray address does not answer.

    ``ray.init`` retries an address that refuses or drops connections without end; one
    connection attempt here, bounded by ``timeout``, turns that into an error. Other forms
    (``auto``, ``local``) are left to Ray.

    Raises
    ------
    BackendError
        Naming the address and why it cannot be reached.
    """
    import socket

    match = _RAY_ADDRESS.fullmatch(address.strip())
    if match is None:
        return
    host, port = match["host"].strip("[]"), int(match["port"])
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except (OSError, ValueError, OverflowError) as error:
        reason = "no answer" if isinstance(error, TimeoutError) else (
            getattr(error, "strerror", None) or str(error))
        raise BackendError(f"cannot reach the Ray cluster at {address}: {reason} (tried "
                           f"for up to {timeout:g} seconds); check --ray-address or "
                           f"${ENV_RAY_ADDRESS}") from None


def _train_ray_task(job: ChunkJob, specs: tuple[RunSpec, ...], request: DataRequest,
                    arrays: dict[str, Any], data_id: str) -> list[RunResult]:
    """Body of a Ray task: data from the object store (built once per worker process)."""
    torch.set_num_threads(1)
    key = (data_id, *request.key())
    if key not in _RAY_DATA:
        _RAY_DATA.clear()
        _RAY_DATA[key] = request.build(_mnist_from_arrays(arrays, request))
    return job.train(specs, _RAY_DATA[key])


def _run_ray(chunks: Sequence[Chunk], job: ChunkJob, request: DataRequest, mnist: MNIST,
             workers: int | None, ray_address: str | None,
             progress: Progress | None) -> list[list[RunResult]]:
    import ray

    started = False
    if not ray.is_initialized():
        address = ray_address or os.environ.get(ENV_RAY_ADDRESS) or None
        if address:
            check_ray_address(address)
        try:
            if address:
                ray.init(address=address, logging_level="ERROR", log_to_driver=False)
            else:
                ray.init(num_cpus=workers or available_cpus(), include_dashboard=False,
                         logging_level="ERROR", log_to_driver=False)
        except Exception as error:  # Ray raises ConnectionError, RuntimeError, ValueError...
            where = f"the Ray cluster at {address}" if address else "a local Ray instance"
            raise BackendError(f"cannot start or reach {where}: "
                               f"{_last_line(error)}") from None
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=ATTEMPTS - 1,
                            retry_exceptions=list(RAY_RETRIED))(_train_ray_task)
        arrays_ref = ray.put(_mnist_arrays(mnist))
        data_id = arrays_ref.hex()
        refs = {remote.remote(job, chunk.specs, request, arrays_ref, data_id): chunk
                for chunk in chunks}
        outcomes: dict[int, list[RunResult]] = {}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                chunk = refs[ref]
                try:
                    outcomes[chunk.index] = ray.get(ref)
                except ray.exceptions.RayError as error:
                    for other in pending:
                        ray.cancel(other)
                    cause = getattr(error, "cause", None)  # the task's own error, if any
                    failure = _failure(chunk, len(chunks), cause if isinstance(
                        cause, BaseException) else error)
                    failure.done = dict(outcomes)
                    raise failure from None
                _advance(progress, len(chunk.specs) * job.epochs)
        return [outcomes[chunk.index] for chunk in chunks]
    finally:
        if started:
            ray.shutdown()
