"""The content model: file names, front matter, field validation, line numbers, translations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from jindallae.model import ContentError, make_error, model_from_settings, parse_when
from jindallae.settings import load_settings
from site_helpers import PROJECT, md, parse, write_files




def only(errors):
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


# ---------------------------------------------------------------------------------------------
# Languages and sections


def test_languages_default_first(model):
    assert [lang.code for lang in model.languages] == ["zh", "ko"]
    assert model.default.code == "zh"
    assert model.by_code["zh"].hreflang == "zh-Hans"
    assert model.by_code["ko"].hreflang == "ko"
    assert model.by_code["zh"].prefix == "" and model.by_code["ko"].prefix == "ko"


def test_urls(model):
    assert model.article_url("parks", "x", "zh") == "parks/x/"
    assert model.article_url("parks", "x", "ko") == "ko/parks/x/"
    assert model.section_url("events", "ko") == "ko/events/"


def test_section_names_in_both_languages(model):
    assert model.sections["parks"].name("zh") == "文化园区"
    assert model.sections["parks"].name("ko") == "문화공원"
    assert set(model.sections) == {"parks", "forums", "folk-arts", "policy", "events", "news"}


# ---------------------------------------------------------------------------------------------
# Parsing a good file


def test_parse_good_file(model, tmp_path):
    item, errors = parse(model, tmp_path, "news/hao-xiao-xi.zh.md", md("""
title: 好消息
date: 2024-01-05
tags: [测试, 延边, 测试]
author: 延吉市
""", "正文。\n"))
    assert errors == []
    assert (item.section, item.slug, item.lang) == ("news", "hao-xiao-xi", "zh")
    assert item.fields["title"] == "好消息"
    assert item.fields["date"] == dt.date(2024, 1, 5)
    assert item.fields["tags"] == ["测试", "延边"]  # duplicates dropped, order kept
    assert item.published
    assert item.body_line == 7
    assert item.lines["title"] == 2 and item.lines["author"] == 5


def test_tags_as_text_split_on_chinese_commas(model, tmp_path):
    item, errors = parse(model, tmp_path, "news/a.zh.md", md("title: a\ndate: 2024-01-05\ntags: 测试，延边、银行, 龙井"))
    assert errors == []
    assert item.fields["tags"] == ["测试", "延边", "银行", "龙井"]


def test_draft_is_not_published(model, tmp_path):
    item, errors = parse(model, tmp_path, "news/a.zh.md", md("title: a\ndate: 2024-01-05\nstatus: draft"))
    assert errors == [] and not item.published


def test_I1_translation_shares_slug_from_file_name(model, tmp_path):
    """A translation's slug is the file name's, whatever its title."""
    item, errors = parse(model, tmp_path, "news/yan-ji-jiang-zuo.ko.md",
                         md("title: 연길시에서 강좌를 열다\ndate: 2024-01-05"))
    assert errors == []
    assert item.slug == "yan-ji-jiang-zuo"
    assert item.key == ("news", "yan-ji-jiang-zuo")


def test_I1_slug_field_equal_to_file_name_is_fine(model, tmp_path):
    item, errors = parse(model, tmp_path, "news/a-b.ko.md", md("title: 가\nslug: a-b\ndate: 2024-01-05"))
    assert errors == [] and item.slug == "a-b"


def test_I1_slug_field_contradicting_file_name_is_an_error(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a-b.ko.md", md("title: 가\ndate: 2024-01-05\nslug: munhwagongwon-annae"))
    e = only(errors)
    assert (e.path, e.line, e.code) == ("news/a-b.ko.md", 4, "slug_mismatch")
    assert "munhwagongwon-annae" in e.english and "a-b" in e.english


def test_event_end_defaults_to_start_and_times_are_aware(model, tmp_path):
    item, errors = parse(model, tmp_path, "events/e.zh.md", md("""
title: 活动
date: 2024-01-05
event:
  id: 0b6f3a52-2c1d-4e8f-9a7b-6c5d4e3f2a1b
  start: 2024-03-02 09:30
  location: 延吉
"""))
    assert errors == []
    start = item.fields["event"]["start"]
    assert start == dt.datetime(2024, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert item.fields["event"]["end"] == start


def test_event_timezone_applies_to_times(model, tmp_path):
    item, errors = parse(model, tmp_path, "events/e.zh.md", md("""
title: 活动
date: 2024-01-05
event:
  id: 0b6f3a52-2c1d-4e8f-9a7b-6c5d4e3f2a1c
  start: 2024-03-02 09:30
  timezone: Asia/Seoul
  location: 首尔
"""))
    assert errors == []
    assert item.fields["event"]["start"].utcoffset() == dt.timedelta(hours=9)


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize("text, value", [
    ("2024-01-05", dt.date(2024, 1, 5)),
    ("2024-1-5", dt.date(2024, 1, 5)),
    ("2024-01-05 09:30", dt.datetime(2024, 1, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))),
    ("2024-01-05T09:30:15+09:00", dt.datetime(2024, 1, 5, 0, 30, 15, tzinfo=dt.timezone.utc)),
    ("2024-01-05 01:00Z", dt.datetime(2024, 1, 5, 1, 0, tzinfo=dt.timezone.utc)),
])
def test_parse_when(text, value):
    assert parse_when(text) == value


@pytest.mark.parametrize("text", ["2026-02-30", "2024-13-01", "2024-01-05 25:00", "next monday", "05/01/2024"])
def test_parse_when_rejects_impossible_dates(text):
    with pytest.raises(ValueError):
        parse_when(text)


# ---------------------------------------------------------------------------------------------
# Errors: one at a time, with line numbers and the editor's language


def test_impossible_date_error_line(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.zh.md", md("title: a\nsummary: b\ndate: 2026-02-30"))
    e = only(errors)
    assert (e.line, e.code) == (4, "bad_date")
    assert "2026-02-30" in e.message and "不是有效日期" in e.message
    assert str(e).startswith("news/a.zh.md:4: ")
    assert str(e).endswith("(field 'date': '2026-02-30' is not a real date; write YYYY-MM-DD or YYYY-MM-DD HH:MM)")


def test_unknown_field_suggests_the_right_one(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.ko.md", md("title: 가\ndate: 2024-01-05\nsumary: 요약"))
    e = only(errors)
    assert (e.line, e.code) == (4, "unknown_field")
    assert "did you mean 'summary'" in e.english
    assert "알 수 없는 항목 'sumary'" in e.message


def test_unknown_event_field_points_at_its_line(model, tmp_path):
    _, errors = parse(model, tmp_path, "events/a.zh.md", md("""
title: 活动
date: 2024-01-05
event:
  start: 2024-03-02
  locaton: 延吉
"""))
    codes = {(e.line, e.code) for e in errors}
    assert (6, "unknown_field") in codes
    assert any("did you mean 'event.location'" in e.english for e in errors)


def test_lang_field_contradicting_file_name(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.zh.md", md("title: a\ndate: 2024-01-05\nlang: ko"))
    e = only(errors)
    assert (e.line, e.code) == (4, "lang_mismatch")
    assert e.english == "lang 'ko' contradicts the file name (.zh.md); remove the field or rename the file"
    assert "不一致" in e.message


def test_lang_field_equal_to_file_name_is_fine(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.ko.md", md("title: 가\ndate: 2024-01-05\nlang: ko"))
    assert errors == []


def test_missing_required_fields_per_section(model, tmp_path):
    _, errors = parse(model, tmp_path, "parks/a.zh.md", md("title: 园\ndate: 2024-01-05"))
    assert sorted(e.english.split("'")[1] for e in errors if e.code == "missing_field") == ["cover", "cover_alt", "summary"]
    _, errors = parse(model, tmp_path, "events/b.zh.md", md("title: 活动\ndate: 2024-01-05"))
    assert [(e.code, e.english.split("'")[1]) for e in errors] == [("missing_field", "event")]


def test_cover_must_exist_and_needs_alt(model, tmp_path):
    root = write_files(tmp_path / "c", {
        "news/a.zh.md": md("title: a\ndate: 2024-01-05\ncover: images/nope.jpg\ncover_alt: 图"),
        "news/b.zh.md": md("title: b\ndate: 2024-01-05\ncover: images/yes.jpg"),
        "images/yes.jpg": b"\xff\xd8\xff",
    })
    _, errors = model.parse_file(root, root / "news/a.zh.md")
    e = only(errors)
    assert (e.line, e.code) == (4, "missing_file")
    _, errors = model.parse_file(root, root / "news/b.zh.md")
    e = only(errors)
    assert (e.line, e.code) == (4, "cover_alt")


@pytest.mark.parametrize("rel, code", [
    ("news/Bad_Name.zh.md", "bad_filename"),
    ("news/a.en.md", "bad_filename"),
    ("news/a.md", "bad_filename"),
    ("blog/a.zh.md", "unknown_section"),
    ("a.zh.md", "unknown_section"),
    ("news/sub/a.zh.md", "unknown_section"),
])
def test_file_name_and_folder_errors(model, tmp_path, rel, code):
    item, errors = parse(model, tmp_path, rel, md("title: a\ndate: 2024-01-05"))
    assert item is None
    assert code in {e.code for e in errors}


def test_front_matter_fences(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.zh.md", "title: a\n\n正文\n")
    assert (only(errors).line, only(errors).code) == (1, "no_front_matter")
    _, errors = parse(model, tmp_path, "news/b.zh.md", "---\ntitle: a\ndate: 2024-01-05\n\n正文\n")
    assert only(errors).code == "unclosed_front_matter"


def test_broken_yaml_line(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.ko.md", "---\ntitle: 가\ndate: 2024-01-05\nsummary: 요약: 틀림\n---\n본문\n")
    e = only(errors)
    assert (e.line, e.code) == (4, "bad_yaml")
    assert "올바른 YAML이 아닙니다" in e.message


def test_bom_and_crlf_are_accepted(model, tmp_path):
    item, errors = parse(model, tmp_path, "news/a.zh.md", "\ufeff---\r\ntitle: a\r\ndate: 2024-01-05\r\n---\r\n正文\r\n")
    assert errors == []
    assert item.fields["title"] == "a"


def test_wrong_types(model, tmp_path):
    _, errors = parse(model, tmp_path, "news/a.zh.md", md("""
title: [a, b]
date: 2024-01-05
featured: 是
status: done
tags: {a: 1}
"""))
    assert {(e.line, e.code) for e in errors} >= {(2, "bad_type"), (4, "bad_type"), (5, "bad_status"), (6, "bad_type")}


def test_unreadable_file(model, tmp_path):
    root = write_files(tmp_path / "c", {"news/a.zh.md": "---\ntitle: \xff\n".encode("latin-1")})
    item, errors = model.parse_file(root, root / "news/a.zh.md")
    assert item is None and only(errors).code == "unreadable"


def test_error_message_language_follows_the_file():
    zh = make_error("news/a.zh.md", 3, "missing_field", "zh", field="title")
    ko = make_error("news/a.ko.md", 3, "missing_field", "ko", field="title")
    assert str(zh) == "news/a.zh.md:3: 缺少必填字段“title”；请在文件头补上 (missing required field 'title'; add it to the front matter)"
    assert str(ko) == "news/a.ko.md:3: 필수 항목 'title'이(가) 없습니다. 머리말에 추가하세요 (missing required field 'title'; add it to the front matter)"


def test_errors_sort_by_path_then_line():
    errs = sorted([ContentError("b.zh.md", 1, "x"), ContentError("a.zh.md", 9, "x"), ContentError("a.zh.md", 2, "x")])
    assert [(e.path, e.line) for e in errs] == [("a.zh.md", 2), ("a.zh.md", 9), ("b.zh.md", 1)]


# ---------------------------------------------------------------------------------------------
# Whole-site checks


def test_I1_same_slug_in_two_sections_names_both_paths(model, tmp_path):
    root = write_files(tmp_path / "c", {
        "news/tong-ming.zh.md": md("title: 一\ndate: 2024-01-05"),
        "news/tong-ming.ko.md": md("title: 일\ndate: 2024-01-05"),
        "policy/tong-ming.zh.md": md("title: 二\ndate: 2024-01-05\nsummary: 摘要"),
    })
    items, errors = model.load(root)
    # every file involved is reported, each naming the files of the other section
    assert [(e.path, e.line, e.code) for e in errors] == [
        ("news/tong-ming.ko.md", 1, "duplicate_url"), ("news/tong-ming.zh.md", 1, "duplicate_url"),
        ("policy/tong-ming.zh.md", 1, "duplicate_url")]
    assert "news/tong-ming.ko.md, news/tong-ming.zh.md" in errors[2].message
    assert "policy/tong-ming.zh.md" in errors[0].english and "'tong-ming'" in errors[0].english


def test_translations_in_one_section_are_not_duplicates(model, tmp_path):
    root = write_files(tmp_path / "c", {
        "news/tong-ming.zh.md": md("title: 一\ndate: 2024-01-05"),
        "news/tong-ming.ko.md": md("title: 일\ndate: 2024-01-05"),
    })
    items, errors = model.load(root)
    assert errors == []
    assert [i.path for i in items] == ["news/tong-ming.ko.md", "news/tong-ming.zh.md"]
    assert {i.key for i in items} == {("news", "tong-ming")}


def test_starter_content_is_valid(project):
    """The starter content passes the model without errors (whatever it contains)."""
    model = model_from_settings(load_settings(project))
    items, errors = model.load(project / "content")
    assert [str(e) for e in errors] == []
    assert items


def test_language_versions_of_an_event_share_one_schedule(model, tmp_path):
    """One event id (one iCalendar UID) with two different end times would import as one event
    with conflicting data; the build names the field and the other file."""
    event = "event:\n  id: 0c0ffee0-0000-4000-8000-000000000001\n  start: 2026-12-10 14:00\n  end: {end}\n  location: {loc}"
    root = write_files(tmp_path / "c", {
        "events/wen-da.zh.md": md("title: 问答\ndate: 2026-11-01\n" + event.format(end="2026-12-10 16:00", loc="敦化")),
        "events/wen-da.ko.md": md("title: 문답\ndate: 2026-11-01\n" + event.format(end="2026-12-10 16:30", loc="돈화")),
    })
    items, errors = model.load(root)
    assert [(e.path, e.line, e.code) for e in errors] == [("events/wen-da.zh.md", 7, "event_schedule_mismatch")]
    assert "event.end" in errors[0].english and "events/wen-da.ko.md" in errors[0].english


@pytest.mark.parametrize("value", ["/etc/hostname", "../secret.jpg", "images/../../secret.jpg"])
def test_cover_outside_content_is_refused(model, tmp_path, value):
    """A cover (any path field) may not point outside content/: pages and posters are public.
    The error names the field and says how to fix it, in the page's language."""
    (tmp_path / "secret.jpg").write_bytes(b"x")
    item, errors = parse(model, tmp_path, "parks/p.zh.md",
                         md(f"title: 园\ndate: 2026-01-01\nsummary: 摘要\ncover: {value}\ncover_alt: 图"))
    assert len(errors) == 1, errors
    assert "cover" in str(errors[0]) and "content/" in str(errors[0]) and "不在 content/ 之内" in str(errors[0])
    assert errors[0].line == 5
