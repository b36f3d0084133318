"""Cold and warm build of the whole site: wall time and peak memory of the build's processes.

The build is the documented command, ``python -m sphinx -W --keep-going -b html docs
docs/_build/html``, run in a subprocess on a fresh copy of ``docs/`` and ``examples/`` in a
temporary folder, without anything a previous build generated (``docs/_build``,
``docs/auto_examples``, ``docs/gen_modules``, ``docs/api/generated``,
``docs/sg_execution_times.rst``), with a fresh, empty ``OPTGUIDE_CACHE_DIR``: that is the
cold build, as on Read the Docs. The warm build is the same command again on the same folder
and cache, nothing changed. The working tree is never touched, so a build running there is
not disturbed.

Peak memory is the largest sum of the resident set sizes of the build process and all its
descendants (notebook kernels, gallery examples), polled every 0.2 s with psutil; shared pages
count once per process, so the figure errs high. Read the Docs' limit is 3 GB for the build.

Run from the repository root (once: a cold build takes minutes and loads the machine)::

    OPTGUIDE_DATA_DIR=/path/to/data python benchmarks/bench_site.py

The last line printed is ``cold: X s, peak RSS Y MB; warm: Z s``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
#: What a build generates in the docs folder (the Makefile's ``clean`` target removes these).
GENERATED = ("_build", "auto_examples", "gen_modules", "api/generated", "sg_execution_times.rst")
#: Never worth copying.
JUNK = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")
POLL_SECONDS = 0.2
LOG_TAIL = 40
MB = 1024 * 1024


@dataclass(frozen=True)
class Build:
    """One build: exit status, wall-clock seconds, peak RSS of the process tree (bytes)."""

    returncode: int
    seconds: float
    peak_rss: int
    largest_process_rss: int


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-root", type=Path, default=ROOT,
                        help="repository whose docs/ and examples/ are built (default: this one)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="empty or new folder for the copy, kept afterwards "
                             "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds allowed per build (default 1800)")
    parser.add_argument("--cold-only", action="store_true", help="skip the warm rebuild")
    parser.add_argument("--verbose", action="store_true",
                        help="show Sphinx' output (default: a log per build in the work folder, "
                             "its end printed when the build fails)")
    args = parser.parse_args(argv)
    if not (args.source_root / "docs" / "conf.py").is_file():
        parser.error(f"{args.source_root / 'docs' / 'conf.py'} not found")
    if args.workdir is not None and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"--workdir {args.workdir} is not empty")
    return args


def copy_sources(source_root: Path, destination: Path) -> None:
    """Copy ``docs/`` (minus generated outputs), ``examples/`` and the package's source (the
    guide pages include the optimizers' code) into ``destination``."""
    docs = source_root / "docs"
    generated = {(docs / name).resolve() for name in GENERATED}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {name for name in names
                if name in JUNK or (Path(folder) / name).resolve() in generated}

    shutil.copytree(docs, destination / "docs", ignore=ignore)
    for folder in ("examples", "optguide"):
        if (source_root / folder).is_dir():
            shutil.copytree(source_root / folder, destination / folder,
                            ignore=shutil.ignore_patterns(*JUNK))


def tree_rss(process: psutil.Process) -> tuple[int, int]:
    """Summed and largest RSS of ``process`` and its descendants (vanished ones skipped)."""
    total, largest = 0, 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    for member in members:
        try:
            rss = member.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


def build(workdir: Path, env: dict[str, str], timeout: float, log: Path | None) -> Build:
    """Run the site build in ``workdir``, polling its process tree's memory until it ends.

    The build's output goes to ``log`` (``None``: to this process' stdout and stderr).
    """
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "docs",
               str(Path("docs") / "_build" / "html")]
    output = open(log, "w") if log is not None else None
    start = time.perf_counter()
    popen = subprocess.Popen(command, cwd=workdir, env=env, stdout=output,
                             stderr=subprocess.STDOUT if output else None)
    process = psutil.Process(popen.pid)
    peak, largest = 0, 0
    while popen.poll() is None:
        if time.perf_counter() - start > timeout:
            popen.kill()
            print(f"build killed after {timeout:.0f} s", file=sys.stderr)
            break
        total, biggest = tree_rss(process)
        peak, largest = max(peak, total), max(largest, biggest)
        time.sleep(POLL_SECONDS)
    returncode = popen.wait()
    seconds = time.perf_counter() - start
    if output is not None:
        output.close()
    return Build(returncode, seconds, peak, largest)


def report(name: str, result: Build, log: Path | None) -> None:
    """Print one build's line; after a failure, the end of its log."""
    print(describe(name, result), flush=True)
    if result.returncode != 0 and log is not None:
        lines = log.read_text(errors="replace").splitlines()
        print(f"--- last {min(LOG_TAIL, len(lines))} lines of the {name} build's output ---")
        print("\n".join(lines[-LOG_TAIL:]), flush=True)


def describe(name: str, result: Build) -> str:
    status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    return (f"{name}: {status}, {result.seconds:.1f} s, peak RSS of the process tree "
            f"{result.peak_rss / MB:.0f} MB (largest single process "
            f"{result.largest_process_rss / MB:.0f} MB)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="optguide-site-")) if temporary else args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        copy_sources(args.source_root.resolve(), workdir)
        env = dict(os.environ, OPTGUIDE_CACHE_DIR=str(workdir / "optguide-cache"))
        print(f"building a copy of {args.source_root.resolve() / 'docs'} in {workdir}: "
              f"python -m sphinx -W --keep-going -b html docs docs/_build/html", flush=True)
        logs = {name: None if args.verbose else workdir / f"build-{name}.log"
                for name in ("cold", "warm")}
        cold = build(workdir, env, args.timeout, logs["cold"])
        report("cold", cold, logs["cold"])
        warm = None if args.cold_only else build(workdir, env, args.timeout, logs["warm"])
        if warm is not None:
            report("warm", warm, logs["warm"])
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")
    warm_text = "n/a" if warm is None else f"{warm.seconds:.0f} s"
    print(f"cold: {cold.seconds:.0f} s, peak RSS {cold.peak_rss / MB:.0f} MB; warm: {warm_text}")
    return 0 if cold.returncode == 0 and (warm is None or warm.returncode == 0) else 1


if __name__ == "__main__":
    sys.exit(main())
