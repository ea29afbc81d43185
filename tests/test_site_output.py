"""The built site: pages per language, hreflang, dates, links, feeds, sitemap, tags (cases I2-I8,
and M1-M4 on built pages), reproducibility and skipped rebuilds.

Two sites are used: ``site`` (conftest: the starter content in content/, built once), over which
every expectation is derived from the content files themselves, and ``fx`` (a small fixture
content folder built once per module) for exact values.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from jindallae.build import build
from jindallae.settings import load_settings
from site_helpers import (
    HTML_LANG, LANG_PREFIX, LONG_DATE, PROJECT, PUBLIC_URL, SECTIONS, SKIP_SCHEMES, as_aware, as_date, content_pages,
    groups, hreflang_alternates, html_files, ids_in, jpeg_bytes, make_project, md, page_url_of, published, resolve,
    soup_of, tree_hashes, url_to_file, write_files,
)

XSD = Path(__file__).resolve().parent / "fixtures" / "sitemap.xsd"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SECTION_NAMES = {
    "zh": {"parks": "文化园区", "forums": "人口文化论坛", "folk-arts": "民俗文艺", "policy": "政策解读",
           "events": "活动", "news": "工作动态"},
    "ko": {"parks": "문화공원", "forums": "인구문화포럼", "folk-arts": "민속문예", "policy": "정책해설",
           "events": "행사", "news": "사업동태"},
}

# ---------------------------------------------------------------------------------------------
# Fixture content (exact values)

PARK_ZH_BODY = """第一行，
第二行。

**真，**她说。**「刻舟求剑」**的故事
很有名。

使用
Pelican 构建。

## 创建幸福家庭

![公园小路](../images/park.jpg)

第一行**粗体**
第二行

## 民俗文艺

<script>alert(1)</script>

[危险链接](javascript:alert(1)) <img src="/images/park.jpg" onerror=alert(1)> <a href="#" onclick="alert(1)">点</a>

| 年份 | 人数 |
|---|---:|
| 2024 | 12 |

面积 100m<sup>2</sup><br>开放时间见[银行一文](../news/yin-hang.zh.md)。

## 创建幸福家庭

```
代码第一行
代码第二行
```
"""

PARK_KO_BODY = """첫째 줄
둘째 줄

![공원 산책길](../images/park.jpg)

## 민속 예술

본문.

## 가정 문화

본문.

## 민속 예술

끝.
"""

FIXTURE = {
    "parks/wen-hua-yuan.zh.md": md("""
title: 文化园
date: 2024-01-05
updated: 2024-02-01
summary: 一个文化园。
tags: [测试, 延边]
cover: images/park.jpg
cover_alt: 公园小路
author: 延吉市
""", PARK_ZH_BODY),
    "parks/wen-hua-yuan.ko.md": md("""
title: 문화공원 안내
date: 2024-01-05
summary: 문화공원입니다.
tags: [测试, 延边, 연변]
cover: images/park.jpg
cover_alt: 공원 산책길
translated_from: {lang: zh}
""", PARK_KO_BODY),
    "news/yin-hang.zh.md": md("title: 银行贴息贷款\ndate: 2024-03-10 09:30\ntags: [银行, yin hang]", "正文。\n"),
    "news/hanguk-only.ko.md": md("title: 한국어만 있는 소식\ndate: 2024-02-20\ntags: [연변]", "본문.\n"),
    "policy/zh-only.zh.md": md("title: 只有中文的政策\ndate: 2023-12-31\nsummary: 摘要", "正文。\n"),
    "events/jiang-zuo.zh.md": md("""
title: 幸福家庭讲座
date: 2024-01-02
event:
  start: 2024-04-01 09:30
  end: 2024-04-01 11:00
  location: 延吉市人民广场
  id: 9c1e5a7e-3b2d-4f6a-8e9d-7a1b2c3d4e5f
""", "正文。\n"),
    "events/jiang-zuo.ko.md": md("""
title: 행복가정 강좌
date: 2024-01-02
event:
  start: 2024-04-01 09:30
  end: 2024-04-01 11:00
  location: 연길시 인민광장
  id: 9c1e5a7e-3b2d-4f6a-8e9d-7a1b2c3d4e5f
""", "본문.\n"),
    "news/cao-gao.zh.md": md("title: 草稿\ndate: 2024-01-06\nstatus: draft", "未完成。\n"),
    "news/shen-he.ko.md": md("title: 검토 중\ndate: 2024-01-07\nstatus: review", "검토.\n"),
}
PARK_JPG = jpeg_bytes()


@pytest.fixture(scope="module")
def fx_content(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fx") / "content"
    write_files(root, FIXTURE)
    write_files(root, {"images/park.jpg": PARK_JPG})
    return root


@pytest.fixture(scope="module")
def fx(fx_content) -> Path:
    out = fx_content.parent / "build"
    build(PROJECT, fx_content, out, progress=False, cache=False)
    return out


def body(build_dir: Path, url: str):
    return soup_of(url_to_file(build_dir, url)).select_one(".article-body")


# ---------------------------------------------------------------------------------------------
# M1-M4 on a built page


def test_M1_soft_breaks_in_built_page(fx):
    zh = body(fx, "/parks/wen-hua-yuan/").find_all("p")
    assert zh[0].get_text() == "第一行，第二行。"
    assert zh[1].get_text() == "真，她说。「刻舟求剑」的故事很有名。"
    assert zh[2].get_text() == "使用 Pelican 构建。"
    texts = [p.get_text() for p in zh]
    assert "第一行粗体第二行" in texts
    assert body(fx, "/parks/wen-hua-yuan/").pre.get_text() == "代码第一行\n代码第二行\n"
    ko = body(fx, "/ko/parks/wen-hua-yuan/").find_all("p")
    assert ko[0].get_text() == "첫째 줄 둘째 줄"


def test_M2_strong_in_built_page(fx):
    strongs = [s.decode_contents() for s in body(fx, "/parks/wen-hua-yuan/").find_all("strong")]
    assert strongs == ["真，", "「刻舟求剑」", "粗体"]


def test_M3_heading_ids_and_toc_in_built_page(fx):
    page = soup_of(url_to_file(fx, "/parks/wen-hua-yuan/"))
    ids = [h["id"] for h in page.select(".article-body h2")]
    assert ids[:2] == ["chuang-jian-xing-fu-jia-ting", "min-su-wen-yi"]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert ids[2].startswith("chuang-jian-xing-fu-jia-ting")
    toc = [a["href"] for a in page.select("nav.toc a")]
    assert toc == [f"#{i}" for i in ids]
    page_ids = ids_in(page)
    assert all(h[1:] in page_ids for h in toc)
    all_ids = [el["id"] for el in page.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids)), "duplicate ids on the page"

    ko = soup_of(url_to_file(fx, "/ko/parks/wen-hua-yuan/"))
    ko_ids = [h["id"] for h in ko.select(".article-body h2")]
    assert ko_ids[:2] == ["minsok-yesul", "gajeong-munhwa"] and len(set(ko_ids)) == 3
    assert [a["href"] for a in ko.select("nav.toc a")] == [f"#{i}" for i in ko_ids]


def test_M3_no_toc_with_two_headings_or_fewer(fx):
    page = soup_of(url_to_file(fx, "/news/yin-hang/"))
    assert page.select("nav.toc") == []


def test_M4_built_article_is_sanitised(fx):
    page = soup_of(url_to_file(fx, "/parks/wen-hua-yuan/"))
    b = page.select_one(".article-body")
    assert b.find("script") is None
    assert "alert(1)" not in str(b)
    for el in page.find_all(True):
        for name, value in el.attrs.items():
            assert not name.lower().startswith("on"), (el.name, name)
            if name in ("href", "src"):
                assert not str(value).strip().lower().startswith("javascript:"), value
    risky = b.find("a", string="危险链接")
    assert risky is not None and risky.get("href") is None
    # Allowed formatting survives.
    assert [td.get_text() for td in b.select("table td")] == ["2024", "12"]
    assert b.select("table td")[1].get("align") == "right"
    assert b.find("sup").get_text() == "2"
    assert b.find("br") is not None
    # A link to another content file becomes that page's URL.
    assert b.find("a", string="银行一文")["href"] == "/news/yin-hang/"


def test_M4_only_theme_scripts_on_built_pages(fx):
    for f in html_files(fx):
        for script in soup_of(f).find_all("script"):
            if script.get("type") == "application/ld+json":
                continue  # data, not code
            src = script.get("src", "")
            # the search pages also load Pagefind's UI from the site's own search bundle
            allowed = ("/theme/", "/pagefind/") if f.parent.name == "search" else ("/theme/",)
            assert src.startswith(allowed), (f, script)


# ---------------------------------------------------------------------------------------------
# I2: dates in the page language, without OS locales


def article_times(build_dir: Path, url: str) -> list[tuple[str, str]]:
    page = soup_of(url_to_file(build_dir, url))
    return [(t.get("datetime", ""), t.get_text(strip=True)) for t in page.select("article time")]


def test_I2_dates_in_page_language(fx):
    assert ("2024-01-05T00:00:00+08:00", "2024年1月5日") in article_times(fx, "/parks/wen-hua-yuan/")
    assert ("2024-02-01T00:00:00+08:00", "2024年2月1日") in article_times(fx, "/parks/wen-hua-yuan/")
    assert ("2024-01-05T00:00:00+08:00", "2024년 1월 5일") in article_times(fx, "/ko/parks/wen-hua-yuan/")
    assert ("2024-03-10T09:30:00+08:00", "2024年3月10日") in article_times(fx, "/news/yin-hang/")


def test_I2_event_dates_in_page_language(fx):
    zh = [text for _, text in article_times(fx, "/events/jiang-zuo/")]
    ko = [text for _, text in article_times(fx, "/ko/events/jiang-zuo/")]
    assert any(t.startswith("2024年4月1日") and "9:30" in t and "11:00" in t for t in zh), zh
    assert any(t.startswith("2024년 4월 1일") and "9:30" in t and "11:00" in t for t in ko), ko


def test_I2_build_with_lang_c(fx_content, tmp_path):
    """A build in a C locale (no zh_CN / ko_KR locales) formats dates with CLDR data."""
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LANG", "LC_ALL", "LC_TIME", "LC_CTYPE")}
    env.update(LANG="C", LC_ALL="C")
    proc = subprocess.run(
        [sys.executable, "-m", "jindallae.cli", "--project", str(project), "build", "--content", str(fx_content),
         "--output", str(out), "--no-progress"],
        capture_output=True, env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"unsupported locale" not in proc.stderr
    zh = soup_of(out / "parks/wen-hua-yuan/index.html")
    ko = soup_of(out / "ko/parks/wen-hua-yuan/index.html")
    assert "2024年1月5日" in [t.get_text(strip=True) for t in zh.select("article time")]
    assert "2024년 1월 5일" in [t.get_text(strip=True) for t in ko.select("article time")]
    # The same bytes as an in-process build (the locale changes nothing).
    ref = fx_content.parent / "build"
    assert (out / "parks/wen-hua-yuan/index.html").read_bytes() == (ref / "parks/wen-hua-yuan/index.html").read_bytes()


# ---------------------------------------------------------------------------------------------
# I3: one image shared by both languages


def test_I3_shared_image_written_once(fx):
    copies = sorted(p.relative_to(fx).as_posix() for p in fx.rglob("park.jpg"))
    assert copies == ["images/park.jpg"]
    assert (fx / "images/park.jpg").read_bytes() == PARK_JPG
    for url, alt in [("/parks/wen-hua-yuan/", "公园小路"), ("/ko/parks/wen-hua-yuan/", "공원 산책길")]:
        page = soup_of(url_to_file(fx, url))
        body_imgs = [i for i in page.select(".article-body img") if i.get("alt")]
        assert [(i["src"], i["alt"]) for i in body_imgs] == [("/images/park.jpg", alt)]
        assert {i["src"] for i in page.select("main img")} == {"/images/park.jpg"}  # the theme's are in /theme/
        cover = page.select_one("figure.cover img")
        assert cover["src"] == "/images/park.jpg" and cover["alt"] == alt
        assert url_to_file(fx, resolve(url, body_imgs[0]["src"])) == fx / "images/park.jpg"


# ---------------------------------------------------------------------------------------------
# I5: per-language feeds (fixture: exact entries)


def test_I5_fixture_feeds(fx):
    zh = feedparser.parse((fx / "atom.xml").read_bytes())
    ko = feedparser.parse((fx / "ko/atom.xml").read_bytes())
    assert zh.bozo == 0 and ko.bozo == 0
    assert [(e.link, e.title) for e in zh.entries] == [
        (f"{PUBLIC_URL}/news/yin-hang/", "银行贴息贷款"),
        (f"{PUBLIC_URL}/parks/wen-hua-yuan/", "文化园"),
        (f"{PUBLIC_URL}/events/jiang-zuo/", "幸福家庭讲座"),
        (f"{PUBLIC_URL}/policy/zh-only/", "只有中文的政策"),
    ]
    assert [(e.link, e.title) for e in ko.entries] == [
        (f"{PUBLIC_URL}/ko/news/hanguk-only/", "한국어만 있는 소식"),
        (f"{PUBLIC_URL}/ko/parks/wen-hua-yuan/", "문화공원 안내"),
        (f"{PUBLIC_URL}/ko/events/jiang-zuo/", "행복가정 강좌"),
    ]
    assert zh.feed.title == "吉林人口文化" and ko.feed.title == "길림 인구문화"
    # Each feed is its language's: own id, alternate link to its home page, xml:lang.
    assert (zh.feed.id, zh.feed.link, zh.feed.language) == (f"{PUBLIC_URL}/", f"{PUBLIC_URL}/", "zh-Hans")
    assert (ko.feed.id, ko.feed.link, ko.feed.language) == (f"{PUBLIC_URL}/ko/", f"{PUBLIC_URL}/ko/", "ko")
    # Entry dates are the front-matter dates (not the build time).
    assert [e.published for e in zh.entries] == [
        "2024-03-10T09:30:00+08:00", "2024-01-05T00:00:00+08:00", "2024-01-02T00:00:00+08:00", "2023-12-31T00:00:00+08:00"]
    assert zh.entries[1].updated == "2024-02-01T00:00:00+08:00"
    # Content is the sanitised article body.
    assert "<script" not in zh.entries[1].content[0].value
    assert "第一行，第二行。" in zh.entries[1].content[0].value


# ---------------------------------------------------------------------------------------------
# I6: a page in one language only


def switcher_links(page, hreflang: str) -> set[str]:
    return {a["href"] for a in page.find_all("a", href=True) if a.get("hreflang") == hreflang}


def test_I6_fixture_single_language_pages(fx):
    ko_only = soup_of(url_to_file(fx, "/ko/news/hanguk-only/"))
    assert switcher_links(ko_only, "zh-Hans") == {"/news/#no-translation"}
    zh_only = soup_of(url_to_file(fx, "/policy/zh-only/"))
    assert switcher_links(zh_only, "ko") == {"/ko/policy/#no-translation"}
    for url in ("/news/", "/ko/policy/"):
        target = soup_of(url_to_file(fx, url))
        assert target.find(id="no-translation") is not None
    both = soup_of(url_to_file(fx, "/parks/wen-hua-yuan/"))
    assert switcher_links(both, "ko") == {"/ko/parks/wen-hua-yuan/"}


# ---------------------------------------------------------------------------------------------
# I7: sitemap (fixture: exact groups)


def sitemap_groups(build_dir: Path) -> dict[str, dict[str, str]]:
    tree = etree.parse(str(build_dir / "sitemap.xml"))
    out = {}
    for url in tree.getroot().iter(f"{SM}url"):
        loc = url.findtext(f"{SM}loc")
        assert loc not in out, f"{loc} listed twice"
        links = {}
        for link in url.iter(f"{XHTML}link"):
            assert link.get("rel") == "alternate"
            assert link.get("hreflang") not in links
            links[link.get("hreflang")] = link.get("href")
        out[loc] = links
    return out


def test_I7_fixture_sitemap(fx):
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(fx / "sitemap.xml"))
    assert schema.validate(doc), schema.error_log
    g = sitemap_groups(fx)
    park = {"zh-Hans": f"{PUBLIC_URL}/parks/wen-hua-yuan/", "ko": f"{PUBLIC_URL}/ko/parks/wen-hua-yuan/",
            "x-default": f"{PUBLIC_URL}/parks/wen-hua-yuan/"}
    assert g[f"{PUBLIC_URL}/parks/wen-hua-yuan/"] == park
    assert g[f"{PUBLIC_URL}/ko/parks/wen-hua-yuan/"] == park
    assert g[f"{PUBLIC_URL}/ko/news/hanguk-only/"] == {}
    assert g[f"{PUBLIC_URL}/policy/zh-only/"] == {}
    assert f"{PUBLIC_URL}/news/cao-gao/" not in g
    assert f"{PUBLIC_URL}/ko/news/shen-he/" not in g
    home = {"zh-Hans": f"{PUBLIC_URL}/", "ko": f"{PUBLIC_URL}/ko/", "x-default": f"{PUBLIC_URL}/"}
    assert g[f"{PUBLIC_URL}/"] == home and g[f"{PUBLIC_URL}/ko/"] == home


def test_I7_schema_rejects_a_broken_sitemap(tmp_path):
    """The schema is not vacuous: a <url> without <loc> or with a relative loc fails."""
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    good = f'<urlset {ns}><url><loc>http://localhost:8000/</loc><xhtml:link rel="alternate" hreflang="ko" href="http://localhost:8000/ko/"/></url></urlset>'
    assert schema.validate(etree.fromstring(good))
    for bad in [f"<urlset {ns}><url><lastmod>2024-01-05</lastmod></url></urlset>",
                f"<urlset {ns}><url><loc>/relative/</loc></url></urlset>",
                f"<urlset {ns}><url><loc>http://localhost:8000/</loc><priority>2</priority></url></urlset>",
                f"<urlset {ns}><page><loc>http://localhost:8000/</loc></page></urlset>"]:
        assert not schema.validate(etree.fromstring(bad)), bad


# ---------------------------------------------------------------------------------------------
# I8: Chinese tags


def test_I8_fixture_tag_urls(fx):
    zh_tags = {a.get_text(strip=True): a["href"]
               for a in soup_of(url_to_file(fx, "/parks/wen-hua-yuan/")).select("a[rel~=tag]")}
    assert zh_tags == {"测试": "/tags/ce-shi/", "延边": "/tags/yan-bian/"}
    ko_tags = {a.get_text(strip=True): a["href"]
               for a in soup_of(url_to_file(fx, "/ko/parks/wen-hua-yuan/")).select("a[rel~=tag]")}
    assert ko_tags == {"测试": "/ko/tags/ce-shi/", "延边": "/ko/tags/yan-bian/", "연변": "/ko/tags/yeonbyeon/"}
    bank = {a.get_text(strip=True): a["href"]
            for a in soup_of(url_to_file(fx, "/news/yin-hang/")).select("a[rel~=tag]")}
    assert set(bank) == {"银行", "yin hang"}
    assert len(set(bank.values())) == 2
    assert set(bank.values()) == {"/tags/yin-hang/", "/tags/yin-hang-2/"}
    for tags, article in [(zh_tags, "/parks/wen-hua-yuan/"), (ko_tags, "/ko/parks/wen-hua-yuan/"),
                          (bank, "/news/yin-hang/")]:
        for name, url in tags.items():
            page = soup_of(url_to_file(fx, url))
            assert name in page.h1.get_text()
            assert article in {a["href"] for a in page.find_all("a", href=True)}
    ko_yanbian = soup_of(url_to_file(fx, "/ko/tags/yeonbyeon/"))
    links = {a["href"] for a in ko_yanbian.find_all("a", href=True)}
    assert {"/ko/parks/wen-hua-yuan/", "/ko/news/hanguk-only/"} <= links


# ---------------------------------------------------------------------------------------------
# Drafts


def test_drafts_and_reviews_are_not_published(fx):
    for url in ("/news/cao-gao/", "/ko/news/shen-he/"):
        assert not url_to_file(fx, url).exists()
    everything = "".join(f.read_text(encoding="utf-8") for f in fx.rglob("*") if f.suffix in (".html", ".xml"))
    assert "cao-gao" not in everything and "草稿" not in everything
    assert "shen-he" not in everything and "검토 중" not in everything


# =============================================================================================
# The starter site: expectations derived from content/


@pytest.fixture(scope="module")
def starter():
    pages = published(PROJECT / "content")
    return {"pages": pages, "groups": groups(pages), "all": content_pages(PROJECT / "content")}


def test_starter_content_covers_the_cases(starter):
    """Guards against vacuous passes: the starter site has translated and single-language pages."""
    g = starter["groups"].values()
    assert any(set(v) == {"zh", "ko"} for v in g)
    assert any(set(v) == {"ko"} for v in g), "no Korean-only page in content/"
    assert any(set(v) == {"zh"} for v in g), "no Chinese-only page in content/"


def test_every_published_page_is_built_and_nothing_else(site, starter):
    expected = {p.url for p in starter["pages"]}
    built = set()
    for f in html_files(site):
        url = page_url_of(site, f)
        parts = url.strip("/").split("/")
        if parts[0] == "ko":
            parts = parts[1:]
        if len(parts) == 2 and parts[0] in SECTIONS and parts[1] != "page":
            built.add(url)
    assert built == expected
    for p in starter["all"]:
        if not p.published:
            assert p.url not in built


def test_hreflang_and_html_lang_on_article_pages(site, starter):
    for (section, slug), versions in starter["groups"].items():
        for lang, page in versions.items():
            s = soup_of(url_to_file(site, page.url))
            assert s.html["lang"] == HTML_LANG[lang], page.url
            alts = hreflang_alternates(s)
            if len(versions) == 1:
                assert alts == {}, page.url
                continue
            expected = {HTML_LANG[code]: PUBLIC_URL + other.url for code, other in versions.items()}
            expected["x-default"] = PUBLIC_URL + versions["zh"].url
            assert alts == expected, page.url
            canonical = s.find("link", rel="canonical")["href"]
            assert canonical == PUBLIC_URL + page.url


def test_hreflang_reciprocal_everywhere(site):
    """On every built page: each alternate points back at the page with the same set."""
    for f in html_files(site):
        s = soup_of(f)
        alts = hreflang_alternates(s)
        if not alts:
            continue
        me = PUBLIC_URL + page_url_of(site, f)
        assert me in alts.values(), f
        assert "x-default" in alts, f
        for hreflang, href in alts.items():
            other = url_to_file(site, href)
            assert other.is_file(), href
            assert hreflang_alternates(soup_of(other)) == alts, (f, href)
            if hreflang != "x-default":
                assert soup_of(other).html["lang"] == hreflang


def test_html_lang_on_every_page(site):
    for f in html_files(site):
        rel = f.relative_to(site).as_posix()
        expected = "ko" if rel.startswith("ko/") else "zh-Hans"
        assert soup_of(f).html.get("lang") == expected, rel


def test_dates_on_pages_equal_front_matter(site, starter):
    for page in starter["pages"]:
        times = article_times(site, page.url)
        want = (page.date.isoformat(), LONG_DATE[page.lang](page.date))
        assert any(dt_attr.startswith(want[0]) and text == want[1] for dt_attr, text in times), (page.url, times)
        if "updated" in page.meta and str(page.meta["updated"]) != str(page.meta["date"]):
            up = as_date(page.meta["updated"])
            assert any(text == LONG_DATE[page.lang](up) for _, text in times), (page.url, times)
        event = page.meta.get("event")
        if event:
            start = as_date(event["start"])
            assert any(text.startswith(LONG_DATE[page.lang](start)) for _, text in times), (page.url, times)


def test_titles_on_pages_equal_front_matter(site, starter):
    for page in starter["pages"]:
        s = soup_of(url_to_file(site, page.url))
        assert s.select_one("article h1").get_text(strip=True) == str(page.meta["title"]).strip(), page.url
        assert s.title.get_text().startswith(str(page.meta["title"]).strip())


def test_per_language_home_section_tag_archive_pages(site, starter):
    for lang, prefix in LANG_PREFIX.items():
        home = soup_of(site / prefix / "index.html")
        assert home.html["lang"] == HTML_LANG[lang]
        for section in SECTIONS:
            f = site / prefix / section / "index.html"
            assert f.is_file(), f
            s = soup_of(f)
            assert s.html["lang"] == HTML_LANG[lang]
            assert s.h1.get_text(strip=True) == SECTION_NAMES[lang][section]
            assert s.find(id="no-translation") is not None
            # The navigation links every section under the language's prefix.
            assert f"/{prefix}{section}/" in {a["href"] for a in home.find_all("a", href=True)}
        assert (site / prefix / "tags/index.html").is_file()
        assert (site / prefix / "archives/index.html").is_file()
        assert (site / prefix / "atom.xml").is_file()
        # The tag index links every tag used by this language's pages (URLs from the pages).
        used = {a["href"] for p in starter["pages"] if p.lang == lang
                for a in soup_of(url_to_file(site, p.url)).select("a[rel~=tag]")}
        tag_index = {a["href"] for a in soup_of(site / prefix / "tags/index.html").select("main a[href]")}
        assert used <= tag_index, (lang, used - tag_index)
    assert (site / "404.html").is_file()
    # The "not found" pages are not indexed and claim no address or language versions of their own.
    for rel in ("404.html", "ko/404.html"):
        page = soup_of(site / rel)
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.find("link", rel="canonical") is None
        assert page.find("link", rel="alternate", hreflang=True) is None
        assert page.find("meta", property="og:url") is None
        assert page.find(class_="print-url") is None


def collect_listing(site: Path, first_url: str) -> set[str]:
    """Article links on a listing page and the pages after it (rel=next)."""
    found, url, seen = set(), first_url, set()
    while url and url not in seen:
        seen.add(url)
        s = soup_of(url_to_file(site, url))
        main = s.find("main")
        for a in main.find_all("a", href=True):
            found.add(a["href"].split("#")[0])
        nxt = s.find("a", rel="next")
        url = nxt["href"] if nxt else None
    return found


def test_section_pages_list_every_page(site, starter):
    for lang, prefix in LANG_PREFIX.items():
        for section in SECTIONS:
            expected = {p.url for p in starter["pages"] if p.lang == lang and p.section == section}
            listed = {u for u in collect_listing(site, f"/{prefix}{section}/")
                      if re.fullmatch(rf"/{prefix}{section}/[a-z0-9-]+/", u) and "/page/" not in u}
            assert listed == expected, (lang, section)


def test_archives_list_every_page(site, starter):
    for lang, prefix in LANG_PREFIX.items():
        expected = {p.url for p in starter["pages"] if p.lang == lang}
        listed = {u for u in collect_listing(site, f"/{prefix}archives/")
                  if any(u.startswith(f"/{prefix}{s}/") and u != f"/{prefix}{s}/" for s in SECTIONS)}
        assert listed == expected, lang


def test_tag_pages_link_back_to_their_pages(site, starter):
    for page in starter["pages"]:
        tags = [str(t).strip() for t in page.meta.get("tags") or []]
        if not tags:
            continue
        s = soup_of(url_to_file(site, page.url))
        links = {a.get_text(strip=True): a["href"] for a in s.select("a[rel~=tag]")}
        assert set(links) == set(tags), page.url
        for name, href in links.items():
            assert href.startswith(f"/{LANG_PREFIX[page.lang]}tags/") and href.endswith("/")
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", href.rstrip("/").rsplit("/", 1)[1]), href
            tag_page = soup_of(url_to_file(site, href))
            assert page.url in {a["href"] for a in tag_page.find_all("a", href=True)}, (page.url, href)


# ---------------------------------------------------------------------------------------------
# I4: every link and asset resolves


def _refs(s):
    for el in s.find_all(["a", "link", "img", "script", "source", "meta", "iframe", "video", "audio"]):
        for attr in ("href", "src"):
            if el.get(attr):
                yield el.name, attr, el[attr]
        if el.get("srcset"):
            for part in el["srcset"].split(","):
                if part.strip():
                    yield el.name, "srcset", part.split()[0]
        if el.name == "meta" and el.get("property") in ("og:image", "og:url") and el.get("content"):
            yield el.name, el["property"], el["content"]


def check_links(site: Path) -> list[str]:
    problems = []
    for f in html_files(site):
        page_url = page_url_of(site, f)
        s = soup_of(f)
        own_ids = ids_in(s)
        for tag, attr, ref in _refs(s):
            if SKIP_SCHEMES.match(ref):
                continue
            if ref.startswith("#"):
                frag = ref[1:]
                if frag and frag != "top" and frag not in own_ids:  # "#top": the HTML spec's document top
                    problems.append(f"{page_url}: {tag}[{attr}]={ref}: no such id on the page")
                continue
            full = resolve(page_url, ref)
            if not full.startswith(PUBLIC_URL + "/"):
                continue  # another site
            if "/ko/theme/" in full or "../theme" in ref or "/ko/../" in full:
                problems.append(f"{page_url}: {tag}[{attr}]={ref}: theme asset under /ko/")
            target = url_to_file(site, full)
            if target is None or not target.is_file():
                problems.append(f"{page_url}: {tag}[{attr}]={ref}: {target} does not exist")
                continue
            frag = full.partition("#")[2]
            if frag and target.suffix == ".html" and frag not in ids_in(soup_of(target)):
                problems.append(f"{page_url}: {tag}[{attr}]={ref}: no id '{frag}' in {target.relative_to(site)}")
    for css in site.rglob("*.css"):
        css_url = "/" + css.relative_to(site).as_posix()
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css.read_text(encoding="utf-8")):
            if SKIP_SCHEMES.match(ref) or ref.startswith("#"):
                continue
            full = resolve(css_url, ref)
            if full.startswith(PUBLIC_URL + "/"):
                target = url_to_file(site, full)
                if not target.is_file():
                    problems.append(f"{css_url}: url({ref}) does not exist")
    return problems


def test_I4_every_link_and_asset_resolves_starter(site):
    assert check_links(site) == []


def test_I4_every_link_and_asset_resolves_fixture(fx):
    assert check_links(fx) == []


def test_I4_theme_assets_on_korean_pages(site):
    """Korean pages load the same theme files as Chinese pages, from /theme/."""
    zh = soup_of(site / "index.html")
    ko = soup_of(site / "ko/index.html")

    def assets(s):
        return sorted([l["href"] for l in s.find_all("link", rel="stylesheet")] +
                      [x["src"] for x in s.find_all("script", src=True)])

    assert assets(ko) == assets(zh)
    assert assets(ko), "no stylesheet or script on the page"
    for url in assets(ko):
        assert url.startswith("/theme/"), url
        assert (site / url.lstrip("/")).is_file(), url
    for f in (site / "ko").rglob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert "/ko/theme/" not in text and "../theme" not in text, f


def test_I4_checker_finds_broken_links(tmp_path):
    """The link checker is not vacuous."""
    write_files(tmp_path, {
        "index.html": '<html><body id="x"><a href="/missing/">m</a><a href="#nope">n</a><a href="/ok/#gone">g</a>'
                      '<img src="/ko/theme/x.png"><a href="#x">fine</a><a href="https://example.com/">ext</a></body></html>',
        "ok/index.html": '<html><body><p id="here">ok</p></body></html>',
    })
    problems = check_links(tmp_path)
    assert len([p for p in problems if "/missing/" in p]) == 1
    assert len([p for p in problems if "#nope" in p]) == 1
    assert len([p for p in problems if "#gone" in p]) == 1
    assert len([p for p in problems if "/ko/theme/x.png" in p]) == 2  # under /ko/ and missing
    assert not any("#x" in p or "example.com" in p for p in problems)


# ---------------------------------------------------------------------------------------------
# I5: per-language feeds (starter)


def test_I5_feeds(site, starter):
    max_items = load_settings(PROJECT)["FEED_MAX_ITEMS"]
    for lang, prefix in LANG_PREFIX.items():
        raw = (site / prefix / "atom.xml").read_bytes()
        feed = feedparser.parse(raw)
        assert feed.bozo == 0, feed.get("bozo_exception")
        pages = {PUBLIC_URL + p.url: p for p in starter["pages"] if p.lang == lang}
        links = [e.link for e in feed.entries]
        assert len(links) == len(set(links)) == min(len(pages), max_items)
        assert set(links) <= set(pages)
        # The newest pages: nothing left out is newer than the oldest entry.
        oldest = min(pages[u].sort_key for u in links)
        assert all(p.sort_key <= oldest for u, p in pages.items() if u not in links)
        for e in feed.entries:
            page = pages[e.link]
            assert e.title == str(page.meta["title"]).strip()
            built = soup_of(url_to_file(site, e.link)).select_one("article h1").get_text(strip=True)
            assert e.title == built
            assert as_aware(e.published) == page.sort_key
            if lang == "ko":
                assert e.link.startswith(f"{PUBLIC_URL}/ko/")
            else:
                assert "/ko/" not in e.link
            assert e.id and e.id == e.id.strip()
        links_by_rel = {link.rel: link.href for link in feed.feed.links}
        assert links_by_rel == {"self": f"{PUBLIC_URL}/{prefix}atom.xml", "alternate": f"{PUBLIC_URL}/{prefix}"}


def test_I5_feed_ids_unique_across_languages(site):
    zh = feedparser.parse((site / "atom.xml").read_bytes())
    ko = feedparser.parse((site / "ko/atom.xml").read_bytes())
    assert not ({e.id for e in zh.entries} & {e.id for e in ko.entries})
    assert zh.feed.id != ko.feed.id  # RFC 4287: a feed's atom:id is unique


# ---------------------------------------------------------------------------------------------
# I6: single-language pages (starter)


def test_I6_single_language_pages_switch_to_section_notice(site, starter):
    other = {"zh": ("ko", "ko"), "ko": ("zh", "zh-Hans")}
    checked = 0
    for (section, slug), versions in starter["groups"].items():
        if len(versions) != 1:
            continue
        (lang, page), = versions.items()
        code, hreflang = other[lang]
        s = soup_of(url_to_file(site, page.url))
        target = f"/{LANG_PREFIX[code]}{section}/#no-translation"
        assert switcher_links(s, hreflang) == {target}, page.url
        section_page = soup_of(url_to_file(site, target))
        assert section_page.html["lang"] == HTML_LANG[code]
        assert section_page.find(id="no-translation") is not None
        checked += 1
    assert checked


# ---------------------------------------------------------------------------------------------
# I7: sitemap (starter)


def test_I7_sitemap_validates(site):
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    doc = etree.parse(str(site / "sitemap.xml"))
    assert schema.validate(doc), schema.error_log
    assert doc.docinfo.encoding.upper() == "UTF-8"


def test_I7_sitemap_alternates_reciprocal(site, starter):
    g = sitemap_groups(site)
    for loc, links in g.items():
        assert url_to_file(site, loc).is_file(), loc
        if links:
            assert loc in links.values(), loc
            assert "x-default" in links
            for hreflang, href in links.items():
                assert g.get(href) == links, (loc, href)
    for (section, slug), versions in starter["groups"].items():
        expected = {}
        if len(versions) > 1:
            expected = {HTML_LANG[c]: PUBLIC_URL + p.url for c, p in versions.items()}
            expected["x-default"] = PUBLIC_URL + versions["zh"].url
        for p in versions.values():
            assert g[PUBLIC_URL + p.url] == expected, p.url


def test_I7_sitemap_lists_every_page_once(site):
    g = sitemap_groups(site)
    for f in html_files(site):
        if f.name == "404.html" or "/page/" in page_url_of(site, f) or "_reports" in f.parts:  # staff pages: not listed
            continue
        if page_url_of(site, f).endswith("/search/"):  # search pages: noindex, nothing of their own
            continue
        assert PUBLIC_URL + page_url_of(site, f) in g, f


# ---------------------------------------------------------------------------------------------
# M3 / M4 on the starter site


def test_M3_toc_links_to_existing_ids_starter(site, starter):
    for page in starter["pages"]:
        s = soup_of(url_to_file(site, page.url))
        ids = [el["id"] for el in s.find_all(id=True)]
        assert len(ids) == len(set(ids)), (page.url, sorted(i for i in ids if ids.count(i) > 1))
        heading_ids = [h["id"] for h in s.select(".article-body h2[id], .article-body h3[id], .article-body h4[id]")]
        for h in s.select(".article-body h2, .article-body h3, .article-body h4"):
            assert h.get("id"), (page.url, h)
            assert not re.fullmatch(r"_?\d+", h["id"]), (page.url, h["id"])
        toc = s.select("nav.toc a")
        if len(heading_ids) > 2:
            assert [a["href"] for a in toc] == [f"#{i}" for i in heading_ids], page.url
        else:
            assert toc == [], page.url


def test_M4_no_scripts_or_handlers_in_articles_starter(site, starter):
    for page in starter["pages"]:
        s = soup_of(url_to_file(site, page.url))
        assert s.select(".article-body script") == [], page.url
        for el in s.find_all(True):
            assert not any(a.lower().startswith("on") for a in el.attrs), (page.url, el.name)


# =============================================================================================
# Reproducibility and skipped rebuilds


def test_reproducible_builds(tmp_path):
    """Two forced builds of the same content give byte-identical files; the first renders every
    page, the second takes them from the render cache."""
    project = make_project(tmp_path / "proj")
    content = project / "content"
    shutil.rmtree(content)
    shutil.copytree(PROJECT / "content", content)  # a snapshot: the same content both times
    out = tmp_path / "out"
    build(project, content, out, progress=False, force=True)
    first = tree_hashes(out)
    build(project, content, out, progress=False, force=True)
    second = tree_hashes(out)
    assert first == second
    assert len(first) > 50


def test_reproducible_across_output_folders(fx, fx_content, tmp_path):
    out = tmp_path / "elsewhere" / "site"
    build(PROJECT, fx_content, out, progress=False, cache=False)
    a, b = tree_hashes(out), tree_hashes(fx)
    assert sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)) == []


def test_no_change_rebuild_is_skipped_and_change_rebuilds(tmp_path):
    project = make_project(tmp_path / "proj")
    content = write_files(project / "content", {
        "news/a.zh.md": md("title: 第一版标题\ndate: 2024-01-05"),
        "news/a.ko.md": md("title: 첫 제목\ndate: 2024-01-05"),
    })
    out = project / "build"
    r1 = build(project, content, out, progress=False)
    assert not r1.skipped and r1.pages == 2
    before = tree_hashes(out)
    mtimes = {p: (out / p).stat().st_mtime_ns for p in before}
    r2 = build(project, content, out, progress=False)
    assert r2.skipped
    assert tree_hashes(out) == before
    assert {p: (out / p).stat().st_mtime_ns for p in before} == mtimes
    (content / "news/a.zh.md").write_text(md("title: 第二版的新标题\ndate: 2024-01-05"), encoding="utf-8")
    r3 = build(project, content, out, progress=False)
    assert not r3.skipped
    assert soup_of(out / "news/a/index.html").select_one("article h1").get_text(strip=True) == "第二版的新标题"
    r4 = build(project, content, out, progress=False)
    assert r4.skipped
    # A new file and a deleted output folder both rebuild.
    write_files(content, {"news/b.zh.md": md("title: 乙\ndate: 2024-01-06")})
    assert not build(project, content, out, progress=False).skipped
    assert (out / "news/b/index.html").is_file()
    shutil.rmtree(out)
    assert not build(project, content, out, progress=False).skipped
    assert (out / "news/b/index.html").is_file()
    # --force always rebuilds.
    assert not build(project, content, out, progress=False, force=True).skipped


def test_removed_page_disappears_from_output(tmp_path):
    project = make_project(tmp_path / "proj")
    content = write_files(project / "content", {
        "news/a.zh.md": md("title: 甲\ndate: 2024-01-05"),
        "news/b.zh.md": md("title: 乙\ndate: 2024-01-06"),
    })
    out = project / "build"
    build(project, content, out, progress=False)
    assert (out / "news/b/index.html").is_file()
    (content / "news/b.zh.md").unlink()
    build(project, content, out, progress=False)
    assert not (out / "news/b").exists()
    assert "/news/b/" not in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_build_without_cache_leaves_no_cache_behind(tmp_path):
    project = make_project(tmp_path / "proj")
    content = write_files(project / "content", {"news/a.zh.md": md("title: 甲\ndate: 2024-01-05")})
    result = build(project, content, tmp_path / "out", progress=False, cache=False)
    assert not result.skipped and (tmp_path / "out/news/a/index.html").is_file()
    assert not (project / ".cache").exists()
    # ... and is never skipped, since nothing recorded the previous build.
    assert not build(project, content, tmp_path / "out", progress=False, cache=False).skipped
