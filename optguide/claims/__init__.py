"""The article's claims as functions: numbers in, a verdict out.

Each claim function takes the numbers an experiment measured and returns a :class:`Verdict`
(one of :data:`OUTCOMES`): one plain sentence a reader takes in at a glance, what would have
flipped it, and the details (intervals, seeds, every condition's numbers). The gallery examples
end with ``print(verdict.line())`` (or ``verdict.show()``); the tests call the functions on
small inputs. Every verdict shown that way is also kept in :data:`SHOWN`, where the site build
picks up the one an example ended with (it puts it at the top of the example's page).
Claims about MNIST training live in :mod:`optguide.claims.mnist`, claims tested on synthetic
problems in :mod:`optguide.claims.synthetic`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = ("confirmed", "refuted", "depends", "inconclusive")
#: How each outcome is named on the site's badges.
OUTCOME_LABELS = {"confirmed": "confirmed", "refuted": "refuted", "depends": "it depends",
                  "inconclusive": "inconclusive"}
#: Whose claim a verdict tests: the original article's, or a question of this site's own
#: (asked to explain or extend a result; never attributed to the article).
SOURCES = ("article", "site")
#: How a page introduces the claim of each source.
SOURCE_LABELS = {"article": "The article", "site": "The site's own question"}
#: Verdicts shown with :meth:`Verdict.line` or :meth:`Verdict.show` in this process, oldest
#: first (the site build empties it before each example and reads the last one after it).
SHOWN: list[Verdict] = []

#: Reading at a glance (issue 18's rule, fixed before any verdict was rewritten): the plain
#: sentence is at most this many words, numbers and parentheses; everything else goes into
#: the details, which the site folds.
PLAIN_WORDS = 40
PLAIN_NUMBERS = 4
PLAIN_PARENTHESES = 1
#: The "what would have flipped it" sentence, in words.
FLIP_WORDS = 50
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Verdict:
    """The outcome of testing one claim.

    Attributes
    ----------
    claim : str
        The claim as the article states it (or the site's question, with ``source="site"``).
    outcome : str
        One of :data:`OUTCOMES`.
    sentence : str
        One plain sentence in the article's terms, within :data:`PLAIN_WORDS`,
        :data:`PLAIN_NUMBERS` and :data:`PLAIN_PARENTHESES`.
    numbers : dict
        The numbers that decided it, for tables and tests.
    flip : str
        What result would have flipped the verdict, computed from the numbers, within
        :data:`FLIP_WORDS`.
    details : str
        The intervals, seeds and per-condition numbers behind the sentence.
    source : str
        ``"article"`` (default) or ``"site"``: see :data:`SOURCES`.
    """

    claim: str
    outcome: str
    sentence: str
    numbers: dict[str, Any] = field(default_factory=dict)
    flip: str = ""
    details: str = ""
    source: str = "article"

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, got {self.source!r}")

    @property
    def label(self) -> str:
        """The outcome as the site's badges name it (``"it depends"``)."""
        return OUTCOME_LABELS[self.outcome]

    @property
    def text(self) -> str:
        """The sentence followed by the details: everything the verdict says."""
        return f"{self.sentence} {self.details}".strip()

    def plainness_problems(self) -> list[str]:
        """Where the sentence or the flip breaks the at-a-glance limits (empty: none)."""
        problems = []
        for name, text, words in (("sentence", self.sentence, PLAIN_WORDS),
                                  ("flip", self.flip, FLIP_WORDS)):
            if len(text.split()) > words:
                problems.append(f"the {name} has {len(text.split())} words (at most {words})")
        numbers = len(_NUMBER.findall(self.sentence))
        if numbers > PLAIN_NUMBERS:
            problems.append(f"the sentence has {numbers} numbers (at most {PLAIN_NUMBERS})")
        if self.sentence.count("(") > PLAIN_PARENTHESES:
            problems.append(f"the sentence has {self.sentence.count('(')} parentheses (at "
                            f"most {PLAIN_PARENTHESES})")
        return problems

    def line(self) -> str:
        """``Verdict: confirmed - <sentence> <details>``: the line each example ends with.

        The verdict is also appended to :data:`SHOWN`.
        """
        SHOWN.append(self)
        return str(self)

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
        return f"Verdict: {self.outcome} - {self.text}"
