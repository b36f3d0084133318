"""The site's Sphinx extension (docs/_ext/optguide_sphinx), module by module, without the site.

The reST the extension rewrites is produced here by sphinx-gallery itself: two toy examples (one
printing a verdict, one not) go through its real ``generate_dir_rst`` with the site's
``reset_modules`` and ``within_subsection_order``, so the tests follow the installed version's
output. A last test builds a three-page toy site with the extension (examples run two at a
time, as on the site) to check the directives and the hook in sphinx-gallery's workers.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "docs" / "_ext"
sys.path.insert(0, str(EXT))
pytest.importorskip("sphinx_gallery")
pytest.importorskip("PIL")

import optguide_sphinx  # noqa: E402
from docutils import nodes  # noqa: E402
from docutils.utils import new_document  # noqa: E402
from optguide_sphinx import (  # noqa: E402
    alt_text,
    downloads,
    gallery,
    offline,
    required,
    thumbnails,
    verdict_pages,
    verdicts,
)

from optguide import claims, plots  # noqa: E402

TOY = '''"""
A toy claim
===========

The claim: toys are fun.
"""

import matplotlib.pyplot as plt

from optguide.claims import Verdict

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot([1, 2], [3, 4], label="SGD")
ax.set_title("Toy accuracy")
plt.show()

print(Verdict(claim="toys are fun", outcome="refuted", sentence="They were not.",
              flip="More fun.").line())
'''
QUIET = '''"""
A quiet example
===============

It shows no verdict.
"""

print("nothing to decide")
'''


def gallery_conf(docs: Path, **extra) -> dict:
    """sphinx-gallery's filled-in configuration with the site's hooks, as at builder-inited."""
    from sphinx_gallery.gen_gallery import (
        _fill_gallery_conf_defaults,
        _update_gallery_conf_builder_inited,
    )

    conf = _fill_gallery_conf_defaults({
        "examples_dirs": ["../examples"], "gallery_dirs": ["auto_examples"],
        "within_subsection_order": "optguide_sphinx.ExampleOrder",
        "reset_modules": ("matplotlib", optguide_sphinx.ExampleHook()),
        "reset_modules_order": "both", "filename_pattern": r"/plot_",
        "image_scrapers": ("matplotlib",), **extra}, app=None)
    _update_gallery_conf_builder_inited(conf, docs, abort_on_example_error=True)
    return conf


def write_examples(root: Path) -> None:
    (root / "docs").mkdir(parents=True)
    (root / "examples" / "mnist").mkdir(parents=True)
    (root / "examples" / "README.rst").write_text(
        (ROOT / "examples" / "README.rst").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "examples" / "mnist" / "README.txt").write_text("MNIST\n=====\n\nOn MNIST.\n")
    (root / "examples" / "mnist" / "plot_toy.py").write_text(TOY)
    (root / "examples" / "mnist" / "plot_quiet.py").write_text(QUIET)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The toy gallery as sphinx-gallery generates it: pages, index, computation times."""
    from sphinx_gallery.gen_gallery import _filter_tags, write_computation_times
    from sphinx_gallery.gen_rst import generate_dir_rst

    root = tmp_path_factory.mktemp("site")
    write_examples(root)
    docs = root / "docs"
    conf = gallery_conf(docs)
    subsection = docs / "auto_examples" / "mnist"
    with matplotlib.rc_context():  # the hooks restyle matplotlib
        _, top, _, _, _ = generate_dir_rst(root / "examples", docs / "auto_examples", conf, {},
                                           is_subsection=False)
        _, content, costs, _, _ = generate_dir_rst(root / "examples" / "mnist", subsection,
                                                   conf, {})
    write_computation_times(conf, subsection, costs)
    return SimpleNamespace(root=root, docs=docs, conf=conf, gallery=docs / "auto_examples",
                           index=":orphan:\n\n" + top + _filter_tags(content),
                           toy=(subsection / "plot_toy.rst").read_text(encoding="utf-8"),
                           times=(subsection / "sg_execution_times.rst").read_text())


def fake_app(srcdir: Path, **attributes) -> SimpleNamespace:
    noted: list[str] = []
    return SimpleNamespace(
        srcdir=srcdir, noted=noted, env=SimpleNamespace(note_dependency=noted.append),
        config=SimpleNamespace(sphinx_gallery_conf={"gallery_dirs": ["auto_examples"]}),
        **attributes)


# ------------------------------------------------------------------------------- package


def test_the_package_keeps_every_public_name_of_the_module():
    for name in ("ExampleHook", "ExampleOrder", "EXAMPLE_ORDER", "VerdictsDirective",
                 "VerdictBoxDirective", "BADGE_COLORS", "BADGE_TEXT", "VERDICT_SUFFIX",
                 "WIDE_FIGURE", "badge", "badge_html", "example_title", "example_verdict",
                 "figure_description", "verdict_file", "setup"):
        assert hasattr(optguide_sphinx, name), name


def test_setup_registers_the_directives_events_and_configuration():
    calls: list[tuple] = []
    app = SimpleNamespace(add_config_value=lambda *a, **k: calls.append(("config", a[0])),
                          add_directive=lambda name, cls: calls.append(("directive", name)),
                          connect=lambda event, handler, **k: calls.append((event, handler)))
    metadata = optguide_sphinx.setup(app)
    assert metadata["parallel_read_safe"] and metadata["parallel_write_safe"]
    assert ("config", "optguide_required_outputs") in calls
    assert {name for kind, name in calls if kind == "directive"} == {
        "optguide-verdicts", "optguide-verdict-box"}
    assert {h for e, h in calls if e == "source-read"} == {
        verdict_pages.insert_verdict_boxes, gallery.nest_subsections, offline.drop_remote_assets}
    assert ("doctree-resolved", alt_text.describe_figures) in calls
    assert ("html-page-context", downloads.offer_executed_notebook) in calls
    assert ("build-finished", required.check_required_outputs) in calls


def test_conf_sets_the_environment_in_setup_not_when_read(tmp_path):
    """Reading conf.py changes nothing; its setup() gives kernels what they inherit."""
    script = textwrap.dedent(f"""
        import os, runpy
        import optguide  # its own import-time defaults are not conf.py's
        before = dict(os.environ)
        conf = runpy.run_path({str(ROOT / "docs" / "conf.py")!r})
        assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())
        conf["setup"](None)
        print(os.environ.get("MPLBACKEND"), os.environ["PYTHONPATH"].split(os.pathsep)[0],
              os.environ["OPTGUIDE_CACHE_DIR"], os.environ["OPTGUIDE_SITE_EXTRA"],
              os.path.isdir(os.environ["OPTGUIDE_SITE_EXTRA"]), conf["html_extra_path"][0])
    """)
    env = {key: value for key, value in os.environ.items()
           if key not in ("OPTGUIDE_CACHE_DIR", "OPTGUIDE_SITE_EXTRA")}
    env.update(MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    backend, first_path, cache, extra, exists, extra_path = done.stdout.split()
    build = ROOT / "docs" / "_build"
    assert backend == "None" and first_path == str(EXT)
    assert cache == str(build / "optguide-cache") and extra == extra_path == str(
        build / "site-extra") and exists == "True"


# ------------------------------------------------------------------------------- gallery


def test_every_example_has_its_place_in_the_reading_order():
    on_disk = {path.name for path in (ROOT / "examples").glob("*/plot_*.py")}
    assert on_disk == set(gallery.EXAMPLE_ORDER)


def test_example_order_is_what_sphinx_gallery_resolves_by_name(tmp_path):
    from sphinx_gallery.gen_rst import _get_callables

    (key,) = _get_callables({"within_subsection_order": "optguide_sphinx.ExampleOrder"},
                            "within_subsection_order", tmp_path)
    names = ["plot_zzz_new.py", "plot_saddle_point.py", "plot_aaa_new.py",
             "plot_mnist_defaults.py"]
    assert sorted(names, key=key) == ["plot_mnist_defaults.py", "plot_saddle_point.py",
                                      "plot_aaa_new.py", "plot_zzz_new.py"]
    first = "plot_mnist_defaults.py"
    assert pickle.loads(pickle.dumps(key))(first) == (0, first)


def test_example_title_is_the_docstring_first_line(tmp_path):
    script = tmp_path / "plot_toy.py"
    script.write_text(TOY)
    assert gallery.example_title(script) == "A toy claim"
    script.write_text("x = 1\n")
    assert gallery.example_title(script) == "plot_toy"


def test_gallery_index_subsections_become_sections_of_its_title(built):
    app = fake_app(built.docs)
    source = [built.index]
    gallery.nest_subsections(app, "auto_examples/index", source)
    assert "Evidence gallery\n================\n" in source[0]
    assert "MNIST\n-----\n" in source[0] and "MNIST\n=====\n" not in source[0]
    other = [built.index]
    gallery.nest_subsections(app, "auto_examples/mnist/index", other)
    assert other[0] == built.index


# ------------------------------------------------------------------- hook and verdict files


def test_the_hook_saves_the_verdict_the_example_printed(built):
    saved = built.gallery / "mnist" / "plot_toy.verdict.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["outcome"] == "refuted" and data["sentence"] == "They were not."
    assert verdicts.example_verdict(built.gallery / "mnist" / "plot_toy.rst") == data
    assert verdicts.example_verdict(built.gallery / "mnist" / "plot_quiet.rst") is None
    assert not (built.gallery / "mnist" / "plot_quiet.verdict.json").exists()
    assert claims.SHOWN == []


def test_a_printed_verdict_line_without_its_file_is_no_verdict(built, tmp_path):
    """One route: the saved file. The generated page's output is not parsed."""
    page = tmp_path / "plot_toy.rst"
    page.write_text(built.toy, encoding="utf-8")
    assert "Verdict: refuted - They were not." in built.toy
    assert verdicts.example_verdict(page) is None
    (tmp_path / "plot_toy.verdict.json").write_text('{"outcome": "maybe", "sentence": "?"}')
    assert verdicts.example_verdict(page) is None


def test_the_hook_applies_the_site_style_and_forgets_earlier_verdicts(built):
    import matplotlib as mpl
    from sphinx_gallery.scrapers import clean_modules

    claims.Verdict("c", "confirmed", "s").line()
    with mpl.rc_context({"font.size": 3}):
        clean_modules(built.conf, "plot_toy.py", "before")
        assert claims.SHOWN == []
        assert all(mpl.rcParams[key] == value for key, value in plots.STYLE.items())


def test_a_rerun_without_a_verdict_removes_the_stale_file(built, tmp_path):
    target = tmp_path / "mnist" / "plot_x.verdict.json"
    verdicts.save_verdict(target, [claims.Verdict("c", "confirmed", "first"),
                                   claims.Verdict("c", "depends", "last")])
    assert json.loads(target.read_text())["sentence"] == "last"
    verdicts.save_verdict(target, [])
    assert not target.exists()


def test_verdict_file_sits_beside_the_generated_page(built):
    mnist = built.gallery / "mnist"
    assert verdicts.verdict_file(built.conf, "plot_toy.py") == mnist / "plot_toy.verdict.json"
    script = built.root / "examples" / "mnist" / "plot_toy.py"
    assert verdicts.verdict_file(built.conf, script) == mnist / "plot_toy.verdict.json"
    assert verdicts.verdict_file(built.conf, "plot_missing.py") is None


def test_the_hook_pickles_and_compares_equal():
    hook = optguide_sphinx.ExampleHook()
    assert pickle.loads(pickle.dumps(hook)) == hook and hash(hook) == hash(
        optguide_sphinx.ExampleHook())


def test_badges_name_and_colour_each_outcome():
    for outcome, color in verdicts.BADGE_COLORS.items():
        node = verdicts.badge(outcome)
        assert node.astext() == claims.OUTCOME_LABELS[outcome]
        assert f"optguide-badge-{color}" in node["classes"]
        assert f"optguide-badge-{color}" in verdicts.badge_html(outcome)
    assert len(set(verdicts.BADGE_COLORS.values())) == len(verdicts.BADGE_COLORS)
    assert verdicts.badge(None).astext() == "no verdict"
    assert ">no verdict</span>" in verdicts.badge_html(None)


# ---------------------------------------------------------------------------- thumbnails


def wide_figure_and_thumb(folder: Path, stem: str, width: int) -> Path:
    from PIL import Image

    images = folder / "images"
    (images / "thumb").mkdir(parents=True)
    figure = Image.new("RGB", (width, 100), "red")  # left panel red, right panel blue
    right = int(width * 0.6)
    figure.paste(Image.new("RGB", (width - right, 100), "blue"), (right, 0))
    figure.save(images / f"sphx_glr_{stem}_001.png")
    thumb = images / "thumb" / f"sphx_glr_{stem}_thumb.png"
    figure.resize((80, 40)).save(thumb)
    return thumb


def test_a_wide_first_figure_gives_its_left_panel_as_thumbnail(built, tmp_path):
    from PIL import Image

    thumb = wide_figure_and_thumb(tmp_path, "plot_toy", 400)
    assert thumbnails.first_panel_thumbnail(built.conf, "plot_toy.py", tmp_path)
    with Image.open(thumb) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 16)}
    assert (255, 0, 0) in colours and (0, 0, 255) not in colours


def test_a_narrow_figure_or_a_chosen_thumbnail_is_kept(built, tmp_path):
    assert not thumbnails.first_panel_thumbnail(built.conf, "plot_toy.py",
                                                wide_figure_and_thumb(tmp_path / "a",
                                                                      "plot_toy", 150)
                                                .parents[2])
    chosen = built.root / "examples" / "mnist" / "plot_chosen.py"
    chosen.write_text(QUIET + "# sphinx_gallery_thumbnail_number = 1\n")
    try:
        folder = wide_figure_and_thumb(tmp_path / "b", "plot_chosen", 400).parents[2]
        assert not thumbnails.first_panel_thumbnail(built.conf, "plot_chosen.py", folder)
    finally:
        chosen.unlink()


# ------------------------------------------------------------------- verdicts on the pages


def test_the_verdict_box_goes_right_under_the_example_title(built):
    text = verdict_pages.box_under_title(built.toy, "mnist/plot_toy")
    title = "A toy claim\n===========\n"
    assert f"{title}\n.. optguide-verdict-box:: mnist/plot_toy\n\n" in text
    assert text.index("optguide-verdict-box") < text.index("The claim: toys are fun.")
    assert text.count("optguide-verdict-box") == 1


def test_gallery_cards_get_the_badge_of_their_verdict(built):
    noted: list[str] = []
    text = verdict_pages.card_badges(built.index, "index", built.gallery, "auto_examples",
                                     noted.append)
    toy = text[text.index("A toy claim"):]
    quiet = text[text.index("A quiet example"):]
    assert toy.startswith('A toy claim</div><div class="optguide-card-verdict">')
    assert ">refuted</span>" in toy.split("\n")[0]
    assert ">no verdict</span>" in quiet.split("\n")[0]
    assert str(built.gallery / "mnist" / "plot_toy.verdict.json") in noted


def test_insert_verdict_boxes_touches_only_gallery_pages(built):
    app = fake_app(built.docs)
    page = [built.toy]
    verdict_pages.insert_verdict_boxes(app, "auto_examples/mnist/plot_toy", page)
    assert ".. optguide-verdict-box:: mnist/plot_toy" in page[0]
    index = [built.index]
    verdict_pages.insert_verdict_boxes(app, "auto_examples/index", index)
    assert "optguide-card-verdict" in index[0] and app.noted
    elsewhere = [built.toy]
    verdict_pages.insert_verdict_boxes(app, "guide/sgd", elsewhere)
    assert elsewhere == [built.toy]


def test_verdict_box_and_list_item_say_what_the_verdict_holds():
    verdict = claims.Verdict("toys are fun", "depends", "On the toy.", flip="Another toy.")
    box = verdict_pages.verdict_box(verdict.to_dict())
    assert "optguide-verdict-depends" in box["classes"]
    assert "toys are fun" in box.astext() and "Another toy." in box.astext()
    empty = verdict_pages.verdict_box(None)
    assert "optguide-verdict-none" in empty["classes"]
    assert verdict_pages.NOT_EXECUTED in empty.astext() and "no verdict" in empty.astext()
    item = verdict_pages.verdict_item(verdict.to_dict(), "label", "Title", compact=True)
    assert "On the toy." not in item.astext() and "it depends" in item.astext()
    full = verdict_pages.verdict_item(verdict.to_dict(), "label", "Title").astext()
    assert "The article: toys are fun" in full and "On the toy." in full
    own = claims.Verdict("toys rank alike", "confirmed", "Yes.", source="site").to_dict()
    assert "The site's own question: toys rank alike" in verdict_pages.verdict_box(own).astext()
    assert "The site's own question: " in verdict_pages.verdict_item(own, "l", "T").astext()
    with pytest.raises(ValueError, match="source must be one of"):
        claims.Verdict("x", "confirmed", "Yes.", source="blog")


def test_verdict_box_folds_the_details_escaped():
    verdict = claims.Verdict("toys", "refuted", "No.", details="A < B by 0.1 points [0.0, 0.2].")
    raw = [node for node in verdict_pages.verdict_box(verdict.to_dict()).findall(nodes.raw)]
    assert len(raw) == 1 and raw[0].astext().startswith('<details class="optguide-verdict')
    assert "A &lt; B by 0.1\u00a0points [0.0,\u00a00.2]." in raw[0].astext()
    plain = claims.Verdict("toys", "refuted", "No.")
    assert not list(verdict_pages.verdict_box(plain.to_dict()).findall(nodes.raw))


# ---------------------------------------------------------------------------------- offline


def test_computation_times_pages_keep_their_table_without_remote_scripts(built):
    assert "https://" in built.times
    text = offline.without_remote_assets("auto_examples/mnist/sg_execution_times", built.times)
    assert "https://" not in text and "<script" not in text
    assert "  .. list-table::" in text and ":ref:`sphx_glr_auto_examples_mnist_plot_toy.py`" in text
    assert offline.without_remote_assets("auto_examples/mnist/plot_toy", built.times) == \
        built.times


def test_animations_lose_the_remote_icon_stylesheet():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1], [0, 1])
    animation = FuncAnimation(fig, lambda i: (line,), frames=2)
    html = animation.to_jshtml()
    plt.close(fig)
    assert "font-awesome" in html
    source = [".. raw:: html\n\n" + textwrap.indent(html, "     ")]
    offline.drop_remote_assets(None, "auto_examples/synthetic/plot_2d_trajectories", source)
    assert "font-awesome" not in source[0] and "https://" not in source[0]
    assert "animation" in source[0]


# --------------------------------------------------------------------------------- alt text


def matplotlib_svg(**texts) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.1, 0.5, 0.9], label=texts.get("legend", "Adam"))
    ax.set_title(texts.get("title", "Test accuracy per epoch"))
    ax.set_xlabel("epoch")
    ax.set_ylabel("test accuracy")
    ax.legend()
    out = io.StringIO()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out.getvalue()


def test_alt_text_names_the_figure_texts_not_its_numbers():
    description = alt_text.figure_description(matplotlib_svg())
    assert description.startswith("Figure: ")
    for text in ("Test accuracy per epoch", "epoch", "test accuracy", "Adam"):
        assert f" {text};" in description + ";"
    assert "Created with" not in description and "0.5" not in description


def test_alt_text_is_cut_after_the_limit():
    svg = "".join(f"<!-- label number {i} -->" for i in range(10))
    assert alt_text.figure_description(svg, limit=3) == (
        "Figure: label number 0; label number 1; label number 2; ...")
    assert alt_text.figure_description("<svg><!-- 0.5 --></svg>") is None


def test_only_svg_images_without_alt_text_are_described(tmp_path):
    (tmp_path / "figure.svg").write_text(matplotlib_svg(title="Loss curves"))
    document = new_document("page")
    document += nodes.image(uri="figure.svg")
    document += nodes.image(uri="figure.svg", alt="chosen by the author")
    document += nodes.image(uri="figure.png")
    document += nodes.image(uri="missing.svg")
    assert alt_text.describe_images(document, [tmp_path / "nowhere", tmp_path]) == 1
    found = list(document.findall(nodes.image))
    assert "Loss curves" in found[0]["alt"]
    assert found[1]["alt"] == "chosen by the author"
    assert "alt" not in found[2] and "alt" not in found[3]


# ---------------------------------------------------------------------------------- downloads


def test_executed_myst_pages_offer_their_notebook(tmp_path):
    outdir = tmp_path / "_build" / "html"
    executed = tmp_path / "_build" / "jupyter_execute" / "guide" / "sgd.ipynb"
    executed.parent.mkdir(parents=True)
    executed.write_text("{}")
    context = {"sourcename": "guide/sgd.md"}
    assert downloads.offer_notebook(outdir, "guide/sgd", context)
    assert context["ipynb_source"] == "guide/sgd.ipynb"
    assert (outdir / "_sources" / "guide" / "sgd.ipynb").read_text() == "{}"
    for pagename, sourcename in (("guide/adam", "guide/adam.md"), ("faq", "faq.rst")):
        context = {"sourcename": sourcename}
        assert not downloads.offer_notebook(outdir, pagename, context)
        assert "ipynb_source" not in context


# ---------------------------------------------------------------------------------- required


def test_a_build_without_a_required_output_fails(tmp_path):
    from sphinx.errors import ExtensionError

    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "a.json").write_text("{}")
    wanted = ["results/a.json", "results/b.json"]
    assert required.missing_outputs(tmp_path, wanted) == ["results/b.json"]
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"),
                          config=SimpleNamespace(optguide_required_outputs=wanted))
    with pytest.raises(ExtensionError, match="results/b.json"):
        required.check_required_outputs(app, None)
    required.check_required_outputs(app, RuntimeError("the build failed already"))
    app.builder.format = "latex"
    required.check_required_outputs(app, None)


# ------------------------------------------------------------------------------ a toy site

TOY_CONF = '''
extensions = ["sphinx_gallery.gen_gallery", "sphinx_design", "optguide_sphinx"]
from optguide_sphinx import ExampleHook
sphinx_gallery_conf = {{
    "examples_dirs": ["../examples"], "gallery_dirs": ["auto_examples"],
    "within_subsection_order": "optguide_sphinx.ExampleOrder", "filename_pattern": r"/plot_",
    "reset_modules": ("matplotlib", ExampleHook()), "reset_modules_order": "both",
    "abort_on_example_error": True, "show_memory": False, "parallel": 2}}
exclude_patterns = ["_build", "auto_examples/**.ipynb", "auto_examples/**.py",
                    "auto_examples/**.json", "auto_examples/**.zip", "auto_examples/**.md5"]
optguide_required_outputs = {required!r}
'''
TOY_INDEX = """Toy site
========

.. toctree::

   auto_examples/index

.. optguide-verdicts:: mnist/plot_toy mnist/plot_quiet
"""


def build_toy_site(root: Path, required_outputs: list[str]) -> subprocess.CompletedProcess:
    docs = root / "docs"
    (docs / "conf.py").write_text(TOY_CONF.format(required=required_outputs))
    (docs / "index.rst").write_text(TOY_INDEX)
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(EXT), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", str(docs),
                           str(docs / "_build" / "html")], env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_toy_site_shows_boxes_badges_and_the_verdict_list(tmp_path):
    write_examples(tmp_path)
    done = build_toy_site(tmp_path, ["index.html"])
    assert done.returncode == 0, done.stderr
    html = tmp_path / "docs" / "_build" / "html"
    toy = (html / "auto_examples" / "mnist" / "plot_toy.html").read_text()
    box = toy[toy.index("optguide-verdict-box"):]
    assert toy.index("<h1>") < toy.index("optguide-verdict-box") < toy.index("toys are fun.</p>")
    assert ">refuted</span>" in box[:2000] and "They were not." in box[:2000]
    quiet = (html / "auto_examples" / "mnist" / "plot_quiet.html").read_text()
    assert "optguide-verdict-none" in quiet
    cards = (html / "auto_examples" / "index.html").read_text()
    assert cards.count("optguide-card-verdict") == 2
    listing = (html / "index.html").read_text()
    assert "optguide-verdict-refuted" in listing and "optguide-verdict-none" in listing
    assert 'href="auto_examples/mnist/plot_toy.html' in listing
    times = (html / "auto_examples" / "mnist" / "sg_execution_times.html").read_text()
    assert "cdn.datatables.net" not in times and "plot_toy" in times
    failed = build_toy_site(tmp_path, ["results/missing.json"])
    assert failed.returncode != 0 and "results/missing.json" in failed.stderr


def test_numbers_keep_their_units_and_intervals_on_one_line():
    """Issue 18 (7): "97.66 ± / 0.24 %" broke across lines; no-break spaces hold them."""
    text = ("Adam reached 97.66 ± 0.24 % (n = 10) at lr = 0.1, +0.21 [+0.03, +0.38] points "
            "after 5 epochs; 1, 2 and 3.")
    kept = verdict_pages.unbreakable(text).replace("\u00a0", "~")
    assert kept == ("Adam reached 97.66~±~0.24~% (n~=~10) at lr~=~0.1, +0.21~[+0.03,~+0.38]~"
                    "points after 5~epochs; 1, 2 and 3.")
    box = verdict_pages.verdict_box({"outcome": "confirmed", "sentence": text, "claim": "c"})
    assert "97.66\u00a0±\u00a00.24\u00a0%" in box.astext()
