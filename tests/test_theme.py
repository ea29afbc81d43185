"""The theme: its gettext catalogues, the pages it renders in each language, its CSS and JS.

The site built here is ``tests/fixtures/theme_site`` (a park and an event in both languages, a
news page only in Chinese, a policy page only in Korean) plus enough generated Chinese news
pages to paginate the news section.  ``test_browser.py`` serves the same build.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from jindallae.build import build
from jindallae.settings import load_settings

PROJECT = Path(__file__).resolve().parents[1]
THEME = PROJECT / "themes" / "jindallae"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "theme_site"
LANGS = ("zh", "ko")
HTML_LANG = {"zh": "zh-Hans", "ko": "ko"}


# ---------------------------------------------------------------------------------------------
# Helpers (test_browser.py imports build_theme_site)


def template_messages() -> dict[str | tuple[str, ...], list[str]]:
    """Every msgid the templates use, with Jinja's own Babel extractor, mapped to where."""
    out: dict[str | tuple[str, ...], list[str]] = {}
    found = extract_from_dir(
        str(THEME),
        method_map=[("templates/**.html", "jinja2")],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true",
                                           "lstrip_blocks": "true"}},
    )
    for filename, lineno, message, _comments, _context in found:
        out.setdefault(message, []).append(f"{filename}:{lineno}")
    return out


def read_catalog(path: Path):
    with path.open("rb") as fp:
        return read_po(fp)


def news_page(n: int) -> str:
    return (f"---\ntitle: 第{n}期社区健康讲座\ndate: 2025-{1 + n % 12:02d}-{1 + n % 27:02d}\n"
            f"tags: [讲座]\n---\n\n社区医生讲解健康知识，第{n}期。\n")


def build_theme_site(tmp_path_factory) -> Path:
    """Build the theme fixture site once per test session (shared with test_browser.py)."""
    base = tmp_path_factory.getbasetemp() / "theme-site"
    out = base / "build"
    if (out / "index.html").is_file():
        return out
    content = base / "content"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(FIXTURE, content)
    page_size = load_settings(PROJECT)["MULTILINGUAL_PAGE_SIZE"]
    for n in range(1, page_size + 2):  # one page more than fits: the news section paginates
        (content / "news" / f"lecture-{n:03d}.zh.md").write_text(news_page(n), encoding="utf-8")
    build(PROJECT, content, out, progress=False, cache=False)
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def lang_of(site: Path, page: Path) -> str:
    return "ko" if page.relative_to(site).parts[0] == "ko" else "zh"


def visible_strings(doc: BeautifulSoup, sep: str = " ") -> str:
    """The text a reader can meet: body text, <title>, and the attributes read aloud or shown
    (``sep`` joins the text of neighbouring elements)."""
    parts = [doc.get_text(sep)]
    for el in doc.find_all(True):
        for attr in ("aria-label", "title", "alt", "data-label-on", "data-label-off", "placeholder"):
            if el.get(attr):
                parts.append(str(el[attr]))
    for meta in doc.find_all("meta", attrs={"name": "description"}):
        parts.append(meta.get("content", ""))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def theme_site(tmp_path_factory) -> Path:
    return build_theme_site(tmp_path_factory)


@pytest.fixture(scope="module")
def pages(theme_site) -> list[Path]:
    found = sorted(theme_site.rglob("*.html"))
    assert len(found) > 30
    return found


# ---------------------------------------------------------------------------------------------
# Catalogues


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_parses_and_is_complete(lang):
    catalog = read_catalog(THEME / "translations" / lang / "LC_MESSAGES" / "messages.po")
    assert str(catalog.locale).startswith(lang)
    assert not catalog.fuzzy, "the header is marked fuzzy"
    messages = [m for m in catalog if m.id]
    assert len(messages) >= 30
    for m in messages:
        assert not m.fuzzy, f"{lang}: fuzzy: {m.id!r}"
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert strings and all(s.strip() for s in strings), f"{lang}: untranslated: {m.id!r}"
    # python-format placeholders agree between msgid and msgstr (Babel's checkers)
    problems = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert problems == []


def test_templates_use_the_known_strings():
    """The extractor really finds the strings (so the checks below cannot pass vacuously)."""
    messages = template_messages()
    for expected in ("Skip to main content", "Home", "Tags", "Page %(number)s of %(total)s",
                     "Tag: %(name)s", "Year %(year)s", "Larger text"):
        assert expected in messages
    assert "%(year)s" not in messages  # a bare placeholder is not a translatable string


@pytest.mark.parametrize("lang", LANGS)
def test_every_template_string_is_translated(lang):
    catalog = read_catalog(THEME / "translations" / lang / "LC_MESSAGES" / "messages.po")
    missing, empty, fuzzy = [], [], []
    for msgid, where in template_messages().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        m = catalog.get(key)
        if m is None:
            missing.append((msgid, where))
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if not all(s.strip() for s in strings):
            empty.append(msgid)
        if m.fuzzy:
            fuzzy.append(msgid)
        if isinstance(msgid, tuple):
            assert m.pluralizable and m.id == msgid, f"{msgid!r} must be a plural entry"
    assert missing == [], f"{lang}: not in the catalogue (run pybabel update, see babel.cfg)"
    assert empty == [] and fuzzy == []


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_has_no_stale_strings(lang):
    catalog = read_catalog(THEME / "translations" / lang / "LC_MESSAGES" / "messages.po")
    used = {m[0] if isinstance(m, tuple) else m for m in template_messages()}
    assert sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id
                  if (m.id if isinstance(m.id, str) else m.id[0]) not in used) == []


def test_pot_matches_templates():
    pot = read_catalog(THEME / "translations" / "messages.pot")
    assert {m.id for m in pot if m.id} == set(template_messages())


def test_babel_cfg_extracts_templates():
    cfg = (THEME / "babel.cfg").read_text(encoding="utf-8")
    assert re.search(r"^\[jinja2: templates/\*\*\.html\]", cfg, re.M)
    assert "jinja2.ext.i18n" in cfg


# ---------------------------------------------------------------------------------------------
# Built pages


def test_no_english_ui_text_in_pages(theme_site, pages):
    """No English msgid (nor the literal part of a format string) reaches a zh or ko page."""
    fragments = set()
    for msgid in template_messages():
        for text in (msgid if isinstance(msgid, tuple) else (msgid,)):
            for part in re.split(r"%\([a-z_]+\)s", text):
                part = part.strip(" :()")
                if len(part) >= 4:
                    fragments.add(part)
    assert {"Skip to main content", "Home", "Published", "Tags", "Page", "Larger text"} <= fragments
    leaks = []
    for page in pages:
        text = visible_strings(soup(page))
        for fragment in fragments:
            if re.search(r"(?<![A-Za-z/])" + re.escape(fragment) + r"(?![A-Za-z])", text):
                leaks.append((page.relative_to(theme_site).as_posix(), fragment))
    assert leaks == []


EXPECTED = {
    # page: strings that must appear (the translations of the UI strings on it)
    "index.html": ["跳到正文", "近期活动", "最新动态", "文化园区推荐", "更多文章", "放大字号",
                   "往期文章", "用新闻阅读器订阅更新", "菜单"],
    "ko/index.html": ["본문으로 건너뛰기", "다가오는 행사", "최신 소식", "추천 문화공원",
                      "큰 글자", "지난 글", "메뉴"],
    "parks/jindallae-park/index.html": ["首页", "当前位置", "发布时间：2026年5月6日", "更新时间：2026年6月1日",
                                        "来源：延吉市卫生健康局", "本文目录", "标签", "其他语言版本"],
    "ko/parks/jindallae-park/index.html": ["첫페지", "현재 위치", "발표일: 2026년 5월 6일", "출처: 연길시위생건강국",
                                           "차례", "주제어", "다른 언어로 보기"],
    "events/azalea-festival/index.html": ["活动信息", "时间", "地点", "2027年4月28日"],
    "ko/events/azalea-festival/index.html": ["행사 안내", "일시", "장소", "2027년 4월 28일"],
    "tags/yan-ji/index.html": ["标签：延吉", "首页", "标签"],
    "ko/tags/yeongil/index.html": ["주제어: 연길", "첫페지", "주제어"],
    "news/index.html": ["第1页，共2页", "下一页"],
    "news/page/2/index.html": ["第2页，共2页", "上一页"],
    "archives/index.html": ["2026年", "2025年", "往期文章"],
    "ko/archives/index.html": ["2026년", "지난 글"],
    "tags/index.html": ["延吉 （3篇）"],
    "ko/tags/index.html": ["연길 (글 2편)"],
    "404.html": ["找不到该页面", "페지를 찾을 수 없습니다"],
}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_translated_ui_strings_present(theme_site, rel):
    text = re.sub(r"\s+", " ", visible_strings(soup(theme_site / rel), sep=""))
    for expected in EXPECTED[rel]:
        assert expected in text, f"{rel}: {expected!r} missing"


def test_breadcrumbs(theme_site):
    crumbs = soup(theme_site / "ko/tags/yeongil/index.html").select("nav.breadcrumbs li")
    assert [li.get_text(strip=True) for li in crumbs] == ["첫페지", "주제어", "연길"]
    assert crumbs[0].a["href"] == "/ko/" and crumbs[1].a["href"] == "/ko/tags/"
    assert crumbs[2].find(attrs={"aria-current": "page"}) is not None and crumbs[2].a is None
    # on an article every crumb is a link (the article itself is the page's <h1>)
    crumbs = soup(theme_site / "parks/jindallae-park/index.html").select("nav.breadcrumbs li")
    assert [(li.get_text(strip=True), li.a["href"]) for li in crumbs] == [("首页", "/"), ("文化园区", "/parks/")]


def test_korean_pages_have_korean_dates(theme_site, pages):
    """Dates in lists come from the entry macro, which must see the page language."""
    checked = 0
    for page in pages:
        if lang_of(theme_site, page) != "ko":
            continue
        for t in soup(page).find_all("time"):
            text = t.get_text()
            assert "年" not in text and "星期" not in text, f"{page}: {text}"
            assert "년" in text, f"{page}: {text}"
            checked += 1
    assert checked > 10


def test_html_lang_and_single_h1(theme_site, pages):
    for page in pages:
        doc = soup(page)
        lang = lang_of(theme_site, page)
        assert doc.html["lang"] == HTML_LANG[lang], page
        assert len(doc.find_all("h1")) == 1, page
        assert doc.find("main", id="main") is not None, page
        # headings never skip a level going down (h1 -> h3)
        levels = [int(h.name[1]) for h in doc.find_all(re.compile(r"^h[1-6]$"))]
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{page}: h{before} then h{after}"


def test_text_size_button_is_hidden_without_js(theme_site):
    button = soup(theme_site / "index.html").find("button", class_="text-size")
    assert button.has_attr("hidden")
    assert button["aria-pressed"] == "false"
    assert button.get_text(strip=True) == "放大字号"


def test_no_translation_notice_on_section_pages(theme_site):
    for rel in ("parks/index.html", "ko/news/index.html", "tags/index.html"):
        assert soup(theme_site / rel).find(id="no-translation") is not None, rel
    # the Chinese-only news page sends Korean readers to that notice
    switch = soup(theme_site / "news/health-lecture/index.html").select_one('nav.lang-switch a[hreflang="ko"]')
    assert switch["href"] == "/ko/news/#no-translation"


def test_no_resources_from_other_hosts(theme_site, pages):
    """Stylesheets, scripts, images, frames, media: all from this site."""
    offenders = []
    for page in pages:
        doc = soup(page)
        refs = []
        for link in doc.find_all("link"):
            rel = set(link.get("rel") or [])
            if rel & {"canonical", "alternate"}:
                continue  # absolute by design (hreflang, feeds); not loaded by the browser
            refs.append(link.get("href", ""))
        refs += [el.get("src", "") for el in doc.find_all(["script", "img", "iframe", "video", "audio", "source", "embed"])]
        refs += [el.get("srcset", "") for el in doc.find_all(srcset=True)]
        refs += re.findall(r"url\(\s*['\"]?([^'\")]+)", " ".join(el.get("style", "") for el in doc.find_all(style=True)))
        for ref in refs:
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", ref, re.I) or ref.startswith("http"):
                offenders.append((page.relative_to(theme_site).as_posix(), ref))
    assert offenders == []


def test_local_resources_exist(theme_site, pages):
    """Every stylesheet, script, icon and image a page loads is in the build."""
    missing = []
    for page in pages:
        doc = soup(page)
        refs = [link.get("href", "") for link in doc.find_all("link")
                if not set(link.get("rel") or []) & {"canonical", "alternate"}]
        refs += [el.get("src", "") for el in doc.find_all(["script", "img"]) if el.get("type") != "application/ld+json"]
        for ref in refs:
            assert ref.startswith("/"), (page, ref)
            if not (theme_site / ref.lstrip("/").split("#")[0]).is_file():
                missing.append((page.relative_to(theme_site).as_posix(), ref))
    assert missing == []
    assert (theme_site / "theme/css/site.css").is_file() and (theme_site / "theme/js/site.js").is_file()


def test_ids_unique_and_fragment_links_resolve(theme_site, pages):
    for page in pages:
        doc = soup(page)
        ids = [el["id"] for el in doc.find_all(id=True)]
        assert len(ids) == len(set(ids)), f"{page}: duplicate ids"
        for a in doc.select('a[href^="#"]'):
            target = a["href"][1:]
            assert target == "top" or target in ids, f"{page}: link to missing #{target}"


def test_inline_scripts_and_styles_absent(theme_site, pages):
    for page in pages:
        doc = soup(page)
        # JSON-LD (event pages) is data, never executed: the only inline <script> allowed
        assert all(s.get("src") or s.get("type") == "application/ld+json" for s in doc.find_all("script")), page
        assert doc.find("style") is None, page


# ---------------------------------------------------------------------------------------------
# Static files


def css(name: str) -> str:
    return (THEME / "static" / "css" / name).read_text(encoding="utf-8")


def rules(text: str) -> list[tuple[str, str]]:
    """(selector, declarations) of every plain rule; good enough for our flat stylesheet."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return [(s.strip(), d.strip()) for s, d in re.findall(r"([^{}]+)\{([^{}]*)\}", text)]


def declarations_for(text: str, pattern: str) -> str:
    return " ".join(d for s, d in rules(text) if re.search(pattern, s))


def test_css_fonts_and_korean_line_breaking():
    text = css("site.css")
    assert "@font-face" not in text and "@import" not in text
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    assert re.search(r"word-break:\s*keep-all", declarations_for(text, r":lang\(ko\)"))
    assert "overflow-wrap: anywhere" in text
    zh = declarations_for(text, r":lang\(zh\)")
    ko = declarations_for(text, r":lang\(ko\)")
    for family in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC"):
        assert f'"{family}"' in zh
    for family in ("Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans CJK KR", "Noto Sans KR"):
        assert f'"{family}"' in ko
    # raw size; the transfer budget of a whole page (HTML + CSS + JS gzipped <= 40 KB) is
    # tests/test_page_weight.py
    assert len(text.encode()) < 16 * 1024


def test_css_notice_visibility_and_accessibility():
    text = css("site.css")
    assert re.search(r"display:\s*none", declarations_for(text, r"^\.notice$"))
    assert re.search(r"display:\s*block", declarations_for(text, r"^\.notice:target$"))
    assert re.search(r"outline:\s*[3-9]px solid", declarations_for(text, r":focus-visible"))
    assert "prefers-reduced-motion" in text
    assert re.search(r"font-size:\s*1[0-9]{2}(\.\d+)?%", declarations_for(text, r"^html$"))
    assert declarations_for(text, r"^html\.large-text$")
    assert re.search(r"line-height:\s*1\.7", declarations_for(text, r"^body$"))


def test_print_css():
    text = css("print.css")
    assert 'a[href^="http"]::after' in text and 'attr(href)' in text
    assert re.search(r"display:\s*none", declarations_for(text, r"\.site-nav"))
    assert re.search(r"break-inside:\s*avoid", declarations_for(text, r"figure"))
    assert "12pt" in text
    assert not re.search(r"url\(", text)


def test_js_is_small_and_self_contained():
    js = (THEME / "static" / "js" / "site.js").read_text(encoding="utf-8")
    assert len(js.encode()) < 4 * 1024
    assert not re.search(r"https?://|import\s|require\(|fetch\(|XMLHttpRequest", js)
    assert "localStorage" in js and "catch" in js
