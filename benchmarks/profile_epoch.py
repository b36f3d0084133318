"""Where one epoch of the site's comparison chunk spends its time.

Trains the chunk a comparison trains (the five optimizers at PyTorch's defaults, one seed, the
784-128-10 MLP, batch 64, the site's 50,000 training images) for one epoch with
:func:`optguide.train.train_batched`, twice:

1. timed by phase, with wall-clock stopwatches around the engine's own functions: the forward
   and backward pass of all runs (``losses_and_grad``), the optimizers' updates
   (``_RunGroup.step``), the evaluation on validation and test (``_evaluate_stacked``) and the
   minibatch orders (``batch_order``); the rest of the epoch is the Python loop itself (slicing
   the minibatch, summing the losses, the progress and timing bookkeeping);
2. under :mod:`torch.profiler`, to split the operators' own CPU time into matrix products
   (``mm``, ``addmm``, ``bmm``, ``baddbmm``) and everything else (element-wise operations,
   reductions, copies). The profiler slows every operator down, so only its shares are
   printed, not its times.

Run from the repository root::

    OPTGUIDE_DATA_DIR=/path/to/data python benchmarks/profile_epoch.py [--threads 1]

Nothing is asserted: the table says where the time goes on this machine.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict
from collections.abc import Callable

import torch
from timing import add_machine_arguments, check_machine_arguments

from optguide import data as data_module
from optguide import train
from optguide.compare import Config
from optguide.data import load_mnist
from optguide.train import TrainingData, train_batched

#: Operators counted as matrix products.
MATRIX_PRODUCTS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::addbmm")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-size", type=int, default=None,
                        help="training images (default: the site's 50,000)")
    add_machine_arguments(parser)
    args = parser.parse_args(argv)
    check_machine_arguments(parser, args)
    return args


def _timed(function: Callable, totals: dict[str, float], phase: str) -> Callable:
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[phase] += time.perf_counter() - start
    return wrapper


def by_phase(run: Callable[[], object]) -> tuple[float, dict[str, float]]:
    """Wall time of ``run()`` and the seconds spent in each phase of the engine."""
    totals: dict[str, float] = defaultdict(float)
    patched = [(train._RunGroup, "step", "update"),
               (train, "_evaluate_stacked", "evaluation"),
               (data_module, "batch_order", "minibatch order")]
    patched += [(cls, "losses_and_grad", "forward and backward")
                for cls in train._StackedRuns.__subclasses__()
                if "losses_and_grad" in vars(cls)]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    for owner, name, phase in patched:
        setattr(owner, name, _timed(getattr(owner, name), totals, phase))
    try:
        start = time.perf_counter()
        run()
        wall = time.perf_counter() - start
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    return wall, dict(totals)


def operator_shares(run: Callable[[], object]) -> tuple[float, float]:
    """Shares of the operators' own CPU time: (matrix products, everything else)."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as profile:
        run()
    events = profile.key_averages()
    total = sum(event.self_cpu_time_total for event in events)
    products = sum(event.self_cpu_time_total for event in events
                   if event.key in MATRIX_PRODUCTS)
    return products / total, 1 - products / total


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    config = Config(presets=("pytorch",), seeds=(0,), epochs=1, train_size=args.train_size,
                    device="cpu")
    specs = config.run_specs()
    mnist = load_mnist(args.data_dir)
    data = TrainingData.from_mnist(mnist, torch.device("cpu"), args.train_size,
                                   validation_size=config.validation_size)

    def run() -> object:
        return train_batched(config.model, specs, data, epochs=1,
                             batch_size=config.batch_size)

    run()  # warm-up
    wall, phases = by_phase(run)
    phases["Python loop and the rest"] = wall - sum(phases.values())
    steps = train.steps_per_epoch(data.train_size, config.batch_size)
    print(f"{len(specs)} runs (one chunk), {config.model.upper()}, batch {config.batch_size}, "
          f"{data.train_size:,} training images, 1 epoch, {torch.get_num_threads()} torch "
          f"thread(s): {wall:.2f} s, {1000 * wall / steps:.2f} ms per step")
    for phase, seconds in sorted(phases.items(), key=lambda item: -item[1]):
        print(f"  {phase:26s} {seconds:6.2f} s  {100 * seconds / wall:5.1f} %")
    products, rest = operator_shares(run)
    print(f"operators' own CPU time (torch.profiler): matrix products {100 * products:.0f} %, "
          f"element-wise, reductions and copies {100 * rest:.0f} %")


if __name__ == "__main__":
    main()
