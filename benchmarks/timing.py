"""Clocks for the benchmarks: wall time, and the process' CPU time, which other jobs on a shared
machine barely disturb (with one torch thread it is the work done, whoever else is running)."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def measured(function: Callable[[], T]) -> tuple[float, float, T]:
    """Wall-clock seconds, CPU seconds of this process (all its threads) and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = function()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def describe(times: Sequence[float]) -> str:
    """``best X s, median Y s (n runs)``."""
    return (f"best {min(times):.2f} s, median {statistics.median(times):.2f} s "
            f"({len(times)} run{'s' if len(times) != 1 else ''})")


def add_machine_arguments(parser: argparse.ArgumentParser) -> None:
    """``--threads`` and ``--data-dir``, shared by the training benchmarks."""
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads for every pipeline (default: torch's own choice); "
                             "1 gives steadier ratios on a machine shared with other jobs")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="folder containing MNIST/raw (default: optguide.data.data_dir())")


def check_machine_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Reject a thread count below 1."""
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be >= 1")
