"""One MNIST epoch: optguide's pipeline against the standard tutorial pipeline, side by side.

Both train the 784-128-10 MLP (:func:`optguide.models.mlp`, same initial weights) with Adam at
PyTorch's defaults, batch 64, on all 60,000 training images:

* optguide: :func:`optguide.train.train_sequential` on :meth:`TrainingData.from_mnist`, the
  images standardized once and held as one tensor, each minibatch an index slice;
* tutorial: ``torchvision.datasets.MNIST`` with ``Compose([ToTensor(), Normalize(...)])``,
  ``DataLoader(batch_size=64, shuffle=True)`` and ``torch.optim.Adam``.

Loading the files and building the dataset objects happen once, before any timing. Each
repetition times one epoch of each pipeline, alternating, after a short warm-up of both. The
optguide time is the whole ``train_sequential`` call (model construction and its test-set
evaluation included), the tutorial time the training epoch alone, so the ratio, taken
between the best times, errs in the tutorial's favour.

Run from the repository root::

    OPTGUIDE_DATA_DIR=/path/to/data python benchmarks/bench_epoch.py [--repeats 3]

The last line printed is ``speedup: X.Yx``.
"""

from __future__ import annotations

import argparse
import sys

import torch
from timing import add_machine_arguments, check_machine_arguments, describe, measured
from tutorial import train_epoch, tutorial_loaders

from optguide.data import data_dir, load_mnist
from optguide.models import build_model
from optguide.optimizers import hyperparameters
from optguide.train import RunSpec, TrainingData, train_sequential

OPTIMIZER = "adam"
PRESET = "pytorch"
BATCH_SIZE = 64
SEED = 0
WARMUP_IMAGES = 3200


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed epochs of each pipeline (default 3; the best counts)")
    add_machine_arguments(parser)
    args = parser.parse_args(argv)
    check_machine_arguments(parser, args)
    if args.repeats < 1:
        parser.error("--repeats must be >= 1")
    return args


def main(argv: list[str] | None = None) -> float:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when redirected
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    root = data_dir(args.data_dir)
    device = torch.device("cpu")
    spec = RunSpec(OPTIMIZER, PRESET, SEED, hyperparameters(OPTIMIZER, PRESET))
    mnist = load_mnist(root)
    data = TrainingData.from_mnist(mnist, device)
    warmup_data = TrainingData.from_mnist(mnist, device, WARMUP_IMAGES)
    train_loader, _test_loader = tutorial_loaders(root, BATCH_SIZE)
    print(f"one epoch of {data.train_size:,} images, MLP 784-128-10, {OPTIMIZER} "
          f"({PRESET} defaults), batch {BATCH_SIZE}, {torch.get_num_threads()} torch threads")

    def optguide_epoch(training_data: TrainingData):
        return train_sequential("mlp", spec, training_data, epochs=1, batch_size=BATCH_SIZE)

    def tutorial_epoch(max_batches: int | None = None) -> tuple[float, float]:
        model = build_model("mlp", SEED)
        optimizer = torch.optim.Adam(model.parameters())  # PyTorch's defaults
        wall, cpu, _loss = measured(
            lambda: train_epoch(model, optimizer, train_loader, max_batches))
        return wall, cpu

    optguide_epoch(warmup_data)
    tutorial_epoch(max_batches=WARMUP_IMAGES // BATCH_SIZE)

    optguide_times, optguide_cpu, optguide_loops, tutorial_times, tutorial_cpu = [], [], [], [], []
    for _ in range(args.repeats):
        wall, cpu, result = measured(lambda: optguide_epoch(data))
        optguide_times.append(wall)
        optguide_cpu.append(cpu)
        optguide_loops.append(result.history[0]["seconds"])
        wall, cpu = tutorial_epoch()
        tutorial_times.append(wall)
        tutorial_cpu.append(cpu)

    print(f"optguide (tensors, index batches):       {describe(optguide_times)}; CPU best "
          f"{min(optguide_cpu):.2f} s; training loop alone best {min(optguide_loops):.2f} s; "
          f"test accuracy {result.history[0]['test_accuracy']:.4f}")
    print(f"tutorial (torchvision MNIST + DataLoader): {describe(tutorial_times)}; CPU best "
          f"{min(tutorial_cpu):.2f} s")
    print(f"in CPU time (steadier on a shared machine with --threads 1): "
          f"{min(tutorial_cpu) / min(optguide_cpu):.1f}x")
    speedup = min(tutorial_times) / min(optguide_times)
    print(f"speedup: {speedup:.1f}x")
    return speedup


if __name__ == "__main__":
    main()
