"""Pages that load nothing from the network: the generated reST's CDN references removed.

sphinx-gallery's computation-times pages load jQuery, DataTables and Bootstrap from CDNs
(:data:`REMOTE_TABLE_SCRIPTS`; the table stays, without sorting), and matplotlib's HTML
animations load Font Awesome (:data:`REMOTE_ICONS`; the site's CSS draws their buttons'
icons instead).
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx

#: The raw-HTML block before the table of sphinx-gallery's computation-times pages.
REMOTE_TABLE_SCRIPTS = re.compile(r"  \.\. raw:: html\n.*?(?=  \.\. list-table::)", re.DOTALL)
#: The Font Awesome stylesheet (from a CDN) of matplotlib's HTML animations.
REMOTE_ICONS = re.compile(r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/'
                          r'font-awesome/[^"]*">')


def is_execution_times(docname: str) -> bool:
    """Whether ``docname`` is one of sphinx-gallery's computation-times pages."""
    return docname == "sg_execution_times" or docname.endswith("/sg_execution_times")


def without_remote_assets(docname: str, text: str) -> str:
    """``text`` (the reST of page ``docname``) without the remote scripts and stylesheets."""
    if is_execution_times(docname):
        text = REMOTE_TABLE_SCRIPTS.sub("", text)
    return REMOTE_ICONS.sub("", text)


def drop_remote_assets(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: :func:`without_remote_assets`."""
    source[0] = without_remote_assets(docname, source[0])
