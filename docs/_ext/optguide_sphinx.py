"""Sphinx glue of the optguide site: gallery order, notebook downloads, required outputs.

* :class:`ExampleOrder` sorts the evidence gallery in reading order (sphinx-gallery's
  ``within_subsection_order`` takes it by name, so the configuration stays picklable).
* Executed MyST pages get an ``.ipynb`` entry in the theme's download menu (the executed
  notebook myst-nb wrote), like notebooks written as ``.ipynb``.
* ``optguide_required_outputs`` lists files the built site must contain (the raw results
  JSON the comparison page links to); a build without them fails with an error.
* The ``optguide-verdicts`` directive lists gallery examples with the verdict line each one
  printed in this build (read from sphinx-gallery's generated pages), so pages can quote the
  evidence without restating a number.
* Verdict boxes: :class:`ExampleHook` (in sphinx-gallery's ``reset_modules``) saves the last
  :class:`optguide.claims.Verdict` an example showed as ``<example>.verdict.json`` beside its
  generated page; when Sphinx reads that page, a colour-coded box with the outcome and its
  sentence is put right under the title, and each gallery card gets the outcome's badge. No
  example needs code for it beyond its final ``print(verdict.line())``.
* Matplotlib style: the same hook applies :func:`optguide.plots.use_style` before each example.
"""

from __future__ import annotations

import ast
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from optguide.claims import OUTCOME_LABELS, OUTCOMES

logger = logging.getLogger(__name__)

VERDICT_LINE = re.compile(r"^\s*Verdict: (" + "|".join(OUTCOMES) + r") - (.+?)\s*$",
                          re.MULTILINE)
#: sphinx-design colour of each outcome's badge (the same on every page).
BADGE_COLORS = {"confirmed": "success", "refuted": "danger", "depends": "warning",
                "inconclusive": "secondary"}
BADGE_TEXT = OUTCOME_LABELS
#: Suffix of the file beside a generated example page that holds the verdict it showed.
VERDICT_SUFFIX = ".verdict.json"

#: Reading order of the gallery: the article's experiment first, then what explains it.
EXAMPLE_ORDER = (
    # MNIST
    "plot_mnist_defaults.py",
    "plot_keras_vs_pytorch_defaults.py",
    "plot_defaults_fairness.py",
    "plot_learning_rate_sweep.py",
    "plot_adagrad_vs_sgd.py",
    "plot_sgd_beats_adam.py",
    "plot_sgd_constant_rate.py",
    "plot_gradient_descent_variants.py",
    "plot_noisy_gradients.py",
    "plot_wall_clock.py",
    "plot_sgd_step_cost.py",
    "plot_cnn_comparison.py",
    # synthetic problems
    "plot_2d_trajectories.py",
    "plot_saddle_point.py",
    "plot_sparse_features.py",
    "plot_effective_learning_rate.py",
)


class ExampleOrder:
    """Sort key of examples within a gallery section: :data:`EXAMPLE_ORDER`, then by name."""

    def __init__(self, src_dir: str | Path) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str | Path) -> tuple[int, str]:
        name = Path(filename).name
        position = EXAMPLE_ORDER.index(name) if name in EXAMPLE_ORDER else len(EXAMPLE_ORDER)
        return position, name

    def __repr__(self) -> str:
        return "<ExampleOrder>"


def example_title(script: Path) -> str:
    """The title of a gallery example: the first line of its module docstring."""
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    return next((line.strip() for line in docstring.splitlines() if line.strip()), script.stem)


def printed_verdict(generated: Path) -> tuple[str, str] | None:
    """``(outcome, sentence)`` of the last verdict line in an example's generated page."""
    if not generated.is_file():
        return None
    found = VERDICT_LINE.findall(generated.read_text(encoding="utf-8"))
    return found[-1] if found else None


class VerdictsDirective(SphinxDirective):
    """List gallery examples with the verdicts they printed in this build.

    Arguments: example paths relative to the gallery source without ``.py``
    (``mnist/plot_mnist_defaults``); none lists every example in :data:`EXAMPLE_ORDER`.
    Option ``:compact:`` drops the sentences (badge and link only).
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
            self.env.note_dependency(str(generated.with_name(generated.stem + VERDICT_SUFFIX)))
            verdict = example_verdict(generated)
            if verdict is None and executed.search(str(script)):
                logger.warning(f"optguide-verdicts: example {name}.py showed no verdict "
                               f"(print(verdict.line()))", location=self.get_location())
            outcome = verdict["outcome"] if verdict else ""
            sentence = verdict["sentence"] if verdict else "not executed in this build"
            label = f"sphx_glr_{gallery_name}_{name.replace('/', '_')}.py"
            link = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label,
                                         refexplicit=True, refwarn=True)
            link += nodes.inline(example_title(script), example_title(script))
            head = nodes.paragraph(classes=["optguide-verdict-head"])
            if outcome:
                head += badge(outcome)
                head += nodes.Text(" ")
            head += nodes.strong("", "", link)
            item = nodes.list_item("", head, classes=[f"optguide-verdict-{outcome or 'none'}"])
            if "compact" not in self.options:
                item += nodes.paragraph(sentence, sentence, classes=["optguide-verdict-sentence"])
            items += item
        return [items]


# ------------------------------------------------------------------------------ verdict boxes

def _gallery_paths(conf: dict[str, Any]) -> tuple[Path, Path]:
    """(examples source folder, generated gallery folder) of the first gallery."""
    src_dir = Path(conf["src_dir"])
    return ((src_dir / conf["examples_dirs"][0]).resolve(),
            (src_dir / conf["gallery_dirs"][0]).resolve())


def verdict_file(conf: dict[str, Any], script: str | Path) -> Path | None:
    """Where the verdict of example ``script`` (a path or a bare file name) is saved."""
    source, gallery = _gallery_paths(conf)
    script = Path(script)
    if not script.is_absolute() or not script.is_file():
        found = sorted(source.rglob(script.name))
        if not found:
            return None
        script = found[0]
    relative = script.resolve().relative_to(source)
    return gallery / relative.parent / (relative.stem + VERDICT_SUFFIX)


class ExampleHook:
    """sphinx-gallery ``reset_modules`` entry run before and after each executed example.

    Before: forget earlier verdicts and apply the site's matplotlib style. After: save the
    last verdict the example showed beside its generated page (or remove a stale one). An
    instance, not a function, so that Sphinx can pickle the configuration.
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
        _first_panel_thumbnail(gallery_conf, fname, target.parent)
        if claims.SHOWN:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(claims.SHOWN[-1].to_dict(), indent=1) + "\n",
                              encoding="utf-8")
        elif target.exists():
            target.unlink()
        claims.SHOWN.clear()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExampleHook)

    def __hash__(self) -> int:
        return hash(ExampleHook)

    def __repr__(self) -> str:
        return "<ExampleHook>"


#: A first figure wider than this (width / height) has panels side by side.
WIDE_FIGURE = 1.8


def _first_panel_thumbnail(conf: dict[str, Any], fname: str, gallery_subdir: Path) -> None:
    """Replace the card thumbnail of a wide first figure by its left panel, readable at card size.

    Examples that choose their thumbnail (``sphinx_gallery_thumbnail_number`` or ``_path``)
    keep it.
    """
    from PIL import Image
    from sphinx_gallery.gen_rst import scale_image

    source, _ = _gallery_paths(conf)
    stem = Path(fname).stem
    script = next(iter(sorted(source.rglob(Path(fname).name))), None)
    if script is None or "sphinx_gallery_thumbnail" in script.read_text(encoding="utf-8"):
        return
    images = gallery_subdir / "images"
    figure = next((path for path in (images / f"sphx_glr_{stem}_001_2_00x.png",
                                     images / f"sphx_glr_{stem}_001.png") if path.is_file()), None)
    thumb = images / "thumb" / f"sphx_glr_{stem}_thumb.png"
    if figure is None or not thumb.is_file():
        return
    with Image.open(figure) as image:
        width, height = image.size
        if width / height < WIDE_FIGURE:
            return
        panel = image.crop((0, 0, int(width * 0.52), height))
        cropped = thumb.with_name(thumb.stem + ".panel.png")
        panel.save(cropped)
    scale_image(str(cropped), str(thumb), *conf["thumbnail_size"])
    cropped.unlink()


def example_verdict(generated: Path) -> dict[str, Any] | None:
    """The verdict of the example whose generated page is ``generated`` (``plot_x.rst``).

    Read from the ``.verdict.json`` the build saved; else from the verdict line the page
    printed (``claim`` is then None); None when the example showed no verdict.
    """
    saved = generated.with_name(generated.stem + VERDICT_SUFFIX)
    if saved.is_file():
        data = json.loads(saved.read_text(encoding="utf-8"))
        if data.get("outcome") in OUTCOMES:
            return data
    printed = printed_verdict(generated)
    if printed is None:
        return None
    return {"outcome": printed[0], "sentence": printed[1], "claim": None}


def badge(outcome: str | None) -> nodes.inline:
    """The coloured badge of ``outcome`` (a grey "no verdict" one for None)."""
    text = BADGE_TEXT.get(outcome or "", "no verdict")
    color = BADGE_COLORS.get(outcome or "", "secondary")
    return nodes.inline(text, text, classes=[
        "sd-sphinx-override", "sd-badge", f"sd-bg-{color}", f"sd-bg-text-{color}",
        "optguide-verdict-badge"])


def badge_html(outcome: str | None) -> str:
    """:func:`badge` as HTML, for the gallery cards (raw HTML in sphinx-gallery's index)."""
    text = BADGE_TEXT.get(outcome or "", "no verdict")
    color = BADGE_COLORS.get(outcome or "", "secondary")
    return (f'<span class="sd-sphinx-override sd-badge sd-bg-{color} sd-bg-text-{color} '
            f'optguide-verdict-badge optguide-card-badge">{html.escape(text)}</span>')


class VerdictBoxDirective(SphinxDirective):
    """The verdict box of one example: ``.. optguide-verdict-box:: mnist/plot_mnist_defaults``.

    Put under each example's title by :func:`_insert_verdict_boxes`; usable by hand too.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        conf = self.config.sphinx_gallery_conf
        gallery = Path(self.env.srcdir) / conf["gallery_dirs"][0]
        generated = gallery / f"{self.arguments[0]}.rst"
        saved = generated.with_name(generated.stem + VERDICT_SUFFIX)
        self.env.note_dependency(str(saved))
        verdict = example_verdict(generated)
        outcome = verdict["outcome"] if verdict else None
        box = nodes.container(classes=["optguide-verdict-box",
                                       f"optguide-verdict-{outcome or 'none'}"])
        head = nodes.paragraph(classes=["optguide-verdict-head"])
        head += nodes.strong("Verdict", "Verdict")
        head += nodes.Text(" ")
        head += badge(outcome)
        box += head
        if verdict and verdict.get("claim"):
            claim = nodes.paragraph(classes=["optguide-verdict-claim"])
            claim += nodes.emphasis("Claim tested: ", "Claim tested: ")
            claim += nodes.Text(verdict["claim"])
            box += claim
        sentence = verdict["sentence"] if verdict else (
            "This example was not executed in this build, so it has no verdict here.")
        box += nodes.paragraph(sentence, sentence, classes=["optguide-verdict-sentence"])
        if verdict and verdict.get("flip"):
            flip = nodes.paragraph(classes=["optguide-verdict-flip"])
            flip += nodes.emphasis("What would have flipped it: ", "What would have flipped it: ")
            flip += nodes.Text(verdict["flip"])
            box += flip
        return [box]


#: The title of a generated example page: its label, a blank line, the title, its underline.
_EXAMPLE_TITLE = re.compile(r"^(\.\. _sphx_glr_\S+\.py:\n\n+[^\n]+\n([=\-~^\"'#*+])\2+\n)",
                            re.MULTILINE)
#: One card of a generated gallery index, from its link to its title.
_CARD = re.compile(r"(:doc:`/?(?P<doc>[^`]+)`\n\n\.\. raw:: html\n\n\s*"
                   r"<div class=\"sphx-glr-thumbnail-title\">)(?P<title>.*?)(</div>)", re.DOTALL)


#: The remote scripts (jQuery, DataTables, Bootstrap from CDNs) of sphinx-gallery's timing pages.
_REMOTE_TABLE_SCRIPTS = re.compile(r"  \.\. raw:: html\n.*?(?=  \.\. list-table::)", re.DOTALL)


#: The Font Awesome stylesheet (from a CDN) of matplotlib's HTML animations; the site's CSS
#: draws their buttons' icons instead.
_REMOTE_ICONS = re.compile(r'<link rel="stylesheet"\s+href="https://maxcdn\.bootstrapcdn\.com/'
                           r'font-awesome/[^"]*">')


def _drop_remote_scripts(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: computation-times pages as plain tables, animations without remote CSS."""
    if docname == "sg_execution_times" or docname.endswith("/sg_execution_times"):
        source[0] = _REMOTE_TABLE_SCRIPTS.sub("", source[0])
    source[0] = _REMOTE_ICONS.sub("", source[0])


def _insert_verdict_boxes(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: a verdict box under each example's title, a badge on each gallery card."""
    conf = app.config.sphinx_gallery_conf
    gallery_dir = Path(conf["gallery_dirs"][0]).as_posix()
    if not docname.startswith(gallery_dir + "/"):
        return
    name = docname[len(gallery_dir) + 1:]
    text = source[0]
    if Path(name).name.startswith("plot_"):
        source[0] = _EXAMPLE_TITLE.sub(
            lambda m: f"{m[1]}\n.. optguide-verdict-box:: {name}\n\n", text, count=1)
        return
    gallery = Path(app.srcdir) / gallery_dir
    if name == "index":
        text = _subsections_under_title(text)

    def with_badge(match: re.Match) -> str:
        doc = match["doc"]
        if doc.startswith(gallery_dir + "/"):
            doc = doc[len(gallery_dir) + 1:]
        elif "/" not in doc:  # relative to a subsection index
            doc = f"{Path(name).parent.as_posix()}/{doc}"
        generated = gallery / f"{doc}.rst"
        if not Path(doc).name.startswith("plot_") or not generated.is_file():
            return match[0]
        app.env.note_dependency(str(generated.with_name(generated.stem + VERDICT_SUFFIX)))
        verdict = example_verdict(generated)
        return (match[1] + match["title"] + "</div>"
                + f'<div class="optguide-card-verdict">'
                  f'{badge_html(verdict["outcome"] if verdict else None)}</div>')

    source[0] = _CARD.sub(with_badge, text)


_TITLE = re.compile(r"^([^\n]+)\n(=+)\n", re.MULTILINE)


def _subsections_under_title(text: str) -> str:
    """Make the subsections' titles (``===`` like the gallery's own) sections of the gallery.

    As siblings of the gallery's title they would end its table of contents before the
    examples, and the sidebar would not list them.
    """
    first = _TITLE.search(text)
    if first is None:
        return text
    rest = _TITLE.sub(lambda m: f"{m[1]}\n{'-' * len(m[2])}\n", text[first.end():])
    return text[:first.end()] + rest


# ---------------------------------------------------------------------------------- alt text

#: Comments matplotlib writes into an SVG for each text it draws.
_SVG_TEXT = re.compile(r"<!--\s*(.*?)\s*-->", re.DOTALL)


def figure_description(svg: str, limit: int = 8) -> str | None:
    """A figure's texts (titles, axis labels, legend entries) from its matplotlib SVG.

    Tick labels (numbers) are left out; None when the figure has no such text.
    """
    texts: list[str] = []
    for text in _SVG_TEXT.findall(svg):
        text = html.unescape(text).replace("$", "").strip()
        if (len(text) < 3 or not re.search(r"[A-Za-z]{2}", text) or text in texts
                or text.startswith(("Created with", "\\"))):
            continue
        texts.append(text)
    if not texts:
        return None
    return "Figure: " + "; ".join(texts[:limit]) + ("; ..." if len(texts) > limit else "")


def _describe_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """doctree-resolved: alt text from the figure's own texts for images that have none."""
    for image in doctree.findall(nodes.image):
        uri = image.get("uri", "")
        if image.get("alt") or not uri.endswith(".svg"):
            continue
        for base in (Path(app.srcdir), Path(app.srcdir, docname).parent):
            path = (base / uri).resolve()
            if path.is_file():
                description = figure_description(path.read_text(encoding="utf-8",
                                                                errors="replace"))
                if description:
                    image["alt"] = description
                break


def _offer_executed_notebook(app: Sphinx, pagename: str, templatename: str,
                             context: dict[str, Any], doctree: Any) -> None:
    """Copy the executed notebook of a MyST page next to its source for the download menu."""
    if app.builder.format != "html" or not context.get("sourcename", "").endswith(".md"):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _check_required_outputs(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    missing = [name for name in app.config.optguide_required_outputs
               if not (Path(app.outdir) / name).is_file()]
    if missing:
        raise ExtensionError(
            f"the built site lacks {', '.join(missing)}: the page that writes it was not "
            f"executed in this build (stale notebook cache?). Remove docs/_build and build again")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("optguide_required_outputs", [], "html", list)
    app.add_directive("optguide-verdicts", VerdictsDirective)
    app.add_directive("optguide-verdict-box", VerdictBoxDirective)
    app.connect("source-read", _insert_verdict_boxes)
    app.connect("source-read", _drop_remote_scripts)
    app.connect("doctree-resolved", _describe_figures)
    # Before the book theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_executed_notebook, priority=400)
    app.connect("build-finished", _check_required_outputs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
