"""Gallery examples run as plain scripts, the way a reader runs them locally."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*/plot_*.py"))
VERDICT = re.compile(r"^Verdict: (confirmed|refuted|depends|inconclusive) - \S.*$",
                     re.MULTILINE)


def test_every_example_has_a_title_a_claim_and_a_verdict():
    assert len(EXAMPLES) >= 11
    for path in EXAMPLES:
        text = path.read_text()
        assert text.startswith('"""'), f"{path.name}: no docstring (title and claim) at the top"
        assert "# %%" in text, f"{path.name}: no cells"
        assert ".line()" in text, f"{path.name}: does not print a computed verdict"
        assert "print(verdict.flip)" in text, f"{path.name}: does not print what would flip it"


def test_an_example_runs_as_a_plain_script(tmp_path):
    script = ROOT / "examples" / "synthetic" / "plot_saddle_point.py"
    env = {**os.environ, "MPLBACKEND": "Agg", "OPTGUIDE_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert VERDICT.search(proc.stdout), proc.stdout[-2000:]


def test_an_example_without_mnist_ends_with_one_line(tmp_path):
    script = ROOT / "examples" / "mnist" / "plot_mnist_defaults.py"
    env = {**os.environ, "MPLBACKEND": "Agg", "OPTGUIDE_CACHE_DIR": str(tmp_path / "cache"),
           "OPTGUIDE_DATA_DIR": str(tmp_path / "empty")}
    (tmp_path / "empty").mkdir()
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.startswith("optguide: error: MNIST not found"), proc.stderr[-3000:]
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_other_errors_keep_their_traceback_and_other_hooks_are_kept(monkeypatch):
    from optguide import script_errors

    def mine(*args):
        pass

    monkeypatch.setattr(sys, "excepthook", mine)
    script_errors.install()
    assert sys.excepthook is mine
    code = ("import optguide.analysis, sys; "
            "assert sys.excepthook is optguide.script_errors.one_line_data_errors; "
            "raise KeyError('other')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1 and "Traceback" in proc.stderr and "KeyError" in proc.stderr


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_are_listed_in_a_gallery_section(path):
    assert (path.parent / "README.txt").is_file() or (path.parent / "README.rst").is_file()
