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
"""

from __future__ import annotations

import ast
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

logger = logging.getLogger(__name__)

VERDICT_LINE = re.compile(r"^\s*Verdict: (confirmed|refuted|depends|inconclusive) - (.+?)\s*$",
                          re.MULTILINE)
BADGE_COLORS = {"confirmed": "success", "refuted": "danger", "depends": "warning",
                "inconclusive": "secondary"}
BADGE_TEXT = {"confirmed": "confirmed", "refuted": "refuted", "depends": "it depends",
              "inconclusive": "inconclusive"}

#: Reading order of the gallery: the article's experiment first, then what explains it.
EXAMPLE_ORDER = (
    # MNIST
    "plot_mnist_defaults.py",
    "plot_keras_vs_pytorch_defaults.py",
    "plot_learning_rate_sweep.py",
    "plot_gradient_descent_variants.py",
    "plot_noisy_gradients.py",
    "plot_wall_clock.py",
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
            verdict = printed_verdict(generated)
            if verdict is None and executed.search(str(script)):
                logger.warning(f"optguide-verdicts: example {name}.py printed no verdict line "
                               f"('Verdict: confirmed|refuted|depends|inconclusive - ...')",
                               location=self.get_location())
            outcome, sentence = verdict or ("", "not executed in this build")
            label = f"sphx_glr_{gallery_name}_{name.replace('/', '_')}.py"
            link = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=label,
                                         refexplicit=True, refwarn=True)
            link += nodes.inline(example_title(script), example_title(script))
            head = nodes.paragraph(classes=["optguide-verdict-head"])
            if outcome:
                color = BADGE_COLORS[outcome]
                head += nodes.inline(BADGE_TEXT[outcome], BADGE_TEXT[outcome], classes=[
                    "sd-sphinx-override", "sd-badge", f"sd-bg-{color}", f"sd-bg-text-{color}",
                    "optguide-verdict-badge"])
                head += nodes.Text(" ")
            head += nodes.strong("", "", link)
            item = nodes.list_item("", head, classes=[f"optguide-verdict-{outcome or 'none'}"])
            if "compact" not in self.options:
                item += nodes.paragraph(sentence, sentence, classes=["optguide-verdict-sentence"])
            items += item
        return [items]


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
    # Before the book theme builds its header buttons (priority 501).
    app.connect("html-page-context", _offer_executed_notebook, priority=400)
    app.connect("build-finished", _check_required_outputs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
