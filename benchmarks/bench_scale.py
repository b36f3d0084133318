"""Scaling of a study over workers, and how two comparisons at once share a machine.

The study: every optimizer x ``--lrs`` learning rates (default 8, log-spaced from 1e-4 to 1)
x one seed, PyTorch's defaults otherwise, the 784-128-10 MLP, batch 64, ``--epochs`` (default
1) on a fixed subset of ``--train-size`` (default 10,000) images: 40 runs, which the executor
splits into 4 chunks of 10. It is trained, without the results cache, by
:func:`optguide.compare.run`:

1. **workers 1**: in this process, with ``--threads`` torch threads (default 1, like each
   worker, so that the next line measures the scaling over processes);
2. **workers 2**: two local worker processes (``spawn``, one thread each; their start-up is
   part of the time);
3. **ray 2**: a local Ray instance with 2 CPUs, one task per chunk (the instance is started
   before timing and its start-up printed separately; the tasks' worker processes start
   inside the timed call). Without Ray this line prints ``ray: not installed`` and ``n/a``.

All three must give the same numbers (checked). Then the **two-at-once slowdown**: the
study as the command ``optguide compare ... --no-cache --quiet`` with its default settings,
once alone and then twice launched at the same moment as separate processes; the slowdown is
the mean wall time of the two over the time alone (2.0x is a fair share of the machine for
two equal jobs; the target is <= 2.5x on 2 cores).

Run from the repository root, on a quiet machine::

    OPTGUIDE_DATA_DIR=/path/to/data python benchmarks/bench_scale.py [--quick]

The last line printed is ``scale: workers 2 X.Yx; ray X.Yx; two at once X.Yx`` (runs per
second with 2 workers and with Ray over runs per second with 1 worker; the slowdown).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# isort: off
import optguide  # noqa: F401  (first: sets the OpenMP waiting policy before torch loads)
import torch
# isort: on
from timing import add_machine_arguments, check_machine_arguments, measured

from optguide.compare import Config, run
from optguide.data import data_dir
from optguide.executor import Placement
from optguide.optimizers import OPTIMIZERS

QUICK_LRS, QUICK_TRAIN_SIZE = 3, 1000  # 15 runs: 2 chunks


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lrs", type=int, default=None,
                        help=f"learning rates per optimizer (default 8; --quick: {QUICK_LRS})")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per run (default 1)")
    parser.add_argument("--train-size", type=int, default=None,
                        help=f"training images (default 10000; --quick: {QUICK_TRAIN_SIZE})")
    parser.add_argument("--skip-ray", action="store_true", help="leave out the Ray backend")
    parser.add_argument("--skip-two", action="store_true",
                        help="leave out the two-at-once measurement")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run on a tiny study (the ratios mean nothing)")
    add_machine_arguments(parser)
    args = parser.parse_args(argv)
    check_machine_arguments(parser, args)
    args.lrs = args.lrs or (QUICK_LRS if args.quick else 8)
    args.train_size = args.train_size or (QUICK_TRAIN_SIZE if args.quick else 10_000)
    if args.lrs < 1 or args.epochs < 1 or args.train_size < 1:
        parser.error("--lrs, --epochs and --train-size must be >= 1")
    return args


def study(args: argparse.Namespace) -> Config:
    """Every optimizer x ``args.lrs`` log-spaced learning rates in [1e-4, 1], one seed."""
    steps = max(args.lrs - 1, 1)
    rates = tuple(float(f"{10 ** (-4 + 4 * i / steps):.3g}") for i in range(args.lrs))
    return Config(optimizers=tuple(OPTIMIZERS), presets=("pytorch",), seeds=(0,),
                  learning_rates=rates, epochs=args.epochs, batch_size=64,
                  train_size=args.train_size, device="cpu")


def numbers(results) -> list:
    """Each run's history without its seconds: what must not depend on the backend."""
    return [[{k: v for k, v in h.items() if k != "seconds"} for h in r.history]
            for r in results.runs]


def cli_command(config: Config, root: Path, out: Path) -> list[str]:
    """``optguide compare`` for ``config``, with the command's default executor settings."""
    return [sys.executable, "-m", "optguide", "compare",
            "--optimizers", ",".join(config.optimizers), "--preset", ",".join(config.presets),
            "--seeds", ",".join(map(str, config.seeds)),
            "--lr", ",".join(map(str, config.learning_rates)), "--epochs", str(config.epochs),
            "--train-size", str(config.train_size), "--data-dir", str(root),
            "--device", "cpu", "--no-cache", "--quiet", "--out", str(out)]


def launch_together(commands: list[list[str]], env: dict[str, str]) -> list[float]:
    """Start ``commands`` at once; each one's wall time (a failure stops the benchmark)."""
    start = time.perf_counter()
    processes = [subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for c in commands]
    seconds = [0.0] * len(processes)
    pending = set(range(len(processes)))
    while pending:
        for i in list(pending):
            if processes[i].poll() is not None:
                seconds[i] = time.perf_counter() - start
                pending.discard(i)
        time.sleep(0.02)
    for process in processes:
        if process.returncode != 0:
            sys.exit(f"optguide compare failed: {process.stderr.read().strip()}")
    return seconds


def two_at_once(config: Config, root: Path) -> float:
    """Mean wall time of two identical ``optguide compare`` at once over one alone."""
    with tempfile.TemporaryDirectory(prefix="optguide-scale-") as folder:
        env = {**os.environ, "OPTGUIDE_CACHE_DIR": str(Path(folder) / "cache")}
        command = lambda name: cli_command(config, root, Path(folder) / name)  # noqa: E731
        alone = launch_together([command("alone.json")], env)[0]
        both = launch_together([command("a.json"), command("b.json")], env)
    print(f"optguide compare alone: {alone:.2f} s; two at once: "
          f"{' s, '.join(f'{s:.2f}' for s in both)} s")
    return statistics.mean(both) / alone


def main(argv: list[str] | None = None) -> str:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows when redirected
    torch.set_num_threads(args.threads or 1)
    root = data_dir(args.data_dir)
    config = study(args)
    runs = len(config.run_specs())
    print(f"{runs} runs ({len(config.optimizers)} optimizers x {args.lrs} learning rates), "
          f"{config.epochs} epoch(s) on {config.train_size:,} images, MLP, batch 64; "
          f"in-process pipeline with {torch.get_num_threads()} torch thread(s)")
    if args.quick:
        print("quick smoke run: too small for the ratios to mean anything")

    run(config.replace(train_size=min(config.train_size, 640), epochs=1),
        placement=Placement(data_root=root, workers=1))  # warm-up: data read, code paths taken
    rates: dict[str, float | None] = {}
    reference = None
    pipelines = [("workers 1", dict(workers=1)), ("workers 2", dict(workers=2)),
                 ("ray 2", dict(backend="ray", workers=2))]
    for name, options in pipelines:
        if name.startswith("ray"):
            try:
                import ray
            except ImportError:
                print("ray: not installed (pip install -e '.[ray]')")
                rates[name] = None
                continue
            if args.skip_ray:
                print("ray: skipped (--skip-ray)")
                rates[name] = None
                continue
            started, _cpu, _ = measured(lambda: ray.init(
                num_cpus=2, include_dashboard=False, logging_level="ERROR",
                log_to_driver=False))
            print(f"ray: local instance started in {started:.2f} s (not counted)")
        where = Placement(data_root=root, **options)
        wall, cpu, results = measured(lambda w=where: run(config, placement=w))
        if name.startswith("ray"):
            ray.shutdown()
        if reference is None:
            reference = numbers(results)
        elif numbers(results) != reference:
            sys.exit(f"{name} gave different numbers from workers 1: the executor is broken")
        rates[name] = runs / wall
        print(f"{name + ':':<11} {wall:7.2f} s, {rates[name]:6.2f} runs/s "
              f"(CPU of this process {cpu:.2f} s)")

    slowdown = None if args.skip_two else two_at_once(config, root)

    def ratio(name: str) -> str:
        return "n/a" if rates.get(name) is None else f"{rates[name] / rates['workers 1']:.1f}x"

    line = (f"scale: workers 2 {ratio('workers 2')}; ray {ratio('ray 2')}; two at once "
            f"{'n/a' if slowdown is None else f'{slowdown:.1f}x'}")
    print(line)
    return line


if __name__ == "__main__":
    main()
