"""Sphinx extension: load the published equal-effort study, check it, re-train a sample.

At ``builder-inited`` (before any page or example runs):

1. the study file (:data:`optguide.study.PUBLISHED`) is loaded and checked against this
   code, data and configuration (:func:`optguide.study.load_study`); a stale or missing file
   stops the build with the command that regenerates it. With ``OPTGUIDE_RECOMPUTE_STUDY=1``
   the whole study is computed instead (into the build folder; the committed file is left);
2. a random sample of whole chunks (at least :data:`optguide.study.VERIFY_FRACTION` of its
   run-epochs, always some report runs) is re-trained and compared
   (:func:`optguide.study.verify_sample`); any run beyond the tolerance stops the build;
3. ``results/verification.json``, ``results/equal_effort.csv`` and the study file itself are
   written into the site, and ``OPTGUIDE_STUDY_FILE`` / ``OPTGUIDE_STUDY_VERIFICATION`` point
   the pages' kernels and the examples at the checked file and the check's outcome.

4. the runs the pages share (:mod:`optguide.shared_runs`: the tuning study and the default
   comparison) are loaded from their published file, checked the same way (a stale file stops
   the build), written into the build's results cache, and a random sample of them is
   re-trained and compared (``results/shared_runs_verification.json``). With
   ``OPTGUIDE_RECOMPUTE_STUDY=1`` they are trained by the pages instead.

The directive ``optguide-verification`` prints what the checks found in this build.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

ENV_FILE = "OPTGUIDE_STUDY_FILE"
ENV_VERIFICATION = "OPTGUIDE_STUDY_VERIFICATION"


def _site_extra() -> Path:
    return Path(os.environ["OPTGUIDE_SITE_EXTRA"]) / "results"


def check_study(app: Sphinx) -> None:
    """Load (or recompute), check and sample-verify the study; publish what was found."""
    from optguide.report import study_table
    from optguide.study import (
        ENV_RECOMPUTE,
        PUBLISHED,
        SITE_SEARCH,
        StudyError,
        load_study,
        run_study,
        save_study,
        verify_sample,
    )

    out = _site_extra()
    out.mkdir(parents=True, exist_ok=True)
    build = Path(app.outdir).parent
    if os.environ.get(ENV_RECOMPUTE) == "1":
        logger.info("optguide: computing the whole equal-effort study (%s=1)", ENV_RECOMPUTE)
        start = time.perf_counter()
        results = run_study(SITE_SEARCH)
        path = save_study(results, build / "equal_effort.json.gz")
        logger.info("optguide: study computed in %.0f s, written to %s", time.perf_counter()
                    - start, path)
    else:
        path = PUBLISHED
        try:
            results = load_study(path)
        except StudyError as error:
            raise ExtensionError(str(error)) from None
    start = time.perf_counter()
    check = verify_sample(results)
    seconds = time.perf_counter() - start
    record = {**check.to_dict(), "seconds": round(seconds, 1), "study_file": path.name,
              "recomputed": os.environ.get(ENV_RECOMPUTE) == "1"}
    (out / "verification.json").write_text(json.dumps(record, indent=1) + "\n")
    (out / "equal_effort.csv").write_text(study_table(results, "csv"))
    shutil.copyfile(path, out / "equal_effort.json.gz")
    os.environ[ENV_FILE] = str(path)
    os.environ[ENV_VERIFICATION] = str(out / "verification.json")
    app.env.optguide_verification = record  # type: ignore[attr-defined]
    logger.info("optguide: re-trained %d of the study's runs in %.0f s: %d matched, largest "
                "difference %.4f", check.sampled_runs, seconds, check.matched,
                check.max_abs_diff_accuracy)
    _refuse_mismatches(check, "the published study")
    if os.environ.get(ENV_RECOMPUTE) != "1":
        seed_shared_runs(app, out)


def _refuse_mismatches(check: Any, what: str) -> None:
    if check.matched != check.sampled_runs:
        raise ExtensionError(
            f"{what} did not reproduce: {check.sampled_runs - check.matched} of "
            f"{check.sampled_runs} re-trained runs differ by more than {check.tolerance} "
            f"({'; '.join(check.mismatches[:5])}); draw seed {check.draw_seed}")


def seed_shared_runs(app: Sphinx, out: Path) -> None:
    """Load and check the pages' shared runs, put them in the build's cache, verify a sample."""
    from optguide import shared_runs
    from optguide.study import StudyError

    try:
        shared = shared_runs.load()
    except StudyError as error:
        raise ExtensionError(str(error)) from None
    written = shared_runs.seed_cache(shared.entries)
    start = time.perf_counter()
    check = shared_runs.verify_sample(shared)
    seconds = time.perf_counter() - start
    record = {**check.to_dict(), "seconds": round(seconds, 1), "entries": len(shared.entries),
              "file": shared_runs.PUBLISHED.name}
    (out / "shared_runs_verification.json").write_text(json.dumps(record, indent=1) + "\n")
    shutil.copyfile(shared_runs.PUBLISHED, out / shared_runs.PUBLISHED.name)
    app.env.optguide_shared_verification = record  # type: ignore[attr-defined]
    logger.info("optguide: %d shared configurations in the cache (%d written); re-trained %d "
                "of their runs in %.0f s: %d matched, largest difference %.4f", len(shared.entries),
                written, check.sampled_runs, seconds, check.matched,
                check.max_abs_diff_accuracy)
    _refuse_mismatches(check, "the pages' published runs")


def _share_and_agreement(record: dict[str, Any]) -> tuple[float, str]:
    """The re-trained share of the run-epochs, and "all matched" or how many did."""
    agreed = ("all matched" if record["matched"] == record["sampled_runs"]
              else f"{record['matched']} matched")
    return record["sampled_run_epochs"] / record["total_run_epochs"], agreed


def verification_sentence(record: dict[str, Any]) -> str:
    """What this build's re-training found, in one paragraph."""
    share, agreed = _share_and_agreement(record)
    return (f"This build re-trained {record['sampled_runs']} of the study's runs from scratch "
            f"({record['sampled_run_epochs']:,} of {record['total_run_epochs']:,} run-epochs, "
            f"{share:.0%}, {record['report_runs']} of them report runs; whole chunks drawn at "
            f"random, draw seed {record['draw_seed']}): {agreed}, the largest difference in "
            f"final accuracy was {100 * record['max_abs_diff_accuracy']:.2f} points against a "
            f"tolerance of {100 * record['tolerance']:.1f} points. The numbers are in "
            f"results/verification.json of the built site.")


def shared_runs_sentence(record: dict[str, Any]) -> str:
    """What this build's re-training of the pages' shared runs found, in one paragraph."""
    share, agreed = _share_and_agreement(record)
    return (f"The tuning study and the default comparison that the pages share are published "
            f"the same way ({record['file']}, {record['entries']} configurations); this build "
            f"re-trained {record['sampled_runs']} of their runs (whole chunks drawn at random, "
            f"{record['sampled_run_epochs']:,} of {record['total_run_epochs']:,} run-epochs, "
            f"{share:.0%}, draw seed {record['draw_seed']}): {agreed}, the largest difference "
            f"in final accuracy was {100 * record['max_abs_diff_accuracy']:.2f} points. The "
            f"numbers are in results/shared_runs_verification.json of the built site.")


class VerificationDirective(SphinxDirective):
    """A paragraph saying what the build's re-trained sample of the study showed."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        record = getattr(self.env, "optguide_verification", None)
        if record is None:
            logger.warning("optguide-verification: the study was not checked in this build",
                           location=self.get_location())
            return []
        found = [nodes.paragraph(text=verification_sentence(record),
                                 classes=["optguide-verification"])]
        shared = getattr(self.env, "optguide_shared_verification", None)
        if shared is not None:
            found.append(nodes.paragraph(text=shared_runs_sentence(shared),
                                         classes=["optguide-verification"]))
        return found


def _always_reread(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Documents showing this build's verification are re-read at every build."""
    return [name for name in env.found_docs
            if name in getattr(app.config, "optguide_verification_docs", [])]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("optguide_verification_docs", ["comparison"], "env", list)
    app.add_directive("optguide-verification", VerificationDirective)
    # Before sphinx-gallery runs the examples (priority 500): they read the checked file.
    app.connect("builder-inited", check_study, priority=100)
    app.connect("env-get-outdated", _always_reread)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
