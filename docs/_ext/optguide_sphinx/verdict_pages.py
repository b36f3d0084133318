"""Verdicts on the pages: a box under each example's title, badges on cards, a list directive.

* ``.. optguide-verdict-box:: mnist/plot_mnist_defaults`` (:class:`VerdictBoxDirective`): a
  colour-coded box with the outcome, the claim, its sentence and what would have flipped it.
  :func:`insert_verdict_boxes` puts one right under each example page's title, and the
  outcome's badge on each gallery card. No example needs code for it beyond its final
  ``print(verdict.line())``.
* ``.. optguide-verdicts::`` (:class:`VerdictsDirective`) lists gallery examples with the
  verdict each showed in this build, so pages can quote the evidence without restating a
  number.

Both read the files :class:`~optguide_sphinx.hook.ExampleHook` saved
(:func:`~optguide_sphinx.verdicts.example_verdict`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .gallery import EXAMPLE_ORDER, example_title
from .verdicts import badge, badge_html, example_verdict, saved_verdict_path

logger = logging.getLogger(__name__)

#: What a verdict box says for an example that was not executed.
NOT_EXECUTED = "This example was not executed in this build, so it has no verdict here."
#: A number and what belongs to it, which a line must not split: "97.66 %", "0.24 points",
#: "± 0.24", "n = 10", "lr = 0.1", "[+0.03, +0.38]".
_KEEP_TOGETHER = (
    re.compile(r"(?<=\d) (?=%|±|points?\b|pp\b|s\b|ms\b|epochs?\b|seeds?\b|runs?\b)"),
    re.compile(r"(?<=[±=]) (?=[-+−]?\d)"),
    re.compile(r"(?<=\b[nk]) (?==)|(?<=\blr) (?==)"),
    re.compile(r"(?<=\d,) (?=[-+−]?\d[\d.]*\])"),  # inside an interval [+0.03, +0.38]
    re.compile(r"(?<=\d) (?=\[)|(?<=\]) (?=points?\b|%)"),  # +0.21 [...] points
)


def claim_intro(verdict: dict[str, Any]) -> str:
    """``"The article: "`` or ``"The site's own question: "``: whose claim the verdict tests
    (:data:`optguide.claims.SOURCE_LABELS`; verdicts saved before sources existed are the
    article's)."""
    from optguide.claims import SOURCE_LABELS

    return f"{SOURCE_LABELS[verdict.get('source', 'article')]}: "


def claim_paragraph(verdict: dict[str, Any]) -> nodes.paragraph:
    """``The article: <claim>`` (or the site's own question), as the box and the list show it."""
    claim = nodes.paragraph(classes=["optguide-verdict-claim"])
    intro = claim_intro(verdict)
    claim += nodes.emphasis(intro, intro)
    claim += nodes.Text(verdict["claim"])
    return claim


def unbreakable(text: str) -> str:
    """``text`` with no-break spaces where a line break would split a number from its unit,
    its sign of uncertainty or its name (``97.66 ± 0.24 %`` stays on one line)."""
    for pattern in _KEEP_TOGETHER:
        text = pattern.sub("\u00a0", text)
    return text


class VerdictBoxDirective(SphinxDirective):
    """The verdict box of one example: ``.. optguide-verdict-box:: mnist/plot_mnist_defaults``.

    Put under each example's title by :func:`insert_verdict_boxes`; usable by hand too.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        conf = self.config.sphinx_gallery_conf
        gallery = Path(self.env.srcdir) / conf["gallery_dirs"][0]
        generated = gallery / f"{self.arguments[0]}.rst"
        self.env.note_dependency(str(saved_verdict_path(generated)))
        return [verdict_box(example_verdict(generated))]


def verdict_box(verdict: dict[str, Any] | None) -> nodes.container:
    """The box of a saved verdict (:meth:`optguide.claims.Verdict.to_dict`), or of none."""
    outcome = verdict["outcome"] if verdict else None
    box = nodes.container(classes=["optguide-verdict-box",
                                   f"optguide-verdict-{outcome or 'none'}"])
    head = nodes.paragraph(classes=["optguide-verdict-head"])
    head += nodes.strong("Verdict", "Verdict")
    head += nodes.Text(" ")
    head += badge(outcome)
    box += head
    if verdict and verdict.get("claim"):
        box += claim_paragraph(verdict)
    sentence = unbreakable(verdict["sentence"]) if verdict else NOT_EXECUTED
    box += nodes.paragraph(sentence, sentence, classes=["optguide-verdict-sentence"])
    if verdict and verdict.get("flip"):
        flip = nodes.paragraph(classes=["optguide-verdict-flip"])
        flip += nodes.emphasis("What would have flipped it: ", "What would have flipped it: ")
        flip += nodes.Text(unbreakable(verdict["flip"]))
        box += flip
    if verdict and verdict.get("details"):
        # Folded: every interval and per-condition number, one click away.
        box += nodes.raw("", '<details class="optguide-verdict-details"><summary>The numbers'
                         f'</summary><p>{html.escape(unbreakable(verdict["details"]))}</p></details>',
                         format="html")
    return box


class VerdictsDirective(SphinxDirective):
    """List gallery examples with the verdicts they showed in this build.

    Arguments: example paths relative to the gallery source without ``.py``
    (``mnist/plot_mnist_defaults``); none lists every example in
    :data:`~optguide_sphinx.gallery.EXAMPLE_ORDER`. Option ``:compact:`` drops the sentences
    (badge and link only). An executed example without a verdict is a warning.
    """

    optional_arguments = 100
    has_content = False
    option_spec = {"compact": directives.flag}

    def run(self) -> list[nodes.Node]:
        conf = self.config.sphinx_gallery_conf
        srcdir = Path(self.env.srcdir)
        source = (srcdir / conf["examples_dirs"][0]).resolve()
        gallery = srcdir / conf["gallery_dirs"][0]
        gallery_name = Path(conf["gallery_dirs"][0]).as_posix().replace("/", "_")
        names = list(self.arguments) or [
            f"{script.parent.name}/{script.stem}"
            for file in EXAMPLE_ORDER for script in sorted(source.glob(f"*/{file}"))]
        executed = re.compile(conf["filename_pattern"])
        items = nodes.bullet_list(classes=["optguide-verdicts"])
        for name in names:
            script = source / f"{name}.py"
            if not script.is_file():
                logger.warning(f"optguide-verdicts: no example {name}.py in {source}",
                               location=self.get_location())
                continue
            generated = gallery / f"{name}.rst"
            self.env.note_dependency(str(generated))
            self.env.note_dependency(str(saved_verdict_path(generated)))
            verdict = example_verdict(generated)
            if verdict is None and executed.search(str(script)):
                logger.warning(f"optguide-verdicts: example {name}.py showed no verdict "
                               f"(print(verdict.line()))", location=self.get_location())
            label = f"sphx_glr_{gallery_name}_{name.replace('/', '_')}.py"
            items += verdict_item(verdict, label, example_title(script),
                                  compact="compact" in self.options)
        return [items]


def verdict_item(verdict: dict[str, Any] | None, label: str, title: str,
                 compact: bool = False) -> nodes.list_item:
    """One entry of :class:`VerdictsDirective`: badge, link to ``label``, the article's claim
    and the verdict's plain sentence (the last two not when ``compact``)."""
    outcome = verdict["outcome"] if verdict else ""
    sentence = unbreakable(verdict["sentence"]) if verdict else "not executed in this build"
    link = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label,
                                 refexplicit=True, refwarn=True)
    link += nodes.inline(title, title)
    head = nodes.paragraph(classes=["optguide-verdict-head"])
    if outcome:
        head += badge(outcome)
        head += nodes.Text(" ")
    head += nodes.strong("", "", link)
    item = nodes.list_item("", head, classes=[f"optguide-verdict-{outcome or 'none'}"])
    if not compact:
        if verdict and verdict.get("claim"):
            item += claim_paragraph(verdict)
        item += nodes.paragraph(sentence, sentence, classes=["optguide-verdict-sentence"])
    return item


#: The title of a generated example page: its label, a blank line, the title, its underline.
EXAMPLE_TITLE = re.compile(r"^(\.\. _sphx_glr_\S+\.py:\n\n+[^\n]+\n([=\-~^\"'#*+])\2+\n)",
                           re.MULTILINE)
#: One card of a generated gallery index, from its link to its title.
CARD = re.compile(r"(:doc:`/?(?P<doc>[^`]+)`\n\n\.\. raw:: html\n\n\s*"
                  r"<div class=\"sphx-glr-thumbnail-title\">)(?P<title>.*?)(</div>)", re.DOTALL)


def box_under_title(text: str, name: str) -> str:
    """An example page's reST with ``.. optguide-verdict-box:: name`` under its title."""
    return EXAMPLE_TITLE.sub(lambda m: f"{m[1]}\n.. optguide-verdict-box:: {name}\n\n", text,
                             count=1)


def card_badges(text: str, name: str, gallery: Path, gallery_dir: str,
                note_dependency: Callable[[str], None] | None = None) -> str:
    """A gallery index's reST with the verdict badge after each example card's title.

    Parameters
    ----------
    text : str
        The generated index (``index`` or ``mnist/index``, say).
    name : str
        The index's document name inside the gallery (``index``, ``mnist/index``).
    gallery : pathlib.Path
        The generated gallery folder (holding the pages and their verdict files).
    gallery_dir : str
        The gallery folder relative to the Sphinx source (``auto_examples``).
    note_dependency : callable, optional
        Called with each verdict file read, so that a new verdict re-reads the index.
    """
    def with_badge(match: re.Match) -> str:
        doc = match["doc"]
        if doc.startswith(gallery_dir + "/"):
            doc = doc[len(gallery_dir) + 1:]
        elif "/" not in doc:  # relative to a subsection index
            doc = f"{Path(name).parent.as_posix()}/{doc}"
        generated = gallery / f"{doc}.rst"
        if not Path(doc).name.startswith("plot_") or not generated.is_file():
            return match[0]
        if note_dependency is not None:
            note_dependency(str(saved_verdict_path(generated)))
        verdict = example_verdict(generated)
        return (match[1] + match["title"] + "</div>"
                + f'<div class="optguide-card-verdict">'
                  f'{badge_html(verdict["outcome"] if verdict else None)}</div>')

    return CARD.sub(with_badge, text)


def insert_verdict_boxes(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: a verdict box under each example's title, a badge on each gallery card."""
    gallery_dir = Path(app.config.sphinx_gallery_conf["gallery_dirs"][0]).as_posix()
    if not docname.startswith(gallery_dir + "/"):
        return
    name = docname[len(gallery_dir) + 1:]
    if Path(name).name.startswith("plot_"):
        source[0] = box_under_title(source[0], name)
    else:
        source[0] = card_badges(source[0], name, Path(app.srcdir) / gallery_dir, gallery_dir,
                                app.env.note_dependency)
