"""The theme in a real browser (Chromium through Playwright): phone layout, the larger-text
switch, keyboard use, pages without JavaScript, Korean line breaking, the no-translation notice.

One browser for the whole session; the site is the theme fixture site of ``test_theme.py``,
served by ``http.server`` on a free local port.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from test_theme import build_theme_site

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 740}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="Chromium is not installed at /usr/bin/chromium "
                                       "(scripts/install-system-deps.sh test installs it)")

ZH_ARTICLE = "/parks/jindallae-park/"
KO_ARTICLE = "/ko/parks/jindallae-park/"
PAGES = ["/", "/parks/", ZH_ARTICLE, "/events/azalea-festival/", "/news/", "/tags/", "/archives/", "/404.html",
         "/ko/", "/ko/parks/", KO_ARTICLE, "/ko/events/azalea-festival/", "/ko/policy/family-support/"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@contextlib.contextmanager
def serve(root: Path):
    """Serve ``root`` on 127.0.0.1 at a free port, in a thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with serve(build_theme_site(tmp_path_factory)) as url:
        yield url


# ``browser`` (one Chromium for the whole session) and ``site_url`` are in conftest.py.


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=PHONE)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def open_menu(page) -> None:
    """Phones fold the sections, search and contrast switch behind "Menu": open it."""
    toggle = page.locator("button.menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def font_size(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


# ---------------------------------------------------------------------------------------------
# Phone layout


@pytest.mark.parametrize("width", [360, 320])
def test_no_horizontal_scroll_on_phones(browser, base_url, width):
    ctx = browser.new_context(viewport={"width": width, "height": 740})
    try:
        page = ctx.new_page()
        for path in PAGES:
            page.goto(base_url + path)
            scroll, inner = overflow(page)
            assert scroll <= inner, f"{path} at {width}px: page is {scroll}px wide"
    finally:
        ctx.close()


def test_no_horizontal_scroll_with_large_text(browser, base_url):
    ctx = browser.new_context(viewport={"width": 320, "height": 740})
    ctx.add_init_script("try { localStorage.setItem('jindallae-text-size', 'large'); } catch (e) {}")
    try:
        page = ctx.new_page()
        for path in PAGES:
            page.goto(base_url + path)
            assert page.evaluate("document.documentElement.classList.contains('large-text')")
            scroll, inner = overflow(page)
            assert scroll <= inner, f"{path} with large text: page is {scroll}px wide"
    finally:
        ctx.close()


def starter_pages(site: Path) -> list[str]:
    """Every page of a built site except most tag pages: per language, only the ten tag pages
    with the most entries (they list articles of every section, so they meet the longest
    section names; the others repeat the same markup and would only slow the test down)."""
    paths, tags = [], {"zh": [], "ko": []}
    for path in sorted(site.rglob("index.html")):
        rel = path.parent.relative_to(site).as_posix()
        rel = "" if rel == "." else rel + "/"
        m = re.fullmatch(r"(ko/)?tags/[^/]+/", rel)
        if m:
            count = path.read_text(encoding="utf-8").count('class="entry')
            tags["ko" if m.group(1) else "zh"].append((-count, rel))
        else:
            paths.append(rel)
    for found in tags.values():
        paths += [rel for _, rel in sorted(found)[:10]]
    return paths


def test_starter_site_fits_small_phones_with_large_text(browser, site):
    """The real content (conftest's ``site`` build) at 320px with large text: long titles,
    tables and URLs in actual articles must not widen the page."""
    paths = starter_pages(site)
    assert len(paths) > 20
    ctx = browser.new_context(viewport={"width": 320, "height": 740})
    ctx.add_init_script("try { localStorage.setItem('jindallae-text-size', 'large'); } catch (e) {}")
    wide = []
    try:
        page = ctx.new_page()
        with serve(site) as url:
            for rel in paths:
                # wait for "load": every stylesheet (site.css, calendar.css) must apply before measuring
                page.goto(f"{url}/{rel}", wait_until="load")  # all stylesheets applied
                scroll, inner = overflow(page)
                if scroll > inner:
                    wide.append((rel, scroll))
    finally:
        ctx.close()
    assert wide == []


def test_event_dates_and_times_stay_on_one_line_on_a_phone(browser, site):
    """At 390px an event's date, its time range ("14:00 – 16:30") and its calendar file size
    ("1 KB") are not split across lines (UAX #14 would break after the dash, inside 星期四 and
    at the space in 오후 2:00); with large text on a 320px phone they may wrap rather than
    widen the page (test_starter_site_fits_small_phones_with_large_text)."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        with serve(site) as url:
            for rel in ("events/jiangli-fuzhu-zhengce-wendahui/", "ko/events/jiangli-fuzhu-zhengce-wendahui/"):
                page.goto(f"{url}/{rel}", wait_until="load")
                lines = page.evaluate("""() => [...document.querySelectorAll('.event-box .nobr, .event-box .file-meta')]
                    .map(el => { const r = document.createRange(); r.selectNodeContents(el);
                                 const tops = new Set([...r.getClientRects()].map(q => Math.round(q.top)));
                                 return [el.textContent, tops.size]; })""")
                assert len(lines) >= 3, (rel, lines)
                assert any("–" in text for text, _ in lines), (rel, lines)  # the time range is there
                assert [(text, n) for text, n in lines if n != 1] == [], rel
    finally:
        ctx.close()


def test_body_text_is_large_enough(page, base_url):
    for path, selector in ((ZH_ARTICLE, ".article-body p"), (KO_ARTICLE, ".article-body p"), ("/", ".entry-summary")):
        page.goto(base_url + path)
        assert font_size(page, selector) >= 18, path
        line_height = page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).lineHeight)")
        assert line_height / font_size(page, selector) >= 1.6, path


def test_line_length_is_limited_on_wide_screens(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = ctx.new_page()
        for path in (ZH_ARTICLE, KO_ARTICLE):
            page.goto(base_url + path)
            ems = page.eval_on_selector(
                ".article-body p", "el => el.getBoundingClientRect().width / parseFloat(getComputedStyle(el).fontSize)")
            assert 30 <= ems <= 40, f"{path}: {ems:.1f} em a line"
    finally:
        ctx.close()


def test_tap_targets_are_at_least_44px(page, base_url):
    page.goto(base_url + "/news/")
    page.evaluate("document.querySelectorAll('button.text-size, button.contrast').forEach(b => b.hidden = false)")
    open_menu(page)
    selectors = [".site-nav a", ".lang-switch a", ".lang-switch span", "button.text-size", "button.contrast", ".breadcrumbs a",
                 ".pagination a", ".footer-links a", "button.menu-toggle"]
    for selector in selectors:
        boxes = page.eval_on_selector_all(
            selector, "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
        assert boxes, selector
        for width, height in boxes:
            assert height >= 44 and width >= 44, f"{selector}: {width}x{height}"


def test_cover_images_fit(page, base_url):
    page.goto(base_url + KO_ARTICLE)
    width = page.eval_on_selector(".cover img", "el => el.getBoundingClientRect().width")
    assert 0 < width <= PHONE["width"]


# ---------------------------------------------------------------------------------------------
# The larger-text switch


def test_large_text_toggle_and_persistence(page, base_url):
    page.goto(base_url + KO_ARTICLE)
    button = page.locator("button.text-size")
    assert button.is_visible()
    assert page.evaluate("document.documentElement.classList.contains('no-js')") is False
    assert button.get_attribute("aria-pressed") == "false"
    assert button.inner_text() == "큰 글자"
    before = font_size(page, ".article-body p")

    button.click()
    after = font_size(page, ".article-body p")
    assert after >= before * 1.2
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "큰 글자"  # the label stays; aria-pressed tells the state

    page.reload()
    assert font_size(page, ".article-body p") == after
    assert page.locator("button.text-size").get_attribute("aria-pressed") == "true"
    page.goto(base_url + ZH_ARTICLE)  # the choice holds across pages (and languages)
    assert page.locator("button.text-size").inner_text() == "放大字号"

    page.locator("button.text-size").click()
    page.reload()
    assert page.locator("button.text-size").get_attribute("aria-pressed") == "false"
    assert font_size(page, ".article-body p") == pytest.approx(before)
    assert page.evaluate("document.documentElement.classList.contains('large-text')") is False


def test_large_text_toggle_without_storage(browser, base_url):
    """Blocked localStorage (private mode, policies) must not break the switch."""
    ctx = browser.new_context(viewport=PHONE)
    ctx.add_init_script("Object.defineProperty(window, 'localStorage', "
                        "{ get() { throw new DOMException('blocked', 'SecurityError'); } });")
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(exc))
        page.goto(base_url + ZH_ARTICLE)
        before = font_size(page, ".article-body p")
        page.locator("button.text-size").click()
        assert font_size(page, ".article-body p") > before
        assert errors == []
    finally:
        ctx.close()


def test_without_javascript(browser, base_url):
    ctx = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = ctx.new_page()
        for path, names in (("/", ["文化园区", "人口文化论坛", "民俗文艺", "政策解读", "活动", "工作动态"]),
                            ("/ko/", ["문화공원", "인구문화포럼", "민속문예", "정책해설", "행사", "사업동태"])):
            page.goto(base_url + path)
            assert page.evaluate("document.documentElement.className") == "no-js"
            assert not page.locator("button.text-size").is_visible()
            assert not page.locator("button.contrast").is_visible()
            links = page.locator(".site-nav a")
            assert links.all_inner_texts() == names
            for i in range(links.count()):
                assert links.nth(i).is_visible()
            assert page.locator(".lang-switch a").count() == 1 and page.locator(".lang-switch a").is_visible()
    finally:
        ctx.close()


# ---------------------------------------------------------------------------------------------
# The high-contrast switch


def background(page, selector: str = "body") -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_high_contrast_toggle_and_persistence(page, base_url):
    page.emulate_media(reduced_motion="reduce")  # links' colour transition: read final colours
    page.goto(base_url + KO_ARTICLE)
    open_menu(page)
    button = page.locator("button.contrast")
    assert button.is_visible()
    assert button.get_attribute("aria-pressed") == "false"
    assert button.inner_text() == "고대비"
    assert background(page) != "rgb(0, 0, 0)"

    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "고대비"  # the label stays; aria-pressed tells the state
    assert background(page) == "rgb(0, 0, 0)"
    assert page.eval_on_selector("body", "el => getComputedStyle(el).color") == "rgb(255, 255, 255)"
    assert page.eval_on_selector(".footer-links a", "el => getComputedStyle(el).color") == "rgb(255, 255, 0)"
    assert background(page, ".site-header") == "rgb(0, 0, 0)"
    # the larger-text switch is independent of it
    assert page.locator("button.text-size").get_attribute("aria-pressed") == "false"

    page.reload()
    assert background(page) == "rgb(0, 0, 0)"
    assert page.locator("button.contrast").get_attribute("aria-pressed") == "true"
    page.goto(base_url + ZH_ARTICLE)  # the choice holds across pages (and languages)
    assert background(page) == "rgb(0, 0, 0)"
    open_menu(page)
    assert page.locator("button.contrast").inner_text() == "高对比度"

    page.locator("button.contrast").click()
    assert page.locator("button.contrast").get_attribute("aria-pressed") == "false"
    page.reload()
    assert page.locator("button.contrast").get_attribute("aria-pressed") == "false"
    assert background(page) != "rgb(0, 0, 0)"
    assert page.evaluate("document.documentElement.classList.contains('high-contrast')") is False


def test_high_contrast_focus_outline_is_yellow(browser, base_url):
    ctx = browser.new_context(viewport=PHONE)
    ctx.add_init_script("try { localStorage.setItem('jindallae-contrast', 'high'); } catch (e) {}")
    try:
        page = ctx.new_page()
        page.goto(base_url + "/ko/")
        for _ in range(4):
            page.keyboard.press("Tab")
            color, width = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                return [s.outlineColor, parseFloat(s.outlineWidth)]; }""")
            assert color == "rgb(255, 255, 0)" and width >= 3
    finally:
        ctx.close()


# ---------------------------------------------------------------------------------------------
# Keyboard


def test_skip_link_appears_and_moves_focus(page, base_url):
    page.goto(base_url + ZH_ARTICLE)
    skip = page.locator("a.skip-link")
    box = skip.bounding_box()
    assert box is None or box["y"] + box["height"] <= 0  # off screen until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 30
    assert skip.inner_text() == "跳到正文"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'")
    page.keyboard.press("Tab")  # the next Tab continues inside the main content
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_focused_links_have_a_visible_outline(page, base_url):
    page.goto(base_url + "/ko/")
    seen = set()
    for _ in range(14):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName, e.className, e.closest('nav') ? e.closest('nav').className : '',
                    s.outlineStyle, parseFloat(s.outlineWidth), e.getAttribute('aria-expanded')]; }""")
        tag, cls, nav, style, width, expanded = info
        assert style != "none" and width >= 3, info
        seen.add(nav or cls or tag)
        if cls == "menu-toggle" and expanded == "false":  # phones: open the folded menu from the keyboard
            page.keyboard.press("Enter")
    assert "site-nav" in seen and "lang-switch" in seen


# ---------------------------------------------------------------------------------------------
# Language-specific typography


def test_korean_keeps_words_whole(page, base_url):
    page.goto(base_url + KO_ARTICLE)
    assert page.eval_on_selector(".article-body p", "el => getComputedStyle(el).wordBreak") == "keep-all"
    family = page.eval_on_selector("body", "el => getComputedStyle(el).fontFamily")
    assert family.startswith('"Apple SD Gothic Neo"') and "Noto Sans CJK KR" in family
    page.goto(base_url + ZH_ARTICLE)
    assert page.eval_on_selector(".article-body p", "el => getComputedStyle(el).wordBreak") == "normal"
    family = page.eval_on_selector("body", "el => getComputedStyle(el).fontFamily")
    assert family.startswith('"PingFang SC"') and "Noto Sans CJK SC" in family
    # the Korean language name in the Chinese page's switcher gets the Korean fonts
    family = page.eval_on_selector('.lang-switch [lang="ko"]', "el => getComputedStyle(el).fontFamily")
    assert family.startswith('"Apple SD Gothic Neo"')


# ---------------------------------------------------------------------------------------------
# The no-translation notice (no JavaScript needed: :target)


def test_no_translation_notice(page, base_url):
    page.goto(base_url + "/ko/news/")
    assert not page.locator("#no-translation").is_visible()
    page.goto(base_url + "/ko/news/#no-translation")
    assert page.locator("#no-translation").is_visible()


def test_switcher_of_untranslated_page_shows_the_notice(page, base_url):
    page.goto(base_url + "/news/health-lecture/")
    page.locator('.lang-switch a[hreflang="ko"]').click()
    page.wait_for_url("**/ko/news/#no-translation")
    notice = page.locator("#no-translation")
    assert notice.is_visible()
    assert "번역되지 않았습니다" in notice.inner_text()


# ---------------------------------------------------------------------------------------------
# Print


def test_print_stylesheet(page, base_url):
    page.goto(base_url + ZH_ARTICLE)
    page.emulate_media(media="print")
    for selector in (".site-nav", ".lang-switch", ".footer-links", ".breadcrumbs"):
        assert page.eval_on_selector(selector, "el => getComputedStyle(el).display") == "none", selector
    assert page.locator("button.text-size").is_hidden()
    after = page.eval_on_selector('.article-body a[href^="http"]', "el => getComputedStyle(el, '::after').content")
    assert "https://wsjkw.jl.gov.cn/" in after
    color = page.eval_on_selector(".article-body p", "el => getComputedStyle(el).color")
    assert color == "rgb(0, 0, 0)"
