"""What runs around each executed gallery example (sphinx-gallery's ``reset_modules``)."""

from __future__ import annotations

from typing import Any

from .thumbnails import first_panel_thumbnail
from .verdicts import save_verdict, verdict_file


class ExampleHook:
    """sphinx-gallery ``reset_modules`` entry run before and after each executed example.

    Before: forget earlier verdicts and apply the site's matplotlib style
    (:func:`optguide.plots.use_style`). After: the card thumbnail of a wide first figure
    becomes its left panel (:func:`~optguide_sphinx.thumbnails.first_panel_thumbnail`) and
    the last verdict the example showed is saved beside its generated page, or a stale one
    removed (:func:`~optguide_sphinx.verdicts.save_verdict`). An instance, not a function, so
    that Sphinx can pickle the configuration.
    """

    def __call__(self, gallery_conf: dict[str, Any], fname: str | None, when: str) -> None:
        from optguide import claims, plots

        if when == "before":
            claims.SHOWN.clear()
            plots.use_style()
            return
        target = verdict_file(gallery_conf, fname) if fname else None
        if target is None:
            return
        first_panel_thumbnail(gallery_conf, fname, target.parent)
        save_verdict(target, claims.SHOWN)
        claims.SHOWN.clear()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExampleHook)

    def __hash__(self) -> int:
        return hash(ExampleHook)

    def __repr__(self) -> str:
        return "<ExampleHook>"
