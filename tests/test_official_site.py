"""The public site as an official culture site: identity and compliance records from settings,
home page and articles without holes or repeats, practical boxes, plain download labels with
file sizes, the search page in the site's type scale with its cross-language note, one calendar
subscription, poster cards, and ``jindallae serve`` answering with each language's 404 page.

Two small sites are built once for the module (``sites``): "set" with every SITE_* setting
(per-language texts, images from content/ and from the theme) and "unset" with none of them and
almost no content (empty blocks).  The starter site (conftest's ``site``) is used where its posters
and calendar are needed.  One browser for the session (conftest's ``browser``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from jindallae.build import BuildError, build
from jindallae.settings import SettingsError, load_settings
from test_browser import CHROMIUM, serve

PROJECT = Path(__file__).resolve().parents[1]
IMAGE = PROJECT / "tests" / "fixtures" / "theme_site" / "images" / "azalea.jpg"
BASE_CONF = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

# Every identity setting, with texts that differ per language, one given in Chinese only (the
# Korean pages then show the Chinese text, marked lang="zh-Hans"), images from the theme and from
# content/.
SET = '''
SITE_OFFICE = {"zh": "测试人口文化办公室", "ko": "시험 인구문화 사무실"}
SITE_EMBLEM = {"image": "theme/img/emblem.svg", "alt": {"zh": "测试徽标", "ko": "시험 휘장"}}
SITE_BANNER = "images/azalea.jpg"
SITE_ORGANIZER = {"zh": "测试主办单位", "ko": "시험 주최 기관"}
SITE_OPERATOR = {"zh": "测试承办单位"}
SITE_CONTACT = {"phone": "0433-123 4567", "email": "office@test.example", "address": {"zh": "测试路1号", "ko": "시험로 1호"}}
SITE_ICP = "吉ICP备12345678号-2"
SITE_PSB = {"number": "吉公网安备22010202000123号", "url": "https://beian.mps.gov.cn/#/query/webSearch?code=22010202000123"}
SITE_GOV_CODE = "2200000099"
SITE_GOV_BADGE = {"image": "theme/img/gov-badge-sample.svg", "url": "https://bszs.conac.cn/sitename?method=show&id=TEST"}
'''
UNSET = '''
SITE_OFFICE = SITE_BANNER = SITE_ORGANIZER = SITE_OPERATOR = SITE_ICP = SITE_GOV_CODE = ""
SITE_EMBLEM = SITE_CONTACT = SITE_PSB = SITE_GOV_BADGE = {}
'''

# Selectors of the identity items, and the settings they come from.
ITEMS = {".site-office": "SITE_OFFICE", ".site-emblem": "SITE_EMBLEM", ".masthead-banner": "SITE_BANNER",
         ".site-organizer": "SITE_ORGANIZER", ".site-operator": "SITE_OPERATOR",
         ".site-contact-phone": "SITE_CONTACT", ".site-contact-email": "SITE_CONTACT",
         ".site-contact-address": "SITE_CONTACT", ".site-icp": "SITE_ICP", ".site-psb": "SITE_PSB",
         ".site-gov-code": "SITE_GOV_CODE", ".gov-badge": "SITE_GOV_BADGE"}


def md(front: str, body: str) -> str:
    return f"---\n{front.strip()}\n---\n\n{body}\n"


def full_content(root: Path) -> Path:
    files = {
        "parks/park-a.zh.md": md("""
title: 测试文化园区
date: 2026-05-01
summary: 一座测试用的人口文化园区。
tags: [延吉, 园区]
cover: images/azalea.jpg
cover_alt: 山坡上的金达莱花
featured: true
visit:
  address: 延吉市测试路1号
  hours: '每天 8:30—17:00'
  transport: 乘1路公交车到测试站
  phone: 0433-765 4321
  map: https://map.example.org/park-a
""", "园区里有步道和宣传栏。老人们常来散步。欢迎参观！"),
        "parks/park-a.ko.md": md("""
title: 시험 문화공원
date: 2026-05-01
summary: 시험용 인구문화공원입니다.
tags: [연길]
cover: images/azalea.jpg
cover_alt: 산비탈에 핀 진달래꽃
visit:
  address: 연길시 시험로 1호
  hours: 매일 8:30-17:00
""", "공원에는 산책길과 게시판이 있습니다. 어르신들이 자주 산책합니다."),
        "parks/park-b.zh.md": md("""
title: 没有参观信息的园区
date: 2026-04-01
summary: 第二座园区。
cover: images/azalea.jpg
cover_alt: 金达莱花
""", "第二座园区的介绍。"),
        "events/fest.zh.md": md("""
title: 测试文化节
date: 2026-11-01
summary: 测试用的活动。
tags: [延吉]
event:
  id: test-fest-1
  start: 2027-04-28 09:30
  end: 2027-04-28 16:00
  location: 测试广场
""", "活动当天有演出。欢迎全家参加。"),
        "events/fest.ko.md": md("""
title: 시험 문화축제
date: 2026-11-01
summary: 시험용 행사입니다.
tags: [연길]
event:
  id: test-fest-1
  start: 2027-04-28 09:30
  end: 2027-04-28 16:00
  location: 시험 광장
""", "행사 날에는 공연이 있습니다. 온 가족이 함께 오십시오."),
    }
    for n in range(1, 9):
        files[f"news/news-{n}.zh.md"] = md(f"""
title: 测试新闻第{n}篇
date: 2026-0{1 + n % 9}-1{n % 9}
summary: 第{n}篇测试新闻的摘要。
tags: [延吉]
""", f"第{n}篇测试新闻的正文。社区举办了健康讲座。")
    files["policy/rule.zh.md"] = md("title: 测试政策解读\ndate: 2026-03-03\nsummary: 政策要点。\ntags: [园区]",
                                    "政策的正文。")
    return write(root, files)


def small_content(root: Path) -> Path:
    """One news page and nothing else: every other home block is empty."""
    return write(root, {"news/only.zh.md": md("title: 唯一的新闻\ndate: 2026-02-02", "正文。")})


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "images").mkdir(exist_ok=True)
    shutil.copy(IMAGE, root / "images" / "azalea.jpg")
    return root


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("official")
    out = {}
    for name, extra, make in (("set", SET, full_content), ("unset", UNSET, small_content)):
        conf = base / f"{name}.py"
        conf.write_text(BASE_CONF + "\n" + extra, encoding="utf-8")
        content = make(base / f"content-{name}")
        out[name] = base / f"build-{name}"
        build(PROJECT, content, out[name], settings_file=conf, progress=False, cache=False)
    return out


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def pages_of(site: Path) -> list[Path]:
    return [p for p in sorted(site.rglob("*.html")) if not p.relative_to(site).as_posix().startswith(("_reports/", "pagefind/"))]


# ---------------------------------------------------------------------------------------------
# Settings


@pytest.mark.parametrize("line, key", [
    ('SITE_ICP = "ICP 12345"', "SITE_ICP"),
    ('SITE_PSB = {"number": "吉公网安备22010202000123号"}', "SITE_PSB"),
    ('SITE_PSB = {"number": "22010202000123", "url": "https://beian.mps.gov.cn/"}', "SITE_PSB"),
    ('SITE_GOV_CODE = "12345"', "SITE_GOV_CODE"),
    ('SITE_EMBLEM = {"image": "../secret.png"}', "SITE_EMBLEM"),
    ('SITE_EMBLEM = {"image": "theme/img/emblem.svg", "size": 3}', "SITE_EMBLEM"),
    ('SITE_ORGANIZER = 3', "SITE_ORGANIZER"),
    ('SITE_GOV_BADGE = {"image": "theme/img/x.svg", "url": "http://bszs.conac.cn/"}', "SITE_GOV_BADGE"),
    ('SITE_CONTACT = {"fax": "1"}', "SITE_CONTACT"),
])
def test_identity_settings_are_validated(tmp_path, line, key):
    conf = tmp_path / "conf.py"
    conf.write_text(BASE_CONF + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=rf": {key}: "):
        load_settings(PROJECT, conf)


def test_unknown_identity_setting_suggests_the_right_one(tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text(BASE_CONF + '\nSITE_ORGANISER = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"SITE_ORGANISER: not a setting of the site identity.*did you mean SITE_ORGANIZER\?"):
        load_settings(PROJECT, conf)


def test_starter_settings_are_fictitious():
    """The starter values are placeholders nobody could mistake for a real registration."""
    s = load_settings(PROJECT)
    assert "00000000" in s["SITE_ICP"] and set(s["SITE_GOV_CODE"]) == {"0"}
    assert "000000000000" in s["SITE_PSB"]["number"]
    assert "示例" in s["SITE_OFFICE"]["zh"] and "예시" in s["SITE_OFFICE"]["ko"]
    assert s["SITE_CONTACT"]["email"].endswith(".example")


def test_missing_identity_image_fails_the_build(tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text(BASE_CONF + "\n" + 'SITE_EMBLEM = {"image": "images/no-such-emblem.png"}\n', encoding="utf-8")
    content = small_content(tmp_path / "content")
    with pytest.raises(BuildError, match=r"SITE_EMBLEM: the image images/no-such-emblem.png"):
        build(PROJECT, content, tmp_path / "out", settings_file=conf, progress=False, cache=False)


# ---------------------------------------------------------------------------------------------
# Identity and compliance records in the pages


def test_every_record_is_rendered_when_set(sites):
    site = sites["set"]
    for page in pages_of(site):
        doc = soup(page)
        for selector in ITEMS:
            assert len(doc.select(selector)) == 1, f"{page}: {selector}"
    zh, ko = soup(site / "index.html"), soup(site / "ko" / "index.html")
    assert zh.select_one(".site-office").get_text() == "测试人口文化办公室"
    assert ko.select_one(".site-office").get_text() == "시험 인구문화 사무실"
    assert zh.select_one(".site-emblem")["alt"] == "测试徽标" and ko.select_one(".site-emblem")["alt"] == "시험 휘장"
    assert zh.select_one(".site-emblem")["src"] == "/theme/img/emblem.svg"
    assert zh.select_one(".masthead-banner")["src"] == "/images/azalea.jpg" and zh.select_one(".masthead-banner")["alt"] == ""
    assert zh.select_one(".site-organizer").get_text(strip=True) == "主办单位：测试主办单位"
    assert ko.select_one(".site-organizer").get_text() == "주최: 시험 주최 기관"
    assert zh.select_one(".site-operator").get_text(strip=True) == "承办单位：测试承办单位"
    # given in Chinese only: the Korean page shows it marked as Chinese
    operator = ko.select_one(".site-operator span[lang]")
    assert operator["lang"] == "zh-Hans" and operator.get_text() == "测试承办单位"
    phone = zh.select_one(".site-contact-phone a")
    assert phone["href"] == "tel:04331234567" and phone.get_text() == "0433-123 4567"
    assert zh.select_one(".site-contact-email a")["href"] == "mailto:office@test.example"
    assert ko.select_one(".site-contact-address").get_text() == "주소: 시험로 1호"
    assert zh.select_one(".site-gov-code").get_text(strip=True) == "网站标识码：2200000099"
    for doc, lang in ((zh, None), (ko, "zh-Hans")):
        icp = doc.select_one(".site-icp a")
        assert icp["href"] == "https://beian.miit.gov.cn/" and icp.get_text(strip=True) == "吉ICP备12345678号-2"
        assert icp.get("lang") == lang  # a Chinese record number on a Korean page is marked
        psb = doc.select_one(".site-psb a")
        assert psb["href"] == "https://beian.mps.gov.cn/#/query/webSearch?code=22010202000123"
        assert psb.get_text(strip=True) == "吉公网安备22010202000123号"
        assert psb.img["src"] == "/theme/img/psb-icon.svg" and psb.img["alt"] == ""
        badge = doc.select_one(".gov-badge")
        assert badge["href"] == "https://bszs.conac.cn/sitename?method=show&id=TEST"
        assert badge.img["alt"] in ("党政机关网站标识", "당정기관 사이트 표식")
    assert (site / "theme/img/psb-icon.svg").is_file() and (site / "theme/img/gov-badge-sample.svg").is_file()


def test_no_record_is_rendered_when_not_set(sites):
    for page in pages_of(sites["unset"]):
        text = page.read_text(encoding="utf-8")
        doc = soup(page)
        for selector in ITEMS:
            assert doc.select(selector) == [], f"{page}: {selector}"
        assert "beian.miit.gov.cn" not in text and "beian.mps.gov.cn" not in text and "conac.cn" not in text
        assert doc.select_one(".site-name") is not None and doc.select_one(".footer-name") is not None


@pytest.mark.parametrize("width", [390, 1366])
def test_records_are_visible_in_the_browser(browser, sites, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = ctx.new_page()
        with serve(sites["set"]) as url:
            for rel in ("", "ko/", "parks/park-a/"):
                page.goto(f"{url}/{rel}", wait_until="load")
                for selector, key in ITEMS.items():
                    if selector == ".masthead-banner" and width < 960:
                        assert not page.locator(selector).is_visible(), "the banner is for wide screens only"
                        continue
                    assert page.locator(selector).is_visible(), f"{rel} at {width}: {selector} ({key})"
                broken = page.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)")
                assert broken == [], broken
        with serve(sites["unset"]) as url:
            page.goto(f"{url}/", wait_until="load")
            assert page.locator(", ".join(ITEMS)).count() == 0
    finally:
        ctx.close()


# ---------------------------------------------------------------------------------------------
# Home page and articles


def entry_links(doc: BeautifulSoup) -> list[str]:
    return [a["href"] for a in doc.select("main .entry-title a")]


def test_home_lists_no_page_twice(sites, site):
    for build_dir in (sites["set"], site):
        for rel in ("index.html", "ko/index.html"):
            links = entry_links(soup(build_dir / rel))
            assert links and len(links) == len(set(links)), f"{build_dir}/{rel}: {links}"


def test_home_blocks_with_nothing_to_show(sites):
    doc = soup(sites["unset"] / "index.html")
    assert doc.select_one(".home-latest") is None  # nothing left to list: the block is left out
    assert doc.select_one(".home-events .empty") is not None and doc.select_one(".home-parks .empty") is not None
    assert "用新闻阅读器订阅更新" in doc.select_one(".footer-links").get_text()
    assert "Atom" not in doc.select_one("footer").get_text()


def test_park_has_a_visitor_box(sites):
    doc = soup(sites["set"] / "parks/park-a/index.html")
    box = doc.select_one(".visit-box")
    rows = {div.dt.get_text(strip=True): div.dd for div in box.select("dl > div")}
    assert list(rows) == ["地址", "开放时间", "交通", "电话", "地图"]
    assert rows["开放时间"].get_text(strip=True) == "每天 8:30—17:00"
    assert rows["电话"].a["href"] == "tel:04337654321"
    assert rows["地图"].a["href"] == "https://map.example.org/park-a"
    ko = soup(sites["set"] / "ko/parks/park-a/index.html").select_one(".visit-box")
    assert [dt.get_text(strip=True) for dt in ko.select("dt")] == ["주소", "개방 시간"]
    assert soup(sites["set"] / "parks/park-b/index.html").select_one(".visit-box") is None


def test_event_page_shows_the_lunar_date_and_plain_calendar_labels(sites):
    doc = soup(sites["set"] / "events/fest/index.html")
    when = doc.select_one(".event-box dl > div dd")
    assert "农历三月廿二" in when.get_text()  # 2027-04-28
    link = doc.select_one('.add-to-calendar a[type="text/calendar"]')
    assert link.get_text(strip=True) == "添加到手机日历" and ".ics" not in link.get_text()
    assert re.fullmatch(r"（日历文件，\d+\u00a0KB）", link.find_next_sibling(class_="file-meta").get_text(strip=True))
    assert "选“添加”" in doc.select_one(".event-box .how-to").get_text()
    ko = soup(sites["set"] / "ko/events/fest/index.html").select_one(".event-box dl > div dd")
    assert "음력 3월 22일" in ko.get_text()


def test_related_pages_beside_articles(sites):
    doc = soup(sites["set"] / "parks/park-a/index.html")
    related = [a["href"] for a in doc.select("aside.related li > a")]
    # shared tags first (延吉: the event and the news; 园区: the policy page), never the page itself
    assert related and "/parks/park-a/" not in related and len(related) <= 4
    assert "/events/fest/" in related
    assert doc.select_one(".article-layout.has-related") is not None


@pytest.mark.parametrize("lang", ["zh", "ko"])
def test_related_pages_sit_beside_the_text_on_wide_screens(browser, sites, lang):
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = ctx.new_page()
        with serve(sites["set"]) as url:
            page.goto(f"{url}/{'' if lang == 'zh' else 'ko/'}parks/park-a/", wait_until="load")
            article = page.locator("article.article").bounding_box()
            aside = page.locator("aside.related").bounding_box()
            assert aside["x"] >= article["x"] + article["width"] and aside["y"] < article["y"] + 400
            # the text column and the related pages use most of the width
            assert aside["x"] + aside["width"] > 1366 * 0.85
    finally:
        ctx.close()


def test_no_print_shop_details_on_public_pages(site):
    for page in pages_of(site):
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ")
        for word in ("出血", "dpi", "도련", "bleed", "裁切线"):
            assert word not in text, f"{page.relative_to(site)}: {word}"


SIZE = re.compile(r"^[（(]\s*(PDF|PNG|日历文件|달력 파일)[，,]\s*\d+(\.\d)?\u00a0(KB|MB)\s*[）)]$")  # never "1" / "KB"


def test_every_download_link_says_its_type_and_size(site):
    checked = 0
    for page in pages_of(site):
        doc = soup(page)
        for a in doc.select('main a[download], main a[type="application/pdf"], main a[type="image/png"], main a[type="text/calendar"]'):
            meta = a.find_next_sibling(class_="file-meta")
            assert meta is not None, f"{page}: {a['href']}"
            assert SIZE.match(meta.get_text(strip=True)), f"{page}: {a['href']}: {meta.get_text()!r}"
            checked += 1
    assert checked > 100


# ---------------------------------------------------------------------------------------------
# Layouts that adapt to the count of items


# Lists whose items sit in rows: (page, selector of the list).  Each is trimmed or padded (by
# cloning its items) to 1-12 items in the browser; every row must reach across the list.
ROW_LISTS = [("", ".home-parks .cards"), ("", ".home-latest .tiles"), ("posters/", ".poster-cards"),
             ("parks/", "main .cards"), ("news/", "main .tiles"), ("calendar/", ".calendar-group .tiles")]

ROWS_JS = """([selector, n]) => {
  const list = document.querySelector(selector);
  if (!list) return null;
  const items = [...list.children];
  items.slice(n).forEach(i => i.remove());
  for (let k = items.length; k < n; k++) list.appendChild(items[k % items.length].cloneNode(true));
  const box = list.getBoundingClientRect(), s = getComputedStyle(list);
  const left = box.left + parseFloat(s.paddingLeft), right = box.right - parseFloat(s.paddingRight);
  const rows = {};
  for (const li of list.children) {
    const r = li.getBoundingClientRect();
    (rows[Math.round(r.top)] = rows[Math.round(r.top)] || []).push([r.left, r.right]);
  }
  return Object.values(rows).map(row => [Math.min(...row.map(x => x[0])) - left, right - Math.max(...row.map(x => x[1]))]);
}"""


@pytest.mark.parametrize("width", [390, 768, 1366])
def test_rows_fill_up_at_any_count(browser, site, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    gaps = []
    try:
        page = ctx.new_page()
        with serve(site) as url:
            for rel, selector in ROW_LISTS:
                for n in range(1, 13):
                    page.goto(f"{url}/{rel}", wait_until="load")
                    rows = page.evaluate(ROWS_JS, [selector, n])
                    assert rows is not None, f"/{rel}: no {selector}"
                    for k, (left, right) in enumerate(rows):
                        if abs(left) > 2 or abs(right) > 2:
                            gaps.append((rel, selector, n, k, round(left), round(right)))
    finally:
        ctx.close()
    assert gaps == []


# An empty panel: an element drawn as a box (a background or a border) with a large part of it
# (200px or more, or 40% of a tall box) below its last text, picture or control.
EMPTY_PANELS = """() => {
  const out = [];
  const drawn = (el, s) => (s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== getComputedStyle(el.parentElement).backgroundColor)
      || parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth) + parseFloat(s.borderLeftWidth) > 1.5;
  for (const el of document.querySelectorAll('main *, .site-header *, .site-footer *')) {
    if (el.closest('.month-grid, .visually-hidden, [hidden]')) continue;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || ['IMG', 'INPUT', 'BUTTON', 'svg', 'HR'].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 40 || r.height < 40 || !drawn(el, s)) continue;
    let bottom = -Infinity;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === 3 && !n.data.trim()) continue;
      if (n.nodeType === 1 && !['IMG', 'INPUT', 'BUTTON', 'svg', 'PICTURE', 'VIDEO'].includes(n.tagName)) continue;
      const range = document.createRange(); range.selectNodeContents(n);
      const rr = n.nodeType === 3 ? range.getBoundingClientRect() : n.getBoundingClientRect();
      if (rr.height > 0) bottom = Math.max(bottom, rr.bottom);
    }
    const empty = bottom === -Infinity ? r.height : r.bottom - parseFloat(s.paddingBottom) - parseFloat(s.borderBottomWidth) - bottom;
    if (empty >= 200 || (r.height >= 150 && empty > r.height * 0.4))
      out.push(el.tagName.toLowerCase() + '.' + String(el.className).replace(/ /g, '.') + ' ' + Math.round(empty) + 'px empty');
  }
  return out;
}"""


def template_paths(site: Path) -> list[str]:
    found: dict[str, str] = {}
    for path in pages_of(site):
        rel = path.relative_to(site).as_posix()
        m = re.search(r'<body class="page-([\w-]+)', path.read_text(encoding="utf-8"))
        if m:
            lang = "ko" if rel.startswith("ko/") else "zh"
            found.setdefault(f"{lang} {m.group(1)}", rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    return sorted(found.values())


@pytest.mark.parametrize("width", [390, 1366])
def test_no_empty_panels(browser, site, sites, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    problems = []
    try:
        page = ctx.new_page()
        for build_dir in (site, sites["unset"]):
            with serve(build_dir) as url:
                for rel in template_paths(build_dir):
                    page.goto(f"{url}/{rel}", wait_until="load")
                    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
                    found = page.evaluate(EMPTY_PANELS)
                    if found:
                        problems.append((build_dir.name, rel, found[:3]))
    finally:
        ctx.close()
    assert problems == []


# ---------------------------------------------------------------------------------------------
# Calendar and posters


def test_calendar_offers_one_subscription_with_a_how_to(site):
    for rel in ("calendar/index.html", "ko/calendar/index.html", "calendar/2026/12/index.html"):
        doc = soup(site / rel)
        feeds = doc.select(".calendar-feeds a")
        assert len(feeds) == 1, rel
        assert feeds[0]["href"].endswith("calendar/all.ics") and feeds[0]["type"] == "text/calendar"
        assert doc.select_one(".calendar-feeds .how-to") is not None
    assert soup(site / "calendar/index.html").select_one(".calendar-feeds a").get_text(strip=True) == "订阅活动日历"


def test_posters_page_is_a_grid_of_cards_with_every_format_and_language(site):
    doc = soup(site / "posters/index.html")
    cards = doc.select("ul.poster-cards > li.poster-card")
    assert len(cards) >= 5
    for card in cards:
        assert card.select_one("h2.poster-card-title a[href]") is not None
        for group in card.select(".poster-group"):
            formats = group.select("li.poster")
            names = [f.select_one(".poster-format").contents[0].strip() for f in formats]
            assert len(formats) >= 2 and "A2" in names and "易拉宝" in names, names
            for f in formats:  # each format with its own preview picture
                img = f.select_one(".poster-thumb img")
                assert (site / img["src"].lstrip("/")).is_file()
                assert int(img["height"]) > 0 and "预览" in img["alt"]
    labels = {g.select_one(".poster-label").get_text() for g in doc.select(".poster-group")}
    assert {"中文海报", "双语海报"} <= labels


# ---------------------------------------------------------------------------------------------
# Search


QUERY = "优生"


@pytest.fixture(scope="module")
def search_page(browser, site_url):
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    yield ctx.new_page(), site_url
    ctx.close()


def run_search(page, url: str, query: str, results: bool) -> None:
    page.goto(f"{url}?q={query}", wait_until="load")
    page.wait_for_selector(".pagefind-ui__result" if results else ".pagefind-ui__message", timeout=15000)
    page.wait_for_timeout(300)


def test_search_ui_uses_the_site_type_scale(search_page):
    page, base = search_page
    run_search(page, f"{base}/search/", QUERY, True)
    sizes = page.evaluate("""() => Object.fromEntries(['.pagefind-ui__search-input', '.pagefind-ui__search-clear',
        '.pagefind-ui__message', '.pagefind-ui__result-title', '.pagefind-ui__result-link', '.pagefind-ui__result-excerpt',
        '.pagefind-ui__result-nested .pagefind-ui__result-link'].map(s => {
          const e = document.querySelector(s); return [s, e ? parseFloat(getComputedStyle(e).fontSize) : null]; }))""")
    for selector, size in sizes.items():
        assert size is not None and size >= 16, (selector, size)
    title = page.locator(".pagefind-ui__result-title .pagefind-ui__result-link").first
    style = title.evaluate("e => [getComputedStyle(e).textDecorationLine, getComputedStyle(e).color]")
    assert style[0] == "underline" and style[1] == "rgb(179, 18, 95)"  # the site's link colour
    clear = page.locator(".pagefind-ui__search-clear").bounding_box()
    assert clear["height"] >= 44 and clear["width"] >= 44


def test_search_excerpts_come_from_the_text_only(search_page):
    page, base = search_page
    page.goto(f"{base}/search/", wait_until="load")
    excerpts = page.evaluate("""async () => {
      const pf = await import(document.querySelector('#search').dataset.bundle + 'pagefind.js');
      await pf.init();
      const all = [];
      for (const q of ['发布时间', '来源', '优生', '幸福家庭']) {
        const r = await pf.search(q);
        for (const x of r.results.slice(0, 8)) { const d = await x.data(); all.push(d.excerpt + ' ' + d.content.slice(0, 200)); }
      }
      return all; }""")
    assert excerpts
    for text in excerpts:
        assert "发布时间" not in text and "来源：" not in text and "朗读" not in text, text


@pytest.mark.parametrize("path, query, other", [
    ("/search/", "건강", "/ko/search/"),  # Hangul on the Chinese site: the Korean pages have it
    ("/ko/search/", "健康", "/search/"),  # Han on the Korean site: the Chinese pages have it
])
def test_no_results_in_another_script_points_to_that_language(search_page, path, query, other):
    page, base = search_page
    target = other + "?q=" + quote(query)
    run_search(page, base + path, query, False)
    assert page.locator(".pagefind-ui__result").count() == 0
    note = page.locator(".search-elsewhere:visible")
    assert note.count() == 1
    assert note.locator("a").get_attribute("href").endswith(target)
    note.locator("a").click()
    page.wait_for_url(f"**{target}")
    page.wait_for_selector(".pagefind-ui__result", timeout=15000)


def test_no_note_when_something_is_found_or_the_script_is_the_pages_own(search_page):
    page, base = search_page
    run_search(page, f"{base}/search/", QUERY, True)
    assert page.locator(".search-elsewhere:visible").count() == 0
    run_search(page, f"{base}/search/", "没有这个词的页面xyz", False)
    assert page.locator(".search-elsewhere:visible").count() == 0


# ---------------------------------------------------------------------------------------------
# jindallae serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode("utf-8")


def test_serve_answers_with_each_languages_404_page(tmp_path):
    content = small_content(tmp_path / "content")
    port = free_port()
    jindallae = Path(sys.executable).with_name("jindallae")
    proc = subprocess.Popen([str(jindallae), "serve", "--content", str(content), "--output", str(tmp_path / "out"),
                             "--port", str(port)], cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, _, _ = fetch(f"http://127.0.0.1:{port}/")
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        else:
            pytest.fail("jindallae serve did not start: " + proc.stderr.read1().decode(errors="replace")[-2000:])
        for path, lang, heading in (("/no/such/page/", "zh-Hans", "找不到该页面"), ("/ko/no-such-page/", "ko", "페지를 찾을 수 없습니다"),
                                    ("/missing.html", "zh-Hans", "找不到该页面")):
            status, kind, body = fetch(f"http://127.0.0.1:{port}{path}")
            assert status == 404 and kind.startswith("text/html"), path
            doc = BeautifulSoup(body, "html.parser")
            assert doc.html["lang"] == lang and doc.h1.get_text(strip=True) == heading, path
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
