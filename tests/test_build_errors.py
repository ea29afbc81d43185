"""Bad input stops the build with every problem listed as ``path:line: message`` and leaves the
previous output untouched (atomic swap)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jindallae.build import BuildError, build
from site_helpers import PROJECT, make_project, md, tree_hashes, write_files

GOOD = {
    "news/hao-xiao-xi.zh.md": md("title: 好消息\ndate: 2024-01-05", "第一段。\n"),
    "news/hao-xiao-xi.ko.md": md("title: 좋은 소식\ndate: 2024-01-05", "첫 단락.\n"),
}

# One content folder with every kind of mistake; each file is (text, [(line, fragment), ...]).
# File-level errors (unknown section, clashing slugs) are reported on line 1.
BAD: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "news/broken-yaml.zh.md": (
        "---\ntitle: 坏的文件头\ndate: 2024-01-05\nsummary: 一句话: 又一句\n---\n正文\n",
        [(4, "front matter is not valid YAML")],
    ),
    "blog/stray.zh.md": (
        md("title: 未知栏目\ndate: 2024-01-05"),
        [(1, "unknown section 'blog'")],
    ),
    "events/no-event.zh.md": (
        md("title: 没有活动信息\ndate: 2024-01-05"),
        [(1, "missing required field 'event'")],
    ),
    "parks/no-cover.ko.md": (
        md("title: 표지 없음\ndate: 2024-01-05\nsummary: 요약\ncover_alt: 그림"),
        [(1, "missing required field 'cover'")],
    ),
    "news/bad-date.zh.md": (
        md("title: 不存在的日期\nsummary: 摘要\ndate: 2026-02-30"),
        [(4, "'2026-02-30' is not a real date")],
    ),
    # Both files of a clashing slug are reported, each naming the other (I1).
    "news/same-slug.zh.md": (md("title: 同名一\ndate: 2024-01-05"),
                             [(1, "the slug 'same-slug' is also used by policy/same-slug.zh.md")]),
    "policy/same-slug.zh.md": (
        md("title: 同名二\ndate: 2024-01-05\nsummary: 摘要"),
        [(1, "the slug 'same-slug' is also used by news/same-slug.zh.md")],
    ),
    "news/wrong-lang.zh.md": (
        md("title: 语言字段不一致\ndate: 2024-01-05\nlang: ko"),
        [(4, "lang 'ko' contradicts the file name (.zh.md)")],
    ),
    "news/typo.ko.md": (
        md("date: 2024-01-05\ntitel: 오타"),
        [(3, "unknown field 'titel' (did you mean 'title'?)"), (1, "missing required field 'title'")],
    ),
    "news/wrong-slug.zh.md": (
        md("title: slug 不一致\nslug: another-slug\ndate: 2024-01-05"),
        [(3, "slug 'another-slug' contradicts the file name ('wrong-slug')")],
    ),
    "events/end-before-start.zh.md": (
        md("title: 结束早于开始\ndate: 2024-01-05\nevent:\n  start: 2024-03-02 14:00\n  end: 2024-03-02 09:00\n"
           "  location: 延吉\n  id: 1d0b7c5e-5f0e-4d43-9a8e-0c6f6f0f2a11"),
        [(6, "is before start")],
    ),
    "events/bad-zone.ko.md": (
        md("title: 시간대 오류\ndate: 2024-01-05\nevent:\n  start: 2024-03-02 14:00\n  location: 연길\n"
           "  timezone: Asia/Yanji\n  id: 5f3c2d1e-8a7b-4c6d-9e0f-1a2b3c4d5e6f"),
        [(7, "unknown time zone 'Asia/Yanji'")],
    ),
}
EXPECTED = [(path, line, frag) for path, (_, errs) in BAD.items() for line, frag in errs]


def bad_files() -> dict[str, str]:
    return {**GOOD, **{path: text for path, (text, _) in BAD.items()}}


def shown(content: Path, cwd: Path | None = None) -> str:
    """The content folder as error messages show it: relative to the current folder when inside
    it, else absolute."""
    cwd = (cwd or Path.cwd()).resolve()
    content = content.resolve()
    return content.relative_to(cwd).as_posix() if content.is_relative_to(cwd) else content.as_posix()


def find(errors: list[str], path: str, line: int, fragment: str, folder: str = "") -> str:
    """The one error of ``path`` (relative to the content folder shown as ``folder``) at ``line``
    (0: a file-level error, written ``path: message``) containing ``fragment``."""
    path = f"{folder}/{path}" if folder else path
    prefix = f"{path}:{line}: " if line else f"{path}: "
    hits = [e for e in errors if e.startswith(prefix) and fragment in e]
    assert len(hits) == 1, f"no single error {prefix}...{fragment}... in:\n" + "\n".join(errors)
    return hits[0]


@pytest.fixture(scope="module")
def failed(tmp_path_factory):
    """A good build in ``out``, then a build of the bad content into the same ``out``."""
    base = tmp_path_factory.mktemp("errors")
    good = write_files(base / "good", GOOD)
    bad = write_files(base / "bad", bad_files())
    out = base / "site" / "build"
    build(PROJECT, good, out, progress=False, cache=False)
    before = tree_hashes(out)
    stat_before = {p: os.stat(out / p).st_mtime_ns for p in before}
    with pytest.raises(BuildError) as info:
        build(PROJECT, bad, out, progress=False, cache=False, force=True)
    return {"errors": info.value.errors, "out": out, "before": before, "stat_before": stat_before, "bad": bad,
            "folder": shown(bad)}


@pytest.mark.parametrize("path, line, fragment", EXPECTED, ids=[f"{p}:{ln}" for p, ln, _ in EXPECTED])
def test_every_error_is_listed_with_its_line(failed, path, line, fragment):
    find(failed["errors"], path, line, fragment, failed["folder"])


def test_nothing_but_the_expected_errors(failed):
    assert len(failed["errors"]) == len(EXPECTED), "\n".join(failed["errors"])


def test_errors_are_sorted_by_path_and_line(failed):
    keys = []
    for e in failed["errors"]:
        assert e.startswith(failed["folder"] + "/")
        loc = e[len(failed["folder"]) + 1:].split(": ", 1)[0]
        path, _, line = loc.partition(":")
        keys.append((path, int(line or 0)))
    assert keys == sorted(keys)


def test_I1_duplicate_slug_error_names_both_paths(failed):
    e = find(failed["errors"], "policy/same-slug.zh.md", 1, "is also used by", failed["folder"])
    assert "news/same-slug.zh.md" in e
    e = find(failed["errors"], "news/same-slug.zh.md", 1, "is also used by", failed["folder"])
    assert "policy/same-slug.zh.md" in e


def test_messages_in_the_language_of_the_file_with_english_after(failed):
    folder = failed["folder"]
    zh = find(failed["errors"], "news/bad-date.zh.md", 4, "2026-02-30", folder)
    assert zh == (f"{folder}/news/bad-date.zh.md:4: 字段“date”：“2026-02-30”不是有效日期；请写成 YYYY-MM-DD 或 YYYY-MM-DD HH:MM "
                  "(field 'date': '2026-02-30' is not a real date; write YYYY-MM-DD or YYYY-MM-DD HH:MM)")
    ko = find(failed["errors"], "events/bad-zone.ko.md", 7, "Asia/Yanji", folder)
    assert ko == (f"{folder}/events/bad-zone.ko.md:7: 항목 'event.timezone': 알 수 없는 시간대 'Asia/Yanji'. "
                  "Asia/Shanghai 같은 IANA 이름을 쓰세요 (field 'event.timezone': unknown time zone 'Asia/Yanji'; "
                  "use an IANA name such as Asia/Shanghai)")
    typo = find(failed["errors"], "news/typo.ko.md", 3, "titel", folder)
    assert "알 수 없는 항목 'titel'" in typo.split(" (unknown field")[0]


def test_previous_output_left_byte_for_byte(failed):
    out = failed["out"]
    assert tree_hashes(out) == failed["before"]
    assert {p: os.stat(out / p).st_mtime_ns for p in failed["before"]} == failed["stat_before"]


def test_no_temporary_folder_left_behind(failed):
    siblings = sorted(p.name for p in failed["out"].parent.iterdir())
    assert siblings == ["build"], siblings


def test_failed_build_into_new_folder_creates_nothing(tmp_path):
    bad = write_files(tmp_path / "bad", bad_files())
    out = tmp_path / "site" / "build"
    with pytest.raises(BuildError):
        build(PROJECT, bad, out, progress=False, cache=False)
    assert not out.exists()
    assert not (tmp_path / "site").exists()  # not even the parent of a temporary folder


def test_single_error_is_enough_to_fail(tmp_path):
    content = write_files(tmp_path / "c", {**GOOD, "news/x.zh.md": md("title: x\ndate: 2024-02-30")})
    with pytest.raises(BuildError) as info:
        build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    assert info.value.errors == [
        f"{shown(content)}/news/x.zh.md:3: 字段“date”：“2024-02-30”不是有效日期；请写成 YYYY-MM-DD 或 YYYY-MM-DD HH:MM "
        "(field 'date': '2024-02-30' is not a real date; write YYYY-MM-DD or YYYY-MM-DD HH:MM)"]
    assert str(info.value) == info.value.errors[0]


def test_output_inside_content_is_refused(tmp_path):
    content = write_files(tmp_path / "c", GOOD)
    with pytest.raises(BuildError, match="must not contain the content folder"):
        build(PROJECT, content, tmp_path, progress=False, cache=False)


def test_missing_content_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="content folder not found"):
        build(PROJECT, tmp_path / "nope", tmp_path / "out", progress=False, cache=False)


# ---------------------------------------------------------------------------------------------
# The same through the command line


def test_cli_build_errors(tmp_path):
    project = make_project(tmp_path / "proj")
    write_files(project / "content", bad_files())
    out = project / "build"
    # a previous build (Jindallae refuses to replace a folder that does not look like one)
    write_files(out, {"index.html": "old site\n", "sitemap.xml": "<urlset/>\n", "theme/css/site.css": ""})
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE",)}
    proc = subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(project), "build", "--no-progress"],
                          capture_output=True, env=env, cwd=tmp_path, timeout=120)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == 1, stderr
    assert f"Build failed: {len(EXPECTED)} error(s)" in stderr
    lines = stderr.splitlines()
    # Paths as the user would type them: relative to the current folder (here tmp_path).
    for path, line, fragment in EXPECTED:
        find(lines, path, line, fragment, "proj/content")
    # Chinese files get Chinese messages, Korean files Korean ones, English in parentheses.
    zh_line = find(lines, "news/wrong-lang.zh.md", 4, "contradicts", "proj/content")
    assert zh_line.startswith("proj/content/news/wrong-lang.zh.md:4: lang 字段“ko”与文件名（.zh.md）不一致；")
    assert zh_line.endswith("(lang 'ko' contradicts the file name (.zh.md); remove the field or rename the file)")
    ko_line = find(lines, "parks/no-cover.ko.md", 1, "cover", "proj/content")
    assert ko_line.startswith("proj/content/parks/no-cover.ko.md:1: 필수 항목 'cover'이(가) 없습니다.")
    assert ko_line.endswith("(missing required field 'cover'; add it to the front matter)")
    assert (out / "index.html").read_text() == "old site\n"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("build")) == ["build"]
    assert proc.stdout == b""


def test_cli_build_settings_error_exit_code(tmp_path):
    project = make_project(tmp_path / "proj", conf_text='PLUGINS = ["cjk_markdown", "multilingual"]\nSITENAM = "x"\n')
    write_files(project / "content", GOOD)
    proc = subprocess.run([sys.executable, "-m", "jindallae.cli", "--project", str(project), "build", "--no-progress"],
                          capture_output=True, timeout=120)
    stderr = proc.stderr.decode("utf-8")
    assert proc.returncode == 2
    assert "SITENAM" in stderr and "did you mean SITENAME?" in stderr
    assert not (project / "build").exists()


def test_failure_inside_pelican_leaves_output_and_no_temporary_folder(tmp_path):
    """A failure after the temporary output folder exists (here: a broken template) is cleaned
    up and leaves the previous build untouched."""
    project = make_project(tmp_path / "proj")
    content = write_files(project / "content", GOOD)
    out = project / "build"
    build(project, content, out, progress=False, cache=False)
    before = tree_hashes(out)
    template = project / "themes/jindallae/templates/article.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{{ article.title }}", "{{ article.title.nope() }}", 1),
                        encoding="utf-8")
    with pytest.raises(Exception) as info:
        build(project, content, out, progress=False, cache=False, force=True)
    assert "nope" in str(info.value)
    assert tree_hashes(out) == before
    assert sorted(p.name for p in project.iterdir() if p.name.startswith("build")) == ["build"]


# Found by trying to break the build from a fresh clone.

def test_yaml_scalars_keep_the_text_as_typed(tmp_path):
    """YAML 1.1 would read 0123 as the integer 83 and 12:30 as 750 (sexagesimal)."""
    content = write_files(tmp_path / "c", {"news/shu-zi.zh.md": md("title: 0123\nsummary: 010\nauthor: 12:30\ndate: 2024-01-05")})
    out = tmp_path / "out"
    build(PROJECT, content, out, progress=False, cache=False)
    html = (out / "news/shu-zi/index.html").read_text(encoding="utf-8")
    assert "<h1>0123</h1>" in html and "12:30" in html and 'content="010"' in html


def test_duplicate_field_and_unclosed_quote_are_errors_on_their_lines(tmp_path):
    content = write_files(tmp_path / "c", {
        "news/liang-ci.zh.md": md("title: 一\ntitle: 二\ndate: 2024-01-05"),
        "news/yin-hao.ko.md": md('title: "닫히지 않음\nsummary: x\ndate: 2024-01-05'),
    })
    with pytest.raises(BuildError) as exc:
        build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    errors = exc.value.errors
    assert any(e.endswith("news/liang-ci.zh.md:3: 字段“title”写了两次（第 2 行和本行）；请只保留一个 "
                          "(field 'title' is given twice (lines 2 and here); keep one)") for e in errors), errors
    assert any("news/yin-hao.ko.md:2: 이 행에서 연 따옴표가 닫히지 않았습니다" in e for e in errors), errors


def test_control_character_in_a_body_is_an_error_on_its_line(tmp_path):
    """A vertical tab pasted from Word (or any C0 control but tab and newlines) cannot go into
    the Atom feed (XML 1.0): the build names the file and line in the editor's language instead
    of failing in the feed writer; a draft with one is held back, not fatal."""
    body = "第一段。\n\n粘贴来的\x0b文字。\n"
    content = write_files(tmp_path / "c", {
        "news/kong-zhi.zh.md": md("title: 控制字符\ndate: 2024-01-05", body=body),
        "news/cao-gao.ko.md": md("title: 초고\ndate: 2024-01-05\nstatus: draft", body="글\x07입니다.\n"),
        "news/hao.zh.md": md("title: 好的\ndate: 2024-01-05"),
    })
    out = tmp_path / "out"
    with pytest.raises(BuildError) as exc:
        build(PROJECT, content, out, progress=False, cache=False)
    errors = exc.value.errors
    (line,) = [e for e in errors if "kong-zhi" in e]  # line 8: 4 lines of front matter, blank, 第一段, blank
    assert "news/kong-zhi.zh.md:8: 本行有一个看不见的控制字符（U+000B）" in line
    assert "(this line has an invisible control character (U+000B)" in line
    assert not any("XML" in e or "Unserializable" in e for e in errors), errors
    assert not any("cao-gao" in e for e in errors), errors  # the draft is not what stops the build
    (content / "news/kong-zhi.zh.md").write_text(md("title: 控制字符\ndate: 2024-01-05", body=body.replace("\x0b", "")),
                                                 encoding="utf-8")
    result = build(PROJECT, content, out, progress=False, cache=False)
    assert (out / "news/kong-zhi/index.html").is_file()
    assert any("news/cao-gao.ko.md:7: 이 행에 보이지 않는 특수 문자(U+0007)" in w for w in result.warnings), result.warnings


def test_stray_files_and_bad_offsets_are_errors(tmp_path):
    content = write_files(tmp_path / "c", {
        "news/old.zh.markdown": md("title: 旧\ndate: 2024-01-05"),
        "events/offset.zh.md": md("title: 时差\ndate: 2024-01-05\nevent:\n  id: 7\n  start: 2026-08-15 09:30+09:99\n"
                                  "  location: 延吉"),
    })
    with pytest.raises(BuildError) as exc:
        build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    text = "\n".join(exc.value.errors)
    assert "news/old.zh.markdown:1: 此文件不会被读取" in text
    assert "events/offset.zh.md:6:" in text and "09:30+09:99" in text


def test_output_that_is_not_a_build_is_refused(tmp_path):
    content = write_files(tmp_path / "c", GOOD)
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    mine = write_files(tmp_path / "mine", {"thesis.txt": "keep me too"})
    for target in (notes, mine):
        with pytest.raises(BuildError, match="choose"):
            build(PROJECT, content, target, progress=False, cache=False)
    assert notes.read_text() == "keep me" and (mine / "thesis.txt").read_text() == "keep me too"


@pytest.mark.parametrize("depth", [500, 5000])
def test_deeply_nested_markdown_is_an_error_not_a_traceback(tmp_path, depth):
    """Deep nesting is a path:line error in the file's language, whatever the renderer release
    does with it; the previous build stays; `jindallae check` reports the same line."""
    body = "正文第一段。\n\n" + "".join("  " * i + "- 列表\n" for i in range(depth))
    content = write_files(tmp_path / "c", {"news/qian-tao.zh.md": md("title: 嵌套\ndate: 2024-01-05") + "\n\n" + body,
                                           "news/ok.zh.md": md("title: 正常\ndate: 2024-01-05") + "\n\n正文。\n"})
    with pytest.raises(BuildError) as exc:
        build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    text = (content / "news/qian-tao.zh.md").read_text(encoding="utf-8").split("\n")
    first_deep = next(i for i, line in enumerate(text, 1) if line.startswith("  " * 50 + "- "))
    assert f"news/qian-tao.zh.md:{first_deep}: 列表或引用嵌套了 51 层（最多 50 层）" in "\n".join(exc.value.errors), exc.value.errors
    assert not (tmp_path / "out").exists()
    from jindallae.checks import run_checks
    report = run_checks(PROJECT, content)
    assert [(f.path, f.line) for f in report.findings if f.id == "front-matter"] == [("news/qian-tao.zh.md", first_deep)]


def test_D6_a_broken_draft_does_not_stop_the_build(tmp_path):
    """A draft (or a page in review) with errors is reported as a warning and left out; the
    published pages are built. A published page with the same error still stops the build."""
    draft = md("title: 草稿\ndate: 2024-01-05\nstatus: draft\ncolour: red") + "\n\n" + "- " * 60 + "x\n"
    content = write_files(tmp_path / "c", {"news/caogao.zh.md": draft,
                                           "news/hao.zh.md": md("title: 好文章\ndate: 2024-01-05")})
    result = build(PROJECT, content, tmp_path / "out", progress=False, cache=False)
    assert (tmp_path / "out/news/hao/index.html").is_file() and not (tmp_path / "out/news/caogao").exists()
    joined = "\n".join(result.warnings)
    assert "news/caogao.zh.md:5: 未知字段“colour”" in joined, joined
    (content / "news/caogao.zh.md").write_text(draft.replace("status: draft", "status: published"), encoding="utf-8")
    with pytest.raises(BuildError) as exc:
        build(PROJECT, content, tmp_path / "out", progress=False, cache=False, force=True)
    assert any("news/caogao.zh.md:5:" in e for e in exc.value.errors)
    assert (tmp_path / "out/news/hao/index.html").is_file()  # the good site stays
