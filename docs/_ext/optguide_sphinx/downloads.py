"""The executed notebook of each MyST page in the theme's download menu."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx


def executed_notebook(outdir: Path, pagename: str) -> Path:
    """Where myst-nb wrote page ``pagename``'s executed notebook (beside the HTML folder)."""
    return outdir.parent / "jupyter_execute" / f"{pagename}.ipynb"


def offer_notebook(outdir: Path, pagename: str, context: dict[str, Any]) -> bool:
    """Copy ``pagename``'s executed notebook into ``_sources`` and name it in ``context``.

    Only for pages written in MyST Markdown (``context["sourcename"]`` ends in ``.md``) that
    myst-nb executed; the book theme then offers the ``.ipynb`` like notebooks written as
    ``.ipynb``. Returns whether it did.
    """
    if not context.get("sourcename", "").endswith(".md"):
        return False
    executed = executed_notebook(outdir, pagename)
    if not executed.is_file():
        return False
    target = outdir / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"
    return True


def offer_executed_notebook(app: Sphinx, pagename: str, templatename: str,
                            context: dict[str, Any], doctree: Any) -> None:
    """html-page-context: :func:`offer_notebook` in HTML builds."""
    if app.builder.format == "html":
        offer_notebook(Path(app.outdir), pagename, context)
