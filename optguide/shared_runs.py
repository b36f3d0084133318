"""The runs the site's pages share, published with the site so that a build does not re-train them.

Tuning :data:`~optguide.experiments.SITE_STUDY`, training
:data:`~optguide.experiments.SITE_COMPARISON` and the weight-decay study
(:func:`optguide.weight_decay.run`) are the largest computations the pages ask for (about
seven of a cold build's fourteen minutes on a 2-core machine). :func:`compute` trains
them into an empty results-cache folder and :func:`save` keeps every entry of that folder in
one compressed file (:data:`PUBLISHED`), each entry exactly as the cache stores it (its
identity: configuration, device, versions, training code, data; its checksum).

A build (``docs/_ext/optguide_study.py``) then calls :func:`load`, which refuses a file with
any entry made by other training code, package or torch versions, device or data (stale: the
message names :data:`REGENERATE`); :func:`seed_cache` writes the entries into the build's
cache, where :func:`optguide.compare.compare` finds them (checking identity and checksum
again); and :func:`verify_sample` re-trains runs drawn at random and compares them, as the
equal-effort study's check does (:func:`optguide.study.verify_sample`, the same tolerance and
share of run-epochs).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cache import (
    ENV_CACHE_DIR,
    CacheMismatch,
    cache_identity,
    cache_key,
    cache_path,
    check_envelope,
    read_cache,
    write_cache,
)
from .compare import compare
from .config import Config
from .data import load_mnist
from .executor import MAX_CHUNK_RUNS, Placement, chunk_runs, execute, reuse_workers
from .results import Results, Run
from .study import (
    VERIFY_FRACTION,
    VERIFY_TOLERANCE,
    StudyError,
    Verification,
    compare_retrained,
    read_json,
    run_epochs,
    save_json,
    spec_of,
)

#: Where the pages' shared runs are published (kept with the site, compressed).
PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "studies" / "shared_runs.json.gz"
#: The command that regenerates it (printed when the file is stale).
REGENERATE = "optguide tune --study pages"
#: What the file says it is.
KIND = "shared_runs"
FORMAT = 1


def experiments() -> tuple[Any, Config, tuple[Any, ...]]:
    """The tuning study and the comparison whose runs the file holds (defined in
    :mod:`optguide.experiments`), and the other studies whose runs it holds: modules with
    ``run(placement=, progress=, record=)`` and ``total_run_epochs()``
    (:mod:`optguide.weight_decay`)."""
    from . import weight_decay
    from .experiments import SITE_COMPARISON, SITE_STUDY

    return SITE_STUDY, SITE_COMPARISON, (weight_decay,)


def total_run_epochs() -> int:
    """Run-epochs :func:`compute` trains at most (for a progress bar)."""
    from .compare import total_epochs as comparison_epochs
    from .tune import total_epochs as study_epochs

    study, comparison, others = experiments()
    return (study_epochs(study) + comparison_epochs(comparison)
            + sum(other.total_run_epochs() for other in others))


@contextlib.contextmanager
def _cache_folder(folder: Path) -> Iterator[None]:
    """Point the results cache at ``folder`` for the duration (and back afterwards)."""
    before = os.environ.get(ENV_CACHE_DIR)
    os.environ[ENV_CACHE_DIR] = str(folder)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_CACHE_DIR, None)
        else:
            os.environ[ENV_CACHE_DIR] = before


def compute(*, placement: Placement | None = None,
            progress: Any = None) -> tuple[list[dict], list[list[int]]]:
    """Train the shared experiments into an empty cache folder.

    Returns
    -------
    entries : list of dict
        Every cache file's content (envelope: ``cache_format``, ``key``, ``checksum``,
        ``results``), sorted by key so that the file does not depend on the order of writing.
    groups : list of list of int
        The entries trained together, one list per training call, in order (positions in
        ``entries``; the order of a call's configurations): their runs shared chunks, and
        :func:`verify_sample` re-trains a chunk exactly as it was trained.
    """
    from .tune import tune

    study, comparison, others = experiments()
    calls: list[list[Config]] = []
    with tempfile.TemporaryDirectory(prefix="optguide-shared-") as folder:
        with _cache_folder(Path(folder)), reuse_workers():
            fingerprint = load_mnist((placement or Placement()).data_root).fingerprint
            tune(study, placement=placement, progress=progress, record=calls)
            calls.append([comparison])
            compare(comparison, placement=placement, progress=progress)
            for other in others:
                other.run(placement=placement, progress=progress, record=calls)
        names = {path.stem: json.loads(path.read_text())
                 for path in Path(folder).glob("*.json")}
    order = sorted(names, key=lambda name: json.dumps(names[name]["key"], sort_keys=True))
    position = {name: p for p, name in enumerate(order)}
    groups, seen = [], set()
    for call in calls:
        keys = [cache_key(config, fingerprint) for config in call]
        if set(keys) & seen or len(set(keys)) != len(keys) or not set(keys) <= set(position):
            raise RuntimeError("a shared configuration was trained twice or not cached")
        seen.update(keys)
        groups.append([position[key] for key in keys])
    return [names[name] for name in order], groups


def save(entries: list[dict], groups: list[list[int]], path: str | os.PathLike = PUBLISHED
         ) -> Path:
    """Write ``entries`` and ``groups`` as one gzip-compressed JSON file (atomic)."""
    return save_json({"kind": KIND, "format": FORMAT, "entries": entries, "groups": groups},
                     path)


@dataclass(frozen=True)
class Entry:
    """One published cache entry, checked: its configuration, identity and results."""

    config: Config
    identity: dict
    results: Results


@dataclass(frozen=True)
class SharedRuns:
    """The checked file: its entries and which of them trained together."""

    entries: list[Entry]
    groups: list[list[int]]


def load(path: str | os.PathLike = PUBLISHED,
         data_root: str | os.PathLike | None = None) -> SharedRuns:
    """The published entries, each checked against this code, versions, device and data.

    Raises
    ------
    StudyError
        When the file is missing, unreadable, not such a file, or any entry is stale or
        damaged; the message names the command that regenerates it.
    """
    path = Path(path)
    if not path.exists():
        raise StudyError(f"no shared-runs file at {path}; compute it with: {REGENERATE}")
    payload = read_json(path)
    if not isinstance(payload, dict) or payload.get("kind") != KIND \
            or payload.get("format") != FORMAT or not isinstance(payload.get("entries"), list) \
            or not _partition(payload.get("groups"), len(payload["entries"])):
        raise StudyError(f"{path} is not a shared-runs file of this version; regenerate it "
                         f"with: {REGENERATE}")
    fingerprint = load_mnist(data_root).fingerprint
    loaded, problems = [], set()
    for number, entry in enumerate(payload["entries"]):
        try:
            config = Config.from_dict(entry["key"]["config"])
            identity = cache_identity(config, fingerprint)
        except (KeyError, TypeError, ValueError):
            raise StudyError(f"{path} holds an entry that is not a cache entry; "
                             f"regenerate it with: {REGENERATE}") from None
        stored = entry["key"]
        problems.update(f"the {name} changed" for name, part in
                        (("training code", "code"), ("data", "data"),
                         ("package version", "optguide"), ("torch version", "torch"),
                         ("device", "device"))
                        if stored.get(part) != identity[part])
        if problems:
            continue
        try:  # exactly the cache's own check
            results = check_envelope(entry, identity, f"{path} entry {number}")
        except CacheMismatch:
            raise StudyError(f"{path} holds a damaged entry (its checksum does not match); "
                             f"regenerate it with: {REGENERATE}") from None
        loaded.append(Entry(config, identity, results))
    if problems:
        raise StudyError(f"the shared-runs file {path} is stale ({'; '.join(sorted(problems))})"
                         f"; regenerate it with: {REGENERATE}")
    return SharedRuns(loaded, payload["groups"])


def _partition(groups: Any, count: int) -> bool:
    """Whether ``groups`` is a list of lists of positions holding each of ``range(count)``
    once."""
    if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
        return False
    flat = [p for group in groups for p in group]
    return all(isinstance(p, int) for p in flat) and sorted(flat) == list(range(count))


def seed_cache(entries: list[Entry], folder: str | os.PathLike | None = None) -> int:
    """Write the checked entries into the results cache (``folder``, else the cache folder);
    the number written."""
    written = 0
    for entry in entries:
        path = cache_path(entry.config, folder, data_fingerprint=entry.identity["data"])
        try:
            if read_cache(path, entry.identity) is not None:
                continue  # already there, and whole
        except CacheMismatch:
            pass  # a damaged entry is replaced
        path.parent.mkdir(parents=True, exist_ok=True)
        write_cache(path, entry.identity, entry.results)
        written += 1
    return written


def chunks(shared: SharedRuns) -> list[tuple[int, list[tuple[int, int]]]]:
    """Every chunk the runs were trained in: (group, its runs as (entry, run) positions).

    A group's runs, in the order its configurations listed them, are what the executor split
    into chunks (:func:`optguide.executor.chunk_runs`: by seed, at most
    :data:`~optguide.executor.MAX_CHUNK_RUNS` runs); the same split finds them again.
    """
    found = []
    for g, group in enumerate(shared.groups):
        places = [(e, r) for e in group for r in range(len(shared.entries[e].results.runs))]
        specs = [spec_of(shared.entries[e].results.runs[r]) for e, r in places]
        batched = shared.entries[group[0]].config.engine == "batched"
        for chunk in chunk_runs(specs, MAX_CHUNK_RUNS if batched else 1):
            found.append((g, [places[p] for p in chunk.positions]))
    return found


def verify_sample(shared: SharedRuns, *, fraction: float = VERIFY_FRACTION,
                  tolerance: float = VERIFY_TOLERANCE, draw_seed: int | None = None,
                  placement: Placement | None = None, progress: Any = None) -> Verification:
    """Re-train whole chunks, drawn at random until they hold at least ``fraction`` of the
    file's run-epochs, exactly as they were trained, and compare every run.

    A run matches when its status is the same and its final validation and test accuracies
    differ by at most ``tolerance``; on the machine that made the file a chunk re-trains bit
    for bit.
    """
    draw_seed = random.SystemRandom().randrange(2 ** 31) if draw_seed is None else draw_seed
    found = chunks(shared)
    random.Random(draw_seed).shuffle(found)
    total = sum(run_epochs(run) for entry in shared.entries for run in entry.results.runs)
    sample, epochs = [], 0
    for group, places in found:
        if sample and epochs >= fraction * total:
            break
        sample.append((group, places))
        epochs += sum(run_epochs(shared.entries[e].results.runs[r]) for e, r in places)
    pairs: list[tuple[Run, Run]] = []
    with reuse_workers():
        for group, places in sorted(sample):
            config = shared.entries[shared.groups[group][0]].config
            stored = [shared.entries[e].results.runs[r] for e, r in places]
            outcomes = execute([spec_of(run) for run in stored], model=config.model,
                               epochs=config.epochs, batch_size=config.batch_size,
                               train_size=config.train_size, device=config.device,
                               batched=config.engine == "batched",
                               data_options={"validation_size": config.validation_size},
                               train_options={"eval_every": config.eval_every,
                                              "trace_test": config.trace_test},
                               placement=placement or Placement(), progress=progress)
            pairs += [(old, Run(new.spec.optimizer, new.spec.preset, new.spec.seed,
                                dict(new.spec.hyperparameters), new.status, new.history,
                                new.diverged_epoch, str(new.spec.schedule), new.trace))
                      for old, new in zip(stored, outcomes)]
    matched, worst, mismatches = compare_retrained(pairs, tolerance)
    return Verification(len(pairs), matched, worst, tolerance, epochs, total, 0, draw_seed,
                        tuple(mismatches))
