"""Slugs for Chinese, Korean and Latin text (case I1; tag slugs of case I8)."""

from __future__ import annotations

import datetime as dt
import re
import sys

import pytest
import yaml

from jindallae.scaffold import ScaffoldError, scaffold
from jindallae.slugs import slugify
from site_helpers import PROJECT, make_project

sys.path.insert(0, str(PROJECT / "plugins"))
from multilingual.generator import unique_tag_slugs  # noqa: E402

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.mark.parametrize("text, slug", [
    ("创建幸福家庭", "chuang-jian-xing-fu-jia-ting"),
    ("银行", "yin-hang"),            # phrase reading: yin-hang, not yin-xing
    ("广东", "guang-dong"),
    ("重阳", "chong-yang"),          # not zhong-yang
    ("行长", "hang-zhang"),
    ("长白山", "chang-bai-shan"),
    ("延吉市举办讲座", "yan-ji-shi-ju-ban-jiang-zuo"),
    ("绿色", "lv-se"),               # ü written as v, the usual ASCII spelling
    ("문화공원 안내", "munhwagongwon-annae"),  # Revised Romanization, not munhwagongweon
    ("민속 예술", "minsok-yesul"),
    ("한국어", "hangugeo"),
    ("2026年 Forum", "2026-nian-forum"),
    ("延边 Yanbian 2026", "yan-bian-yanbian-2026"),
    ("ÉCOLE d'été", "ecole-d-ete"),
])
def test_I1_slugify(text, slug):
    assert slugify(text) == slug


@pytest.mark.parametrize("text", ["😀", "   ", "「」", ""])
def test_I1_slugify_nothing_sluggable_is_empty(text):
    assert slugify(text) == ""


@pytest.mark.parametrize("text", [
    "创建幸福家庭", "문화공원 안내", "“一县一品”怎么做？", "제2회 장백산 인구문화 포럼", "Ⅱ期·延吉", "中文-한국어 Mixed_Text 12",
])
def test_I1_slugs_are_ascii_url_safe(text):
    slug = slugify(text)
    assert SLUG_RE.fullmatch(slug), slug


def test_I1_slugify_is_deterministic():
    assert [slugify("创建幸福家庭") for _ in range(3)] == ["chuang-jian-xing-fu-jia-ting"] * 3


def test_I1_slugify_separator():
    assert slugify("创建幸福家庭", "_") == "chuang_jian_xing_fu_jia_ting"


# ---------------------------------------------------------------------------------------------
# I8: tag slugs unique within a language


def test_I8_tag_slugs_for_chinese_tags():
    assert unique_tag_slugs(["测试", "延边"]) == {"测试": "ce-shi", "延边": "yan-bian"}


def test_I8_tags_that_slugify_alike_get_distinct_slugs():
    slugs = unique_tag_slugs(["银行", "yin hang", "Yin-Hang"])
    assert set(slugs) == {"银行", "yin hang", "Yin-Hang"}
    assert len(set(slugs.values())) == 3
    assert all(s.startswith("yin-hang") for s in slugs.values())
    assert all(SLUG_RE.fullmatch(s) for s in slugs.values())


def test_I8_tag_slugs_are_stable_whatever_the_order():
    names = ["银行", "yin hang", "测试", "😀", "🎉"]
    assert unique_tag_slugs(names) == unique_tag_slugs(list(reversed(names)))


def test_I8_unsluggable_tags_still_get_non_empty_distinct_slugs():
    slugs = unique_tag_slugs(["😀", "🎉"])
    assert all(slugs.values())
    assert len(set(slugs.values())) == 2


# ---------------------------------------------------------------------------------------------
# I1: `jindallae new` with a title makes pinyin-slugged files in every language


def front(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:].split("\n---\n", 1)[0])


def test_I1_scaffold_from_chinese_title(tmp_path):
    project = make_project(tmp_path / "proj")
    content = project / "content"
    paths = scaffold(project, content, "news", "延吉市举办讲座", today=dt.date(2026, 3, 1))
    assert sorted(p.relative_to(content).as_posix() for p in paths) == [
        "news/yan-ji-shi-ju-ban-jiang-zuo.ko.md", "news/yan-ji-shi-ju-ban-jiang-zuo.zh.md"]
    zh = front(content / "news/yan-ji-shi-ju-ban-jiang-zuo.zh.md")
    ko = front(content / "news/yan-ji-shi-ju-ban-jiang-zuo.ko.md")
    assert zh["title"] == "延吉市举办讲座"
    assert ko["title"] == "延吉市举办讲座"  # a placeholder for the translator: drafts need a title
    assert zh["status"] == "draft" and ko["status"] == "draft"
    assert str(zh["date"]) == "2026-03-01"
    assert ko["translated_from"]["lang"] == "zh"


def test_I1_scaffold_event_has_event_block(tmp_path):
    project = make_project(tmp_path / "proj")
    content = project / "content"
    scaffold(project, content, "events", "yanji-forum-2027", today=dt.date(2026, 3, 1))
    zh = front(content / "events/yanji-forum-2027.zh.md")
    ko = front(content / "events/yanji-forum-2027.ko.md")
    assert str(zh["event"]["start"]) == "2026-03-01"
    assert zh["event"]["id"] and zh["event"]["id"] == ko["event"]["id"]


def test_I1_scaffold_refuses_existing_slug_in_any_section(tmp_path):
    project = make_project(tmp_path / "proj")
    content = project / "content"
    scaffold(project, content, "news", "延吉市举办讲座")
    with pytest.raises(ScaffoldError, match="yan-ji-shi-ju-ban-jiang-zuo"):
        scaffold(project, content, "policy", "yan-ji-shi-ju-ban-jiang-zuo")
    assert not (content / "policy").exists()


def test_I1_scaffold_refuses_unknown_section(tmp_path):
    project = make_project(tmp_path / "proj")
    with pytest.raises(ScaffoldError, match="unknown section 'blog'.*news"):
        scaffold(project, project / "content", "blog", "x")
    assert list((project / "content").iterdir()) == []


LONG_TITLE = ("吉林省人口和计划生育委员会吉林省财政厅关于印发吉林省农村部分计划生育家庭奖励扶助制度"
              "实施方案的通知关于进一步做好人口文化宣传工作")


def test_slug_of_a_long_official_title_is_cut_after_a_whole_word():
    """A 71-character document title gives 250+ letters of pinyin (beyond the 255 bytes of a file
    name once ``.zh.md`` is added): the slug keeps the first whole syllables, at most 80 letters."""
    slug = slugify(LONG_TITLE)
    assert len(slug) <= 80 and SLUG_RE.match(slug)
    assert slug == "ji-lin-sheng-ren-kou-he-ji-hua-sheng-yu-wei-yuan-hui-ji-lin-sheng-cai-zheng-ting"


def test_scaffold_of_a_long_title_and_a_too_long_slug(tmp_path):
    """``jindallae new`` with a long title writes files (no OSError); an explicit slug longer
    than 80 characters is refused with a message, nothing written."""
    project = make_project(tmp_path / "proj")
    content = project / "content"
    paths = scaffold(project, content, "news", LONG_TITLE, today=dt.date(2026, 3, 1))
    slug = slugify(LONG_TITLE)
    assert sorted(p.name for p in paths) == [f"{slug}.ko.md", f"{slug}.zh.md"]
    assert front(content / f"news/{slug}.zh.md")["title"] == LONG_TITLE
    with pytest.raises(ScaffoldError, match="at most 80"):
        scaffold(project, content, "policy", "a" * 300)
    assert not (content / "policy").exists()


def test_a_very_long_tag_gets_a_tag_page(tmp_path):
    """A tag of 90 characters builds: its tag page's folder name is the cut slug, and two long
    tags that share their first 80 letters of pinyin get distinct pages."""
    from jindallae.build import build
    from site_helpers import md, write_files

    project = make_project(tmp_path / "proj")
    long_a, long_b = "长标签" * 30, "长标签" * 29 + "短标签"
    write_files(project / "content", {"news/a.zh.md": md(f"title: 甲\ndate: 2026-03-01\ntags: [{long_a}, {long_b}]")})
    out = tmp_path / "out"
    build(project, output=out, progress=False, cache=False)
    folders = sorted(p.name for p in (out / "tags").iterdir() if p.is_dir())
    assert folders == [slugify(long_a), f"{slugify(long_a)}-2"], folders
    assert all(len(name) <= 82 for name in folders)
