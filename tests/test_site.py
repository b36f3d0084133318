"""The published site: it builds with zero warnings, its pages work in a browser, links resolve.

One session-scoped fixture builds the site with the README's command (``-W``: any warning fails)
into a temporary folder; set ``OPTGUIDE_SITE_HTML`` to an already built ``html`` folder to test
that instead. The browser tests drive Debian's chromium through Playwright (no browser download)
against a local HTTP server. Set ``OPTGUIDE_SHOTS_DIR`` to also save full-page screenshots.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from optguide.experiments import SITE_COMPARISON

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {
    "home": "index.html",
    "comparison": "comparison.html",
    "guide": "guide/adam.html",
    "example": "auto_examples/mnist/plot_mnist_defaults.html",
}
#: Pages that must show at least one figure.
PAGES_WITH_FIGURES = ("home", "comparison", "example")
#: Generous: a cold build is minutes on two cores; this only stops a hung kernel.
BUILD_TIMEOUT = 3600
BUILD_COMMAND = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "docs"]


# ---------------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built html folder: ``$OPTGUIDE_SITE_HTML``, or a fresh build with ``-W``."""
    given = os.environ.get("OPTGUIDE_SITE_HTML")
    if given:
        html = Path(given)
        assert (html / "index.html").is_file(), f"OPTGUIDE_SITE_HTML={given} holds no index.html"
        return html
    html = tmp_path_factory.mktemp("site") / "html"
    try:
        build = subprocess.run(BUILD_COMMAND + [str(html)], cwd=ROOT, capture_output=True,
                               text=True, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired as error:
        output = error.stdout or ""
        output = (output.decode(errors="replace") if isinstance(output, bytes) else output)[-8000:]
        pytest.fail(f"the site build took longer than {BUILD_TIMEOUT} s:\n{output}")
    output = (build.stdout + build.stderr)[-8000:]
    assert build.returncode == 0, f"the site build failed (exit {build.returncode}):\n{output}"
    return html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class' name
        pass


@pytest.fixture(scope="session")
def server(site: Path):
    """Base URL of a local HTTP server (127.0.0.1, a free port) serving the site."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"no chromium at {CHROMIUM} (Debian package 'chromium')")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class LoadedPage:
    """A page opened in the browser, with the errors it logged from the site's own URLs."""

    def __init__(self, browser, base: str, path: str) -> None:
        self.base = base
        self.url = urljoin(base, path)
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("requestfailed", self._request_failed)
        response = self.page.goto(self.url, wait_until="load")
        assert response is not None and response.status == 200, f"{self.url}: {response}"
        self.page.evaluate(_LOAD_ALL_IMAGES)

    def _own(self, url: str | None) -> bool:
        return bool(url) and url.startswith(self.base)

    def _console(self, message) -> None:
        if message.type == "error" and self._own(message.location.get("url") or self.url):
            self.errors.append(f"console: {message.text} ({message.location.get('url')})")

    def _request_failed(self, request) -> None:
        if self._own(request.url):
            self.errors.append(f"request failed: {request.url} ({request.failure})")

    def close(self) -> None:
        self.page.close()


#: Make lazy images load now and wait until every image has finished (loaded or failed).
_LOAD_ALL_IMAGES = """
async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener("load", done); img.addEventListener("error", done);
    setTimeout(done, 10000);
  })));
}
"""


@pytest.fixture(scope="session")
def pages(browser, server):
    """The four pages the browser checks, opened once; screenshots if asked for."""
    opened = {name: LoadedPage(browser, server, path) for name, path in PAGES.items()}
    shots = os.environ.get("OPTGUIDE_SHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        for name, page in opened.items():
            page.page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)
    yield opened
    for page in opened.values():
        page.close()


# ------------------------------------------------------------------------------ browser tests

def test_comparison_table_has_a_numeric_row_per_optimizer_and_preset(pages):
    table = pages["comparison"].page.locator("table.optguide-table")
    assert table.count() == 1
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    rows = table.locator("tbody tr")
    expected = {(name, preset) for name in SITE_COMPARISON.optimizers
                for preset in SITE_COMPARISON.presets}
    assert rows.count() == len(expected)
    accuracy_column = next(i for i, name in enumerate(header) if "accuracy" in name.lower())
    seen = set()
    for i in range(rows.count()):
        cells = [text.strip() for text in rows.nth(i).locator("td").all_inner_texts()]
        seen.add((cells[0], cells[1]))
        match = re.fullmatch(r"(\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)", cells[accuracy_column])
        assert match, f"row {cells}: accuracy {cells[accuracy_column]!r} is not 'mean ± std'"
        assert 0 < float(match[1]) <= 100
    assert seen == expected


@pytest.mark.parametrize("name", list(PAGES))
def test_every_image_loads(pages, name):
    images = pages[name].page.evaluate(
        "() => Array.from(document.images).map(i => [i.currentSrc || i.src, i.naturalWidth])")
    if name in PAGES_WITH_FIGURES:
        assert images, f"{PAGES[name]} shows no image"
    broken = [src for src, width in images if width == 0]
    assert not broken, f"{PAGES[name]}: images that did not load: {broken}"


def test_guide_page_has_equations(pages):
    page = pages["guide"].page
    count = page.locator("mjx-container, .math").count()
    assert count > 0, "guide/adam.html has neither rendered (mjx-container) nor raw math"


def test_guide_page_includes_the_update_function_from_the_package(pages):
    code = pages["guide"].page.locator("div.highlight pre").all_inner_texts()
    assert any("def adam_update(" in block for block in code)


@pytest.mark.parametrize("name", list(PAGES))
def test_no_errors_from_the_site_itself(pages, name):
    assert pages[name].errors == [], f"{PAGES[name]}: {pages[name].errors}"


def test_raw_results_link_resolves_to_the_results_json(pages):
    page = pages["comparison"].page
    link = page.locator("a[href$='site_comparison.json']")
    assert link.count() >= 1, "the comparison page does not link to its raw results"
    href = link.first.get_attribute("href")
    response = page.request.get(urljoin(pages["comparison"].url, href))
    assert response.status == 200
    payload = json.loads(response.text())
    assert payload["schema"] == 1
    expected_runs = len(SITE_COMPARISON.run_specs())
    assert len(payload["runs"]) == expected_runs


def test_home_page_states_a_finding_and_shows_the_headline(pages):
    page = pages["home"].page
    assert page.locator("table.optguide-headline tbody tr").count() == len(
        SITE_COMPARISON.optimizers)
    finding = page.locator(".admonition").filter(has_text="Finding")
    assert finding.count() == 1 and "Adadelta ranks" in finding.inner_text()


def test_example_page_ends_in_a_verdict(pages):
    text = pages["example"].page.locator("article").inner_text()
    assert re.search(r"Verdict: (confirmed|refuted|depends|inconclusive) - ", text)


# -------------------------------------------------------------------------- internal links

class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.anchors.add(values[key])
        for key in ("href", "src"):
            if values.get(key) and tag != "base":
                self.targets.append(values[key])


@functools.cache
def _parse(path: Path) -> _LinkCollector:
    collector = _LinkCollector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector


#: Folders of copied files, not pages (the theme ships Jinja templates there as .html).
NOT_PAGES = ("_static", "_sources", "_downloads", "_images")


def _broken_links(site: Path) -> list[str]:
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0] in NOT_PAGES:
            continue
        for target in _parse(page).targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("mailto:", "javascript:",
                                                                  "data:")):
                continue
            path = unquote(parts.path)
            resolved = page if not path else (page.parent / path).resolve()
            if path.endswith("/") or resolved.is_dir():
                resolved = resolved / "index.html"
            where = f"{page.relative_to(site)} -> {target}"
            if not resolved.is_file():
                broken.append(f"{where} (no such file)")
            elif parts.fragment and resolved.suffix == ".html" and \
                    unquote(parts.fragment) not in _parse(resolved).anchors:
                broken.append(f"{where} (no anchor #{parts.fragment})")
    return broken


def test_internal_links_and_anchors_resolve(site):
    broken = _broken_links(site)
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:50])


def test_site_has_the_fixed_urls(site):
    expected = ["index.html", "comparison.html", "faq.html", "reproduce.html", "api/index.html",
                "guide/introduction.html", "guide/sgd.html", "guide/adagrad.html",
                "guide/adadelta.html", "guide/rmsprop.html", "guide/adam.html",
                "guide/choosing.html", "auto_examples/index.html", "results/site_comparison.json"]
    missing = [name for name in expected if not (site / name).is_file()]
    assert not missing
