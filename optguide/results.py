"""The results file: schema, validation, atomic save and load.

A results file is JSON::

    {"schema": 2,
     "config": {...},                       # optguide.compare.Config.to_dict()
     "environment": {"optguide": ..., "torch": ..., "device": ..., "code_hash": ...},
     "runs": [{"optimizer": "adam", "preset": "pytorch", "seed": 0,
               "hyperparameters": {...}, "schedule": "constant", "status": "ok",
               "diverged_epoch": null,
               "history": [{"epoch": 1, "train_loss": ..., "val_loss": ...,
                            "val_accuracy": ..., "test_loss": ..., "test_accuracy": ...,
                            "seconds": ...}, ...],
               "trace": [{"step": ..., "seconds": ..., "val_accuracy": ...}, ...]}]}

Validation metrics come from images held out of the training set
(:func:`optguide.data.validation_split`) and are the only ones selections may read; test
metrics only report. Schema 1 files (no validation metrics) are rejected.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 2
STATUSES = ("ok", "diverged")
EPOCH_KEYS = ("epoch", "train_loss", "val_loss", "val_accuracy", "test_loss", "test_accuracy",
              "seconds")
#: Keys of a run's ``trace`` entries (evaluations every ``eval_every`` of an epoch): steps
#: taken, training seconds since the start, validation accuracy.
TRACE_KEYS = ("step", "seconds", "val_accuracy")


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
        """Write the results as JSON atomically (a temporary file, then a rename)."""
        return write_json_atomic(path, self.to_dict())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def write_json_atomic(path: str | os.PathLike, payload: Any) -> Path:
    """Write ``payload`` as JSON to ``path`` so that readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(payload, stream, indent=1, allow_nan=False)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ResultsError(f"{where}: {message}")


def from_dict(payload: Any, where: str = "results") -> Results:
    """Validate a decoded results document and build :class:`Results`.

    Raises
    ------
    ResultsError
        Naming the first field that is missing or of the wrong type.
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
        _require(isinstance(raw.get("schedule", "constant"), str), at,
                 "'schedule' is not a str")
        _require(raw["status"] in STATUSES, at, f"status {raw['status']!r} not in {STATUSES}")
        for j, epoch in enumerate(raw["history"]):
            _require(isinstance(epoch, dict) and all(
                isinstance(epoch.get(k), (int, float)) and math.isfinite(epoch[k])
                for k in EPOCH_KEYS), f"{at}.history[{j}]",
                f"needs finite numbers for {', '.join(EPOCH_KEYS)}")
        trace = raw.get("trace", [])
        _require(isinstance(trace, list), at, "'trace' is not a list")
        for j, point in enumerate(trace):
            _require(isinstance(point, dict) and all(
                isinstance(point.get(k), (int, float)) and math.isfinite(point[k])
                for k in TRACE_KEYS), f"{at}.trace[{j}]",
                f"needs finite numbers for {', '.join(TRACE_KEYS)}")
        hyper = dict(raw["hyperparameters"])
        if isinstance(hyper.get("betas"), list):
            hyper["betas"] = tuple(hyper["betas"])
        runs.append(Run(raw["optimizer"], raw["preset"], raw["seed"], hyper, raw["status"],
                        raw["history"], raw.get("diverged_epoch"),
                        raw.get("schedule", "constant"), trace))
    return Results(payload["config"], payload["environment"], runs)


def load(path: str | os.PathLike) -> Results:
    """Read and validate a results file.

    Raises
    ------
    ResultsError
        When the file cannot be read, is not JSON, or does not follow the schema.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise ResultsError(f"cannot read results file {path}: {error.strerror or error}") from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsError(f"{path} is not valid JSON (line {error.lineno}: {error.msg})") from None
    results = from_dict(payload, where=str(path))
    results.path = path
    return results
