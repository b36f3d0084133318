"""The evidence gallery's order and layout.

* :class:`ExampleOrder` sorts the gallery in reading order (sphinx-gallery's
  ``within_subsection_order`` takes it by name, so the configuration stays picklable).
* :func:`nest_subsections` makes the subsections' titles sections of the gallery's index, so
  that its table of contents and the sidebar list the examples.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

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
    "plot_adamw_vs_l2.py",
    # synthetic problems
    "plot_2d_trajectories.py",
    "plot_saddle_point.py",
    "plot_sparse_features.py",
    "plot_effective_learning_rate.py",
)


class ExampleOrder:
    """Sort key of examples within a gallery section: :data:`EXAMPLE_ORDER`, then by name.

    Parameters
    ----------
    src_dir : str or pathlib.Path
        The section's source folder (sphinx-gallery passes it; the key does not need it).
    """

    def __init__(self, src_dir: str | Path) -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str | Path) -> tuple[int, str]:
        name = Path(filename).name
        position = EXAMPLE_ORDER.index(name) if name in EXAMPLE_ORDER else len(EXAMPLE_ORDER)
        return position, name

    def __repr__(self) -> str:
        return "<ExampleOrder>"


def gallery_paths(conf: dict[str, Any]) -> tuple[Path, Path]:
    """(examples source folder, generated gallery folder) of the first gallery.

    Parameters
    ----------
    conf : dict
        sphinx-gallery's configuration after it filled it in (``src_dir`` set).
    """
    src_dir = Path(conf["src_dir"])
    return ((src_dir / conf["examples_dirs"][0]).resolve(),
            (src_dir / conf["gallery_dirs"][0]).resolve())


def example_title(script: Path) -> str:
    """The title of a gallery example: the first line of its module docstring."""
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
    return next((line.strip() for line in docstring.splitlines() if line.strip()), script.stem)


#: A title underlined with ``=`` (the gallery's own and its subsections').
_TITLE = re.compile(r"^([^\n]+)\n(=+)\n", re.MULTILINE)


def subsections_under_title(text: str) -> str:
    """Demote every ``===`` title after the first one of ``text`` to a ``---`` section.

    In sphinx-gallery's index the subsections' titles are siblings of the gallery's title:
    they would end its table of contents before the examples, and the sidebar would not list
    them.
    """
    first = _TITLE.search(text)
    if first is None:
        return text
    rest = _TITLE.sub(lambda m: f"{m[1]}\n{'-' * len(m[2])}\n", text[first.end():])
    return text[:first.end()] + rest


def nest_subsections(app: Sphinx, docname: str, source: list[str]) -> None:
    """source-read: :func:`subsections_under_title` on the gallery's index page."""
    gallery_dir = Path(app.config.sphinx_gallery_conf["gallery_dirs"][0]).as_posix()
    if docname == f"{gallery_dir}/index":
        source[0] = subsections_under_title(source[0])
