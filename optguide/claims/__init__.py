"""The article's claims as functions: numbers in, a verdict out.

Each claim function takes the numbers an experiment measured and returns a :class:`Verdict`
(one of :data:`OUTCOMES`) with one sentence that quotes those numbers. The gallery examples
end with ``print(verdict.line())`` (or ``verdict.show()``); the tests call the functions on
small inputs. Every verdict shown that way is also kept in :data:`SHOWN`, where the site build
picks up the one an example ended with (it puts it at the top of the example's page).
Claims about MNIST training live in :mod:`optguide.claims.mnist`, claims tested on synthetic
problems in :mod:`optguide.claims.synthetic`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = ("confirmed", "refuted", "depends", "inconclusive")
#: How each outcome is named on the site's badges.
OUTCOME_LABELS = {"confirmed": "confirmed", "refuted": "refuted", "depends": "it depends",
                  "inconclusive": "inconclusive"}
#: Verdicts shown with :meth:`Verdict.line` or :meth:`Verdict.show` in this process, oldest
#: first (the site build empties it before each example and reads the last one after it).
SHOWN: list[Verdict] = []


@dataclass(frozen=True)
class Verdict:
    """The outcome of testing one claim.

    Attributes
    ----------
    claim : str
        The claim as the article states it.
    outcome : str
        One of :data:`OUTCOMES`.
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

    @property
    def label(self) -> str:
        """The outcome as the site's badges name it (``"it depends"``)."""
        return OUTCOME_LABELS[self.outcome]

    def line(self) -> str:
        """``Verdict: confirmed - <sentence>``: the line each example ends with.

        The verdict is also appended to :data:`SHOWN`.
        """
        SHOWN.append(self)
        return f"Verdict: {self.outcome} - {self.sentence}"

    def show(self) -> None:
        """Print :meth:`line`."""
        print(self.line())

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (numbers that JSON cannot hold become text)."""
        data = asdict(self)
        data["numbers"] = {key: value if isinstance(value, (int, float, str, bool, type(None)))
                           else repr(value) for key, value in self.numbers.items()}
        data["label"] = self.label
        return data

    def __str__(self) -> str:
        return f"Verdict: {self.outcome} - {self.sentence}"
