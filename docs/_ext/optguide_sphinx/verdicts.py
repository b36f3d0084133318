"""The verdict each gallery example showed: where it is saved, how it is read, its badge.

An example's verdict is the last :class:`optguide.claims.Verdict` whose line it printed
(:data:`optguide.claims.SHOWN`). :class:`~optguide_sphinx.hook.ExampleHook` saves it as
``<example>.verdict.json`` beside the example's generated page; the pages read only that file.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from docutils import nodes

from optguide.claims import OUTCOME_LABELS, OUTCOMES, Verdict

from .gallery import gallery_paths

#: Suffix of the file beside a generated example page that holds the verdict it showed.
VERDICT_SUFFIX = ".verdict.json"
#: Colour of each outcome's badge, the ``optguide-badge-<colour>`` classes of
#: ``_static/optguide.css``: each its own hue, white text at a contrast of at least 4.5:1 in
#: light and dark mode (the theme's "secondary" and "warning" were the same orange, at 2.45:1).
BADGE_COLORS = {"confirmed": "green", "refuted": "red", "depends": "brown",
                "inconclusive": "grey"}
#: Text of each outcome's badge.
BADGE_TEXT = OUTCOME_LABELS


def saved_verdict_path(generated: Path) -> Path:
    """The verdict file beside the generated page ``generated`` (``.../plot_x.rst``)."""
    return generated.with_name(generated.stem + VERDICT_SUFFIX)


def verdict_file(conf: dict[str, Any], script: str | Path) -> Path | None:
    """Where the verdict of example ``script`` (a path or a bare file name) is saved.

    None when no example of that name is in the gallery's source folder.
    """
    source, gallery = gallery_paths(conf)
    script = Path(script)
    if not script.is_absolute() or not script.is_file():
        found = sorted(source.rglob(script.name))
        if not found:
            return None
        script = found[0]
    relative = script.resolve().relative_to(source)
    return gallery / relative.parent / (relative.stem + VERDICT_SUFFIX)


def save_verdict(target: Path, shown: list[Verdict]) -> None:
    """Save the last verdict of ``shown`` as ``target``; remove a stale file when none was."""
    if shown:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(shown[-1].to_dict(), indent=1) + "\n", encoding="utf-8")
    elif target.exists():
        target.unlink()


def example_verdict(generated: Path) -> dict[str, Any] | None:
    """The verdict of the example whose generated page is ``generated`` (``plot_x.rst``).

    Returns
    -------
    dict or None
        :meth:`optguide.claims.Verdict.to_dict` as the build saved it; None when the example
        showed no verdict or was not executed (no file, or one without a known outcome).
    """
    saved = saved_verdict_path(generated)
    if not saved.is_file():
        return None
    data = json.loads(saved.read_text(encoding="utf-8"))
    return data if data.get("outcome") in OUTCOMES else None


def _badge_parts(outcome: str | None) -> tuple[str, str]:
    """(text, sphinx-design colour) of ``outcome``'s badge."""
    return (BADGE_TEXT.get(outcome or "", "no verdict"),
            BADGE_COLORS.get(outcome or "", "grey"))


def badge(outcome: str | None) -> nodes.inline:
    """The coloured badge of ``outcome`` (a grey "no verdict" one for None)."""
    text, color = _badge_parts(outcome)
    return nodes.inline(text, text, classes=[
        "sd-sphinx-override", "sd-badge", f"optguide-badge-{color}", "optguide-verdict-badge"])


def badge_html(outcome: str | None) -> str:
    """:func:`badge` as HTML, for the gallery cards (raw HTML in sphinx-gallery's index)."""
    text, color = _badge_parts(outcome)
    return (f'<span class="sd-sphinx-override sd-badge optguide-badge-{color} '
            f'optguide-verdict-badge optguide-card-badge">{html.escape(text)}</span>')
