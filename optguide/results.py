"""The results file: schema, validation, safe output writing, save and load.

A results file is JSON::

    {"schema": 2,
     "config": {...},                       # optguide.compare.Config.to_dict()
     "environment": {"optguide": ..., "torch": ..., "device": ..., "code_hash": ...,
                     "data": ...},              # the data's fingerprint (optguide.data)
     "runs": [{"optimizer": "adam", "preset": "pytorch", "seed": 0,
               "hyperparameters": {...}, "schedule": "constant", "status": "ok",
               "diverged_epoch": null,
               "history": [{"epoch": 1, "train_loss": ..., "val_loss": ...,
                            "val_accuracy": ..., "test_loss": ..., "test_accuracy": ...,
                            "seconds": ...}, ...],
               "trace": [{"step": ..., "seconds": ..., "val_accuracy": ...}, ...]}]}

:func:`from_dict` refuses what training cannot produce or what would fake evidence:
accuracies outside [0, 1], negative losses or seconds, an ok run whose history is empty or not
as long as the configuration's ``epochs``, and the same run twice.

Validation metrics come from images held out of the training set
(:func:`optguide.data.validation_split`) and are the only ones selections may read; test
metrics only report. Schema 1 files (no validation metrics) are rejected.
"""

from __future__ import annotations

import errno
import functools
import json
import math
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

SCHEMA_VERSION = 2
STATUSES = ("ok", "diverged")
EPOCH_KEYS = ("epoch", "train_loss", "val_loss", "val_accuracy", "test_loss", "test_accuracy",
              "seconds")
#: Keys of a run's ``trace`` entries (evaluations every ``eval_every`` of an epoch): steps
#: taken, training seconds since the start, validation accuracy.
TRACE_KEYS = ("step", "seconds", "val_accuracy")
#: Keys a trace entry holds too when the test images were evaluated at every trace point
#: (``trace_test``): either both, finite, or neither.
TRACE_TEST_KEYS = ("test_loss", "test_accuracy")


class ResultsError(ValueError):
    """A results file that cannot be read or does not follow the schema."""


@dataclass
class Run:
    """One training run's record."""

    optimizer: str
    preset: str
    seed: int
    hyperparameters: dict[str, Any]
    status: str
    history: list[dict[str, float]]
    diverged_epoch: int | None = None
    schedule: str = "constant"
    trace: list[dict[str, float]] = field(default_factory=list)

    @property
    def final(self) -> dict[str, float] | None:
        """The last finished epoch (``None`` when the run diverged in its first epoch)."""
        return self.history[-1] if self.history else None

    @property
    def lr(self) -> float:
        return self.hyperparameters["lr"]

    def to_dict(self) -> dict[str, Any]:
        return {"optimizer": self.optimizer, "preset": self.preset, "seed": self.seed,
                "hyperparameters": _jsonable(self.hyperparameters), "status": self.status,
                "schedule": self.schedule, "diverged_epoch": self.diverged_epoch,
                "history": self.history, "trace": self.trace}


@dataclass
class Results:
    """A comparison's configuration, environment and runs.

    ``from_cache`` and ``path`` say where the object came from; they are not saved.
    """

    config: dict[str, Any]
    environment: dict[str, Any]
    runs: list[Run]
    from_cache: bool = field(default=False, compare=False)
    path: Path | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA_VERSION, "config": _jsonable(self.config),
                "environment": self.environment, "runs": [run.to_dict() for run in self.runs]}

    def select(self, **criteria: Any) -> list[Run]:
        """Runs whose attributes equal ``criteria`` (e.g. ``optimizer="adam"``)."""
        return [run for run in self.runs
                if all(getattr(run, key) == value for key, value in criteria.items())]

    def save(self, path: str | os.PathLike) -> Path:
        """Write the results as JSON with :func:`write_output` (atomic for a regular file)."""
        return write_json_atomic(path, self.to_dict())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


#: Temporary files of :func:`write_output`:
#: ``.optguide-<name>.<pid namespace>-<pid>.<random>.tmp`` (the name cut to 100 characters so
#: that the temporary name stays within the file system's limit). The program's own prefix
#: and the writer's process tell them apart from anyone else's ``.*.tmp`` files.
_TEMPORARY = re.compile(r"^\.optguide-(?P<name>.+)\.(?P<ns>\d+)-(?P<pid>\d+)\.[A-Za-z0-9_]{8}"
                        r"\.tmp$")
#: A temporary file of a dead writer is deleted only when also older than this many seconds.
STALE_SECONDS = 3600.0


def _pid_namespace() -> int:
    """This process's PID namespace (its inode number; 0 where the system does not say)."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return 0


def _temporary_prefix(name: str) -> str:
    return f".optguide-{name[:100]}.{_pid_namespace()}-{os.getpid()}."


def _umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _is_stale(match: re.Match, entry: os.DirEntry) -> bool:
    """Provably left by a killed write: its writer, in this PID namespace, is dead, and it
    is older than :data:`STALE_SECONDS`."""
    pid = int(match["pid"])
    if int(match["ns"]) != _pid_namespace() or pid == os.getpid() or _alive(pid):
        return False
    return time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS


def clean_stale_temporaries(folder: str | os.PathLike, name: str | None = None) -> list[Path]:
    """Delete temporary files that killed writes of this program left in ``folder``.

    Only regular files named by :func:`write_output` (``.optguide-...tmp``) whose writer was a
    process of this PID namespace that no longer runs, and that are older than
    :data:`STALE_SECONDS`; anybody else's files are left alone. With ``name``, only the
    temporaries of that file name are considered. Returns the files deleted.
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    prefix = None if name is None else name[:100]
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if not match or (prefix is not None and match["name"] != prefix):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and _is_stale(match, entry):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


#: Most symbolic links followed while checking a path (the kernel's limit, ``ELOOP`` beyond).
MAX_SYMLINK_HOPS = 40


class ForeignSymlinkError(PermissionError):
    """A path leads through another user's symbolic link in a sticky world-writable folder."""


def _sticky_and_shared(folder: os.stat_result) -> bool:
    return bool(folder.st_mode & stat.S_ISVTX) and bool(folder.st_mode & stat.S_IWOTH)


def check_symlinks(path: str | os.PathLike) -> None:
    """Refuse to follow another user's symbolic link in a sticky world-writable folder.

    The kernel's ``protected_symlinks`` rule, applied by this program itself (writing to the
    link's resolved target and renaming over it would sidestep the kernel's check): every
    link on the way to ``path`` is walked, and one that sits in a sticky, world-writable
    folder (``/tmp``) is followed only when it belongs to this user or to the folder's owner.
    Parts that do not exist, and loops, are left for the caller's own open to report.

    Raises
    ------
    ForeignSymlinkError
        Naming the link, its owner and the folder.
    """
    parts = list(Path(path).parts)
    current = Path(parts.pop(0)) if parts and os.path.isabs(parts[0]) else Path.cwd()
    hops = 0
    while parts:
        part = parts.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            current = current.parent
            continue
        candidate = current / part
        try:
            info = os.lstat(candidate)
        except OSError:
            return  # nothing (more) to follow; the caller's open reports what is wrong
        if not stat.S_ISLNK(info.st_mode):
            current = candidate
            continue
        hops += 1
        try:
            folder = os.stat(current)
            target = os.readlink(candidate)
        except OSError:
            return
        if hops > MAX_SYMLINK_HOPS:
            return
        if _sticky_and_shared(folder) and info.st_uid not in (os.geteuid(), folder.st_uid):
            raise ForeignSymlinkError(
                errno.EPERM, f"refusing to follow the symbolic link {candidate} of another "
                f"user (uid {info.st_uid}) in the sticky shared folder {current}",
                str(candidate))
        target_parts = list(Path(target).parts)
        if target_parts and os.path.isabs(target_parts[0]):
            current = Path(target_parts.pop(0))
        parts[:0] = target_parts


def write_output(path: str | os.PathLike,
                 content: bytes | Callable[[BinaryIO], None], *, follow: bool = True) -> Path:
    """Write ``content`` (bytes, or a function writing to a binary stream) to ``path`` safely.

    - a regular file (or a new one) is replaced atomically: a temporary file in the same
      folder, flushed to disk, then renamed over it, so readers and a full disk never see half
      a file; an existing file keeps its permission bits, a new one gets the umask's;
    - a symbolic link is followed and its target replaced (the link stays), unless it is
      another user's link in a sticky shared folder (:func:`check_symlinks`);
    - a device or a FIFO (``/dev/null``, a named pipe) is written directly, never replaced;
    - temporaries left by killed earlier writes of the same file are deleted
      (:func:`clean_stale_temporaries`).

    With ``follow=False`` (the results cache) the entry at ``path`` itself is always replaced,
    whatever it is (a link, a FIFO, a device node): nothing is followed or written through.

    Returns ``path``. Raises :class:`OSError` (e.g. ``IsADirectoryError``, ``ENOSPC``,
    :class:`ForeignSymlinkError`) on failure, leaving any existing file as it was.
    """
    path = Path(path)
    check_symlinks(path if follow else path.parent)
    try:
        existing = os.stat(path, follow_symlinks=follow)  # /dev/stdout's and /proc's links too
    except FileNotFoundError:
        existing = None  # nothing there, or a dangling link: create its target
    if existing is not None and stat.S_ISDIR(existing.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        if follow:
            with open(path, "wb") as stream:  # a device or FIFO: write through, never replace
                _emit(stream, content)
            return path
        existing = None  # the cache: replaced by a new regular file
    target = (Path(os.path.realpath(path)) if follow
              else Path(os.path.realpath(path.parent)) / path.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(target.parent, target.name)
    handle, temporary = tempfile.mkstemp(prefix=_temporary_prefix(target.name),
                                         suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            _emit(stream, content)
            stream.flush()
            os.fsync(stream.fileno())
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


#: Largest results or cache file read (a comparison at the limits of
#: :mod:`optguide.limits` with a trace writes far less).
MAX_FILE_BYTES = 512 * 1024**2


def read_regular_file(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes.

    Opened without blocking (a FIFO never hangs), checked with ``fstat`` on the open file
    before anything is read (a device or a huge sparse file is refused, not read), and read
    no further than ``limit`` (a file that grows meanwhile is refused too). Symbolic links are
    followed as :func:`check_symlinks` allows.

    Raises
    ------
    OSError
        ``FileNotFoundError`` and the like from opening; ``EINVAL`` "not a regular file";
        ``EFBIG`` when larger than ``limit``; :class:`ForeignSymlinkError`.
    """
    check_symlinks(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        too_large = OSError(errno.EFBIG, f"larger than {limit:,} bytes", str(path))
        if info.st_size > limit:
            raise too_large
        blob = stream.read(limit + 1)
    if len(blob) > limit:
        raise too_large
    return blob


def _emit(stream: BinaryIO, content: bytes | Callable[[BinaryIO], None]) -> None:
    if isinstance(content, (bytes, bytearray)):
        stream.write(content)
    else:
        content(stream)


def write_json_atomic(path: str | os.PathLike, payload: Any, *, follow: bool = True) -> Path:
    """Write ``payload`` as JSON to ``path`` with :func:`write_output` (never half a file).

    The JSON is encoded before anything is written, so a payload that cannot be encoded
    (``ValueError`` for NaN or infinity) leaves ``path`` untouched.
    """
    text = json.dumps(payload, indent=1, allow_nan=False) + "\n"
    return write_output(path, text.encode(), follow=follow)


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ResultsError(f"{where}: {message}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    """A number (not a flag) that a float can hold: not NaN, infinite or a huge integer."""
    if not _is_number(value):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _check_hyperparameters(hyper: dict[str, Any], where: str) -> None:
    """``lr`` a finite positive number; every other number finite; no nested objects."""
    lr = hyper.get("lr")
    _require(_is_finite(lr) and lr > 0, where,
             f"'lr' must be a finite positive number, got {lr!r}")
    for key, value in hyper.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            _require(item is None or isinstance(item, (bool, str))
                     or _is_finite(item), where,
                     f"{key!r} must be a finite number, a flag or a name (or a list of "
                     f"them), got {value!r}")


def from_dict(payload: Any, where: str = "results") -> Results:
    """Validate a decoded results document and build :class:`Results`.

    Raises
    ------
    ResultsError
        Naming the first field that is missing, of the wrong type or out of range
        (accuracies outside [0, 1], negative losses or seconds, epochs out of order), an ok
        run whose history is empty or not as long as the configuration's epochs, or a run
        that appears twice.
    """
    _require(isinstance(payload, dict), where, "not a JSON object")
    _require(payload.get("schema") == SCHEMA_VERSION, where,
             f"schema {payload.get('schema')!r} is not {SCHEMA_VERSION}; "
             f"re-create the file with this version of optguide")
    for key, kind in (("config", dict), ("environment", dict), ("runs", list)):
        _require(isinstance(payload.get(key), kind), where,
                 f"'{key}' missing or not a {kind.__name__}")
    runs = []
    for i, raw in enumerate(payload["runs"]):
        at = f"{where}: runs[{i}]"
        _require(isinstance(raw, dict), at, "not an object")
        for key, kind in (("optimizer", str), ("preset", str), ("seed", int),
                          ("hyperparameters", dict), ("status", str), ("history", list)):
            _require(isinstance(raw.get(key), kind), at,
                     f"'{key}' missing or not a {kind.__name__}")
        _require(not isinstance(raw["seed"], bool) and raw["seed"] >= 0, at,
                 f"'seed' must be a non-negative integer, got {raw['seed']!r}")
        _require(isinstance(raw.get("schedule", "constant"), str), at,
                 "'schedule' is not a str")
        _require(raw["status"] in STATUSES, at, f"status {raw['status']!r} not in {STATUSES}")
        _check_hyperparameters(raw["hyperparameters"], f"{at}.hyperparameters")
        _require(raw.get("diverged_epoch") is None or _is_int(raw["diverged_epoch"]), at,
                 f"'diverged_epoch' must be an integer or null, got {raw['diverged_epoch']!r}")
        for j, epoch in enumerate(raw["history"]):
            _require(isinstance(epoch, dict) and all(
                _is_finite(epoch.get(k))
                for k in EPOCH_KEYS), f"{at}.history[{j}]",
                f"needs finite numbers for {', '.join(EPOCH_KEYS)}")
            _require(epoch["epoch"] == j + 1, f"{at}.history[{j}]",
                     f"'epoch' must be {j + 1} (epochs in order from 1), got {epoch['epoch']!r}")
            _check_ranges(epoch, f"{at}.history[{j}]")
        _check_length(raw, _epochs_allowed(payload["config"]), at)
        trace = raw.get("trace", [])
        _require(isinstance(trace, list), at, "'trace' is not a list")
        for j, point in enumerate(trace):
            _require(isinstance(point, dict) and all(
                _is_finite(point.get(k))
                for k in TRACE_KEYS), f"{at}.trace[{j}]",
                f"needs finite numbers for {', '.join(TRACE_KEYS)}")
            tested = [k in point for k in TRACE_TEST_KEYS]
            _require(not any(tested) or all(_is_finite(point.get(k)) for k in TRACE_TEST_KEYS),
                     f"{at}.trace[{j}]",
                     f"needs finite numbers for {', '.join(TRACE_TEST_KEYS)} or neither")
            _check_ranges(point, f"{at}.trace[{j}]")
        hyper = dict(raw["hyperparameters"])
        if isinstance(hyper.get("betas"), list):
            hyper["betas"] = tuple(hyper["betas"])
        runs.append(Run(raw["optimizer"], raw["preset"], raw["seed"], hyper, raw["status"],
                        raw["history"], raw.get("diverged_epoch"),
                        raw.get("schedule", "constant"), trace))
    _check_unique(payload["runs"], where)
    return Results(payload["config"], payload["environment"], runs)


#: Keys of history and trace entries that are fractions (accuracies, in [0, 1]) and that
#: cannot be negative (losses, seconds, steps).
FRACTION_KEYS = ("val_accuracy", "test_accuracy")
NON_NEGATIVE_KEYS = ("train_loss", "val_loss", "test_loss", "seconds", "step")


def _check_ranges(entry: dict[str, Any], where: str) -> None:
    """Accuracies in [0, 1]; losses, seconds and steps not negative (those present)."""
    for key in FRACTION_KEYS:
        if key in entry:
            _require(0 <= entry[key] <= 1, where,
                     f"{key!r} must be a fraction in [0, 1], got {entry[key]!r}")
    for key in NON_NEGATIVE_KEYS:
        if key in entry:
            _require(entry[key] >= 0, where, f"{key!r} must not be negative, got {entry[key]!r}")


def _epochs_allowed(config: dict[str, Any]) -> set[int] | None:
    """The run lengths a file's configuration allows: its ``epochs`` (and a study's
    ``select_epochs``); ``None`` when it does not say."""
    allowed = {config.get(key) for key in ("epochs", "select_epochs")}
    allowed = {value for value in allowed if _is_int(value) and value >= 1}
    return allowed or None


def _check_length(raw: dict[str, Any], allowed: set[int] | None, where: str) -> None:
    """An ok run has a history of one of the allowed lengths; a diverged one no longer."""
    length = len(raw["history"])
    if raw["status"] == "ok":
        _require(length > 0, where, "an ok run with an empty history")
    if allowed is None:
        return
    expected = " or ".join(map(str, sorted(allowed)))
    if raw["status"] == "ok":
        _require(length in allowed, where,
                 f"an ok run of {length} epochs where the configuration trains {expected}")
    else:
        _require(length <= max(allowed), where,
                 f"a run of {length} epochs where the configuration trains {expected}")


def run_identity(raw: dict[str, Any]) -> str:
    """What tells two runs apart: optimizer, preset, seed, hyperparameters and schedule."""
    return json.dumps([raw["optimizer"], raw["preset"], raw["seed"], raw["hyperparameters"],
                       raw.get("schedule", "constant")], sort_keys=True)


def _check_unique(raws: list[dict[str, Any]], where: str) -> None:
    """No run twice: copies of one run would pass for several seeds' worth of evidence."""
    seen: dict[str, int] = {}
    for i, raw in enumerate(raws):
        first = seen.setdefault(run_identity(raw), i)
        _require(first == i, f"{where}: runs[{i}]",
                 f"repeats runs[{first}] (same optimizer, preset, seed, hyperparameters and "
                 f"schedule)")


def _reject_constant(path: Path, name: str) -> Any:
    raise ResultsError(f"{path} is not valid JSON: {name} is not a number JSON allows")


def load(path: str | os.PathLike) -> Results:
    """Read and validate a results file.

    Raises
    ------
    ResultsError
        When the file cannot be read, is not JSON, or does not follow the schema.
    """
    path = Path(path)
    try:
        blob = read_regular_file(path)
    except OSError as error:
        raise ResultsError(f"cannot read results file {path}: {error.strerror or error}") from None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ResultsError(f"{path} is not a results file: byte {error.start} is not text "
                           f"(UTF-8); is it a binary file?") from None
    try:
        payload = json.loads(text, parse_constant=functools.partial(_reject_constant, path))
        results = from_dict(payload, where=str(path))
    except json.JSONDecodeError as error:
        raise ResultsError(f"{path} is not valid JSON (line {error.lineno}: {error.msg})") from None
    except ResultsError:
        raise
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise ResultsError(f"{path} is not a results file ({error})") from None
    except RecursionError:
        raise ResultsError(f"{path} is not a results file: its JSON is nested too deeply") from None
    results.path = path
    return results
