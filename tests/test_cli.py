"""The ``jindallae`` command line: help texts, ``new``, and ``build`` end to end."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from jindallae import __version__
from jindallae.cli import main
from site_helpers import make_project, md, write_files


def run_main(capsys, argv):
    """``main(argv)`` -> (exit status, stdout, stderr); argparse's exits become statuses."""
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("argv, needles", [
    (["--help"], ["build", "serve", "new", "--project", "--version"]),
    (["build", "--help"], ["--content", "--output", "--settings", "--publish", "--force", "--no-progress"]),
    (["serve", "--help"], ["--port", "--host", "--content", "--output"]),
    (["new", "--help"], ["section", "slug", "--title", "--content", "parks, forums, folk-arts, policy, events, news"]),
])
def test_help(capsys, argv, needles):
    status, out, err = run_main(capsys, argv)
    assert status == 0
    assert out.startswith("usage: jindallae")
    for needle in needles:
        assert needle in out, needle


def test_version(capsys):
    status, out, _ = run_main(capsys, ["--version"])
    assert status == 0 and out.strip() == f"jindallae {__version__}"


def test_no_command_is_an_error(capsys):
    status, _, err = run_main(capsys, [])
    assert status == 2 and "required" in err


def test_help_as_installed_command():
    """The console script itself (not only main()) starts and prints its help."""
    exe = os.path.join(os.path.dirname(sys.executable), "jindallae")
    proc = subprocess.run([exe, "--help"], capture_output=True, timeout=60)
    assert proc.returncode == 0
    assert b"usage: jindallae" in proc.stdout


# ---------------------------------------------------------------------------------------------
# new


def front(path):
    return yaml.safe_load(path.read_text(encoding="utf-8")[4:].split("\n---\n", 1)[0])


def test_I1_new_with_chinese_title_makes_pinyin_files(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    status, out, err = run_main(capsys, ["--project", str(project), "new", "news", "延吉市举办讲座"])
    assert status == 0, err
    zh = project / "content/news/yan-ji-shi-ju-ban-jiang-zuo.zh.md"
    ko = project / "content/news/yan-ji-shi-ju-ban-jiang-zuo.ko.md"
    assert zh.is_file() and ko.is_file()
    assert out.splitlines() == [f"created {zh}", f"created {ko}"]
    assert front(zh)["title"] == "延吉市举办讲座"
    assert front(zh)["status"] == "draft" and front(ko)["status"] == "draft"


def test_new_with_explicit_slug_and_content_folder(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    content = tmp_path / "elsewhere"
    status, _, err = run_main(capsys, ["--project", str(project), "new", "events", "yanji-forum-2027",
                                       "--title", "延吉论坛", "--content", str(content)])
    assert status == 0, err
    assert sorted(p.name for p in (content / "events").iterdir()) == ["yanji-forum-2027.ko.md", "yanji-forum-2027.zh.md"]
    assert front(content / "events/yanji-forum-2027.zh.md")["title"] == "延吉论坛"
    assert not any((project / "content").iterdir())


def test_new_refuses_unknown_section(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    status, out, err = run_main(capsys, ["--project", str(project), "new", "blog", "延吉市举办讲座"])
    assert status != 0
    assert err.startswith("error: unknown section 'blog'")
    assert "parks, forums, folk-arts, policy, events, news" in err
    assert out == ""
    assert not any((project / "content").iterdir())


def test_new_refuses_existing_slug(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    write_files(project / "content", {"policy/yan-ji-shi-ju-ban-jiang-zuo.zh.md": md("title: 旧\ndate: 2024-01-05\nsummary: s")})
    before = (project / "content/policy/yan-ji-shi-ju-ban-jiang-zuo.zh.md").read_bytes()
    status, out, err = run_main(capsys, ["--project", str(project), "new", "news", "延吉市举办讲座"])
    assert status != 0
    assert "slug 'yan-ji-shi-ju-ban-jiang-zuo' is already used by" in err
    assert "policy/yan-ji-shi-ju-ban-jiang-zuo.zh.md" in err
    assert not (project / "content/news").exists()
    assert (project / "content/policy/yan-ji-shi-ju-ban-jiang-zuo.zh.md").read_bytes() == before


def test_new_refuses_unsluggable_title(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    status, _, err = run_main(capsys, ["--project", str(project), "new", "news", "😀"])
    assert status != 0 and "cannot make a slug" in err


def test_new_pages_build_as_drafts(tmp_path, capsys):
    """Scaffolded drafts in every section do not break the build, and are not published."""
    project = make_project(tmp_path / "proj")
    for section, title in [("news", "延吉市举办讲座"), ("parks", "龙井梨花园"), ("events", "“一县一品”: 交流会"),
                           ("forums", "yanji-forum-2027")]:
        status, _, err = run_main(capsys, ["--project", str(project), "new", section, title])
        assert status == 0, err
    status, out, err = run_main(capsys, ["--project", str(project), "build", "--no-progress"])
    assert status == 0, err
    assert out.startswith("Built 0 pages")
    assert not (project / "build/news/yan-ji-shi-ju-ban-jiang-zuo").exists()
    assert (project / "build/index.html").is_file()


# ---------------------------------------------------------------------------------------------
# build


def test_build_then_skip_then_force(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    write_files(project / "content", {"news/a.zh.md": md("title: 甲\ndate: 2024-01-05")})
    args = ["--project", str(project), "build", "--no-progress"]
    status, out, err = run_main(capsys, args)
    assert status == 0, err
    assert out.startswith("Built 1 pages") and str(project / "build") in out
    assert (project / "build/news/a/index.html").is_file()
    status, out, _ = run_main(capsys, args)
    assert status == 0 and out.startswith("Nothing changed;")
    status, out, _ = run_main(capsys, args + ["--force"])
    assert status == 0 and out.startswith("Built 1 pages")


def test_build_output_and_publish(tmp_path, capsys):
    """`build --publish` uses publishconf.py: absolute URLs from the public address, links under
    its sub-path; the starter's example address is refused naming the setting."""
    project = make_project(tmp_path / "proj")
    write_files(project / "content", {"news/a.zh.md": md("title: 甲\ndate: 2024-01-05")})
    out_dir = tmp_path / "pub"
    status, _, err = run_main(capsys, ["--project", str(project), "build", "--publish", "--output", str(out_dir)])
    assert status == 2 and "JINDALLAE_PUBLIC_URL 'https://www.jindallae.example' is a local or example address" in err
    assert not out_dir.exists()
    (project / "publishconf.py").write_text('from pelicanconf import *  # noqa\n'
                                            'JINDALLAE_PUBLIC_URL = "https://www.yanbian.gov.cn/zt/rkwh"\n', encoding="utf-8")
    status, _, err = run_main(capsys, ["--project", str(project), "build", "--publish", "--output", str(out_dir),
                                       "--no-progress"])
    assert status == 0, err
    page = (out_dir / "news/a/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://www.yanbian.gov.cn/zt/rkwh/news/a/">' in page
    assert 'href="/zt/rkwh/theme/' in page  # root-relative links carry the sub-path
    assert "<loc>https://www.yanbian.gov.cn/zt/rkwh/news/a/</loc>" in (out_dir / "sitemap.xml").read_text(encoding="utf-8")
    assert not (project / "build").exists()


def test_build_missing_content_folder(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    status, _, err = run_main(capsys, ["--project", str(project), "build", "--content", str(tmp_path / "nope")])
    assert status == 2 and "content folder not found" in err


def test_build_warns_about_broken_links(tmp_path, capsys):
    project = make_project(tmp_path / "proj")
    write_files(project / "content", {"news/a.zh.md": md("title: 甲\ndate: 2024-01-05", "见[另一篇](../news/nope.zh.md)。\n")})
    status, _, err = run_main(capsys, ["--project", str(project), "build", "--no-progress"])
    assert status == 0
    # the same finding, id and severity as `jindallae check` (an error blocks publishing, not the build)
    assert "error: " in err and "proj/content/news/a.zh.md:6: " in err and "nope.zh.md" in err and "[link-broken]" in err
