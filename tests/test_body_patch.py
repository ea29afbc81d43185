"""Body patches (jindallae/body_patch.py): after an edit that changed only the bodies of pages,
the build rewrites those bodies in place — and the site is still byte-identical to a cold build.
Every other kind of edit takes the general incremental build (tests/test_incremental.py walks
random mixtures of both)."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from jindallae.build import build
from jindallae.progress import Progress
from site_helpers import make_project, md, write_files
from test_incremental import differences
from test_release_update import fragments

CONF = """from pelicanconf_site import *  # noqa: F401,F403 (the project's settings, then ours)
SEARCH_ENABLED = {search}
"""


def page(title: str, body: str, extra: str = "") -> str:
    return md(f"title: {title}\ndate: 2026-03-0{len(title) % 9 + 1}\nsummary: {title}的摘要{extra}", body + "\n")


def project_with_pages(tmp_path: Path, search: bool = False) -> Path:
    project = make_project(tmp_path / "project", CONF.format(search=search))
    (project / "pelicanconf_site.py").write_text(
        (Path(__file__).resolve().parents[1] / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    files = {f"news/n{i}.zh.md": page(f"第{i}条动态", f"延吉市第{i}场宣传活动。") for i in range(6)}
    files["news/n1.ko.md"] = md("title: 제1차 소식\ndate: 2026-03-02\nsummary: 요약", "연길시 선전 활동.\n")
    write_files(project / "content", files)
    return project


def build_saying(project: Path):
    """Build with the progress lines kept: ``(result, the lines)``."""
    lines = io.StringIO()
    return build(project, progress=Progress("lines", lines)), lines.getvalue()


def cold_copy(project: Path, tmp_path: Path) -> Path:
    cold = tmp_path / "cold"
    build(project, output=cold, progress=False, force=True, cache=False)
    return cold


def inodes(out: Path) -> dict[Path, int]:
    return {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}


def test_body_edit_rewrites_the_page_and_its_feed_entry_in_place(tmp_path):
    project = project_with_pages(tmp_path)
    build(project, progress=False)
    out = project / "build"
    before = inodes(out)
    (project / "content/news/n1.zh.md").write_text(
        page("第1条动态", "延吉市第1场宣传活动。\n\n新增一段：朝鲜族象帽舞 & <长鼓> 表演。"), encoding="utf-8")
    result = build(project, progress=False)
    assert result.patched == ["news/n1.zh.md"]
    assert "patch" in result.timings and "read+render" not in result.timings
    assert result.rendered == 1 and result.reused > 10
    html = (out / "news/n1/index.html").read_text(encoding="utf-8")
    assert "新增一段：朝鲜族象帽舞 &amp; &lt;长鼓&gt; 表演。" in html
    feed = (out / "atom.xml").read_text(encoding="utf-8")
    assert "新增一段：朝鲜族象帽舞 &amp;amp; &amp;lt;长鼓&amp;gt; 表演。" in feed  # escaped once more inside <content>
    changed = {p.relative_to(out).as_posix() for p, ino in inodes(out).items() if before.get(p) != ino}
    assert changed == {"news/n1/index.html", "atom.xml"}
    assert differences(out, cold_copy(project, tmp_path)) == []
    # nothing changed since: the next build is skipped, as after any build
    assert build(project, progress=False).skipped
    # saved again with the same text (a new modification time): nothing to rewrite, "up to date"
    os.utime(project / "content/news/n1.zh.md")
    again, said = build_saying(project)
    assert again.skipped and "saved again with the same text" in said
    assert differences(out, cold_copy(project, tmp_path)) == []


def test_two_pages_in_two_languages_are_patched_together(tmp_path):
    project = project_with_pages(tmp_path)
    build(project, progress=False)
    (project / "content/news/n1.ko.md").write_text(
        md("title: 제1차 소식\ndate: 2026-03-02\nsummary: 요약", "연길시 선전 활동.\n\n로인절 행사 안내.\n"), encoding="utf-8")
    (project / "content/news/n4.zh.md").write_text(page("第4条动态", "改写后的正文。"), encoding="utf-8")
    result = build(project, progress=False)
    assert sorted(result.patched) == ["news/n1.ko.md", "news/n4.zh.md"]
    assert "로인절 행사 안내." in (project / "build/ko/news/n1/index.html").read_text(encoding="utf-8")
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_edits_other_pages_show_take_the_general_build(tmp_path):
    """A title, the summary, a heading (the table of contents), a link, a picture: other pages
    or the page's own outside the body show them, so these are not patched."""
    project = project_with_pages(tmp_path)
    build(project, progress=False)
    path = project / "content/news/n2.zh.md"
    edits = [page("新标题", "延吉市第2场宣传活动。"),
             page("第2条动态", "延吉市第2场宣传活动。", extra="，改过"),
             page("第2条动态", "延吉市第2场宣传活动。\n\n## 新的小标题\n\n正文。"),
             page("第2条动态", "延吉市第2场宣传活动。见[第3条](n3.zh.md)。"),
             page("第2条动态", "延吉市第2场宣传活动。\n\n![剪纸](../images/none.png)")]
    for text in edits:
        path.write_text(text, encoding="utf-8")
        result = build(project, progress=False)
        assert result.patched == [], text
        assert differences(project / "build", cold_copy(project, tmp_path)) == [], text


def test_a_patched_page_is_rendered_again_by_the_next_general_build(tmp_path):
    """After a patch the recorded key of the page describes the old body: a later general build
    that brings the old body back must not keep the patched file."""
    project = project_with_pages(tmp_path)
    build(project, progress=False)
    path = project / "content/news/n3.zh.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(page("第3条动态", "临时改动的正文。"), encoding="utf-8")
    assert build(project, progress=False).patched == ["news/n3.zh.md"]
    path.write_text(original, encoding="utf-8")  # the old body again ...
    (project / "content/news/n5.zh.md").write_text(page("第5条新标题", "延吉市第5场宣传活动。"), encoding="utf-8")
    result = build(project, progress=False)  # ... with a title change: the general build
    assert result.patched == []
    assert "临时改动的正文" not in (project / "build/news/n3/index.html").read_text(encoding="utf-8")
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_a_page_changed_by_hand_in_the_output_is_not_patched(tmp_path):
    project = project_with_pages(tmp_path)
    build(project, progress=False)
    target = project / "build/news/n1/index.html"
    target.write_text(target.read_text(encoding="utf-8").replace("</body>", "<!-- by hand --></body>"), encoding="utf-8")
    (project / "content/news/n1.zh.md").write_text(page("第1条动态", "新的正文。"), encoding="utf-8")
    result, said = build_saying(project)
    assert "build/news/n1/index.html: changed by hand since the last build" in said.replace(str(project) + "/", "")
    assert result.patched == [] and result.reused == 0  # an output changed by hand: everything again
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_another_output_changed_by_hand_is_repaired_by_the_next_build(tmp_path, change):
    """A patch does not list build/ (that costs as much as the site is large); a file changed
    by hand elsewhere stays through the patch and is repaired by the next build that is not a
    patch — the one after it, even with nothing changed."""
    project = project_with_pages(tmp_path)
    build(project, progress=False)
    target = project / "build/news/n4/index.html"
    if change == "delete":
        target.unlink()
    else:
        target.write_text("<p>by hand</p>", encoding="utf-8")
    (project / "content/news/n1.zh.md").write_text(page("第1条动态", "新的正文。"), encoding="utf-8")
    assert build(project, progress=False).patched == ["news/n1.zh.md"]
    again = build(project, progress=False)
    assert not again.skipped and again.reused == 0
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_text_added_above_a_link_is_still_a_body_patch(tmp_path):
    """A link's position is not something another page shows: moving it is a body change."""
    project = project_with_pages(tmp_path)
    path = project / "content/news/n2.zh.md"
    path.write_text(page("第2条动态", "延吉市第2场宣传活动。\n\n见[第3条](n3.zh.md)。"), encoding="utf-8")
    build(project, progress=False)
    path.write_text(page("第2条动态", "延吉市第2场宣传活动。\n\n新加的一段。\n\n见[第3条](n3.zh.md)。"), encoding="utf-8")
    assert build(project, progress=False).patched == ["news/n2.zh.md"]
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_an_event_page_takes_the_general_build(tmp_path):
    """An event's calendar files (.ics) carry the file's time of change (DTSTAMP): a body edit
    changes them too, so event pages are not patched."""
    project = project_with_pages(tmp_path)
    event = md("title: 梨花节\ndate: 2026-03-05\nsummary: 梨花节摘要\nevent:\n  id: lihua-2026\n"
               "  start: 2026-04-28\n  location: 龙井市", "梨花节正文。\n")
    write_files(project / "content", {"events/lihua.zh.md": event})
    build(project, progress=False)
    (project / "content/events/lihua.zh.md").write_text(event.replace("梨花节正文。", "梨花节正文，改过。"),
                                                        encoding="utf-8")
    result, said = build_saying(project)
    assert "events/lihua.zh.md: an event" in said
    assert result.patched == []
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_a_source_with_an_up_to_date_translation_is_not_patched(tmp_path):
    """The staff translation report marks a translation outdated when its source's revision
    moves on: that report is another output, so the general build runs."""
    import hashlib

    project = project_with_pages(tmp_path)
    source = project / "content/news/n1.zh.md"
    data = source.read_bytes()
    revision = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    (project / "content/news/n1.ko.md").write_text(
        md(f"title: 제1차 소식\ndate: 2026-03-02\nsummary: 요약\ntranslated_from:\n  lang: zh\n  revision: {revision}",
           "연길시 선전 활동.\n"), encoding="utf-8")
    build(project, progress=False)
    source.write_text(page("第1条动态", "原文改了。"), encoding="utf-8")
    result = build(project, progress=False)
    assert result.patched == []
    report = (project / "build/_reports/translations.html").read_text(encoding="utf-8")
    assert 'class="row-outdated"' in report
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_a_new_commit_takes_the_general_build(tmp_path):
    """The translation report shows each page's last commit date: after a commit, no patch."""
    project = project_with_pages(tmp_path)
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "content"], check=True)
    subprocess.run(git + ["commit", "-qm", "start"], check=True)
    build(project, progress=False)
    (project / "content/news/n2.zh.md").write_text(page("第2条动态", "未提交的改动。"), encoding="utf-8")
    assert build(project, progress=False).patched == ["news/n2.zh.md"]  # not committed: same HEAD
    (project / "content/news/n2.zh.md").write_text(page("第2条动态", "提交了的改动。"), encoding="utf-8")
    subprocess.run(git + ["commit", "-qam", "edit"], check=True)
    assert build(project, progress=False).patched == []
    assert differences(project / "build", cold_copy(project, tmp_path)) == []


def test_search_index_is_refreshed_after_a_patch(tmp_path):
    project = project_with_pages(tmp_path, search=True)
    build(project, progress=False)
    out = project / "build"
    (project / "content/news/n4.zh.md").write_text(page("第4条动态", "延吉市第4场宣传活动，新增毛毛虫剪纸展。"),
                                                  encoding="utf-8")
    result = build(project, progress=False)
    assert result.patched == ["news/n4.zh.md"] and "search" in result.timings
    assert "毛毛虫" in fragments(out)["/news/n4/"]
    assert build(project, progress=False).skipped  # the refreshed index is part of the recorded release
    assert differences(out, cold_copy(project, tmp_path)) == []
