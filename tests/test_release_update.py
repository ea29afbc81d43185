"""An incremental build updates the previous release in place (jindallae.build.apply_update):
only the changed files are written and moved in, pages that are gone are deleted, and the
search index (plugins/search) is rebuilt after the pages are live and swapped in whole."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from jindallae.build import BuildError, apply_update, build, lock_path
from site_helpers import make_project, md, write_files
from test_incremental import differences

CONF = """from pelicanconf_site import *  # noqa: F401,F403 (the project's settings, then ours)
SEARCH_ENABLED = {search}
"""


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_apply_update_moves_the_changes_in_and_removes_what_is_gone(tmp_path):
    out = write_files(tmp_path / "build", {
        "index.html": "old home", "kept/index.html": "kept page", "gone/index.html": "deleted page",
        "gone/deep/x.txt": "deleted too", "was-file": "a file that becomes a folder",
        "was-folder/index.html": "a folder that becomes a file", "feed.xml": "old feed",
    })
    kept_inode = (out / "kept/index.html").stat().st_ino
    staging = write_files(tmp_path / "build.tmp-1", {
        "index.html": "new home", "new/index.html": "new page", "was-file/index.html": "now a folder",
        "was-folder": "now a file", "feed.xml": "new feed",
    })
    apply_update(staging, out, {"kept/index.html"})
    assert tree(out) == {"feed.xml": "new feed", "index.html": "new home", "kept/index.html": "kept page",
                         "new/index.html": "new page", "was-file/index.html": "now a folder",
                         "was-folder": "now a file"}
    assert (out / "kept/index.html").stat().st_ino == kept_inode  # left where it was
    assert not (out / "gone").exists()  # the emptied folders go too
    assert not staging.exists()


def article(title: str, body: str, date: str = "2026-03-01") -> str:
    return md(f"title: {title}\ndate: {date}\nsummary: {title}", body + "\n")


def search_project(tmp_path: Path, pages: int = 6) -> Path:
    project = make_project(tmp_path / "project", CONF.format(search=True))
    (project / "pelicanconf_site.py").write_text(
        (Path(__file__).resolve().parents[1] / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_files(project / "content", {f"news/n{i}.zh.md": article(f"第{i}条动态", f"延吉市第{i}场宣传活动。")
                                      for i in range(pages)})
    return project


def fragments(out: Path) -> dict[str, str]:
    """``{page url: indexed text}`` from Pagefind's fragments (gzip, "pagefind_dcd" + JSON)."""
    found = {}
    for f in (out / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(f.read_bytes())
        data = data[len(b"pagefind_dcd"):] if data.startswith(b"pagefind_dcd") else data
        entry = json.loads(data)
        found[entry["url"]] = entry["content"].replace("\u200b", "")  # word breaks Pagefind marks
    return found


def test_search_index_is_refreshed_after_an_in_place_update(tmp_path):
    """One article changes: only its pages are written, and the index that replaces the old one
    afterwards finds the new text at the page's address — the same index a cold build makes."""
    project = search_project(tmp_path)
    build(project, progress=False)
    out = project / "build"
    assert "毛毛虫" not in "".join(fragments(out).values())
    page = project / "content/news/n3.zh.md"  # a new title too: not a body patch (test_body_patch.py)
    page.write_text(article("第3条动态（更新）", "延吉市第3场宣传活动，新增毛毛虫剪纸展。"), encoding="utf-8")
    result = build(project, progress=False)
    assert 0 < result.rendered < result.reused
    assert "update" in result.timings and "search" in result.timings and "swap" not in result.timings
    assert "毛毛虫" in fragments(out)["/news/n3/"]
    cold = tmp_path / "cold"
    build(project, output=cold, progress=False, force=True, cache=False)
    assert differences(out, cold) == []
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("build")) == ["build"]


@pytest.mark.parametrize("title", ["第2条动态", "第2条动态（更新）"], ids=["body-patch", "in-place-update"])
def test_failed_search_refresh_leaves_the_pages_live_and_the_next_build_whole(tmp_path, monkeypatch, title):
    import pagefind_bin_extended

    project = search_project(tmp_path)
    build(project, progress=False)
    out = project / "build"
    old_index = {p.name for p in (out / "pagefind").rglob("*")}
    page = project / "content/news/n2.zh.md"
    page.write_text(article(title, "改过的正文：朝鲜族农乐舞。"), encoding="utf-8")
    with monkeypatch.context() as m:
        m.setattr(pagefind_bin_extended, "get_executable", lambda: Path("/bin/false"))
        with pytest.raises(BuildError, match="already live") as failed:
            build(project, progress=False)
        assert failed.value.site_changed  # `jindallae build` says the changed pages were updated
    assert "朝鲜族农乐舞" in (out / "news/n2/index.html").read_text(encoding="utf-8")  # the page is live
    assert {p.name for p in (out / "pagefind").rglob("*")} == old_index  # the old index still serves
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith("build")) == ["build"]
    again = build(project, progress=False)  # not skipped, and not trusted: everything again
    assert not again.skipped and again.reused == 0
    assert "朝鲜族农乐舞" in fragments(out)["/news/n2/"]


def test_a_second_build_into_the_same_output_waits_for_the_first(tmp_path):
    """A build started while another one holds the output's lock waits, then builds the newer
    content (an older build finishing last cannot put older pages back)."""
    import fcntl
    import threading

    project = make_project(tmp_path / "project", CONF.format(search=False))
    (project / "pelicanconf_site.py").write_text(
        (Path(__file__).resolve().parents[1] / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_files(project / "content", {"news/a.zh.md": article("第一条", "正文。")})
    build(project, progress=False)
    write_files(project / "content", {"news/b.zh.md": article("第二条", "新的正文。")})
    lock = lock_path(project)
    done = threading.Event()
    with open(lock, "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as if another build were running
        worker = threading.Thread(target=lambda: (build(project, progress=False), done.set()), daemon=True)
        worker.start()
        assert not done.wait(1.5)  # waiting for the lock, nothing written
        assert not (project / "build/news/b").exists()
        fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    worker.join(120)
    assert done.is_set() and (project / "build/news/b/index.html").is_file()


def test_a_page_saved_while_the_build_runs_is_left_for_the_next_build(tmp_path, monkeypatch):
    """A file saved after the build read the content folder (before Pelican lists it) does not
    fail the build: it is left out with a warning, and the next build runs and includes it."""
    import jindallae.build as driver

    project = make_project(tmp_path / "project", CONF.format(search=False))
    (project / "pelicanconf_site.py").write_text(
        (Path(__file__).resolve().parents[1] / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_files(project / "content", {"news/a.zh.md": article("第一条", "正文。")})
    real = driver.prepare_site

    def prepare_then_save(*args, **kwargs):
        site = real(*args, **kwargs)
        write_files(project / "content", {"news/late.zh.md": article("晚到的一条", "保存得晚。")})
        return site

    monkeypatch.setattr(driver, "prepare_site", prepare_then_save)
    first = build(project, progress=False)
    assert any("news/late.zh.md: saved while the build was running" in w for w in first.warnings), first.warnings
    assert not (project / "build/news/late").exists()
    monkeypatch.setattr(driver, "prepare_site", real)
    second = build(project, progress=False)
    assert not second.skipped and (project / "build/news/late/index.html").is_file()


def test_a_build_cut_short_by_a_closed_pipe_fails(tmp_path):
    """`jindallae build 2>&1 | head -1`: when the reader goes away the build stops, and says so
    with its exit status (a `check | head` is fine, a half-done build is not)."""
    import subprocess
    import sys

    project = make_project(tmp_path / "project", CONF.format(search=False))
    (project / "pelicanconf_site.py").write_text(
        (Path(__file__).resolve().parents[1] / "pelicanconf.py").read_text(encoding="utf-8"), encoding="utf-8")
    write_files(project / "content", {"news/a.zh.md": article("第一条", "正文。")})
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody reads: the first line the build writes fails
    try:
        proc = subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(project), "build",
                               "--no-progress"], stdout=write_end, stderr=write_end, timeout=300)
    finally:
        os.close(write_end)
    assert proc.returncode == 1
