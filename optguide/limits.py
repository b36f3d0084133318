"""Bounds on an experiment's size: checked before anything is allocated.

Two kinds of checks, both returning a one-line message (``None`` when all is well) so that
the caller raises its own error type:

- :func:`config_problem`: limits of the configuration alone (seeds, the total work in
  run-epochs, learning rates, trace interval, schedule), called by
  :meth:`optguide.config.Config.validate` (the bounds of single parameters, such as
  :data:`MAX_EPOCHS`, are declared in :data:`optguide.config.PARAMETERS`);
- :func:`resource_problem`: limits that need the data and the machine (validation and
  training subset sizes, an estimate of the memory the comparison needs against the memory
  available), called before training starts with the number of runs the executor's own plan
  holds at once (:meth:`optguide.executor.Plan.runs_held_at_once`).
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

#: Largest number of epochs a comparison may ask for.
MAX_EPOCHS = 10_000
#: Seeds must be below this (they seed torch generators and index permutations).
SEED_LIMIT = 2**31
#: Largest number of runs one comparison may hold (presets x optimizers x rates x seeds):
#: each is a record in memory and in the results file.
MAX_RUNS = 10_000
#: Most run-epochs (runs x epochs) one comparison may ask for: bounds the work of one call
#: (the MLP on 50,000 images trains about 3 run-epochs a second on two cores, so this is
#: about nine hours there).
MAX_RUN_EPOCHS = 100_000
#: Environment variable that overrides the memory limit (bytes, or with a K/M/G/T suffix).
ENV_MEMORY_LIMIT = "OPTGUIDE_MEMORY_LIMIT"
#: Floats kept per parameter and run: the weight, its gradient and up to three state slots.
FLOATS_PER_PARAMETER = 5
#: Activations per example of a forward pass, by model (hidden units and outputs).
ACTIVATIONS = {"mlp": 128 + 10, "cnn": 8 * 26 * 26 + 8 * 13 * 13 + 16 * 11 * 11 + 16 * 5 * 5 + 10}
#: Rough bytes one epoch of one run adds to the results (a dict of five numbers).
BYTES_PER_EPOCH_RECORD = 600

#: Training images of MNIST: the most a comparison without ``train_size`` trains on.
MNIST_TRAIN_IMAGES = 60_000
#: Learning rates float32 holds as normal numbers (training runs in float32: a smaller rate
#: becomes 0 or loses its digits, a larger one overflows).
FLOAT32_TINY, FLOAT32_MAX = 1.1754943508222875e-38, 3.4028234663852886e+38


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (OverflowError, TypeError, ValueError):
        return False


def config_problem(config: Any) -> str | None:
    """What is out of bounds in ``config`` (seeds, total work, learning rates, trace interval,
    schedule), if anything.

    Assumes the types and the single parameters' bounds were checked already.
    """
    too_large = [seed for seed in config.seeds if seed >= SEED_LIMIT]
    if too_large:
        return f"seeds must be below 2**31 ({SEED_LIMIT:,}), got {too_large[0]:,}"
    runs = (len(config.presets) * len(config.optimizers) * len(config.learning_rates or (None,))
            * len(config.seeds))
    split = ("split the work into several calls with fewer seeds, optimizers, presets or "
             "learning rates each")
    if runs > MAX_RUNS:
        return f"this comparison holds {runs:,} runs, more than {MAX_RUNS:,}; {split}"
    if runs * config.epochs > MAX_RUN_EPOCHS:
        return (f"this comparison is {runs:,} runs x {config.epochs:,} epochs = "
                f"{runs * config.epochs:,} run-epochs of work, more than {MAX_RUN_EPOCHS:,}; "
                f"{split} (or fewer epochs)")
    rates = config.learning_rates
    if rates is not None:
        bad = [lr for lr in rates if not _finite(lr)]
        if bad:
            return f"learning rates must be finite numbers, got {bad[0]!r}"
        if len(set(rates)) != len(rates):
            return f"learning rates has duplicates: {tuple(rates)!r}"
        bad = [lr for lr in rates if not FLOAT32_TINY <= lr <= FLOAT32_MAX]
        if bad:
            return (f"learning rates must be between {FLOAT32_TINY:.4g} and "
                    f"{FLOAT32_MAX:.4g} (training computes in float32), got {bad[0]!r}")
    return _trace_problem(config) or _schedule_problem(config, most_steps_per_epoch(config))


def most_steps_per_epoch(config: Any) -> int:
    """Updates per epoch at most: the training subset (at most MNIST's training images less
    the validation ones) in minibatches of ``batch_size`` (one batch when full-batch)."""
    images = config.train_size or max(1, MNIST_TRAIN_IMAGES - config.validation_size)
    return 1 if config.batch_size is None else -(-images // config.batch_size)


def _trace_problem(config: Any) -> str | None:
    """``eval_every`` shorter than one update (a trace point per update at most)."""
    if config.eval_every is None:
        return None
    steps = most_steps_per_epoch(config)
    if config.eval_every * steps < 1:
        return (f"eval_every {config.eval_every!r} of an epoch is less than one update (an "
                f"epoch has at most {steps:,} updates here); use at least 1/{steps:,} = "
                f"{1 / steps:.6g}")
    return None


def _schedule_problem(config: Any, steps_per_epoch: int) -> str | None:
    """A schedule that does not fit the training's steps (a warm-up longer than training)."""
    from .schedules import Schedule

    try:
        Schedule.parse(config.schedule).check(steps_per_epoch * config.epochs)
    except ValueError as error:
        return str(error)
    return None


def parameter_count(model: str) -> int:
    """Trainable parameters of one ``model`` (built on the meta device: nothing allocated)."""
    import torch

    from .models import MODELS

    with torch.device("meta"):
        return sum(p.numel() for p in MODELS[model]().parameters())


def estimate_memory(config: Any, *, runs_at_once: int, train_size: int, test_size: int,
                    runs_total: int | None = None, eval_chunk: int | None = None) -> int:
    """Bytes a comparison needs, roughly: models, optimizer state, activations, data, results.

    An upper estimate: every run held is assumed to keep its weight, gradient and three state
    tensors, and to see its own minibatch.

    Parameters
    ----------
    config : optguide.compare.Config
        The comparison.
    runs_at_once : int
        Runs held in memory together (:meth:`optguide.executor.Plan.runs_held_at_once`).
    train_size, test_size : int
        Images in the training subset and in the test set.
    runs_total : int, optional
        Runs whose records are kept (default: ``config``'s; more when it trains together
        with other configurations).
    eval_chunk : int, optional
        Test images evaluated at once (default: the engine's).
    """
    if eval_chunk is None:
        from .train import EVAL_CHUNK as eval_chunk
    runs = len(config.run_specs()) if runs_total is None else runs_total
    models = runs_at_once * parameter_count(config.model) * FLOATS_PER_PARAMETER * 4
    batch = min(config.batch_size or train_size, train_size)
    activations = ACTIVATIONS.get(config.model, 10_000)
    training = runs_at_once * batch * (activations * 3 + 784) * 4  # forward, backward, input
    evaluation = runs_at_once * min(eval_chunk, test_size) * activations * 4
    data = (train_size + test_size) * 784 * 5  # float32 copies and the uint8 originals
    records = runs * config.epochs * BYTES_PER_EPOCH_RECORD
    return models + max(training, evaluation) + data + records


def _parse_bytes(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.IGNORECASE)
    if not match:
        raise ValueError(f"{ENV_MEMORY_LIMIT}={text!r} is not a size like 8G or 500M")
    power = " KMGT".index(match[2].upper() or " ")
    return int(float(match[1]) * 1024**power)


def memory_limit(device: Any = "cpu") -> tuple[int, str]:
    """Bytes available to a comparison on ``device``, and where that number comes from."""
    if os.environ.get(ENV_MEMORY_LIMIT):
        return _parse_bytes(os.environ[ENV_MEMORY_LIMIT]), f"{ENV_MEMORY_LIMIT}"
    if getattr(device, "type", str(device)) == "cuda":
        import torch

        free, _total = torch.cuda.mem_get_info(device)
        return free, "free GPU memory"
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "available memory"
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"), "physical memory"
    except (ValueError, OSError):
        return 2**62, "unknown memory"


def human_bytes(n: float) -> str:
    """``n`` bytes in the largest unit that keeps a number >= 1 (``"1.5 GiB"``)."""
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def resource_problem(config: Any, *, data_train_size: int, data_test_size: int,
                     runs_at_once: int, runs_total: int | None = None,
                     device: Any = "cpu") -> str | None:
    """What does not fit the data or the machine, if anything.

    A validation split or training subset larger than the training set, a schedule longer
    than the training on this data (a warm-up of more steps than training has), or an
    estimated memory need (:func:`estimate_memory`) above :func:`memory_limit`.
    """
    held_out = getattr(config, "validation_size", 0) or 0
    pool = data_train_size - held_out
    if pool < 1:
        return (f"validation size {held_out:,} leaves no training images: the training set "
                f"has {data_train_size:,}; choose a smaller validation size")
    if config.train_size is not None and config.train_size > pool:
        return (f"train size {config.train_size:,} is larger than the training set "
                f"({data_train_size:,} images, {pool:,} after holding out {held_out:,} for "
                f"validation); use at most {pool:,}")
    train_size = min(config.train_size or pool, pool)
    batch = config.batch_size or train_size
    problem = _schedule_problem(config, -(-train_size // min(batch, train_size)))
    if problem:
        return problem
    needed = estimate_memory(config, runs_at_once=runs_at_once, train_size=train_size,
                             test_size=data_test_size, runs_total=runs_total)
    limit, source = memory_limit(device)
    if needed > limit:
        runs = len(config.run_specs()) if runs_total is None else runs_total
        return (f"this comparison of {runs:,} runs ({runs_at_once:,} held at once, "
                f"{runs * config.epochs:,} run-epochs) needs about {human_bytes(needed)} of "
                f"memory but the limit is {human_bytes(limit)} ({source}); split the work into "
                f"several calls with fewer seeds, optimizers, presets or learning rates each "
                f"(or set {ENV_MEMORY_LIMIT})")
    return None
