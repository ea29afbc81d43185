"""Accessibility of every page template, in a real browser (Debian's Chromium through Playwright):

* axe-core (pinned in tests/js/package.json, installed by ``make test``) reports no violations on
  one page of each template kind, in Chinese and in Korean, on a desktop and on a phone screen;
* text enlarged to 200% (the reader's default font size doubled) loses nothing at 360px: no
  horizontal scrolling and no clipped text;
* the language of the other-language names in the switcher is marked (``lang``).

Reuses the session's starter-site build (``site``), its server (``site_url``) and one browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
KINDS = ("home", "section", "article", "event", "tag", "tags", "archives", "calendar", "calendar-month",
         "calendar-past", "404", "search", "posters")
LANG_OF = {"zh": "zh-Hans", "ko": "ko"}


def template_pages(site: Path) -> dict[str, str]:
    """``{"<lang> <kind>": site-relative URL}``: the first built page of each template kind
    (body class ``page-<kind>``; "event" is an article with an event box) in each language."""
    found: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith("_reports/"):
            continue
        head = path.read_text(encoding="utf-8")
        m = re.search(r'<body class="page-([\w-]+)', head)
        if not m:
            continue
        kind = m.group(1)
        if kind == "article" and 'class="article has-event' in head:
            kind = "event"
        lang = "ko" if rel.startswith("ko/") else "zh"
        url = rel[: -len("index.html")] if rel.endswith("index.html") else rel
        if kind in KINDS:
            found.setdefault(f"{lang} {kind}", url)
    return found


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    found = template_pages(site)
    missing = [f"{lang} {kind}" for lang in ("zh", "ko") for kind in KINDS
               if f"{lang} {kind}" not in found and not (lang == "ko" and kind == "404")]
    assert missing == [], "the starter site has no page of these kinds"
    return found


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
            for v in result["violations"]]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make test` "
                                             "(scripts/install-system-deps.sh test runs npm ci in tests/js)")
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}],
                         ids=["desktop", "phone"])
def test_axe_finds_no_violations(browser, site_url, pages, viewport):
    ctx = browser.new_context(viewport=viewport)
    problems = {}
    try:
        page = ctx.new_page()
        for name, rel in pages.items():
            if viewport["width"] < 600 and not name.startswith("zh "):
                continue  # the phone layout is the same in both languages: once is enough (speed)
            page.goto(f"{site_url}/{rel}", wait_until="load")
            found = axe_violations(page)
            if found:
                problems[f"{name} /{rel}"] = found
    finally:
        ctx.close()
    assert problems == {}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make test`")
def test_axe_finds_no_violations_with_high_contrast(browser, site_url, pages):
    """The high-contrast switch (site.js, saved in localStorage) on: an article and the search
    page still pass axe (colour contrast above all)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.add_init_script("try { localStorage.setItem('jindallae-contrast', 'high'); } catch (e) {}")
    problems = {}
    try:
        page = ctx.new_page()
        for name in ("zh event", "ko article", "zh search"):
            rel = pages[name]
            page.goto(f"{site_url}/{rel}", wait_until="load")
            assert page.evaluate("document.documentElement.classList.contains('high-contrast')"), name
            found = axe_violations(page)
            if found:
                problems[f"{name} /{rel}"] = found
    finally:
        ctx.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


# Elderly-friendly mode (tests/test_elderly.py): large text, the phone menu open, read aloud shown
# (a stub voice for the page's language, so its controls are checked too).
ELDERLY = """try { localStorage.setItem('jindallae-text-size', 'large'); } catch (e) {}
Object.defineProperty(window, 'speechSynthesis', {configurable: true, value: {
  getVoices: () => [{name: 'zh', lang: 'zh-CN'}, {name: 'ko', lang: 'ko-KR'}], addEventListener() {},
  speak() {}, cancel() {}, pause() {}, resume() {}, speaking: false}});
window.SpeechSynthesisUtterance = function (t) { this.text = t; };"""


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make test`")
@pytest.mark.parametrize("lang, large", [("ko", False), ("zh", True), ("ko", True)], ids=["ko", "zh-large", "ko-large"])
def test_axe_finds_no_violations_on_phones_in_both_languages_and_modes(browser, site_url, pages, lang, large):
    """Every template on a phone in Korean, and in both languages with large text, the menu open
    and the read-aloud controls shown (the default Chinese phone pages are checked above)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    if large:
        ctx.add_init_script(ELDERLY)
    problems = {}
    try:
        page = ctx.new_page()
        for name, rel in pages.items():
            if not name.startswith(lang + " "):
                continue
            page.goto(f"{site_url}/{rel}", wait_until="load")
            if large:
                assert page.evaluate("document.documentElement.classList.contains('large-text')"), name
                page.click("button.menu-toggle")
                if name.endswith("article") or name.endswith("event"):
                    assert page.locator(".read-aloud").is_visible(), name
            found = axe_violations(page)
            if found:
                problems[f"{name} /{rel}"] = found
    finally:
        ctx.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


CLIPPED = """() => [...document.body.querySelectorAll('*')].filter(e => {
  if (e.closest('.visually-hidden, .skip-link, [hidden]')) return false;
  const s = getComputedStyle(e);
  const hides = v => v === 'hidden' || v === 'clip';
  return (hides(s.overflowX) && e.scrollWidth > e.clientWidth + 1)
      || (hides(s.overflowY) && e.scrollHeight > e.clientHeight + 1);
}).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


def test_text_at_200_percent_fits_a_phone(browser, site_url, pages):
    """WCAG 1.4.4: the reader doubles the browser's default font size (16px -> 32px, the theme's
    rem sizes follow it); at 360px nothing scrolls sideways and no text is cut off."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740})
    wide, clipped = [], []
    try:
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        cdp.send("Page.enable")
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        for name, rel in pages.items():
            page.goto(f"{site_url}/{rel}", wait_until="load")
            size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
            assert size >= 32 * 1.125 - 0.5, f"{name}: root font size {size}px, the 200% setting did not apply"
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                wide.append((name, scroll))
            cut = page.evaluate(CLIPPED)
            if cut:
                clipped.append((name, cut[:5]))
    finally:
        ctx.close()
    assert wide == [] and clipped == []


def test_other_language_names_are_marked(site, pages):
    """The switcher names each language in that language (中文, 한국어) and marks it with
    ``lang``, so a screen reader reads 한국어 with a Korean voice on a Chinese page."""
    from bs4 import BeautifulSoup

    for name, rel in pages.items():
        file = site / (rel + "index.html" if rel.endswith("/") or rel == "" else rel)
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
        page_lang = soup.html["lang"]
        items = soup.select(".lang-switch li > *")
        assert len(items) == 2, name
        langs = sorted(i.get("lang") for i in items)
        assert langs == sorted(LANG_OF.values()), name
        other = [i for i in items if i.get("lang") != page_lang]
        assert len(other) == 1 and other[0].get("hreflang") == other[0]["lang"], name
