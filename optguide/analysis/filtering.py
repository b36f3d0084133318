"""Filtering results: runs that match criteria, as :class:`~optguide.results.Results` again.

Pages and examples used to rebuild "the runs of one preset" by hand; :func:`where` does it
once and keeps the configuration consistent with the runs it keeps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import Any

from ..results import Results, Run

#: Run attributes whose plural names are lists in a comparison's configuration.
_CONFIG_LISTS = {"optimizer": "optimizers", "preset": "presets", "seed": "seeds"}


def _matches(run: Run, key: str, wanted: Any) -> bool:
    value = getattr(run, key)
    if callable(wanted):
        return bool(wanted(value))
    if isinstance(wanted, Collection) and not isinstance(wanted, str):
        return any(_equal(value, item) for item in wanted)
    return _equal(value, wanted)


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(value, float) and isinstance(wanted, (int, float)):
        return math.isclose(value, wanted, rel_tol=1e-9)
    return value == wanted


def where(results: Results, predicate: Callable[[Run], bool] | None = None,
          **criteria: Any) -> Results:
    """The runs of ``results`` that match every criterion, as new :class:`Results`.

    Parameters
    ----------
    results : Results
        What to filter.
    predicate : callable, optional
        A further test on each :class:`~optguide.results.Run`.
    **criteria
        Run attribute -> wanted value (``preset="keras"``, ``lr=0.1``; floats compare up to
        rounding), a collection of accepted values (``optimizer=("sgd", "adam")``) or a
        callable on the value (``seed=lambda s: s >= 10``).

    Returns
    -------
    Results
        Same environment; the configuration's ``optimizers``/``presets``/``seeds`` lists name
        only what the kept runs hold.

    Examples
    --------
    >>> from optguide.results import Results
    >>> where(Results({}, {}, []), preset="keras").runs
    []
    """
    runs = [run for run in results.runs
            if all(_matches(run, key, wanted) for key, wanted in criteria.items())
            and (predicate is None or predicate(run))]
    config = dict(results.config)
    for key in criteria:
        if key in _CONFIG_LISTS and _CONFIG_LISTS[key] in config:
            config[_CONFIG_LISTS[key]] = list(dict.fromkeys(getattr(r, key) for r in runs))
    return Results(config, results.environment, runs, from_cache=results.from_cache,
                   path=results.path)


def distinct(results: Results, attribute: str) -> list[Any]:
    """The distinct values of a run attribute (``"optimizer"``, ``"preset"``, ``"seed"``,
    ``"lr"``), in the order they first appear."""
    return list(dict.fromkeys(getattr(run, attribute) for run in results.runs))


def split(results: Results, attribute: str) -> dict[Any, Results]:
    """``results`` split by one run attribute: value -> :func:`where` ``(attribute=value)``."""
    return {value: where(results, **{attribute: value}) for value in distinct(results, attribute)}


def group(results: Results, *attributes: str) -> dict[tuple[Any, ...], list[Run]]:
    """The runs of ``results`` grouped by the values of run ``attributes``, in first-seen order.

    ``group(results, "optimizer", "preset", "lr", "schedule")`` gives one list per setting,
    the runs of its seeds: what a table row summarizes.
    """
    if not attributes:
        raise ValueError("group needs at least one attribute")
    groups: dict[tuple[Any, ...], list[Run]] = {}
    for run in results.runs:
        groups.setdefault(tuple(getattr(run, a) for a in attributes), []).append(run)
    return groups
