"""The ``sensitive`` and ``typo`` checks (jindallae.checks.sensitive, jindallae.checks.typo): words
of the office's lists matched on normalised text (full-width/half-width, Traditional/Simplified,
spaces and symbols put between the characters), and common confusions of written Chinese
(的/地/得, 截止/截至, lower-case numerals in an amount in capitals, wrongly written words), from
the data files content/sensitive-words.yaml and content/typos.yaml.

Expectations are written out here (the sentences and what must be found), not derived from the
data files, except where a test is about the starter files themselves.  Cases C2 (a finding that
blocks until fixed or accepted) and C1 (Traditional text: here a listed word written in
Traditional characters) of ../shared/cases/checks.md apply to these checks too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_helpers import PROJECT, make_project, md, write_files

WORDS = PROJECT / "content" / "sensitive-words.yaml"
TYPOS = PROJECT / "content" / "typos.yaml"
LISTS = """
zh:
  - {word: 敏感词, level: error, note: 示例}
  - {word: 内部资料, level: error}
  - {word: 机密, level: error, allow: [机密性]}
  - {word: 征求意见稿, level: warning}
  - {word: XXX, level: warning}
ko:
  - {word: 대외비, level: error}
"""


def project_with(tmp_path: Path, files: dict[str, str], settings: str = "", lists: str | None = LISTS,
                 typos: bool = True) -> Path:
    conf = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8") + settings
    root = make_project(tmp_path / "p", conf)
    write_files(root / "content", files)
    if lists is not None:
        (root / "content" / "sensitive-words.yaml").write_text(lists, encoding="utf-8")
    if typos:
        shutil.copy(TYPOS, root / "content" / "typos.yaml")
    return root


def findings(root: Path, check: str | None = None, path: str | None = None):
    from jindallae.checks import run_checks

    report = run_checks(root)
    return [f for f in report.findings if (check is None or f.id == check) and (path is None or f.path == path)]


def page(body: str, title: str = "通知", lang: str = "zh") -> dict[str, str]:
    return {f"news/a.{lang}.md": md(f"title: {title}\ndate: 2026-06-12", body)}


def scan(text: str, lang: str = "zh", lists: str = LISTS, tmp_path: Path | None = None):
    """The sensitive and typo findings of one page's text, without a project (the CMS's path)."""
    from jindallae.checks.core import scan_page
    from jindallae.model import model_from_settings
    from jindallae.settings import load_settings

    settings = load_settings(PROJECT)
    root = tmp_path
    write_files(root, {"sensitive-words.yaml": lists})
    shutil.copy(TYPOS, root / "typos.yaml")
    return scan_page(model_from_settings(settings), root, f"news/a.{lang}.md", text, settings)


# ---------------------------------------------------------------------------------------------
# sensitive: normalised matching


@pytest.mark.parametrize("written", ["敏感词", "敏 感 词", "敏　感　词", "敏*感*词", "敏**感**词", "敏-感·词", "敏感詞",
                                     "敏\u200b感词"])
def test_sensitive_word_found_in_every_disguise(tmp_path, written):
    """A listed word with spaces (also the full-width one), symbols, Markdown emphasis or a
    zero-width space between its characters, or in Traditional characters (C1), is found at its
    first character, the text as written quoted."""
    hits = scan(md("title: 通知\ndate: 2026-06-12", f"文中有{written}一处。\n"), tmp_path=tmp_path)
    assert [(f.id, f.severity, f.line, f.col, f.excerpt) for f in hits] == [("sensitive", "error", 6, 4, written)]
    assert "敏感词" in hits[0].message and written in hits[0].message


def test_full_width_and_case_are_the_same_word(tmp_path):
    hits = scan(md("title: 通知\ndate: 2026-06-12", "请 ＸＸＸ 同志和 xxx 同志参加。\n"), tmp_path=tmp_path)
    assert [(f.excerpt, f.severity) for f in hits] == [("ＸＸＸ", "warning"), ("xxx", "warning")]


def test_C1_traditional_characters_of_a_listed_word(tmp_path):
    """C1: text pasted in Traditional characters still matches the Simplified list (OpenCC t2s)."""
    hits = scan(md("title: 關於內部資料的通知\ndate: 2026-06-12", "本文為內部資料。\n"), tmp_path=tmp_path)
    assert [(f.line, f.excerpt) for f in hits] == [(2, "內部資料"), (6, "內部資料")]


def test_word_broken_over_two_lines_of_a_paragraph(tmp_path):
    """A line break inside a paragraph vanishes between Chinese characters on the site: the word
    is found, at its first character, quoted in its two parts."""
    hits = scan(md("title: 通知\ndate: 2026-06-12", "这是内部\n资料，请勿外传。\n\n内部\n\n资料是两段。\n"), tmp_path=tmp_path)
    assert [(f.line, f.col, f.excerpt) for f in hits] == [(6, 3, "内部资料")]


@pytest.mark.parametrize("text", [
    "我们内部，资料很多。",          # clause punctuation between the two words
    "请注意信息的机密性。",          # allow: a longer word that contains the entry
    "编号 XXXX 与 x-x-x 不是占位符。",  # a longer Latin word; symbols between Latin letters
    "代码 `敏感词` 和 [链接](https://example.cn/敏感词) 里的不算。",  # code and URLs are not prose
    "敏感话题的讨论。",             # not the word
])
def test_not_a_listed_word(tmp_path, text):
    assert scan(md("title: 通知\ndate: 2026-06-12", text + "\n"), tmp_path=tmp_path) == []


def test_lists_are_per_language(tmp_path):
    """The Korean list applies to Korean pages; the Chinese list does not."""
    text = md("title: 알림\ndate: 2026-06-12", "이 자료는 대 외 비 입니다. 敏感词\n")
    hits = scan(text, "ko", tmp_path=tmp_path)
    assert [(f.excerpt, f.lang, f.severity) for f in hits] == [("대 외 비", "ko", "error")]
    assert "민감어" in hits[0].message


def test_C2_error_blocks_until_accepted_warning_never_blocks(tmp_path):
    """C2: an error entry blocks (jindallae check exits 1) until the text changes or the finding
    is accepted (matched by the text as written); a warning entry never blocks."""
    from jindallae.checks import accept, run_checks
    from jindallae.checks.config import CheckConfig
    from jindallae.cli import main

    root = project_with(tmp_path, page("本文是内部 资料。\n\n本稿为征求意见稿。\n"))
    report = run_checks(root)
    hits = [f for f in report.findings if f.id == "sensitive"]
    assert [(f.severity, f.excerpt) for f in hits] == [("error", "内部 资料"), ("warning", "征求意见稿")]
    assert not report.ok and main(["--project", str(root), "check", "--format", "json"]) == 1
    accept(root / "content", CheckConfig(), [hits[0]])
    report = run_checks(root)
    assert report.ok and [f.accepted for f in report.findings if f.id == "sensitive"] == [True, False]


def test_title_summary_and_alt_text_are_checked(tmp_path):
    root = project_with(tmp_path, {"news/a.zh.md": md("title: 敏感词通知\ndate: 2026-06-12\nsummary: 内部资料摘要",
                                                       "![机密文件](../images/x.jpg)\n")})
    assert [(f.line, f.excerpt) for f in findings(root, "sensitive")] == [(2, "敏感词"), (4, "内部资料"), (7, "机密")]


def test_broken_or_missing_lists_are_data_file_errors(tmp_path):
    root = project_with(tmp_path, page("正文。\n"), lists="zh:\n  - {word: 甲, level: fatal}\n")
    found = findings(root, "data-file")
    assert [f.path for f in found] == ["sensitive-words.yaml"] and "level" in found[0].message
    root = project_with(tmp_path / "2", page("正文。\n"), lists=None,
                        settings='\nCHECKS_SENSITIVE_FILES = ["sensitive-words.yaml", "office-list.yaml"]\n')
    assert [f.path for f in findings(root, "data-file")] == ["office-list.yaml"]  # the default file may be absent


def test_second_list_file_from_settings(tmp_path):
    root = project_with(tmp_path, page("正文提到甲乙丙。\n"),
                        settings='\nCHECKS_SENSITIVE_FILES = ["sensitive-words.yaml", "office/list.yaml"]\n')
    write_files(root / "content", {"office/list.yaml": "zh:\n  - 甲乙丙\n"})
    assert [(f.excerpt, f.severity) for f in findings(root, "sensitive")] == [("甲乙丙", "error")]


def test_settings_are_validated(tmp_path):
    from jindallae.settings import SettingsError, load_settings

    root = make_project(tmp_path / "p", (PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
                        + '\nCHECKS_SENSITIVE_FILES = "sensitive-words.yaml"\n')
    with pytest.raises(SettingsError, match="CHECKS_SENSITIVE_FILES"):
        load_settings(root)


# ---------------------------------------------------------------------------------------------
# typo: real sentences


@pytest.mark.parametrize("sentence, found, prefer", [
    ("各乡镇认真的做好计生家庭帮扶工作。", "认真的做好", "认真地做好"),
    ("志愿者们不断的推进幸福家庭创建。", "不断的推进", "不断地推进"),
    ("老人们慢慢的走进文化广场。", "慢慢的", "慢慢地"),
    ("今年的人口文化节办的很成功。", "办的很成功", "办得很成功"),
    ("服务站建好后，群众办事比过去方便的多。", "方便的多", "方便得多"),
    ("截止2026年6月底，全州共发放奖励扶助金1200万元。", "截止", "截至"),
    ("截止目前，已有三百户家庭报名。", "截止", "截至"),
    ("报名的截至日期为8月1日。", "截至", "截止"),
    ("每户一次性奖励人民币壹万一千元。", "壹万一千元", "壹万壹仟元"),
    ("二0二六年七月一日起施行。", "二0二六年", "二〇二六年"),
    ("希望大家再接再励，把工作做实。", "再接再励", "再接再厉"),
    ("老俩口领到了独生子女父母光荣证。", "老俩口", "老两口"),
])
def test_typo_found_in_real_sentences(tmp_path, sentence, found, prefer):
    hits = [f for f in scan(md("title: 通知\ndate: 2026-06-12", sentence + "\n"), tmp_path=tmp_path) if f.id == "typo"]
    assert [(f.excerpt, f.detail["prefer"]) for f in hits] == [(found, prefer)], [f.message for f in hits]
    assert f"“{found}”可能有误，应为“{prefer}”" in hits[0].message
    assert hits[0].col == sentence.index(found) + 1


@pytest.mark.parametrize("sentence", [
    "截止到6月底，全州共发放奖励扶助金。",    # 截止到 + a time is right
    "报名截止日期为8月1日，逾期不再受理。",
    "截至2026年底，全州建成服务站86个。",
    "让群众过上健康的生活。",                  # 的 before a noun
    "他认真的态度感动了大家。",
    "每户补助一千零五元。",                    # all lower-case
    "人民币壹万零伍佰元整。",                  # all capitals
    "2026年7月1日起施行。",
    "走过的很多地方都有服务站。",
])
def test_correct_sentences_are_not_reported(tmp_path, sentence):
    assert [f.excerpt for f in scan(md("title: 通知\ndate: 2026-06-12", sentence + "\n"), tmp_path=tmp_path)
            if f.id == "typo"] == []


def test_amount_typo_is_an_error_the_others_warnings(tmp_path):
    from jindallae.cli import main

    root = project_with(tmp_path, page("截止目前，奖励人民币贰仟三百元。\n"), lists=None)
    assert [(f.excerpt, f.severity) for f in findings(root, "typo")] == [("截止", "warning"), ("贰仟三百元", "error")]
    assert main(["--project", str(root), "check", "--format", "json"]) == 1


def test_korean_typo_list(tmp_path):
    hits = scan(md("title: 알림\ndate: 2026-06-12", "행사가 잘 됬습니다.\n"), "ko", tmp_path=tmp_path)
    assert [(f.excerpt, f.detail["prefer"], f.severity) for f in hits] == [("됬", "됐", "warning")]


def test_bad_typo_entries_are_data_file_errors(tmp_path):
    from jindallae.checks.typo import parse_typos
    from jindallae.checks.sensitive import WordListError

    for data, problem in (({"zh": [{"pattern": "(甲", "prefer": "乙"}]}, "regular expression"),
                          ({"zh": [{"pattern": "甲", "prefer": r"\2"}]}, "group"),
                          ({"zh": [{"avoid": "甲"}]}, "prefer"),
                          ({"zh": [{"avoid": "甲", "prefer": "乙", "level": "fatal"}]}, "level")):
        with pytest.raises(WordListError, match=problem):
            parse_typos(data, "typos.yaml")


# ---------------------------------------------------------------------------------------------
# The starter files


def test_starter_lists_are_valid_neutral_and_the_starter_content_is_clean():
    """The shipped lists load without a problem, are a small example (security markings and
    placeholders, no political list), and the starter pages trip neither check."""
    import yaml

    from jindallae.checks.sensitive import load_word_lists
    from jindallae.checks.typo import load_typos

    lists, problems = load_word_lists(PROJECT / "content", ["sensitive-words.yaml"])
    typos, typo_problems = load_typos(PROJECT / "content", "typos.yaml")
    assert problems == [] and typo_problems == []
    assert set(lists) == {"zh", "ko"} and 0 < len(lists["zh"]) <= 12 and len(typos["zh"]) >= 20
    words = {e["word"] for entries in yaml.safe_load(WORDS.read_text(encoding="utf-8")).values() for e in entries}
    assert {"敏感词", "内部资料", "绝密", "대외비"} <= words
    assert findings(PROJECT, "sensitive") == [] and findings(PROJECT, "typo") == []
