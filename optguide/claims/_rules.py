"""How the parts of a verdict combine into one outcome (verdict logic shared by the claims).

The vocabulary: ``confirmed``, ``refuted``, ``depends`` (the answer changes with a named
condition, e.g. whose defaults) and ``inconclusive`` (the data cannot separate the options at
this sample size).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis.stats import PairedDifference


def from_sign(sign: int) -> str:
    """+1 (the claim's direction, separated) -> confirmed, -1 -> refuted, 0 -> inconclusive."""
    return {1: "confirmed", -1: "refuted", 0: "inconclusive"}[sign]


def across_conditions(outcomes: Mapping[str, str]) -> str:
    """One outcome from the outcomes under several conditions (presets, views, baselines).

    All the same: that outcome. Confirmed under one condition and refuted under another:
    ``depends``. Otherwise (a definite answer under some conditions, no separation under the
    others): ``inconclusive``, the data do not show that the answer holds or changes.
    """
    values = set(outcomes.values())
    if not values:
        raise ValueError("no conditions")
    if len(values) == 1:
        return values.pop()
    if {"confirmed", "refuted"} <= values or "depends" in values:
        return "depends"
    return "inconclusive"


def both_parts(first: bool | None, second: bool | None) -> str:
    """A claim made of two readings, each True, False or None (not separated).

    Both hold: ``confirmed``; one holds and the other fails: ``depends`` (on the reading);
    neither holds, or one fails and the other cannot be told: ``refuted``; otherwise
    ``inconclusive``.
    """
    return all_parts(first, second)


def all_parts(*parts: bool | None) -> str:
    """A claim made of several readings, each True, False or None (not separated).

    :func:`both_parts` for any number of readings: all hold: ``confirmed``; one holds and
    another fails: ``depends`` (on the reading); none holds and one fails: ``refuted``;
    otherwise (some hold or none fails, and some cannot be told) ``inconclusive``.
    """
    if not parts:
        raise ValueError("no readings")
    if all(p is True for p in parts):
        return "confirmed"
    if True in parts and False in parts:
        return "depends"
    if False in parts:
        return "refuted"
    return "inconclusive"


def inner_edge(difference: PairedDifference) -> float:
    """How far a separated interval's nearer end is from zero: how much smaller the
    difference would have to be to become a tie."""
    return difference.low if difference.mean > 0 else -difference.high


def to_close(difference: PairedDifference, scale: float = 100.0, unit: str = " points",
             digits: int = 2) -> str:
    """What would have made a separated paired difference a tie, in words.

    ``"had that difference (+0.42 points [+0.10, +0.74], n = 5) been 0.10 points smaller"``.
    """
    return (f"had that difference ({difference.format(scale, digits, unit)}) been "
            f"{inner_edge(difference) * scale:.{digits}f}{unit} smaller, so that its interval "
            "reached zero")


def to_separate(difference: PairedDifference, scale: float = 100.0,
                unit: str = " points", digits: int = 2) -> str:
    """What would have separated a tie, in words."""
    if difference.n < 2:
        return (f"at least two seeds, so that the difference "
                f"({difference.format(scale, digits, unit)}) has an interval that can exclude "
                "zero")
    half = (difference.high - difference.low) / 2
    return (f"an interval that excludes zero (now {difference.format(scale, digits, unit)}): "
            f"more seeds, or a difference beyond about {half * scale:.{digits}f}{unit}")
