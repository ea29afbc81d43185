"""Page weight budget of the starter site (the session's ``site`` build, served locally):

* an article page (without images where the language has one): HTML + CSS + JS at most 40 KB transferred (gzip-compressed
  sizes, computed here with gzip level 6 as a web server would send them);
* no web fonts: no @font-face in the theme's CSS, no font files in the build, no font requests;
* no third-party requests: everything a page loads comes from the local server;
* no render-blocking script: scripts in <head> are deferred/async or data, except the theme's
  site.js, which is blocking by design (it applies a saved large-text or high-contrast choice
  before the first paint, avoiding a jump in size or a flash of the default colours) and
  therefore must stay under 1.5 KB.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

BUDGET = 40 * 1024
BLOCKING_SCRIPT_MAX = 1536
FONT_FILES = (".woff", ".woff2", ".ttf", ".otf", ".eot")


def article_without_images(site: Path, prefix: str) -> str:
    """Site-relative URL of the first article page of a language without an image in it (the
    Korean starter articles all have one: then the first article; the budget counts no images)."""
    articles = [p for p in sorted(site.glob(f"{prefix}*/*/index.html"))
                if 'class="page-article"' in p.read_text(encoding="utf-8")]
    assert articles, prefix
    plain = [p for p in articles if not re.search(r"<(img|picture)\b", p.read_text(encoding="utf-8"))]
    return (plain or articles)[0].parent.relative_to(site).as_posix() + "/"


@pytest.fixture(scope="module")
def loads(browser, site, site_url):
    """``{page: [(url, resource type)]}``: every request while loading some pages, Chinese and
    Korean: two articles without images, the home page, a calendar month."""
    pages = [article_without_images(site, ""), article_without_images(site, "ko/"), "", "ko/",
             next(p for p in ("calendar/2026/11/", "calendar/") if (site / p / "index.html").is_file())]
    ctx = browser.new_context(viewport={"width": 360, "height": 740})
    out = {}
    try:
        for rel in pages:
            page = ctx.new_page()
            requests = []
            page.on("request", lambda r, requests=requests: requests.append((r.url, r.resource_type)))
            page.goto(f"{site_url}/{rel}", wait_until="load")
            out[rel] = requests
            page.close()
    finally:
        ctx.close()
    return out


def local_file(site: Path, site_url: str, url: str) -> Path:
    path = unquote(urlsplit(url).path)
    file = site / path.lstrip("/")
    return file / "index.html" if path.endswith("/") else file


def test_article_without_images_is_within_budget(site, site_url, loads):
    for rel in list(loads)[:2]:
        sizes = {}
        for url, kind in loads[rel]:
            if kind == "image":
                continue  # not in this budget (the Korean article has a cover; plugins/images sizes it)
            # "other": the favicon (theme/img/azalea.svg), counted too
            assert kind in ("document", "stylesheet", "script", "other"), f"{rel}: unexpected {kind} request {url}"
            sizes[url] = len(gzip.compress(local_file(site, site_url, url).read_bytes(), compresslevel=6))
        total = sum(sizes.values())
        assert total <= BUDGET, f"{rel}: {total} bytes gzipped > {BUDGET}: {sizes}"


def test_no_web_fonts(site, loads):
    for css in site.rglob("*.css"):
        assert "@font-face" not in css.read_text(encoding="utf-8"), css
    assert [p for p in site.rglob("*") if p.suffix.lower() in FONT_FILES] == []
    for rel, requests in loads.items():
        assert [u for u, kind in requests if kind == "font"] == [], rel


def test_no_third_party_requests(site_url, loads):
    for rel, requests in loads.items():
        assert requests, rel
        assert [u for u, _ in requests if not u.startswith(site_url + "/")] == [], rel


def test_no_render_blocking_scripts(site):
    blocking = set()
    pages = [p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("_reports/")]
    for path in pages:
        head = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head
        for script in head.find_all("script"):
            kind = (script.get("type") or "text/javascript").lower()
            if kind not in ("text/javascript", "module", "application/javascript"):
                continue  # data (JSON-LD)
            if script.has_attr("defer") or script.has_attr("async") or kind == "module":
                continue
            assert script.get("src"), f"{path}: inline blocking script in <head>"
            blocking.add(script["src"])
    assert blocking <= {"/theme/js/site.js"}, blocking
    for src in blocking:
        size = (site / src.lstrip("/")).stat().st_size
        assert size < BLOCKING_SCRIPT_MAX, f"{src} blocks rendering and is {size} bytes"
