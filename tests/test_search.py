"""Search (plugins/search): the Pagefind index of the starter site, queried for real in Chromium.

One build (the session's ``site`` fixture of conftest.py), one local static server, one browser
(``site_url`` and ``browser`` of conftest.py).
Pagefind keeps one index per ``<html lang>``, so each search page finds its own language only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_browser import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Chromium is not installed at /usr/bin/chromium "
                                       "(scripts/install-system-deps.sh test installs it)")

# content/policy/mianfei-yunqian-jiancha.zh.md: "免费孕前优生健康检查" in its title and text
YUNQIAN = "/policy/mianfei-yunqian-jiancha/"
# content/folk-arts/yeonbyeon-noinjeol-iyagi.ko.md: "로인절" (Yanbian spelling), also inside "로인절에", "로인절은"
NOINJEOL = "/ko/folk-arts/yeonbyeon-noinjeol-iyagi/"

QUERY_JS = """async (q) => {
  const pf = await import(document.querySelector('#search').dataset.bundle + 'pagefind.js');
  await pf.init();
  const r = await pf.search(q);
  return Promise.all(r.results.map(x => x.data().then(d => d.url)));
}"""


@pytest.fixture(scope="module")
def base_url(site_url):
    return site_url  # conftest.py: the ``site`` build served once per session; ``browser`` too


@pytest.fixture(scope="module")
def search(browser, base_url):
    """``search(lang_path, query)`` -> result URLs, from the index the search page at
    ``lang_path`` ("/search/" or "/ko/search/") uses."""
    page = browser.new_page()
    loaded: dict[str, bool] = {}

    def run(path: str, query: str) -> list[str]:
        if not loaded.get(path):
            page.goto(base_url + path)
            loaded.clear()
            loaded[path] = True
        return page.evaluate(QUERY_JS, query)

    yield run
    page.close()


def test_index_and_search_pages_are_built(site: Path):
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    marked = {"zh-hans": 0, "ko": 0}  # pages with data-pagefind-body: the articles, nothing else
    for page in site.rglob("*.html"):
        if "data-pagefind-body" in page.read_text(encoding="utf-8"):
            marked["ko" if page.relative_to(site).parts[0] == "ko" else "zh-hans"] += 1
    assert {k: v["page_count"] for k, v in entry["languages"].items()} == marked
    assert marked["zh-hans"] > 10 and marked["ko"] > 10
    for rel in ("404.html", "_reports/translations.html", "index.html", "tags/index.html"):
        assert "data-pagefind-body" not in (site / rel).read_text(encoding="utf-8"), rel
    for path, lang in (("search/index.html", 'lang="zh-Hans"'), ("ko/search/index.html", 'lang="ko"')):
        html = (site / path).read_text(encoding="utf-8")
        assert lang in html and "/pagefind/pagefind-ui.js" in html and "<noscript>" in html
    # the header search box on every page leads to the search page of that page's language
    assert 'action="/search/"' in (site / "index.html").read_text(encoding="utf-8")
    assert 'action="/ko/search/"' in (site / "ko" / "index.html").read_text(encoding="utf-8")
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "/search/" not in sitemap


def test_chinese_words_inside_a_phrase_are_found(search):
    for query in ("优生", "健康检查", "孕前优生健康检查"):
        urls = search("/search/", query)
        assert YUNQIAN in urls, query
        assert not [u for u in urls if u.startswith("/ko/")], query


def test_korean_found_by_prefix_in_compound_words(search):
    urls = search("/ko/search/", "로인절")
    assert NOINJEOL in urls
    assert all(u.startswith("/ko/") for u in urls)
    assert NOINJEOL in search("/ko/search/", "로인")  # a prefix of 로인절에 and 로인절은


def test_each_language_searches_its_own_pages_only(search):
    assert search("/search/", "로인절") == []
    assert search("/ko/search/", "优生") == []
    urls = search("/search/", "健康") + search("/ko/search/", "건강")
    assert urls and not [u for u in urls if "404" in u or "_reports" in u or u.rstrip("/").endswith("search")]


def test_header_box_opens_results_in_the_page_language(browser, base_url):
    page = browser.new_page()
    try:
        page.goto(base_url + "/ko/")
        page.fill("#site-search-q", "로인절")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/ko/search/?q=*")
        page.wait_for_selector(f'.pagefind-ui__result-link[href="{NOINJEOL}"]')  # results arrive one by one
        hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
        assert NOINJEOL in hrefs and all(h.startswith("/ko/") for h in hrefs)
        page.goto(base_url + "/search/?q=" + "健康检查")  # the UI shows the best five first
        page.wait_for_selector(f'.pagefind-ui__result-link[href="{YUNQIAN}"]')
        hrefs = page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.getAttribute('href'))")
        assert YUNQIAN in hrefs and not [h for h in hrefs if h.startswith("/ko/")]
    finally:
        page.close()


def test_without_javascript_the_search_page_points_to_tags_and_archives(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        for path, tags, archives in (("/search/?q=x", "/tags/", "/archives/"),
                                     ("/ko/search/?q=x", "/ko/tags/", "/ko/archives/")):
            page.goto(base_url + path)
            main = page.locator("main")
            assert "JavaScript" in main.inner_text()
            assert main.locator(f'a[href="{tags}"]').is_visible()
            assert main.locator(f'a[href="{archives}"]').is_visible()
    finally:
        context.close()


def test_failed_indexing_fails_the_build_and_keeps_the_old_site(tmp_path, content_factory, monkeypatch, project):
    import pagefind_bin_extended

    from jindallae.build import BuildError, build

    content = content_factory({"news/a.zh.md": "---\ntitle: 健康讲座\ndate: 2026-01-02\n---\n\n孕前优生健康检查。\n"})
    out = tmp_path / "build"
    build(project, content, out, progress=False, cache=False)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert "pagefind/pagefind-entry.json" in before
    monkeypatch.setattr(pagefind_bin_extended, "get_executable", lambda: Path("/bin/false"))
    with pytest.raises(BuildError, match="Pagefind"):
        build(project, content, out, progress=False, cache=False)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert not any(".tmp-" in p.name or ".old-" in p.name for p in tmp_path.iterdir())
