"""Translation state (case C5) with real git repositories, ``--mark-translated``, ``--changed``,
and the translation report page for staff (build/_reports/translations.html)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from jindallae.build import build
from jindallae.checks import mark_translated, run_checks, format_text
from jindallae.checks.translations import MarkError
from jindallae.cli import main
from jindallae.model import model_from_settings, revision_of
from jindallae.settings import load_settings
from site_helpers import PROJECT, content_pages, groups, html_files, make_project, md, write_files

ZH = md("title: 三点半学校\ndate: 2026-05-01",
        "三点半学校在放学后照顾留守儿童。\n\n全省共有186所三点半学校。\n\n孩子们在这里写作业。\n")
ZH_EDITED = ZH.replace("全省共有186所三点半学校。", "全省已有200所三点半学校，还在增加。")


def ko_page(revision: str | None, style: str = "block") -> str:
    front = "title: 3시 반 학교\ndate: 2026-05-01"
    if revision is not None:
        front += (f"\ntranslated_from:\n  lang: zh\n  revision: {revision}" if style == "block"
                  else f"\ntranslated_from: {{lang: zh, revision: {revision}}}")
    return md(front, "3시 반 학교는 방과 후 유수아동을 돌본다.\n")


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.name=Jindallae Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=repo, capture_output=True, text=True, check=True)
    return proc.stdout


@pytest.fixture
def repo(tmp_path):
    """A project in a fresh git repository with content/news/school.{zh,ko}.md committed; the
    Korean page records the Chinese page's revision (its git blob hash)."""
    project = make_project(tmp_path / "repo")
    content = project / "content"
    write_files(content, {"news/school.zh.md": ZH})
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "zh source")
    rev = git(project, "rev-parse", "HEAD:content/news/school.zh.md").strip()
    assert rev == revision_of(ZH.encode())  # the model's revision is the git blob hash
    write_files(content, {"news/school.ko.md": ko_page(rev)})
    git(project, "add", "-A")
    git(project, "commit", "-qm", "ko translation")
    return project


def outdated(report):
    return [f for f in report.findings if f.id == "translation-outdated"]


def test_C5_edited_source_makes_the_translation_outdated_with_the_diff(repo, capsys):
    assert outdated(run_checks(repo)) == []
    (repo / "content/news/school.zh.md").write_text(ZH_EDITED, encoding="utf-8")
    git(repo, "commit", "-qam", "update the figure")
    report = run_checks(repo)
    [f] = outdated(report)
    assert (f.path, f.line, f.col, f.severity) == ("news/school.ko.md", 6, 3, "warning")
    assert f.detail["source"] == "news/school.zh.md"
    assert f.detail["revision"] == revision_of(ZH.encode()) and f.detail["current"] == revision_of(ZH_EDITED.encode())
    diff = f.detail["diff"].splitlines()
    assert "-全省共有186所三点半学校。" in diff and "+全省已有200所三点半学校，还在增加。" in diff
    assert not [d for d in diff if d[:1] in "+-" and "孩子们" in d]  # unchanged lines are context only
    assert "번역이 오래되었습니다" in f.message and "--mark-translated news/school.ko.md" in f.message
    # the text report shows the diff under the finding
    text = format_text(report, "content")
    assert "+全省已有200所三点半学校，还在增加。" in text
    assert report.ok  # outdated is a warning: it does not block publishing
    # until the translator marks it updated
    before = (repo / "content/news/school.ko.md").read_bytes()
    status = main(["--project", str(repo), "check", "--mark-translated", str(repo / "content/news/school.ko.md")])
    out, _ = capsys.readouterr()
    assert status == 0 and "translated_from.revision" in out
    after = (repo / "content/news/school.ko.md").read_bytes()
    changed = [(a, b) for a, b in zip(before.split(b"\n"), after.split(b"\n")) if a != b]
    assert changed == [(f"  revision: {revision_of(ZH.encode())}".encode(),
                        f"  revision: {revision_of(ZH_EDITED.encode())}".encode())]
    assert outdated(run_checks(repo)) == []


def test_C5_uncommitted_edit_is_outdated_too(repo):
    (repo / "content/news/school.zh.md").write_text(ZH_EDITED, encoding="utf-8")
    [f] = outdated(run_checks(repo))
    assert "+全省已有200所三点半学校，还在增加。" in f.detail["diff"]


def test_C5_diff_unavailable_when_the_revision_is_not_a_blob(tmp_path):
    project = make_project(tmp_path / "p")  # not a git repository
    write_files(project / "content", {"news/school.zh.md": ZH, "news/school.ko.md": ko_page("ab" * 20)})
    [f] = outdated(run_checks(project))
    assert f.detail["diff"] is None and "not a blob" in f.detail["diff_unavailable"]
    assert "source diff unavailable" in format_text(run_checks(project), "content")


def test_translation_source_missing_and_unrecorded(tmp_path):
    project = make_project(tmp_path / "p")
    write_files(project / "content", {
        "news/a.ko.md": ko_page("abc"),                  # translated from zh, but there is no a.zh.md
        "news/b.zh.md": ZH, "news/b.ko.md": ko_page(None),  # a Korean version with no revision recorded
    })
    report = run_checks(project)
    ids = [(f.path, f.id) for f in report.findings]
    assert ("news/a.ko.md", "translation-source-missing") in ids
    assert ("news/b.ko.md", "translation-unrecorded") in ids
    assert ("news/a.ko.md", "translation-missing") in ids
    assert ("news/b.zh.md", "translation-missing") not in ids


def test_korean_original_with_chinese_translation(tmp_path):
    """A Korean article translated into Chinese: the Chinese page records the Korean revision."""
    project = make_project(tmp_path / "p")
    ko = ko_page(None)
    zh = md(f"title: 三点半学校\ndate: 2026-05-01\ntranslated_from: {{lang: ko, revision: {revision_of(ko.encode())}}}")
    write_files(project / "content", {"news/school.ko.md": ko, "news/school.zh.md": zh})
    assert run_checks(project).findings == []


@pytest.mark.parametrize("style", ["block", "flow"])
def test_mark_translated_rewrites_only_the_revision(tmp_path, style):
    project = make_project(tmp_path / "p")
    content = write_files(project / "content", {"news/school.zh.md": ZH, "news/school.ko.md": ko_page("1" * 40, style)})
    model = model_from_settings(load_settings(project))
    before = (content / "news/school.ko.md").read_text(encoding="utf-8")
    old, new = mark_translated(model, content, "news/school.ko.md")
    assert old == "1" * 40 and new == revision_of(ZH.encode())
    assert (content / "news/school.ko.md").read_text(encoding="utf-8") == before.replace("1" * 40, new)


def test_mark_translated_adds_the_field_and_keeps_crlf(tmp_path):
    project = make_project(tmp_path / "p")
    content = write_files(project / "content", {"news/school.zh.md": ZH})
    ko = "---\r\ntitle: 3시 반 학교  # 제목\r\ndate: 2026-05-01\r\n---\r\n\r\n본문.\r\n"
    (content / "news/school.ko.md").write_bytes(ko.encode())
    model = model_from_settings(load_settings(project))
    _, new = mark_translated(model, content, "news/school.ko.md")
    assert (content / "news/school.ko.md").read_bytes().decode() == ko.replace(
        "date: 2026-05-01\r\n", f"date: 2026-05-01\r\ntranslated_from:\r\n  lang: zh\r\n  revision: {new}\r\n")
    with pytest.raises(MarkError, match="not a translation"):
        mark_translated(model, content, "news/school.zh.md")


def test_changed_checks_changed_files_and_their_translations(repo, capsys):
    write_files(repo / "content", {"news/other.zh.md": md("title: 另一篇\ndate: 2026-05-02"),
                                   "news/other.ko.md": md("title: 다른 글\ndate: 2026-05-02")})
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "more")
    assert run_checks(repo, changed=True).files == []
    (repo / "content/news/school.zh.md").write_text(ZH_EDITED, encoding="utf-8")  # modified
    write_files(repo / "content", {"news/fresh.zh.md": md("title: 新文章\ndate: 2026-05-03")})  # untracked
    report = run_checks(repo, changed=True)
    assert report.files == ["news/fresh.zh.md", "news/school.ko.md", "news/school.zh.md"]
    assert [f.id for f in report.findings if f.path == "news/school.ko.md"] == ["translation-outdated"]
    status = main(["--project", str(repo), "check", "--changed", "--format", "json"])
    out, _ = capsys.readouterr()
    assert status == 0 and '"files": 3' in out


# ---------------------------------------------------------------------------------------------
# The translation report page


def test_report_page_lists_every_article_per_section(site):
    page = site / "_reports/translations.html"
    soup = BeautifulSoup(page.read_bytes(), "lxml")
    assert soup.find("meta", attrs={"name": "robots"})["content"].startswith("noindex")
    published = {key: set(versions) for key, versions in groups(content_pages(PROJECT / "content")).items()}
    seen = {}
    for section in soup.select("main section"):
        for row in section.select("tbody tr"):
            slug = row.select_one("th code").get_text()
            cells = row.select("td")
            seen[(section["id"], slug)] = {lang for lang, cell in zip(("zh", "ko"), cells)
                                           if not cell.select_one(".state-missing, .state-unpublished")}
    assert seen == published  # published pages only: the page is in the site's output
    assert [s["id"] for s in soup.select("main section")] == ["parks", "forums", "folk-arts", "policy", "events", "news"]


def test_report_page_not_in_sitemap_and_not_linked(site):
    assert (site / "_reports/translations.html").is_file() and (site / "_reports/report.css").is_file()
    assert "_reports" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    for file in html_files(site):
        if "_reports" in file.parts:
            continue
        assert "_reports" not in file.read_text(encoding="utf-8"), file


def test_report_page_shows_outdated_translations_and_age(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795953600")  # 2026-11-29
    project = make_project(tmp_path / "p")  # no git: ages from the updated/date fields
    write_files(project / "content", {
        "news/school.zh.md": ZH.replace("date: 2026-05-01", "date: 2026-05-01\nupdated: 2026-11-19"),
        "news/school.ko.md": ko_page("2" * 40),
        "news/only.zh.md": md("title: 只有中文\ndate: 2026-11-01"),
        "news/draft.zh.md": md("title: 秘密草稿\ndate: 2026-11-01\nstatus: draft"),
        "news/half.zh.md": md("title: 中文版\ndate: 2026-11-01"),
        "news/half.ko.md": md("title: 초고\ndate: 2026-11-01\nstatus: review"),
    })
    build(project, progress=False, cache=False)
    soup = BeautifulSoup((project / "build/_reports/translations.html").read_bytes(), "lxml")
    news = soup.select_one("section#news")
    rows = {r.select_one("th code").get_text(): r for r in news.select("tbody tr")}
    school = rows["school"]
    assert "row-outdated" in school["class"]
    ko_cell = school.select("td")[1]
    assert ko_cell.select_one(".state-outdated")
    assert re.search(r"原文修改于 2026-11-19，已过时 10 天", ko_cell.get_text())
    assert school.select("td")[0].select_one(".state-original")
    assert rows["only"].select("td")[1].select_one(".state-missing")
    assert "28 天" in rows["only"].select("td")[0].get_text()  # 2026-11-01 -> 2026-11-29
    # drafts are not shown (the page is part of the site's output): no row, no title
    assert "draft" not in rows and "秘密草稿" not in news.get_text()
    assert rows["half"].select("td")[1].select_one(".state-unpublished") and "초고" not in news.get_text()
