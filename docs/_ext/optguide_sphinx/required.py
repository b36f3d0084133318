"""Files the built site must contain (``optguide_required_outputs`` in ``conf.py``)."""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError


def missing_outputs(outdir: Path, required: list[str]) -> list[str]:
    """The names of ``required`` (relative to ``outdir``) that are not files there."""
    return [name for name in required if not (outdir / name).is_file()]


def check_required_outputs(app: Sphinx, exception: Exception | None) -> None:
    """build-finished: a successful HTML build lacking a required file is an error.

    Raises
    ------
    sphinx.errors.ExtensionError
        Naming the missing files and how to build them (the page that writes them was not
        executed: a stale notebook cache).
    """
    if exception is not None or app.builder.format != "html":
        return
    missing = missing_outputs(Path(app.outdir), app.config.optguide_required_outputs)
    if missing:
        raise ExtensionError(
            f"the built site lacks {', '.join(missing)}: the page that writes it was not "
            f"executed in this build (stale notebook cache?). Remove docs/_build and build again")
