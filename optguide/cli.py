"""The ``optguide`` command: argument parsing and error reporting, nothing else.

Every failure the user can fix (bad arguments, missing data, unreadable files) is one line
``optguide: error: ...`` on standard error and exit status 2; warnings are one line
``optguide: warning: ...``. Output files are written with :func:`optguide.results.write_output`
(atomic for regular files, through for devices and FIFOs, symbolic links followed unless they
are another user's in a sticky shared folder such as ``/tmp``). The table is printed before
the results file is written; results that cannot be written (a full disk, a chunk that failed
after others finished) are kept in a temporary file that the error names.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import os
import sys
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from .results import Results

EXIT_USAGE = 2


class UsageError(Exception):
    """An error the user can fix; reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _csv(kind: type):
    def parse(text: str) -> tuple:
        try:
            return tuple(kind(item.strip()) for item in text.split(",") if item.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {kind.__name__}s, "
                                             f"got {text!r}") from None
    parse.__name__ = f"list of {kind.__name__}"
    return parse


def _batch_size(text: str) -> int | None:
    if text == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'full', got {text!r}") from None


def _output_path(text: str) -> Path:
    """An output file's name; one ending in a slash names a folder (``Path`` would drop the
    slash and write a file of that name), so it is refused."""
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(f"{text!r} ends in a slash, so it names a folder; "
                                         f"give the name of the file to write")
    return Path(text)


_output_path.__name__ = "output file"


def _add_parameter(command: argparse.ArgumentParser, name: str, flag: str,
                   kind: Callable[[str], Any], help_extra: str = "") -> None:
    """An option for the experiment parameter ``name``: default and help from its one
    declaration (:data:`optguide.config.PARAMETERS`); its checks run when the Config is made."""
    from .config import PARAMETERS

    parameter = PARAMETERS[name]
    command.add_argument(flag, type=kind, default=parameter.default,
                         help=parameter.describe(help_extra))


def _placement(args: argparse.Namespace) -> Any:
    """Where the runs train and where the data is: the command line's one Placement."""
    from .executor import Placement

    return Placement(workers=args.workers, backend=args.backend,
                     ray_address=args.ray_address, data_root=args.data_dir)


def _add_training_options(command: argparse.ArgumentParser, default_out: str,
                          out_type: Callable[[str], Path] = Path) -> None:
    """Options ``compare`` and ``tune`` share: the setting, the output, where runs train."""
    from .executor import BACKENDS

    for name, flag, kind in (("model", "--model", str), ("epochs", "--epochs", int),
                             ("batch_size", "--batch-size", _batch_size),
                             ("train_size", "--train-size", int),
                             ("validation_size", "--validation-size", int)):
        _add_parameter(command, name, flag, kind,
                       ", or 'full' for gradient descent" if name == "batch_size" else "")
    command.add_argument("--out", type=out_type, default=Path(default_out),
                         help=f"results file to write (default {default_out})")
    command.add_argument("--data-dir", type=Path, default=None,
                         help="folder containing MNIST/raw (default: $OPTGUIDE_DATA_DIR)")
    command.add_argument("--no-cache", action="store_true",
                         help="train even if results are cached")
    command.add_argument("--workers", type=int, default=None,
                         help="worker processes (default: one per available CPU core; 1 = "
                              "in this process); with --backend ray, the CPUs of a local Ray")
    command.add_argument("--backend", default="local",
                         help=f"where runs train: {' or '.join(BACKENDS)} (default local); "
                              "the numbers are the same")
    command.add_argument("--ray-address", default=None,
                         help="Ray cluster to use with --backend ray (default: $RAY_ADDRESS, "
                              "else a local Ray instance)")
    command.add_argument("--quiet", action="store_true", help="no progress bar or messages")


def build_parser() -> argparse.ArgumentParser:
    from .config import Config
    from .optimizers import OPTIMIZERS, PRESETS
    from .tune import CANDIDATES, Study

    parser = _Parser(prog="optguide", description="Compare deep-learning optimizers on MNIST.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compare = commands.add_parser("compare", help="train optimizers x presets x seeds; write "
                                  "results JSON and print the table")
    defaults = {f.name: f.default for f in dataclasses.fields(Config)}  # declared once there
    compare.add_argument("--optimizers", type=_csv(str), default=defaults["optimizers"],
                         help=f"comma-separated, from {','.join(OPTIMIZERS)} (default: all)")
    compare.add_argument("--preset", "--presets", dest="presets", type=_csv(str),
                         default=defaults["presets"],
                         help=f"default hyperparameters of: {', '.join(PRESETS)} "
                              f"(comma-separated for several; default: "
                              f"{','.join(defaults['presets'])})")
    compare.add_argument("--seeds", type=_csv(int), default=defaults["seeds"],
                         help=f"e.g. 0,1,2 (default {','.join(map(str, defaults['seeds']))})")
    compare.add_argument("--lr", dest="learning_rates", type=_csv(float), default=None,
                         help="replace the presets' learning rate; several = a sweep")
    _add_parameter(compare, "schedule", "--schedule", str)
    _add_parameter(compare, "eval_every", "--eval-every", float)
    _add_parameter(compare, "engine", "--engine", str)
    _add_parameter(compare, "device", "--device", str)
    _add_training_options(compare, default_out="results.json", out_type=_output_path)

    tune = commands.add_parser(
        "tune", help="tune on validation, report on test: the equal-effort study (--study, "
                     "--protocol) or each learning rate on a grid")
    tune.add_argument("--study", choices=("site", "pages"), default=None,
                      help="site: compute the site's equal-effort study (every protocol, its "
                           "published settings; default --out: the site's "
                           "docs/studies/equal_effort.json.gz); pages: the tuning study and "
                           "default comparison the pages share (default --out: "
                           "docs/studies/shared_runs.json.gz)")
    tune.add_argument("--protocol", type=_csv(str), default=None,
                      help="run the equal-effort protocols, comma-separated from defaults, lr, "
                           "full (each optimizer: the same trials, the same schedules)")
    tune.add_argument("--trials", type=int, default=None,
                      help="trials per optimizer of the full search (default 32)")
    tune.add_argument("--show-space", action="store_true",
                      help="print every optimizer's search space and exit")
    tune.add_argument("--optimizers", type=_csv(str), default=None,
                      help=f"comma-separated, from {','.join(CANDIDATES)} (default: all; the "
                           "protocols take the five optimizers)")
    study_preset = next(f.default for f in dataclasses.fields(Study) if f.name == "preset")
    tune.add_argument("--preset", default=study_preset,
                      help="values of the hyperparameters other than the learning rate "
                           f"(default {study_preset}; grid tuning only)")
    tune.add_argument("--learning-rates", type=_csv(float), default=None,
                      help="the grid for every optimizer (default: per optimizer, half-decade "
                           "steps over three decades around its default; grid tuning only)")
    tune.add_argument("--select-seeds", type=_csv(int), default=None,
                      help="seeds that choose (default 0,1; protocols: 0,1,2)")
    tune.add_argument("--check-seeds", type=_csv(int), default=None,
                      help="protocols: a second set of selection seeds that repeats the choice "
                           "(default 3,4,5)")
    tune.add_argument("--report-seeds", type=_csv(int), default=None,
                      help="other seeds that report test accuracy (default 10-14; "
                           "protocols: 10-19)")
    tune.add_argument("--max-widenings", type=int, default=4,
                      help="how often a grid grows by a half-decade when the best rate is at "
                           "its edge (default 4; 0 keeps the grid as given; grid tuning only)")
    _add_training_options(tune, default_out="tuned.json", out_type=_output_path)

    table = commands.add_parser("table", help="print the summary table of a results file")
    table.add_argument("results", type=Path)
    table.add_argument("--format", choices=("markdown", "csv", "html"), default="markdown")

    plot = commands.add_parser("plot", help="draw learning curves of a results file (of a "
                               "tuning study: validation accuracy against learning rate)")
    plot.add_argument("results", type=Path)
    plot.add_argument("--out", type=_output_path, default=Path("curves.png"))
    plot.add_argument("--metric", default="test_accuracy",
                      choices=("test_accuracy", "test_loss", "train_loss", "val_accuracy",
                               "val_loss"))
    plot.add_argument("--x", choices=("epoch", "seconds"), default="epoch")

    data = commands.add_parser("data", help="report where MNIST is and check its files")
    data.add_argument("--data-dir", type=Path, default=None)
    data.add_argument("--download", action="store_true",
                      help="download MNIST through torchvision if missing (needs internet)")
    return parser


def _check_writable(path: Path) -> None:
    """Fail early (before any training) when ``path`` cannot be written.

    Mirrors :func:`optguide.results.write_output`: a device or FIFO is written through, a
    symbolic link's target is replaced, so it is the target's folder that must be writable;
    another user's link in a sticky shared folder is refused.
    """
    import stat

    from .results import check_symlinks

    try:
        check_symlinks(path)  # another user's link in /tmp: refused, as the kernel would
        try:
            info = os.stat(path)  # a symbolic link loop or an over-long name fails here
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise UsageError(f"cannot write {path}: it is a directory")
        if info is not None and not stat.S_ISREG(info.st_mode):
            if not os.access(path, os.W_OK):
                raise UsageError(f"cannot write {path}: permission denied")
            return
        target = Path(os.path.realpath(path))
        if not target.parent.is_dir():
            raise UsageError(f"cannot write {path}: folder {target.parent} does not exist")
        if not os.access(target.parent, os.W_OK) or (info is not None
                                                     and not os.access(target, os.W_OK)):
            raise UsageError(f"cannot write {path}: permission denied")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _train_and_save(args: argparse.Namespace, total: int, description: str,
                    train: Callable[..., Results], render: Callable[[Results], str]) -> None:
    """Shared by ``compare`` and ``tune``: check ``--out``, train with a progress bar through
    the cache and the executor, write the results, print the table."""
    from tqdm import tqdm

    _check_writable(args.out)
    show = not args.quiet and sys.stderr.isatty()
    bar_format = ("{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total} run-epochs "
                  "[{elapsed}<{remaining}]")
    from .executor import ExecutorError

    with tqdm(total=total, disable=not show, bar_format=bar_format, desc=description) as bar:
        try:
            results = train(cache=not args.no_cache, placement=_placement(args),
                            progress=bar)
        except ExecutorError as error:
            raise ExecutorError(f"{error}{_kept_partial(error.partial)}") from None
    if results.from_cache and not args.quiet:
        print(f"optguide: results read from cache {results.path} "
              "(use --no-cache to train again)", file=sys.stderr)
    print(render(results))  # first: a failing write below loses nothing on the screen
    try:
        results.save(args.out)
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror or error}; "
                         f"{_kept_elsewhere(results)}") from None
    if not args.quiet:
        print(f"optguide: wrote {args.out}", file=sys.stderr)


def _keep(results: Results) -> Path:
    """Save ``results`` to a new file in the temporary folder; return its path.

    Raises
    ------
    OSError
        When that cannot be written either (the file is then removed).
    """
    import tempfile

    from .results import write_json_atomic

    handle, name = tempfile.mkstemp(prefix="optguide-results-", suffix=".json")
    os.close(handle)
    try:
        write_json_atomic(name, results.to_dict(), follow=False)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _kept_elsewhere(results: Results) -> str:
    """Where the results are, since ``--out`` could not be written: the cache, else a
    temporary file (:func:`_keep`)."""
    if results.path is not None:
        return "the results are in the cache, run the same command again with another --out"
    try:
        return f"the results are kept in {_keep(results)}"
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        return f"they could not be kept elsewhere either ({reason})"


def _kept_partial(partial: Sequence[Results]) -> str:
    """``"; the 4 runs that finished are kept in ..."``, for a failed training."""
    if not partial:
        return ""
    runs = sum(len(results.runs) for results in partial)
    what = "the run that finished" if runs == 1 else f"the {runs} runs that finished"
    try:
        paths = [str(_keep(results)) for results in partial]
    except (OSError, ValueError) as error:
        return f"; {what} could not be kept ({getattr(error, 'strerror', None) or error})"
    return f"; {what} {'is' if runs == 1 else 'are'} kept in {', '.join(paths)}"


def _compare(args: argparse.Namespace) -> None:
    from .compare import Config, compare, total_epochs
    from .report import table

    config = Config(optimizers=args.optimizers, presets=args.presets, seeds=args.seeds,
                    model=args.model, epochs=args.epochs, batch_size=args.batch_size,
                    train_size=args.train_size, validation_size=args.validation_size,
                    learning_rates=args.learning_rates, schedule=args.schedule,
                    eval_every=args.eval_every,
                    engine=args.engine, device=args.device)
    _train_and_save(args, total_epochs(config),
                    f"{len(config.run_specs())} runs x {config.epochs} epochs",
                    functools.partial(compare, config), table)


def _tune(args: argparse.Namespace) -> None:
    if args.show_space:
        from .search import show_space

        print(show_space())
        return
    if args.study == "pages":
        _shared_runs(args)
        return
    if args.study or args.protocol or args.trials is not None:
        _search(args)
        return
    from .report import tuned_table
    from .tune import CANDIDATES, Study, total_epochs, tune

    study = Study(candidates=args.optimizers or tuple(CANDIDATES), preset=args.preset,
                  learning_rates=args.learning_rates,
                  select_seeds=args.select_seeds or (0, 1),
                  report_seeds=args.report_seeds or (10, 11, 12, 13, 14), model=args.model,
                  epochs=args.epochs, batch_size=args.batch_size, train_size=args.train_size,
                  validation_size=args.validation_size, max_widenings=args.max_widenings)
    _train_and_save(args, total_epochs(study), f"tuning {len(study.candidates)} optimizers",
                    functools.partial(tune, study), tuned_table)


def _fixed_study_settings(args: argparse.Namespace) -> None:
    """``--study`` has fixed settings: refuse the options that would change them."""
    given = [name for name in ("protocol", "trials", "optimizers", "select_seeds",
                               "check_seeds", "report_seeds", "learning_rates")
             if getattr(args, name) is not None]
    if given:
        raise UsageError(f"--study {args.study} has fixed settings; drop --"
                         f"{given[0].replace('_', '-')}")


def _published_out(args: argparse.Namespace, published: Path) -> Path:
    """``--out`` when given, else the site's file (its name here outside a checkout)."""
    if args.out != Path("tuned.json"):
        return args.out
    return published if published.parent.is_dir() else Path(published.name)


def _shared_runs(args: argparse.Namespace) -> None:
    """``tune --study pages``: the runs the site's pages share, published."""
    import time

    from tqdm import tqdm

    from . import shared_runs

    _fixed_study_settings(args)
    out = _published_out(args, shared_runs.PUBLISHED)
    _check_writable(out)
    show = not args.quiet and sys.stderr.isatty()
    start = time.perf_counter()
    with tqdm(total=shared_runs.total_run_epochs(), disable=not show,
              unit="run-epoch", desc="the pages' shared runs") as bar:
        entries, groups = shared_runs.compute(placement=_placement(args), progress=bar)
    try:
        shared_runs.save(entries, groups, out)
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None
    if not args.quiet:
        print(f"optguide: {len(entries)} cached configurations in "
              f"{time.perf_counter() - start:.0f} s; wrote {out}", file=sys.stderr)


def _search(args: argparse.Namespace) -> None:
    """``tune --study site`` or ``tune --protocol ...``: the equal-effort study."""
    import time

    from tqdm import tqdm

    from .report import study_table
    from .study import (
        PUBLISHED,
        SITE_SEARCH,
        SearchStudy,
        run_study,
        save_study,
        total_run_epochs,
    )

    if args.study:
        _fixed_study_settings(args)
        study = SITE_SEARCH
        out = _published_out(args, PUBLISHED)
    else:
        values = {"optimizers": args.optimizers, "protocols": args.protocol,
                  "trials": args.trials, "select_seeds": args.select_seeds,
                  "check_seeds": args.check_seeds, "report_seeds": args.report_seeds}
        study = SearchStudy(**{k: v for k, v in values.items() if v is not None},
                            model=args.model, epochs=args.epochs, batch_size=args.batch_size,
                            train_size=args.train_size, validation_size=args.validation_size)
        out = args.out
    _check_writable(out)
    total = total_run_epochs(study)
    show = not args.quiet and sys.stderr.isatty()
    bar_format = ("{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total} run-epochs "
                  "[{elapsed}<{remaining}, {rate_fmt}]")
    start = time.perf_counter()
    with tqdm(total=total, disable=not show, bar_format=bar_format, unit="run-epoch",
              desc="equal-effort study") as bar:
        results = run_study(study, placement=_placement(args), progress=bar)
    seconds = time.perf_counter() - start
    print(study_table(results))
    try:
        save_study(results, out)
    except OSError as error:
        raise UsageError(f"cannot write {out}: {error.strerror or error}") from None
    if not args.quiet:
        epochs = sum(len(r.history) + (r.status != "ok") for r in results.runs)
        print(f"optguide: {len(results.runs)} runs, {epochs} run-epochs in {seconds:.0f} s "
              f"({epochs / seconds:.1f} run-epochs per second); wrote {out}", file=sys.stderr)


def _unsafe(ch: str) -> bool:
    """Control, format (bidi overrides, zero-width), private, unassigned or separator."""
    category = unicodedata.category(ch)
    return category[0] == "C" or category in ("Zl", "Zp")


def printable(text: str) -> str:
    """``text`` with :func:`_unsafe` characters escaped (``\\x1b``, ``\\u202e``), so that a
    name from a file cannot move the cursor, reorder a line or start a row of a table."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if _unsafe(ch) else ch
                   for ch in text)


def _escape_names(results: Results) -> None:
    """The names a table or figure shows (optimizer, preset, schedule, text
    hyperparameters), made :func:`printable`."""
    for run in results.runs:
        run.optimizer, run.preset, run.schedule = (printable(run.optimizer),
                                                   printable(run.preset),
                                                   printable(run.schedule))
        run.hyperparameters = {printable(key): printable(value) if isinstance(value, str)
                               else value for key, value in run.hyperparameters.items()}


def _load_results(path: Path) -> Results:
    """A results file (:func:`optguide.results.load`); a tuning study's configuration is
    checked too, so that a field of the wrong type is one line, not a traceback."""
    from .results import ResultsError, load
    from .tune import Study, candidate_of, is_study

    results = load(path)
    _escape_names(results)
    if not is_study(results):
        return results
    try:
        study = Study.from_dict(results.config)
        found = {candidate_of(run) for run in results.runs}
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise ResultsError(f"{path}: its study configuration is invalid ({error})") from None
    missing = [name for name in study.candidates if name not in found]
    if missing:
        raise ResultsError(f"{path}: the study holds no runs of {', '.join(missing)}; "
                           f"it is incomplete, run the study again")
    return results


def _read_any(path: Path) -> Results:
    """A results file (:func:`_load_results`), or a (possibly compressed) equal-effort
    study file (:func:`optguide.study.read_study`), its names made printable."""
    from .results import read_regular_file
    from .study import read_study

    try:
        # Without blocking (a FIFO) and no further than the limit: anything unreadable is
        # left to _load_results, which says why in one line.
        gzipped = read_regular_file(path)[:2] == b"\x1f\x8b"
    except OSError:
        gzipped = False
    if not gzipped:
        return _load_results(path)
    results = read_study(path)
    _escape_names(results)
    return results


def _table(args: argparse.Namespace) -> None:
    from .analysis.study import is_search_study
    from .report import study_table, table, tuned_table
    from .tune import is_study

    results = _read_any(args.results)
    if is_search_study(results):
        sys.stdout.write(study_table(results, args.format))
        return
    sys.stdout.write((tuned_table if is_study(results) else table)(results, args.format))


def _plot(args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from .analysis.study import is_search_study
    from .plots import learning_curves, sensitivity, tuning_curves
    from .results import write_output
    from .tune import is_study

    results = _read_any(args.results)
    _check_writable(args.out)
    # A tuning study's figure is the one its choices were made from: validation accuracy
    # against learning rate; the equal-effort study's: its tuning curves.
    if is_search_study(results):
        figure = tuning_curves(results)
    else:
        figure = (sensitivity(results) if is_study(results)
                  else learning_curves(results, metric=args.metric, x=args.x))
    image_format = args.out.suffix.lstrip(".").lower() or "png"
    formats = figure.canvas.get_supported_filetypes()
    if image_format not in formats:
        raise UsageError(f"cannot write {args.out}: unknown image format {image_format!r}; "
                         f"use a name ending in one of .{', .'.join(sorted(formats))}")
    try:
        write_output(args.out, lambda stream: figure.savefig(stream, dpi=150,
                                                             format=image_format))
    except OSError as error:
        raise UsageError(f"cannot write {args.out}: {error.strerror or error}") from None
    print(f"optguide: wrote {args.out}", file=sys.stderr)


def _data(args: argparse.Namespace) -> None:
    from .data import check_mnist, load_mnist, raw_dir

    if args.download:
        load_mnist(args.data_dir, download=True)
    check = check_mnist(args.data_dir)
    print(f"MNIST found in {raw_dir(args.data_dir)}")
    print(f"  training images: {check.train_size:,}   test images: {check.test_size:,}")
    if not check.is_full_mnist:
        print("  warning: this is not the full MNIST (60,000 + 10,000 images)")
    if check.checksums:
        bad = [name for name, ok in check.checksums.items() if not ok]
        print("  gzip checksums: " + ("all match torchvision's" if not bad
                                       else f"MISMATCH for {', '.join(bad)}"))
    else:
        print("  gzip checksums: no .gz originals beside the files; headers and sizes checked")
    processed = check.folder.parent / "processed"
    if any(processed.glob("*.pt")):
        print(f"  note: torchvision's {processed}/*.pt files are ignored; training reads "
              f"exactly the raw files checked above")


COMMANDS = {"compare": _compare, "tune": _tune, "table": _table, "plot": _plot, "data": _data}


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one line ``optguide: warning: ...`` on standard error."""
    text = " ".join(str(message).split())
    print(f"optguide: warning: {text}", file=sys.stderr if file is None else file)


def _user_error(error: BaseException) -> str | None:
    """The one-line message of an error the user can fix; ``None`` for a bug (re-raised)."""
    data = sys.modules.get("optguide.data")
    if isinstance(error, (UsageError, ValueError)) or (
            data is not None and isinstance(error, data.DataError)):
        text = str(error)
    elif isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        text = f"{where}{error.strerror or error}"
    else:
        return None
    return " ".join(text.split())


class _Discard(io.TextIOBase):
    """Standard error when it was closed: messages go nowhere (the exit status still tells)."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


#: Commands whose result is what they print on standard output.
PRINTING = ("compare", "tune", "table", "data")


def _check_streams(command: str) -> None:
    """A command that prints its result needs an open standard output."""
    if sys.stdout is None and command in PRINTING:
        raise UsageError(f"standard output is closed: '{command}' prints its result there; "
                         f"run it with standard output open (redirect it to a file)")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``optguide`` command; returns the exit status."""
    if sys.stderr is None:  # started with standard error closed: never print into stdout
        sys.stderr = _Discard()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            warnings.filterwarnings("default", category=RuntimeWarning, module=r"optguide\b")
            args = build_parser().parse_args(argv)  # imports torch: Ctrl-C lands below
            _check_streams(args.command)
            COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("optguide: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - only user errors are reported, others raise
        executor = sys.modules.get("optguide.executor")
        if executor is not None and isinstance(error, executor.ExecutorError):
            # training failed on a worker: not the user's input, so not exit status 2
            print(f"optguide: error: {' '.join(str(error).split())}", file=sys.stderr)
            return 1
        message = _user_error(error)
        if message is None:
            raise
        print(f"optguide: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
