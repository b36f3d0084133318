"""Sphinx configuration of the optguide site.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (or ``make -C docs
html``). Pages with numbers are MyST notebooks executed by myst-nb; the evidence gallery is
``examples/`` run by sphinx-gallery. Nothing is fetched from the network at build time.

Environment variables
---------------------
OPTGUIDE_CACHE_DIR
    Results cache of :func:`optguide.compare.compare`; defaults to ``docs/_build/optguide-cache``
    so that a fresh clone always builds cold. Kernels and examples inherit it.
OPTGUIDE_DATA_DIR
    Folder holding ``MNIST/raw`` (see the "Reproduce" page).
OPTGUIDE_GALLERY_PATTERN
    Regular expression replacing sphinx-gallery's ``filename_pattern``: only matching examples
    are executed (for quick development builds; the default executes all of them).
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import sphinx.application

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
BUILD = DOCS / "_build"
EXT = DOCS / "_ext"
sys.path.insert(0, str(EXT))

from optguide_sphinx import ExampleHook  # docs/_ext, put on sys.path above

import optguide
from optguide.cache import code_hash

# -- Project -------------------------------------------------------------------------------
project = "optguide"
author = "the optguide authors"
copyright = f"{datetime.date.today().year}, the optguide authors"
release = version = optguide.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "sphinx_design",
    "optguide_sphinx",
    "optguide_study",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    # sphinx-gallery writes a notebook and a script beside each generated page; without this,
    # Sphinx (with myst-nb) finds two sources for one document.
    "auto_examples/**.ipynb",
    "auto_examples/**.py",
    "auto_examples/**.zip",
    "auto_examples/**.md5",
    "auto_examples/**.json",
]

# -- MyST and notebook execution -------------------------------------------------------------
myst_enable_extensions = ["amsmath", "colon_fence", "deflist", "dollarmath", "attrs_inline",
                          "attrs_block", "substitution"]
myst_heading_anchors = 3

nb_execution_mode = "cache"
nb_execution_timeout = 900
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# myst-nb's cache looks at a page's own code only; keying its folder on the package's code and
# on the pages' helper module makes a change to either re-execute every page (and, this being
# an "env" setting, re-read every page), so stale numbers never reach a page.
_page_code = hashlib.sha256((code_hash() + (EXT / "site_cells.py").read_text()).encode())
nb_execution_cache_path = str(BUILD / "jupyter-cache" / _page_code.hexdigest()[:16])
nb_merge_streams = True
# Markdown printed by a cell is MyST: roles, admonitions and tables work in it.
nb_render_markdown_format = "myst"
nb_output_stderr = "remove"

# -- API reference ---------------------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False
autosummary_imported_members = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": True}
autodoc_class_signature = "mixed"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True
napoleon_use_rtype = False
napoleon_preprocess_types = True

# -- Evidence gallery ------------------------------------------------------------------------
_GALLERY_JOBS = int(os.environ.get("OPTGUIDE_GALLERY_JOBS", "2"))
sphinx_gallery_conf = {
    "examples_dirs": ["../examples"],
    "gallery_dirs": ["auto_examples"],
    "subsection_order": ["../examples/mnist", "../examples/synthetic"],
    "within_subsection_order": "optguide_sphinx.ExampleOrder",
    "filename_pattern": os.environ.get("OPTGUIDE_GALLERY_PATTERN") or r"/plot_",
    "ignore_pattern": r"__init__\.py|/_",
    "doc_module": ("optguide",),
    "backreferences_dir": "gen_modules/backreferences",
    "image_scrapers": ("matplotlib",),
    # Before each example: matplotlib's defaults, then the site's style (optguide.plots.STYLE);
    # after it: the verdict it showed, saved for the box under its title (optguide_sphinx).
    "reset_modules": ("matplotlib", ExampleHook()),
    "reset_modules_order": "both",
    # Figures also at twice the resolution, for high-density screens.
    "image_srcset": ["2x"],
    "matplotlib_animations": (True, "jshtml"),
    # Memory is measured only when examples run one at a time (sphinx-gallery's rule).
    "show_memory": _GALLERY_JOBS <= 1,
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "remove_config_comments": True,
    "download_all_examples": True,
    "capture_repr": ("_repr_html_", "__repr__"),
    "min_reported_time": 1,
    # Examples run two at a time (most train on one thread); those that measure time opt out
    # with ``# sphinx_gallery_parallel = False`` and run first, alone.
    "parallel": _GALLERY_JOBS,
}

# -- HTML ------------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "optguide"
html_short_title = "optguide"
html_static_path = ["_static"]

# -- Math: MathJax served with the site (pip package sphinx-mathjax-offline, MathJax 3.2.2);
# a page loads nothing from the network.
_mathjax = importlib.util.find_spec("sphinx-mathjax-offline")
if _mathjax is None or not _mathjax.submodule_search_locations:
    raise RuntimeError("the site serves MathJax from the package sphinx-mathjax-offline: "
                       "pip install -e '.[docs]'")
html_static_path.append(str(Path(next(iter(_mathjax.submodule_search_locations))) / "static"))
mathjax_path = "mathjax/tex-chtml.js"
html_css_files = ["optguide.css"]
# Search results: summaries from the article only; equal titles told apart. Figures open at
# full size when tapped. Controls the theme and the animations leave unnamed get names.
html_js_files = ["optguide-search.js", "optguide-figures.js", "optguide-a11y.js"]
html_favicon = "_static/favicon.svg"
# pydata-sphinx-theme logs a console error on a first visit without a default colour mode.
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_show_sourcelink = True
html_copy_source = True
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "logo": {"text": "optguide"},
    "footer_start": [],
    "footer_end": [],
    # The book theme's layout has no top navbar; search lives in the sidebar.
    "navbar_start": [],
    "navbar_center": [],
    "navbar_end": [],
    "navbar_persistent": [],
}


def _git(*args: str) -> str:
    """Output of a git command in the repository ("" outside a checkout or without git)."""
    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def build_stamp() -> str:
    """The footer of every page: which commit built these numbers, when, with what."""
    import torch

    commit = _git("rev-parse", "--short=12", "HEAD")
    changed = bool(_git("status", "--porcelain", "--untracked-files=no"))
    source = (f"commit <code>{commit}</code>{' with local changes' if changed else ''}"
              if commit else "a copy without its git history")
    # The day, not the time: a rebuild on the same day rewrites no page for the stamp alone.
    day = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")
    return (f'<p class="optguide-stamp">This site and its numbers were built from {source} '
            f"on {day} (UTC), with optguide {optguide.__version__} and torch "
            f"{torch.__version__}.</p>")


html_theme_options["extra_footer"] = build_stamp()
if os.environ.get("OPTGUIDE_REPOSITORY_URL"):
    html_theme_options.update(repository_url=os.environ["OPTGUIDE_REPOSITORY_URL"],
                              use_repository_button=True, path_to_docs="docs")

# The raw results behind the comparison page: its code cell writes them into this folder
# (through $OPTGUIDE_SITE_EXTRA) and Sphinx copies the folder's content into the site's root.
SITE_EXTRA = BUILD / "site-extra"
html_extra_path = [str(SITE_EXTRA)]
#: Files the built site must contain (checked when the build finishes).
optguide_required_outputs = ["results/site_comparison.json", "results/site_study.json",
                             "results/verification.json", "results/equal_effort.csv",
                             "results/equal_effort.json.gz"]
if os.environ.get("OPTGUIDE_RECOMPUTE_STUDY") != "1":  # else the pages train their runs
    optguide_required_outputs += ["results/shared_runs_verification.json",
                                  "results/shared_runs.json.gz"]

copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_exclude = ".linenos, .gp, .go"


def setup(app: sphinx.application.Sphinx) -> None:
    """Prepare this process and the processes it starts; nothing here runs when conf.py is read.

    Sphinx calls this after the extensions' ``setup`` and before ``config-inited`` (which checks
    ``html_extra_path``) and ``builder-inited`` (where the gallery's examples and the study's
    check start): every notebook kernel and example worker inherits this environment.
    """
    import matplotlib

    matplotlib.use("Agg")
    # A MPLBACKEND set by the caller (Agg, say, in a CI shell) would replace the kernels'
    # inline backend and silently drop every figure of the pages.
    os.environ.pop("MPLBACKEND", None)
    # The pages' hidden cells import site_cells from docs/_ext.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(EXT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    # This process, the kernels and the gallery examples share one results cache.
    os.environ.setdefault("OPTGUIDE_CACHE_DIR", str(BUILD / "optguide-cache"))
    # The comparison page and the study's check write the site's raw results here.
    SITE_EXTRA.mkdir(parents=True, exist_ok=True)
    os.environ["OPTGUIDE_SITE_EXTRA"] = str(SITE_EXTRA)
