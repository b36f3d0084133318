"""The CNN's batched engine against its sequential one: a 5-optimizer comparison, side by side.

Both train the same runs (the five optimizers at PyTorch's defaults, one seed, the site's CNN,
batch 64) on the same data in this process, with the same torch threads, alternately
``--repeats`` times:

* **batched**: :func:`optguide.train.train_batched`: all five runs in one network whose
  channels are the runs' channels (one convolution for the first layers, a grouped one for the
  second, channels-last), one evaluation pass for all;
* **sequential**: :func:`optguide.train.train_sequential`, one run after another (the
  engine the CNN used on the CPU before).

It also checks that both give the same accuracies (the engines agree to float32 rounding).
The last line is ``cnn: batched X.Yx`` (best sequential time over best batched time);
target >= 3x.

    python benchmarks/bench_cnn.py            # --train-size N (default 10,000), --epochs N
"""

from __future__ import annotations

import argparse
import sys

import torch
from timing import add_machine_arguments, check_machine_arguments, describe, measured

from optguide.compare import Config
from optguide.data import load_mnist
from optguide.train import TrainingData, train_batched, train_sequential


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train-size", type=int, default=10_000,
                        help="training images (default 10,000)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run (default 1)")
    parser.add_argument("--repeats", type=int, default=2, help="timings of each (default 2)")
    add_machine_arguments(parser)
    args = parser.parse_args(argv)
    check_machine_arguments(parser, args)
    return args


def main(argv: list[str] | None = None) -> str:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    config = Config(model="cnn", epochs=args.epochs, train_size=args.train_size, device="cpu")
    specs = config.run_specs()
    data = TrainingData.from_mnist(load_mnist(args.data_dir), torch.device("cpu"),
                                   args.train_size)
    common = dict(epochs=args.epochs, batch_size=config.batch_size)
    pipelines = {
        "batched": lambda: train_batched("cnn", specs, data, **common),
        "sequential": lambda: [train_sequential("cnn", spec, data, **common) for spec in specs],
    }
    print(f"{len(specs)} CNN runs x {args.epochs} epoch(s) on {args.train_size:,} images, "
          f"{torch.get_num_threads()} torch thread(s)")
    times: dict[str, list[float]] = {name: [] for name in pipelines}
    accuracies = {}
    for _ in range(args.repeats):
        for name, pipeline in pipelines.items():
            wall, _cpu, results = measured(pipeline)
            times[name].append(wall)
            accuracies[name] = [r.history[-1]["test_accuracy"] for r in results]
    for name in pipelines:
        print(f"{name:10s} {describe(times[name])}")
    differences = [abs(a - b) for a, b in zip(accuracies["batched"], accuracies["sequential"])]
    print(f"largest test-accuracy difference between the engines: {max(differences):.4f}")
    if max(differences) > 0.01:
        sys.exit("the engines disagree by more than a point: the batched CNN is broken")
    line = f"cnn: batched {min(times['sequential']) / min(times['batched']):.1f}x"
    print(line)
    return line


if __name__ == "__main__":
    main()
