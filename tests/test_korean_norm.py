"""The ``korean-norm`` check (jindallae.checks.korean_norm): South Korean spellings in the Korean
pages of a Yanbian site, with the form of the Chinese Korean norms (조선말규범집), from the glossary
content/korean-norms.yaml.  A warning that suggests; it never rewrites.

Expectations are written out here (the words and their Yanbian forms), not derived from the
glossary, except where a test is about the glossary file itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from site_helpers import PROJECT, make_project, md, write_files

GLOSSARY = PROJECT / "content" / "korean-norms.yaml"


def project_with(tmp_path: Path, files: dict[str, str], settings: str = "", glossary: bool = True) -> Path:
    conf = (PROJECT / "pelicanconf.py").read_text(encoding="utf-8") + settings
    root = make_project(tmp_path / "p", conf)
    write_files(root / "content", files)
    if glossary:
        shutil.copy(GLOSSARY, root / "content" / "korean-norms.yaml")
    return root


def norm_findings(report, path: str | None = None):
    return [f for f in report.findings if f.id == "korean-norm" and (path is None or f.path == path)]


def test_T8_yanbian_site_suggests_lo_nyeo_li_and_leaves_yanbian_forms_alone(tmp_path):
    """T8: 노인, 여자, 이용 on a Yanbian site → 로인, 녀자, 리용; 로인절 → nothing."""
    from jindallae.checks import run_checks

    root = project_with(tmp_path, {
        "news/a.ko.md": md("title: 마을 소식\ndate: 2026-06-12", "마을 노인과 여자 배구팀이 문화실을 이용했다.\n"),
        "news/b.ko.md": md("title: 로인절 소식\ndate: 2026-06-12", "해마다 8월 15일은 로인절이다. 녀자와 로인들이 리용한다.\n"),
    })
    report = run_checks(root)
    got = [(f.line, f.col, f.excerpt, f.detail["suggest"]) for f in norm_findings(report, "news/a.ko.md")]
    assert got == [(6, 4, "노인과", "로인과"), (6, 8, "여자", "녀자"), (6, 21, "이용했다", "리용했다")]
    assert norm_findings(report, "news/b.ko.md") == []
    f = norm_findings(report, "news/a.ko.md")[0]
    assert f.severity == "warning" and not f.fixable and report.ok  # suggests, never blocks
    assert f.message == "조선말규범집에 따르면 '노인과'은(는) '로인과'(으)로 씁니다 (老人: 한자의 본래 소리대로 씁니다). 그 뜻의 단어라면 고치십시오"
    assert "'노인과' is written '로인과'" in f.english
    assert f.detail["south"] == "노인" and f.detail["yanbian"] == "로인" and f.detail["kind"] == "initial"


def test_whole_words_and_stems_not_inside_unrelated_words(tmp_path):
    """The documented rule: an entry starts a word and may be followed by anything (노인절에,
    노인들, 노인협회); it is not found where its letters belong to another word (아이용품 =
    아이 + 용품, 기여자 = 寄與者); ``match: anywhere`` entries (노인, linking-ㅅ spellings) are
    also found inside compounds (독거노인, 큰잔칫상); ``except`` words are never reported."""
    from jindallae.checks import run_checks

    body = ("노인절에 노인들과 노인협회가 모였다.\n\n아이용품을 나누고 기여자에게 감사했다.\n\n"
            "독거노인을 찾아 큰잔칫상을 차렸다.\n\n이화여대 졸업생, 성장이 둔화되다, 지린내.\n\n"
            "(노인)과 \"여자\" 그리고 2027연말.\n")
    root = project_with(tmp_path, {"news/a.ko.md": md("title: 소식\ndate: 2026-06-12", body)})
    got = [(f.line, f.excerpt, f.detail["suggest"]) for f in norm_findings(run_checks(root), "news/a.ko.md")]
    assert got == [(6, "노인절에", "로인절에"), (6, "노인들과", "로인들과"), (6, "노인협회가", "로인협회가"),
                   (10, "독거노인을", "독거로인을"), (10, "큰잔칫상을", "큰잔치상을"),
                   (14, "노인", "로인"), (14, "여자", "녀자"), (14, "연말", "년말")]


def test_only_prose_of_korean_pages(tmp_path):
    """Code spans, fenced code, URLs and link targets are not prose; Chinese pages are not
    Korean; front-matter prose (title, event place) is, at its own line."""
    from jindallae.checks import run_checks

    ko = md("title: 용정 노인 잔치\ndate: 2026-06-12\nevent:\n  start: 2026-08-15\n  location: 용정시 문화광장",
            "`노인` 코드와 [링크](https://example.org/노인/이용) 그리고 https://example.org/여자\n\n"
            "```\n노인 여자 이용\n```\n\n    노인 들여쓴 코드\n\n[용정 소개](../news/b.ko.md)\n")
    root = project_with(tmp_path, {"news/a.ko.md": ko, "news/b.ko.md": md("title: 소개\ndate: 2026-06-12"),
                                   "news/c.zh.md": md("title: 노인 여자\ndate: 2026-06-12", "朝鲜文：노인, 여자, 이용。\n")})
    report = run_checks(root)
    got = [(f.line, f.col, f.excerpt) for f in norm_findings(report)]
    assert got == [(2, 8, "용정"), (2, 11, "노인"), (6, 13, "용정시"), (17, 2, "용정")], got


def test_south_norm_switches_the_check_off(tmp_path):
    from jindallae.checks import run_checks

    root = project_with(tmp_path, {"news/a.ko.md": md("title: 노인\ndate: 2026-06-12", "여자와 이용.\n")},
                        'CHECKS_KOREAN_NORM = "south"\n')
    assert norm_findings(run_checks(root)) == []


def test_norm_setting_is_validated(tmp_path):
    from jindallae.settings import SettingsError, load_settings

    root = project_with(tmp_path, {}, 'CHECKS_KOREAN_NORM = "pyongyang"\n')
    with pytest.raises(SettingsError, match=r"CHECKS_KOREAN_NORM: must be one of 'yanbian', 'south'"):
        load_settings(root)
    (root / "pelicanconf.py").write_text((PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
                                         + 'CHECKS_KOREAN_NORM_FILE = "../norms.yaml"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="CHECKS_KOREAN_NORM_FILE: must be a file path relative to the content"):
        load_settings(root)
    (root / "pelicanconf.py").write_text((PROJECT / "pelicanconf.py").read_text(encoding="utf-8")
                                         + 'CHECKS_KOREAN_NORMS = "south"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="did you mean CHECKS_KOREAN_NORM"):
        load_settings(root)
    assert load_settings(PROJECT)["CHECKS_KOREAN_NORM"] == "yanbian"  # the default


def test_glossary_file_from_the_setting_and_broken_glossaries(tmp_path):
    from jindallae.checks import run_checks

    page = {"news/a.ko.md": md("title: 소식\ndate: 2026-06-12", "노인과 여자.\n")}
    root = project_with(tmp_path, page, 'CHECKS_KOREAN_NORM_FILE = "data/norms.yaml"\n', glossary=False)
    (root / "content" / "data").mkdir()
    (root / "content" / "data" / "norms.yaml").write_text(
        "entries:\n  - {south: 여자, yanbian: 녀자, note: 女子}\n", encoding="utf-8")
    assert [f.excerpt for f in norm_findings(run_checks(root))] == ["여자"]
    for text, problem in (("entries:\n  - {south: 노인}\n", "entry 1 needs 'south' and 'yanbian'"),
                          ("entries:\n  - {south: 노인, yanbian: 로인}\n  - {south: 노인, yanbian: 로인}\n", "given twice"),
                          ("entries:\n  - {south: 노인, yanbian: 로인, kind: dialect}\n", "kind must be one of"),
                          ("entries: [\n", "")):
        (root / "content" / "data" / "norms.yaml").write_text(text, encoding="utf-8")
        report = run_checks(root)
        data = [f for f in report.findings if f.id == "data-file"]
        assert len(data) == 1 and data[0].path == "data/norms.yaml" and problem in data[0].message, text
        assert not report.ok and norm_findings(report) == []


def test_finding_can_be_accepted_and_changed_glossary_rechecks_everything(tmp_path):
    from jindallae.checks import CheckConfig, accept, run_checks
    from jindallae.checks.core import affected_by, load_content
    from jindallae.model import model_from_settings
    from jindallae.settings import load_settings

    root = project_with(tmp_path, {"news/a.ko.md": md("title: 소식\ndate: 2026-06-12", "이화여대가 아닌 이화 축제.\n")})
    report = run_checks(root)
    [finding] = norm_findings(report)
    assert finding.excerpt == "이화" and finding.detail["suggest"] == "리화"
    settings = load_settings(root)
    config = CheckConfig.from_settings(settings)
    assert accept(root / "content", config, [finding]) == [finding]
    assert [f.accepted for f in norm_findings(run_checks(root))] == [True]
    content = load_content(model_from_settings(settings), root / "content")
    assert affected_by(content, {"korean-norms.yaml"}, config) is None


def test_glossary_has_the_entries_the_site_needs():
    """At least 60 entries across the kinds, each a real change; the norm's own forms are never
    reported (a Yanbian text stays clean)."""
    from jindallae.checks.korean_norm import NormGlossary, parse_glossary

    entries = parse_glossary(GLOSSARY.read_text(encoding="utf-8"))
    assert len(entries) >= 60
    kinds = {e.kind for e in entries}
    assert {"initial", "saisiot", "place", "person", "loanword"} <= kinds
    pairs = {e.south: e.yanbian for e in entries}
    for south, yanbian in (("노인", "로인"), ("여자", "녀자"), ("이용", "리용"), ("영도", "령도"), ("나뭇잎", "나무잎"),
                           ("이화", "리화"), ("옌지", "연길"), ("룽징", "룡정"), ("용정", "룡정"), ("창바이산", "장백산"),
                           ("베이징", "북경"), ("유동", "류동"), ("페이지", "페지")):
        assert pairs[south] == yanbian, south
    glossary = NormGlossary(entries)
    yanbian_text = " ".join(sorted(set(pairs.values())))
    assert glossary.matches(yanbian_text) == []
    raw = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    assert all(entry.get("note") for entry in raw["entries"])  # every entry tells the editor why


def test_starter_content_and_korean_catalogues_follow_the_yanbian_norm():
    """The starter Korean pages, the theme's Korean catalogue and the CMS's Korean catalogues
    have no South Korean spelling the glossary knows (new strings must follow the norm too)."""
    from babel.messages.pofile import read_po

    from jindallae.checks import run_checks
    from jindallae.checks.korean_norm import load_glossary

    report = run_checks(PROJECT)
    assert [(f.location(), f.excerpt) for f in norm_findings(report)] == []
    assert any(f.endswith(".ko.md") for f in report.files)
    glossary = load_glossary(PROJECT / "content", "korean-norms.yaml")
    catalogues = [PROJECT / "themes/jindallae/translations/ko/LC_MESSAGES/messages.po",
                  *sorted((PROJECT / "cms/translations/ko").glob("*.po"))]
    found = []
    for po in catalogues:
        with po.open("rb") as handle:
            for message in read_po(handle, locale="ko"):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    found += [(po.name, word, suggest) for _at, _e, word, suggest in glossary.matches(text or "")]
    assert found == []
    assert len(catalogues) >= 3


def test_check_command_lists_the_warning_in_korean(tmp_path, capsys):
    from jindallae.cli import main

    root = project_with(tmp_path, {"news/a.ko.md": md("title: 소식\ndate: 2026-06-12", "연길 노인.\n")})
    assert main(["--project", str(root), "check"]) == 0  # a warning does not block
    out = capsys.readouterr().out
    assert "korean-norm" in out and "'노인'은(는) '로인'(으)로 씁니다" in out
