"""The CMS on a phone (390 × 844 CSS px, Chromium): the history, audit log and publish pages
fit the screen's width; wide tables scroll sideways inside their own focusable region, and
long addresses break instead of widening the page."""

from __future__ import annotations

import pytest

from cms_helpers import git, make_cms
from test_cms_e2e import sign_in
from test_cms_security import serve_app

NEWS = "news/jiang-zuo.zh.md"
TEXT = ("---\ntitle: 延吉市人口文化广场落成典礼暨幸福家庭建设宣传月启动仪式\ndate: 2026-10-01\n"
        "summary: 讲座在延吉举行。\nstatus: draft\n---\n\n正文。\n")
CHEAP = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1}


@pytest.fixture
def live(tmp_path):
    users = {"boss": {"roles": ["admin", "editor", "reviewer"], "ui_lang": "zh"},
             "kim": {"roles": ["admin", "editor", "reviewer"], "ui_lang": "ko"}}
    app, client = make_cms(tmp_path, users=users, content_files={NEWS: TEXT}, config=CHEAP,
                           publishconf=None)
    content = app.config["CONTENT_DIR"]
    for i in range(3):  # a few versions in the history, with long commit subjects
        (content / NEWS).write_text(TEXT.replace("正文。", f"正文第{i}版。"), encoding="utf-8")
        git(app.config["PROJECT_DIR"], "commit", "-qam", f"Edit {NEWS}: 延吉市人口文化广场落成典礼暨幸福家庭建设宣传月启动仪式")
    with serve_app(app) as url:
        yield app, url


def widths(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.mark.parametrize("user", ["boss", "kim"])
def test_wide_pages_fit_a_phone_screen(browser, live, user):
    app, url = live
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = sign_in(context, url, user)
    for path in (f"/history/{NEWS}", "/admin/audit", "/publish"):
        page.goto(url + path)
        scroll, client = widths(page)
        wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
        assert client == 390 and scroll <= 390, f"{path}: page is {scroll} px wide on a 390 px screen: {wide}"
        # a table wider than the screen scrolls inside a region a keyboard user can reach and that is named
        for wrap in page.query_selector_all(".table-wrap"):
            assert wrap.get_attribute("tabindex") == "0" and wrap.get_attribute("role") == "region"
            assert (wrap.get_attribute("aria-label") or wrap.get_attribute("aria-labelledby")), path
            assert wrap.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    context.close()


def test_chinese_text_in_the_korean_ui_breaks_between_characters(browser, live):
    """The Korean UI keeps Korean words whole (word-break: keep-all), but the Chinese source
    shown on the translation page breaks between characters as Chinese does (keep-all is
    inherited: without a rule of its own it left 。 alone on a line at 390 px)."""
    app, url = live
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = sign_in(context, url, "kim")
    page.goto(f"{url}/translate/{NEWS.replace('.zh.md', '.ko.md')}")
    source = page.locator(".source-rendered").first
    assert source.evaluate("el => getComputedStyle(el).wordBreak") == "normal"
    assert page.locator("h1").first.evaluate("el => getComputedStyle(el).wordBreak") == "keep-all"
    context.close()
