"""The article's claims as functions: numbers in, a verdict out.

Each claim function takes the numbers an experiment measured and returns a :class:`Verdict`
(``confirmed``, ``refuted`` or ``depends``) with one sentence that quotes those numbers. The
gallery examples print ``verdict.line()``; the tests call the functions on small inputs.
Claims about MNIST training live in :mod:`optguide.claims.mnist`, claims tested on synthetic
problems in :mod:`optguide.claims.synthetic`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("confirmed", "refuted", "depends", "inconclusive")


@dataclass(frozen=True)
class Verdict:
    """The outcome of testing one claim.

    Attributes
    ----------
    claim : str
        The claim as the article states it.
    outcome : str
        ``"confirmed"``, ``"refuted"`` or ``"depends"``.
    sentence : str
        One sentence with the numbers that decided it.
    numbers : dict
        Those numbers, for tables and tests.
    flip : str
        One sentence, computed from the numbers, saying what result would have flipped the
        verdict.
    """

    claim: str
    outcome: str
    sentence: str
    numbers: dict[str, Any] = field(default_factory=dict)
    flip: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")

    def line(self) -> str:
        """``Verdict: confirmed - <sentence>``: the line each example ends with."""
        return f"Verdict: {self.outcome} - {self.sentence}"

    def __str__(self) -> str:
        return self.line()
