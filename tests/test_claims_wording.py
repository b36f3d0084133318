"""The one table of pinned verdict phrases (tests/wording.py): every case is used, and
:func:`says` fails when a phrase is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from wording import PHRASES, says

from optguide.claims import Verdict

HERE = Path(__file__).parent


def test_every_pinned_case_is_checked_by_one_claim_test():
    tests = [p for p in sorted(HERE.glob("test_claims_*.py")) if p.name != Path(__file__).name]
    calls = [case for path in tests
             for case in re.findall(r'says\(\w+, "([^"]+)"\)', path.read_text())]
    assert sorted(calls) == sorted(PHRASES)
    assert all(phrases and all(phrases.values()) for phrases in PHRASES.values())


def test_says_fails_on_a_missing_or_forbidden_phrase(monkeypatch):
    verdict = Verdict("claim", "confirmed", "Adam leads.", flip="More seeds.")
    monkeypatch.setitem(PHRASES, "toy", {"text": ["Adam"], "not flip": ["fewer"],
                                         "text start": ["Adam"], "text end": ["leads."]})
    says(verdict, "toy")
    for broken in ({"text": ["SGD"]}, {"not flip": ["More"]}, {"text end": ["Adam"]}):
        monkeypatch.setitem(PHRASES, "toy", broken)
        with pytest.raises(AssertionError):
            says(verdict, "toy")
