"""Editorial checks (``jindallae check``) on real inputs: the fixture tree
tests/fixtures/checks_site/ has every fault planted, and the expected findings are exact
(``path:line:col`` and check id).  Cases C1-C4 of ../shared/cases/checks.md; C5 (translations,
with a real git repository) is in test_checks_translations.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from jindallae.checks import CHECKS, MESSAGES, apply_fixes, accept, format_text, run_checks
from jindallae.checks.config import CheckConfig
from jindallae.checks.scan import scan_body
from jindallae.checks.text import check_punctuation, check_traditional, holed
from jindallae.cli import main
from jindallae.markup import LinkContext, render
from jindallae.model import model_from_settings
from jindallae.settings import SettingsError, load_settings
from jindallae.site import build_url_map
from site_helpers import PROJECT, make_project, md, write_files

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "checks_site"
MAX_BYTES = 25_000  # heavy.jpg (30.6 kB) is over it, the others under

# Every finding in the fixture tree: (path, line, col, check id).
EXPECTED = [
    ("news/debris.zh.md", 1, 1, "translation-missing"),
    ("news/debris.zh.md", 6, 5, "debris-question"),     # 三点半学?!?/span>186个 (C2)
    ("news/debris.zh.md", 6, 8, "debris-tag"),          # ... the "/span>" fragment
    ("news/debris.zh.md", 7, 6, "debris-replacement"),  # U+FFFD
    ("news/debris.zh.md", 8, 1, "debris-nbsp"),         # &nbsp; x 4
    ("news/debris.zh.md", 9, 1, "debris-tag"),          # <span style=...>
    ("news/debris.zh.md", 9, 47, "debris-tag"),         # <font> (dropped by the sanitiser)
    ("news/debris.zh.md", 10, 8, "debris-tag"),         # </div> never opened
    ("news/debris.zh.md", 11, 8, "punctuation-mix"),    # 逗号,也有句号。
    ("news/images.ko.md", 5, 12, "alt-language"),       # cover_alt in Chinese on a Korean page
    ("news/images.ko.md", 9, 1, "alt-missing"),
    ("news/images.ko.md", 11, 1, "alt-language"),       # Chinese alt text copied into the Korean page (C3)
    ("news/images.zh.md", 6, 1, "alt-missing"),         # ![](...) (C3)
    ("news/images.zh.md", 10, 1, "alt-missing"),        # a file name as alt text
    ("news/images.zh.md", 12, 1, "alt-language"),       # Korean alt text on a Chinese page
    ("news/images.zh.md", 14, 7, "image-too-large"),    # 4100 x 3000 pixels
    ("news/images.zh.md", 16, 9, "image-too-large"),    # 30.6 kB > 25 kB
    ("news/images.zh.md", 18, 10, "image-missing"),
    ("news/images.zh.md", 20, 1, "alt-missing"),        # raw <img> without alt
    ("news/links.zh.md", 1, 1, "translation-missing"),
    ("news/links.zh.md", 6, 39, "link-broken"),         # ../policy/no-such.zh.md (C4)
    ("news/links.zh.md", 7, 71, "link-broken"),         # /policy/no-such/ (C4, the site's URL form)
    ("news/links.zh.md", 8, 55, "link-unpublished"),    # a draft
    ("news/links.zh.md", 14, 8, "link-broken"),         # [ref]: ../policy/no-such-ref.zh.md
    ("news/no-date.zh.md", 1, 1, "front-matter"),
    ("news/no-date.zh.md", 1, 1, "translation-missing"),
    ("news/terms.ko.md", 7, 4, "term"),
    ("news/terms.zh.md", 6, 4, "term"),
    ("news/traditional.zh.md", 2, 8, "traditional"),    # title
    ("news/traditional.zh.md", 4, 15, "traditional"),   # summary (reported, not fixable)
    ("news/traditional.zh.md", 9, 1, "traditional"),    # the C1 sentence
]


@pytest.fixture(scope="module")
def settings():
    return dict(load_settings(PROJECT), CHECKS_IMAGE_MAX_BYTES=MAX_BYTES)


@pytest.fixture(scope="module")
def model(settings):
    return model_from_settings(settings)


@pytest.fixture(scope="module")
def report(model, settings):
    return run_checks(model, FIXTURE, settings=settings)


def find(report, path, line, col=None, check=None):
    hits = [f for f in report.findings if f.path == path and f.line == line and (col is None or f.col == col)
            and (check is None or f.id == check)]
    assert len(hits) == 1, (path, line, col, check, [f.location() + " " + f.id for f in report.findings])
    return hits[0]


@pytest.fixture
def copy(tmp_path):
    """A writable copy of the fixture tree."""
    dst = tmp_path / "content"
    shutil.copytree(FIXTURE, dst)
    return dst


# ---------------------------------------------------------------------------------------------
# The whole fixture tree


def test_every_planted_fault_is_found_exactly(report):
    assert [(f.path, f.line, f.col, f.id) for f in report.findings] == EXPECTED


def test_severities_messages_and_languages(report):
    for f in report.findings:
        assert f.severity == CHECKS[f.id].severity
        assert f.message and f.english and f.message != f.english
        assert f.lang == f.path.split(".")[-2]
        # message in the editor's language: Hangul in Korean files, Han in Chinese ones
        assert re.search("[가-힣]" if f.lang == "ko" else "[\u4e00-\u9fff]", f.message), f.message
        assert f.english[0].isascii(), f.english  # English, quoting the text it is about


def test_catalogue_has_every_message_in_three_languages():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "zh", "ko"}, key
        assert key.split("/")[0] in CHECKS, key
    for check in CHECKS.values():
        assert check.severity in ("error", "warning")
        # front-matter speaks with the content model's messages, poster* with the posters plugin's
        assert any(k.split("/")[0] == check.id for k in MESSAGES) or check.id in ("front-matter", "poster",
                                                                               "poster-pending")


def test_errors_and_ok(report):
    assert not report.ok
    assert {f.id for f in report.errors} >= {"traditional", "debris-tag", "link-broken", "alt-missing", "front-matter"}
    assert {f.id for f in report.warnings} == {"translation-missing", "term", "punctuation-mix"}


# ---------------------------------------------------------------------------------------------
# C1: Traditional characters in a Simplified page


def test_C1_traditional_sentence_reported_with_characters_and_simplified_form(report):
    f = find(report, "news/traditional.zh.md", 9, check="traditional")
    assert f.col == 1 and f.severity == "error" and f.fixable
    assert f.detail["found"] == ["創", "動", "經", "為", "計"]
    assert f.detail["simplified"] == "创建幸福家庭活动已经成为人口计生工作的新品牌"
    assert "創、動、經、為、計" in f.message and "创建幸福家庭活动已经成为人口计生工作的新品牌" in f.message
    assert "創、動、經、為、計" in f.english
    assert f.detail["changes"] == [[1, "創", "创"], [8, "動", "动"], [10, "經", "经"], [12, "為", "为"], [15, "計", "计"]]


def test_C1_title_is_fixable_other_fields_reported_only(report):
    title = find(report, "news/traditional.zh.md", 2, check="traditional")
    assert title.fixable and title.col == 8
    summary = find(report, "news/traditional.zh.md", 4, check="traditional")
    assert not summary.fixable and "summary" in summary.message and summary.col == 15


def test_C1_code_urls_and_korean_pages_are_not_reported(report):
    lines = {f.line for f in report.findings if f.path == "news/traditional.zh.md"}
    assert lines == {2, 4, 9}  # not the code span / URL line (10), the fenced (12-14) or indented code (16)
    assert report.for_path("news/traditional.ko.md") == []  # 創建 in a Korean page is hanja, not a fault


def test_C1_fix_converts_body_and_title_and_nothing_else(copy, model, settings):
    before = {p.relative_to(copy).as_posix(): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    first = run_checks(model, copy, settings=settings)
    changed = apply_fixes(copy, first.findings)
    assert changed == {"news/traditional.zh.md": 7}
    after = {p.relative_to(copy).as_posix(): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    for rel in before:
        if rel != "news/traditional.zh.md":
            assert after[rel] == before[rel], rel  # Korean pages, other pages, images untouched
    old = before["news/traditional.zh.md"].decode().split("\n")
    new = after["news/traditional.zh.md"].decode().split("\n")
    assert len(old) == len(new)
    diff = {i + 1: (a, b) for i, (a, b) in enumerate(zip(old, new)) if a != b}
    assert diff == {
        2: ("title: 創建幸福家庭活動", "title: 创建幸福家庭活动"),
        9: ("創建幸福家庭活動已經成為人口計生工作的新品牌", "创建幸福家庭活动已经成为人口计生工作的新品牌"),
    }
    text = after["news/traditional.zh.md"].decode()
    for kept in ("summary: 幸福家庭活動的摘要", "`創建 code`", "https://example.com/創建/活動", "創建 in a code block",
                 "    縮進代碼也不改", "tags: [幸福家庭]"):
        assert kept in text, kept
    again = run_checks(model, copy, settings=settings)
    left = [f for f in again.findings if f.id == "traditional"]
    assert [(f.line, f.fixable) for f in left] == [(4, False)]


def test_C1_fix_from_the_command_line(copy, capsys):
    status = main(["--project", str(PROJECT), "check", "--content", str(copy), "--fix", "news/traditional.zh.md"])
    out, err = capsys.readouterr()
    assert status == 1  # the summary still has Traditional characters: fix by hand
    assert "fixed 7 character(s)" in err
    assert "创建幸福家庭活动已经成为人口计生工作的新品牌" in (copy / "news/traditional.zh.md").read_text(encoding="utf-8")
    assert "4:15" in out and "9:1" not in out


def test_C1_fix_keeps_crlf_line_endings(tmp_path, model, settings):
    root = tmp_path / "c"
    (root / "news").mkdir(parents=True)
    (root / "news/a.zh.md").write_bytes("---\r\ntitle: 活動\r\ndate: 2026-01-01\r\n---\r\n\r\n已經開始。\r\n".encode())
    apply_fixes(root, run_checks(model, root, settings=settings).findings)
    assert (root / "news/a.zh.md").read_bytes() == "---\r\ntitle: 活动\r\ndate: 2026-01-01\r\n---\r\n\r\n已经开始。\r\n".encode()


@pytest.mark.parametrize("text", [
    "著名的乾隆皇帝，于是他来到了这里。",      # 著/乾/于: Simplified in these words
    "慰藉、狼藉、头发、发展、面条、钟表、一只",
    "皇后在后面，干净的衣服，松树下放松。",
    "吉林省人口计生委、延边朝鲜族自治州、二人转、大秧歌、满族剪纸。",
])
def test_C1_simplified_text_is_not_reported(text):
    """Phrase-aware conversion: characters that are Simplified in context stay unreported."""
    assert check_traditional("x.zh.md", "zh", [(1, text)]) == []


def test_C1_allow_list_setting(tmp_path, model, settings):
    root = write_files(tmp_path / "c", {"news/a.zh.md": md("title: 甲\ndate: 2026-01-01", "於先生说，發展很快。\n")})
    plain = run_checks(model, root, settings=settings)
    assert [f.detail["found"] for f in plain.findings if f.id == "traditional"] == [["於", "發"]]
    allowed = run_checks(model, root, settings=dict(settings, CHECKS_TRADITIONAL_ALLOW="於"))
    assert [f.detail["found"] for f in allowed.findings if f.id == "traditional"] == [["發"]]


# ---------------------------------------------------------------------------------------------
# C2: paste debris


def test_C2_broken_quote_and_leftover_tag_reported_with_line_and_column(report):
    line = (FIXTURE / "news/debris.zh.md").read_text(encoding="utf-8").split("\n")[5]
    assert "三点半学?!?/span>186个" in line
    q = find(report, "news/debris.zh.md", 6, 5)
    assert q.id == "debris-question" and q.excerpt == "?!?" and q.severity == "error"
    t = find(report, "news/debris.zh.md", 6, 8)
    assert t.id == "debris-tag" and t.excerpt == "/span>" and "/span>" in t.message


def test_C2_replacement_character_nbsp_run_and_pasted_tags(report):
    assert find(report, "news/debris.zh.md", 7, 6).id == "debris-replacement"
    nbsp = find(report, "news/debris.zh.md", 8, 1)
    assert nbsp.id == "debris-nbsp" and nbsp.english.startswith("run of 4 non-breaking spaces")
    assert "style" in find(report, "news/debris.zh.md", 9, 1).english
    assert "not allowed" in find(report, "news/debris.zh.md", 9, 47).english
    assert "closing tag '</div>'" in find(report, "news/debris.zh.md", 10, 8).english


def test_C2_debris_blocks_until_accepted(copy, model, settings):
    first = run_checks(model, copy, settings=settings)
    q = find(first, "news/debris.zh.md", 6, 5)
    assert q.blocking
    written = accept(copy, CheckConfig.from_settings(settings), [q], note="原文如此")
    assert written == [q]
    saved = yaml.safe_load((copy / "checks-accepted.yaml").read_text(encoding="utf-8"))
    assert saved == [{"path": "news/debris.zh.md", "check": "debris-question", "text": "?!?", "note": "原文如此"}]
    # The acceptance follows the text, not the line number: insert a line above it.
    page = copy / "news/debris.zh.md"
    page.write_text(page.read_text(encoding="utf-8").replace("三点半学", "新加的一行。\n\n三点半学", 1), encoding="utf-8")
    again = run_checks(model, copy, settings=settings)
    moved = find(again, "news/debris.zh.md", 8, 5)
    assert moved.accepted and not moved.blocking and moved not in again.errors
    assert not find(again, "news/debris.zh.md", 8, 8).accepted  # only what was accepted


def test_C2_accept_from_the_command_line(copy, capsys):
    args = ["--project", str(PROJECT), "check", "--content", str(copy), "--format", "json"]
    status = main(args + ["--accept", "news/debris.zh.md:6:5", "--note", "checked"])
    out, _ = capsys.readouterr()
    assert status == 1
    data = json.loads(out[out.index("{"):])
    accepted = [f for f in data["findings"] if f["accepted"]]
    assert [(f["path"], f["line"], f["col"], f["id"]) for f in accepted] == [("news/debris.zh.md", 6, 5, "debris-question")]
    assert data["summary"]["accepted"] == 1


def test_links_and_front_matter_cannot_be_accepted(copy, model, settings):
    first = run_checks(model, copy, settings=settings)
    broken = find(first, "news/links.zh.md", 6, 39)
    assert accept(copy, CheckConfig.from_settings(settings), [broken]) == []


def test_punctuation_mix_in_chinese_and_korean():
    zh = [(1, "同一句里有逗号,也有句号。金额是1,000元，时间10:30。English, fine。")]
    assert [(f.col, f.detail, f.excerpt[:6]) for f in check_punctuation("a.zh.md", "zh", zh)] == [(8, {}, "同一句里有逗")]
    ko = [(1, "첫 문장입니다，그리고 두 번째, 끝. 둘째 문장은 괜찮다, 정말.")]
    found = check_punctuation("a.ko.md", "ko", ko)
    assert [(f.col, f.id) for f in found] == [(8, "punctuation-mix")]
    assert "','" in found[0].english


def test_question_marks_in_code_and_urls_are_not_debris(report):
    # debris.zh.md line 13: "https://example.com/a?b=1" and "10:30" are fine
    assert [f for f in report.findings if f.path == "news/debris.zh.md" and f.line >= 12] == []


# ---------------------------------------------------------------------------------------------
# C3: alt text, per language; image sizes


def test_C3_alt_text_missing_per_language(report):
    zh = find(report, "news/images.zh.md", 6)
    ko = find(report, "news/images.ko.md", 9)
    assert zh.id == ko.id == "alt-missing"
    assert "替代文字" in zh.message and "대체 텍스트" in ko.message
    assert find(report, "news/images.zh.md", 20).id == "alt-missing"  # raw <img>
    assert "file name" in find(report, "news/images.zh.md", 10).english


def test_C3_korean_page_needs_korean_alt_text(report):
    copied = find(report, "news/images.ko.md", 11)
    assert copied.id == "alt-language" and "延吉公园的杜鹃花" in copied.message and "한국어" in copied.message
    cover = find(report, "news/images.ko.md", 5)
    assert cover.id == "alt-language" and cover.col == 12
    assert find(report, "news/images.zh.md", 12).id == "alt-language"  # Korean alt on a Chinese page
    # the same picture with alt text in the page's language passes
    assert [f.line for f in report.for_path("news/images.ko.md")] == [5, 9, 11]
    assert 8 not in [f.line for f in report.for_path("news/images.zh.md")]


def test_images_too_large_by_pixels_and_bytes(report):
    pixels = find(report, "news/images.zh.md", 14)
    assert pixels.id == "image-too-large" and "4100×3000" in pixels.english
    heavy = find(report, "news/images.zh.md", 16)
    assert heavy.id == "image-too-large" and "31 kB (limit 25 kB)" in heavy.english
    missing = find(report, "news/images.zh.md", 18)
    assert missing.id == "image-missing" and missing.excerpt == "../images/no-such.jpg"


def test_image_limits_come_from_settings(model, settings):
    loose = run_checks(model, FIXTURE, ["news/images.zh.md"], settings=dict(settings, CHECKS_IMAGE_MAX_BYTES=10**7,
                                                                                  CHECKS_IMAGE_MAX_PIXELS=10**8))
    assert [f.line for f in loose.findings if f.id == "image-too-large"] == []


# ---------------------------------------------------------------------------------------------
# C4: links


def test_C4_broken_links_reported_with_line_valid_links_pass(report):
    links = [(f.line, f.col, f.id, f.excerpt) for f in report.for_path("news/links.zh.md") if f.id.startswith("link")]
    assert links == [
        (6, 39, "link-broken", "../policy/no-such.zh.md"),
        (7, 71, "link-broken", "/policy/no-such/"),
        (8, 55, "link-unpublished", "../policy/draft-page.zh.md"),
        (14, 8, "link-broken", "../policy/no-such-ref.zh.md"),
    ]
    # ../policy/real.zh.md, /policy/real/, /ko/policy/real/, /policy/, the public URL, /images/ok.jpg
    # and the link inside a code span produce nothing.


def test_C4_external_links_are_listed_not_fetched(report):
    assert [(e.path, e.line, e.url) for e in report.external_links] == [
        ("news/debris.zh.md", 13, "https://example.com/a?b=1"),
        ("news/links.zh.md", 9, "https://www.gov.cn/"),
        ("news/traditional.zh.md", 10, "https://example.com/創建/活動"),
    ]


def test_C4_same_rule_as_the_renderer(model, report):
    """The content links the check reports are exactly those the renderer cannot resolve."""
    items = {}
    for path in FIXTURE.rglob("*.md"):
        rel = path.relative_to(FIXTURE).as_posix()
        item, _ = model.parse_file(FIXTURE, path)
        if item is not None:
            items[rel] = item
    url_map = build_url_map(model, FIXTURE, [(i.path, i.section, i.slug, i.lang) for i in items.values() if i.published], "")
    rendered = render(items["news/links.zh.md"].body, LinkContext("news/links.zh.md", url_map.get))
    missing = {target for target, kind in rendered.missing}
    reported = {f.excerpt for f in report.for_path("news/links.zh.md") if f.id.startswith("link") and not f.excerpt.startswith("/")}
    assert missing == reported


def test_C4_links_to_own_site_urls(tmp_path, model, settings):
    root = write_files(tmp_path / "c", {
        "news/a.zh.md": md("title: 甲\ndate: 2026-01-01\ntags: [幸福家庭]",
                           "[标签](/tags/xing-fu-jia-ting/) [坏标签](/tags/nope/) [首页](/) [韩文首页](/ko/) "
                           "[归档](/archives/) [订阅](/atom.xml) [第二页](/news/page/2/) [文件](/files/nope.pdf) "
                           "[别处](/about/) [韩文](/ko/news/a/)\n"),
    })
    found = run_checks(model, root, settings=settings)
    assert [(f.id, f.excerpt) for f in found.findings if f.id.startswith("link")] == [
        ("link-broken", "/tags/nope/"), ("link-broken", "/files/nope.pdf"), ("link-broken", "/about/"),
        ("link-broken", "/ko/news/a/"),
    ]


# ---------------------------------------------------------------------------------------------
# Terms, front matter, data files


def test_terms_to_avoid_with_preferred_wording(report):
    zh = find(report, "news/terms.zh.md", 6)
    assert zh.id == "term" and zh.severity == "warning"
    assert zh.message == "请勿使用“计划生育委员会”，应写作“人口和计划生育委员会”（机构已更名）"
    ko = find(report, "news/terms.ko.md", 7)
    assert ko.message == "'계획생육위원회' 대신 '인구계획생육위원회'(으)로 쓰세요 (기관 이름이 바뀌었습니다)"
    # "人口和计划生育委员会" on the same line (col 20) is the preferred wording: not reported
    assert [f.col for f in report.for_path("news/terms.zh.md")] == [4]


def test_starter_terms_file_is_valid_and_starter_content_avoids_the_terms(project):
    data = yaml.safe_load((project / "content/terms.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"zh", "ko"} and all(len(v) >= 3 for v in data.values())
    for lang, entries in data.items():
        for e in entries:
            assert e["avoid"] and e["prefer"] and e["note"]


def test_bad_terms_file_is_an_error(tmp_path, model, settings):
    root = write_files(tmp_path / "c", {"terms.yaml": "zh: [{avoid: 只有一半}]\n",
                                        "news/a.zh.md": md("title: 甲\ndate: 2026-01-01")})
    found = run_checks(model, root, settings=settings)
    bad = [f for f in found.findings if f.id == "data-file"]
    assert len(bad) == 1 and bad[0].path == "terms.yaml" and "prefer" in bad[0].english


def test_front_matter_findings_are_the_models_errors(report, model):
    f = find(report, "news/no-date.zh.md", 1, check="front-matter")
    _, errors = model.parse_file(FIXTURE, FIXTURE / "news/no-date.zh.md")
    assert [(e.message, e.english) for e in errors] == [(f.message, f.english)]
    assert f.detail == {"code": "missing_field"}


def test_control_character_is_pointed_at_on_its_line_and_column(tmp_path, model, settings):
    """`jindallae check` reports a pasted control character where it is (the body line and
    its column), with the build's message, so the editor can find an invisible character."""
    root = write_files(tmp_path / "c", {"news/a.zh.md": md("title: 甲\ndate: 2026-01-01",
                                                           body="第一段。\n\n粘贴来的文字\x0b在这里。\n")})
    found = [f for f in run_checks(model, root, settings=settings).findings if f.detail.get("code") == "control_character"]
    assert [(f.line, f.col, f.severity) for f in found] == [(8, 7, "error")]
    assert "U+000B" in found[0].message and "U+000B" in found[0].english


def test_checks_settings_are_validated(tmp_path):
    conf = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
    project = make_project(tmp_path / "p", conf + "\nCHECKS_IMAGE_MAX_BYTE = 5\n")
    with pytest.raises(SettingsError, match="CHECKS_IMAGE_MAX_BYTE: not a setting of jindallae.checks.config; "
                                            "did you mean CHECKS_IMAGE_MAX_BYTES"):
        load_settings(project)
    project = make_project(tmp_path / "q", conf + "\nCHECKS_DISABLE = ['no-such-check']\n")
    with pytest.raises(SettingsError, match="CHECKS_DISABLE: unknown check id"):
        load_settings(project)


def test_disabled_checks(model, settings):
    quiet = run_checks(model, FIXTURE, settings=dict(settings, CHECKS_DISABLE=["translation-missing", "term"]))
    assert {f.id for f in quiet.findings}.isdisjoint({"translation-missing", "term"})


# ---------------------------------------------------------------------------------------------
# Scanner


def test_scanner_skips_code_urls_and_markup():
    body = ("甲 `乙 code` 丙 [丁](../x.zh.md \"戊\") ![己](a.jpg) <https://e.com/庚> https://f.com/x 辛 <b>壬</b>\n"
            "\n```\n癸\n```\n\n    子\n\n[ref]: https://g.com/丑\n<!-- 寅 -->\n")
    s = scan_body(body)
    prose = "".join(t for t, _ in [(holed(s.lines[i], sp).replace("\ue000", ""), i) for i, sp in enumerate(s.text)])
    assert re.sub(r"[^\u4e00-\u9fff]", "", prose) == "甲丙丁己辛壬"
    assert s.code == [False, False, True, True, True, False, True, False, False, False, False]
    assert [(l.url, l.kind, l.form) for l in s.links] == [
        ("../x.zh.md", "link", "inline"), ("a.jpg", "image", "inline"), ("https://e.com/庚", "link", "autolink"),
        ("https://f.com/x", "link", "bare"), ("https://g.com/丑", "link", "reference")]
    assert [(t.name, t.closing) for t in s.tags] == [("b", False), ("b", True)]


# ---------------------------------------------------------------------------------------------
# Output and exit codes


def test_json_output_and_exit_code(capsys):
    status = main(["--project", str(PROJECT), "check", "--content", str(FIXTURE), "--format", "json"])
    out, _ = capsys.readouterr()
    assert status == 1
    data = json.loads(out)
    assert data["ok"] is False and data["version"] == 1
    assert data["summary"]["errors"] == sum(1 for f in data["findings"] if f["severity"] == "error")
    first = data["findings"][0]
    assert set(first) == {"id", "severity", "path", "line", "col", "message", "english", "fixable", "lang", "excerpt",
                          "detail", "accepted"}
    assert data["checks"]["traditional"] == {"severity": "error", "fixable": True, "acceptable": True,
                                             "doc": CHECKS["traditional"].doc}


def test_text_output_grouped_by_file_colour_only_on_request(report, capsys, monkeypatch):
    plain = format_text(report, "content")
    assert "\x1b[" not in plain
    blocks = plain.strip().split("\n\n")
    assert blocks[0].startswith("content/news/debris.zh.md\n  1:1 ")
    assert re.search(r"\n  6:5 +error +debris-question  文字中出现“\?!\?”", plain)
    assert plain.rstrip().splitlines()[-1].startswith("25 error(s), 6 warning(s) in 12 file(s) checked")
    coloured = format_text(report, "content", colour=True)
    assert "\x1b[31m" in coloured and "\x1b[1m" in coloured
    # the command line: piped output (not a terminal) has no colour; NO_COLOR is respected
    monkeypatch.setenv("NO_COLOR", "1")
    status = main(["--project", str(PROJECT), "check", "--content", str(FIXTURE)])
    out, _ = capsys.readouterr()
    assert status == 1 and "\x1b[" not in out and "news/links.zh.md" in out


def test_exit_code_zero_with_warnings_only(tmp_path, capsys):
    project = make_project(tmp_path / "p")
    write_files(project / "content", {"news/a.zh.md": md("title: 甲\ndate: 2026-01-01", "正文。\n")})
    status = main(["--project", str(project), "check"])
    out, _ = capsys.readouterr()
    assert status == 0 and "translation-missing" in out and "0 error(s), 1 warning(s)" in out


def test_only_given_paths(model, settings):
    one = run_checks(model, FIXTURE, ["news/terms.zh.md"], settings=settings)
    assert one.files == ["news/terms.zh.md"]
    assert [(f.path, f.id) for f in one.findings] == [("news/terms.zh.md", "term")]


# ---------------------------------------------------------------------------------------------
# The starter content and speed


def test_starter_content_is_clean(project, capsys):
    report = run_checks(project)
    assert report.errors == [], [f.location() + " " + f.english for f in report.errors]
    assert {f.id for f in report.warnings} <= {"translation-missing", "translation-outdated"}
    status = main(["--project", str(project), "check"])
    capsys.readouterr()
    assert status == 0


def test_check_help(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--help"])
    out, _ = capsys.readouterr()
    assert exc.value.code == 0
    for option in ("--content", "--fix", "--format", "--changed", "--links", "--mark-translated", "--accept"):
        assert option in out


# Found by a fresh tester trying to break `jindallae check`.

def test_corrupt_and_oversized_images_are_findings_not_crashes(tmp_path):
    from PIL import Image

    from jindallae.checks import run_checks

    root = tmp_path / "content"
    (root / "images").mkdir(parents=True)
    (root / "images" / "corrupt.jpg").write_text("not an image")
    Image.new("1", (15000, 15000), 1).save(root / "images" / "bomb.png")
    (root / "news").mkdir()
    (root / "news" / "tu-pian.zh.md").write_text(
        "---\ntitle: 图片\ndate: 2024-01-05\n---\n\n![坏图](../images/corrupt.jpg)\n\n![大图](../images/bomb.png)\n",
        encoding="utf-8")
    report = run_checks(PROJECT, root)
    got = {(f.id, f.line) for f in report.findings if f.path == "news/tu-pian.zh.md"}
    assert ("image-missing", 6) in got and ("image-too-large", 8) in got, got


def test_qian_an_county_is_not_traditional():
    """乾 in the Jilin county 乾安 is Simplified; OpenCC's t2s would turn it into 干."""
    from jindallae.checks.text import traditional_runs

    assert traditional_runs("松原市乾安县的幸福家庭。") == []
    assert traditional_runs("乾安縣") == [(2, "縣", "县")]


def test_broken_terms_file_is_reported_when_checking_one_file(tmp_path):
    """A broken terms.yaml switches term checking off for every file: a check of one file (the
    CMS's case) or --changed must say so, not exit 0 silently."""
    from jindallae.checks import run_checks

    root = tmp_path / "content"
    (root / "news").mkdir(parents=True)
    (root / "news" / "yi-pian.zh.md").write_text("---\ntitle: 一篇\ndate: 2024-01-05\n---\n\n正文。\n", encoding="utf-8")
    (root / "terms.yaml").write_text("zh: [avoid: x\n", encoding="utf-8")
    report = run_checks(PROJECT, root, paths=["news/yi-pian.zh.md"])
    assert any(f.id == "data-file" and f.path == "terms.yaml" and f.severity == "error" for f in report.findings), \
        [(f.id, f.path) for f in report.findings]


def test_C2_debris_in_title_and_summary_is_found(tmp_path):
    """Paste debris in the front matter's text fields, the last field included (it ends right
    before the closing '---')."""
    from jindallae.checks import run_checks

    root = tmp_path / "content"
    (root / "news").mkdir(parents=True)
    (root / "news" / "fm.zh.md").write_text(
        "---\ntitle: 中文???中文\ndate: 2024-01-05\nsummary: 摘要???摘要\n---\n\n正文。\n", encoding="utf-8")
    report = run_checks(PROJECT, root)
    got = sorted((f.id, f.line, f.col) for f in report.findings if f.id.startswith("debris"))
    assert got == [("debris-question", 2, 10), ("debris-question", 4, 12)], got


def test_check_reports_poster_problems_before_a_build(tmp_path):
    """`jindallae check` (run_checks on a project) reports what the posters plugin would stop
    at, without drawing: an unknown format, a picture that is not an image, characters the
    poster font lacks (named, with U+ code) — at the poster field's line, in the page's
    language — and a bilingual poster whose translation is still a draft as a warning."""
    from jindallae.checks import run_checks

    project = make_project(tmp_path / "p")
    event = ("title: 梨花节\ndate: 2026-11-01\nevent:\n  id: pear-1\n  start: 2027-04-28\n  location: 龙井市\n"
             "poster:\n  headline: 梨花节🎉\n  image: images/fake.jpg\n  formats: [A2, A9]\n  language: [zh, bilingual]")
    write_files(project / "content", {
        "events/pear.zh.md": md(event),
        "events/pear.ko.md": md("title: 배꽃축제\ndate: 2026-11-01\nstatus: draft\nevent:\n  id: pear-1\n"
                                "  start: 2027-04-28\n  location: 룽징시"),
        "images/fake.jpg": "not a picture",
    })
    report = run_checks(project)
    posters = [f for f in report.findings if f.id.startswith("poster")]
    got = {(f.id, f.path, f.line, f.message.split(":")[0]) for f in posters}
    assert ("poster", "events/pear.zh.md", 9, "poster.headline") in got  # line of `headline:`
    assert ("poster", "events/pear.zh.md", 10, "poster.image") in got
    assert ("poster", "events/pear.zh.md", 11, "poster.formats") in got
    assert ("poster-pending", "events/pear.zh.md", 12, "poster.language") in got
    glyphs = next(f for f in posters if f.message.startswith("poster.headline"))
    assert "🎉" in glyphs.message and "U+1F389" in glyphs.message and "字体" in glyphs.message
    assert "A9" in next(f for f in posters if f.message.startswith("poster.formats")).message
    assert not report.ok
    assert len(posters) == len({(f.path, f.message) for f in posters})  # each problem once
