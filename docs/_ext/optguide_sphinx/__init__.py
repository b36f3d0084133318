"""Sphinx glue of the optguide site, one module per job; :func:`setup` wires them.

* :mod:`~optguide_sphinx.gallery`: the gallery's reading order (:class:`ExampleOrder`, named
  in ``conf.py`` as ``optguide_sphinx.ExampleOrder`` so the configuration stays picklable)
  and its index's subsections nested under its title.
* :mod:`~optguide_sphinx.hook`: :class:`ExampleHook`, run by sphinx-gallery before each
  example (the site's matplotlib style) and after it (its verdict saved, its thumbnail).
* :mod:`~optguide_sphinx.verdicts`: where an example's verdict is saved and how it is read;
  its badge.
* :mod:`~optguide_sphinx.verdict_pages`: the verdict box under each example's title, badges
  on the gallery cards, the ``optguide-verdicts`` list directive.
* :mod:`~optguide_sphinx.thumbnails`: a wide first figure's left panel as its card thumbnail.
* :mod:`~optguide_sphinx.offline`: no page loads anything from the network (CDN scripts and
  stylesheets in sphinx-gallery's generated reST removed).
* :mod:`~optguide_sphinx.alt_text`: alt text of SVG figures from their own texts.
* :mod:`~optguide_sphinx.downloads`: executed MyST pages get an ``.ipynb`` in the theme's
  download menu.
* :mod:`~optguide_sphinx.required`: ``optguide_required_outputs``, files a build must produce.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

from .alt_text import describe_figures, figure_description
from .downloads import offer_executed_notebook
from .gallery import EXAMPLE_ORDER, ExampleOrder, example_title, nest_subsections
from .hook import ExampleHook
from .offline import drop_remote_assets
from .required import check_required_outputs
from .thumbnails import WIDE_FIGURE, first_panel_thumbnail
from .verdict_pages import VerdictBoxDirective, VerdictsDirective, insert_verdict_boxes
from .verdicts import (
    BADGE_COLORS,
    BADGE_TEXT,
    VERDICT_SUFFIX,
    badge,
    badge_html,
    example_verdict,
    verdict_file,
)

__all__ = ["BADGE_COLORS", "BADGE_TEXT", "EXAMPLE_ORDER", "VERDICT_SUFFIX", "WIDE_FIGURE",
           "ExampleHook", "ExampleOrder", "VerdictBoxDirective", "VerdictsDirective", "badge",
           "badge_html", "example_title", "example_verdict", "figure_description",
           "first_panel_thumbnail", "setup", "verdict_file"]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the configuration value, the directives and the event handlers."""
    app.add_config_value("optguide_required_outputs", [], "html", list)
    app.add_directive("optguide-verdicts", VerdictsDirective)
    app.add_directive("optguide-verdict-box", VerdictBoxDirective)
    app.connect("source-read", insert_verdict_boxes)
    app.connect("source-read", nest_subsections)
    app.connect("source-read", drop_remote_assets)
    app.connect("doctree-resolved", describe_figures)
    # Before the book theme builds its header buttons (priority 501).
    app.connect("html-page-context", offer_executed_notebook, priority=400)
    app.connect("build-finished", check_required_outputs)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
