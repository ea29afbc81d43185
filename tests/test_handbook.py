"""The editors' handbook (docs/zh, docs/ko; mkdocs-material): both languages build with
``mkdocs build --strict``, every page of the nav is there in the right language, nothing is loaded
from another host, and what it documents is what the code defines — the content model's fields
(jindallae.model FIELDS, EVENT_FIELDS, POSTER_FIELDS), the check ids and severities
(jindallae.checks.catalogue.CHECKS) and the repeat / lunar examples, parsed by the model and
expanded by jindallae.recurrence.  When the model or the checks grow, these tests fail until the
handbook says what the new field or check is."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PROJECT = Path(__file__).resolve().parents[1]
DOCS = PROJECT / "docs"
LANGS = ("zh", "ko")
# The severity words the handbook uses in its check tables, per language.
SEVERITY_WORDS = {"zh": {"error": "错误", "warning": "警告"}, "ko": {"error": "오류", "warning": "경고"}}
HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _mkdocs_config(lang: str):
    """The handbook's MkDocs config for ``lang``, loaded by MkDocs itself (nav, site_url ...)."""
    from mkdocs.config import load_config

    return load_config(config_file=str(DOCS / lang / "mkdocs.yml"))


def _nav(lang: str) -> list[tuple[str, str]]:
    """``[(title, file.md), ...]`` in nav order (the handbook's nav is flat)."""
    nav = _mkdocs_config(lang)["nav"]
    return [next(iter(entry.items())) for entry in nav]


def _page_html(site: Path, md: str) -> Path:
    """The built file of a page: index.md → index.html, writing.md → writing/index.html."""
    stem = md.removesuffix(".md")
    return site / "index.html" if stem == "index" else site / stem / "index.html"


@pytest.fixture(scope="module")
def handbook(tmp_path_factory) -> dict[str, Path]:
    """Both languages built with ``mkdocs build --strict`` as ``make docs`` does: Chinese into
    <tmp>/handbook/, Korean into <tmp>/handbook/ko/ (so the language links /handbook/ and
    /handbook/ko/ resolve when <tmp> is served).  Returns {lang: site folder}."""
    pytest.importorskip("material", reason="mkdocs-material is not installed: .venv/bin/pip install -e '.[docs]'")
    root = tmp_path_factory.mktemp("handbook")
    out = {"zh": root / "handbook", "ko": root / "handbook" / "ko"}
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    for lang in LANGS:  # zh first: its build cleans handbook/, ko then goes into handbook/ko/
        run = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(DOCS / lang / "mkdocs.yml"),
             "-d", str(out[lang])],
            cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
        )
        assert run.returncode == 0, f"mkdocs build --strict ({lang}) failed:\n{run.stdout}\n{run.stderr}"
    return out


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")


def _first_column(soup, anchor: str) -> list[str]:
    """The ``<code>`` names in the first column of the table that follows the heading ``#anchor``."""
    heading = soup.find(id=anchor)
    assert heading is not None, f"no heading with id {anchor!r}"
    table = heading.find_next("table")
    return [row.find("td").get_text(strip=True) for row in table.find("tbody").find_all("tr")]


def _table_rows(soup, anchor: str) -> list[list[str]]:
    table = soup.find(id=anchor).find_next("table")
    return [[td.get_text(strip=True) for td in row.find_all("td")] for row in table.find("tbody").find_all("tr")]


# --- structure -------------------------------------------------------------------------------


def test_both_languages_have_the_same_pages_all_in_the_nav():
    """Same files in docs/zh/pages and docs/ko/pages, every one of them in the nav (an orphan
    page would be built but unreachable; a nav entry without a file is only an INFO in MkDocs)."""
    files = {lang: sorted(p.name for p in (DOCS / lang / "pages").glob("*.md")) for lang in LANGS}
    assert files["zh"] == files["ko"]
    assert len(files["zh"]) == 8
    for lang in LANGS:
        assert sorted(md for _, md in _nav(lang)) == files[lang], lang
    assert [md for _, md in _nav("zh")] == [md for _, md in _nav("ko")]  # same order


def test_every_page_is_built_with_its_nav_title_and_language(handbook):
    for lang in LANGS:
        for title, md in _nav(lang):
            html = _page_html(handbook[lang], md)
            assert html.is_file(), f"{lang}: {md} was not built ({html})"
            soup = _soup(html)
            assert soup.html["lang"] == lang, f"{html}: <html lang={soup.html.get('lang')!r}>"
            assert soup.find("h1").get_text(strip=True).rstrip("¶") == title
            text = soup.find("article").get_text()
            # Written in its language, not a stub: Korean pages mostly Hangul, Chinese mostly Han.
            own = HANGUL if lang == "ko" else HAN
            assert len(own.findall(text)) >= 300, f"{lang}/{md}: only {len(own.findall(text))} characters of text"
        # The 404 page and the search page are in the language too.
        assert _soup(handbook[lang] / "404.html").html["lang"] == lang


def test_korean_pages_one_to_four_are_as_full_as_the_chinese(handbook):
    """Pages 1–4 (quick start, writing, fields, translation, review) fully translated: the same
    headings (h2) count and the same table rows, within a few, as the Chinese pages."""
    for md in ("index.md", "writing.md", "fields.md", "translation.md", "review.md"):
        zh, ko = (_soup(_page_html(handbook[lang], md)) for lang in LANGS)
        zh_article, ko_article = zh.find("article"), ko.find("article")
        assert len(ko_article.find_all(["h2", "h3"])) == len(zh_article.find_all(["h2", "h3"])), md
        assert len(ko_article.find_all("tr")) == len(zh_article.find_all("tr")), md


def test_language_switcher_links_both_handbooks(handbook):
    for lang in LANGS:
        soup = _soup(handbook[lang] / "index.html")
        links = {a["hreflang"]: a["href"] for a in soup.select("a.md-select__link")}
        assert links == {"zh": "/handbook/", "ko": "/handbook/ko/"}


# --- offline ---------------------------------------------------------------------------------


def _own_host() -> str:
    """The public site's host (publishconf.py JINDALLAE_PUBLIC_URL): the handbook's site_url must
    be on it, and no other host may appear in a link or a loaded resource."""
    text = (PROJECT / "publishconf.py").read_text(encoding="utf-8")
    url = re.search(r'^JINDALLAE_PUBLIC_URL\s*=\s*"([^"]+)"', text, re.M).group(1)
    return urlsplit(url).netloc


URL_ATTRS = ("href", "src", "action", "poster", "data", "formaction", "cite", "background")


def test_no_link_or_resource_on_another_host(handbook):
    host = _own_host()
    for lang in LANGS:
        config = _mkdocs_config(lang)
        assert config["site_url"] == f"https://{host}/handbook/" + ("ko/" if lang == "ko" else "")
        assert config["theme"]["font"] is False  # no Google Fonts
        seen = 0
        for html in handbook[lang].rglob("*.html"):
            if lang == "zh" and handbook["ko"] in html.parents:
                continue
            soup = _soup(html)
            for tag in soup.find_all(True):
                values = [tag.get(a) for a in URL_ATTRS if tag.get(a)]
                values += [part.split()[0] for part in (tag.get("srcset") or "").split(",") if part.strip()]
                values += re.findall(r"url\(\s*['\"]?([^'\")]+)", tag.get("style") or "")
                for value in values:
                    seen += 1
                    value = value.strip()
                    parts = urlsplit(value)
                    foreign = (value.startswith("//")
                               or (parts.scheme in ("http", "https") and parts.netloc != host)
                               or parts.scheme not in ("", "http", "https", "data", "mailto", "tel"))
                    assert not foreign, f"{html}: <{tag.name}> points to another host: {value}"
        assert seen > 100
        for css in handbook[lang].rglob("*.css"):
            for value in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
                assert value.startswith("data:") or not re.match(r"(https?:)?//", value), f"{css}: {value}"
            assert not re.search(r"@import\s+['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css


def test_browser_loads_nothing_from_another_host_and_finds_chinese_words(handbook, browser):
    """A real Chromium opens the Chinese handbook, searches for 农历 (lunar calendar; jieba cut the
    text into words at build time) and for 로인절 in the Korean one; every request it makes goes to
    the local server, and the results lead to the events page."""
    from test_browser import serve

    with serve(handbook["zh"].parent) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        for lang, query, expect in (("zh", "农历", "/handbook/events/"), ("ko", "로인절", "/handbook/ko/events/")):
            prefix = "/handbook/" if lang == "zh" else "/handbook/ko/"
            response = page.goto(base + prefix)
            assert response.status == 200
            assert page.locator("html").get_attribute("lang") == lang
            box = page.locator("input.md-search__input")  # the header search box (desktop width)
            box.click()
            result = page.locator(".md-search-result__item a[href*='events/']").first
            # The search worker loads the index after the page; Material reads the query on keyup,
            # so type it again (fill + End) until the worker is ready and answers.
            for _ in range(40):
                box.fill(query)
                box.press("End")
                page.wait_for_timeout(500)
                if result.count():
                    break
            assert result.count(), f"{lang}: searching {query!r} found no events page"
            href = result.get_attribute("href")
            assert (base + expect) in page.evaluate("(h) => new URL(h, location.href).href", href), href
        context.close()
    local = urlsplit(base).netloc
    foreign = [url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != local]
    assert requests and not foreign, foreign


def test_search_index_has_the_language_and_chinese_is_segmented(handbook):
    for lang in LANGS:
        index = json.loads((handbook[lang] / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert index["config"]["lang"] == [lang]
        assert {doc["location"].split("#")[0] for doc in index["docs"]} >= {"", "writing/", "review/", "events/"}
    zh = json.loads((handbook["zh"] / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "\\u200b" in zh["config"]["separator"]  # the regex escape: U+200B separates words
    # jieba put zero-width spaces between words: 农历 stands alone as a word somewhere.
    text = " ".join(doc["text"] for doc in zh["docs"])
    assert re.search(r"(^|[\s\u200b])农历([\s\u200b]|$)", text)


# --- the handbook documents what the code defines ---------------------------------------------


def test_fields_page_documents_exactly_the_model_fields(handbook):
    """Every front-matter field of jindallae.model.FIELDS and every event field of EVENT_FIELDS is
    a row of the fields page, in both languages — and nothing else is: a new field in the model
    fails here until the handbook explains it (docs/<lang>/pages/fields.md)."""
    from jindallae.model import EVENT_FIELDS, FIELDS

    for lang in LANGS:
        soup = _soup(_page_html(handbook[lang], "fields.md"))
        page = _first_column(soup, "page-fields")
        event = _first_column(soup, "event-fields")
        assert sorted(page) == sorted(FIELDS), f"{lang}: document {set(FIELDS) ^ set(page)} in docs/{lang}/pages/fields.md"
        assert sorted(event) == sorted(EVENT_FIELDS), (
            f"{lang}: document {set(EVENT_FIELDS) ^ set(event)} in docs/{lang}/pages/fields.md")
        # Each row explains the field (not an empty cell).
        for row in _table_rows(soup, "page-fields") + _table_rows(soup, "event-fields"):
            assert len(row) == 3 and len(row[2]) >= 8, row


def test_zh_fields_page_mentions_every_field_key(handbook):
    """The brief's literal check: each key of FIELDS and EVENT_FIELDS appears in the zh page."""
    from jindallae.model import EVENT_FIELDS, FIELDS

    codes = {c.get_text() for c in _soup(_page_html(handbook["zh"], "fields.md")).find("article").find_all("code")}
    for key in (*FIELDS, *EVENT_FIELDS):
        assert key in codes, key


def test_posters_page_documents_exactly_the_poster_fields(handbook):
    from jindallae.model import POSTER_FIELDS

    for lang in LANGS:
        fields = _first_column(_soup(_page_html(handbook[lang], "posters.md")), "poster-fields")
        assert sorted(fields) == sorted(POSTER_FIELDS), (
            f"{lang}: document {set(POSTER_FIELDS) ^ set(fields)} in docs/{lang}/pages/posters.md")


def test_review_page_documents_exactly_the_check_ids_with_their_severity(handbook):
    """The check table of the review page lists the ids jindallae.checks.catalogue.CHECKS defines
    (the ids `jindallae check` reports), each with its severity in the reader's language."""
    from jindallae.checks.catalogue import CHECKS

    for lang in LANGS:
        rows = _table_rows(_soup(_page_html(handbook[lang], "review.md")), "checks")
        ids = [row[0] for row in rows]
        assert len(ids) == len(set(ids))
        assert sorted(ids) == sorted(CHECKS), f"{lang}: document {set(CHECKS) ^ set(ids)} in docs/{lang}/pages/review.md"
        for check_id, severity, what, fix in rows:
            assert severity == SEVERITY_WORDS[lang][CHECKS[check_id].severity], (lang, check_id, severity)
            assert what and fix, (lang, check_id)


def _page_examples(lang: str, md: str) -> list[str]:
    """The complete page files (```yaml blocks that start with ---) shown on a handbook page."""
    text = (DOCS / lang / "pages" / md).read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(---\n.*?\n---)\n```", text, re.S)


@pytest.mark.parametrize("lang", LANGS)
def test_event_examples_are_valid_pages_with_the_dates_the_handbook_claims(lang, model, tmp_path):
    """The events page's examples are real: the model accepts them, the Elderly Day example
    (FREQ=YEARLY from 2027-08-15, except 2029) falls on 15 August every year but 2029, and the
    Mid-Autumn example (lunar 8/15, count 5) falls on the dates of the Chinese lunar calendar
    (lunar_python as the independent reference), first 2027-09-15 as the page says."""
    from lunar_python import Lunar

    from jindallae.recurrence import occurrence_starts

    examples = _page_examples(lang, "events.md")
    assert len(examples) == 3
    events = []
    for number, example in enumerate(examples):
        rel = f"events/handbook-example-{number}.{lang}.md"
        (tmp_path / "events").mkdir(exist_ok=True)
        (tmp_path / rel).write_text(example + "\n\n" + ("正文" if lang == "zh" else "본문") + "\n", encoding="utf-8")
        item, errors = model.parse_text(tmp_path, rel)
        assert errors == [], [str(e) for e in errors]
        events.append(item.fields["event"])
    once, yearly, lunar = events
    limit = dt.date(2035, 12, 31)
    assert [str(s) for s in occurrence_starts(once, limit)] == ["2027-03-20 09:30:00+08:00"]
    assert [s.isoformat() for s in occurrence_starts(yearly, limit)] == [
        f"{year}-08-15" for year in range(2027, 2036) if year != 2029]
    starts = occurrence_starts(lunar, limit)
    expected = [Lunar.fromYmd(year, 8, 15).getSolar().toYmd() for year in range(2027, 2032)]
    assert [s.date().isoformat() for s in starts] == expected
    assert expected[0] == "2027-09-15" and all((s.hour, s.minute) == (19, 0) for s in starts)


@pytest.mark.parametrize("lang", LANGS)
def test_poster_example_is_a_valid_poster_block(lang, model, tmp_path):
    """The posters page's example block passes the model's poster validation."""
    text = (DOCS / lang / "pages" / "posters.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(poster:\n.*?)\n```", text, re.S).group(1)
    title = "老年节" if lang == "zh" else "노인절"
    page = f"---\ntitle: {title}\ndate: 2026-11-26\ncover: images/elderly-day.jpg\ncover_alt: {title}\n{block}\n---\n\n{title}\n"
    images = tmp_path / "images" / "posters"
    images.mkdir(parents=True)
    for name in ("images/elderly-day.jpg", "images/posters/elderly-day.jpg"):
        (tmp_path / name).write_bytes((PROJECT / "content" / name).read_bytes())
    (tmp_path / "news").mkdir()
    (tmp_path / f"news/laonianjie.{lang}.md").write_text(page, encoding="utf-8")
    item, errors = model.parse_text(tmp_path, f"news/laonianjie.{lang}.md")
    assert errors == [], [str(e) for e in errors]
    poster = item.fields["poster"]
    assert set(poster) >= {"headline", "points", "formats", "language"}
    assert all(isinstance(point, str) for point in poster["points"])  # "오전: …" stays text, not a mapping


# The CMS buttons and links the handbook tells staff to press, as the handbook writes them.  Each
# must still be a label of the CMS (cms/translations/<lang>/*.po) and appear on the handbook page
# named: when the CMS renames a button, this fails until the handbook follows.
CMS_LABELS = {
    "zh": {
        "writing.md": ["新建页面", "创建草稿", "插入图片", "上传并插入", "恢复未保存的文字", "丢弃",
                       "两个版本：请合并", "把合并后的文字放入表单", "丢弃我的文字，打开当前版本",
                       "与现在比较", "恢复此版本"],
        "translation.md": ["创建译文（草稿）", "原文已修改", "译文现已与当前原文一致", "标记为与原文一致",
                           "排版效果", "原文文本"],
        "review.md": ["提交审核", "批准并发布", "退回草稿", "撤下", "立即发布", "修改待审核", "撤回待审修改",
                      "批准此文本并发布", "退回"],
    },
    "ko": {
        "writing.md": ["새 페지", "초안 만들기", "그림 넣기", "올리고 넣기", "저장하지 않은 글 되살리기", "버리기",
                       "두 판이 있습니다: 합치세요", "합친 글을 양식에 넣기", "내 글을 버리고 지금 판 열기",
                       "지금과 비교", "이 판으로 되돌리기"],
        "translation.md": ["번역 만들기(초안)", "원문 변경됨", "번역이 이제 지금 원문과 일치합니다",
                           "원문과 일치한다고 표시", "보이는 모습", "원문 텍스트"],
        "review.md": ["검토 요청", "승인하고 발행", "초안으로 돌려보내기", "발행 중단", "지금 발행",
                      "검토 대기 변경 사항 철회", "이 글을 승인하고 발행", "반려"],
    },
}


@pytest.mark.parametrize("lang", LANGS)
def test_cms_labels_quoted_by_the_handbook_are_the_cms_labels(lang):
    from babel.messages.pofile import read_po

    labels = set()
    for po in (PROJECT / "cms" / "translations" / lang).glob("*.po"):
        with po.open("rb") as handle:
            labels |= {message.string for message in read_po(handle) if message.id and message.string}
    for md, quoted in CMS_LABELS[lang].items():
        text = (DOCS / lang / "pages" / md).read_text(encoding="utf-8")
        for label in quoted:
            assert label in labels, f"the CMS has no label {label!r} any more: update docs/{lang}/pages/{md}"
            assert label in text, f"docs/{lang}/pages/{md} does not name the CMS's {label!r}"
