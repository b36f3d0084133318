"""How the parts of a verdict combine into one outcome (verdict logic shared by the claims).

The vocabulary: ``confirmed``, ``refuted``, ``depends`` (the answer changes with a named
condition, e.g. whose defaults) and ``inconclusive`` (the data cannot separate the options at
this sample size).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis.stats import PairedDifference

#: How a verdict's plain sentence opens, per outcome.
ANSWER = {"confirmed": "Yes", "refuted": "No", "depends": "It depends",
          "inconclusive": "Not shown at this sample size"}


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
    """What would have made a separated paired difference a tie, in words (the interval
    itself belongs in the verdict's details).

    ``"had that difference been 0.10 points smaller"``.
    """
    return f"had that difference been {inner_edge(difference) * scale:.{digits}f}{unit} smaller"


def to_separate(difference: PairedDifference, scale: float = 100.0,
                unit: str = " points", digits: int = 2) -> str:
    """What would have separated a tie, in words."""
    if difference.n < 2:
        return "at least two seeds, so that the difference has an interval"
    half = (difference.high - difference.low) / 2
    return f"more seeds, or a difference beyond about {half * scale:.{digits}f}{unit}"


def join_flips(flips: list[str], words: int | None = None) -> str:
    """Per-condition "what would have flipped it" clauses as one sentence within ``words``
    (default :data:`optguide.claims.FLIP_WORDS`): as many as fit, in order, then how many
    more conditions there are (their numbers are in the verdict's details)."""
    from . import FLIP_WORDS

    limit = FLIP_WORDS if words is None else words
    kept: list[str] = []
    for i, clause in enumerate(flips):
        rest = len(flips) - i - 1
        tail = f"; likewise under {rest} more condition{'s' if rest > 1 else ''}" if rest else ""
        if kept and len("; ".join(kept + [clause]).split()) + len(tail.split()) > limit:
            break
        kept.append(clause)
    rest = len(flips) - len(kept)
    text = "; ".join(kept)
    if rest:
        text += f"; likewise under {rest} more condition{'s' if rest > 1 else ''}"
    return text[0].upper() + text[1:] + "."
