"""The results cache: what a cached result depends on, where it lies, reading and writing it.

A cached result is keyed on its identity (:func:`cache_identity`): the whole configuration, the
device, the package and torch versions, a hash of the package's training code
(:data:`TRAINING_CODE`, :func:`code_hash`) and a fingerprint of the data, so numbers computed
by older code or on other data are never reused. Each cache file stores its identity and a
checksum of its results, verified on read (:func:`read_cache`); writes are atomic
(:func:`write_cache`). :func:`optguide.compare.compare` is the one caller that decides when to
read and write.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch

from . import __version__
from .config import Config, ConfigError
from .data import absolute_env_path
from .results import Results, from_dict, read_regular_file, write_json_atomic
from .train import resolve_device

#: Environment variable naming the cache folder.
ENV_CACHE_DIR = "OPTGUIDE_CACHE_DIR"


#: The package's modules whose code decides what training produces. The results cache is
#: keyed on them, so editing a table, a plot or a claim does not throw away trained runs.
TRAINING_CODE = ("__init__.py", "optimizers", "data.py", "models.py", "schedules.py",
                 "train.py", "executor.py", "config.py", "compare.py", "results.py")


@functools.lru_cache(maxsize=2)
def code_hash(parts: tuple[str, ...] | None = None) -> str:
    """SHA-256 of the package's Python source (only of ``parts`` when given).

    ``code_hash(TRAINING_CODE)`` keys the results cache: a change to any code that affects
    training invalidates cached results. ``code_hash()`` covers the whole package (the site
    keys its executed pages on it).
    """
    package = Path(__file__).resolve().parent
    roots = [package / part for part in parts] if parts else [package]
    files = sorted({f for root in roots
                    for f in ([root] if root.is_file() else root.rglob("*.py"))})
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_dir() -> Path:
    """``$OPTGUIDE_CACHE_DIR`` (made absolute once), else a per-user cache folder.

    Raises
    ------
    ConfigError
        When the variable names ``~user`` of a user that does not exist.
    """
    folder = absolute_env_path(ENV_CACHE_DIR, ConfigError)
    if folder is not None:
        return folder
    import platformdirs

    return Path(platformdirs.user_cache_dir("optguide")) / "results"


#: Version of the cache file's envelope (key, checksum, results).
CACHE_FORMAT = 1


def cache_identity(config: Config, data_fingerprint: str | None = None, *,
                   data_root: str | os.PathLike | None = None) -> dict[str, Any]:
    """What a cached result depends on, stored in the cache file and hashed into its name.

    The configuration, device, versions, training code and the data: ``data_fingerprint``,
    else the fingerprint of the data in ``data_root`` (see :func:`optguide.data.fingerprint`;
    that loads the data). Not the number of threads or workers, nor the backend: they do not
    change the numbers (tested in ``tests/test_executor.py``).
    """
    if data_fingerprint is None:
        from .data import fingerprint

        data_fingerprint = fingerprint(data_root)
    return {"config": config.to_dict(), "device": resolve_device(config.device).type,
            "optguide": __version__, "torch": torch.__version__,
            "code": code_hash(TRAINING_CODE),
            "data": data_fingerprint}


def cache_key(config: Config, data_fingerprint: str | None = None, *,
              data_root: str | os.PathLike | None = None) -> str:
    """Key of ``config``'s results on the given data: a hash of :func:`cache_identity`."""
    identity = cache_identity(config, data_fingerprint, data_root=data_root)
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:24]


def cache_path(config: Config, directory: str | os.PathLike | None = None, *,
               data_fingerprint: str | None = None,
               data_root: str | os.PathLike | None = None) -> Path:
    """Where ``config``'s results on the given data are cached."""
    key = cache_key(config, data_fingerprint, data_root=data_root)
    return (Path(directory) if directory is not None else cache_dir()) / f"{key}.json"


def _checksum(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class CacheMismatch(Exception):
    """A cache file that must not be used; the message says why."""


def read_cache(path: Path, identity: dict[str, Any]) -> Results | None:
    """The results cached in ``path`` for ``identity``; ``None`` when there is no such file.

    Raises
    ------
    CacheMismatch
        When the file is unreadable, not a regular file, too large, corrupt, stored for
        another key, or its results do not match their checksum (edited or damaged).
    """
    try:
        blob = read_regular_file(path)  # a FIFO, a device or a huge file is refused unread
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise CacheMismatch(f"cannot read {path}: {error.strerror or error}") from None
    try:
        envelope = json.loads(blob)
    except (ValueError, RecursionError):
        raise CacheMismatch(f"{path} is corrupt (not JSON)") from None
    results = check_envelope(envelope, identity, str(path))
    results.from_cache, results.path = True, path
    return results


def check_envelope(envelope: Any, identity: dict[str, Any], where: str) -> Results:
    """The results inside a parsed cache entry, checked as :func:`read_cache` checks a file:
    this format, stored for ``identity``, results matching their checksum and the schema.

    Raises
    ------
    CacheMismatch
        Naming ``where`` (the file, or the entry of a published file).
    """
    if not isinstance(envelope, dict) or envelope.get("cache_format") != CACHE_FORMAT:
        raise CacheMismatch(f"{where} is not a cache file of this version")
    if envelope.get("key") != json.loads(json.dumps(identity)):  # compared as JSON data
        raise CacheMismatch(f"{where} was stored for another configuration, code or data")
    payload = envelope.get("results")
    try:
        if envelope.get("checksum") != _checksum(payload):
            raise CacheMismatch(f"{where}'s results do not match their checksum (edited or "
                                f"damaged)")
        return from_dict(payload, where=where)
    except (ValueError, RecursionError) as error:  # ResultsError is a ValueError
        raise CacheMismatch(f"{where} is corrupt ({error})") from None


def write_cache(path: Path, identity: dict[str, Any], results: Results) -> None:
    """Store ``results`` under ``identity`` in ``path`` with a checksum (atomic write).

    Raises
    ------
    OSError
        When the cache folder cannot be written.
    """
    payload = results.to_dict()
    write_json_atomic(path, {"cache_format": CACHE_FORMAT, "key": identity,
                             "checksum": _checksum(payload), "results": payload},
                      follow=False)  # the entry itself is replaced, never a link's target
