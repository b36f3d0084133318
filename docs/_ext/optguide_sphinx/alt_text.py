"""Alt text of figures from their own texts (the comments matplotlib writes into an SVG)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

#: Comments matplotlib writes into an SVG for each text it draws.
SVG_TEXT = re.compile(r"<!--\s*(.*?)\s*-->", re.DOTALL)


def figure_description(svg: str, limit: int = 8) -> str | None:
    """A figure's texts (titles, axis labels, legend entries) from its matplotlib SVG.

    Tick labels (numbers), matplotlib's own comment and TeX commands are left out; a text
    that repeats is named once.

    Parameters
    ----------
    svg : str
        The SVG as matplotlib wrote it.
    limit : int
        At most this many texts are named (``; ...`` says there were more).

    Returns
    -------
    str or None
        ``"Figure: <text>; <text>; ..."``; None when the figure has no such text.
    """
    texts: list[str] = []
    for text in SVG_TEXT.findall(svg):
        text = html.unescape(text).replace("$", "").strip()
        if (len(text) < 3 or not re.search(r"[A-Za-z]{2}", text) or text in texts
                or text.startswith(("Created with", "\\"))):
            continue
        texts.append(text)
    if not texts:
        return None
    return "Figure: " + "; ".join(texts[:limit]) + ("; ..." if len(texts) > limit else "")


def describe_images(doctree: nodes.document, bases: list[Path]) -> int:
    """Give every SVG image of ``doctree`` without alt text its :func:`figure_description`.

    Parameters
    ----------
    doctree : docutils.nodes.document
        A resolved page.
    bases : list of pathlib.Path
        Folders an image's URI may be relative to, first match wins.

    Returns
    -------
    int
        How many images were described.
    """
    described = 0
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if image.get("alt") or not uri.endswith(".svg"):
            continue
        for base in bases:
            path = (base / uri).resolve()
            if path.is_file():
                description = figure_description(path.read_text(encoding="utf-8",
                                                                errors="replace"))
                if description:
                    image["alt"] = description
                    described += 1
                break
    return described


def describe_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: alt text from the figure's own texts for images that have none."""
    describe_images(doctree, [Path(app.srcdir), Path(app.srcdir, docname).parent])
