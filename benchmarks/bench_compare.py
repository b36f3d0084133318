"""A whole optimizer comparison three ways, timed in one run, and the FLOP bound it can't beat.

The comparison: every optimizer (default all five) x ``--epochs`` (default 5) x ``--seeds``
(default one), the 784-128-10 MLP, batch 64, PyTorch's default hyperparameters, all of MNIST,
the test set evaluated after every epoch. It is computed by

(a) optguide: ``optguide.compare.run(Config(...))``, the batched engine, no cache;
(b) the plain PyTorch loop: ``torch.optim`` and the tutorial's torchvision ``Dataset`` +
    ``DataLoader(batch_size=64, shuffle=True)``, one optimizer after another;
(c) Keras 3 ``model.fit`` with the torch backend on NumPy arrays (the original article's
    way), ``keras.optimizers`` built with PyTorch's default numbers where Keras has the
    argument (Keras keeps its own formulas).

Each pipeline first does a small warm-up, then the timed comparison. The FLOP bound is the
model's training arithmetic (forward and backward matrix products, plus the test-set forward
passes) divided by the machine's float32 matrix-multiply throughput measured here with large
``torch.mm`` products: no implementation on this CPU can be faster.

Run from the repository root (add ``--threads 1`` on a machine shared with other jobs)::

    OPTGUIDE_DATA_DIR=/path/to/data python benchmarks/bench_compare.py [--quick]

The last line printed is ``optguide vs keras: X.Yx; vs plain loop: X.Yx; vs FLOP bound: X.Yx``
(the first two: their time / optguide's; the last: optguide's time / the bound's).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras_fit
import numpy as np
import torch
from timing import add_machine_arguments, check_machine_arguments, measured
from torch import nn
from tutorial import evaluate, torch_optimizer, train_epoch, tutorial_loaders

from optguide.compare import Config, run
from optguide.data import MNIST, data_dir, load_mnist, normalize, subset_indices
from optguide.executor import Placement
from optguide.models import build_model, mlp
from optguide.optimizers import OPTIMIZERS, hyperparameters

PRESET = "pytorch"
BATCH_SIZE = 64
QUICK_EPOCHS, QUICK_TRAIN_SIZE = 1, 6000
WARMUP_TRAIN_SIZE = 640
MATMUL_SIZE, MATMUL_REPEATS = 2048, 5
KERAS_MISSING = "keras: not installed (pip install -e '.[bench]')"


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds one pipeline took for the whole comparison, final test accuracies."""

    seconds: float
    cpu_seconds: float
    accuracy: dict[str, list[float]]  # optimizer -> one per seed

    def mean_accuracy(self, optimizer: str) -> float:
        values = self.accuracy[optimizer]
        return sum(values) / len(values)


@dataclass(frozen=True)
class Workload:
    """What every pipeline computes: optimizers x epochs on ``train_indices`` of ``mnist``."""

    optimizers: tuple[str, ...]
    epochs: int
    seeds: tuple[int, ...]
    mnist: MNIST
    root: Path
    train_indices: torch.Tensor

    @property
    def train_size(self) -> int:
        return len(self.train_indices)

    @property
    def test_size(self) -> int:
        return self.mnist.test_size

    @property
    def runs(self) -> int:
        return len(self.optimizers) * len(self.seeds)


def _csv_seeds(text: str) -> tuple[int, ...]:
    try:
        seeds = tuple(int(seed) for seed in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be integers, got {text!r}") from None
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise argparse.ArgumentTypeError(f"seeds must be distinct integers >= 0, got {text!r}")
    return seeds


def _csv_pipelines(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in PIPELINES]
    if unknown or "optguide" not in names:
        raise argparse.ArgumentTypeError(f"pipelines: choose from {','.join(PIPELINES)}, "
                                         f"optguide included; got {text!r}")
    return names


def _csv_optimizers(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in OPTIMIZERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown optimizer(s) {', '.join(unknown) or '(none)'};"
                                         f" choose from {','.join(OPTIMIZERS)}")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"epochs per run (default 5; --quick: {QUICK_EPOCHS})")
    parser.add_argument("--optimizers", type=_csv_optimizers, default=tuple(OPTIMIZERS),
                        help=f"comma-separated, from {','.join(OPTIMIZERS)} (default: all)")
    parser.add_argument("--train-size", type=int, default=None,
                        help=f"train on a fixed subset (default all; --quick: {QUICK_TRAIN_SIZE})")
    parser.add_argument("--seeds", type=_csv_seeds, default=(0,),
                        help="comma-separated, e.g. 0,1,2 (default 0): initial weights and "
                             "batch order")
    parser.add_argument("--pipelines", type=_csv_pipelines, default=tuple(PIPELINES),
                        help=f"comma-separated, from {','.join(PIPELINES)} (default: all; "
                             f"the others' ratios print n/a)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 epoch on a subset (ratios are not meaningful)")
    add_machine_arguments(parser)
    args = parser.parse_args(argv)
    check_machine_arguments(parser, args)
    if args.epochs is None:
        args.epochs = QUICK_EPOCHS if args.quick else 5
    if args.train_size is None and args.quick:
        args.train_size = QUICK_TRAIN_SIZE
    if args.epochs < 1:
        parser.error("--epochs must be >= 1")
    if args.train_size is not None and args.train_size < 1:
        parser.error("--train-size must be >= 1")
    return args


# --- the three pipelines -----------------------------------------------------------------


def run_optguide(work: Workload) -> Timing:
    """(a) ``optguide.compare.run``: all runs of the comparison in one batched pass."""
    config = Config(optimizers=work.optimizers, presets=(PRESET,), seeds=work.seeds,
                    model="mlp", epochs=work.epochs, batch_size=BATCH_SIZE,
                    train_size=_train_size_field(work), engine="batched", device="cpu")
    seconds, cpu, results = measured(lambda: run(config, placement=Placement(data_root=work.root)))
    accuracy: dict[str, list[float]] = {name: [] for name in work.optimizers}
    for r in results.runs:
        accuracy[r.optimizer].append(r.history[-1]["test_accuracy"] if r.history
                                     else float("nan"))
    return Timing(seconds, cpu, accuracy)


def _train_size_field(work: Workload) -> int | None:
    return None if work.train_size == work.mnist.train_size else work.train_size


def run_plain_loop(work: Workload) -> Timing:
    """(b) The tutorial loop with ``torch.optim``, one optimizer after another."""
    train_loader, test_loader = tutorial_loaders(work.root, BATCH_SIZE, work.train_indices)

    def comparison() -> dict[str, list[float]]:
        accuracy: dict[str, list[float]] = {name: [] for name in work.optimizers}
        for name in work.optimizers:
            for seed in work.seeds:
                torch.manual_seed(seed)  # the DataLoader's shuffling
                model = build_model("mlp", seed)
                optimizer = torch_optimizer(name, model.parameters(),
                                            hyperparameters(name, PRESET))
                for _epoch in range(work.epochs):
                    train_epoch(model, optimizer, train_loader)
                    _loss, final = evaluate(model, test_loader)
                accuracy[name].append(final)
        return accuracy

    return Timing(*measured(comparison))


def keras_arrays(work: Workload) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Standardized, flattened float32 images and int64 labels as NumPy arrays."""
    keep = work.train_indices
    train = (normalize(work.mnist.train_images[keep]).flatten(1).numpy(),
             work.mnist.train_labels[keep].numpy())
    test = (normalize(work.mnist.test_images).flatten(1).numpy(),
            work.mnist.test_labels.numpy())
    return train, test


def run_keras(work: Workload) -> Timing:
    """(c) Keras 3 ``model.fit`` (torch backend), one optimizer after another."""
    train, test = keras_arrays(work)
    linear = [m for m in mlp().modules() if isinstance(m, nn.Linear)]
    hidden, classes = linear[0].out_features, linear[-1].out_features

    def comparison() -> dict[str, list[float]]:
        return {name: [keras_fit.fit(name, hyperparameters(name, PRESET), train, test,
                                     hidden=hidden, classes=classes, epochs=work.epochs,
                                     batch_size=BATCH_SIZE, seed=seed)
                       for seed in work.seeds]
                for name in work.optimizers}

    return Timing(*measured(comparison))


#: Pipeline name -> (label, function timing the whole comparison).
PIPELINES: dict[str, tuple[str, Callable[[Workload], Timing]]] = {
    "optguide": ("optguide (compare.run, batched engine)", run_optguide),
    "plain": ("plain loop (torch.optim + DataLoader)", run_plain_loop),
    "keras": ("keras (model.fit, torch backend)", run_keras),
}


# --- the FLOP bound ------------------------------------------------------------------------


@dataclass(frozen=True)
class FlopCount:
    """Multiply-adds x 2 of the MLP's matrix products, per example."""

    forward: int
    backward: int
    formula: str


def count_flops(model: nn.Module) -> FlopCount:
    """Forward and backward FLOPs per example of a stack of ``nn.Linear`` layers.

    Forward: ``2 * in * out`` per layer. Backward: the weight gradient of every layer
    (``2 * in * out`` again) plus the gradient with respect to each layer's input except
    the first's (the images need none). Biases, ReLU and softmax (O(width)) are left out.
    """
    shapes = [(m.in_features, m.out_features) for m in model.modules() if isinstance(m, nn.Linear)]
    products = [i * o for i, o in shapes]
    forward = 2 * sum(products)
    backward = 2 * sum(products) + 2 * sum(products[1:])
    terms = " + ".join(f"{i}*{o}" for i, o in shapes)
    later = " + ".join(f"{i}*{o}" for i, o in shapes[1:])
    formula = (f"forward 2*({terms}) = {forward:,}; backward 2*({terms}) [weight grads]"
               + (f" + 2*({later}) [input grads]" if later else "") + f" = {backward:,}")
    return FlopCount(forward, backward, formula)


@dataclass(frozen=True)
class Throughput:
    """Float32 matrix-multiply FLOPs per wall-clock second and per CPU second."""

    wall: float
    cpu: float

    def best(self, other: Throughput) -> Throughput:
        return Throughput(max(self.wall, other.wall), max(self.cpu, other.cpu))


def matmul_throughput(size: int = MATMUL_SIZE, repeats: int = MATMUL_REPEATS) -> Throughput:
    """Best FLOP rates of ``torch.mm`` on two ``size x size`` matrices (after a warm-up)."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)
    times = [measured(lambda: torch.mm(a, b))[:2] for _ in range(repeats)]
    flops = 2 * size**3
    return Throughput(flops / min(wall for wall, _ in times),
                      flops / max(min(cpu for _, cpu in times), 1e-9))


# --- reporting -----------------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None:
        return "n/a"
    return f"{numerator / denominator:.1f}x"


def print_accuracies(optimizers: tuple[str, ...], timings: dict[str, Timing | None]) -> None:
    names = [name for name, timing in timings.items() if timing is not None]
    print("final test accuracy (mean over seeds): " + " / ".join(names))
    for optimizer in optimizers:
        values = " / ".join(f"{timings[name].mean_accuracy(optimizer):.4f}" for name in names)
        print(f"  {optimizer:<9} {values}")


def main(argv: list[str] | None = None) -> str:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when redirected
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    root = data_dir(args.data_dir)
    mnist = load_mnist(root)
    indices = subset_indices(mnist.train_size, args.train_size)
    work = Workload(args.optimizers, args.epochs, args.seeds, mnist, root, indices)
    warmup = Workload(args.optimizers, 1, args.seeds[:1], mnist, root,
                      subset_indices(mnist.train_size, WARMUP_TRAIN_SIZE))
    print(f"{len(work.optimizers)} optimizers ({', '.join(work.optimizers)}) x {work.epochs} "
          f"epochs x {len(work.seeds)} seed(s) ({', '.join(map(str, work.seeds))}): MLP, batch "
          f"{BATCH_SIZE}, {PRESET} defaults, {work.train_size:,} train / {work.test_size:,} "
          f"test images, {torch.get_num_threads()} torch threads")
    if args.quick:
        print("quick smoke run: too small for the ratios to mean anything")

    timings: dict[str, Timing | None] = dict.fromkeys(PIPELINES)
    throughput = matmul_throughput()
    run_epochs = work.runs * work.epochs
    for name, (label, pipeline) in PIPELINES.items():
        if name not in args.pipelines:
            print(f"{name}: skipped (--pipelines)")
        elif name == "keras" and not keras_fit.available():
            print(KERAS_MISSING)
        else:
            pipeline(warmup)
            timing = timings[name] = pipeline(work)
            print(f"{label + ':':<40} {timing.seconds:7.2f} s "
                  f"({timing.seconds / run_epochs:.2f} s per run-epoch; CPU "
                  f"{timing.cpu_seconds:.2f} s)")
            throughput = throughput.best(matmul_throughput())

    flops = count_flops(mlp())
    per_run_epoch = (work.train_size * (flops.forward + flops.backward)
                     + work.test_size * flops.forward)
    total = run_epochs * per_run_epoch
    bound, cpu_bound = total / throughput.wall, total / throughput.cpu
    print(f"FLOP bound: per example {flops.formula}")
    print(f"  per run-epoch {work.train_size:,} x (forward + backward) + {work.test_size:,} x "
          f"forward = {per_run_epoch / 1e9:.1f} GFLOP; x {run_epochs} run-epochs = "
          f"{total / 1e9:.0f} GFLOP")
    print(f"  / {throughput.wall / 1e9:.0f} GFLOP/s ({MATMUL_SIZE}x{MATMUL_SIZE} float32 "
          f"torch.mm, best of {MATMUL_REPEATS} before and after each pipeline) = {bound:.2f} s "
          f"(CPU: {throughput.cpu / 1e9:.0f} GFLOP per CPU second, {cpu_bound:.2f} s)")
    ours = timings["optguide"]
    usual = run_epochs * (work.train_size * 3 + work.test_size) * flops.forward
    print(f"  (the usual rule backward = 2 x forward, which counts the images' gradient too, "
          f"gives {usual / 1e9:.0f} GFLOP, {usual / throughput.wall:.2f} s: optguide "
          f"{ratio(ours.seconds, usual / throughput.wall)} of that)")
    print_accuracies(work.optimizers, timings)

    cpu = {name: (t.cpu_seconds if t is not None else None) for name, t in timings.items()}
    print(f"in CPU time (steadier on a shared machine with --threads 1): optguide vs keras: "
          f"{ratio(cpu['keras'], ours.cpu_seconds)}; vs plain loop: "
          f"{ratio(cpu['plain'], ours.cpu_seconds)}; vs FLOP bound: "
          f"{ratio(ours.cpu_seconds, cpu_bound)}")
    wall = {name: (t.seconds if t is not None else None) for name, t in timings.items()}
    line = (f"optguide vs keras: {ratio(wall['keras'], ours.seconds)}; "
            f"vs plain loop: {ratio(wall['plain'], ours.seconds)}; "
            f"vs FLOP bound: {ratio(ours.seconds, bound)}")
    print(line)
    return line


if __name__ == "__main__":
    main()
